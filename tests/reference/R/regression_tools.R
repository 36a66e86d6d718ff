# Fixtures for the model tools of rma.uni fits: predict(newmods=) with prediction
# intervals, anova(X=) (linear combinations of the coefficients and their omnibus Wald
# test), rstandard() and rstudent() (internally and externally standardized residuals),
# and confint() (Q-profile CI of the residual tau^2) of meta-regressions.
#
# Writes tests/reference/regression_tools.json. Convergence tightened as in rma.R.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
source(file.path(REF_DIR, "R", "rma_inputs.R"), local = TRUE)
CTRL <- "control=list(threshold=1e-12, tol=1e-12, maxiter=10000)"
bcg$year0 <- bcg$year - 1966

specs <- list(
  "bcg-RR~ablat+year" = list(d = "bcg-RR", X = cbind(bcg$ablat, bcg$year0), mods = "~ ablat + I(year - 1966)",
                             newmods = rbind(c(10, 0), c(30, -10), c(55, 15)),
                             L = rbind(c(1, 20, 0), c(0, 1, -1), c(1, 40, 5))),
  "bcg-RR~ablat" = list(d = "bcg-RR", X = cbind(bcg$ablat), mods = "~ ablat",
                        newmods = rbind(10, 33.5, 55), L = rbind(c(1, 10), c(1, 50))),
  "raudenbush1985-SMD~weeks" = list(d = "raudenbush1985-SMD", X = cbind(rau$weeks), mods = "~ weeks",
                                    newmods = rbind(0, 1, 3), L = rbind(c(1, 0), c(1, 2)))
)
resid_list <- function(r) list(resid = as.numeric(r$resid), se = as.numeric(r$se), z = as.numeric(r$z))
cases <- list()
for (sid in names(specs)) for (m in c("REML", "DL", "PM")) for (tst in c("z", "knha")) {
  sp <- specs[[sid]]; d <- ds[[sp$d]]
  res <- rma(d$yi, d$vi, mods = sp$X, method = m, test = tst, control = CONTROL)
  pr <- predict(res, newmods = sp$newmods)
  an <- anova(res, X = sp$L)
  ci <- confint(res, control = list(tol = 1e-12, tau2.max = 1000))
  cases[[sprintf("%s-%s-%s", sid, m, tst)]] <- list(
    dataset = scalar(sp$d), method = scalar(m), test = scalar(tst), mods = scalar(sp$mods),
    call = scalar(sprintf('rma(yi, vi, mods=%s, method="%s", test="%s", %s)', sp$mods, m, tst, CTRL)),
    X = lapply(seq_len(ncol(sp$X)), function(j) as.numeric(sp$X[, j])),
    tau2 = scalar(res$tau2), tau2_se = scalar(res$se.tau2),
    newmods = lapply(seq_len(nrow(sp$newmods)), function(i) as.numeric(sp$newmods[i, ])),
    predict = list(pred = as.numeric(pr$pred), se = as.numeric(pr$se), ci_lower = as.numeric(pr$ci.lb),
                   ci_upper = as.numeric(pr$ci.ub), pi_lower = as.numeric(pr$pi.lb), pi_upper = as.numeric(pr$pi.ub)),
    L = lapply(seq_len(nrow(sp$L)), function(i) as.numeric(sp$L[i, ])),
    anova = list(estimate = as.numeric(an$Xb), se = as.numeric(an$se), statistic = as.numeric(an$zval),
                 p_value = as.numeric(an$pval), qm = scalar(an$QM), qm_df = scalar(an$m),
                 qm_p_value = scalar(an$QMp)),
    confint = list(tau2 = as.numeric(ci$random["tau^2", ]), i2 = as.numeric(ci$random["I^2(%)", ]),
                   h2 = as.numeric(ci$random["H^2", ])),
    rstandard = resid_list(rstandard(res)),
    rstudent = resid_list(rstudent(res)))
}
for (id in c("bcg-RR", "normand1999-MD")) for (m in c("REML", "DL", "EE")) for (tst in c("z", "knha")) {
  d <- ds[[id]]
  res <- rma(d$yi, d$vi, method = m, test = tst, control = CONTROL)
  cases[[sprintf("%s-%s-%s", id, m, tst)]] <- list(
    dataset = scalar(id), method = scalar(m), test = scalar(tst),
    call = scalar(sprintf('rma(yi, vi, method="%s", test="%s", %s)', m, tst, CTRL)),
    rstandard = resid_list(rstandard(res)), rstudent = resid_list(rstudent(res)))
}
write_fixture(cases, file.path(REF_DIR, "regression_tools.json"),
              "metafor predict(newmods=), anova(X=), rstandard, rstudent and confint of rma.uni fits")
