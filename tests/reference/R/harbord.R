# Harbord's modified test for small-study effects in binary outcomes (Harbord, Egger &
# Sterne 2006, Stat Med 25:3443): Z/sqrt(V) regressed on sqrt(V) by ordinary least squares,
# Z = ai - (ai+ci) n1i/N (the efficient score of the log OR at 0) and V = its variance, the
# hypergeometric (ai+ci)(bi+di) n1i n2i / (N^2 (N-1)). Z/V and 1/V are Peto's log odds ratio
# and its variance (escalc measure "PETO"), so the test is metafor's Egger test with
# model = "lm" and predictor = "sei" on the Peto effects: that is the oracle here, and base
# R's lm() on Harbord's own variables is computed beside it as a check of the equivalence.
# Writes tests/reference/harbord.json.

cases <- list()
for (nm in c("egger2001", "li2007", "lau1992", "bcg")) {
  d <- read_metadat(paste0("dat.", nm))
  if (nm == "bcg") d <- data.frame(ai = d$tpos, n1i = d$tpos + d$tneg, ci = d$cpos, n2i = d$cpos + d$cneg)
  # add = 0: Z and V need no continuity correction (a zero cell still has V > 0); escalc's
  # default 1/2 for tables with a zero would change those studies' Peto effects
  es <- escalc("PETO", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d, add = 0)
  rt <- regtest(es$yi, es$vi, model = "lm", predictor = "sei")
  d <- data.frame(lapply(d[c("ai", "n1i", "ci", "n2i")], as.numeric))  # integer products overflow in V
  N <- d$n1i + d$n2i
  Z <- d$ai - (d$ai + d$ci) * d$n1i / N
  V <- (d$ai + d$ci) * (N - d$ai - d$ci) * d$n1i * d$n2i / (N^2 * (N - 1))
  fit <- summary(lm(I(Z / sqrt(V)) ~ sqrt(V)))
  cases[[paste0("harbord-", nm)]] <- list(
    call = scalar(sprintf('regtest(escalc("PETO", ai, n1i, ci, n2i, data = dat.%s, add = 0), model = "lm", predictor = "sei")', nm)),
    ai = as.numeric(d$ai), n1i = as.numeric(d$n1i), ci = as.numeric(d$ci), n2i = as.numeric(d$n2i),
    zval = scalar(rt$zval), pval = scalar(rt$pval), dfs = scalar(rt$dfs),
    lm_intercept = scalar(fit$coefficients[1, 1]), lm_intercept_se = scalar(fit$coefficients[1, 2]),
    lm_t = scalar(fit$coefficients[1, 3]), lm_slope = scalar(fit$coefficients[2, 1]))
}
write_fixture(cases, file.path(REF_DIR, "harbord.json"),
              "Harbord's test: metafor regtest(model='lm', predictor='sei') on Peto log ORs, and lm() on Z/sqrt(V) ~ sqrt(V)")
