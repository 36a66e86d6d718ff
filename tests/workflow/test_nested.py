"""A spec with model: {nested: [study]} pools several entries per study as a three-level model."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

import metaevidence as me
from metaevidence.evidence import load_evidence
from metaevidence.workflow.compute import AnalysisError
from metaevidence.workflow.run import produce
from metaevidence.workflow.spec import read_spec
from tests.tolerances import ITERATIVE

from .conftest import TRIALS, spec, study, write_yaml

#: a second timepoint per trial (synthetic test data, like conftest's TRIALS)
LATER = {
    "adams-2001": (15, 100, 24, 98),
    "baker-2004": (36, 150, 44, 149),
    "clark-2008": (10, 60, 16, 62),
    "davis-2012": (50, 300, 61, 310),
    "evans-2016": (7, 40, 12, 41),
}


def _review(root, **extra):
    for t in TRIALS:
        rec = study(*t)
        second = copy.deepcopy(rec["outcomes"][0])
        second["timepoint"] = "24 months"
        e, et, c, ct = LATER[t[0]]
        second["data"]["experimental"] = {"events": e, "total": et}
        second["data"]["control"] = {"events": c, "total": ct}
        rec["outcomes"].append(second)
        write_yaml(root / "studies" / f"{t[0]}.yaml", rec)
    write_yaml(root / "analyses" / "nested.yaml", spec("nested", **extra))
    return read_spec(root / "analyses" / "nested.yaml")[0], load_evidence(root / "studies")


def test_nested_spec_pools_every_entry_in_a_three_level_model(tmp_path):
    s, evidence = _review(
        tmp_path, model={"nested": ["study"]}, figures={"draw": ["forest"], "formats": ["png"]}
    )
    doc, _json, md, figures = produce(s, evidence)
    assert doc["settings"]["model"] == {"nested": ["study"]}
    assert doc["pooled"]["k"] == 10 and doc["pooled"]["n_clusters"] == 5
    assert [r["cluster"] for r in doc["studies"]["included"]].count("adams-2001") == 2
    # the same numbers as the verb on the same effect sizes (verified against rma.mv)
    es = evidence.effect_sizes("mortality", "OR", several_per_study=True)
    ref = me.multilevel_meta_analysis(
        es.yi, es.vi, clusters=[list(es.study_info["study"])], test="t", dfs="contain"
    )
    np.testing.assert_allclose(doc["pooled"]["estimate"], ref.coefficients[0], rtol=ITERATIVE)
    np.testing.assert_allclose(doc["pooled"]["ci_lower"], ref.ci_lower[0], rtol=ITERATIVE)
    assert doc["pooled"]["df"] == 4.0  # containment: 5 studies - 1
    assert [lv["level"] for lv in doc["model"]["levels"]] == ["study", "study/effect"]
    text = md.decode() if isinstance(md, bytes) else md
    assert "Three-level random-effects model" in text and "10 effects in 5 studies" in text
    assert "| adams-2001 |" in text
    assert set(figures) == {"forest.png"}


def test_cluster_forest_table_groups_effects_under_their_study(tmp_path):
    s, evidence = _review(tmp_path)
    es = evidence.effect_sizes("mortality", "OR", several_per_study=True)
    res = me.multilevel_meta_analysis(es.yi, es.vi, clusters=[list(es.study_info["study"])], labels=es.labels)
    from metaevidence.plots.clusters import cluster_forest_table

    rows = cluster_forest_table(res, transform="exp")
    kinds = [r["kind"] for r in rows]
    assert kinds[:3] == ["cluster", "effect", "effect"] and kinds[-1] == "pooled"
    assert rows[0]["label"] == "adams-2001" and rows[0]["n"] == 2
    assert rows[-1]["estimate"] == pytest.approx(np.exp(res.coefficients[0]))


def test_without_the_model_several_entries_are_refused(tmp_path):
    s, evidence = _review(tmp_path)
    with pytest.raises(AnalysisError, match="has 2 usable entries"):
        produce(s, evidence, figures=False)


def test_nested_needs_reml_or_ml(tmp_path):
    s, evidence = _review(tmp_path, model={"nested": ["study"]}, tau2="DL")
    with pytest.raises(AnalysisError, match="REML or ML"):
        produce(s, evidence, figures=False)


def test_a_nested_spec_orients_entries_by_its_direction_as_any_analysis_does(tmp_path):
    # before: the nested model selected its entries itself and ignored the spec's direction
    # (and treat_as), pooling a study recorded the other way round as it stood
    s, evidence = _review(tmp_path, model={"nested": ["study"]}, figures={"draw": []})
    plain, *_ = produce(s, evidence)
    path = tmp_path / "studies" / "adams-2001.yaml"
    rec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for e in rec["outcomes"]:  # the same trial entered with the arms the other way round
        e["comparison"] = {"experimental": "untreated", "control": "treated"}
        d = e["data"]
        d["experimental"], d["control"] = d["control"], d["experimental"]
    write_yaml(path, rec)
    write_yaml(
        tmp_path / "analyses" / "nested.yaml",
        spec(
            "nested",
            model={"nested": ["study"]},
            figures={"draw": []},
            direction={"benefit": "lower", "experimental": "treated"},
        ),
    )
    s2, problems = read_spec(tmp_path / "analyses" / "nested.yaml")
    assert problems == []
    doc, *_ = produce(s2, load_evidence(tmp_path / "studies"))
    before = {(r["id"], r["timepoint"]): r for r in plain["studies"]["included"]}
    for r in doc["studies"]["included"]:
        if r["id"] == "adams-2001":
            assert "arms swapped" in r["source"]
            # swapping back is exact: the same counts give the same log OR
            np.testing.assert_allclose(r["yi"], before[(r["id"], r["timepoint"])]["yi"], rtol=1e-12)
    np.testing.assert_allclose(doc["pooled"]["estimate"], plain["pooled"]["estimate"], rtol=ITERATIVE)
