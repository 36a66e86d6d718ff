# Fixtures for the L'Abbe, radial (Galbraith), normal Q-Q, tau^2 profile and drapery plots
# (metaevidence.plots.labbe / radial / qq / profile / drapery): every number each figure
# draws, from metafor's returned objects and, where metafor returns nothing, from what it
# draws (the plot's display list, recordPlot()).
#
#   labbe   metafor::labbe.rma: arm outcomes x (control), y (experimental), point sizes cex
#   radial  metafor::radial.rma: x = 1/sqrt(vi + tau2), y = yi/sqrt(vi + tau2) (with
#           center=TRUE: (yi - estimate)/sqrt(vi + tau2)), and the shaded +/- z region it
#           draws (polygon)
#   qq      metafor::qqnorm.rma.uni: the points (x, y) it returns, and the envelope lines it
#           draws with smooth = FALSE (a simulation: reps = 20000 and seed below; the tests
#           compare a seeded simulation of their own at a Monte Carlo tolerance)
#   profile metafor::profile.rma.uni: tau2 grid and (restricted) log-likelihood, default
#           limits (the Q-profile CI of tau^2) and given ones
#   drapery no metafor function: metafor 3.8 and 5.1-12 have none (the drapery plot is
#           meta::drapery, Rucker & Schwarzer 2021, Res Synth Methods 12:13-19). Built from
#           its definition: p(x) = 2 * (1 - F(|theta - x| / se)) for each study (normal), the
#           pooled estimate (normal, or t on the fit's df under knha) and the prediction
#           distribution (se^2 + tau^2, t on k - 2 df as the HTS prediction interval),
#           with metafor's fitted theta, se, tau2 and its CI bounds (where p = 1 - level).
#
# Writes tests/reference/diagnostic_plots.json. Runs under Debian's metafor 3.8-1; re-run under
# metafor 5.1-12 (R_LIBS=/tmp/rlib5) it gives the same numbers (no difference above 1e-9).

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

# everything drawn: points and lines (C_plotXY), ablines and polygons, in drawing order
drawn <- function() {
  out <- list()
  for (e in recordPlot()[[1]]) {
    nm <- e[[2]][[1]]$name
    if (identical(nm, "C_plotXY")) {
      xy <- e[[2]][[2]]
      if (!all(is.na(xy$x))) out[[length(out) + 1]] <- list(fun = scalar("lines"), type = scalar(e[[2]][[3]]), x = xy$x, y = xy$y)
    }
    if (identical(nm, "C_polygon")) out[[length(out) + 1]] <- list(fun = scalar("polygon"), x = e[[2]][[2]], y = e[[2]][[3]])
    if (identical(nm, "C_abline")) out[[length(out) + 1]] <- list(fun = scalar("abline"), a = scalar(e[[2]][[2]]), b = scalar(e[[2]][[3]]))
  }
  out
}
new_plot <- function() { pdf(NULL); dev.control("enable") }

bcg <- read_metadat("dat.bcg")
nor <- read_metadat("dat.normand1999")
cases <- list()

# --- L'Abbe --------------------------------------------------------------------------------
two_by_two <- function(d) list(ai = d$tpos, bi = d$tneg, ci = d$cpos, di = d$cneg)
labbe_case <- function(call_text, fit, data, measure) {
  new_plot(); l <- labbe(fit); dr <- drawn(); dev.off()
  list(kind = scalar("labbe"), call = scalar(call_text), measure = scalar(measure), data = data,
       method = scalar(fit$method), yi = as.numeric(fit$yi), vi = as.numeric(fit$vi),
       estimate = scalar(as.numeric(fit$b)), tau2 = scalar(fit$tau2),
       x = as.numeric(l$x), y = as.numeric(l$y), cex = as.numeric(l$cex), drawn = dr)
}
for (m in c("OR", "RR", "RD", "AS")) {
  fit <- rma(measure = m, ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg, control = ctrl)
  cases[[sprintf("labbe-bcg-%s-REML", m)]] <- labbe_case(
    sprintf("labbe(rma(measure='%s', ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg))", m), fit, two_by_two(bcg), m)
}
# zero cells: the first three BCG trials and a trial with no event in the experimental arm,
# and one with none in either (escalc's add = 1/2, to = "only0")
z <- data.frame(tpos = c(bcg$tpos[1:3], 0, 0), tneg = c(bcg$tneg[1:3], 40, 30),
                cpos = c(bcg$cpos[1:3], 5, 0), cneg = c(bcg$cneg[1:3], 35, 31))
fit <- rma(measure = "OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = z, method = "EE")
cases[["labbe-zero-OR-EE"]] <- labbe_case(
  "labbe(rma(measure='OR', ai, bi, ci, di, method='EE')) with a zero cell (BCG 1-3 + two synthetic trials)",
  fit, two_by_two(z), "OR")
# person-time (synthetic counts and person-years)
pt <- data.frame(x1i = c(12, 30, 7, 55), t1i = c(1000, 2500, 800, 4100),
                 x2i = c(20, 41, 9, 80), t2i = c(1050, 2400, 760, 4000))
for (m in c("IRR", "IRD")) {
  fit <- rma(measure = m, x1i = x1i, t1i = t1i, x2i = x2i, t2i = t2i, data = pt, control = ctrl)
  cases[[sprintf("labbe-pt-%s-REML", m)]] <- labbe_case(
    sprintf("labbe(rma(measure='%s', x1i, t1i, x2i, t2i)) on four synthetic person-time trials", m),
    fit, as.list(pt), m)
}

# --- radial -------------------------------------------------------------------------------
radial_case <- function(call_text, fit, center = FALSE) {
  new_plot(); r <- radial(fit, center = center); dr <- drawn(); dev.off()
  list(kind = scalar("radial"), call = scalar(call_text), method = scalar(fit$method), center = scalar(center),
       yi = as.numeric(fit$yi), vi = as.numeric(fit$vi), tau2 = scalar(fit$tau2),
       estimate = scalar(as.numeric(fit$b)), ci_lower = scalar(fit$ci.lb), ci_upper = scalar(fit$ci.ub),
       x = as.numeric(r$x), y = as.numeric(r$y), drawn = dr)
}
dat <- escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
for (m in c("REML", "EE", "DL")) {
  fit <- rma(yi, vi, data = dat, method = m, control = ctrl)
  cases[[sprintf("radial-bcg-OR-%s", m)]] <- radial_case(sprintf("radial(rma(yi, vi, data=dat.bcg OR, method='%s'))", m), fit)
  cases[[sprintf("radial-bcg-OR-%s-center", m)]] <- radial_case(
    sprintf("radial(rma(yi, vi, data=dat.bcg OR, method='%s'), center=TRUE)", m), fit, center = TRUE)
}

# --- normal Q-Q -----------------------------------------------------------------------------
qq_case <- function(call_text, fit, seed, reps = 20000, bonferroni = FALSE) {
  new_plot(); set.seed(seed)
  q <- qqnorm(fit, smooth = FALSE, reps = reps, bonferroni = bonferroni)
  dr <- drawn(); dev.off()
  env <- Filter(function(d) identical(unclass(d$type), "l"), dr)
  rs <- rstandard(fit)
  list(kind = scalar("qq"), call = scalar(call_text), method = scalar(fit$method),
       yi = as.numeric(fit$yi), vi = as.numeric(fit$vi), tau2 = scalar(fit$tau2),
       seed = scalar(seed), reps = scalar(reps), bonferroni = scalar(bonferroni), level = scalar(0.95),
       x = as.numeric(q$x), y = as.numeric(q$y), z = as.numeric(rs$z),
       envelope_x = env[[1]]$x, envelope_lower = env[[1]]$y, envelope_upper = env[[2]]$y)
}
for (m in c("REML", "EE")) {
  fit <- rma(yi, vi, data = dat, method = m, control = ctrl)
  cases[[sprintf("qq-bcg-OR-%s", m)]] <- qq_case(sprintf("qqnorm(rma(yi, vi, data=dat.bcg OR, method='%s'), smooth=FALSE, reps=20000)", m), fit, 20261203)
}
fit <- rma(yi, vi, data = dat, method = "REML", control = ctrl)
cases[["qq-bcg-OR-REML-bonferroni"]] <- qq_case(
  "qqnorm(rma(yi, vi, data=dat.bcg OR), smooth=FALSE, reps=20000, bonferroni=TRUE)", fit, 7, bonferroni = TRUE)
dn <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)
fit <- rma(yi, vi, data = dn, method = "DL")
cases[["qq-normand-MD-DL"]] <- qq_case("qqnorm(rma(yi, vi, data=dat.normand1999 MD, method='DL'), smooth=FALSE, reps=20000)", fit, 11)
reg <- rma(yi, vi, mods = ~ ablat, data = dat, method = "REML", control = ctrl)
cases[["qq-bcg-OR-REML-ablat"]] <- c(qq_case("qqnorm(rma(yi, vi, mods=~ablat, data=dat.bcg OR), smooth=FALSE, reps=20000)", reg, 13),
                                     list(ablat = as.numeric(bcg$ablat)))

# --- tau^2 profile ------------------------------------------------------------------------------
profile_case <- function(call_text, fit, xlim = NULL, steps = 20) {
  new_plot()
  p <- if (is.null(xlim)) profile(fit, steps = steps, progbar = FALSE) else profile(fit, xlim = xlim, steps = steps, progbar = FALSE)
  dev.off()
  list(kind = scalar("profile"), call = scalar(call_text), method = scalar(fit$method),
       yi = as.numeric(fit$yi), vi = as.numeric(fit$vi), tau2_hat = scalar(fit$tau2),
       loglik = scalar(as.numeric(logLik(fit))), steps = scalar(steps),
       xlim = as.numeric(p$xlim), tau2 = as.numeric(p$tau2), ll = as.numeric(p$ll),
       beta = as.numeric(p$beta[[1]]))
}
for (m in c("REML", "ML", "DL")) {
  fit <- rma(yi, vi, data = dat, method = m, control = ctrl)
  cases[[sprintf("profile-bcg-OR-%s", m)]] <- profile_case(sprintf("profile(rma(yi, vi, data=dat.bcg OR, method='%s'), steps=20)", m), fit)
}
fit <- rma(yi, vi, data = dat, method = "REML", control = ctrl)
cases[["profile-bcg-OR-REML-xlim"]] <- profile_case("profile(rma(yi, vi, data=dat.bcg OR), xlim=c(0, 2), steps=41)", fit, c(0, 2), 41)
fit <- rma(yi, vi, data = dn, method = "ML", control = ctrl)
cases[["profile-normand-MD-ML"]] <- profile_case("profile(rma(yi, vi, data=dat.normand1999 MD, method='ML'), steps=20)", fit)
cases[["profile-bcg-OR-REML-ablat"]] <- c(profile_case("profile(rma(yi, vi, mods=~ablat, data=dat.bcg OR), steps=20)", reg),
                                          list(ablat = as.numeric(bcg$ablat)))

# --- drapery (from the definition; see the header) ------------------------------------------------
drapery_case <- function(call_text, fit, x) {
  k <- fit$k
  crit_df <- if (fit$test %in% c("t", "knha")) fit$k - 1 else Inf  # metafor 3.8 stores "knha", 5.x "t"
  pfun <- function(theta, se, df) 2 * pt(-abs(theta - x) / se, df)
  study <- lapply(seq_len(k), function(i) pfun(fit$yi[i], sqrt(fit$vi[i]), Inf))
  pooled <- pfun(as.numeric(fit$b), fit$se, crit_df)
  pred_se <- sqrt(fit$se^2 + fit$tau2)
  pred <- pfun(as.numeric(fit$b), pred_se, k - 2)
  sm <- summary(escalc(yi = fit$yi, vi = fit$vi))
  list(kind = scalar("drapery"), call = scalar(call_text), method = scalar(fit$method), test = scalar(fit$test),
       yi = as.numeric(fit$yi), vi = as.numeric(fit$vi), estimate = scalar(as.numeric(fit$b)),
       se = scalar(fit$se), tau2 = scalar(fit$tau2), x = x,
       study_p = study, pooled_p = pooled, prediction_p = pred,
       study_ci_lower = as.numeric(sm$ci.lb), study_ci_upper = as.numeric(sm$ci.ub),
       ci_lower = scalar(fit$ci.lb), ci_upper = scalar(fit$ci.ub),
       hts_pi_lower = scalar(as.numeric(fit$b) - qt(0.975, k - 2) * pred_se),
       hts_pi_upper = scalar(as.numeric(fit$b) + qt(0.975, k - 2) * pred_se))
}
grid <- seq(-2.5, 1, by = 0.05)
fit <- rma(yi, vi, data = dat, method = "REML", control = ctrl)
cases[["drapery-bcg-OR-REML"]] <- drapery_case("rma(yi, vi, data=dat.bcg OR, method='REML'); p-value functions at x", fit, grid)
fit <- rma(yi, vi, data = dat, method = "REML", test = "knha", control = ctrl)
cases[["drapery-bcg-OR-REML-knha"]] <- drapery_case("rma(yi, vi, data=dat.bcg OR, method='REML', test='knha'); p-value functions at x", fit, grid)

write_fixture(cases, file.path(REF_DIR, "diagnostic_plots.json"),
              "Numbers drawn by metafor's labbe, radial, qqnorm and profile (and the drapery plot's p-value functions from their definition)")
