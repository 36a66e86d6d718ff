# Fixture: metafor::selmodel() -- selection models (Vevea & Hedges 1995; Citkowicz & Vevea 2017;
# Preston et al. 2004): the step function with user cut-points and the beta, half-normal,
# negative-exponential, logistic and power selection functions, fitted by ML.
#
# Writes tests/reference/selmodel.json. Step functions: optim BFGS at reltol = 1e-10 (closed-
# form likelihood). Parametric models: integrate() at its default rel.tol (eps^0.25 = 1.2e-4)
# makes the log-likelihood noisy at ~1e-5, so BFGS stops up to 1e-3 (relative) away from the
# maximum and the numerical Hessian is off by up to 6%; the parametric cases therefore run
# with intCtrl rel.tol = 1e-10 (1000 subdivisions) and reltol = 1e-12, and the beta model
# (whose BFGS fails at that precision) with Nelder-Mead. The standard errors come from
# metafor's numDeriv Hessian (Richardson extrapolation, r = 6).

hack <- read_metadat("dat.hackshaw1998")
hack$yi <- log(hack$or)
hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)

ctrl <- list(reltol = 1e-10, maxit = 10000)
int_ctrl <- list(rel.tol = 1e-10, subdivisions = 1000L)
ctrl_param <- list(reltol = 1e-12, maxit = 10000, intCtrl = int_ctrl)
ctrl_beta <- list(optimizer = "Nelder-Mead", reltol = 1e-12, maxit = 20000, intCtrl = int_ctrl)

sel_case <- function(d, call, method, type, alternative = "greater", steps = NULL, delta = NULL,
                     prec = NULL) {
  res <- rma(yi, vi, data = d, method = method)
  control <- if (type == "stepfun") ctrl else if (type == "beta") ctrl_beta else ctrl_param
  args <- list(res, type = type, alternative = alternative, control = control)
  if (!is.null(steps)) args$steps <- steps
  if (!is.null(delta)) args$delta <- delta
  if (!is.null(prec)) args$prec <- prec
  s <- suppressWarnings(do.call(selmodel, args))
  ml <- rma(yi, vi, data = d, method = if (method == "EE") "EE" else "ML")
  list(call = scalar(call), yi = as.numeric(d$yi), vi = as.numeric(d$vi), method = scalar(method),
       type = scalar(type), alternative = scalar(alternative),
       steps = if (is.null(steps)) list() else as.numeric(steps),
       fixed_delta = if (is.null(delta)) list() else as.numeric(delta),
       prec = scalar(if (is.null(prec)) NA_character_ else prec),
       ni = if (is.null(attr(d$yi, "ni"))) list() else as.numeric(attr(d$yi, "ni")),
       beta = scalar(as.numeric(s$beta)), se = scalar(as.numeric(s$se)), zval = scalar(as.numeric(s$zval)),
       pval = scalar(as.numeric(s$pval)), ci_lb = scalar(as.numeric(s$ci.lb)), ci_ub = scalar(as.numeric(s$ci.ub)),
       tau2 = scalar(s$tau2), se_tau2 = scalar(if (is.null(s$se.tau2)) NA else s$se.tau2),
       delta = as.numeric(s$delta), se_delta = as.numeric(s$se.delta),
       ll = scalar(as.numeric(logLik(s))), ll_null = scalar(as.numeric(logLik(ml))),
       LRT = scalar(s$LRT), LRTdf = scalar(s$LRTdf), LRTp = scalar(s$LRTp))
}

cases <- list()
cases[["hackshaw-stepfun-4"]] <- sel_case(hack, 'selmodel(rma(yi, vi), type="stepfun", steps=c(.05,.10,.50,1))',
                                          "REML", "stepfun", steps = c(0.05, 0.10, 0.50, 1))
cases[["hackshaw-stepfun-3psm"]] <- sel_case(hack, 'selmodel(rma(yi, vi), type="stepfun", steps=.025)',
                                             "REML", "stepfun", steps = 0.025)
cases[["hackshaw-stepfun-EE"]] <- sel_case(hack, 'selmodel(rma(yi, vi, method="EE"), type="stepfun", steps=c(.025,.5))',
                                           "EE", "stepfun", steps = c(0.025, 0.5))
cases[["bcg-stepfun-less"]] <- sel_case(bcg, 'selmodel(rma(yi, vi), type="stepfun", alternative="less", steps=c(.025,.5))',
                                        "REML", "stepfun", alternative = "less", steps = c(0.025, 0.5))
cases[["hackshaw-stepfun-twosided"]] <- sel_case(hack, 'selmodel(rma(yi, vi), type="stepfun", alternative="two.sided", steps=c(.05,.5))',
                                                 "REML", "stepfun", alternative = "two.sided", steps = c(0.05, 0.5))
for (type in c("beta", "halfnorm", "negexp", "logistic", "power")) {
  cases[[paste0("hackshaw-", type)]] <- sel_case(hack, sprintf('selmodel(rma(yi, vi), type="%s")', type), "REML", type)
}
cases[["hackshaw-negexp-EE"]] <- sel_case(hack, 'selmodel(rma(yi, vi, method="EE"), type="negexp")', "EE", "negexp")
cases[["bcg-halfnorm-less"]] <- sel_case(bcg, 'selmodel(rma(yi, vi), type="halfnorm", alternative="less")',
                                         "REML", "halfnorm", alternative = "less")
cases[["hackshaw-negexp-twosided"]] <- sel_case(hack, 'selmodel(rma(yi, vi), type="negexp", alternative="two.sided")',
                                                "REML", "negexp", alternative = "two.sided")
cases[["hackshaw-halfnorm-steps"]] <- sel_case(hack, 'selmodel(rma(yi, vi), type="halfnorm", steps=.025)',
                                               "REML", "halfnorm", steps = 0.025)
cases[["hackshaw-power-steps-EE"]] <- sel_case(hack, 'selmodel(rma(yi, vi, method="EE"), type="power", steps=.05)',
                                               "EE", "power", steps = 0.05)
# delta= fixing: the fixed weights of Vevea & Woods (2005) for "moderate one-tailed selection"
# (their Table 1 steps and weights, as in metafor's selmodel documentation), a partly fixed
# step function, and a fixed half-normal (metafor cannot invert its Hessian there: SEs NA)
vw_steps <- c(.005, .01, .05, .10, .25, .35, .50, .65, .75, .90, .95, .99, .995, 1)
vw_delta <- c(1, .99, .95, .90, .80, .75, .65, .60, .55, .50, .50, .50, .50, .50)
cases[["hackshaw-stepfun-vevea-woods-moderate"]] <- sel_case(hack,
  'selmodel(rma(yi, vi), type="stepfun", steps=<Vevea-Woods>, delta=<moderate one-tailed>)',
  "REML", "stepfun", steps = vw_steps, delta = vw_delta)
cases[["hackshaw-stepfun-partly-fixed"]] <- sel_case(hack,
  'selmodel(rma(yi, vi), type="stepfun", steps=c(.025,.5), delta=c(1, NA, 0.5))',
  "REML", "stepfun", steps = c(0.025, 0.5), delta = c(1, NA, 0.5))
cases[["hackshaw-halfnorm-fixed"]] <- sel_case(hack, 'selmodel(rma(yi, vi), type="halfnorm", delta=2)',
                                               "REML", "halfnorm", delta = 2)
# prec=: selection on p-values and precision (Preston et al. 2004), each one-parameter
# function with standard errors and variances (hackshaw1998), sample sizes (bcg's escalc ni),
# and with a threshold; metafor 5.1-12 gives the same numbers to every printed digit
for (type in c("halfnorm", "negexp", "logistic", "power")) for (pr in c("sei", "vi")) {
  cases[[paste0("hackshaw-", type, "-prec-", pr)]] <- sel_case(hack,
    sprintf('selmodel(rma(yi, vi), type="%s", prec="%s")', type, pr), "REML", type, prec = pr)
}
cases[["hackshaw-negexp-prec-sei-steps"]] <- sel_case(hack,
  'selmodel(rma(yi, vi), type="negexp", prec="sei", steps=.05)', "REML", "negexp", steps = 0.05, prec = "sei")
cases[["bcg-halfnorm-less-prec-ninv"]] <- sel_case(bcg,
  'selmodel(rma(yi, vi), type="halfnorm", alternative="less", prec="ninv")', "REML", "halfnorm",
  alternative = "less", prec = "ninv")
cases[["bcg-negexp-less-prec-sqrtninv"]] <- sel_case(bcg,
  'selmodel(rma(yi, vi), type="negexp", alternative="less", prec="sqrtninv")', "REML", "negexp",
  alternative = "less", prec = "sqrtninv")
write_fixture(cases, file.path(REF_DIR, "selmodel.json"), "metafor::selmodel() selection models")
