# Fixtures for binary-data pooling: metafor::rma.mh (OR, RR, RD) and metafor::rma.peto,
# with their heterogeneity, Cochran-Mantel-Haenszel and Tarone tests, per-study yi/vi
# (escalc with the zero-cell settings) and weights, on published 2x2 datasets and
# generated tables with zero cells, double-zero and all-event studies.
#
# Writes tests/reference/rma_mh.json. Inputs (ai, bi, ci, di) are stored in each case.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"

tables <- list()
add_tab <- function(id, ai, bi, ci, di, labels) {
  tables[[id]] <<- list(ai = as.numeric(ai), bi = as.numeric(bi), ci = as.numeric(ci),
                        di = as.numeric(di), labels = as.character(labels))
}
bcg <- read_metadat("dat.bcg")
add_tab("bcg", bcg$tpos, bcg$tneg, bcg$cpos, bcg$cneg, bcg$author)
lau <- read_metadat("dat.lau1992")
add_tab("lau1992", lau$ai, lau$n1i - lau$ai, lau$ci, lau$n2i - lau$ci, lau$trial)
egg <- read_metadat("dat.egger2001")
add_tab("egger2001", egg$ai, egg$n1i - egg$ai, egg$ci, egg$n2i - egg$ci, egg$study)
li <- read_metadat("dat.li2007")
add_tab("li2007", li$ai, li$n1i - li$ai, li$ci, li$n2i - li$ci, li$study)
yus <- read_metadat("dat.yusuf1985")
yus <- yus[yus$table == "6", ]
add_tab("yusuf1985-t6", yus$ai, yus$n1i - yus$ai, yus$ci, yus$n2i - yus$ci, yus$trial)
col <- read_metadat("dat.collins1985a")
add_tab("collins1985a", col$b.xti, col$nti - col$b.xti, col$b.xci, col$nci - col$b.xci, col$trial)
hb <- read_metadat("dat.hartmannboyce2018")
add_tab("hartmannboyce2018", hb$x.nrt, hb$n.nrt - hb$x.nrt, hb$x.ctrl, hb$n.ctrl - hb$x.ctrl, hb$study)
add_tab("zero-cells", c(0, 3, 0, 5, 2, 12), c(20, 17, 15, 25, 30, 0), c(2, 5, 0, 4, 0, 10),
        c(18, 15, 15, 26, 32, 0), paste0("t", 1:6))
add_tab("small-delta", c(3, 4), c(7, 6), c(4, 3), c(6, 7), c("a", "b"))

cases <- list()
one <- function(id, kind, measure, correct = TRUE, level = 95, add = 1/2, to = "only0",
                drop00 = TRUE) {
  t <- tables[[id]]
  if (kind == "MH") {
    res <- suppressWarnings(rma.mh(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, measure = measure,
                                   correct = correct, level = level, add = add, to = to,
                                   drop00 = drop00))
    call <- sprintf('rma.mh(ai, bi, ci, di, measure="%s", correct=%s, level=%g, add=c(%s), to=c(%s), drop00=c(%s))',
                    measure, correct, level, paste(add, collapse = ","),
                    paste0('"', to, '"', collapse = ","), paste(drop00, collapse = ","))
  } else {
    res <- suppressWarnings(rma.peto(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, level = level,
                                     add = add, to = to, drop00 = drop00))
    call <- sprintf('rma.peto(ai, bi, ci, di, level=%g, add=c(%s), to=c(%s), drop00=c(%s))', level,
                    paste(add, collapse = ","), paste0('"', to, '"', collapse = ","),
                    paste(drop00, collapse = ","))
  }
  n <- length(t$ai)
  # the per-study yi/vi rma.mh/rma.peto compute (escalc with the first add/to/drop00)
  es <- escalc(if (kind == "MH") measure else "PETO", ai = t$ai, bi = t$bi, ci = t$ci,
               di = t$di, add = add[1], to = to[1], drop00 = drop00[1])
  yi <- as.numeric(es$yi); vi <- as.numeric(es$vi)
  stopifnot(isTRUE(all.equal(yi[!is.na(yi)], as.numeric(res$yi), tolerance = 1e-15)))
  used <- !is.na(t$ai) & !is.na(t$bi) & !is.na(t$ci) & !is.na(t$di)
  if (length(drop00) > 1 && drop00[2])   # the second drop00 drops tables from the pooling
    used <- used & !((t$ai == 0 & t$ci == 0) | (t$bi == 0 & t$di == 0))
  w <- rep(NA_real_, n); wr <- weights(res)
  if (length(wr) != sum(used)) stop(sprintf("%s %s %s: %d weights for %d tables", id, kind, measure, length(wr), sum(used)))
  w[used] <- wr
  g <- function(x) scalar(if (is.null(x)) NaN else x)
  list(table = scalar(id), kind = scalar(kind), measure = scalar(measure),
       correct = scalar(correct), level = scalar(level / 100), add = as.numeric(add),
       to = as.character(to), drop00 = as.logical(drop00), call = scalar(call),
       ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
       k = scalar(res$k), k_yi = scalar(res$k.yi),
       estimate = scalar(c(res$beta)), se = scalar(res$se), statistic = scalar(res$zval),
       p_value = scalar(res$pval), ci_lower = scalar(res$ci.lb), ci_upper = scalar(res$ci.ub),
       q = g(res$QE), q_p_value = g(res$QEp), i2 = g(res$I2), h2 = g(res$H2),
       cmh = g(res$MH), cmh_p_value = g(res$MHp), tarone = g(res$TA), tarone_p_value = g(res$TAp),
       yi = yi, vi = vi, weights = w)
}

for (id in names(tables)) {
  for (m in c("OR", "RR", "RD")) cases[[sprintf("%s-MH-%s", id, m)]] <- one(id, "MH", m)
  cases[[sprintf("%s-PETO", id)]] <- one(id, "PETO", "PETO")
}
cases[["bcg-MH-OR-nocorrect"]] <- one("bcg", "MH", "OR", correct = FALSE)
cases[["small-delta-MH-OR-nocorrect"]] <- one("small-delta", "MH", "OR", correct = FALSE)
cases[["bcg-MH-OR-90"]] <- one("bcg", "MH", "OR", level = 90)
cases[["bcg-PETO-90"]] <- one("bcg", "PETO", "PETO", level = 90)
cases[["zero-cells-MH-OR-keep00"]] <- one("zero-cells", "MH", "OR", drop00 = FALSE)
cases[["zero-cells-MH-RR-all"]] <- one("zero-cells", "MH", "RR", add = 1/2, to = "all")
cases[["zero-cells-MH-OR-pair"]] <- one("zero-cells", "MH", "OR", add = c(1/2, 1/2),
                                        to = c("only0", "only0"), drop00 = c(TRUE, TRUE))
cases[["zero-cells-PETO-keep00"]] <- one("zero-cells", "PETO", "PETO", drop00 = FALSE)

write_fixture(cases, file.path(REF_DIR, "rma_mh.json"),
              "metafor::rma.mh (OR, RR, RD) and rma.peto with heterogeneity, CMH and Tarone tests")
