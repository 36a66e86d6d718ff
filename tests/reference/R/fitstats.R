# Fixture: metafor's fit statistics (logLik, deviance, AIC, BIC, AICc via fitstats()) and
# likelihood-ratio tests between nested models (anova(full, reduced)).
#
# Writes tests/reference/fitstats.json. Each fit stores its yi, vi (escalc), the moderator
# column (or none) and the method; REML/ML fits use tightened convergence
# (threshold 1e-10) so the likelihoods reflect the converged tau^2.

bcg <- read_metadat("dat.bcg")
bcg_es <- escalc(measure = "RR", ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg)
normand <- read_metadat("dat.normand1999")
norm_es <- escalc(measure = "MD", m1i = normand$m1i, sd1i = normand$sd1i, n1i = normand$n1i,
                  m2i = normand$m2i, sd2i = normand$sd2i, n2i = normand$n2i)
data_sets <- list(
  "bcg-RR" = list(yi = as.numeric(bcg_es$yi), vi = as.numeric(bcg_es$vi), mod = as.numeric(bcg$ablat)),
  "normand1999-MD" = list(yi = as.numeric(norm_es$yi), vi = as.numeric(norm_es$vi), mod = as.numeric(normand$n1i))
)
ctrl <- list(threshold = 1e-10, maxiter = 1000)

fit_one <- function(d, method, mods) {
  if (mods) rma(d$yi, d$vi, mods = ~ d$mod, method = method, control = ctrl)
  else rma(d$yi, d$vi, method = method, control = ctrl)
}
stats_of <- function(res) {
  fs <- fitstats(res)
  list(loglik = scalar(fs[1, 1]), deviance = scalar(fs[2, 1]), aic = scalar(fs[3, 1]),
       bic = scalar(fs[4, 1]), aicc = scalar(fs[5, 1]), tau2 = scalar(res$tau2))
}

cases <- list()
for (id in names(data_sets)) {
  d <- data_sets[[id]]
  for (method in c("ML", "REML", "EE", "DL")) for (mods in c(FALSE, TRUE)) {
    res <- fit_one(d, method, mods)
    cases[[sprintf("%s-%s%s", id, method, if (mods) "-mods" else "")]] <- c(list(
      kind = scalar("fitstats"), dataset = scalar(id), method = scalar(method), mods = scalar(mods),
      call = scalar(sprintf("fitstats(rma(yi, vi%s, method=\"%s\"))", if (mods) ", mods=~mod" else "", method)),
      yi = d$yi, vi = d$vi, mod = d$mod), stats_of(res))
  }
  # LRTs: moderator (ML, same random part), heterogeneity (REML and ML vs EE)
  for (pair in list(c("ML", "ML", "TRUE", "FALSE"), c("REML", "EE", "FALSE", "FALSE"),
                    c("ML", "EE", "FALSE", "FALSE"), c("ML", "EE", "TRUE", "TRUE"))) {
    full <- fit_one(d, pair[1], as.logical(pair[3]))
    reduced <- fit_one(d, pair[2], as.logical(pair[4]))
    a <- anova(full, reduced)
    cases[[sprintf("%s-anova-%s%s-vs-%s%s", id, pair[1], if (pair[3] == "TRUE") "-mods" else "",
                   pair[2], if (pair[4] == "TRUE") "-mods" else "")]] <- list(
      kind = scalar("anova"), dataset = scalar(id),
      full = list(method = scalar(pair[1]), mods = scalar(as.logical(pair[3]))),
      reduced = list(method = scalar(pair[2]), mods = scalar(as.logical(pair[4]))),
      call = scalar("anova(full, reduced)"),
      yi = d$yi, vi = d$vi, mod = d$mod,
      lrt = scalar(a$LRT), pval = scalar(a$pval), df_full = scalar(a$parms.f), df_reduced = scalar(a$parms.r),
      loglik_full = scalar(a$fit.stats.f[["ll"]]), loglik_reduced = scalar(a$fit.stats.r[["ll"]]))
  }
}

write_fixture(cases, file.path(REF_DIR, "fitstats.json"),
              "metafor fitstats() (logLik, deviance, AIC, BIC, AICc) and anova(full, reduced) LRTs")

# ------------------------------------------------------------------ profile-likelihood CIs
# confint(res, type="PL") with a tight uniroot tolerance; a homogeneous set (normand1999
# studies 5-9, tau^2 = 0) gives a lower bound of 0.
pl_cases <- list()
homog <- list(yi = c(0.10, 0.12, 0.08, 0.11, 0.09), vi = c(0.04, 0.05, 0.03, 0.06, 0.04), mod = c(1, 2, 3, 4, 5))
pl_sets <- c(data_sets, list(homog = homog))
for (id in names(pl_sets)) for (method in c("REML", "ML")) for (mods in c(FALSE, TRUE)) {
  if (id == "homog" && mods) next
  d <- pl_sets[[id]]
  res <- fit_one(d, method, mods)
  ci <- confint(res, type = "PL", control = list(tol = 1e-12))
  pl_cases[[sprintf("%s-%s%s", id, method, if (mods) "-mods" else "")]] <- list(
    dataset = scalar(id), method = scalar(method), mods = scalar(mods),
    call = scalar(sprintf("confint(rma(yi, vi%s, method=\"%s\"), type=\"PL\")", if (mods) ", mods=~mod" else "", method)),
    yi = d$yi, vi = d$vi, mod = d$mod,
    estimate = as.numeric(ci$random[, "estimate"]), lower = as.numeric(ci$random[, "ci.lb"]),
    upper = as.numeric(ci$random[, "ci.ub"]))
}
write_fixture(pl_cases, file.path(REF_DIR, "profile_likelihood.json"),
              "metafor confint(type=\"PL\") profile-likelihood intervals for tau^2, tau, I^2, H^2 (rows in that order)")
