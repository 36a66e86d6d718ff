"""Where the time of a batched REML + Hartung-Knapp fit goes, against the numpy floor.

    PYTHONPATH=. python benchmarks/engine_profile.py [--n 2000] [--k 20] [--repeat 15] [--metafor N]

Times ``metaevidence.core.fit.fit(y, v, method="REML", test="knha")`` on the benchmark
data (v ~ U(0.005, 0.2), tau^2 = 0.05, mu = 0.3, seed 20240601), its phases (start and
common-effect fit, the REML iterations, pooling and inference), and the *numpy floor*:
the bare array passes any REML + HKSJ fit must make (per likelihood evaluation: sigma =
v + tau2, w = 1/sigma, sum w, sum w y, r, w r and five weighted sums; then the pooled
fit, HKSJ, Q), run as plain numpy on arrays of the same shape, as many evaluations as
the engine needs on average. Best of ``--repeat`` runs, interleaved. ``--metafor N``
also times N of the same analyses as a loop of ``rma(yi, vi, method="REML",
test="knha")`` in Rscript (timed inside R), in the same run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from metaevidence.core import pool as _pool
from metaevidence.core.batch import prepare
from metaevidence.core.fit import fit
from metaevidence.core.tau2 import tau2_for
from metaevidence.core.wls import common_fit


def data(n, k, seed=20240601):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.005, 0.2, (n, k))
    y = 0.3 + rng.normal(0.0, np.sqrt(v + 0.05))
    return y, v


def floor(y, v, evals):
    """The bare passes of a REML + HKSJ fit (no convergence logic, no bookkeeping)."""
    t = np.full(y.shape[0], 0.05)
    ones = np.ones(y.shape[1])
    for _ in range(evals):
        sigma = v + t[:, None]
        w = 1.0 / sigma
        sw = w @ ones
        mu = np.einsum("ij,ij->i", w, y) / sw
        r = y - mu[:, None]
        wr = w * r
        np.einsum("ij,ij->i", wr, r)
        np.einsum("ij,ij->i", wr, wr)
        sw2 = np.einsum("ij,ij->i", w, w)
        np.einsum("ij,ij->i", w * w, w)
        np.log(np.multiply.reduce(sigma, axis=-1))
        t = np.maximum(t + 1e-9 * (sw2 - sw), 0.0)
    w = 1.0 / (v + t[:, None])
    sw = w @ ones
    mu = np.einsum("ij,ij->i", w, y) / sw
    r = y - mu[:, None]
    q = np.einsum("ij,ij->i", w * r, r) / (y.shape[1] - 1)
    return mu, np.sqrt(q / sw)


def best(fn, repeat, clock=time.perf_counter):
    out = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        out.append(clock() - t0)
    return min(out)


def phases(y, v, repeat):
    s = prepare(y, v)
    base = common_fit(s)
    est = tau2_for(s, "REML", tol=1e-12, maxiter=100, base=base)
    t = {
        "prepare": best(lambda: prepare(y, v), repeat),
        "common fit": best(lambda: common_fit(s), repeat),
        "REML iterations (incl. start)": best(
            lambda: tau2_for(s, "REML", tol=1e-12, maxiter=100, base=base), repeat
        ),
    }

    def inference():
        pooled = _pool.pool(s, est.tau2)
        se, df = _pool.hartung_knapp(s, pooled)
        _pool.wald(pooled.estimate, se, df, 0.95)
        _pool.cochran_q(s, base)
        _pool.prediction_interval(pooled.estimate, se, est.tau2, s.k, df, 0.95, method="metafor")
        _pool.pooled_weights(pooled)

    t["pooling, HKSJ, Q, PI, weights"] = best(inference, repeat)
    return t, est.iterations.mean()


_R = """
suppressPackageStartupMessages(library(metafor))
a <- commandArgs(trailingOnly = TRUE); n <- as.integer(a[2]); k <- as.integer(a[3])
Y <- matrix(readBin(file.path(a[1], "y"), "double", n * k, 8, endian = "little"), ncol = k, byrow = TRUE)
V <- matrix(readBin(file.path(a[1], "v"), "double", n * k, 8, endian = "little"), ncol = k, byrow = TRUE)
invisible(rma(Y[1, ], V[1, ], method = "REML", test = "knha"))
t <- system.time(for (i in seq_len(n)) try(rma(Y[i, ], V[i, ], method = "REML", test = "knha"), silent = TRUE))
cat(sprintf("%.9g %.9g", t[["elapsed"]], t[["user.self"]] + t[["sys.self"]]))
"""


def metafor_seconds(y, v):
    with tempfile.TemporaryDirectory() as d:
        y.astype("<f8").tofile(Path(d) / "y")
        v.astype("<f8").tofile(Path(d) / "v")
        out = subprocess.run(
            ["Rscript", "-e", _R, d, str(y.shape[0]), str(y.shape[1])],
            capture_output=True,
            text=True,
            check=True,
        )
    wall, cpu = (float(x) for x in out.stdout.strip().splitlines()[-1].split())
    return wall, cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--k", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--metafor", type=int, default=0, help="also time N fits with metafor")
    ap.add_argument("--json")
    a = ap.parse_args()
    y, v = data(a.n, a.k)
    fit(y, v, method="REML", test="knha")
    ph, evals = phases(y, v, max(3, a.repeat // 3))
    ev = int(round(evals))
    eng, flo, eng_cpu, flo_cpu = [], [], [], []
    for _ in range(a.repeat):
        eng.append(best(lambda: fit(y, v, method="REML", test="knha"), 1))
        flo.append(best(lambda: floor(y, v, ev), 1))
        eng_cpu.append(best(lambda: fit(y, v, method="REML", test="knha"), 1, time.process_time))
        flo_cpu.append(best(lambda: floor(y, v, ev), 1, time.process_time))
    res = {
        "n": a.n,
        "k": a.k,
        "engine_s": min(eng),
        "floor_s": min(flo),
        "ratio": min(eng) / min(flo),
        "engine_cpu_s": min(eng_cpu),
        "floor_cpu_s": min(flo_cpu),
        "ratio_cpu": min(eng_cpu) / min(flo_cpu),
        "evaluations_per_analysis": evals,
        "phases_s": ph,
    }
    if a.metafor:
        wall, cpu = metafor_seconds(y[: a.metafor], v[: a.metafor])
        res["metafor_s"] = wall * a.n / a.metafor
        res["metafor_cpu_s"] = cpu * a.n / a.metafor
        res["metafor_over_engine"] = res["metafor_s"] / res["engine_s"]
        res["metafor_over_engine_cpu"] = res["metafor_cpu_s"] / res["engine_cpu_s"]
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
