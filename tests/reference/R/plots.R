# Fixture for the plots tests: complete metafor fits that the forest and funnel plots draw.
#
# Plots never compute statistics; their tests draw results whose every number comes from
# metafor. Each case holds a fit's inputs (per-arm data, labels, study attributes) and every
# output field of metaevidence's MetaAnalysis contract (results.py), so tests can build the
# result objects field by field and check forest_table() against them.
#
# Cases:
#   bcg-OR-REML-knha     13 BCG trials, odds ratio, REML + Hartung-Knapp (issue 5's main figure)
#   bcg-OR-EE            the same trials, common-effect (inverse-variance) model
#   bcg-OR-REML-alloc    subgroups by allocation method (separate tau^2 per subgroup) + overall
#   bcg-OR-REML-knha-l1o leave-one-out of the REML + HK fit
#   lau-OR-REML-cumul    33 streptokinase trials (Lau 1992), cumulative REML by year
#   normand-MD-REML      9 stroke-unit trials, mean difference (continuous per-arm data)
#   bcg3-drop00-REML     3 BCG trials + one double-zero trial dropped by escalc(drop00=TRUE)
#   synthetic-OR-DL-<k>  synthetic 2x2 trials (seeded), k = 40 and 150, DerSimonian-Laird

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

fit_case <- function(call_text, dat, fit, data_cols, labels, info = list()) {
  n <- nrow(dat)
  inc <- !is.na(dat$yi) & !is.na(dat$vi)
  w <- rep(NA_real_, n)
  w[inc] <- weights(fit)
  pr <- predict(fit)
  sm <- summary(dat)  # per-study CIs as metafor prints them: yi -/+ qnorm(0.975) sqrt(vi)
  stat <- fit$zval  # metafor stores the t statistic in zval under knha
  list(
    call = scalar(call_text),
    labels = labels,
    data = data_cols,
    study_info = info,
    yi = as.numeric(dat$yi),
    vi = as.numeric(dat$vi),
    included = inc,
    weights = w,
    study_ci_lower = as.numeric(sm$ci.lb),
    study_ci_upper = as.numeric(sm$ci.ub),
    estimate = scalar(as.numeric(fit$b)),
    se = scalar(fit$se),
    statistic = scalar(stat),
    p_value = scalar(fit$pval),
    ci_lower = scalar(fit$ci.lb),
    ci_upper = scalar(fit$ci.ub),
    df = scalar(if (fit$test == "z") NaN else fit$k - 1),
    pi_lower = scalar(if (is.null(pr$pi.lb)) pr$ci.lb else pr$pi.lb),
    pi_upper = scalar(if (is.null(pr$pi.ub)) pr$ci.ub else pr$pi.ub),
    tau2 = scalar(fit$tau2),
    tau2_se = scalar(if (is.null(fit$se.tau2)) NaN else fit$se.tau2),
    tau = scalar(sqrt(fit$tau2)),
    i2 = scalar(fit$I2),
    h2 = scalar(fit$H2),
    q = scalar(fit$QE),
    q_df = scalar(fit$k - 1),
    q_p_value = scalar(fit$QEp),
    k = scalar(fit$k),
    measure = scalar(fit$measure),
    method = scalar(fit$method),
    test = scalar(fit$test),
    level = scalar(1 - fit$level)
  )
}

cases <- list()

# --- BCG -------------------------------------------------------------------------------
bcg <- read_metadat("dat.bcg")
bcg_labels <- paste(bcg$author, bcg$year)
bcg_data <- list(ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg)
bcg_info <- list(year = bcg$year, alloc = bcg$alloc, ablat = bcg$ablat)
dat <- escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)

fit <- rma(yi, vi, data = dat, method = "REML", test = "knha", control = ctrl)
cases[["bcg-OR-REML-knha"]] <- fit_case(
  "rma(yi, vi, data = escalc('OR', ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg), method = 'REML', test = 'knha')",
  dat, fit, bcg_data, bcg_labels, bcg_info)

fit_ee <- rma(yi, vi, data = dat, method = "EE")
cases[["bcg-OR-EE"]] <- fit_case(
  "rma(yi, vi, data = escalc('OR', ...dat.bcg), method = 'EE')",
  dat, fit_ee, bcg_data, bcg_labels, bcg_info)

# subgroups by allocation: separate REML fits, overall REML fit, and the test for subgroup
# differences as the common-effect Q across subgroup estimates (RevMan's definition).
groups <- c("random", "alternate", "systematic")
sub <- list()
b <- c(); s <- c()
for (g in groups) {
  rows <- bcg$alloc == g
  d <- dat[rows, ]
  f <- rma(yi, vi, data = d, method = "REML", control = ctrl)
  sub[[g]] <- fit_case(sprintf("rma(yi, vi, data = dat[dat$alloc == '%s', ], method = 'REML')", g),
                       d, f, lapply(bcg_data, function(v) v[rows]), bcg_labels[rows],
                       lapply(bcg_info, function(v) v[rows]))
  b <- c(b, as.numeric(f$b)); s <- c(s, f$se)
}
overall <- rma(yi, vi, data = dat, method = "REML", control = ctrl)
between <- rma(b, sei = s, method = "EE")
cases[["bcg-OR-REML-alloc"]] <- list(
  call = scalar("per-group rma(yi, vi, method = 'REML'); rma(b_g, sei = se_g, method = 'EE')$QE"),
  groups = groups,
  group_of = bcg$alloc,
  subgroups = sub,
  overall = fit_case("rma(yi, vi, data = dat, method = 'REML')", dat, overall, bcg_data,
                     bcg_labels, bcg_info),
  q_between = scalar(between$QE),
  q_between_df = scalar(length(groups) - 1),
  q_between_p_value = scalar(between$QEp)
)

batch_case <- function(call_text, x, mask, row_labels, kind, k) {
  list(call = scalar(call_text), kind = scalar(kind), row_labels = row_labels,
       mask = mask, k = k,
       estimate = x$estimate, se = x$se,
       statistic = if (is.null(x$zval)) x$tval else x$zval,
       p_value = if (is.null(x$pval)) x$pvals else x$pval,
       ci_lower = x$ci.lb, ci_upper = x$ci.ub,
       tau2 = x$tau2, i2 = x$I2, h2 = x$H2, q = x$Q, q_p_value = x$Qp)
}

l1o <- leave1out(fit)
n <- nrow(bcg)
cases[["bcg-OR-REML-knha-l1o"]] <- c(
  batch_case("leave1out(rma(yi, vi, data = dat.bcg OR, method = 'REML', test = 'knha'))",
             l1o, lapply(seq_len(n), function(i) seq_len(n) != i),
             paste("omitting", bcg_labels), "leave-one-out", rep(n - 1, n)),
  list(test = scalar("knha"), df = rep(n - 2, n), level = scalar(0.95)))

# --- Lau 1992 cumulative -----------------------------------------------------------------
lau <- read_metadat("dat.lau1992")
dl <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = lau)
fl <- rma(yi, vi, data = dl, method = "REML", control = ctrl)
cu <- cumul(fl, order = lau$year)
n <- nrow(lau)
lau_labels <- paste(lau$trial, lau$year)
ord <- order(lau$year)
cases[["lau-OR-REML-cumul"]] <- c(
  batch_case("cumul(rma(yi, vi, data = escalc('OR', ...dat.lau1992), method = 'REML'), order = year)",
             cu, lapply(seq_len(n), function(i) seq_len(n) %in% ord[seq_len(i)]),
             paste("+", lau_labels[ord]), "cumulative", seq_len(n)),
  list(test = scalar("z"), df = rep(NaN, n), level = scalar(0.95),
       parent = fit_case("rma(yi, vi, data = escalc('OR', ...dat.lau1992), method = 'REML')",
                         dl, fl, list(ai = lau$ai, n1i = lau$n1i, ci = lau$ci, n2i = lau$n2i),
                         lau_labels, list(year = lau$year))))

# --- Normand 1999: continuous per-arm data -----------------------------------------------
nor <- read_metadat("dat.normand1999")
dn <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor)
fn <- rma(yi, vi, data = dn, method = "REML", control = ctrl)
cases[["normand-MD-REML"]] <- fit_case(
  "rma(yi, vi, data = escalc('MD', ...dat.normand1999), method = 'REML')", dn, fn,
  list(m1i = nor$m1i, sd1i = nor$sd1i, n1i = nor$n1i, m2i = nor$m2i, sd2i = nor$sd2i, n2i = nor$n2i),
  nor$source)

# --- three BCG trials plus a double-zero trial dropped by drop00 ---------------------------
d3 <- data.frame(author = c(bcg$author[1:3], "Zero & Zero"), year = c(bcg$year[1:3], 1990),
                 tpos = c(bcg$tpos[1:3], 0), tneg = c(bcg$tneg[1:3], 50),
                 cpos = c(bcg$cpos[1:3], 0), cneg = c(bcg$cneg[1:3], 48))
e3 <- escalc("OR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = d3, drop00 = TRUE)
f3 <- rma(yi, vi, data = e3, method = "REML", control = ctrl)
cases[["bcg3-drop00-REML"]] <- fit_case(
  "rma(yi, vi, data = escalc('OR', ..., drop00 = TRUE), method = 'REML')", e3, f3,
  list(ai = d3$tpos, bi = d3$tneg, ci = d3$cpos, di = d3$cneg), paste(d3$author, d3$year),
  list(year = d3$year))

# --- synthetic 2x2 trials ------------------------------------------------------------------
set.seed(20240501)
surnames <- c("Smith", "Okafor", "Nguyen", "García-Hernández", "Kowalczyk", "Andersson",
              "Tanaka", "O'Brien", "Müller", "Rossi", "Haddad", "Petrov", "Silva", "Chen",
              "Van der Berg", "Abdullahi", "Lindqvist", "Fernández de Córdoba", "Ivanova", "Patel")
k_max <- 150
n1 <- round(exp(runif(k_max, log(20), log(3000))))
n2 <- round(n1 * runif(k_max, 0.8, 1.25))
p2 <- runif(k_max, 0.05, 0.4)
theta <- rnorm(k_max, -0.3, 0.35)
p1 <- plogis(qlogis(p2) + theta)
a <- rbinom(k_max, n1, p1); cc <- rbinom(k_max, n2, p2)
yrs <- sort(sample(1970:2023, k_max, replace = TRUE))
labs <- paste0(sample(surnames, k_max, replace = TRUE), ifelse(runif(k_max) < 0.4, " et al.", ""), " ", yrs)
labs[7] <- "The Extraordinarily Long-Named Multicentre Collaborative Randomised Trial Group 1979"
for (k in c(40, 150)) {
  ds <- data.frame(ai = a[1:k], n1i = n1[1:k], ci = cc[1:k], n2i = n2[1:k])
  es <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = ds)
  fs <- rma(yi, vi, data = es, method = "DL")
  cases[[sprintf("synthetic-OR-DL-%d", k)]] <- fit_case(
    sprintf("rma(yi, vi, data = escalc('OR', ...synthetic k = %d), method = 'DL')", k), es, fs,
    list(ai = ds$ai, n1i = ds$n1i, ci = ds$ci, n2i = ds$n2i), labs[1:k], list(year = yrs[1:k]))
}

write_fixture(cases, file.path(REF_DIR, "plots.json"),
              "Complete metafor fits drawn by the forest/funnel plot tests (plots never compute statistics).")
