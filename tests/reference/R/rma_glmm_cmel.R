# Fixture: the conditional GLMM with the exact likelihood, metafor::rma.glmm(measure = "OR",
# model = "CM.EL"), equal-effects (EE) and random-effects (ML), on the tables of rma_glmm.R
# (dat.bcg, metadat::dat.nielweise2007, and the generated table with zero cells).
#
# metafor maximises the likelihood with nlminb, integrates over the random effect with
# integrate() and takes standard errors from numDeriv's Hessian; its SEs move in the 4th
# digit between optimizers (dat.bcg ML: 0.1800768 with BFGS, 0.1800717 with nlm), so beside
# metafor's values ("metafor", default control with integrate(rel.tol = 1e-10)) the script
# computes the same model independently ("polished"): the non-central hypergeometric
# log-probability from lchoose() (checked against BiasedUrn::dFNCHypergeo), the marginal
# likelihood by integrate(rel.tol = 1e-12) over N(0, 1), nlminb(rel.tol = 1e-15) started at
# metafor's solution, SEs from numDeriv's Richardson Hessian; and the saturated model (each
# study's conditional MLE by uniroot, its information from the hypergeometric variance), whose
# likelihood-ratio and Wald statistics are computed from it. The log-likelihood of this
# independent code at metafor's own solution is recorded too ("loglik_at_metafor"), to show it
# is the model metafor fits.
#
# Writes tests/reference/rma_glmm_cmel.json. Needs BiasedUrn (Debian r-cran-biasedurn),
# metadat and numDeriv.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"

cmel_tables <- function() {
  out <- list()
  add <- function(id, ai, bi, ci, di) out[[id]] <<- list(ai = as.numeric(ai), bi = as.numeric(bi),
                                                          ci = as.numeric(ci), di = as.numeric(di))
  bcg <- read_metadat("dat.bcg")
  add("bcg", bcg$tpos, bcg$tneg, bcg$cpos, bcg$cneg)
  niel <- metadat::dat.nielweise2007
  add("nielweise2007", niel$ai, niel$n1i - niel$ai, niel$ci, niel$n2i - niel$ci)
  add("zero-cells", c(0, 3, 0, 5, 2, 12, 1, 4), c(20, 17, 15, 25, 30, 0, 39, 36),
      c(2, 5, 0, 4, 0, 10, 6, 9), c(18, 15, 15, 26, 32, 0, 34, 31))
  out
}

# log P(x | t; psi) of Fisher's non-central hypergeometric distribution, psi = exp(eta)
lfnch <- function(x, n1, n2, t, eta) {
  u <- max(0, t - n2):min(n1, t)
  s <- lchoose(n1, u) + lchoose(n2, t - u) + u * eta
  m <- max(s)
  lchoose(n1, x) + lchoose(n2, t - x) + x * eta - (m + log(sum(exp(s - m))))
}
fnch_var <- function(n1, n2, t, eta) {
  u <- max(0, t - n2):min(n1, t)
  s <- lchoose(n1, u) + lchoose(n2, t - u) + u * eta
  p <- exp(s - max(s)); p <- p / sum(p)
  sum(p * u^2) - sum(p * u)^2
}

cmel_independent <- function(t, res_ee, res_ml) {
  keep <- !((t$ai == 0 & t$ci == 0) | (t$bi == 0 & t$di == 0))
  x <- t$ai[keep]; n1 <- (t$ai + t$bi)[keep]; n2 <- (t$ci + t$di)[keep]; tt <- (t$ai + t$ci)[keep]
  k <- length(x)
  ll_ee <- function(beta) sum(sapply(1:k, function(i) lfnch(x[i], n1[i], n2[i], tt[i], beta)))
  ll_ml <- function(p) {
    sum(sapply(1:k, function(i) {
      f <- function(z) sapply(z, function(zz) exp(lfnch(x[i], n1[i], n2[i], tt[i], p[1] + p[2] * zz))) * dnorm(z)
      log(integrate(f, -Inf, Inf, rel.tol = 1e-12, subdivisions = 2000)$value)
    }))
  }
  oe <- nlminb(as.numeric(res_ee$beta), function(b) -ll_ee(b), control = list(rel.tol = 1e-15, x.tol = 1e-14))
  se_ee <- sqrt(1 / -numDeriv::hessian(ll_ee, oe$par)[1, 1])
  om <- nlminb(c(as.numeric(res_ml$beta), sqrt(res_ml$tau2)), function(p) -ll_ml(p),
               lower = c(-Inf, 0), control = list(rel.tol = 1e-15, x.tol = 1e-14, iter.max = 1e4, eval.max = 1e4))
  H <- numDeriv::hessian(ll_ml, om$par)
  se_ml <- sqrt(solve(-H)[1, 1])
  # saturated: every study its own conditional MLE (infinite at an end of the support: P = 1)
  lo <- pmax(0, tt - n2); hi <- pmin(n1, tt)
  inner <- x > lo & x < hi
  eta <- rep(NA_real_, k)
  for (i in which(inner))
    eta[i] <- uniroot(function(e) {
      u <- lo[i]:hi[i]; s <- lchoose(n1[i], u) + lchoose(n2[i], tt[i] - u) + u * e
      p <- exp(s - max(s)); sum(p * u) / sum(p) - x[i]
    }, c(-30, 30), tol = 1e-14)$root
  ll_sat <- sum(sapply(which(inner), function(i) lfnch(x[i], n1[i], n2[i], tt[i], eta[i])))
  w <- sapply(which(inner), function(i) fnch_var(n1[i], n2[i], tt[i], eta[i]))
  y <- eta[inner]
  list(ee_estimate = scalar(oe$par), ee_se = scalar(se_ee), ee_loglik = scalar(-oe$objective),
       estimate = scalar(om$par[1]), se = scalar(se_ml), tau2 = scalar(om$par[2]^2),
       loglik = scalar(-om$objective), loglik_saturated = scalar(ll_sat),
       lrt = scalar(2 * (ll_sat + oe$objective)), wald = scalar(sum(w * (y - sum(w * y) / sum(w))^2)),
       loglik_at_metafor = scalar(ll_ml(c(as.numeric(res_ml$beta), sqrt(res_ml$tau2)))),
       biasedurn_check = scalar(log(BiasedUrn::dFNCHypergeo(x[1], n1[1], n2[1], tt[1], exp(0.3), precision = 1e-15))
                                - lfnch(x[1], n1[1], n2[1], tt[1], 0.3)))
}

write_cmel_fixture <- function() {
  cases <- list()
  ctl <- list(intCtrl = list(rel.tol = 1e-10, subdivisions = 1000))
  for (id in names(cmel_tables())) {
    t <- cmel_tables()[[id]]
    # metafor's default optimizer (nlminb) fails on some tables ("did not achieve
    # convergence"); then BFGS (optim), as metafor's documentation suggests
    fit1 <- function(m, ctl) suppressWarnings(
      rma.glmm(measure = "OR", ai = t$ai, bi = t$bi, ci = t$ci, di = t$di, model = "CM.EL", method = m, control = ctl))
    fits <- lapply(c(EE = "EE", ML = "ML"), function(m) tryCatch(
      { r <- fit1(m, ctl); r$optimizer_used <- "nlminb"; r },
      error = function(e) { r <- fit1(m, c(ctl, list(optimizer = "BFGS"))); r$optimizer_used <- "BFGS"; r }))
    ind <- cmel_independent(t, fits$EE, fits$ML)
    for (m in c("EE", "ML")) {
      r <- fits[[m]]
      cases[[paste(id, "CM.EL", m, sep = "-")]] <- list(
        dataset = scalar(id), method = scalar(m),
        call = scalar(sprintf('rma.glmm(measure="OR", ai, bi, ci, di, model="CM.EL", method="%s", control=list(intCtrl=list(rel.tol=1e-10)))', m)),
        ai = t$ai, bi = t$bi, ci = t$ci, di = t$di,
        metafor = list(optimizer = scalar(r$optimizer_used), k = scalar(r$k), estimate = scalar(as.numeric(r$beta)), se = scalar(as.numeric(r$se)),
                       tau2 = scalar(as.numeric(r$tau2)), QE_Wld = scalar(as.numeric(r$QE.Wld)),
                       QE_LRT = scalar(as.numeric(r$QE.LRT)), QE_df = scalar(as.numeric(r$QE.df)),
                       I2 = scalar(as.numeric(r$I2)), H2 = scalar(as.numeric(r$H2)),
                       logLik = scalar(as.numeric(logLik(r)))),
        independent = ind)
    }
  }
  write_fixture(cases, file.path(REF_DIR, "rma_glmm_cmel.json"),
                "metafor::rma.glmm(measure='OR', model='CM.EL') (EE, ML) and an independent computation of the same model")
}
write_cmel_fixture()
