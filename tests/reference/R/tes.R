# Fixture: metafor::tes() -- the test of excess significance (Ioannidis & Trikalinos 2007).
#
# Writes tests/reference/tes.json: for vectors (theta = the inverse-variance weighted mean,
# tau^2 = 0) and for random-effects fits (theta and tau^2 from the model), with each of the
# three tests (exact, binom, chi2) and the default; O, E, the powers and the p-value.

bcg <- read_metadat("dat.bcg")
bcg_es <- escalc(measure = "RR", ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg)


sets <- list(bcg = bcg_es)

tes_case <- function(x, yi, vi, call, theta, tau2, ...) {
  r <- tes(x, vi, ..., progbar = FALSE)
  list(call = scalar(call), yi = as.numeric(yi), vi = as.numeric(vi), theta = scalar(theta), tau2 = scalar(tau2),
       test = scalar(r$test), O = scalar(r$O), E = scalar(r$E), power = as.numeric(r$power),
       pval = scalar(r$pval), theta_lim = scalar(if (is.null(r$theta.lim)) NA else r$theta.lim[1]))
}
cases <- list()
for (id in names(sets)) {
  d <- sets[[id]]
  yi <- as.numeric(d$yi); vi <- as.numeric(d$vi)
  theta <- sum(yi / vi) / sum(1 / vi)
  for (test in c("exact", "binom", "chi2")) {
    cases[[sprintf("%s-vector-%s", id, test)]] <- tes_case(yi, yi, vi, sprintf("tes(yi, vi, test=\"%s\")", test),
                                                           theta, 0, test = test)
  }
  cases[[sprintf("%s-vector-default", id)]] <- tes_case(yi, yi, vi, "tes(yi, vi)", theta, 0)
  cases[[sprintf("%s-vector-less", id)]] <- tes_case(yi, yi, vi, "tes(yi, vi, alternative=\"less\")", theta, 0,
                                                     alternative = "less")
  res <- rma(yi, vi, method = "REML", control = list(threshold = 1e-10))
  cases[[sprintf("%s-rma-REML", id)]] <- tes_case(res, yi, vi, "tes(rma(yi, vi))", res$beta[1], res$tau2)
}
write_fixture(cases, file.path(REF_DIR, "tes.json"), "metafor::tes() test of excess significance")
