# Meta-regression fixtures: mixed-effects models rma(yi, vi, mods = ...) for every tau^2
# estimator and both tests, plus exact permutation tests (permutest(exact = TRUE)).
# Writes tests/reference/regression.json.
#
# Inputs are stored with each case (yi, vi and the model matrix X exactly as metafor
# built it), so the Python tests need no effect-size code.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
rau <- read_metadat("dat.raudenbush1985")
bd  <- read_metadat("dat.bangertdrowns2004")
# yi = d as published; vi from the large-sample formula for equal arms (n/2 each):
# 4/n + d^2/(2n). (metadat's own vi column is rounded to 3 decimals.)
bd$yi <- bd$di
bd$vi <- 4 / bd$ni + bd$di^2 / (2 * bd$ni)

fit_out <- function(res, call, data_name, mods_text, moderators) {
  X <- res$X
  list(
    call = scalar(call),
    data = scalar(data_name),
    formula = scalar(mods_text),
    method = scalar(res$method),
    test = scalar(res$test),
    intercept = scalar(res$int.incl),
    yi = as.vector(res$yi),
    vi = as.vector(res$vi),
    X = lapply(seq_len(nrow(X)), function(i) as.vector(X[i, ])),
    colnames = colnames(X),
    moderators = moderators,
    not_na = as.vector(res$not.na),
    beta = as.vector(res$beta),
    se = as.vector(res$se),
    zval = as.vector(res$zval),
    pval = as.vector(res$pval),
    ci_lb = as.vector(res$ci.lb),
    ci_ub = as.vector(res$ci.ub),
    vb = lapply(seq_len(nrow(res$vb)), function(i) as.vector(res$vb[i, ])),
    tau2 = scalar(res$tau2),
    se_tau2 = scalar(if (is.null(res$se.tau2)) NA_real_ else res$se.tau2),
    QM = scalar(res$QM),
    QMp = scalar(res$QMp),
    QMdf = as.numeric(res$QMdf),
    QE = scalar(res$QE),
    QEp = scalar(res$QEp),
    R2 = scalar(if (is.null(res$R2)) NA_real_ else res$R2),
    I2 = scalar(res$I2),
    H2 = scalar(res$H2),
    k = scalar(res$k),
    p = scalar(res$p),
    ddf = scalar(if (is.null(res$ddf)) NA_real_ else res$ddf[1]),
    btt = as.numeric(res$btt),
    loglik = scalar(res$fit.stats["ll", if (res$method == "REML") "REML" else "ML"])
  )
}

cases <- list()
add_case <- function(id, data, data_name, mods_text, mod_cols, method, test, intercept_formula = NULL) {
  f <- as.formula(mods_text)
  res <- rma(yi, vi, mods = f, data = data, method = method, test = test, control = ctrl)
  call <- sprintf('rma(yi, vi, mods = %s, data = %s, method = "%s", test = "%s", control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000))',
                  mods_text, data_name, method, test)
  mods <- lapply(mod_cols, function(col) data[[col]])
  names(mods) <- mod_cols
  cases[[id]] <<- fit_out(res, call, data_name, mods_text, mods)
}

methods <- c("EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
for (m in methods) for (t in c("z", "knha")) {
  add_case(sprintf("bcg-ablat-%s-%s", m, t), bcg, "bcg", "~ ablat", "ablat", m, t)
}
for (m in c("DL", "REML", "ML", "PM")) for (t in c("z", "knha")) {
  add_case(sprintf("bcg-alloc-%s-%s", m, t), bcg, "bcg", "~ factor(alloc)", "alloc", m, t)
  add_case(sprintf("bcg-ablat+year-%s-%s", m, t), bcg, "bcg", "~ ablat + year", c("ablat", "year"), m, t)
}
for (t in c("z", "knha")) {
  add_case(sprintf("bcg-noint-alloc-REML-%s", t), bcg, "bcg", "~ 0 + factor(alloc)", "alloc", "REML", t)
  add_case(sprintf("bcg-ablat*alloc-REML-%s", t), bcg, "bcg", "~ ablat * factor(alloc)", c("ablat", "alloc"), "REML", t)
  add_case(sprintf("bcg-ablat+I(ablat^2)-REML-%s", t), bcg, "bcg", "~ ablat + I(ablat^2)", "ablat", "REML", t)
}
for (m in c("DL", "REML", "ML", "HE", "SJ", "PM")) {
  add_case(sprintf("raudenbush1985-weeks-%s-z", m), rau, "raudenbush1985", "~ weeks", "weeks", m, "z")
}
add_case("raudenbush1985-weeks-REML-knha", rau, "raudenbush1985", "~ weeks", "weeks", "REML", "knha")
add_case("raudenbush1985-log(weeks+1)-REML-z", rau, "raudenbush1985", "~ log(weeks + 1)", "weeks", "REML", "z")
for (m in c("DL", "REML")) for (t in c("z", "knha")) {
  add_case(sprintf("bangertdrowns2004-meta+imag-%s-%s", m, t), bd, "bangertdrowns2004",
           "~ meta + imag + factor(grade)", c("meta", "imag", "grade"), m, t)
  add_case(sprintf("bangertdrowns2004-length+wic-%s-%s", m, t), bd, "bangertdrowns2004",
           "~ length + wic + feedback", c("length", "wic", "feedback"), m, t)
}

# --- predictions (the bubble plot's line and band) ------------------------------------
for (t in c("z", "knha")) {
  res <- rma(yi, vi, mods = ~ ablat, data = bcg, method = "REML", test = t, control = ctrl)
  pr <- predict(res, newmods = c(10, 30, 55))
  cases[[sprintf("predict-bcg-ablat-REML-%s", t)]] <- list(
    call = scalar(sprintf('predict(rma(yi, vi, mods = ~ ablat, data = bcg, test = "%s"), newmods = c(10, 30, 55))', t)),
    formula = scalar(""), method = scalar("REML"), test = scalar(t),
    yi = as.vector(bcg$yi), vi = as.vector(bcg$vi), ablat = bcg$ablat, newmods = c(10, 30, 55),
    pred = as.vector(pr$pred), se = as.vector(pr$se), ci_lb = as.vector(pr$ci.lb),
    ci_ub = as.vector(pr$ci.ub))
}

# --- exact permutation tests -------------------------------------------------------
perm_case <- function(id, res, call) {
  pt <- permutest(res, exact = TRUE, progbar = FALSE)
  out <- fit_out(res, call, "bcg", "", list())
  out$perm_pval <- as.vector(pt$pval)
  out$perm_QMp <- scalar(pt$QMp)
  out$n_perm <- scalar(nrow(as.matrix(pt$zval.perm)))
  zp <- as.matrix(pt$zval.perm)
  out$zval_perm_sorted <- lapply(seq_len(ncol(zp)), function(j) sort(zp[, j]))
  out$QM_perm_sorted <- sort(as.vector(pt$QM.perm))
  cases[[id]] <<- out
}
b10 <- bcg[1:10, ]
r <- rma(yi, vi, data = b10, method = "REML", control = ctrl)
perm_case("perm-bcg10-intonly-REML-z", r, "permutest(rma(yi, vi, data = bcg[1:10, ], method = \"REML\"), exact = TRUE)")
r <- rma(yi, vi, data = b10, method = "DL", test = "knha", control = ctrl)
perm_case("perm-bcg10-intonly-DL-knha", r, "permutest(rma(yi, vi, data = bcg[1:10, ], method = \"DL\", test = \"knha\"), exact = TRUE)")
b7 <- bcg[1:7, ]
r <- rma(yi, vi, mods = ~ ablat, data = b7, method = "REML", control = ctrl)
perm_case("perm-bcg7-ablat-REML-z", r, "permutest(rma(yi, vi, mods = ~ ablat, data = bcg[1:7, ], method = \"REML\"), exact = TRUE)")
r <- rma(yi, vi, mods = ~ ablat, data = b7, method = "DL", test = "knha", control = ctrl)
perm_case("perm-bcg7-ablat-DL-knha", r, "permutest(rma(yi, vi, mods = ~ ablat, data = bcg[1:7, ], method = \"DL\", test = \"knha\"), exact = TRUE)")
r <- rma(yi, vi, mods = ~ factor(alloc), data = bcg, method = "DL", control = ctrl)
perm_case("perm-bcg-alloc-DL-z", r, "permutest(rma(yi, vi, mods = ~ factor(alloc), data = bcg, method = \"DL\"), exact = TRUE)")

write_fixture(cases, file.path("tests/reference", "regression.json"),
              "Mixed-effects meta-regression (rma.uni with mods) and exact permutation tests (permutest)")
