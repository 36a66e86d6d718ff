# Cluster-robust inference fixtures: metafor's robust() (CR1: n/(n-p) adjustment, t on
# n - p df) and robust(..., clubSandwich = TRUE) (CR2, Satterthwaite df, HTZ F test),
# clubSandwich's CR1 directly (coef_test/Wald_test), for rma.mv and rma.uni fits; and
# robumeta's robu() with correlated ("CORR") and hierarchical ("HIER") effects weights.
# Writes tests/reference/robust.json.

suppressPackageStartupMessages({library(metadat); library(clubSandwich); library(robumeta)})
ctrl <- list(optimizer = "nlminb", rel.tol = 1e-10, iter.max = 10000, eval.max = 10000)
uctrl <- list(threshold = 1e-12, maxiter = 10000)
konst <- dat.konstantopoulos2011
assink <- dat.assink2016
mat_rows <- function(M) lapply(seq_len(nrow(M)), function(i) as.vector(M[i, ]))

inputs <- function(res, data, levels, mods, columns, cluster) list(
  yi = as.vector(res$yi), vi = as.vector(res$vi),
  levels = levels, groups = lapply(levels, function(v) as.character(data[[v]])),
  mods = scalar(mods), columns = setNames(lapply(columns, function(v) data[[v]]), columns),
  cluster = as.character(data[[cluster]]), X = mat_rows(res$X), colnames = colnames(res$X),
  method = scalar(res$method)
)
rob_out <- function(rob) list(
  beta = as.vector(rob$beta), se = as.vector(rob$se), tval = as.vector(rob$zval),
  pval = as.vector(rob$pval), ci_lb = as.vector(rob$ci.lb), ci_ub = as.vector(rob$ci.ub),
  ddf = as.numeric(rob$ddf), vb = mat_rows(rob$vb), QM = scalar(rob$QM),
  QMdf = as.numeric(rob$QMdf), QMp = scalar(rob$QMp)
)
cs_out <- function(res, cluster, vcov, btt) {
  ct <- coef_test(res, vcov = vcov, cluster = cluster, test = "Satterthwaite")
  wt <- Wald_test(res, constraints = constrain_zero(btt), vcov = vcov, cluster = cluster, test = "HTZ")
  V <- as.matrix(vcovCR(res, cluster = cluster, type = vcov))
  list(se = as.vector(ct$SE), tval = as.vector(ct$tstat), ddf = as.vector(ct$df_Satt),
       pval = as.vector(ct$p_Satt), vb = mat_rows(V), Fstat = scalar(wt$Fstat),
       df_num = scalar(wt$df_num), df_denom = scalar(wt$df_denom), Fp = scalar(wt$p_val))
}

cases <- list()
add <- function(id, data, data_name, levels, mods, columns, cluster) {
  random <- if (length(levels)) as.formula(paste("~ 1 |", paste(levels, collapse = "/"))) else NULL
  args <- list(yi = data$yi, V = data$vi, data = data, method = "REML", control = ctrl)
  if (length(levels)) args$random <- random
  if (mods != "") args$mods <- as.formula(mods)
  uargs <- list(yi = data$yi, vi = data$vi, data = data, method = "REML", control = uctrl)
  if (mods != "") uargs$mods <- as.formula(mods)
  res <- if (length(levels)) do.call(rma.mv, args) else do.call(rma, uargs)
  cl <- data[[cluster]]
  btt <- if (res$p > 1) 2:res$p else 1
  cases[[id]] <<- c(
    list(call = scalar(sprintf("%s(yi, vi, %smods = %s, data = %s); robust(res, cluster = %s[, clubSandwich = TRUE])",
                               if (length(levels)) "rma.mv" else "rma", if (length(levels)) paste0("random = ", deparse(random), ", ") else "",
                               if (mods == "") "NULL" else mods, data_name, cluster)),
         btt = btt - 1L),
    inputs(res, data, levels, mods, columns, cluster),
    list(beta = as.vector(res$beta),
         metafor_cr1 = rob_out(robust(res, cluster = cl)),
         club_cr2 = rob_out(robust(res, cluster = cl, clubSandwich = TRUE)),
         cs_cr2 = cs_out(res, cl, "CR2", btt),
         cs_cr1 = cs_out(res, cl, "CR1", btt))
  )
}
add("konst-mv", konst, "dat.konstantopoulos2011", c("district", "school"), "", character(0), "district")
add("konst-year-mv", konst, "dat.konstantopoulos2011", c("district", "school"), "~ year", "year", "district")
add("assink-deltype-mv", assink, "dat.assink2016", c("study", "esid"), "~ factor(deltype)", "deltype", "study")
add("assink-year-deltype-mv", assink, "dat.assink2016", c("study", "esid"), "~ year + factor(deltype)",
    c("year", "deltype"), "study")
add("assink-uni", assink, "dat.assink2016", character(0), "", character(0), "study")
add("assink-deltype-uni", assink, "dat.assink2016", character(0), "~ factor(deltype)", "deltype", "study")

robu_case <- function(formula, weights, columns) {
  fit <- robu(as.formula(formula), data = assink, studynum = study, var.eff.size = vi,
              modelweights = weights, rho = 0.8, small = TRUE)
  rt <- fit$reg_table
  list(call = scalar(sprintf("robu(%s, data = dat.assink2016, studynum = study, var.eff.size = vi, modelweights = \"%s\", rho = 0.8, small = TRUE)", formula, weights)),
       yi = assink$yi, vi = assink$vi, study = as.character(assink$study),
       mods = scalar(sub("^yi ", "", formula)), columns = setNames(lapply(columns, function(v) assink[[v]]), columns),
       beta = as.vector(rt$b.r), se = as.vector(rt$SE), tval = as.vector(rt$t), ddf = as.vector(rt$dfs),
       pval = as.vector(rt$prob), ci_lb = as.vector(rt$CI.L), ci_ub = as.vector(rt$CI.U),
       tau2 = scalar(as.numeric(fit$mod_info$tau.sq)),
       omega2 = scalar(if (is.null(fit$mod_info$omega.sq)) NA_real_ else as.numeric(fit$mod_info$omega.sq)),
       weights = as.vector(fit$data.full$r.weights))  # data.full is in study order, as dat.assink2016 is
}
cases[["robu-CORR"]] <- robu_case("yi ~ 1", "CORR", character(0))
cases[["robu-CORR-deltype"]] <- robu_case("yi ~ factor(deltype)", "CORR", "deltype")
cases[["robu-HIER"]] <- robu_case("yi ~ 1", "HIER", character(0))
cases[["robu-HIER-deltype"]] <- robu_case("yi ~ factor(deltype)", "HIER", "deltype")

write_fixture(cases, file.path(REF_DIR, "robust.json"),
              sprintf("cluster-robust inference: metafor robust(), clubSandwich %s, robumeta %s",
                      packageVersion("clubSandwich"), packageVersion("robumeta")))
