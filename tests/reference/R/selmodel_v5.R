# Fixture: metafor 5.x selmodel(type = "trunc"), the truncation model that selects on the
# estimate itself (w = 1 on the published side of a cut-point, delta on the other), and
# type = "negexppow", w(p) = exp(-delta1 p^(1/delta2)), and the truncated beta function
# (type = "beta" with steps = c(alpha1, alpha2)) and type = "truncest" (the cut-point
# estimated), which metafor 3.8-1 lacks. Writes tests/reference/selmodel_v5.json; with a metafor older than
# 5.0-1 (Debian's 3.8-1) it leaves the committed file alone and says so. The committed file
# was written by metafor 5.1-12 built from source (see escalc_v5.R):
#   R_LIBS=/tmp/rlib5 Rscript tests/reference/make_reference.R
# The likelihood is in closed form; optim BFGS at reltol = 1e-12; SEs from metafor's numDeriv
# Hessian.

write_selmodel_v5 <- function() {
  if (packageVersion("metafor") < "5.0.1") {
    cat("selmodel_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.0-1; tests/reference/selmodel_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  hack <- read_metadat("dat.hackshaw1998")
  hack$yi <- log(hack$or)
  hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
  bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = read_metadat("dat.bcg"))
  one <- function(d, method, alternative, steps = NULL, delta = NULL, type = "trunc", prec = NULL,
                  decreasing = FALSE, mods = NULL, rel.tol = 1e-10) {
    res <- if (is.null(mods)) rma(yi, vi, data = d, method = method) else rma(yi, vi, mods = d[[mods]], data = d, method = method)
    control <- list(reltol = 1e-12, maxit = 10000)
    # the parametric functions: their normalising constants by integrate() at rel.tol 1e-10
    # (the default eps^0.25 moves the log-likelihood by ~1e-6)
    # (a threshold makes the integrand jump: there rel.tol 1e-8, as 1e-10 does not finish in 20 minutes)
    if (!type %in% c("trunc", "truncest", "stepfun")) control$intCtrl <- list(rel.tol = rel.tol, subdivisions = 1000L)
    args <- list(res, type = type, alternative = alternative, control = control)
    if (!is.null(steps)) args$steps <- steps
    if (!is.null(delta)) args$delta <- delta
    if (!is.null(prec)) args$prec <- prec
    if (decreasing) args$decreasing <- TRUE
    s <- suppressWarnings(do.call(selmodel, args))
    ml <- if (is.null(mods)) rma(yi, vi, data = d, method = if (method == "EE") "EE" else "ML") else
      rma(yi, vi, mods = d[[mods]], data = d, method = if (method == "EE") "EE" else "ML")
    list(call = scalar(sprintf('selmodel(rma(yi, vi, %smethod="%s"), type="%s", alternative="%s"%s%s%s%s)',
                               if (is.null(mods)) "" else sprintf("mods=~%s, ", mods), method,
                               type, alternative,
                               if (is.null(steps)) "" else if (length(steps) == 1) sprintf(", steps=%g", steps)
                               else sprintf(", steps=c(%s)", paste(steps, collapse = ", ")),
                               if (is.null(delta)) "" else sprintf(", delta=c(%s)", paste(delta, collapse = ", ")),
                               if (is.null(prec)) "" else sprintf(', prec="%s"', prec),
                               if (decreasing) ", decreasing=TRUE" else "")),
         decreasing = scalar(decreasing),
         mods = if (is.null(mods)) list() else as.numeric(d[[mods]]),
         coefficients = as.numeric(s$beta), se_coefficients = as.numeric(s$se),
         yi = as.numeric(d$yi), vi = as.numeric(d$vi), method = scalar(method), type = scalar(type),
         prec = scalar(if (is.null(prec)) NA else prec),
         alternative = scalar(alternative), steps = if (is.null(steps)) list() else as.numeric(steps),
         fixed_delta = if (is.null(delta)) list() else as.numeric(delta),
         beta = scalar(as.numeric(s$beta)[1]), se = scalar(as.numeric(s$se)[1]), tau2 = scalar(s$tau2),
         se_tau2 = scalar(if (is.null(s$se.tau2)) NA else s$se.tau2),
         delta = as.numeric(s$delta), se_delta = as.numeric(s$se.delta),
         ll = scalar(as.numeric(logLik(s))), ll_null = scalar(as.numeric(logLik(ml))),
         LRT = scalar(s$LRT), LRTdf = scalar(s$LRTdf), LRTp = scalar(s$LRTp))
  }
  cases <- list(
    "bcg-trunc-less" = one(bcg, "ML", "less"),
    "bcg-trunc-less-EE" = one(bcg, "EE", "less"),
    "bcg-trunc-less-cut" = one(bcg, "ML", "less", steps = -0.5),
    "hackshaw-trunc-greater" = one(hack, "ML", "greater"),
    "hackshaw-trunc-greater-cut" = one(hack, "ML", "greater", steps = 0.2),
    "hackshaw-trunc-fixed" = one(hack, "ML", "greater", delta = 0.5),
    # the negative-exponential power function (metafor 5); its Hessian is often singular
    # (metafor's SEs NA)
    "hackshaw-negexppow-greater" = one(hack, "ML", "greater", type = "negexppow"),
    "hackshaw-negexppow-sei" = one(hack, "ML", "greater", type = "negexppow", prec = "sei"),
    "hackshaw-negexppow-fixed" = one(hack, "ML", "greater", type = "negexppow", delta = c(NA, 1)),
    "bcg-negexppow-less" = one(bcg, "ML", "less", type = "negexppow"),
    # with a threshold: w = min(1, w(p)/w(alpha)); metafor's default integration is 4e-3 off
    # in the log-likelihood here, rel.tol 1e-8 about 1e-7 (~30 s each)
    "hackshaw-negexppow-threshold" = one(hack, "ML", "greater", type = "negexppow", steps = 0.05, rel.tol = 1e-8),
    "hackshaw-negexppow-threshold-sei" = one(hack, "ML", "greater", type = "negexppow", steps = 0.05, prec = "sei",
                                             rel.tol = 1e-8),
    # a step function whose deltas must decrease (metafor's decreasing=TRUE): on bcg the
    # free estimates rise, so the constraint pools them; on hackshaw it is inactive
    "bcg-stepfun-decreasing" = one(bcg, "ML", "less", steps = c(0.025, 0.1, 0.5), type = "stepfun",
                                   decreasing = TRUE),
    "hackshaw-stepfun-decreasing" = one(hack, "ML", "greater", steps = c(0.025, 0.1, 0.5), type = "stepfun",
                                        decreasing = TRUE),
    # a meta-regression under selection (selmodel of an rma fit with moderators)
    "bcg-ablat-stepfun" = one(bcg, "ML", "less", steps = 0.05, type = "stepfun", mods = "ablat"),
    "bcg-ablat-halfnorm" = one(bcg, "ML", "less", type = "halfnorm", mods = "ablat"),
    "hackshaw-year-stepfun-EE" = one(hack, "EE", "greater", steps = 0.025, type = "stepfun", mods = "year"),
    # the truncated beta function (metafor 5, after Pustejovsky 2024): the beta function at
    # p clamped to [alpha_1, alpha_2] (steps=); ~50 s each at rel.tol 1e-10
    "hackshaw-beta-truncated" = one(hack, "ML", "greater", steps = c(0.025, 0.975), type = "beta"),
    "hackshaw-beta-truncated-narrow" = one(hack, "ML", "greater", steps = c(0.05, 0.5), type = "beta"),
    "bcg-beta-truncated-less" = one(bcg, "ML", "less", steps = c(0.025, 0.975), type = "beta"),
    # the truncation model with its cut-point estimated (delta.2; "experimental" in metafor 5)
    "hackshaw-truncest-greater" = one(hack, "ML", "greater", type = "truncest"),
    "bcg-truncest-less" = one(bcg, "ML", "less", type = "truncest")
  )
  write_fixture(cases, file.path(REF_DIR, "selmodel_v5.json"),
                "metafor 5.x selmodel(type = 'trunc', 'negexppow', the truncated beta, truncest, decreasing=, mods=), which metafor 3.8-1 lacks")
}
write_selmodel_v5()
