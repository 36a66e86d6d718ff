# Fixture: metafor >= 4.8's adjust= for multiple testing: anova(res, X=, adjust=) (the
# p-values of the linear combinations, by R's p.adjust methods) and predict(res, newmods=,
# adjust=TRUE) (Bonferroni-adjusted confidence and prediction intervals), z and knha.
#
# Writes tests/reference/adjust_v5.json. Needs metafor >= 4.8-0; with an older metafor it
# leaves the committed file alone and says so. The committed file was written by metafor
# 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R).

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_adjust_fixture <- function() {
  if (packageVersion("metafor") < "4.8.0") {
    cat("adjust_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 4.8-0; tests/reference/adjust_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)
  bcg <- read_metadat("dat.bcg")
  dat <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
  X <- cbind(1, c(0, 10, 20, 30, 40, 50, 60), 1970)
  newmods <- cbind(c(10, 30, 50), c(1950, 1960, 1970))
  cases <- list()
  for (tt in c("z", "knha")) {
    res <- rma(yi, vi, mods = ~ ablat + year, data = dat, test = tt, control = ctrl)
    base <- list(yi = as.numeric(dat$yi), vi = as.numeric(dat$vi), ablat = as.numeric(bcg$ablat),
                 year = as.numeric(bcg$year), test = scalar(tt))
    for (adj in c("bonferroni", "holm", "hochberg", "BH", "BY")) {
      a <- anova(res, X = X, adjust = adj)
      cases[[sprintf("anova-%s-%s", tt, adj)]] <- c(base, list(
        call = scalar(sprintf("anova(rma(yi, vi, mods=~ablat+year, test='%s'), X=X, adjust='%s')", tt, adj)),
        adjust = scalar(adj), X = lapply(seq_len(nrow(X)), function(i) X[i, ]),
        estimate = as.numeric(a$Xb), pval = as.numeric(a$pval)))
    }
    p <- predict(res, newmods = newmods, adjust = TRUE)
    cases[[sprintf("predict-%s-adjust", tt)]] <- c(base, list(
      call = scalar(sprintf("predict(rma(yi, vi, mods=~ablat+year, test='%s'), newmods=newmods, adjust=TRUE)", tt)),
      newmods = lapply(seq_len(nrow(newmods)), function(i) newmods[i, ]),
      pred = as.numeric(p$pred), ci_lb = as.numeric(p$ci.lb), ci_ub = as.numeric(p$ci.ub),
      pi_lb = as.numeric(p$pi.lb), pi_ub = as.numeric(p$pi.ub)))
  }
  write_fixture(cases, file.path(REF_DIR, "adjust_v5.json"),
                "metafor 5 anova(X=, adjust=) and predict(newmods=, adjust=TRUE)")
}
write_adjust_fixture()
