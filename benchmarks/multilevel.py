"""Three-level models: metaevidence vs metafor's rma.mv (run by hand, never in the tests).

    .venv/bin/python benchmarks/multilevel.py [--batch 100]

Data (seed 20261203): 100 clusters of 5 effects (k = 500), v_i ~ U(0.01, 0.1),
sigma2 = (0.05 between, 0.02 within), mu = 0.3. Workloads:

1. one REML fit (``~ 1 | cluster/effect``), no profile CIs;
2. a permutation batch: the same model refitted on ``--batch`` data sets whose effects are
   permuted across clusters (the null of no clustering), in ONE batched call here and as a
   loop of ``rma.mv`` calls in R (benchmarks/multilevel_bench.R), timed inside R.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import timeit
from pathlib import Path

import numpy as np

from metaevidence.core import multilevel as ml

HERE = Path(__file__).parent


def data(seed=20261203, n_clusters=100, m=5):
    rng = np.random.default_rng(seed)
    k = n_clusters * m
    cluster = np.repeat(np.arange(n_clusters), m)
    vi = rng.uniform(0.01, 0.1, k)
    yi = 0.3 + rng.normal(0, np.sqrt(0.05), n_clusters)[cluster] + rng.normal(0, np.sqrt(0.02), k)
    yi += rng.normal(0, np.sqrt(vi))
    return yi, vi, cluster


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args()
    yi, vi, cluster = data()
    k = yi.size
    codes = ml.nested_components([cluster, np.arange(k)])
    G = np.stack([ml.group_indicators(c) for c in codes])
    X = np.ones((k, 1))
    blocks = ml.make_blocks(yi, np.diag(vi), X, G, codes[0])
    one = min(timeit.repeat(lambda: ml.fit_multilevel(blocks), number=1, repeat=5))
    fit = ml.fit_multilevel(blocks)
    rng = np.random.default_rng(7)
    perms = np.stack([rng.permutation(k) for _ in range(args.batch)])
    Y = yi[perms]
    pb = ml.make_blocks(Y, np.diag(vi), X, G, codes[0])
    # the sampling variances travel with their effects: V differs per permutation, so the
    # batch keeps V fixed and permutes y only (an approximate permutation null), as R does
    batch = min(timeit.repeat(lambda: ml.fit_multilevel(pb), number=1, repeat=3))
    with tempfile.TemporaryDirectory() as d:
        inp = Path(d) / "in.json"
        inp.write_text(
            json.dumps(
                {
                    "yi": yi.tolist(),
                    "vi": vi.tolist(),
                    "cluster": cluster.tolist(),
                    "perms": (perms + 1).tolist(),
                }
            )
        )
        out = subprocess.run(
            ["Rscript", str(HERE / "multilevel_bench.R"), str(inp)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print("| workload | metaevidence (s) | metafor rma.mv (s) | ratio |")
    print("|---|---|---|---|")
    print(
        f"| one three-level REML fit, k = 500 in 100 clusters | {one:.4f} | {r['one']:.4f} | {r['one'] / one:.1f}x |"
    )
    print(f"| {args.batch} permutation refits | {batch:.3f} | {r['batch']:.3f} | {r['batch'] / batch:.1f}x |")
    print(f"sigma2 here {fit.sigma2.tolist()}, metafor {r['sigma2']}")


if __name__ == "__main__":
    main()
