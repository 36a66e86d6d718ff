# Fixture: metafor 5.x fsn(type = "General") (Viechtbauer 2024), which metafor 3.8-1 lacks.
# Writes tests/reference/fsn_general_v5.json; with a metafor older than 4.4-0 (Debian's
# 3.8-1) it leaves the committed file alone and says so. The committed file was written by
# metafor 5.1-12 built from source (see escalc_v5.R):
#   R_LIBS=/tmp/rlib5 Rscript tests/reference/make_reference.R
#
# What the fixture records, per case:
# - fsn(..., exact = TRUE): fsnum, est, tau2, pval and est.fsn, tau2.fsn, pval.fsn (the
#   model refitted with the file drawer added), the oracle for the file-drawer model;
# - fsn(..., exact = FALSE) (metafor's default): its fsnum and fitted values, for the docs;
# - rma() on the observed studies plus N file-drawer studies built as the documentation's
#   "studies averaging null results" behave in metafor's output: N studies with sampling
#   variance the harmonic mean of vi and effects at the normal quantiles qnorm(ppoints(N)),
#   rescaled to mean 0 and SD sqrt(vh + tau2) (tau2 from the observed studies; one study
#   at 0 when N = 1). Fitted at metafor's N ("constructed"), this reproduces est.fsn,
#   tau2.fsn and pval.fsn (checked in this script to 1e-6); fitted at N - 1 ("previous") it
#   shows whether N - 1 studies already reach the target.

write_fsn_general_v5 <- function() {
  if (packageVersion("metafor") < "4.4.0") {
    cat("fsn_general_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 4.4-0; tests/reference/fsn_general_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = read_metadat("dat.bcg"))
  hack <- read_metadat("dat.hackshaw1998")
  hack$yi <- log(hack$or)
  hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
  binary <- list()
  for (nm in c("li2007", "lau1992")) {
    d <- read_metadat(paste0("dat.", nm))
    binary[[nm]] <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
  }
  datasets <- c(list(bcg = bcg, hackshaw1998 = hack), binary)

  construct <- function(yi, vi, N, method, test, tau2) {
    if (N == 0) return(rma(yi, vi, method = method, test = test))
    vh <- length(vi) / sum(1 / vi)
    z <- qnorm(ppoints(N))
    z <- if (N > 1) z / sd(z) else 0
    rma(c(yi, z * sqrt(vh + tau2)), c(vi, rep(vh, N)), method = method, test = test)
  }
  fitted <- function(r) list(est = scalar(as.numeric(r$beta)), tau2 = scalar(r$tau2), pval = scalar(r$pval))

  one <- function(d, method, test = "z", alpha = 0.05, target = NULL) {
    yi <- as.numeric(d$yi); vi <- as.numeric(d$vi)
    res <- rma(yi, vi, method = method, test = test)
    args <- list(res, type = "General", alpha = alpha)
    if (!is.null(target)) args$target <- target
    fe <- do.call(fsn, c(args, exact = TRUE))
    fa <- do.call(fsn, c(args, exact = FALSE))
    N <- fe$fsnum
    cons <- construct(yi, vi, N, method, test, res$tau2)
    if (N > 0) {
      stopifnot(abs(as.numeric(cons$beta) - fe$est.fsn) < 1e-6, abs(cons$pval - fe$pval.fsn) < 1e-6)
    }
    prev <- if (N > 0) fitted(construct(yi, vi, N - 1, method, test, res$tau2)) else NULL
    list(call = scalar(sprintf('fsn(rma(yi, vi, method="%s", test="%s"), type="General", alpha=%g%s, exact=TRUE)',
                               method, test, alpha, if (is.null(target)) "" else sprintf(", target=%.17g", target))),
         yi = yi, vi = vi, method = scalar(method), test = scalar(test), alpha = scalar(alpha),
         target = scalar(if (is.null(target)) NA else target),
         fsnum = scalar(N), est = scalar(fe$est), tau2 = scalar(fe$tau2), pval = scalar(fe$pval),
         est_fsn = scalar(fe$est.fsn), tau2_fsn = scalar(fe$tau2.fsn), pval_fsn = scalar(fe$pval.fsn),
         previous = prev,
         approx = list(fsnum = scalar(fa$fsnum), est_fsn = scalar(fa$est.fsn), tau2_fsn = scalar(fa$tau2.fsn),
                       pval_fsn = scalar(fa$pval.fsn)))
  }
  cases <- list()
  for (nm in names(datasets)) {
    d <- datasets[[nm]]
    for (method in c("REML", "EE", "DL", "ML", "PM")) {
      cases[[sprintf("%s-%s", nm, method)]] <- one(d, method)
    }
    cases[[sprintf("%s-REML-alpha01", nm)]] <- one(d, "REML", alpha = 0.01)
    cases[[sprintf("%s-REML-knha", nm)]] <- one(d, "REML", test = "knha")
    est <- as.numeric(rma(yi, vi, data = d)$beta)
    cases[[sprintf("%s-REML-target", nm)]] <- one(d, "REML", target = est / 4)
    cases[[sprintf("%s-EE-target", nm)]] <- one(d, "EE", target = est / 4)
  }
  cases[["bcg-REML-alpha0001"]] <- one(bcg, "REML", alpha = 0.001)
  cases[["bcg-REML-alpha02"]] <- one(bcg, "REML", alpha = 0.2)
  cases[["bcg-REML-target-beyond"]] <- one(bcg, "REML", target = -0.9)
  write_fixture(cases, file.path(REF_DIR, "fsn_general_v5.json"),
                "metafor 5.x fsn(type = 'General'), which metafor 3.8-1 lacks")
}
write_fsn_general_v5()
