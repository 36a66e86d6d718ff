"""An analysis spec pools paired (pre-post) entries with a paired measure (issue 13)."""

from __future__ import annotations

import json

import pytest

import metaevidence as me
from metaevidence.cli import main

from .conftest import spec, study, write_yaml

# constructed pre-post data (the paired cases of tests/reference/R/escalc_v5.R)
PAIRED = (
    ("abel-2010", 2010, 10.0, 8.0, 2.0, 2.5, 20, 0.5),
    ("bond-2014", 2014, 12.5, 13.0, 3.0, 2.0, 8, -0.3),
    ("cole-2019", 2019, 30.0, 21.0, 6.0, 7.0, 45, 0.0),
)


def _review(root, measure, draw=()):
    for sid, year, m1, m2, s1, s2, n, r in PAIRED:
        rec = study(sid, year, 1, 2, 1, 2)
        e = rec["outcomes"][0]
        e["comparison"] = {"experimental": "after", "control": "baseline"}
        e["data"] = {
            "kind": "paired",
            "experimental": {"mean": m1, "sd": s1},
            "control": {"mean": m2, "sd": s2},
            "n": n,
            "r": r,
        }
        write_yaml(root / "studies" / f"{sid}.yaml", rec)
    write_yaml(root / "analyses" / "mortality.yaml", spec(measure=measure, figures={"draw": list(draw)}))
    return root


def _direct(measure):
    cols = list(zip(*(t[2:] for t in PAIRED)))
    es = me.effect_sizes(
        measure, m1i=cols[0], m2i=cols[1], sd1i=cols[2], sd2i=cols[3], ni=cols[4], ri=cols[5]
    )
    return me.meta_analysis(es, method="REML", test="knha")  # the spec defaults


@pytest.mark.parametrize("measure", ["MC", "SMCC", "SMCR", "ROMC"])
def test_a_spec_pools_paired_entries(tmp_path, monkeypatch, measure):
    root = _review(tmp_path / "r", measure)
    monkeypatch.chdir(root)
    assert main(["run", "-q"]) == 0
    doc = json.loads((root / "results" / "mortality.json").read_text())
    want = _direct(measure)
    assert doc["measure"]["name"] == measure
    pooled = doc["pooled"]
    assert pooled["k"] == 3 and pooled["method"] == "REML" and pooled["test"] == "knha"
    # results documents round to 12 significant digits
    for name in ("estimate", "se", "ci_lower", "ci_upper"):
        assert pooled[name] == pytest.approx(float(getattr(want, name)), rel=1e-10), name


def test_the_forest_plot_of_a_paired_analysis_is_drawn(tmp_path, monkeypatch):
    root = _review(tmp_path / "r", "SMCC", draw=["forest"])
    monkeypatch.chdir(root)
    assert main(["run", "-q"]) == 0
    assert (root / "figures" / "mortality" / "forest.png").stat().st_size > 0
    report = (root / "results" / "mortality.md").read_text()
    assert "standardised mean change" in report
