# Fixture: PET and PEESE meta-regressions (Stanley & Doucouliagos 2014): the intercept of
# rma(yi, vi, mods = ~ sqrt(vi)) and rma(yi, vi, mods = ~ vi) (method, test as the analysis)
# and of the weighted least-squares fits lm(yi ~ sqrt(vi), weights = 1/vi) and
# lm(yi ~ vi, weights = 1/vi) (base R), with their SEs, test statistics, two-sided
# p-values, t df and 95% CIs. The conditional rule is applied in the test from these.
#
# Writes tests/reference/pet_peese.json.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
hack <- read_metadat("dat.hackshaw1998")
hack$yi <- log(hack$or)
hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
sets <- list(bcg = bcg, hackshaw1998 = hack)
for (nm in c("egger2001", "li2007")) {
  d <- read_metadat(paste0("dat.", nm))
  sets[[nm]] <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
}

coef_row <- function(est, se, stat, p, lb, ub, df) list(
  est = scalar(est), se = scalar(se), stat = scalar(stat), pval = scalar(p),
  ci_lb = scalar(lb), ci_ub = scalar(ub), df = scalar(df))

cases <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  for (cfg in list(c("REML", "z"), c("DL", "z"), c("EE", "z"), c("REML", "knha"))) {
    fits <- list()
    for (pr in c("sei", "vi")) {
      x <- if (pr == "sei") sqrt(d$vi) else d$vi
      r <- rma(d$yi, d$vi, mods = ~ x, method = cfg[1], test = cfg[2], control = ctrl)
      fits[[pr]] <- coef_row(r$beta[1], r$se[1], r$zval[1], r$pval[1], r$ci.lb[1], r$ci.ub[1],
                             if (cfg[2] == "knha") r$k - r$p else NA_real_)
    }
    cases[[sprintf("%s-rma-%s-%s", nm, cfg[1], cfg[2])]] <- list(
      call = scalar(sprintf('rma(yi, vi, mods = ~ sqrt(vi) [~ vi], method = "%s", test = "%s")', cfg[1], cfg[2])),
      model = scalar("rma"), method = scalar(cfg[1]), test = scalar(cfg[2]),
      yi = as.numeric(d$yi), vi = as.numeric(d$vi), pet = fits$sei, peese = fits$vi)
  }
  fits <- list()
  for (pr in c("sei", "vi")) {
    x <- if (pr == "sei") sqrt(d$vi) else d$vi
    f <- lm(d$yi ~ x, weights = 1 / d$vi)
    cf <- summary(f)$coefficients
    ci <- confint(f)
    fits[[pr]] <- coef_row(cf[1, 1], cf[1, 2], cf[1, 3], cf[1, 4], ci[1, 1], ci[1, 2], f$df.residual)
  }
  cases[[sprintf("%s-lm", nm)]] <- list(
    call = scalar("lm(yi ~ sqrt(vi) [~ vi], weights = 1/vi)"), model = scalar("lm"),
    method = scalar("REML"), test = scalar("z"),
    yi = as.numeric(d$yi), vi = as.numeric(d$vi), pet = fits$sei, peese = fits$vi)
}
write_fixture(cases, file.path(REF_DIR, "pet_peese.json"),
              "PET and PEESE intercepts: metafor rma(mods = ~ sqrt(vi) / ~ vi) and base R lm(weights = 1/vi)")
