"""Before/after timings of the engine in alternating processes, in one run.

    python benchmarks/engine_ab.py BEFORE_CHECKOUT AFTER_CHECKOUT [--pairs 3] [--n 2000] [--json out.json]

Runs ``engine_profile.py`` (this directory's copy, so both sides time the same floor)
with ``PYTHONPATH`` set to each checkout in turn, ``--pairs`` times, and prints the
engine time, the numpy floor and their ratio (wall and CPU) of each process. The ratio
is measured within one process (engine and floor interleaved, best of ``--repeat``),
so it is robust to the load of a shared machine; absolute times are not.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(checkout: str, n: int, repeat: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(checkout).resolve()))
    out = subprocess.run(
        [sys.executable, str(HERE / "engine_profile.py"), "--n", str(n), "--repeat", str(repeat)],
        env=env,
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--json")
    a = ap.parse_args()
    res = {"before": [], "after": []}
    for _ in range(a.pairs):
        for side in ("before", "after"):
            r = run(getattr(a, side), a.n, a.repeat)
            res[side].append(r)
            print(
                f"{side:6s} engine {r['engine_s'] * 1e3:7.2f} ms  floor {r['floor_s'] * 1e3:6.2f} ms  "
                f"ratio {r['ratio']:.2f} (CPU {r['ratio_cpu']:.2f})",
                flush=True,
            )
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(res, fh, indent=2)


if __name__ == "__main__":
    main()
