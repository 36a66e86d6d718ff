# cumul(..., collapse = TRUE) (generated with metafor 5.1-12 built from source; Debian's 3.8-1
# has no collapse argument and this script then skips): studies with the same value of the
# order variable are added in one step. Synthetic years on dat.bcg (ties on purpose) and the
# real years of dat.bcg, for REML, DL with knha and EE; and an rma.mh fit.
# Writes tests/reference/cumul_collapse.json.
#   R_LIBS=/tmp/rlib5 Rscript tests/reference/make_reference.R

local({
  if (!("collapse" %in% names(formals(metafor:::cumul.rma.uni)))) {
    cat("cumul_collapse_v5.R: metafor", as.character(packageVersion("metafor")),
        "has no cumul(collapse=); skipped\n")
    return(invisible(NULL))
  }
  bcg <- read_metadat("dat.bcg")
  bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  ties <- c(1977, 1948, 1977, 1950, 1948, 1977, 1973, 1977, 1980, 1968, 1973, 1980, 1968)
  cases <- list()
  one <- function(id, res, order, call) {
    x <- cumul(res, order = order, collapse = TRUE)
    list(call = scalar(call), yi = as.vector(bcg$yi), vi = as.vector(bcg$vi),
         ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg, order = as.numeric(order),
         slab = as.numeric(x$slab), k = as.numeric(x$k), estimate = as.vector(x$estimate),
         se = as.vector(x$se), ci_lb = as.vector(x$ci.lb), ci_ub = as.vector(x$ci.ub),
         tau2 = if (is.null(x$tau2)) NULL else as.vector(x$tau2), Q = as.vector(x$Q))
  }
  for (o in list(list("ties", ties), list("year", bcg$year))) {
    for (m in list(c("REML", "z"), c("DL", "knha"), c("EE", "z"))) {
      res <- rma(yi, vi, data = bcg, method = m[1], test = m[2], control = list(threshold = 1e-12, maxiter = 10000))
      id <- sprintf("collapse-%s-%s-%s", o[[1]], m[1], m[2])
      cases[[id]] <- one(id, res, o[[2]], sprintf('cumul(rma(yi, vi, method = "%s", test = "%s", control = list(threshold = 1e-12)), order = %s, collapse = TRUE)', m[1], m[2], o[[1]]))
    }
  }
  mh <- rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg, measure = "RR")
  cases[["collapse-ties-MH"]] <- one("mh", mh, ties, 'cumul(rma.mh(measure = "RR"), order = ties, collapse = TRUE)')
  write_fixture(cases, file.path(REF_DIR, "cumul_collapse.json"), "metafor cumul(collapse = TRUE)")
})
