# Fixtures for GLMMs of 2x2 tables: metafor::rma.glmm(measure="OR") with the unconditional
# models (fixed study effects UM.FS, random study effects UM.RS) and the conditional models
# (approximate likelihood CM.AL; not CM.EL, the exact likelihood, which metaevidence does
# not implement), each as the equal-effects (method="EE") and the
# random-effects (method="ML") model, on dat.bcg, dat.nielweise2007 (rare events, zero cells and
# one double-zero study, from the metadat package) and a generated table with zero cells and
# double-zero / all-event studies.
#
# metafor fits the ML models with lme4::glmer (adaptive Gauss-Hermite quadrature, nAGQ = 7;
# the Laplace approximation, nAGQ = 1, for UM.RS). glmer's default optimizers stop ~1e-5
# relative from the optimum, so the fixtures are made with a tightened optimizer
# (glmerCtrl: bobyqa with rhoend = 1e-12) and record the values under metafor's default
# control beside them ("default_control"). Even the tightened bobyqa stops short (on dat.bcg
# UM.FS its deviance is 2.3e-9 above the optimum) and lme4's vcov() takes the fixed effects'
# SEs from a plain central-difference Hessian (step 1e-4) of the deviance, off by up to
# ~4e-5 relative. So for each ML fit the script also rebuilds the same glmer model (the
# formula metafor uses, checked against metafor's estimates), gets lme4's own deviance
# function (devFunOnly = TRUE), minimises it further with nlminb (rel.tol = 1e-15) from
# glmer's solution, and takes the SE from numDeriv's Richardson-extrapolated Hessian there
# ("polished"): that is the converged value of the model metafor fits, computed by lme4.
#
# Writes tests/reference/rma_glmm.json. Inputs (ai, bi, ci, di) are stored in each case.
# Needs lme4 (Debian r-cran-lme4, 1.1-31 here) and numDeriv.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
suppressPackageStartupMessages(library(lme4))

tables <- list()
add_tab <- function(id, ai, bi, ci, di, labels) {
  tables[[id]] <<- list(ai = as.numeric(ai), bi = as.numeric(bi), ci = as.numeric(ci),
                        di = as.numeric(di), labels = as.character(labels))
}
bcg <- read_metadat("dat.bcg")
add_tab("bcg", bcg$tpos, bcg$tneg, bcg$cpos, bcg$cneg, bcg$author)
niel <- metadat::dat.nielweise2007
add_tab("nielweise2007", niel$ai, niel$n1i - niel$ai, niel$ci, niel$n2i - niel$ci, niel$author)
add_tab("zero-cells", c(0, 3, 0, 5, 2, 12, 1, 4), c(20, 17, 15, 25, 30, 0, 39, 36),
        c(2, 5, 0, 4, 0, 10, 6, 9), c(18, 15, 15, 26, 32, 0, 34, 31), paste0("t", 1:8))

tight <- list(glmerCtrl = list(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e6)))

# The glmer model of each rma.glmm(model=, method="ML") fit, on long-format data, and its
# polished optimum: list(estimate, se, tau2, sigma2, deviance_drop).
polish <- function(t, model, res) {
  keep <- !((t$ai == 0 & t$ci == 0) | (t$bi == 0 & t$di == 0))   # drop00 = TRUE
  ai <- t$ai[keep]; bi <- t$bi[keep]; ci <- t$ci[keep]; di <- t$di[keep]; k <- length(ai)
  ctl <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e6))
  if (model == "CM.AL") {
    dd <- data.frame(xi = ai, mi = ci, off = log((ai + bi) / (ci + di)), study = factor(1:k))
    f <- cbind(xi, mi) ~ 1 + offset(off) + (1 | study); nagq <- 7
  } else {
    dd <- data.frame(xi = c(rbind(ai, ci)), mi = c(rbind(bi, di)), group1 = rep(c(1, 0), k),
                     group12 = rep(c(1/2, -1/2), k), study = factor(rep(1:k, each = 2)))
    if (model == "UM.FS") {
      f <- cbind(xi, mi) ~ -1 + group1 + study + (group12 - 1 | study); nagq <- 7
    } else {
      f <- cbind(xi, mi) ~ 1 + group1 + (1 | study) + (group12 - 1 | study); nagq <- 1
    }
  }
  g <- suppressWarnings(glmer(f, data = dd, family = binomial, nAGQ = nagq, control = ctl))
  dev <- suppressWarnings(glmer(f, data = dd, family = binomial, nAGQ = nagq, devFunOnly = TRUE))
  nth <- length(getME(g, "theta"))
  p0 <- c(getME(g, "theta"), fixef(g))
  o <- nlminb(p0, dev, lower = c(rep(0, nth), rep(-Inf, length(p0) - nth)),
              control = list(rel.tol = 1e-15, x.tol = 1e-12, iter.max = 1e4, eval.max = 1e4))
  p <- o$par
  b <- if (model == "UM.RS") nth + 2 else nth + 1      # position of the log odds ratio
  free <- c(p[1:nth] > 0, rep(TRUE, length(p) - nth))
  H <- numDeriv::hessian(function(v) { w <- p; w[free] <- v; dev(w) }, p[free])
  V <- solve(H / 2)
  list(estimate = scalar(p[b]), se = scalar(sqrt(V[sum(free[1:b]), sum(free[1:b])])),
       tau2 = scalar(p[nth]^2), sigma2 = scalar(if (model == "UM.RS") p[1]^2 else NA_real_),
       glmer_estimate = scalar(fixef(g)[b - nth]), deviance_drop = scalar(dev(p0) - o$objective))
}

fit <- function(t, model, method, control) {
  if (missing(control))
    suppressWarnings(rma.glmm(measure = "OR", ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
                              model = model, method = method))
  else
    suppressWarnings(rma.glmm(measure = "OR", ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
                              model = model, method = method, control = control))
}

num <- function(x) if (is.null(x)) NA_real_ else as.numeric(x)

cases <- list()
one <- function(id, model, method) {
  t <- tables[[id]]
  res <- fit(t, model, method, tight)
  fs <- res$fit.stats
  case <- list(
    dataset = scalar(id), model = scalar(model), method = scalar(method),
    call = scalar(sprintf('rma.glmm(measure="OR", ai, bi, ci, di, model="%s", method="%s", control=<tight>)',
                          model, method)),
    ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, labels = t$labels,
    k = scalar(res$k), estimate = scalar(num(res$beta)), se = scalar(num(res$se)),
    zval = scalar(num(res$zval)), pval = scalar(num(res$pval)),
    ci_lb = scalar(num(res$ci.lb)), ci_ub = scalar(num(res$ci.ub)),
    tau2 = scalar(num(res$tau2)), sigma2 = scalar(num(res$sigma2)),
    QE_Wld = scalar(num(res$QE.Wld)), QEp_Wld = scalar(num(res$QEp.Wld)),
    QE_LRT = scalar(num(res$QE.LRT)), QEp_LRT = scalar(num(res$QEp.LRT)),
    QE_df = scalar(num(res$QE.df)), I2 = scalar(num(res$I2)), H2 = scalar(num(res$H2)),
    logLik = scalar(num(fs["ll", "ML"])), deviance = scalar(num(fs["dev", "ML"])),
    AIC = scalar(num(fs["AIC", "ML"])), BIC = scalar(num(fs["BIC", "ML"])),
    AICc = scalar(num(fs["AICc", "ML"])),
    yi = as.numeric(res$yi), vi = as.numeric(res$vi)
  )
  if (method == "ML") {
    d <- fit(t, model, method)
    case$default_control <- list(estimate = scalar(num(d$beta)), se = scalar(num(d$se)),
                                 tau2 = scalar(num(d$tau2)))
    case$polished <- polish(t, model, res)
  }
  cases[[paste(id, model, method, sep = "-")]] <<- case
}

for (id in names(tables))
  for (model in c("UM.FS", "UM.RS", "CM.AL"))
    for (method in c("EE", "ML")) one(id, model, method)

write_fixture(cases, file.path(REF_DIR, "rma_glmm.json"),
              "metafor::rma.glmm(measure='OR') GLMMs (UM.FS, UM.RS, CM.AL) x (EE, ML), tightened optimizer control; ML fits also polished")
