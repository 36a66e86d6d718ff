"""How long `metaevidence run` takes on a large synthetic review, and a run that changes nothing.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/review.py            # 300 studies, the default
    .venv/bin/python benchmarks/review.py --studies 50 --profile

The review: N synthetic trials of a binary outcome (2x2 counts, seed 20261203), in four
subgroups (``outcomes.attributes.region``), and one analysis spec with subgroups,
leave-one-out, cumulative (by year) and four figures (forest, funnel, cumulative,
leave-one-out) in SVG and PNG. Each step runs in a fresh process (``python -m metaevidence``),
timed from outside, with its peak resident set size (getrusage of the child):

1. the first run (everything computed and drawn);
2. a second run with nothing changed (every analysis ``current``: not recomputed);
3. one study corrected (the analysis recomputed, since it uses the record);
4. ``run --force`` with nothing changed (everything recomputed, no file rewritten).

``--profile`` prints where the first run's time goes (cProfile, cumulative, top 25).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent


def make_review(root: Path, n: int, seed: int = 20261203) -> None:
    rng = np.random.default_rng(seed)
    (root / "studies").mkdir(parents=True)
    (root / "analyses").mkdir()
    regions = ("Africa", "Americas", "Asia", "Europe")
    for i in range(n):
        sid = f"trial{i:04d}-{2000 + i % 25}"
        nt, nc = (int(x) for x in rng.integers(40, 400, size=2))
        p = rng.uniform(0.1, 0.4)
        lor = rng.normal(-0.3, 0.3)
        pt = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + lor)))
        rec = {
            "id": sid,
            "citation": {
                "authors": [f"Author{i} A", "Other B"],
                "title": "A synthetic trial",
                "journal": "J Bench",
                "year": 2000 + i % 25,
                "doi": f"10.1000/bench.{i}",
            },
            "design": "rct",
            "population": "adults",
            "outcomes": [
                {
                    "outcome": "mortality",
                    "comparison": {"experimental": "treated", "control": "untreated"},
                    "timepoint": "12 months",
                    "attributes": {"region": regions[i % 4]},
                    "data": {
                        "kind": "binary",
                        "experimental": {"events": int(rng.binomial(nt, pt)), "total": nt},
                        "control": {"events": int(rng.binomial(nc, p)), "total": nc},
                    },
                    "provenance": {
                        "source": "synthetic",
                        "locator": "benchmarks/review.py",
                        "confidence": "primary",
                    },
                }
            ],
            "extraction": {"status": "complete", "by": "benchmark", "date": "2026-12-03"},
        }
        (root / "studies" / f"{sid}.yaml").write_text(yaml.safe_dump(rec, sort_keys=False), encoding="utf-8")
    spec = {
        "id": "mortality",
        "title": f"Synthetic review of {n} trials",
        "question": "Does treatment reduce deaths?",
        "studies": {"outcome": "mortality"},
        "measure": "OR",
        "subgroups": {"by": "outcomes.attributes.region"},
        "sensitivity": {"leave_one_out": True, "cumulative": True, "cumulative_order": "year"},
        "figures": {"draw": ["forest", "funnel", "cumulative", "leave-one-out"], "formats": ["svg", "png"]},
    }
    (root / "analyses" / "mortality.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def timed(root: Path, *args: str) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, last output line) of ``python -m metaevidence ARGS`` in ``root``."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "metaevidence", *args], cwd=root, env=env, stdout=subprocess.PIPE, text=True
    )
    out, _ = proc.communicate()
    seconds = time.perf_counter() - start
    status = proc.returncode
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if status != 0:
        raise SystemExit(f"metaevidence {' '.join(args)} failed ({status}):\n{out}")
    return seconds, peak, out.strip().splitlines()[-1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=300)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_review(root, args.studies)
        rows = [("first run", *timed(root, "run", "-q"))]
        rows.append(("no change (current)", *timed(root, "run", "-q")))
        rows.append(("no change, --check", *timed(root, "run", "--check", "-q")))
        first = sorted((root / "studies").iterdir())[0]
        first.write_text(first.read_text().replace("population: adults", "population: adults aged 18+"))
        rows.append(("one study corrected", *timed(root, "run", "-q")))
        rows.append(("no change, --force", *timed(root, "run", "--force", "-q")))
        print(f"{args.studies} studies; Python {sys.version.split()[0]}, numpy {np.__version__}")
        print("| step | seconds | peak RSS so far (MB) | summary |\n|---|---|---|---|")
        for name, s, mb, last in rows:
            print(f"| {name} | {s:.2f} | {mb:.0f} | {last} |")
        if args.profile:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "cProfile",
                    "-s",
                    "cumulative",
                    "-m",
                    "metaevidence",
                    "run",
                    "--force",
                    "-q",
                ],
                cwd=root,
                env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)},
                check=True,
                stdout=open(root / "profile.txt", "w"),
            )
            print("".join((root / "profile.txt").read_text().splitlines(keepends=True)[:45]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
