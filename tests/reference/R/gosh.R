# GOSH: model fits to every subset of studies (gosh.rma), k = 8 (255 subsets).
# Subsets are identified by code = sum(2^(j-1) * included_j), so Python can compare the
# full set whatever the order. Writes tests/reference/gosh.json.

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 10000)

bcg <- read_metadat("dat.bcg")
bcg <- escalc("RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = bcg)
b8 <- bcg[1:8, ]
hack <- read_metadat("dat.hackshaw1998")
hack$yi <- log(hack$or)
hack$vi <- ((log(hack$ci.ub) - log(hack$ci.lb)) / (2 * qnorm(0.975)))^2
h9 <- hack[1:9, ]

cases <- list()
gosh_case <- function(id, res, call) {
  g <- gosh(res, progbar = FALSE)
  incl <- as.matrix(g$incl)
  code <- as.vector(incl %*% 2^(seq_len(ncol(incl)) - 1))
  cases[[id]] <<- list(
    call = scalar(call), method = scalar(res$method), tau2_fixed = scalar(res$tau2.fix),
    yi = as.vector(res$yi), vi = as.vector(res$vi),
    code = code, k = g$res$k, QE = g$res$QE, I2 = g$res$I2, H2 = g$res$H2, tau2 = g$res$tau2,
    estimate = g$res$estimate)
}
for (m in c("EE", "DL", "REML", "PM", "ML")) {
  r <- rma(yi, vi, data = b8, method = m, control = ctrl)
  gosh_case(sprintf("bcg8-%s", m), r, sprintf('gosh(rma(yi, vi, data = bcg[1:8, ], method = "%s"))', m))
}
r <- rma(yi, vi, data = b8, tau2 = 0.3, control = ctrl)
gosh_case("bcg8-tau2fixed", r, 'gosh(rma(yi, vi, data = bcg[1:8, ], tau2 = 0.3))')
r <- rma(yi, vi, data = h9, method = "REML", control = ctrl)
gosh_case("hackshaw9-REML", r, 'gosh(rma(yi, vi, data = hackshaw1998[1:9, ], method = "REML"))')

write_fixture(cases, file.path("tests/reference", "gosh.json"),
              "GOSH: every subset fit (gosh.rma) for small k")
