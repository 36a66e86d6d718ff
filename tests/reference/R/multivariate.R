# Multivariate fixtures: rma.mv(yi, V, random = ~ outcome | trial, struct = ...) on
# dat.berkey1998 (known within-trial covariances) for struct = "UN", "CS", "HCS" and "AR",
# and metafor's vcalc() for a constant within-cluster correlation, with a three-level fit
# on the resulting V (dat.assink2016). Writes tests/reference/multivariate.json.

suppressPackageStartupMessages(library(metadat))
ctrl <- list(optimizer = "nlminb", rel.tol = 1e-10, iter.max = 10000, eval.max = 10000)
mat_rows <- function(M) lapply(seq_len(nrow(M)), function(i) as.vector(M[i, ]))
berkey <- dat.berkey1998
V <- bldiag(lapply(split(berkey[, c("v1i", "v2i")], berkey$trial), as.matrix))
berkey$time <- ifelse(berkey$outcome == "PD", 1, 2)

out <- function(res, call, extra = list()) c(list(
  call = scalar(call), method = scalar(res$method),
  beta = as.vector(res$beta), se = as.vector(res$se), zval = as.vector(res$zval),
  pval = as.vector(res$pval), ci_lb = as.vector(res$ci.lb), ci_ub = as.vector(res$ci.ub),
  vb = mat_rows(res$vb), tau2 = as.vector(res$tau2), rho = as.vector(res$rho),
  QE = scalar(res$QE), QM = scalar(res$QM), loglik = scalar(as.numeric(logLik(res))),
  colnames = colnames(res$X)), extra)

cases <- list()
inputs <- list(yi = berkey$yi, V = mat_rows(V), trial = as.character(berkey$trial),
               outcome = as.character(berkey$outcome), time = berkey$time)
for (st in c("UN", "CS", "HCS")) for (m in c("REML", "ML")) {
  res <- rma.mv(yi, V, mods = ~ outcome - 1, random = ~ outcome | trial, struct = st,
                data = berkey, method = m, control = ctrl)
  cases[[paste0("berkey-", st, "-", m)]] <- out(res, sprintf(
    "rma.mv(yi, V, mods = ~ outcome - 1, random = ~ outcome | trial, struct = \"%s\", data = dat.berkey1998, method = \"%s\")", st, m), inputs)
}
res <- rma.mv(yi, V, mods = ~ outcome - 1, random = ~ time | trial, struct = "AR",
              data = berkey, control = ctrl)
cases[["berkey-AR-REML"]] <- out(res, "rma.mv(yi, V, mods = ~ outcome - 1, random = ~ time | trial, struct = \"AR\", data = dat.berkey1998)", inputs)

assink <- dat.assink2016
Va <- vcalc(vi, cluster = study, obs = esid, rho = 0.6, data = assink)
res <- rma.mv(yi, Va, random = ~ 1 | study/esid, data = assink, control = ctrl)
cases[["assink-vcalc-0.6"]] <- out(res, "V <- vcalc(vi, cluster = study, obs = esid, rho = 0.6, data = dat.assink2016); rma.mv(yi, V, random = ~ 1 | study/esid)",
  list(yi = assink$yi, vi = assink$vi, study = as.character(assink$study), esid = as.character(assink$esid),
       V = mat_rows(as.matrix(Va)), sigma2 = as.vector(res$sigma2)))

write_fixture(cases, file.path(REF_DIR, "multivariate.json"),
              "rma.mv multivariate models (struct UN/CS/HCS/AR) and vcalc")
