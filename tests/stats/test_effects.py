"""effect_sizes() against metafor::escalc fixtures (tests/reference/escalc.json).

Every case replays the exact inputs and zero-cell settings R was given and compares yi and
vi with tolerance CLOSED_FORM (1e-10 relative): every escalc measure is a closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM

REF = load_reference("escalc")
CASES = REF["cases"]
# The measures of this fixture (the first round); escalc_more.json covers the rest and
# tests/stats/test_effects_more.py checks that every measure is in one of the two.
COMPUTED = sorted({c["measure"] for c in CASES.values()} - {"HR", "GEN"})
COUNT_MEASURES = [m for m in COMPUTED if me.MEASURES[m].family in ("binary", "proportion", "rate")]


def replay(case: dict) -> me.EffectSizes:
    inputs = {k: as_array(v) for k, v in case["inputs"].items()}
    settings = dict(case["settings"])
    # The fixture is metafor 3.8-1: legacy=True selects its SMDH variance (changed in 4.6-0).
    return me.effect_sizes(case["measure"], **inputs, **settings, legacy=True)


def test_fixture_records_the_reference_version():
    assert REF["metafor_version"] == "3.8.1"  # packageVersion() spelling of 3.8-1
    assert REF["r_version"].startswith("R version 4.2.2")


def test_grid_covers_every_measure_on_three_published_datasets():
    for measure in COMPUTED:
        datasets = {
            c["dataset"] for c in CASES.values() if c["measure"] == measure and c["dataset"] != "constructed"
        }
        assert len(datasets) >= 3, (measure, datasets)
        edge = [cid for cid, c in CASES.items() if c["measure"] == measure and c["dataset"] == "constructed"]
        assert edge, f"no edge cases for {measure}"


def test_grid_covers_every_zero_cell_rule_and_drop00():
    for measure in COUNT_MEASURES:
        settings = [c["settings"] for c in CASES.values() if c["measure"] == measure]
        assert {s.get("to", "only0") for s in settings} == {"only0", "all", "if0all", "none"}
        assert any("add" in s and s["add"] != 0.5 for s in settings), measure
        if me.MEASURES[measure].family != "proportion":
            assert any(s.get("drop00") for s in settings), measure


def test_grid_covers_reported_statistics():
    kinds = {
        frozenset(c["inputs"])
        for c in CASES.values()
        if "estimate" in c["inputs"] or "sei" in c["inputs"] or "pval" in c["inputs"]
    }
    assert kinds == {
        frozenset({"estimate", "ci_lower", "ci_upper"}),
        frozenset({"estimate", "pval"}),
        frozenset({"yi", "pval"}),
        frozenset({"yi", "sei"}),
    }


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor(case_id):
    case = CASES[case_id]
    es = replay(case)
    expected_yi, expected_vi = as_array(case["yi"]), as_array(case["vi"])
    # metafor gives NA yi where a row cannot be computed; we drop the row (NaN yi and vi).
    # One justified exception: for ZCOR with a missing ri (craft2003), escalc still reports
    # vi = 1/(ni - 3); a row without an effect size has no use for a variance, so ours is NaN.
    absent = np.isnan(expected_yi)
    assert es.dropped.tolist() == absent.tolist(), case["call"]
    assert np.isnan(es.vi[absent]).all()
    # yi near 0 from a log of a ratio near 1 (the 1e6-count tables, r = -1e-8 under ZCOR) is
    # compared with the absolute floor CANCELLATION_ABS as well (see tests/tolerances.py).
    assert_close(
        es.yi, expected_yi, rtol=CLOSED_FORM, atol=CANCELLATION_ABS, what=f"{case_id} yi: {case['call']}"
    )
    assert_close(es.vi[~absent], expected_vi[~absent], rtol=CLOSED_FORM, what=f"{case_id} vi: {case['call']}")
    assert len(es) == expected_yi.size


def test_the_vi_exception_is_only_zcor_with_missing_ri():
    for cid, case in CASES.items():
        yi, vi = as_array(case["yi"]), as_array(case["vi"])
        odd = np.isnan(yi) & ~np.isnan(vi)
        if odd.any():
            assert case["measure"] == "ZCOR", cid
            assert np.isnan(as_array(case["inputs"]["ri"])[odd]).all(), cid


def test_agreement_figure():
    """Worst relative difference over every fixture value with |value| >= 1e-4 (below that,
    the cancellation floor applies): far below CLOSED_FORM."""
    worst, count = 0.0, 0
    for case in CASES.values():
        es = replay(case)
        for ours, ref in ((es.yi, as_array(case["yi"])), (es.vi, as_array(case["vi"]))):
            ok = np.isfinite(ref) & np.isfinite(ours) & (np.abs(ref) >= 1e-4)
            if ok.any():
                worst = max(worst, float(np.max(np.abs(ours[ok] - ref[ok]) / np.abs(ref[ok]))))
            count += int(ok.sum())
    assert count > 4000
    assert worst < 1e-12, worst


def test_corrected_rows_follow_the_rule():
    """only0 corrects exactly the zero-cell rows; all corrects all; none corrects none."""
    case = CASES["edge2x2-OR-to_only0"]
    es = replay(case)
    cells = np.column_stack([as_array(case["inputs"][k]) for k in ("ai", "bi", "ci", "di")])
    assert es.corrected.tolist() == (cells == 0).any(axis=1).tolist()
    assert replay(CASES["edge2x2-OR-to_all"]).corrected.all()
    assert not replay(CASES["edge2x2-OR-to_none"]).corrected.any()
    assert not replay(CASES["nozero-OR-to_if0all"]).corrected.any()
    assert replay(CASES["zerocol-OR-to_if0all"]).corrected.all()
    # drop00 first: the only zero cells are in the dropped study, so if0all adds nothing
    dropped = replay(CASES["only00-OR-to_if0all-drop00"])
    assert dropped.dropped.tolist() == [True, False, False]
    assert not dropped.corrected.any()
    assert "drop00" in dropped.source[0]


def test_default_add_is_zero_for_arcsine_measures():
    for measure, case_id in (
        ("AS", "edge2x2-AS-to_only0"),
        ("PAS", "edgeprop-PAS-to_only0"),
        ("PFT", "edgeprop-PFT-to_only0"),
    ):
        es = replay(CASES[case_id])
        assert es.add == 0.0 and not es.corrected.any(), measure
    assert replay(CASES["edgeprop-PR-to_only0"]).add == 0.5


def test_reported_ci_source_names_level():
    es = replay(CASES["hackshaw1998-ratio_ci-level90"])
    assert set(es.source) == {"reported OR with 90% CI"}
    assert es.data["level"][0] == pytest.approx(0.90)
    assert math.isclose(replay(CASES["hackshaw1998-ratio_ci"]).data["level"][0], 0.95)
