# Small-study effect fixtures: regtest (Egger-type tests with every predictor and both
# model types), ranktest (Begg & Mazumdar), trimfill (L0/R0, side chosen and forced),
# fsn (Rosenthal, Orwin, Rosenberg) and Peters' test (weighted lm on 1/n with
# Peters et al. 2006 weights, computed with base R's lm).
# Writes tests/reference/bias.json.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)


bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
bcg$ni <- with(bcg, tpos + tneg + cpos + cneg)
hack <- read_metadat("dat.hackshaw1998")
hack$yi <- log(hack$or)
hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
binary <- list()
for (nm in c("egger2001", "li2007", "lau1992")) {
  d <- read_metadat(paste0("dat.", nm))
  d <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  d$ni <- d$n1i + d$n2i
  binary[[nm]] <- d
}
hb <- read_metadat("dat.hartmannboyce2018")
hb <- escalc("RR", ai = x.nrt, n1i = n.nrt, ci = x.ctrl, n2i = n.ctrl, data = hb)
hb <- hb[is.finite(hb$yi) & is.finite(hb$vi), ]
datasets <- c(list(bcg = bcg, hackshaw1998 = hack), binary)

fit_summary <- function(res) list(
  beta = as.vector(res$beta), se = as.vector(res$se), ci_lb = as.vector(res$ci.lb),
  ci_ub = as.vector(res$ci.ub), pval = as.vector(res$pval), tau2 = scalar(res$tau2),
  k = scalar(res$k), QE = scalar(res$QE), I2 = scalar(res$I2))

cases <- list()

# --- regtest ------------------------------------------------------------------------
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  has_ni <- !is.null(d$ni)
  for (method in c("REML", "DL", "EE")) for (test in c("z", "knha")) {
    if (method == "EE" && test == "knha") next
    res <- rma(yi, vi, data = d, method = method, test = test, control = ctrl)
    preds <- if (has_ni) c("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv") else c("sei", "vi")
    for (pr in preds) for (model in c("rma", "lm")) {
      if (model == "lm" && (method != "REML" || test != "z")) next
      rt <- if (has_ni) regtest(res, model = model, predictor = pr, ni = d$ni, ret.fit = TRUE)
            else regtest(res, model = model, predictor = pr, ret.fit = TRUE)
      id <- sprintf("regtest-%s-%s-%s-%s-%s", nm, method, test, model, pr)
      cases[[id]] <- list(
        call = scalar(sprintf('regtest(rma(yi, vi, data = %s, method = "%s", test = "%s"), model = "%s", predictor = "%s")',
                              nm, method, test, model, pr)),
        kind = scalar("regtest"), data = scalar(nm), method = scalar(method), test = scalar(test),
        model = scalar(model), predictor = scalar(pr),
        yi = as.vector(d$yi), vi = as.vector(d$vi), ni = if (has_ni) as.numeric(d$ni) else NULL,
        zval = scalar(rt$zval), pval = scalar(rt$pval),
        dfs = scalar(if (is.null(rt$dfs)) NA_real_ else rt$dfs),
        est = scalar(if (is.null(rt$est)) NA_real_ else rt$est),
        ci_lb = scalar(if (is.null(rt$ci.lb)) NA_real_ else rt$ci.lb),
        ci_ub = scalar(if (is.null(rt$ci.ub)) NA_real_ else rt$ci.ub),
        fit_beta = as.vector(coef(rt$fit)), fit_tau2 = scalar(if (model == "rma") rt$fit$tau2 else NA_real_))
    }
  }
}
# regtest after a moderator already in the model (bcg ~ ablat)
res <- rma(yi, vi, mods = ~ ablat, data = bcg, control = ctrl)
rt <- regtest(res, ret.fit = TRUE)
cases[["regtest-bcg-ablat-REML-z-rma-sei"]] <- list(
  call = scalar('regtest(rma(yi, vi, mods = ~ ablat, data = bcg))'), kind = scalar("regtest"),
  data = scalar("bcg"), method = scalar("REML"), test = scalar("z"), model = scalar("rma"),
  predictor = scalar("sei"), yi = as.vector(bcg$yi), vi = as.vector(bcg$vi), ablat = bcg$ablat,
  zval = scalar(rt$zval), pval = scalar(rt$pval), dfs = scalar(NA_real_),
  est = scalar(NA_real_), ci_lb = scalar(NA_real_), ci_ub = scalar(NA_real_),
  fit_beta = as.vector(coef(rt$fit)), fit_tau2 = scalar(rt$fit$tau2))

# --- ranktest -----------------------------------------------------------------------
rank_case <- function(id, yi, vi, note) {
  yi <- as.vector(yi); vi <- as.vector(vi)
  rt <- suppressWarnings(ranktest(yi, vi))
  cases[[id]] <<- list(call = scalar(sprintf("ranktest(yi, vi)  # %s", note)), kind = scalar("ranktest"),
                       yi = as.vector(yi), vi = as.vector(vi), tau = scalar(rt$tau), pval = scalar(rt$pval))
}
for (nm in names(datasets)) rank_case(paste0("ranktest-", nm), datasets[[nm]]$yi, datasets[[nm]]$vi, nm)
rank_case("ranktest-hartmannboyce2018", hb$yi, hb$vi, "k = 133 >= 50: normal approximation")
rank_case("ranktest-bcg-tied-vi", bcg$yi, pmax(round(bcg$vi, 2), 0.01), "vi rounded to 2 decimals (at least 0.01): ties, normal approximation")
rank_case("ranktest-bcg-first6", bcg$yi[1:6], bcg$vi[1:6], "k = 6")

# --- trimfill -----------------------------------------------------------------------
# trimfill() refits the trimmed data without passing `control` on, so with an iterative
# estimator its centre (and so the filled values) carry metafor's default convergence
# error (~1e-6). k0, side, se.k0 and p.k0 are taken from trimfill() as they are; the
# filled values and the final fit are also recomputed with converged fits ("tight"):
# the same k0 most extreme studies trimmed, the centre from rma(..., control = ctrl),
# the mirror images 2 * centre - yi, and rma() on the augmented data.
vec <- function(x) if (length(x) == 0) list() else x  # empty vectors as [] in JSON

trim_case <- function(id, res, call, ...) {
  tf <- trimfill(res, ...)
  yi <- as.vector(res$yi); vi <- as.vector(res$vi); k <- length(yi); k0 <- tf$k0
  s <- if (tf$side == "left") 1 else -1
  trimmed <- if (k0 > 0) order(s * yi)[(k - k0 + 1):k] else integer(0)
  keep <- setdiff(seq_len(k), trimmed)
  centre <- as.vector(rma(yi[keep], vi[keep], method = res$method, control = ctrl)$beta)
  fill_tight <- 2 * centre - yi[trimmed]
  final <- rma(c(yi, fill_tight), c(vi, vi[trimmed]), method = res$method, control = ctrl)
  cases[[id]] <<- c(list(call = scalar(call), kind = scalar("trimfill"), method = scalar(res$method),
                         yi_obs = yi, vi_obs = vi,
                         k0 = scalar(tf$k0), side = scalar(tf$side), se_k0 = scalar(tf$se.k0),
                         p_k0 = scalar(tf$p.k0), yi = as.vector(tf$yi), vi = as.vector(tf$vi),
                         fill = as.vector(tf$fill), trimmed = vec(trimmed), centre_tight = scalar(centre),
                         yi_fill_tight = vec(fill_tight), tight = fit_summary(final)), fit_summary(tf))
}
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  for (method in c("EE", "REML", "DL")) {
    res <- rma(yi, vi, data = d, method = method, control = ctrl)
    for (est in c("L0", "R0")) {
      trim_case(sprintf("trimfill-%s-%s-%s", nm, method, est), res,
                sprintf('trimfill(rma(yi, vi, data = %s, method = "%s"), estimator = "%s")', nm, method, est),
                estimator = est)
      for (side in c("left", "right")) {
        trim_case(sprintf("trimfill-%s-%s-%s-%s", nm, method, est, side), res,
                  sprintf('trimfill(rma(yi, vi, data = %s, method = "%s"), estimator = "%s", side = "%s")', nm, method, est, side),
                  estimator = est, side = side)
      }
    }
  }
}

# --- fsn ----------------------------------------------------------------------------
fsn_case <- function(id, yi, vi, call, ...) {
  yi <- as.vector(yi); vi <- as.vector(vi)
  f <- fsn(yi, vi, ...)
  cases[[id]] <<- list(call = scalar(call), kind = scalar("fsn"), yi = as.vector(yi), vi = as.vector(vi),
                       type = scalar(f$type), fsnum = scalar(f$fsnum), alpha = scalar(f$alpha),
                       pval = scalar(f$pval), meanes = scalar(f$meanes), target = scalar(f$target))
}
for (nm in names(datasets)) {
  d <- datasets[[nm]]
  fsn_case(sprintf("fsn-%s-Rosenthal", nm), d$yi, d$vi, "fsn(yi, vi)")
  fsn_case(sprintf("fsn-%s-Rosenthal-alpha01", nm), d$yi, d$vi, "fsn(yi, vi, alpha = .01)", alpha = .01)
  fsn_case(sprintf("fsn-%s-Orwin", nm), d$yi, d$vi, 'fsn(yi, vi, type = "Orwin")', type = "Orwin")
  fsn_case(sprintf("fsn-%s-Orwin-weighted", nm), d$yi, d$vi, 'fsn(yi, vi, type = "Orwin", weighted = TRUE)',
           type = "Orwin", weighted = TRUE)
  fsn_case(sprintf("fsn-%s-Orwin-target", nm), d$yi, d$vi, 'fsn(yi, vi, type = "Orwin", target = 0.05 * sign)',
           type = "Orwin", target = 0.05 * sign(mean(d$yi)))
  fsn_case(sprintf("fsn-%s-Orwin-weighted-target", nm), d$yi, d$vi,
           'fsn(yi, vi, type = "Orwin", weighted = TRUE, target = 0.05 * sign)',
           type = "Orwin", weighted = TRUE, target = 0.05 * sign(mean(d$yi)))
  fsn_case(sprintf("fsn-%s-Rosenberg", nm), d$yi, d$vi, 'fsn(yi, vi, type = "Rosenberg")', type = "Rosenberg")
  fsn_case(sprintf("fsn-%s-Rosenberg-alpha01", nm), d$yi, d$vi, 'fsn(yi, vi, type = "Rosenberg", alpha = .01)',
           type = "Rosenberg", alpha = .01)
}
# not significant: the first three bcg trials only
fsn_case("fsn-bcg3-Rosenthal", bcg$yi[c(1, 5, 7)], bcg$vi[c(1, 5, 7)], "fsn(yi[c(1,5,7)], vi[c(1,5,7)])")
fsn_case("fsn-bcg3-Rosenberg", bcg$yi[c(1, 5, 7)], bcg$vi[c(1, 5, 7)], 'fsn(yi[c(1,5,7)], vi[c(1,5,7)], type = "Rosenberg")', type = "Rosenberg")

# a target whose ratio to the mean is exact (0.5 / 0.1 = 5): k * (0.5 - 0.1) / 0.1 would
# round up to 13 in floating point; metafor gives 12
fsn_case("fsn-toy-Orwin-target", c(.5, .6, .4), c(.04, .05, .03), 'fsn(c(.5,.6,.4), c(.04,.05,.03), type = "Orwin", target = 0.1)',
         type = "Orwin", target = 0.1)

# --- Peters' test (weighted lm on 1/n; weights S F / (S + F), Peters et al. 2006) --------
for (nm in names(binary)) {
  d <- binary[[nm]]
  S <- d$ai + d$ci
  F <- (d$n1i - d$ai) + (d$n2i - d$ci)
  w <- 1 / (1 / S + 1 / F)
  fit <- lm(yi ~ I(1 / ni), weights = w, data = d)
  cf <- summary(fit)$coefficients
  cases[[paste0("peters-", nm)]] <- list(
    call = scalar("lm(yi ~ I(1/ni), weights = 1/(1/(ai+ci) + 1/(bi+di)))  # escalc OR, to = only0, add = 1/2"),
    kind = scalar("peters"), yi = as.vector(d$yi), vi = as.vector(d$vi),
    ai = d$ai, n1i = d$n1i, ci = d$ci, n2i = d$n2i,
    beta = as.vector(cf[, 1]), se = as.vector(cf[, 2]), tval = as.vector(cf[, 3]),
    pval = as.vector(cf[, 4]), dfs = scalar(fit$df.residual))
}

write_fixture(cases, file.path("tests/reference", "bias.json"),
              "Small-study effects: regtest, ranktest, trimfill, fsn (metafor) and Peters' test (lm)")
