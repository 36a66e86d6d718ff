# Fixtures for the Q-profile confidence intervals: metafor::confint.rma.uni() (type "QP")
# for tau^2, tau, I^2 and H^2 on the datasets of rma_inputs.R, including bounds that are
# 0, the empty set, and bounds beyond the searched interval.
#
# Writes tests/reference/profile.json. uniroot's tolerance is tightened to 1e-12.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
source(file.path(REF_DIR, "R", "rma_inputs.R"), local = TRUE)
inputs <- ds

ci_case <- function(id, method, level, tau2_max = NULL) {
  d <- inputs[[id]]
  yi <- as.numeric(d$yi); vi <- as.numeric(d$vi)
  res <- fit_rma(yi, vi, method = method, level = level)
  ctrl <- list(tol = 1e-12, maxiter = 10000)
  if (!is.null(tau2_max)) ctrl$tau2.max <- tau2_max
  ci <- confint(res, control = ctrl)
  rnd <- ci$random
  list(dataset = scalar(id), method = scalar(method), level = scalar(level / 100),
       call = scalar(sprintf('confint(rma(yi, vi, method="%s", level=%g), control=list(tol=1e-12, maxiter=10000%s))',
                             method, level, if (is.null(tau2_max)) "" else sprintf(", tau2.max=%g", tau2_max))),
       tau2_max = scalar(if (is.null(tau2_max)) NA else tau2_max),
       estimate = as.numeric(rnd[, "estimate"]), lower = as.numeric(rnd[, "ci.lb"]),
       upper = as.numeric(rnd[, "ci.ub"]),
       lb_sign = scalar(ci$lb.sign), ub_sign = scalar(ci$ub.sign),
       ci_null = scalar(isTRUE(ci$ci.null)))
}

cases <- list()
for (id in setdiff(names(inputs), "edge-k1")) for (m in c("REML", "DL")) {
  cases[[sprintf("%s-%s", id, m)]] <- ci_case(id, m, 95)
}
for (m in c("HE", "HS", "SJ", "ML", "EB", "PM")) cases[[sprintf("bcg-RR-%s", m)]] <- ci_case("bcg-RR", m, 95)
for (id in c("bcg-RR", "normand1999-MD", "edge-tau0")) cases[[sprintf("%s-REML-90", id)]] <- ci_case(id, "REML", 90)
cases[["bcg-RR-REML-tau2max0.5"]] <- ci_case("bcg-RR", "REML", 95, tau2_max = 0.5)
cases[["bcg-RR-REML-tau2max0.1"]] <- ci_case("bcg-RR", "REML", 95, tau2_max = 0.1)
cases[["edge-k2-REML-tau2max1e6"]] <- ci_case("edge-k2", "REML", 95, tau2_max = 1e6)
# The true upper bounds where the default limit max(100, 10 * tau2) cuts the search short
# (metaevidence finds them by default; metafor needs a larger tau2.max)
cases[["edge-k2-DL-tau2max1e6"]] <- ci_case("edge-k2", "DL", 95, tau2_max = 1e6)
cases[["normand1999-MD-DL-tau2max1e6"]] <- ci_case("normand1999-MD", "DL", 95, tau2_max = 1e6)

write_fixture(cases, file.path(REF_DIR, "profile.json"),
              "metafor::confint.rma.uni Q-profile intervals for tau^2, tau, I^2, H^2 (rows in that order)")
