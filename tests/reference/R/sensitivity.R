# Fixtures for leave-one-out and cumulative meta-analysis: metafor::leave1out() and
# metafor::cumul() for rma.uni fits (several estimators and tests, missing rows), rma.mh
# and rma.peto fits.
#
# Writes tests/reference/sensitivity.json. Inputs: yi/vi of rma_inputs.R (datasets) or
# the 2x2 counts (binary fits), stored in each case.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
source(file.path(REF_DIR, "R", "rma_inputs.R"), local = TRUE)

rows <- function(x) {
  stat <- if (!is.null(x$zval)) x$zval else x$tval
  pval <- if (!is.null(x$pval)) x$pval else x$pvals
  g <- function(v) if (is.null(v)) rep(NaN, length(x$estimate)) else as.numeric(v)
  list(estimate = as.numeric(x$estimate), se = as.numeric(x$se), statistic = as.numeric(stat),
       p_value = as.numeric(pval), ci_lower = as.numeric(x$ci.lb), ci_upper = as.numeric(x$ci.ub),
       q = g(x$Q), q_p_value = g(x$Qp), tau2 = g(x$tau2), i2 = g(x$I2), h2 = g(x$H2),
       rows = as.character(x$slab))
}

cases <- list()
uni <- function(id, dataset, method, test, order = NULL) {
  d <- ds[[dataset]]
  res <- suppressWarnings(rma(d$yi, d$vi, method = method, test = test, control = CONTROL,
                              slab = seq_along(d$yi)))
  base <- list(dataset = scalar(dataset), method = scalar(method), test = scalar(test))
  loo <- suppressWarnings(leave1out(res))
  cases[[paste0(id, "-leave1out")]] <<- c(base, list(kind = scalar("leave-one-out"),
    call = scalar(sprintf('leave1out(rma(yi, vi, method="%s", test="%s"))', method, test))), rows(loo))
  cu <- suppressWarnings(if (is.null(order)) cumul(res) else cumul(res, order = order))
  cases[[paste0(id, "-cumul")]] <<- c(base, list(kind = scalar("cumulative"),
    order = if (is.null(order)) NULL else as.numeric(order),
    call = scalar(sprintf('cumul(rma(yi, vi, method="%s", test="%s")%s)', method, test,
                          if (is.null(order)) "" else ", order=year"))), rows(cu))
}
year <- read_metadat("dat.bcg")$year
uni("bcg-RR-REML-z", "bcg-RR", "REML", "z", order = year)
uni("bcg-RR-DL-knha", "bcg-RR", "DL", "knha", order = year)
uni("bcg-RR-PM-adhoc", "bcg-RR", "PM", "adhoc")
uni("bcg-RR-EE-z", "bcg-RR", "EE", "z", order = year)
uni("collins1985a-OR-REML-z", "collins1985a-OR", "REML", "z")
uni("lau1992-OR-REML-knha", "lau1992-OR", "REML", "knha", order = read_metadat("dat.lau1992")$year)

binary <- function(id, kind, measure, order = NULL) {
  b <- read_metadat("dat.bcg")
  res <- if (kind == "MH") rma.mh(ai = b$tpos, bi = b$tneg, ci = b$cpos, di = b$cneg,
                                  measure = measure, slab = seq_len(nrow(b)))
         else rma.peto(ai = b$tpos, bi = b$tneg, ci = b$cpos, di = b$cneg, slab = seq_len(nrow(b)))
  base <- list(dataset = scalar("bcg"), method = scalar(kind), measure = scalar(measure),
               ai = b$tpos, bi = b$tneg, ci = b$cpos, di = b$cneg)
  cases[[paste0(id, "-leave1out")]] <<- c(base, list(kind = scalar("leave-one-out"),
    call = scalar(sprintf("leave1out(%s)", if (kind == "MH") sprintf('rma.mh(..., measure="%s")', measure) else "rma.peto(...)"))),
    rows(leave1out(res)))
  cu <- if (is.null(order)) cumul(res) else cumul(res, order = order)
  cases[[paste0(id, "-cumul")]] <<- c(base, list(kind = scalar("cumulative"),
    order = if (is.null(order)) NULL else as.numeric(order),
    call = scalar(sprintf("cumul(%s, order=year)", if (kind == "MH") sprintf('rma.mh(..., measure="%s")', measure) else "rma.peto(...)"))),
    rows(cu))
}
binary("bcg-MH-OR", "MH", "OR", order = year)
binary("bcg-MH-RD", "MH", "RD", order = year)
binary("bcg-PETO", "PETO", "PETO", order = year)

write_fixture(cases, file.path(REF_DIR, "sensitivity.json"),
              "metafor::leave1out and metafor::cumul for rma.uni, rma.mh and rma.peto fits")
