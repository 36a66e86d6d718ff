# Fixture for the living-review workflow: the numbers `metaevidence run` writes into
# results/<id>.json for a review made of the BCG vaccine trials (dat.bcg, Colditz et al.
# 1994), one study record per trial, checked end to end against metafor.
#
# Writes tests/reference/workflow.json. Study ids are built as the Python test builds its
# records: first author's surname (lower case, letters and hyphens) and year.
#
# Cases:
#   bcg-OR-REML-knha   rma(method="REML", test="knha"): pooled, heterogeneity, Q-profile CIs,
#                      the Higgins-Thompson-Spiegelhalter prediction interval (t on k-2 df,
#                      computed from rma's estimate, se and tau^2), leave1out(), and cumul()
#                      in order of year (ties by id)
#   bcg-OR-DL-z        rma(method="DL", test="z") with predict() (metafor's prediction interval)
#   bcg-OR-MH          rma.mh(measure="OR")
#   bcg-OR-PETO        rma.peto()
#   bcg-OR-REML-knha-alloc-random   the subgroup alloc == "random" alone (REML, knha)
#   bcg-OR-REML-knha-by-alloc       each allocation subgroup (REML, knha) and the test of subgroup
#                                   differences (Q between the subgroup estimates, knha SEs)
#   bcg-OR-REML-knha-no-high-rob    without trials 5, 6 (rated high risk of bias in the test)
#   zeros-OR-REML-knha, zeros-OR-MH  zero-cell defaults of escalc/rma and rma.mh

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
CONTROL <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
PCTRL <- list(tol = 1e-12, maxiter = 10000)

dat <- read_metadat("dat.bcg")
first <- sub("[ ,].*$", "", dat$author)
ids <- paste0(gsub("[^a-z-]", "", tolower(first)), "-", dat$year)
ids[ids == "tpt-1980"] <- "tpt-madras-1980"
es <- escalc(measure = "OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat)
ord <- order(ids)   # the evidence base sorts studies by id
es <- es[ord, ]
dat <- dat[ord, ]
ids <- ids[ord]

pooled <- function(res) {
  list(estimate = scalar(c(res$beta)), se = scalar(res$se), statistic = scalar(res$zval),
       p_value = scalar(res$pval), ci_lower = scalar(res$ci.lb), ci_upper = scalar(res$ci.ub),
       k = scalar(res$k))
}
heterogeneity <- function(res) {
  list(tau2 = scalar(res$tau2), tau2_se = scalar(if (is.null(res$se.tau2)) NA else res$se.tau2),
       i2 = scalar(res$I2), h2 = scalar(res$H2), q = scalar(res$QE), q_df = scalar(res$k - 1),
       q_p_value = scalar(res$QEp))
}
batch <- function(b, labels) {
  list(labels = labels, estimate = as.numeric(b$estimate), se = as.numeric(b$se),
       ci_lower = as.numeric(b$ci.lb), ci_upper = as.numeric(b$ci.ub), p_value = as.numeric(b$pval),
       tau2 = as.numeric(b$tau2), i2 = as.numeric(b$I2))
}
hts <- function(res) {
  half <- qt(0.975, df = res$k - 2) * sqrt(res$tau2 + res$se^2)
  list(pi_lower = scalar(c(res$beta) - half), pi_upper = scalar(c(res$beta) + half))
}

cases <- list()

res <- rma(yi, vi, data = es, method = "REML", test = "knha", control = CONTROL)
ci <- confint(res, control = PCTRL)$random
cum_order <- order(dat$year, ids)
cum_key <- integer(length(ids)); cum_key[cum_order] <- seq_along(cum_order)  # cumul's order= is a sort key
cases[["bcg-OR-REML-knha"]] <- list(
  call = scalar('rma(yi, vi, method="REML", test="knha", control=list(threshold=1e-12, tol=1e-12, maxiter=10000))'),
  ids = ids, yi = as.numeric(es$yi), vi = as.numeric(es$vi), weights = as.numeric(weights(res)),
  pooled = c(pooled(res), list(df = scalar(res$k - 1)), hts(res)),
  heterogeneity = heterogeneity(res),
  heterogeneity_ci = list(tau2 = as.numeric(ci["tau^2", c("ci.lb", "ci.ub")]),
                          tau = as.numeric(ci["tau", c("ci.lb", "ci.ub")]),
                          i2 = as.numeric(ci["I^2(%)", c("ci.lb", "ci.ub")]),
                          h2 = as.numeric(ci["H^2", c("ci.lb", "ci.ub")])),
  leave_one_out = batch(leave1out(res), ids),
  cumulative = batch(cumul(res, order = cum_key), ids[cum_order])
)

res <- rma(yi, vi, data = es, method = "DL", test = "z")
pr <- predict(res)
cases[["bcg-OR-DL-z"]] <- list(
  call = scalar('rma(yi, vi, method="DL", test="z"); predict()'),
  pooled = c(pooled(res), list(pi_lower = scalar(pr$pi.lb), pi_upper = scalar(pr$pi.ub))),
  heterogeneity = heterogeneity(res))

res <- rma.mh(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat, measure = "OR")
cases[["bcg-OR-MH"]] <- list(
  call = scalar('rma.mh(ai=tpos, bi=tneg, ci=cpos, di=cneg, measure="OR")'),
  pooled = pooled(res), q = scalar(res$QE), q_p_value = scalar(res$QEp))

res <- rma.peto(ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat)
cases[["bcg-OR-PETO"]] <- list(
  call = scalar('rma.peto(ai=tpos, bi=tneg, ci=cpos, di=cneg)'),
  pooled = pooled(res), q = scalar(res$QE), q_p_value = scalar(res$QEp))

sub <- dat$alloc == "random"
res <- rma(yi, vi, data = es, subset = sub, method = "REML", test = "knha", control = CONTROL)
cases[["bcg-OR-REML-knha-alloc-random"]] <- list(
  call = scalar('rma(yi, vi, subset=alloc=="random", method="REML", test="knha", control=...)'),
  ids = ids[sub], pooled = pooled(res), heterogeneity = heterogeneity(res))

groups <- sort(unique(dat$alloc))
fits <- lapply(groups, function(g) rma(yi, vi, data = es, subset = dat$alloc == g, method = "REML",
                                        test = "knha", control = CONTROL))
between <- rma(sapply(fits, function(f) c(f$beta)), sei = sapply(fits, function(f) f$se), method = "FE")
cases[["bcg-OR-REML-knha-by-alloc"]] <- list(
  call = scalar('rma(yi, vi, subset=alloc==g, method="REML", test="knha") per group; rma(estimates, sei=ses, method="FE")$QE'),
  groups = groups,
  estimate = sapply(fits, function(f) c(f$beta)), ci_lower = sapply(fits, function(f) f$ci.lb),
  ci_upper = sapply(fits, function(f) f$ci.ub), tau2 = sapply(fits, function(f) f$tau2),
  k = sapply(fits, function(f) f$k),
  q_between = scalar(between$QE), q_between_df = scalar(length(groups) - 1), q_between_p_value = scalar(between$QEp))

high <- ids %in% c("frimodt-moller-1973", "stein-1953")
res <- rma(yi, vi, data = es, subset = !high, method = "REML", test = "knha", control = CONTROL)
cases[["bcg-OR-REML-knha-no-high-rob"]] <- list(
  call = scalar('rma(yi, vi, subset=!(id %in% c("frimodt-moller-1973", "stein-1953")), method="REML", test="knha", control=...)'),
  ids = ids[!high], pooled = pooled(res), heterogeneity = heterogeneity(res))

# The five trials of tests/workflow/conftest.py (TRIALS) plus a trial with no events in either
# arm and one with a zero cell: metafor's zero-cell defaults, escalc/rma (add 1/2 to tables with
# a zero, double-zero tables kept) and rma.mh (double-zero tables dropped from the per-study
# effects and Q, counts pooled as given).
zeros <- data.frame(
  id = c("adams-2001", "baker-2004", "clark-2008", "davis-2012", "evans-2016", "gray-2018", "hill-2019"),
  ai = c(12, 30, 8, 45, 5, 0, 0), n1 = c(100, 150, 60, 300, 40, 50, 30),
  ci = c(20, 41, 15, 60, 9, 0, 4), n2 = c(98, 149, 62, 310, 41, 52, 31))
ez <- escalc(measure = "OR", ai = ai, n1i = n1, ci = ci, n2i = n2, data = zeros)
res <- rma(yi, vi, data = ez, method = "REML", test = "knha", control = CONTROL)
cases[["zeros-OR-REML-knha"]] <- list(
  call = scalar('rma(escalc("OR", ai, n1i, ci, n2i), method="REML", test="knha", control=...)'),
  ids = zeros$id, yi = as.numeric(ez$yi), vi = as.numeric(ez$vi),
  pooled = pooled(res), heterogeneity = heterogeneity(res))
res <- rma.mh(ai = ai, n1i = n1, ci = ci, n2i = n2, data = zeros, measure = "OR")
cases[["zeros-OR-MH"]] <- list(
  call = scalar('rma.mh(ai=ai, n1i=n1, ci=ci, n2i=n2, measure="OR")'),
  ids = zeros$id, yi = as.numeric(res$yi), vi = as.numeric(res$vi),
  pooled = pooled(res), q = scalar(res$QE), q_p_value = scalar(res$QEp))

write_fixture(cases, file.path(REF_DIR, "workflow.json"),
              "metaevidence run on a review of the BCG trials (dat.bcg) vs metafor: rma REML/knha with HTS prediction interval, Q-profile CIs, leave1out, cumul by year; DL/z with predict(); rma.mh; rma.peto; a subgroup; without high risk of bias")
