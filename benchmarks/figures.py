"""Where the first run's figure time goes: the 300-study review's figures, stage by stage.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/figures.py              # 300 studies, CPU seconds per stage
    .venv/bin/python benchmarks/figures.py --profile    # and cProfile of the rendering (top 30)
    .venv/bin/python benchmarks/figures.py --hashes     # sha256 of every file (same before/after?)

The review is :func:`benchmarks.review.make_review` (the spec of ``benchmarks/review.py``:
subgroups, leave-one-out, cumulative, forest/funnel/cumulative/leave-one-out in SVG and PNG).
It computes the analysis once, then times drawing each figure and rendering each format with
``time.process_time`` (CPU seconds of this process, comparable on a loaded machine), and the
whole of :func:`metaevidence.workflow.figures.render_figures`.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")


def computed(root: Path, n: int):
    from benchmarks.review import make_review
    from metaevidence.evidence.base import scan_studies
    from metaevidence.workflow.compute import compute
    from metaevidence.workflow.spec import read_spec

    make_review(root, n)
    evidence, problems, _n = scan_studies(root / "studies")
    assert evidence is not None, problems
    spec, problems = read_spec(root / "analyses" / "mortality.yaml", evidence=evidence)
    assert spec is not None, problems
    return compute(spec, evidence)


def cold() -> None:
    """Forget the widths measured so far, as in a fresh process (the warm-up measured them)."""
    from metaevidence.plots import layout

    getattr(layout, "_WIDTHS", {}).clear()  # (absent before the shared table)


def stages(c) -> None:
    from metaevidence.plots import figure_bytes
    from metaevidence.workflow.figures import _canonical, _draw

    c = _canonical(c)
    cold()
    print("| figure | draw | SVG | PNG |\n|---|---|---|---|")
    for name in c.spec.figures.draw:
        t = time.process_time()
        fig = _draw(c, name)
        row = [time.process_time() - t]
        for fmt in c.spec.figures.formats:
            t = time.process_time()
            figure_bytes(fig, fmt)
            row.append(time.process_time() - t)
        print(f"| {name} | " + " | ".join(f"{x:.2f}" for x in row) + " |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studies", type=int, default=300)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--hashes", action="store_true")
    ap.add_argument("--no-stages", action="store_true")
    args = ap.parse_args(argv)
    from metaevidence.workflow.figures import render_figures

    with tempfile.TemporaryDirectory() as tmp:
        c = computed(Path(tmp), args.studies)
        render_figures(c)  # warm-up: imports, font cache
        if not args.no_stages:
            stages(c)
        cold()
        t = time.process_time()
        files, _entries = render_figures(c)
        print(f"render_figures: {time.process_time() - t:.2f} s CPU for {len(files)} files")
        if args.hashes:
            for name, data in sorted(files.items()):
                print(f"{hashlib.sha256(data).hexdigest()}  {name}")
        if args.profile:
            cold()
            prof = cProfile.Profile()
            prof.runcall(render_figures, c)
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
            pstats.Stats(prof).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
