"""Shared helpers for the evidence tests: a valid record of every data kind, and writers."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
STUDIES = REPO / "studies"

PROV = {"source": "Doe J (2020). A trial. J Test 1:1-2", "locator": "Table 2", "confidence": "primary"}
COMP = {"experimental": "treated", "control": "untreated"}

DATA = {
    "binary": {
        "kind": "binary",
        "experimental": {"events": 12, "total": 100},
        "control": {"events": 20, "total": 98},
    },
    "continuous": {
        "kind": "continuous",
        "experimental": {"mean": 10.5, "sd": 2.5, "n": 40},
        "control": {"mean": 12.0, "sd": 3.0, "n": 41},
        "unit": "points",
    },
    "ratio_ci": {
        "kind": "ratio_ci",
        "measure": "HR",
        "estimate": 0.8,
        "lower": 0.64,
        "upper": 1.0,
        "level": 0.95,
        "adjusted": True,
        "adjusted_for": "age, sex",
        "n": 500,
    },
    "log_se": {"kind": "log_se", "measure": "OR", "log_estimate": 0.27, "se": 0.36, "n": 353},
    "correlation": {"kind": "correlation", "r": 0.3, "n": 120},
    "summary": {
        "kind": "summary",
        "measure": "OR",
        "estimate": 1.5,
        "lower": 1.42,
        "upper": 1.59,
        "level": 0.95,
        "k": 148,
        "n": 308849,
        "model": "random-effects",
    },
    "none": {"kind": "none", "reason": "no arm-level numbers reported"},
    "paired": {
        "kind": "paired",
        "experimental": {"mean": 26.0, "sd": 5.5},
        "control": {"mean": 22.0, "sd": 4.5},
        "n": 60,
        "r": 0.7,
    },
}


def entry(kind: str, **extra) -> dict:
    e = {
        "outcome": "mortality",
        "comparison": dict(COMP),
        "timepoint": "12 months",
        "data": copy.deepcopy(DATA[kind]),
        "provenance": dict(PROV),
    }
    e.update(extra)
    return e


def record(study_id: str = "doe-2020", kinds=("binary",), **extra) -> dict:
    """A valid study record with one outcome entry per kind (distinct timepoints)."""
    rec = {
        "id": study_id,
        "citation": {
            "authors": ["Doe J", "Roe R"],
            "title": "A trial",
            "journal": "J Test",
            "year": 2020,
            "doi": "10.1000/test.1",
        },
        "design": "rct",
        "population": "adults",
        "outcomes": [entry(k, timepoint=f"{i + 1} months") for i, k in enumerate(kinds)],
        "extraction": {"status": "complete", "by": "tester", "date": dt.date(2026, 11, 27)},
    }
    rec.update(extra)
    return rec


def dump(rec) -> str:
    return yaml.safe_dump(rec, sort_keys=False, allow_unicode=True)


def write(folder: Path, rec: dict, name: str | None = None) -> Path:
    path = folder / f"{name or rec['id']}.yaml"
    path.write_text(dump(rec), encoding="utf-8")
    return path


@pytest.fixture
def studies_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "studies"
    folder.mkdir()
    return folder
