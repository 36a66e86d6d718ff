"""Helpers for the workflow tests: a small review (study records + analysis specs) in tmp_path.

The review is a handful of binary studies (2x2 counts) on one outcome -- small enough that
pooling, leave-one-out and cumulative analyses run in milliseconds. Figures are turned off
through the specs (``figures: {draw: []}``) except in the tests that are about figures.
"""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
from pathlib import Path

import pytest
import yaml

#: Five trials of a binary outcome: (id, year, experimental events/total, control events/total).
TRIALS = (
    ("adams-2001", 2001, 12, 100, 20, 98),
    ("baker-2004", 2004, 30, 150, 41, 149),
    ("clark-2008", 2008, 8, 60, 15, 62),
    ("davis-2012", 2012, 45, 300, 60, 310),
    ("evans-2016", 2016, 5, 40, 9, 41),
)


def study(
    sid: str,
    year: int,
    e_events: int,
    e_total: int,
    c_events: int,
    c_total: int,
    *,
    outcome: str = "mortality",
    design: str = "rct",
    rob: str | None = None,
) -> dict:
    rec = {
        "id": sid,
        "citation": {
            "authors": [f"{sid.split('-')[0].capitalize()} A", "Other B"],
            "title": "A trial",
            "journal": "J Test",
            "year": year,
            "doi": f"10.1000/{sid}",
        },
        "design": design,
        "population": "adults",
        "outcomes": [
            {
                "outcome": outcome,
                "comparison": {"experimental": "treated", "control": "untreated"},
                "timepoint": "12 months",
                "data": {
                    "kind": "binary",
                    "experimental": {"events": e_events, "total": e_total},
                    "control": {"events": c_events, "total": c_total},
                },
                "provenance": {"source": f"{sid} paper", "locator": "Table 2", "confidence": "primary"},
            }
        ],
        "extraction": {"status": "complete", "by": "tester", "date": dt.date(2026, 11, 27)},
    }
    if rob is not None:
        rec["risk_of_bias"] = {
            "tool": "RoB 2",
            "domains": [{"domain": "randomisation", "judgement": rob}],
            "overall": rob,
        }
    return rec


def write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def spec(aid: str = "mortality", **extra) -> dict:
    """A valid meta-analysis spec of the trials (figures off unless given)."""
    out = {
        "id": aid,
        "title": "Treatment and mortality",
        "question": "Does treatment reduce deaths?",
        "studies": {"outcome": "mortality"},
        "measure": "OR",
        "figures": {"draw": []},
    }
    out.update(copy.deepcopy(extra))
    return out


def make_review(root: Path, *, trials=TRIALS, specs=None) -> Path:
    """studies/ and analyses/ under ``root``; returns root."""
    (root / "studies").mkdir(parents=True, exist_ok=True)
    for t in trials:
        write_yaml(root / "studies" / f"{t[0]}.yaml", study(*t))
    (root / "analyses").mkdir(exist_ok=True)
    for s in specs if specs is not None else [spec()]:
        write_yaml(root / "analyses" / f"{s['id']}.yaml", s)
    return root


def git(root: Path, *args: str) -> str:
    env_args = [
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.org",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
    ]
    out = subprocess.run(["git", *env_args, *args], cwd=root, check=True, capture_output=True, text=True)
    return out.stdout


def commit_all(root: Path, message: str = "update") -> None:
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def review(tmp_path: Path) -> Path:
    return make_review(tmp_path / "review")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def bcg_ids(authors, years) -> list[str]:
    """Study ids of the BCG trials, built as tests/reference/R/workflow.R builds them."""
    import re

    out = []
    for author, year in zip(authors, years):
        first = re.sub(r"[ ,].*$", "", author)
        sid = f"{re.sub(r'[^a-z-]', '', first.lower())}-{year}"
        out.append("tpt-madras-1980" if sid == "tpt-1980" else sid)
    return out


#: Trials rated at high risk of bias in the BCG review (for the sensitivity analysis).
BCG_HIGH_RISK = ("frimodt-moller-1973", "stein-1953")


def make_bcg_review(root: Path, *, specs=()) -> Path:
    """A review of the 13 BCG trials (dat.bcg): one record per trial, 2x2 counts, the
    allocation as an outcome attribute, two trials rated high risk of bias, the rest low."""
    from metaevidence.datasets import load_bcg

    d = load_bcg()
    ids = bcg_ids(d["author"], d["year"])
    for sid, row in zip(ids, d.itertuples(index=False)):
        rec = study(
            sid,
            int(row.year),
            int(row.tpos),
            int(row.tpos + row.tneg),
            int(row.cpos),
            int(row.cpos + row.cneg),
            outcome="tuberculosis",
            rob="high" if sid in BCG_HIGH_RISK else "low",
        )
        rec["outcomes"][0]["attributes"] = {"alloc": str(row.alloc), "ablat": int(row.ablat)}
        rec["outcomes"][0]["comparison"] = {"experimental": "BCG vaccine", "control": "no vaccine"}
        write_yaml(root / "studies" / f"{sid}.yaml", rec)
    (root / "analyses").mkdir(parents=True, exist_ok=True)
    for s in specs:
        write_yaml(root / "analyses" / f"{s['id']}.yaml", s)
    return root
