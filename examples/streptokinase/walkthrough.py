"""A living review of intravenous streptokinase after myocardial infarction, year by year.

The 33 trials of Lau et al. (1992) -- metaevidence.datasets.load_lau1992(), from metafor's
dat.lau1992 -- arrive in the order they were published. Each year the new trials are written
as study records, and the review is brought up to date with the two commands a reviewer
would type::

    metaevidence diff             # what the new trials change, before anything is written
    metaevidence run --quiet      # recompute results/ and figures/

Two analyses of all-cause mortality (odds ratio) are kept: the package's default
random-effects model (REML tau^2, Hartung-Knapp interval) and a common-effect
(Mantel-Haenszel) model, the kind of fixed-effect model of Lau et al.'s cumulative analysis.
The walkthrough records, for each year, whether each pooled 95% confidence interval excludes
an odds ratio of 1, and reports the first year it does: measured here, not recalled.

Usage (from the repository root)::

    python examples/streptokinase/walkthrough.py            # rewrite transcript.md and the
                                                            # two *-cumulative.png figures
    python examples/streptokinase/walkthrough.py --keep DIR # also keep the review folder

Reference: Lau J, Antman EM, Jimenez-Silva J, Kupelnick B, Mosteller F, Chalmers TC (1992).
Cumulative meta-analysis of therapeutic trials for myocardial infarction. N Engl J Med
327(4):248-254. doi:10.1056/NEJM199207233270406
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TRANSCRIPT = HERE / "transcript.md"

LAU_1992 = (
    "Lau J, Antman EM, Jimenez-Silva J, Kupelnick B, Mosteller F, Chalmers TC (1992). "
    "Cumulative meta-analysis of therapeutic trials for myocardial infarction. "
    "N Engl J Med 327(4):248-254. doi:10.1056/NEJM199207233270406"
)

#: The two analyses of the review: (id, title, settings beyond the common ones).
ANALYSES = (
    (
        "streptokinase-random",
        "Intravenous streptokinase and mortality (random effects)",
        {"tau2": "REML", "ci_method": "knha"},
    ),
    (
        "streptokinase-common",
        "Intravenous streptokinase and mortality (common effect, Mantel-Haenszel)",
        {"pooling": "mantel-haenszel"},
    ),
)


def study_id(trial: str, year: int) -> str:
    """'European 1', 1969 -> 'european-1-1969'."""
    return re.sub(r"[^a-z0-9]+", "-", trial.lower()).strip("-") + f"-{year}"


def study_record(trial: str, year: int, ai: int, n1i: int, ci: int, n2i: int) -> dict:
    """The study record of one trial of dat.lau1992 (deaths in each arm)."""
    return {
        "id": study_id(trial, year),
        "citation": {"authors": [trial], "year": int(year), "as_cited": f"{trial} {year}"},
        "design": "rct",
        "population": "patients hospitalised for acute myocardial infarction",
        "outcomes": [
            {
                "outcome": "mortality",
                "label": "deaths",
                "comparison": {"experimental": "Streptokinase", "control": "Control"},
                "timepoint": "end of follow-up",
                "direction": "OR < 1 = fewer deaths with streptokinase",
                "data": {
                    "kind": "binary",
                    "experimental": {"events": int(ai), "total": int(n1i)},
                    "control": {"events": int(ci), "total": int(n2i)},
                },
                "provenance": {
                    "source": LAU_1992 + " (metafor's dat.lau1992; metaevidence.datasets.load_lau1992)",
                    "locator": f"trial '{trial}'",
                    "confidence": "secondary",
                },
            }
        ],
        "extraction": {
            "status": "partial",
            "missing": [
                "full citation and design details of the trial (only its name, year and "
                "deaths per arm are in the dataset)"
            ],
            "by": "streptokinase walkthrough",
            "date": "2026-11-27",
        },
    }


def analysis_spec(aid: str, title: str, settings: dict, *, figures: bool) -> dict:
    spec = {
        "id": aid,
        "title": title,
        "question": "Does intravenous streptokinase reduce deaths after acute myocardial infarction?",
        "studies": {"outcome": "mortality"},
        "measure": "OR",
        **settings,
        "figures": (
            {"draw": ["forest", "cumulative"], "formats": ["png"], "forest": {"sort": "year"}}
            if figures
            else {"draw": []}
        ),
    }
    # the cumulative analysis is the point here; the records have no risk-of-bias assessments
    spec["sensitivity"] = {"leave_one_out": False, "exclude_high_risk_of_bias": False}
    return spec


def _write_yaml(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def run_cli(root: Path, *args: str) -> tuple[int, str]:
    """Run ``metaevidence ARGS`` in ``root`` (in this process); its exit status and output."""
    from metaevidence.cli import main

    buffer = io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        status = main(list(args))
    return status, buffer.getvalue()


@dataclass
class Walk:
    """What the walkthrough measured: per year, each analysis's pooled OR and 95% CI."""

    years: dict[int, dict[str, tuple[int, float, float, float]]] = field(default_factory=dict)

    def first_conclusive(self, aid: str) -> int | None:
        """The first year whose pooled 95% CI excludes OR = 1 (None if none did)."""
        for year, by in self.years.items():
            if aid in by and (by[aid][3] < 1 or by[aid][2] > 1):
                return year
        return None

    def stays_conclusive(self, aid: str) -> bool:
        """Whether every year from the first conclusive one on still excludes OR = 1."""
        first = self.first_conclusive(aid)
        return first is not None and all(
            by[aid][3] < 1 or by[aid][2] > 1 for year, by in self.years.items() if year >= first and aid in by
        )


def walk(
    root: Path,
    *,
    until: int | None = None,
    figures: bool = True,
    echo: Callable[[str], None] = lambda text: None,
) -> Walk:
    """Build the review in ``root`` year by year, up to ``until`` (default: every year).

    ``echo`` receives the transcript in Markdown, one piece at a time.
    """
    from metaevidence.datasets import load_lau1992

    trials = load_lau1992()
    (root / "studies").mkdir(parents=True, exist_ok=True)
    for aid, title, settings in ANALYSES:
        _write_yaml(root / "analyses" / f"{aid}.yaml", analysis_spec(aid, title, settings, figures=figures))
    measured = Walk()
    for year in sorted(int(y) for y in trials["year"].unique()):
        if until is not None and year > until:
            break
        new = trials[trials["year"] == year]
        names = ", ".join(new["trial"])
        echo(f"## {year}: {len(new)} new trial{'s' if len(new) > 1 else ''} ({names})\n\n")
        for row in new.itertuples(index=False):
            record = study_record(row.trial, row.year, row.ai, row.n1i, row.ci, row.n2i)
            _write_yaml(root / "studies" / f"{record['id']}.yaml", record)
        echo("```console\n")
        for command in (("diff",), ("run", "--quiet")):
            status, output = run_cli(root, *command)
            echo(f"$ metaevidence {' '.join(command)}\n{output}")
            if status != 0 and command[0] == "run":
                echo(f"(exit status {status})\n")
        echo("```\n\n")
        measured.years[year] = {}
        for aid, _, _ in ANALYSES:
            path = root / "results" / f"{aid}.json"
            if not path.exists():
                continue
            doc = json.loads(path.read_text(encoding="utf-8"))
            p = doc["pooled"]["presentation"]
            measured.years[year][aid] = (doc["pooled"]["k"], p["estimate"], p["ci_lower"], p["ci_upper"])
    return measured


def summary(measured: Walk) -> str:
    """The year-by-year table and the first conclusive year of each analysis, in Markdown."""
    out = [
        "## Summary: when did the evidence become conclusive?",
        "",
        "| year | k | random effects: OR (95% CI) | common effect (M-H): OR (95% CI) |",
        "|---|---|---|---|",
    ]
    for year, by in measured.years.items():
        cells = []
        k = ""
        for aid, _, _ in ANALYSES:
            if aid in by:
                k, est, lo, hi = by[aid]
                mark = " **excludes 1**" if hi < 1 or lo > 1 else ""
                cells.append(f"{est:.2f} ({lo:.2f} to {hi:.2f}){mark}")
            else:
                cells.append("--")
        out.append(f"| {year} | {k} | {cells[0]} | {cells[1]} |")
    out.append("")
    for aid, _title, _ in ANALYSES:
        first = measured.first_conclusive(aid)
        stays = "and in every later year" if measured.stays_conclusive(aid) else "but not in every later year"
        out.append(f"- `{aid}`: the 95% CI first excludes OR = 1 in **{first}** ({stays}).")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", metavar="DIR", help="copy the finished review folder to DIR")
    parser.add_argument("--output", metavar="FILE", default=str(TRANSCRIPT), help="transcript to write")
    args = parser.parse_args(argv)
    pieces = [
        "# Streptokinase, year by year: transcript\n\n",
        "Generated by `python examples/streptokinase/walkthrough.py`; do not edit by hand. "
        "Each section adds the trials of one year as study records, then runs "
        "`metaevidence diff` (what the new trials change) and `metaevidence run --quiet`.\n\n",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "streptokinase-review"
        measured = walk(root, echo=pieces.append)
        for aid, _, _ in ANALYSES:  # the final cumulative forest plots, for the tutorial
            shutil.copyfile(root / "figures" / aid / "cumulative.png", HERE / f"{aid}-cumulative.png")
        if args.keep:
            shutil.copytree(root, args.keep, dirs_exist_ok=True)
    pieces.append(summary(measured))
    Path(args.output).write_text("".join(pieces), encoding="utf-8")
    print(summary(measured))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    import importlib.util

    if importlib.util.find_spec("metaevidence") is None:  # a checkout, not installed: use its package
        import sys

        sys.path.insert(0, str(HERE.parents[1]))
    raise SystemExit(main())
