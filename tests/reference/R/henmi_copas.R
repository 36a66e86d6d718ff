# Fixture: the Henmi & Copas (2010) confidence interval, metafor's hc(rma(yi, vi, ...)):
# the fixed-effect estimate with its variance under the random-effects model (DerSimonian-
# Laird tau^2), and the interval that allows for the uncertainty in tau^2. hc() finds its
# critical value with uniroot(), whose default tolerance (eps^0.25, about 1.2e-4) would make
# the fixture the limit of the comparison; control = list(tol = 1e-12) tightens it (the
# integral inside is then accurate to ~1e-11 in the critical value, as the test shows).
# dat.lee2004 is the paper's own example (p. 2978: estimate -0.5145, CI -0.9994 to -0.0295),
# read from the metadat package (not one of the shipped datasets); the others come from the
# shipped raw data. Also the refusal: a model with moderators.
#
# Writes tests/reference/henmi_copas.json.

suppressPackageStartupMessages(library(metadat))
sets <- list()
lee <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = metadat::dat.lee2004)
sets$lee2004 <- lee
bcg <- read_metadat("dat.bcg")
sets$bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
hack <- read_metadat("dat.hackshaw1998")
hack$yi <- log(hack$or)
hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
sets$hackshaw1998 <- hack
for (nm in c("egger2001", "li2007", "yusuf1985")) {
  d <- read_metadat(paste0("dat.", nm))
  sets[[nm]] <- escalc("OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = d)
}
sets$yusuf1985 <- sets$yusuf1985[is.finite(sets$yusuf1985$yi), ]
# few studies: the five bcg trials at absolute latitude below 30 degrees (k = 5, DL tau^2 0.09);
# yusuf1985 above has DL tau^2 = 0
sets$bcg_homogeneous <- sets$bcg[sets$bcg$ablat < 30, ]

cases <- list()
for (nm in names(sets)) {
  d <- sets[[nm]]
  for (cfg in list(list("DL", 95), list("REML", 95), list("DL", 90))) {
    r <- rma(d$yi, d$vi, method = cfg[[1]], level = cfg[[2]], control = list(threshold = 1e-12))
    h <- hc(r, control = list(tol = 1e-12))
    cases[[sprintf("%s-%s-%g", nm, cfg[[1]], cfg[[2]])]] <- list(
      call = scalar(sprintf('hc(rma(yi, vi, method = "%s", level = %g, control = list(threshold = 1e-12)), control = list(tol = 1e-12))',
                            cfg[[1]], cfg[[2]])),
      method = scalar(cfg[[1]]), level = scalar(cfg[[2]] / 100),
      yi = as.numeric(d$yi), vi = as.numeric(d$vi),
      estimate = scalar(as.numeric(h$beta)), se = scalar(as.numeric(h$se)),
      ci_lb = scalar(as.numeric(h$ci.lb)), ci_ub = scalar(as.numeric(h$ci.ub)),
      tau2 = scalar(as.numeric(h$tau2)),
      rma_estimate = scalar(as.numeric(h$beta.rma)), rma_se = scalar(as.numeric(h$se.rma)),
      rma_ci_lb = scalar(as.numeric(h$ci.lb.rma)), rma_ci_ub = scalar(as.numeric(h$ci.ub.rma)),
      rma_tau2 = scalar(as.numeric(h$tau2.rma)))
  }
}
mods <- tryCatch(hc(rma(yi, vi, mods = ~ ablat, data = sets$bcg)), error = function(e) conditionMessage(e))
cases$refusal_moderators <- list(message = scalar(mods))
write_fixture(cases, file.path(REF_DIR, "henmi_copas.json"),
              "Henmi & Copas (2010) interval: metafor hc(rma(yi, vi), control = list(tol = 1e-12))")
