"""GOSH benchmark: every subset of a k = 16 meta-analysis, metaevidence vs metafor.

    python benchmarks/gosh.py                  # full run: all 65,535 subsets in both
    python benchmarks/gosh.py --r-subsets 4000 # time metafor on a random sample of
                                               # subsets and extrapolate (said so in output)

Data: dat.egger2001 (16 trials of intravenous magnesium), log odds ratios, REML (the
default of both packages). metafor runs gosh(rma(yi, vi)) in one Rscript process; its
per-subset results are read back and compared with ours subset by subset. Peak memory
of the Python fit is measured with tracemalloc (the fit runs in chunks of
``--chunk-size`` subsets, so memory stays bounded whatever the number of subsets).
Run by hand, never in the test suite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import metaevidence as me  # noqa: E402
from metaevidence.stats.gosh import gosh  # noqa: E402  (also me.gosh)

R_SCRIPT = r"""
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
d <- read.table(args[1], header = TRUE)
tight <- length(args) >= 5 && args[5] == "tight"
ctrl <- if (tight) list(threshold = 1e-12, maxiter = 10000) else list()
res <- rma(yi, vi, data = d, method = args[4], control = ctrl)
if (tight) set.seed(20261127)
n <- as.integer(args[3])
t0 <- proc.time()[["elapsed"]]
g <- if (n > 0) gosh(res, subsets = n, progbar = FALSE) else gosh(res, progbar = FALSE)
el <- proc.time()[["elapsed"]] - t0
incl <- as.matrix(g$incl)
code <- as.vector(incl %*% 2^(seq_len(ncol(incl)) - 1))
out <- data.frame(code = code, k = g$res$k, estimate = g$res$estimate, tau2 = g$res$tau2,
                  I2 = g$res$I2)
write.csv(out, args[2], row.names = FALSE)
cat(sprintf("%.6f %d %s\n", el, nrow(out), as.character(packageVersion("metafor"))))
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--r-subsets", type=int, default=0, help="metafor: number of random subsets to time (0 = all 65,535)"
    )
    ap.add_argument("--method", default="REML")
    ap.add_argument("--chunk-size", type=int, default=8192)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--tight-sample",
        type=int,
        default=1000,
        help="also compare this many random subsets with metafor fits "
        "converged to threshold 1e-12 (0 = skip)",
    )
    ap.add_argument("--json", type=Path, help="write the results here as JSON")
    args = ap.parse_args(argv)

    d = me.datasets.load_egger2001()
    es = me.effect_sizes("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])
    fit = me.meta_regression(es, method=args.method)
    k = fit.k
    total = 2**k - 1

    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        ours = gosh(fit, chunk_size=args.chunk_size)
        times.append(time.perf_counter() - t0)
    ours_time = min(times)
    tracemalloc.start()
    ours = gosh(fit, chunk_size=args.chunk_size)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp, "data.txt")
        np.savetxt(data_path, np.c_[es.yi, es.vi], header="yi vi", comments="", fmt="%.17g")
        script = Path(tmp, "gosh.R")
        script.write_text(R_SCRIPT)
        out_csv = Path(tmp, "gosh.csv")
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["Rscript", str(script), str(data_path), str(out_csv), str(args.r_subsets), args.method],
            capture_output=True,
            text=True,
            check=True,
        )
        r_elapsed, r_n, metafor_version = proc.stdout.split()
        r_elapsed, r_n = float(r_elapsed), int(r_n)
        rows = np.genfromtxt(out_csv, delimiter=",", names=True)
        tight_rows = None
        if args.tight_sample > 0:
            tight_csv = Path(tmp, "tight.csv")
            subprocess.run(
                [
                    "Rscript",
                    str(script),
                    str(data_path),
                    str(tight_csv),
                    str(args.tight_sample),
                    args.method,
                    "tight",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            tight_rows = np.genfromtxt(tight_csv, delimiter=",", names=True)

    lookup = {int(c): i for i, c in enumerate(ours.code)}
    idx = np.array([lookup[int(c)] for c in rows["code"]])
    # metafor returns NA for subsets where its REML iterations fail (maxiter = 100)
    failed = ~np.isfinite(rows["estimate"])
    est_diff = np.max(np.abs(ours.estimate[idx] - rows["estimate"])[~failed])
    tau2_diff = np.max(np.abs(ours.tau2[idx] - rows["tau2"])[~failed])
    # metafor's default convergence threshold (1e-5 on tau^2) bounds the agreement
    tight_diff = tight_failed = math.nan
    if tight_rows is not None:
        tidx = np.array([lookup[int(c)] for c in tight_rows["code"]])
        ok = np.isfinite(tight_rows["estimate"])
        tight_failed = int((~ok).sum())
        tight_diff = float(np.max(np.abs(ours.estimate[tidx] - tight_rows["estimate"])[ok]))
    r_per_subset = r_elapsed / r_n
    r_full = r_per_subset * total
    result = {
        "data": "dat.egger2001 (k = 16), log odds ratios",
        "method": args.method,
        "subsets": total,
        "metaevidence_seconds": ours_time,
        "metaevidence_peak_memory_mb": peak / 2**20,
        "chunk_size": args.chunk_size,
        "metafor_version": metafor_version,
        "metafor_subsets_timed": r_n,
        "metafor_seconds_timed": r_elapsed,
        "metafor_seconds_full": r_full,
        "metafor_extrapolated": r_n < total,
        "metafor_ms_per_subset": 1000 * r_per_subset,
        "speedup": r_full / ours_time,
        "max_abs_diff_estimate": float(est_diff),
        "max_abs_diff_tau2": float(tau2_diff),
        "subsets_compared": int((~failed).sum()),
        "metafor_failed_subsets": int(failed.sum()),
        "metaevidence_failed_subsets": int((~ours.converged).sum()),
        "cpu": os.cpu_count(),
        "tight_sample": args.tight_sample,
        "tight_max_abs_diff_estimate": tight_diff,
        "tight_failed_subsets": tight_failed,
    }
    how = f"extrapolated from {r_n} random subsets" if r_n < total else "measured, full run"
    print(f"GOSH, k = {k}, {total} subsets, {args.method}")
    print(
        f"  metaevidence: {ours_time:.3f} s (best of {args.repeats}), peak memory "
        f"{peak / 2**20:.1f} MiB (chunks of {args.chunk_size} subsets)"
    )
    print(f"  metafor {metafor_version}: {r_full:.1f} s ({how}; {1000 * r_per_subset:.2f} ms per subset)")
    print(f"  speed-up: {r_full / ours_time:.0f}x")
    print(
        f"  agreement over the {(~failed).sum()} subsets metafor fitted: max |diff| "
        f"estimate {est_diff:.1e}, tau^2 {tau2_diff:.1e} (metafor's default threshold "
        f"1e-5 on tau^2)"
    )
    print(
        f"  subsets without a fit: metafor {failed.sum()} of {r_n} (NA), metaevidence "
        f"{(~ours.converged).sum()} of {total}"
    )
    if tight_rows is not None:
        print(
            f"  agreement with metafor fits converged to 1e-12 ({args.tight_sample} random "
            f"subsets): max |diff| estimate {tight_diff:.1e}; metafor NA: {tight_failed}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
