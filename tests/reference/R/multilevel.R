# Multilevel fixtures: rma.mv(yi, vi, random = ~ 1 | a/b, ...) by REML and ML, with
# z and t tests (residual and containment df), moderators, fixed sigma2 values, profile
# likelihood CIs of each sigma2 (confint.rma.mv) and the multilevel I^2 of metafor's FAQ
# (Cheung 2014). Writes tests/reference/multilevel.json.
#
# Data: metadat's dat.konstantopoulos2011 (56 schools in 11 districts) and
# dat.assink2016 (100 effects in 17 studies). Inputs are stored with each case.

suppressPackageStartupMessages(library(metadat))
ctrl <- list(optimizer = "nlminb", rel.tol = 1e-10, iter.max = 10000, eval.max = 10000)
ci_ctrl <- list(tol = 1e-12, maxiter = 10000)

konst <- dat.konstantopoulos2011
# A four-level check: districts grouped into three (artificial) regions by their order.
konst$region <- as.integer(factor(konst$district)) %% 3
assink <- dat.assink2016

ml_i2 <- function(res) {
  W <- diag(1 / res$vi)
  X <- model.matrix(res)
  P <- W - W %*% X %*% solve(t(X) %*% W %*% X) %*% t(X) %*% W
  100 * res$sigma2 / (sum(res$sigma2) + (res$k - res$p) / sum(diag(P)))
}

mat_rows <- function(M) lapply(seq_len(nrow(M)), function(i) as.vector(M[i, ]))

fit_out <- function(res, call, data_name, data, levels, mods, columns, fixed) {
  ci <- lapply(seq_along(res$sigma2), function(j) {
    if (!is.na(fixed[j])) return(list(lower = scalar(NA_real_), upper = scalar(NA_real_)))
    cc <- confint(res, sigma2 = j, control = ci_ctrl)
    list(lower = scalar(cc$random[1, "ci.lb"]), upper = scalar(cc$random[1, "ci.ub"]))
  })
  list(
    call = scalar(call),
    data = scalar(data_name),
    levels = levels,
    groups = lapply(levels, function(v) as.character(data[[v]])),
    mods = scalar(mods),
    columns = setNames(lapply(columns, function(v) data[[v]]), columns),
    method = scalar(res$method),
    test = scalar(res$test),
    dfs = scalar(if (is.null(res$dfs)) "residual" else res$dfs),
    sigma2_fixed = fixed,
    yi = as.vector(res$yi),
    vi = as.vector(res$vi),
    X = mat_rows(res$X),
    colnames = colnames(res$X),
    beta = as.vector(res$beta),
    se = as.vector(res$se),
    zval = as.vector(res$zval),
    pval = as.vector(res$pval),
    ci_lb = as.vector(res$ci.lb),
    ci_ub = as.vector(res$ci.ub),
    vb = mat_rows(res$vb),
    ddf = as.numeric(res$ddf),
    sigma2 = as.vector(res$sigma2),
    s_nlevels = as.numeric(res$s.nlevels),
    sigma2_ci = ci,
    i2 = as.vector(ml_i2(res)),
    QE = scalar(res$QE),
    QEp = scalar(res$QEp),
    QEdf = scalar(res$k - res$p),
    QM = scalar(res$QM),
    QMp = scalar(res$QMp),
    QMdf = as.numeric(res$QMdf),
    k = scalar(res$k),
    p = scalar(res$p),
    loglik = scalar(as.numeric(logLik(res)))
  )
}

cases <- list()
add <- function(id, data, data_name, levels, mods = NULL, columns = character(0),
                method = "REML", test = "z", dfs = "residual", sigma2 = NULL) {
  random <- as.formula(paste("~ 1 |", paste(levels, collapse = "/")))
  fixed <- if (is.null(sigma2)) rep(NA_real_, length(levels)) else sigma2
  args <- list(yi = data$yi, V = data$vi, random = random, data = data, method = method,
               test = test, dfs = dfs, control = ctrl)
  if (!is.null(mods)) args$mods <- as.formula(mods)
  if (!is.null(sigma2)) args$sigma2 <- sigma2
  res <- do.call(rma.mv, args)
  call <- sprintf("rma.mv(yi, vi, random = %s, mods = %s, data = %s, method = \"%s\", test = \"%s\", dfs = \"%s\"%s)",
                  deparse(random), if (is.null(mods)) "NULL" else mods, data_name, method, test, dfs,
                  if (is.null(sigma2)) "" else paste0(", sigma2 = c(", paste(sigma2, collapse = ", "), ")"))
  cases[[id]] <<- fit_out(res, call, data_name, data, levels, if (is.null(mods)) "" else mods,
                          columns, fixed)
}

for (m in c("REML", "ML")) {
  add(paste0("konst-", m), konst, "dat.konstantopoulos2011", c("district", "school"), method = m)
  add(paste0("konst-", m, "-t"), konst, "dat.konstantopoulos2011", c("district", "school"),
      method = m, test = "t")
  add(paste0("konst-", m, "-contain"), konst, "dat.konstantopoulos2011", c("district", "school"),
      method = m, test = "t", dfs = "contain")
  add(paste0("konst-year-", m), konst, "dat.konstantopoulos2011", c("district", "school"),
      mods = "~ year", columns = "year", method = m)
  add(paste0("assink-", m), assink, "dat.assink2016", c("study", "esid"), method = m)
  add(paste0("assink-deltype-", m), assink, "dat.assink2016", c("study", "esid"),
      mods = "~ factor(deltype)", columns = "deltype", method = m)
}
add("konst-year-REML-contain", konst, "dat.konstantopoulos2011", c("district", "school"),
    mods = "~ year", columns = "year", test = "t", dfs = "contain")
add("assink-year-deltype-REML-contain", assink, "dat.assink2016", c("study", "esid"),
    mods = "~ year + factor(deltype)", columns = c("year", "deltype"), test = "t", dfs = "contain")
add("konst-REML-sigma2-NA-0", konst, "dat.konstantopoulos2011", c("district", "school"),
    sigma2 = c(NA, 0))
add("konst-REML-sigma2-0.05-NA", konst, "dat.konstantopoulos2011", c("district", "school"),
    sigma2 = c(0.05, NA))
add("konst-four-level-REML", konst, "dat.konstantopoulos2011", c("region", "district", "school"))

write_fixture(cases, file.path(REF_DIR, "multilevel.json"),
              "rma.mv multilevel models (nested random intercepts) with confint and multilevel I^2")
