"""One study under the default spec: the report, figures and notes say what was done."""

from __future__ import annotations

import json

import pytest

from metaevidence.cli import main
from metaevidence.plots import forest_table

from .conftest import TRIALS, make_review, spec


def test_one_study_reads_consistently(tmp_path, capsys, monkeypatch):
    root = make_review(
        tmp_path / "r", trials=TRIALS[:1], specs=[spec(figures={"draw": ["forest", "funnel"]})]
    )
    monkeypatch.chdir(root)
    assert main(["run", "-q"]) == 0
    report = (root / "results" / "mortality.md").read_text()
    assert "the study's own estimate and normal-theory interval, as no model can be fitted" in report
    assert "Hartung-Knapp" not in report.split("## Result")[1].split("\n\n")[1]  # the result paragraph
    assert "None of the 1 studies" not in report
    assert "The one study in the synthesis has no risk-of-bias assessment" in report
    assert "funnel plot not drawn: it needs at least 3 studies (k = 1)" in report
    assert sorted(p.name for p in (root / "figures" / "mortality").iterdir()) == ["forest.png", "forest.svg"]
    doc = json.loads((root / "results" / "mortality.json").read_text())
    assert [f["name"] for f in doc["figures"]] == ["forest", "forest"]


def test_the_forest_header_of_one_study_names_no_model():
    import metaevidence as me
    from metaevidence.plots.table import build_forest_table

    with pytest.warns(me.SmallSampleWarning, match="test='knha' needs at least 2 studies"):
        res = me.meta_analysis(me.effect_sizes("OR", ai=[12], bi=[88], ci=[20], di=[78]), test="knha")
    table = build_forest_table(res)
    assert table.rows.loc[table.rows.kind == "pooled", "k"].tolist() == [1]
    fig = me.forest_plot(res)
    texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    assert "IV, 95% CI" in texts and not any("Random" in t for t in texts)
    assert not any("random effects" in t for t in texts)
    assert forest_table(res).attrs["method"] == "REML"  # the fit itself is unchanged
