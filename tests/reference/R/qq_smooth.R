# Fixture: metafor's qqnorm.rma.uni(smooth = TRUE), its default, against smooth = FALSE from
# the same seed: the envelope lines it draws both ways (from the plot's display list), so
# that the smoothing step (Friedman's SuperSmoother of each simulated bound against the
# normal quantiles, with bass) can be checked exactly, apart from the simulation.
# The script also checks, in R, that metafor's smoothed lines are stats::supsmu of its
# unsmoothed ones and stops if not.
#
# Writes tests/reference/qq_smooth.json. Runs under Debian's metafor 3.8-1 and metafor 5.x.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_qq_smooth_fixture <- function() {
  lines_drawn <- function() {
    out <- list()
    for (e in recordPlot()[[1]]) {
      if (identical(e[[2]][[1]]$name, "C_plotXY") && identical(unclass(e[[2]][[3]]), "l"))
        out[[length(out) + 1]] <- e[[2]][[2]]
    }
    out
  }
  envelope <- function(fit, seed, ...) {
    pdf(NULL); dev.control("enable"); set.seed(seed)
    qqnorm(fit, reps = 1000, ...)
    env <- lines_drawn(); dev.off()
    list(x = env[[1]]$x, lower = env[[1]]$y, upper = env[[2]]$y)
  }
  bcg <- read_metadat("dat.bcg")
  nor <- read_metadat("dat.normand1999")
  dat <- escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  dn <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)
  fits <- list(
    "bcg-OR-REML" = rma(yi, vi, data = dat),
    "normand-MD-DL" = rma(yi, vi, data = dn, method = "DL"),
    "bcg-OR-REML-ablat" = rma(yi, vi, mods = ~ ablat, data = dat))
  cases <- list()
  for (id in names(fits)) {
    for (bass in c(0, 4, 10)) {
      raw <- envelope(fits[[id]], 31, smooth = FALSE)
      smo <- envelope(fits[[id]], 31, smooth = TRUE, bass = bass)
      stopifnot(isTRUE(all.equal(smo$lower, supsmu(raw$x, raw$lower, bass = bass)$y, tolerance = 1e-14)),
                isTRUE(all.equal(smo$upper, supsmu(raw$x, raw$upper, bass = bass)$y, tolerance = 1e-14)))
      cases[[sprintf("%s-bass%g", id, bass)]] <- list(
        call = scalar(sprintf("qqnorm(fit, reps = 1000, smooth = TRUE, bass = %g) against smooth = FALSE, set.seed(31) before each", bass)),
        bass = scalar(bass), x = raw$x, lower_raw = raw$lower, upper_raw = raw$upper,
        lower_smooth = smo$lower, upper_smooth = smo$upper)
    }
  }
  write_fixture(cases, file.path(REF_DIR, "qq_smooth.json"),
                "metafor qqnorm.rma.uni envelope lines, smooth = TRUE (bass 0, 4, 10) and FALSE from one seed")
}
write_qq_smooth_fixture()
