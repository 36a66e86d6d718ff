# Fixture: metafor 5.1's hettest() (tests for heteroscedastic heterogeneity): the score, LRT
# and Wald statistics with their chi-square p-values (boot=FALSE), the saturated model's
# tau2i and (Wald) se.tau2i, and for every test the statistic and a bootstrap p-value
# (boot=2000, set.seed below: the tests compare at Monte Carlo tolerance).
#
# Writes tests/reference/hettest_v5.json. Needs metafor >= 5.1-0; with an older metafor it
# leaves the committed file alone and says so. The committed file was written by metafor
# 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R).

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_hettest_fixture <- function() {
  if (packageVersion("metafor") < "5.1.0") {
    cat("hettest_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.1-0; tests/reference/hettest_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
  bcg <- read_metadat("dat.bcg")
  nor <- read_metadat("dat.normand1999")
  sets <- list(
    "bcg-OR" = escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg),
    "normand-MD" = escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor))
  cases <- list()
  for (d in names(sets)) {
    dat <- sets[[d]]
    for (m in c("ML", "REML")) {
      res <- rma(yi, vi, data = dat, method = m, control = ctrl)
      for (tt in c("score", "lrt", "wald", "ksn", "ksx2", "adn", "adx2")) {
        h0 <- if (tt %in% c("score", "lrt", "wald")) hettest(res, test = tt, boot = FALSE) else NULL
        set.seed(20261205)
        hb <- hettest(res, test = tt, boot = 2000, progbar = FALSE)
        cases[[sprintf("%s-%s-%s", d, m, tt)]] <- list(
          call = scalar(sprintf("hettest(rma(yi, vi, method='%s'), test='%s', boot=FALSE / boot=2000)", m, tt)),
          yi = as.numeric(dat$yi), vi = as.numeric(dat$vi), method = scalar(m), test = scalar(tt),
          tau2 = scalar(res$tau2), statistic = scalar(hb$statistic),
          df = if (is.null(h0)) NULL else scalar(h0$df),
          pval_chi2 = if (is.null(h0)) NULL else scalar(h0$pval),
          tau2i = if (is.null(h0$tau2i)) NULL else as.numeric(h0$tau2i),
          se_tau2i = if (is.null(h0$se.tau2i)) NULL else as.numeric(h0$se.tau2i),
          pval_boot = scalar(hb$pval), boot = scalar(2000))
      }
    }
  }
  write_fixture(cases, file.path(REF_DIR, "hettest_v5.json"),
                "metafor 5.1 hettest(): statistics, chi-square and bootstrap p-values, saturated tau2i")
}
write_hettest_fixture()
