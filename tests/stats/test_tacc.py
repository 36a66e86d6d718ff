"""The treatment-arm continuity correction (add="TACC") against R meta's
metabin(incr = "TACC") (tests/reference/tacc_meta.json, meta 6.6-0; metafor has no TACC)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core.effects.counts import treatment_arm_increments, zero_cell_correction
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM

REF = load_reference("tacc_meta")
CASES = REF["cases"]
IV = sorted(k for k, c in CASES.items() if "to" in c)
MH = sorted(k for k, c in CASES.items() if "to" not in c)


def _counts(c):
    return {k: as_array(c[k]) for k in ("ai", "n1i", "ci", "n2i")}


@pytest.mark.parametrize("cid", IV)
def test_effect_sizes_and_pools_match_meta(cid):
    c = CASES[cid]
    es = me.effect_sizes(c["measure"], **_counts(c), add="TACC", to=c["to"], drop00=c["drop00"])
    # double-zero tables with equal increments: a log ratio of 1 is 0 up to rounding
    assert_close(es.yi, as_array(c["yi"]), CLOSED_FORM, atol=CANCELLATION_ABS, what="yi")
    assert_close(es.sei, as_array(c["sei"]), CLOSED_FORM, what="sei")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", me.SmallSampleWarning)
        common = me.meta_analysis(es, method="EE")
        random = me.meta_analysis(es, method="DL")
    assert_close([common.estimate, common.se], as_array(c["common"]), CLOSED_FORM, what="common")
    assert_close(
        [random.estimate, random.se, random.tau2], as_array(c["random"]), CLOSED_FORM, atol=1e-15, what="DL"
    )


@pytest.mark.parametrize("cid", MH)
def test_mantel_haenszel_with_corrected_tables_matches_meta(cid):
    c = CASES[cid]
    res = me.mantel_haenszel(
        **_counts(c), measure=c["measure"], add=("TACC", "TACC"), to=("only0", "only0"), drop00=(True, True)
    )
    assert_close([res.estimate, res.se], as_array(c["common"]), CLOSED_FORM, what="MH")


def test_the_fixture_exercises_unequal_groups_and_every_rule():
    c = CASES["constructed_unequal-OR-only0-drop00"]
    n1, n2 = as_array(c["n1i"]), as_array(c["n2i"])
    assert np.any(n1 != n2)
    assert {CASES[k]["to"] for k in IV} == {"only0", "if0all", "all"}
    assert {CASES[k]["drop00"] for k in IV} == {True, False}


def test_increments_are_the_groups_shares_and_half_for_equal_groups():
    k1, k2 = treatment_arm_increments(
        np.array([0.0, 1]), np.array([20.0, 9]), np.array([2.0, 0]), np.array([58.0, 10])
    )
    assert k1.tolist() == [0.25, 0.5] and k2.tolist() == [0.75, 0.5]
    # with equal groups TACC is the usual 0.5 (same code path gives the same bytes)
    cells = (np.array([0.0]), np.array([10.0]), np.array([3.0]), np.array([7.0]))
    tacc, _ = zero_cell_correction(cells, add="TACC", to="only0")
    half, _ = zero_cell_correction(cells, add=0.5, to="only0")
    assert [float(x[0]) for x in tacc] == [float(x[0]) for x in half]


def test_the_correction_moves_an_unbalanced_study_away_from_the_null():
    # 0/20 vs 2/60: 0.5 in every cell of the small group biases the OR towards 1 (Sweeting
    # et al. 2004); TACC's smaller increment there gives the OR further from 1
    kw = {"ai": [0], "n1i": [20], "ci": [2], "n2i": [60]}
    tacc = me.effect_sizes("OR", **kw, add="TACC")
    half = me.effect_sizes("OR", **kw)
    assert tacc.yi[0] < half.yi[0] < 0


def test_tacc_is_refused_where_it_is_not_defined():
    kw = {"ai": [0, 3], "n1i": [20, 40], "ci": [2, 0], "n2i": [60, 20]}
    for measure in ("RD", "PETO", "AS"):
        with pytest.raises(
            ValueError, match=f"applies to OR and RR from 2x2 counts; got measure '{measure}'"
        ):
            me.effect_sizes(measure, **kw, add="TACC")
    with pytest.raises(ValueError, match="applies to OR and RR from 2x2 counts"):
        me.effect_sizes("OR", estimate=[0.5], ci_lower=[0.1], ci_upper=[0.9], add="TACC")
    with pytest.raises(ValueError, match="got Peto"):
        me.peto(**kw, add=(0.5, "TACC"))
    with pytest.raises(ValueError, match="or 'TACC'; got 'tacc'"):
        me.effect_sizes("OR", **kw, add="tacc")
    with pytest.raises(ValueError, match="'TACC' for 2x2 tables"):
        zero_cell_correction((np.array([0.0]), np.array([3.0])), add="TACC", to="only0")


def test_the_table_says_which_correction_was_added():
    es = me.effect_sizes(
        "OR", ai=[0, 3], n1i=[20, 40], ci=[2, 4], n2i=[60, 20], add="TACC", labels=["A", "B"]
    )
    text = str(es.summary())
    assert "add='TACC' (treatment-arm continuity correction)" in text
    assert "TACC increments added (zero cells)" in text
    assert es.corrected.tolist() == [True, False]


def test_labbe_arms_take_their_own_increments():
    kw = {"ai": [0, 3, 5], "n1i": [20, 40, 30], "ci": [2, 6, 5], "n2i": [60, 40, 30]}
    res = me.meta_analysis(me.effect_sizes("OR", **kw, add="TACC"), method="EE")
    d = me.labbe_data(res)
    # the first study: group 1 gets 20/80 per cell, group 2 (no zero) nothing under only0
    assert np.isclose(d.y[0], np.log(0.25 / 20.25), rtol=1e-14)
    assert np.isclose(d.x[0], np.log(2 / 58), rtol=1e-14)
