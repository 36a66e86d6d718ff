# Subgroup analyses: separate fits per subgroup (rma(..., subset = g == level)), the
# overall fit, and the test for subgroup differences as the heterogeneity statistic of
# an equal-effects meta-analysis of the subgroup estimates
# (rma(est, sei = se, method = "FE")$QE, df = G - 1: RevMan / R meta's Q between).
# With a common tau^2 (R meta's tau.common = TRUE): tau^2 from the mixed-effects model
# rma(yi, vi, mods = ~ factor(g)); subgroup fits with tau2 fixed at it; under test = "z"
# the Q between then equals that model's QM.
# Writes tests/reference/subgroups.json.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
bd <- read_metadat("dat.bangertdrowns2004")
bd$yi <- bd$di
bd$vi <- 4 / bd$ni + bd$di^2 / (2 * bd$ni)
bd$grade <- as.character(bd$grade)

fit_out <- function(r) list(
  estimate = scalar(as.vector(r$beta)), se = scalar(r$se), ci_lb = scalar(r$ci.lb),
  ci_ub = scalar(r$ci.ub), pval = scalar(r$pval), tau2 = scalar(r$tau2), k = scalar(r$k),
  QE = scalar(r$QE), I2 = scalar(r$I2))

cases <- list()
sub_case <- function(id, d, gcol, method, test, common, data_name) {
  g <- d[[gcol]]
  levels <- sort(unique(g[!is.na(g)]))
  tau2_common <- NA_real_
  QM <- NA_real_
  if (common) {
    mm <- rma(yi, vi, mods = ~ factor(g), data = d, method = method, test = test, control = ctrl)
    tau2_common <- mm$tau2
    QM <- mm$QM
  }
  fits <- lapply(levels, function(l) {
    s <- !is.na(g) & g == l
    if (common) rma(yi, vi, data = d, subset = s, tau2 = tau2_common, test = test, control = ctrl)
    else rma(yi, vi, data = d, subset = s, method = method, test = test, control = ctrl)
  })
  ests <- sapply(fits, function(f) as.vector(f$beta))
  ses <- sapply(fits, function(f) f$se)
  between <- rma(ests, sei = ses, method = "FE")
  overall <- rma(yi, vi, data = d, method = method, test = test, control = ctrl)
  cases[[id]] <<- list(
    call = scalar(sprintf('subgroups of %s by %s: rma(yi, vi, subset = %s == g, method = "%s", test = "%s"%s)',
                          data_name, gcol, gcol, method, test, if (common) ", tau2 = common" else "")),
    method = scalar(method), test = scalar(test), tau2_common = scalar(common),
    yi = as.vector(d$yi), vi = as.vector(d$vi), group = as.character(g), levels = levels,
    subgroups = lapply(fits, fit_out), overall = fit_out(overall),
    q_between = scalar(between$QE), q_between_df = scalar(length(levels) - 1),
    q_between_p = scalar(between$QEp), common_tau2 = scalar(tau2_common), QM = scalar(QM))
}
for (m in c("REML", "DL", "EE")) for (t in c("z", "knha")) for (cm in c(FALSE, TRUE)) {
  if (m == "EE" && (cm || t == "knha")) next
  sub_case(sprintf("bcg-alloc-%s-%s%s", m, t, if (cm) "-common" else ""), bcg, "alloc", m, t, cm, "bcg")
}
for (cm in c(FALSE, TRUE)) {
  sub_case(sprintf("bangertdrowns2004-grade-REML-z%s", if (cm) "-common" else ""), bd, "grade", "REML", "z", cm,
           "bangertdrowns2004")
}

write_fixture(cases, file.path("tests/reference", "subgroups.json"),
              "Subgroup analyses: per-subgroup fits, overall fit, Q between (separate or common tau^2)")
