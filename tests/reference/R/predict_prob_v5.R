# Fixture: metafor 5's predict(res, prob=) -- the probability, from the predictive
# distribution, that the true effect of a new study lies below/above a cutoff -- and
# predict(res, hetvar=) (a given amount of heterogeneity for the prediction interval), both
# added in metafor 5.0-1/5.1-12, with the default and the Riley prediction distribution.
#
# Writes tests/reference/predict_prob_v5.json. Needs metafor >= 5.1-0 (prob); with an older
# metafor it leaves the committed file alone and says so. The committed file was written by
# metafor 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R).

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_predict_prob_fixture <- function() {
  if (packageVersion("metafor") < "5.1.0") {
    cat("predict_prob_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.1-0; tests/reference/predict_prob_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)  # tau^2 converged tightly
  bcg <- read_metadat("dat.bcg")
  dat <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  cases <- list()
  one <- function(id, res, call, newmods = NULL, ...) {
    args <- list(res, ...)
    if (!is.null(newmods)) args$newmods <- newmods
    p <- do.call(predict, args)
    cases[[id]] <<- list(
      call = scalar(call), yi = as.numeric(dat$yi), vi = as.numeric(dat$vi),
      ablat = as.numeric(bcg$ablat), method = scalar(res$method), test = scalar(res$test),
      newmods = if (is.null(newmods)) NULL else as.numeric(newmods),
      pred = as.numeric(p$pred), se = as.numeric(p$se), pi_lb = as.numeric(p$pi.lb),
      pi_ub = as.numeric(p$pi.ub), prob = if (is.null(p$prob)) NULL else as.numeric(p$prob))
  }
  for (tt in c("z", "knha")) {
    res <- rma(yi, vi, data = dat, test = tt, control = ctrl)
    one(sprintf("bcg-REML-%s-below0", tt), res, sprintf("predict(rma(yi, vi, test='%s'), prob='<0')", tt), prob = "<0")
    one(sprintf("bcg-REML-%s-above-0.5", tt), res, sprintf("predict(rma(yi, vi, test='%s'), prob='>-0.5')", tt), prob = ">-0.5")
    one(sprintf("bcg-REML-%s-riley", tt), res, sprintf("predict(rma(yi, vi, test='%s'), prob='<0', predtype='Riley')", tt),
        prob = "<0", predtype = "Riley")
    one(sprintf("bcg-REML-%s-hetvar", tt), res, sprintf("predict(rma(yi, vi, test='%s'), hetvar=0.1, prob='<-1')", tt),
        hetvar = 0.1, prob = "<-1")
    reg <- rma(yi, vi, mods = ~ ablat, data = dat, test = tt, control = ctrl)
    one(sprintf("bcg-ablat-REML-%s-below0", tt), reg, sprintf("predict(rma(yi, vi, mods=~ablat, test='%s'), newmods=c(10, 30, 50), prob='<0')", tt),
        newmods = c(10, 30, 50), prob = "<0")
    one(sprintf("bcg-ablat-REML-%s-riley", tt), reg, sprintf("predict(rma(yi, vi, mods=~ablat, test='%s'), newmods=c(10, 30, 50), prob='>-0.5', predtype='Riley')", tt),
        newmods = c(10, 30, 50), prob = ">-0.5", predtype = "Riley")
    one(sprintf("bcg-ablat-REML-%s-hetvar", tt), reg, sprintf("predict(rma(yi, vi, mods=~ablat, test='%s'), newmods=c(10, 30, 50), hetvar=0.05)", tt),
        newmods = c(10, 30, 50), hetvar = 0.05)
  }
  ee <- rma(yi, vi, data = dat, method = "EE")
  one("bcg-EE-z-below-0.4", ee, "predict(rma(yi, vi, method='EE'), prob='<-0.4')", prob = "<-0.4")
  write_fixture(cases, file.path(REF_DIR, "predict_prob_v5.json"),
                "metafor 5 predict(): prob= (predictive probabilities) and hetvar=")
}
write_predict_prob_fixture()
