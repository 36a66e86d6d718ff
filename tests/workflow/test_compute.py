"""compute(): the numbers of a results document against metafor, end to end from study records.

The review is the 13 BCG trials as study records (tests/workflow/conftest.py); the fixture
tests/reference/workflow.json holds metafor 3.8-1's results for the same trials (see
tests/reference/R/workflow.R).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metaevidence.evidence import load_evidence
from metaevidence.workflow.compute import AnalysisError, compute, refit_estimate
from metaevidence.workflow.spec import read_spec
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE, ZERO_ABS

from .conftest import BCG_HIGH_RISK, make_bcg_review, spec, write_yaml

REF = load_reference("workflow")["cases"]


def _spec(tmp_path, **extra):
    s = spec("bcg", **{"studies": {"outcome": "tuberculosis"}, **extra})
    return read_spec(write_yaml(tmp_path / "analyses" / "bcg.yaml", s))[0]


@pytest.fixture(scope="module")
def bcg(tmp_path_factory):
    root = make_bcg_review(tmp_path_factory.mktemp("bcg"))
    return load_evidence(root / "studies")


def _close(actual: dict, expected: dict, keys, rtol: float, what: str) -> None:
    for key in keys:
        assert_close(actual[key], expected[key], rtol, atol=ZERO_ABS, what=f"{what}.{key}")


def test_random_effects_result_matches_metafor(tmp_path, bcg):
    ref = REF["bcg-OR-REML-knha"]
    doc = compute(_spec(tmp_path), bcg).document
    assert [r["id"] for r in doc["studies"]["included"]] == ref["ids"]
    assert doc["studies"]["excluded"] == []
    rows = doc["studies"]["included"]
    assert_close([r["yi"] for r in rows], ref["yi"], CLOSED_FORM, what="yi")
    assert_close([r["vi"] for r in rows], ref["vi"], CLOSED_FORM, what="vi")
    assert_close([r["weight"] for r in rows], ref["weights"], ITERATIVE, what="weights")
    p = doc["pooled"]
    assert p["k"] == 13 and p["df"] == 12 and p["method"] == "REML" and p["test"] == "knha"
    assert p["pi_method"] == "hts" and p["converged"] is True
    _close(
        p,
        ref["pooled"],
        ("estimate", "se", "ci_lower", "ci_upper", "pi_lower", "pi_upper", "statistic"),
        ITERATIVE,
        "pooled",
    )
    assert_close(p["p_value"], ref["pooled"]["p_value"], ITERATIVE, what="p")
    assert_close(p["presentation"]["estimate"], math.exp(ref["pooled"]["estimate"]), ITERATIVE)
    h = doc["heterogeneity"]
    _close(h, ref["heterogeneity"], ("tau2", "tau2_se", "i2", "h2"), ITERATIVE, "heterogeneity")
    _close(h, ref["heterogeneity"], ("q",), CLOSED_FORM, "heterogeneity")
    assert_close(h["q_p_value"], ref["heterogeneity"]["q_p_value"], DISTRIBUTION, what="Q p")
    for name in ("tau2", "tau", "i2", "h2"):
        assert_close(h["ci"][name], ref["heterogeneity_ci"][name], ITERATIVE, what=f"QP {name}")


@pytest.mark.parametrize("part", ["leave_one_out", "cumulative"])
def test_sensitivity_batches_match_metafor(tmp_path, bcg, part):
    ref = REF["bcg-OR-REML-knha"][part]
    doc = compute(_spec(tmp_path), bcg).document
    rows = doc["sensitivity"][part] if part == "leave_one_out" else doc["sensitivity"][part]["rows"]
    key = "omitted" if part == "leave_one_out" else "added"
    assert [r[key] for r in rows] == ref["labels"]
    for name in ("estimate", "se", "ci_lower", "ci_upper", "p_value", "tau2", "i2"):
        assert_close([r[name] for r in rows], ref[name], ITERATIVE, atol=ZERO_ABS, what=f"{part}.{name}")


def test_dl_with_metafor_prediction_interval(tmp_path, bcg):
    ref = REF["bcg-OR-DL-z"]
    doc = compute(
        _spec(tmp_path, tau2="DL", ci_method="z", prediction_interval_method="metafor"), bcg
    ).document
    _close(
        doc["pooled"],
        ref["pooled"],
        ("estimate", "se", "ci_lower", "ci_upper", "pi_lower", "pi_upper"),
        CLOSED_FORM,
        "pooled",
    )
    _close(doc["heterogeneity"], ref["heterogeneity"], ("tau2", "i2", "q"), CLOSED_FORM, "heterogeneity")
    assert doc["pooled"]["df"] is None  # z test: no degrees of freedom (NaN -> null)


@pytest.mark.parametrize("pooling, case", [("mantel-haenszel", "bcg-OR-MH"), ("peto", "bcg-OR-PETO")])
def test_common_effect_pooling_matches_metafor(tmp_path, bcg, pooling, case):
    ref = REF[case]
    doc = compute(_spec(tmp_path, pooling=pooling), bcg).document
    _close(doc["pooled"], ref["pooled"], ("estimate", "se", "ci_lower", "ci_upper"), CLOSED_FORM, "pooled")
    assert_close(doc["heterogeneity"]["q"], ref["q"], CLOSED_FORM, what="Q")
    assert doc["pooled"]["pi_lower"] is None and doc["heterogeneity"]["ci"] is None
    assert doc["settings"]["tau2"] is None


def test_without_high_risk_of_bias_matches_metafor(tmp_path, bcg):
    ref = REF["bcg-OR-REML-knha-no-high-rob"]
    part = compute(_spec(tmp_path), bcg).document["sensitivity"]["high_risk_of_bias"]
    assert part["excluded"] == sorted(BCG_HIGH_RISK) and part["not_assessed"] == []
    _close(
        part["pooled"], ref["pooled"], ("estimate", "se", "ci_lower", "ci_upper"), ITERATIVE, "no-high-rob"
    )
    assert part["pooled"]["k"] == 11


def test_refit_reproduces_the_pooled_estimate(tmp_path, bcg):
    for extra in ({}, {"pooling": "mantel-haenszel"}, {"pooling": "peto"}):
        doc = compute(_spec(tmp_path, **extra), bcg).document
        est = refit_estimate(doc, doc["studies"]["included"])
        assert_close(est, doc["pooled"]["estimate"], ITERATIVE, what=str(extra))
    assert refit_estimate(doc, []) is None


def test_exclusions_are_listed_with_reasons(tmp_path, bcg):
    s = _spec(
        tmp_path,
        measure="SMD",
        studies={
            "outcome": "tuberculosis",
            "exclude": [{"id": "aronson-1948", "reason": "duplicate report"}],
        },
    )
    with pytest.raises(
        AnalysisError,
        match=r"analysis 'bcg': none of the 12 selected entries can give SMD; "
        r"[a-z-]+-\d{4}: SMD cannot be computed from 2x2 counts without "
        r"converting OR -> SMD \(allow it with convert: true in the "
        r"analysis spec",
    ):
        compute(s, bcg)
    s = _spec(
        tmp_path,
        studies={
            "outcome": "tuberculosis",
            "exclude": [{"id": "aronson-1948", "reason": "duplicate report"}],
        },
    )
    doc = compute(s, bcg).document
    assert doc["studies"]["excluded"] == [
        {
            "id": "aronson-1948",
            "label": "Aronson and Other 1948",
            "entry": 0,
            "reason": "excluded by the analysis: duplicate report",
        }
    ]
    assert doc["pooled"]["k"] == 12
    assert "aronson-1948" in doc["inputs"]["studies"]  # still an input: its record is watched


def test_no_matching_study_is_an_error(tmp_path, bcg):
    s = _spec(tmp_path, studies={"outcome": "tuberculosis", "where": {"citation.year": {"min": 2000}}})
    with pytest.raises(
        AnalysisError,
        match=r"analysis 'bcg': no study record has an entry for outcome "
        r"'tuberculosis' that passes the selection in bcg.yaml",
    ):
        compute(s, bcg)


def _zeros_review(tmp_path):
    from .conftest import TRIALS, make_review

    trials = (*TRIALS, ("gray-2018", 2018, 0, 50, 0, 52), ("hill-2019", 2019, 0, 30, 4, 31))
    return load_evidence(make_review(tmp_path / "zeros", trials=trials, specs=[]) / "studies")


def test_zero_cell_defaults_match_metafor(tmp_path):
    evidence = _zeros_review(tmp_path)
    ref = REF["zeros-OR-REML-knha"]
    doc = compute(read_spec(write_yaml(tmp_path / "z.yaml", spec("z")))[0], evidence).document
    rows = doc["studies"]["included"]
    assert [r["id"] for r in rows] == ref["ids"] and doc["studies"]["excluded"] == []
    assert [r["corrected"] for r in rows] == [False] * 5 + [True, True]
    assert_close([r["yi"] for r in rows], ref["yi"], CLOSED_FORM, what="yi")
    assert_close([r["vi"] for r in rows], ref["vi"], CLOSED_FORM, what="vi")
    _close(doc["pooled"], ref["pooled"], ("estimate", "se", "ci_lower", "ci_upper"), ITERATIVE, "pooled")
    assert doc["pooled"]["k"] == 7

    ref = REF["zeros-OR-MH"]
    doc = compute(
        read_spec(write_yaml(tmp_path / "z.yaml", spec("z", pooling="mantel-haenszel")))[0], evidence
    ).document
    assert doc["settings"]["zero_cells"]["drop00"] is True
    _close(doc["pooled"], ref["pooled"], ("estimate", "se", "ci_lower", "ci_upper"), CLOSED_FORM, "MH pooled")
    assert_close(doc["heterogeneity"]["q"], ref["q"], CLOSED_FORM, what="MH Q")
    assert doc["pooled"]["k"] == ref["pooled"]["k"] == 7
    assert_close([r["yi"] for r in doc["studies"]["included"] if r["yi"] is not None], ref["yi"], CLOSED_FORM)


def test_a_spec_can_ask_for_the_treatment_arm_continuity_correction(tmp_path):
    import metaevidence as me

    evidence = _zeros_review(tmp_path)
    s = spec("z", zero_cells={"add": "TACC"})
    doc = compute(read_spec(write_yaml(tmp_path / "z.yaml", s))[0], evidence).document
    assert doc["settings"]["zero_cells"] == {"add": "TACC", "to": "only0", "drop00": False}
    rows = doc["studies"]["included"]
    cols = {c: [r["data"][c] for r in rows] for c in ("ai", "n1i", "ci", "n2i")}
    es = me.effect_sizes("OR", **cols, add="TACC")
    assert [r["corrected"] for r in rows] == es.corrected.tolist() == [False] * 5 + [True, True]
    assert_close([r["yi"] for r in rows], es.yi, CLOSED_FORM, what="yi")
    assert_close([r["vi"] for r in rows], es.vi, CLOSED_FORM, what="vi")
    # hill-2019 (0/30 vs 4/31) differs from the 0.5 correction; gray-2018 (0/50 vs 0/52) is a
    # double zero: log OR 0 under either
    half = compute(read_spec(write_yaml(tmp_path / "h.yaml", spec("h")))[0], evidence).document
    assert rows[6]["yi"] != half["studies"]["included"][6]["yi"]
    assert abs(rows[5]["yi"]) < 1e-15


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"measure": "RD"}, "must not be TACC when measure is RD: the treatment-arm continuity correction"),
        (
            {"pooling": "peto"},
            "must not be TACC when pooling is peto: Peto's method uses no continuity correction",
        ),
    ],
)
def test_tacc_where_it_does_not_apply_is_a_spec_problem(tmp_path, extra, message):
    path = write_yaml(tmp_path / "analyses" / "z.yaml", spec("z", zero_cells={"add": "TACC"}, **extra))
    found, problems = read_spec(path)
    assert found is None
    [p] = problems
    assert p.field == "zero_cells.add" and p.line is not None and message in p.message


def test_subgroups_match_metafor(tmp_path, bcg):
    ref = REF["bcg-OR-REML-knha-by-alloc"]
    c = compute(_spec(tmp_path, subgroups={"by": "outcomes.attributes.alloc"}), bcg)
    sg = c.document["subgroups"]
    assert sg["by"] == "outcomes.attributes.alloc" and sg["common_tau2"] is False
    assert [g["name"] for g in sg["groups"]] == ref["groups"]
    assert [g["pooled"]["k"] for g in sg["groups"]] == ref["k"]
    for name in ("estimate", "ci_lower", "ci_upper"):
        assert_close([g["pooled"][name] for g in sg["groups"]], ref[name], ITERATIVE, what=name)
    assert_close([g["heterogeneity"]["tau2"] for g in sg["groups"]], ref["tau2"], ITERATIVE, what="tau2")
    assert_close(sg["test"]["q"], ref["q_between"], ITERATIVE, what="Q between")
    assert_close(sg["test"]["p_value"], ref["q_between_p_value"], ITERATIVE, what="Q between p")
    assert sg["test"]["df"] == 2
    random = next(g for g in sg["groups"] if g["name"] == "random")
    assert random["studies"] == REF["bcg-OR-REML-knha-alloc-random"]["ids"]
    assert {r["id"]: r["group"] for r in c.document["studies"]["included"]}["aronson-1948"] == "random"
    assert c.subgroups is not None


def test_small_k_notes(tmp_path, bcg):
    doc = compute(_spec(tmp_path, studies={"outcome": "tuberculosis", "ids": ["aronson-1948"]}), bcg).document
    assert doc["pooled"]["k"] == 1 and doc["pooled"]["test"] == "z"
    assert doc["sensitivity"]["leave_one_out"] is None and doc["sensitivity"]["cumulative"] is None
    assert doc["heterogeneity"]["ci"] is None
    assert doc["notes"][0].startswith("SmallSampleWarning: ")  # the engine's words: knha fell back to z
    assert doc["notes"][1:] == [
        "leave-one-out analysis not run: it needs at least 3 studies (k = 1)",
        "cumulative meta-analysis not run: it needs at least 2 studies (k = 1)",
    ]


def test_labels_and_conversions(tmp_path, bcg):
    doc = compute(_spec(tmp_path, labels="id"), bcg).document
    assert [r["label"] for r in doc["studies"]["included"]] == REF["bcg-OR-REML-knha"]["ids"]
    doc = compute(_spec(tmp_path, measure="SMD", convert=True), bcg).document
    rows = doc["studies"]["included"]
    assert len(rows) == 13 and all("converted" in r["source"] for r in rows)
    # Hasselblad-Hedges: SMD = log(OR) * sqrt(3) / pi, its variance scaled by 3 / pi^2
    assert_close(
        [r["yi"] for r in rows],
        np.array(REF["bcg-OR-REML-knha"]["yi"]) * math.sqrt(3) / math.pi,
        CLOSED_FORM,
        what="SMD from OR",
    )
    assert_close(
        [r["vi"] for r in rows],
        np.array(REF["bcg-OR-REML-knha"]["vi"]) * 3 / math.pi**2,
        CLOSED_FORM,
        what="var SMD from OR",
    )
