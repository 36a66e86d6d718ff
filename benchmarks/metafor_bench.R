# Times metafor inside R for benchmarks/run.py (run by hand, never in the tests).
#
#   Rscript benchmarks/metafor_bench.R <dir> <single_reps> <n_batch> <loo_reps>
#
# <dir> holds the data written by run.py as little-endian float64 files: bcg_yi, bcg_vi
# (13), batch_yi, batch_vi (n x 20, row-major), loo_yi, loo_vi (100). Prints one JSON
# object with seconds per operation (system.time over repetitions, elapsed).

suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
single_reps <- as.integer(args[2])
n_batch <- as.integer(args[3])
loo_reps <- as.integer(args[4])
rd <- function(name, n) readBin(file.path(dir, name), "double", n = n, size = 8, endian = "little")

bcg_yi <- rd("bcg_yi", 13); bcg_vi <- rd("bcg_vi", 13)
k <- 20
Y <- matrix(rd("batch_yi", 1e8), ncol = k, byrow = TRUE)
V <- matrix(rd("batch_vi", 1e8), ncol = k, byrow = TRUE)
Y <- Y[seq_len(n_batch), , drop = FALSE]; V <- V[seq_len(n_batch), , drop = FALSE]
loo_yi <- rd("loo_yi", 100); loo_vi <- rd("loo_vi", 100)

invisible(rma(bcg_yi, bcg_vi))                       # warm-up
t_single <- system.time(for (i in seq_len(single_reps)) rma(bcg_yi, bcg_vi, method = "REML"))[["elapsed"]] / single_reps

failed <- 0L
t_batch <- system.time(for (i in seq_len(nrow(Y))) {
  r <- tryCatch(rma(Y[i, ], V[i, ], method = "REML", test = "knha"), error = function(e) NULL)
  if (is.null(r)) failed <- failed + 1L
})[["elapsed"]]

res100 <- rma(loo_yi, loo_vi, method = "REML")
t_loo <- system.time(for (i in seq_len(loo_reps)) leave1out(res100))[["elapsed"]] / loo_reps

cat(sprintf('{"single": %.9g, "batch_total": %.9g, "batch_n": %d, "batch_failed": %d, "loo": %.9g, "metafor": "%s", "r": "%s"}\n',
            t_single, t_batch, nrow(Y), failed, t_loo, as.character(packageVersion("metafor")),
            R.version.string))
