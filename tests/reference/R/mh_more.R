# Fixtures for the Mantel-Haenszel additions: the Breslow-Day test (BD, without Tarone's
# correction) and the uncorrected Cochran-Mantel-Haenszel test (CO) of rma.mh(measure="OR"),
# and Mantel-Haenszel pooling of person-time data, rma.mh(measure="IRR"/"IRD") with
# x1i, t1i, x2i, t2i (estimate, se, CI, heterogeneity Q, and for IRR the MH test).
#
# Person-time inputs: metadat's dat.hart1999 (Hart et al., 1999, warfarin vs placebo/
# aspirin in atrial fibrillation; events and patient-years) and dat.nielweise2008 if
# present, plus a generated set with a zero count; the counts are stored in each case.
# Writes tests/reference/mh_more.json.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
cases <- list()
bcg <- read_metadat("dat.bcg")
lau <- read_metadat("dat.lau1992")
egg <- read_metadat("dat.egger2001")
tabs <- list(
  bcg = list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg),
  lau1992 = list(ai = lau$ai, bi = lau$n1i - lau$ai, ci = lau$ci, di = lau$n2i - lau$ci),
  egger2001 = list(ai = egg$ai, bi = egg$n1i - egg$ai, ci = egg$ci, di = egg$n2i - egg$ci))
for (id in names(tabs)) {
  t <- tabs[[id]]
  res <- rma.mh(ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, measure = "OR")
  cases[[paste0(id, "-OR")]] <- list(
    call = scalar('rma.mh(ai, bi, ci, di, measure="OR")'), ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
    breslow_day = scalar(res$BD), breslow_day_p_value = scalar(res$BDp),
    tarone = scalar(res$TA), cochran = scalar(res$CO), cochran_p_value = scalar(res$COp),
    cmh = scalar(res$MH))
}
rates <- list(
  hart1999 = with(metadat::dat.hart1999, list(x1i = x1i, t1i = t1i, x2i = x2i, t2i = t2i)),
  generated = list(x1i = c(0, 4, 12, 7), t1i = c(120.5, 300, 800, 410),
                   x2i = c(3, 9, 20, 7), t2i = c(110, 280.25, 790, 400)))
for (id in names(rates)) for (m in c("IRR", "IRD")) for (lev in c(95, 90)) {
  r <- rates[[id]]
  res <- rma.mh(x1i = r$x1i, t1i = r$t1i, x2i = r$x2i, t2i = r$t2i, measure = m, level = lev)
  cases[[sprintf("%s-%s-%g", id, m, lev)]] <- list(
    call = scalar(sprintf('rma.mh(x1i, t1i, x2i, t2i, measure="%s", level=%g)', m, lev)),
    measure = scalar(m), level = scalar(lev / 100),
    x1i = as.numeric(r$x1i), t1i = as.numeric(r$t1i), x2i = as.numeric(r$x2i), t2i = as.numeric(r$t2i),
    k = scalar(res$k), estimate = scalar(c(res$beta)), se = scalar(res$se), statistic = scalar(res$zval),
    p_value = scalar(res$pval), ci_lower = scalar(res$ci.lb), ci_upper = scalar(res$ci.ub),
    q = scalar(res$QE), q_p_value = scalar(res$QEp), i2 = scalar(res$I2), h2 = scalar(res$H2),
    cmh = scalar(if (is.null(res$MH)) NA else res$MH), cmh_p_value = scalar(if (is.null(res$MHp)) NA else res$MHp),
    yi = as.numeric(res$yi), vi = as.numeric(res$vi), weights = as.numeric(weights(res)))
}
write_fixture(cases, file.path(REF_DIR, "mh_more.json"),
              "metafor::rma.mh: Breslow-Day and Cochran tests (OR); person-time IRR/IRD")
