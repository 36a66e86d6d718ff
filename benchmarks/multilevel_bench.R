# Times rma.mv on the data of benchmarks/multilevel.py (inside R: start-up not counted).
suppressPackageStartupMessages({library(metafor); library(jsonlite)})
d <- fromJSON(commandArgs(trailingOnly = TRUE)[1])
dat <- data.frame(yi = d$yi, vi = d$vi, cluster = d$cluster, effect = seq_along(d$yi))
reps <- 5
one <- system.time(for (i in seq_len(reps)) res <- rma.mv(yi, vi, random = ~ 1 | cluster/effect, data = dat))[["elapsed"]] / reps
batch <- system.time(for (b in seq_len(nrow(d$perms))) {
  dd <- dat; dd$yi <- dat$yi[d$perms[b, ]]
  rma.mv(yi, vi, random = ~ 1 | cluster/effect, data = dd)
})[["elapsed"]]
cat(toJSON(list(one = one, batch = batch, sigma2 = res$sigma2), auto_unbox = TRUE, digits = 10), "\n")
