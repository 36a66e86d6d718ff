# metafor 5.x rma.uni(method="DLIT") (iterated DerSimonian-Laird): tau^2 and its standard
# error on every dataset of rma_inputs.R, with and without moderators. Debian's metafor 3.8-1
# is not used here: its DLIT stops away from the fixed point (see tau2_more.R).
#
# Writes tests/reference/tau2_dlit_v5.json. Needs metafor >= 5.0-1: with an older metafor it
# leaves the committed file alone and says so. The committed file was written by metafor
# 5.1-12 (R_LIBS=/tmp/rlib5, built as described in escalc_v5.R); it reports for DLIT the
# standard error metafor reports for PM, k sqrt(2/(k-p)) / sum(w), at the DLIT estimate.

if (!exists("REF_DIR")) REF_DIR <- "tests/reference"
write_dlit_fixture <- function() {
  if (packageVersion("metafor") < "5.0.1") {
    cat("tau2_dlit_v5.R: metafor", as.character(packageVersion("metafor")),
        "is older than 5.0-1; tests/reference/tau2_dlit_v5.json left unchanged\n")
    return(invisible(NULL))
  }
  source(file.path(REF_DIR, "R", "rma_inputs.R"), local = TRUE)
  ctrl <- "control=list(threshold=1e-12, tol=1e-12, maxiter=10000)"
  cases <- list()
  for (id in names(ds)) {
    d <- ds[[id]]
    res <- tryCatch(suppressWarnings(rma(d$yi, d$vi, method = "DLIT", control = CONTROL)),
                    error = function(e) conditionMessage(e))
    if (is.character(res)) {
      cases[[id]] <- list(dataset = scalar(id), error = scalar(res))
      next
    }
    cases[[id]] <- list(dataset = scalar(id), call = scalar(sprintf('rma(yi, vi, method="DLIT", %s)', ctrl)),
                        tau2 = scalar(res$tau2), tau2_se = scalar(res$se.tau2),
                        estimate = scalar(as.numeric(res$beta)), se = scalar(res$se))
  }
  specs <- list(
    "bcg-RR~ablat" = list(d = "bcg-RR", X = cbind(1, bcg$ablat), mods = "~ ablat"),
    "raudenbush1985-SMD~weeks" = list(d = "raudenbush1985-SMD", X = cbind(1, rau$weeks), mods = "~ weeks")
  )
  for (sid in names(specs)) {
    sp <- specs[[sid]]; d <- ds[[sp$d]]
    res <- rma(d$yi, d$vi, mods = sp$X, intercept = FALSE, method = "DLIT", control = CONTROL)
    cases[[sid]] <- list(dataset = scalar(sp$d), mods = scalar(sp$mods),
                         call = scalar(sprintf('rma(yi, vi, mods=%s, method="DLIT", %s)', sp$mods, ctrl)),
                         X = lapply(seq_len(ncol(sp$X)), function(j) as.numeric(sp$X[, j])),
                         tau2 = scalar(res$tau2), tau2_se = scalar(res$se.tau2),
                         beta = as.numeric(res$beta))
  }
  write_fixture(cases, file.path(REF_DIR, "tau2_dlit_v5.json"),
                "metafor 5.x rma.uni(method='DLIT'): tau^2 and its standard error")
}
write_dlit_fixture()
