# Fixtures for the pooling engine: metafor::rma.uni() and predict() for every tau^2
# estimator x test on published datasets and generated edge cases; rma.uni with
# moderators for the tau^2 estimators' meta-regression path.
#
# Inputs come from rma_inputs.R (which writes tests/reference/rma_datasets.json). Writes
# tests/reference/rma.json (one case per dataset-method-test[-level]) and
# tests/reference/rma_mods.json.
#
# Convergence is tightened so that the fixtures hold converged values:
# threshold (Fisher scoring, ML/REML/EB) and tol (uniroot, PM) 1e-12, maxiter 10000.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
METHODS <- c("EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
TESTS <- c("z", "knha", "adhoc")

source(file.path(REF_DIR, "R", "rma_inputs.R"), local = TRUE)

# ---- rma.uni x method x test ------------------------------------------------------
fit_case <- function(id, d, method, test, level) {
  res <- suppressWarnings(fit_rma(d$yi, d$vi, method = method, test = test, level = level))
  call <- sprintf('rma(yi, vi, method="%s", test="%s", level=%g, %s)', method, test, level,
                  attr(res, "control"))
  pr <- predict(res)
  used <- !is.na(d$yi) & !is.na(d$vi)
  w <- rep(NA_real_, length(d$yi)); w[used] <- weights(res)
  list(dataset = scalar(id), method = scalar(method), test = scalar(test),
       level = scalar(level / 100), call = scalar(call), test_used = scalar(res$test),
       k = scalar(res$k), estimate = scalar(c(res$beta)), se = scalar(res$se),
       statistic = scalar(res$zval), p_value = scalar(res$pval),
       ci_lower = scalar(res$ci.lb), ci_upper = scalar(res$ci.ub),
       df = scalar(if (is.na(res$ddf)) NaN else res$ddf),
       tau2 = scalar(res$tau2), tau2_se = scalar(if (is.null(res$se.tau2)) NA else res$se.tau2),
       i2 = scalar(res$I2), h2 = scalar(res$H2), vt = scalar(res$vt),
       q = scalar(res$QE), q_p_value = scalar(res$QEp),
       pi_lower = scalar(if (is.null(pr$pi.lb)) NaN else pr$pi.lb),
       pi_upper = scalar(if (is.null(pr$pi.ub)) NaN else pr$pi.ub),
       weights = w)
}

cases <- list()
for (id in names(ds)) for (m in METHODS) for (tst in TESTS) {
  cases[[sprintf("%s-%s-%s", id, m, tst)]] <- fit_case(id, ds[[id]], m, tst, 95)
}
for (id in c("bcg-RR", "normand1999-MD")) for (m in METHODS) for (tst in TESTS) {
  cases[[sprintf("%s-%s-%s-90", id, m, tst)]] <- fit_case(id, ds[[id]], m, tst, 90)
}
write_fixture(cases, file.path(REF_DIR, "rma.json"),
              "metafor::rma.uni + predict for every tau^2 estimator x test on published datasets and edge cases")

# ---- meta-regression path of the tau^2 estimators --------------------------------
mods_cases <- list()
mods_specs <- list(
  # year is centred: uncentred, X'WX has condition number ~1e9 and the comparison
  # would measure the conditioning, not the estimators
  "bcg-RR~ablat" = list(d = "bcg-RR", X = cbind(1, bcg$ablat), mods = "~ ablat"),
  "bcg-RR~ablat+year" = list(d = "bcg-RR", X = cbind(1, bcg$ablat, bcg$year - 1966), mods = "~ ablat + I(year - 1966)"),
  "raudenbush1985-SMD~weeks" = list(d = "raudenbush1985-SMD", X = cbind(1, rau$weeks), mods = "~ weeks"),
  "normand1999-MD~none" = list(d = "normand1999-MD", X = cbind(1 + 0 * seq_along(ds[["normand1999-MD"]]$yi)), mods = "~ 1")
)
for (sid in names(mods_specs)) for (m in METHODS[-(1:2)]) {
  sp <- mods_specs[[sid]]; d <- ds[[sp$d]]
  res <- rma(d$yi, d$vi, mods = sp$X, intercept = FALSE, method = m, control = CONTROL)
  mods_cases[[sprintf("%s-%s", sid, m)]] <- list(
    dataset = scalar(sp$d), method = scalar(m), mods = scalar(sp$mods),
    call = scalar(sprintf('rma(yi, vi, mods=%s, method="%s", control=list(threshold=1e-12, tol=1e-12, maxiter=10000))', sp$mods, m)),
    X = lapply(seq_len(ncol(sp$X)), function(j) as.numeric(sp$X[, j])),
    tau2 = scalar(res$tau2), tau2_se = scalar(if (is.null(res$se.tau2)) NA else res$se.tau2),
    q = scalar(res$QE), beta = as.numeric(res$beta))
}
write_fixture(mods_cases, file.path(REF_DIR, "rma_mods.json"),
              "metafor::rma.uni with moderators: tau^2, se(tau^2), QE, coefficients per estimator")
