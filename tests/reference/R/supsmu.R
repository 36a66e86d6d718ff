# Fixture: R's stats::supsmu (Friedman's SuperSmoother), the oracle of
# metaevidence/core/smooth.py, which metafor's qqnorm.rma.uni(smooth=TRUE) applies to the
# simulated envelope bounds. Base R only.
#
# Writes tests/reference/supsmu.json: inputs (seeded, so the file is reproducible), the
# call and R's output (x: the sorted unique x; y: the fitted values there).

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_supsmu_fixture <- function() {
  cases <- list()
  one <- function(id, x, y, wt = NULL, span = "cv", bass = 0) {
    res <- if (is.null(wt)) supsmu(x, y, span = span, bass = bass)
           else supsmu(x, y, wt = wt, span = span, bass = bass)
    cases[[id]] <<- list(
      call = scalar(sprintf("supsmu(x, y%s, span = %s, bass = %s)",
                            if (is.null(wt)) "" else ", wt = wt",
                            if (is.character(span)) "\"cv\"" else format(span), format(bass))),
      x = x, y = y, wt = if (is.null(wt)) NULL else wt,
      span = if (is.character(span)) scalar(span) else scalar(span), bass = scalar(bass),
      fit_x = res$x, fit_y = res$y)
  }
  set.seed(20261205)
  for (n in c(5, 8, 12, 20, 37, 50, 100, 250)) {
    x <- sort(runif(n, -2, 2))
    y <- sin(2 * x) + rnorm(n, sd = 0.3)
    one(sprintf("sine-n%d", n), x, y)
    one(sprintf("sine-n%d-bass5", n), x, y, bass = 5)
    one(sprintf("sine-n%d-bass10", n), x, y, bass = 10)
    one(sprintf("sine-n%d-span0.3", n), x, y, span = 0.3)
  }
  # unsorted input, ties in x, weights
  x <- round(runif(60, 0, 10))
  y <- x^2 / 10 + rnorm(60)
  one("ties-n60", x, y)
  one("ties-n60-span0.4", x, y, span = 0.4)
  w <- runif(60, 0.5, 2)
  one("ties-n60-wt", x, y, wt = w)
  xu <- runif(40, 0, 1)
  one("unsorted-n40", xu, exp(xu) + rnorm(40, sd = 0.1))
  # the shape metafor smooths: simulated envelope bounds against normal quantiles
  for (k in c(7, 13, 30)) {
    q <- qnorm(ppoints(k))
    sims <- t(apply(matrix(rnorm(1000 * k), 1000), 1, sort))
    lo <- apply(sims, 2, quantile, 0.025)
    one(sprintf("envelope-k%d", k), q, lo)
  }
  # a linear y (every span fits it exactly) and a constant x (no spread)
  one("linear-n30", seq(0, 1, length.out = 30), 2 * seq(0, 1, length.out = 30) + 1)
  one("constant-x", rep(1, 6), c(1, 2, 3, 4, 5, 6))
  write_fixture(cases, file.path(REF_DIR, "supsmu.json"),
                "R's stats::supsmu (Friedman's SuperSmoother) on seeded inputs")
}
write_supsmu_fixture()
