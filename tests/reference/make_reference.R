#!/usr/bin/env Rscript
# Regenerates every metafor fixture in tests/reference/*.json.
#
#   Rscript tests/reference/make_reference.R            (from the repository root)
#
# R and metafor come from Debian's packages:
#   apt-get install -y r-base-core r-cran-metafor r-cran-jsonlite
# and, for multilevel.R, multivariate.R and robust.R (data from metadat; clubSandwich; robumeta):
#   apt-get install -y r-cran-metadat r-cran-clubsandwich r-cran-robumeta
# and, for rma_glmm.R (metafor's rma.glmm fits with glmer; numDeriv for the polished SEs):
#   apt-get install -y r-cran-lme4 r-cran-numderiv
# and, for rma_glmm_cmel.R (metafor's CM.EL needs BiasedUrn; the script checks against it too):
#   apt-get install -y r-cran-biasedurn
# Each script in tests/reference/R/ (other than helpers.R) writes one fixture file;
# escalc_v5.R and selmodel_v5.R need metafor >= 5.0-1, fsn_general_v5.R metafor >= 4.4-0 and
# fivenum_v5.R metafor >= 4.0-0, predict_prob_v5.R, hettest_v5.R and smd_cutoff_v5.R metafor >= 5.1-0 and
# labbe_v5.R and adjust_v5.R metafor >= 4.8-0 (see their headers); they skip under Debian's 3.8-1;
# tacc_meta.R needs R's meta package (not in Debian; see its header) and skips without it.
# The raw datasets are read from metaevidence/datasets/data (package data; the same
# files as ../shared/data/metadat).

args <- commandArgs(trailingOnly = TRUE)
METADAT_DIR <- if (length(args) >= 1) args[1] else "metaevidence/datasets/data"
REF_DIR <- "tests/reference"
source(file.path(REF_DIR, "R", "helpers.R"))
suppressPackageStartupMessages(library(metafor))

scripts <- sort(list.files(file.path(REF_DIR, "R"), pattern = "\\.R$", full.names = TRUE))
for (s in scripts[basename(scripts) != "helpers.R"]) {
  cat("==", s, "\n")
  source(s, local = new.env())
}
