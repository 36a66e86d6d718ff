# leave1out(), cumul() and influence() of rma fits with user weights (rma's weights=) and of
# the unweighted model (weighted=FALSE): metafor refits every subset with the same weights
# (each study keeps its own weight) and tau^2 estimator.
# Writes tests/reference/weighted_sensitivity.json. The same numbers come from Debian's
# metafor 3.8-1 and from metafor 5.1-12 (checked 2026-12-03 with R_LIBS=/tmp/rlib5).

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
bcg$w <- bcg$year - 1930

batch_rows <- function(x) {
  list(estimate = as.vector(x$estimate), se = as.vector(x$se), ci_lower = as.vector(x$ci.lb),
       ci_upper = as.vector(x$ci.ub), p_value = as.vector(x$pval), q = as.vector(x$Q),
       tau2 = if (is.null(x$tau2)) NULL else as.vector(x$tau2), i2 = as.vector(x$I2))
}

cases <- list()
fits <- list(
  list(id = "bcg-year-REML", call = "rma(yi, vi, weights = year - 1930, data = bcg)",
       fit = function() rma(yi, vi, weights = w, data = bcg, control = ctrl)),
  list(id = "bcg-year-DL", call = 'rma(yi, vi, weights = year - 1930, data = bcg, method = "DL")',
       fit = function() rma(yi, vi, weights = w, data = bcg, method = "DL", control = ctrl)),
  list(id = "bcg-year-EE", call = 'rma(yi, vi, weights = year - 1930, data = bcg, method = "EE")',
       fit = function() rma(yi, vi, weights = w, data = bcg, method = "EE", control = ctrl)),
  list(id = "bcg-year-tau2fixed", call = "rma(yi, vi, weights = year - 1930, data = bcg, tau2 = 0.3)",
       fit = function() rma(yi, vi, weights = w, data = bcg, tau2 = 0.3, control = ctrl)),
  list(id = "bcg-unweighted-REML", call = "rma(yi, vi, weighted = FALSE, data = bcg)",
       fit = function() rma(yi, vi, weighted = FALSE, data = bcg, control = ctrl)),
  list(id = "bcg-unweighted-PM", call = 'rma(yi, vi, weighted = FALSE, data = bcg, method = "PM")',
       fit = function() rma(yi, vi, weighted = FALSE, data = bcg, method = "PM", control = ctrl))
)
for (f in fits) {
  res <- f$fit()
  inf <- influence(res)
  png(tempfile(fileext = ".png"))
  bj <- baujat(res)
  dev.off()
  cases[[f$id]] <- list(
    call = scalar(f$call), method = scalar(res$method),
    weighted = scalar(res$weighted), tau2_fixed = scalar(res$tau2.fix),
    yi = as.vector(res$yi), vi = as.vector(res$vi),
    weights = if (is.null(res$weights)) NULL else as.vector(res$weights),
    estimate = scalar(as.vector(res$beta)), se = scalar(res$se), tau2 = scalar(res$tau2),
    leave1out = batch_rows(leave1out(res)),
    cumul = batch_rows(cumul(res)),
    order_keys = bcg$ablat,
    cumul_order = batch_rows(cumul(res, order = bcg$ablat)),
    influence = list(
      rstudent = inf$inf$rstudent, dffits = inf$inf$dffits, cook_d = inf$inf$cook.d,
      cov_r = inf$inf$cov.r, tau2_del = inf$inf$tau2.del, QE_del = inf$inf$QE.del,
      hat = inf$inf$hat, weight = inf$inf$weight, dfbetas = as.vector(inf$dfbs$intrcpt),
      is_infl = as.vector(inf$is.infl), baujat_x = bj$x, baujat_y = bj$y))
}
write_fixture(cases, file.path("tests/reference", "weighted_sensitivity.json"),
              "leave1out, cumul and influence of rma fits with user weights and of the unweighted model")
