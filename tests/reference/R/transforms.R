# Presentation transforms: results pooled on the analysis scale and shown back-transformed,
# as metafor's transf = argument gives them.
#
#   correlations: escalc("ZCOR") -> rma -> predict(res, transf = transf.ztor)   (r = tanh z)
#   proportions:  escalc("PLO")  -> rma -> predict(res, transf = transf.ilogit) (p = expit)
#                 escalc("PLN")  -> rma -> predict(res, transf = exp)
#
# Each case records the analysis-scale fit (so the tests first check that the fit is
# metafor's), the back-transformed pooled estimate, CI and PI (predict), the per-study
# back-transformed estimates and Wald CIs (summary(escalc(...), transf = ...)), and the
# back-transformed leave-one-out estimates and CIs (leave1out(res, transf = ...)).
# Subgroup cases hold per-subgroup fits with predict(transf = ...).
# Writes tests/reference/transforms.json.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

molloy <- read_metadat("dat.molloy2014")
molloy$label <- paste(molloy$authors, molloy$year)
molloy <- escalc("ZCOR", ri = ri, ni = ni, data = molloy)
pritz <- read_metadat("dat.pritz1997")
pritz_plo <- escalc("PLO", xi = xi, ni = ni, data = pritz)
pritz_pln <- escalc("PLN", xi = xi, ni = ni, data = pritz)

transfs <- list(ztor = transf.ztor, ilogit = transf.ilogit, exp = exp)

pooled <- function(fit, tf) {
  pr <- predict(fit, transf = tf)
  list(estimate = scalar(as.vector(fit$beta)), se = scalar(fit$se), ci_lower = scalar(fit$ci.lb),
       ci_upper = scalar(fit$ci.ub), tau2 = scalar(fit$tau2), k = scalar(fit$k),
       pred = scalar(pr$pred), ci_lb = scalar(pr$ci.lb), ci_ub = scalar(pr$ci.ub),
       pi_lb = scalar(if (is.null(pr$pi.lb)) NA_real_ else pr$pi.lb),
       pi_ub = scalar(if (is.null(pr$pi.ub)) NA_real_ else pr$pi.ub))
}

cases <- list()
fit_case <- function(id, measure, dat, data_cols, labels, method, test, tname, call) {
  tf <- transfs[[tname]]
  fit <- rma(yi, vi, data = dat, method = method, test = test, control = ctrl)
  sm <- summary(dat, transf = tf)  # yi and yi -/+ qnorm(0.975) sqrt(vi), back-transformed
  l1o <- leave1out(fit, transf = tf)
  cases[[id]] <<- c(
    list(call = scalar(call), measure = scalar(measure), method = scalar(method),
         test = scalar(test), transf = scalar(tname), labels = labels, data = data_cols,
         yi = as.numeric(dat$yi), vi = as.numeric(dat$vi),
         study_estimate = as.numeric(sm$yi), study_ci_lower = as.numeric(sm$ci.lb),
         study_ci_upper = as.numeric(sm$ci.ub)),
    pooled(fit, tf),
    list(l1o_estimate = as.numeric(l1o$estimate), l1o_ci_lower = as.numeric(l1o$ci.lb),
         l1o_ci_upper = as.numeric(l1o$ci.ub)))
}

molloy_cols <- list(ri = molloy$ri, ni = molloy$ni)
pritz_cols <- list(xi = pritz$xi, ni = pritz$ni)

fit_case("molloy2014-ZCOR-REML-z", "ZCOR", molloy, molloy_cols, molloy$label, "REML", "z", "ztor",
         "predict(rma(yi, vi, data = escalc('ZCOR', ri = ri, ni = ni, data = dat.molloy2014), method = 'REML', control = ctrl), transf = transf.ztor)")
fit_case("molloy2014-ZCOR-DL-knha", "ZCOR", molloy, molloy_cols, molloy$label, "DL", "knha", "ztor",
         "predict(rma(yi, vi, data = escalc('ZCOR', ri = ri, ni = ni, data = dat.molloy2014), method = 'DL', test = 'knha'), transf = transf.ztor)")
fit_case("pritz1997-PLO-REML-z", "PLO", pritz_plo, pritz_cols, pritz$authors, "REML", "z", "ilogit",
         "predict(rma(yi, vi, data = escalc('PLO', xi = xi, ni = ni, data = dat.pritz1997), method = 'REML', control = ctrl), transf = transf.ilogit)")
fit_case("pritz1997-PLO-EE-z", "PLO", pritz_plo, pritz_cols, pritz$authors, "EE", "z", "ilogit",
         "predict(rma(yi, vi, data = escalc('PLO', xi = xi, ni = ni, data = dat.pritz1997), method = 'EE'), transf = transf.ilogit)")
fit_case("pritz1997-PLN-REML-z", "PLN", pritz_pln, pritz_cols, pritz$authors, "REML", "z", "exp",
         "predict(rma(yi, vi, data = escalc('PLN', xi = xi, ni = ni, data = dat.pritz1997), method = 'REML', control = ctrl), transf = exp)")

# subgroups: separate REML fits per study design, each shown as r
sub_fits <- lapply(sort(unique(molloy$design)), function(g) {
  fit <- rma(yi, vi, data = molloy, subset = design == g, method = "REML", control = ctrl)
  c(list(group = scalar(g)), pooled(fit, transf.ztor))
})
cases[["molloy2014-ZCOR-REML-design"]] <- list(
  call = scalar("predict(rma(yi, vi, data = <ZCOR molloy2014>, subset = design == g, method = 'REML', control = ctrl), transf = transf.ztor) for each design g"),
  measure = scalar("ZCOR"), method = scalar("REML"), test = scalar("z"), transf = scalar("ztor"),
  labels = molloy$label, data = molloy_cols, groups = molloy$design,
  yi = as.numeric(molloy$yi), vi = as.numeric(molloy$vi), subgroups = sub_fits)

write_fixture(cases, file.path("tests", "reference", "transforms.json"),
              "Back-transformed pooled and per-study results (transf.ztor, transf.ilogit, exp) of metafor fits")
