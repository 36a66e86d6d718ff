# Influence diagnostics: influence.rma.uni (rstudent, dffits, cook.d, cov.r, tau2.del,
# QE.del, hat, weight, dfbetas, is.infl) and the Baujat plot coordinates (baujat()).
# Writes tests/reference/influence.json.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
hack <- read_metadat("dat.hackshaw1998")
hack$yi <- log(hack$or)
hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
rau <- read_metadat("dat.raudenbush1985")
nor <- read_metadat("dat.normand1999")
nor <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)

cases <- list()
inf_case <- function(id, res, call, mods = NULL) {
  inf <- influence(res)
  # influence() refits each leave-one-out model with the object's own control settings.
  png(tempfile(fileext = ".png"))
  bj <- baujat(res)
  dev.off()
  X <- res$X
  dfbs <- as.matrix(as.data.frame(inf$dfbs)[, seq_len(res$p), drop = FALSE])
  cases[[id]] <<- list(
    call = scalar(call), method = scalar(res$method), test = scalar(res$test),
    tau2_fixed = scalar(res$tau2.fix),
    yi = as.vector(res$yi), vi = as.vector(res$vi),
    X = lapply(seq_len(nrow(X)), function(i) as.vector(X[i, ])), colnames = colnames(X),
    beta = as.vector(res$beta), tau2 = scalar(res$tau2),
    rstudent = inf$inf$rstudent, dffits = inf$inf$dffits, cook_d = inf$inf$cook.d,
    cov_r = inf$inf$cov.r, tau2_del = inf$inf$tau2.del, QE_del = inf$inf$QE.del,
    hat = inf$inf$hat, weight = inf$inf$weight,
    dfbetas = lapply(seq_len(nrow(dfbs)), function(i) as.vector(dfbs[i, ])),
    is_infl = as.vector(inf$is.infl),
    baujat_x = bj$x, baujat_y = bj$y)
}

for (m in c("REML", "DL", "EE", "ML", "PM", "HE", "SJ")) {
  r <- rma(yi, vi, data = bcg, method = m, control = ctrl)
  inf_case(sprintf("bcg-%s-z", m), r, sprintf('influence(rma(yi, vi, data = bcg, method = "%s"))', m))
}
r <- rma(yi, vi, data = bcg, method = "REML", test = "knha", control = ctrl)
inf_case("bcg-REML-knha", r, 'influence(rma(yi, vi, data = bcg, method = "REML", test = "knha"))')
r <- rma(yi, vi, data = bcg, method = "DL", test = "knha", control = ctrl)
inf_case("bcg-DL-knha", r, 'influence(rma(yi, vi, data = bcg, method = "DL", test = "knha"))')
r <- rma(yi, vi, mods = ~ ablat, data = bcg, method = "REML", control = ctrl)
inf_case("bcg-ablat-REML-z", r, 'influence(rma(yi, vi, mods = ~ ablat, data = bcg))')
r <- rma(yi, vi, mods = ~ ablat + year, data = bcg, method = "DL", control = ctrl)
inf_case("bcg-ablat+year-DL-z", r, 'influence(rma(yi, vi, mods = ~ ablat + year, data = bcg, method = "DL"))')
r <- rma(yi, vi, mods = ~ ablat, data = bcg, method = "REML", test = "knha", control = ctrl)
inf_case("bcg-ablat-REML-knha", r, 'influence(rma(yi, vi, mods = ~ ablat, data = bcg, test = "knha"))')
r <- rma(yi, vi, data = bcg, tau2 = 0.3, control = ctrl)
inf_case("bcg-tau2fixed-z", r, 'influence(rma(yi, vi, data = bcg, tau2 = 0.3))')
r <- rma(yi, vi, data = hack, method = "REML", control = ctrl)
inf_case("hackshaw1998-REML-z", r, 'influence(rma(yi, vi, data = hackshaw1998))')
r <- rma(yi, vi, mods = ~ weeks, data = rau, method = "REML", control = ctrl)
inf_case("raudenbush1985-weeks-REML-z", r, 'influence(rma(yi, vi, mods = ~ weeks, data = raudenbush1985))')
r <- rma(yi, vi, data = nor, method = "REML", control = ctrl)
inf_case("normand1999-REML-z", r, 'influence(rma(yi, vi, data = normand1999))')
r <- rma(yi, vi, data = nor, method = "EE", control = ctrl)
inf_case("normand1999-EE-z", r, 'influence(rma(yi, vi, data = normand1999, method = "EE"))')

write_fixture(cases, file.path("tests/reference", "influence.json"),
              "Influence diagnostics (influence.rma.uni) and Baujat plot coordinates (baujat)")
