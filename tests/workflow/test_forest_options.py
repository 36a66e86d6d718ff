"""A spec's forest options: layout (revman, jama, bmj) and study columns from record fields."""

from __future__ import annotations

from matplotlib.text import Text

import metaevidence as me
from metaevidence.workflow.compute import compute
from metaevidence.workflow.figures import _draw
from metaevidence.workflow.spec import read_spec
from metaevidence.workflow.spec import validate_review as validate_all

from .conftest import make_bcg_review, spec


def _forest(root, aid):
    s, problems = read_spec(root / "analyses" / f"{aid}.yaml")
    assert problems == []
    c = compute(s, me.load_evidence(root / "studies"))
    fig = _draw(c, "forest")
    return c, [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_a_spec_draws_a_jama_forest_with_record_columns(tmp_path):
    figures = {
        "draw": ["forest"],
        "formats": ["svg"],
        "forest": {"layout": "jama", "columns": ["citation.year", "outcomes.attributes.ablat"]},
    }
    root = make_bcg_review(
        tmp_path, specs=[spec("bcg", studies={"outcome": "tuberculosis"}, figures=figures)]
    )
    c, shown = _forest(root, "bcg")
    evidence = me.load_evidence(root / "studies")
    ids = [r["id"] for r in c.document["studies"]["included"]]
    (year_head, years), (lat_head, lats) = c.forest_columns
    assert (year_head, lat_head) == ("Year", "Ablat")
    assert list(years) == [evidence[i].year for i in ids]
    assert list(lats) == [evidence[i].outcomes[0].attributes["ablat"] for i in ids]
    assert "Source" in shown and "Year" in shown and "Ablat" in shown and "Weight" not in shown
    assert all(str(y) in shown for y in years) and all(str(x) in shown for x in lats)
    assert any(s.startswith("Heterogeneity: Q = ") for s in shown)
    assert c.document["settings"]["figures"]["forest"]["layout"] == "jama"
    assert c.document["settings"]["figures"]["forest"]["columns"] == [
        "citation.year",
        "outcomes.attributes.ablat",
    ]


def test_the_default_layout_is_revman_and_columns_are_recorded_only_when_given(tmp_path):
    root = make_bcg_review(
        tmp_path, specs=[spec("bcg", studies={"outcome": "tuberculosis"}, figures={"draw": ["forest"]})]
    )
    c, shown = _forest(root, "bcg")
    assert c.forest_columns == ()
    forest = c.document["settings"]["figures"]["forest"]
    assert forest["layout"] == "revman" and "columns" not in forest
    assert "IV, Random, 95% CI" in shown and "Weight" in shown


def test_validate_names_the_line_of_an_unknown_column_and_of_an_unknown_layout(tmp_path):
    figures = {"forest": {"layout": "lancet", "columns": ["citation.year", "citation.yaer"]}}
    root = make_bcg_review(
        tmp_path, specs=[spec("bcg", studies={"outcome": "tuberculosis"}, figures=figures)]
    )
    problems = [str(p) for p in validate_all(root / "studies", root / "analyses").problems]
    text = (root / "analyses" / "bcg.yaml").read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(text, 1) if "citation.yaer" in line)
    layout = next(i for i, line in enumerate(text, 1) if "lancet" in line)
    assert any(
        f"bcg.yaml:{bad}: figures.forest.columns[1] must be a field of the study-record format" in p
        and "got 'citation.yaer' (did you mean 'citation.year'?)" in p
        for p in problems
    ), problems
    assert any(f"bcg.yaml:{layout}:" in p and "revman" in p and "lancet" in p for p in problems), problems
