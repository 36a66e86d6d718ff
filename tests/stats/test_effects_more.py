"""effect_sizes() for the second round of measures and the vtype/legacy options.

Oracle 1: tests/reference/escalc_more.json, written by tests/reference/R/escalc_more.R with
Debian's metafor 3.8-1 (closed forms: CLOSED_FORM, 1e-10 relative). Oracle 2, where
current metafor (5.x) differs from 3.8-1: the published formula (Lajeunesse 2015 for ROM)
and the values metafor 5.1-12 itself asserts in its test suite
(tests/testthat/test_misc_escalc.r, printed to 4 decimals), compared to half a unit in
the 4th decimal (PRINTED_4DP).
"""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from metaevidence.datasets import load_normand1999
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM

REF = load_reference("escalc_more")
CASES = REF["cases"]
FIRST = load_reference("escalc")["cases"]
PRINTED_4DP = 0.5e-4  # half a unit in the last printed digit of a 4-decimal value


def replay(case: dict, **extra) -> me.EffectSizes:
    inputs = {k: as_array(v) for k, v in case["inputs"].items()}
    return me.effect_sizes(case["measure"], **inputs, **case["settings"], **extra)


def test_fixture_records_the_reference_version():
    assert REF["metafor_version"] == "3.8.1"


def test_every_computed_measure_has_a_metafor_fixture():
    covered = {c["measure"] for c in CASES.values()} | {c["measure"] for c in FIRST.values()}
    for later in ("escalc_round3", "escalc_v5", "escalc_inputs_v5"):  # metafor 3.8-1 and 5.1-12
        covered |= {c["measure"] for c in load_reference(later)["cases"].values() if "measure" in c}
    computed = {m for m, info in me.MEASURES.items() if info.family != "reported"}
    assert computed <= covered, sorted(computed - covered)


def test_every_new_measure_has_published_data_and_an_edge_case():
    first = {c["measure"] for c in FIRST.values()}
    for measure in {c["measure"] for c in CASES.values()} - first:
        datasets = {c["dataset"] for c in CASES.values() if c["measure"] == measure}
        assert "constructed" in datasets, measure
        assert datasets - {"constructed"}, measure


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor_3_8(case_id):
    case = CASES[case_id]
    # legacy=True: the fixture is metafor 3.8-1 (SMCRH and ZPCOR variances changed later)
    es = replay(case, legacy=True)
    expected_yi, expected_vi = as_array(case["yi"]), as_array(case["vi"])
    absent = np.isnan(expected_yi)
    assert es.dropped.tolist() == absent.tolist(), case["call"]
    assert_close(es.yi, expected_yi, rtol=CLOSED_FORM, atol=CANCELLATION_ABS, what=f"{case_id} yi")
    assert_close(es.vi[~absent], expected_vi[~absent], rtol=CLOSED_FORM, what=f"{case_id} vi")


def _normand4(measure, **kw):
    d = load_normand1999().head(4)
    cols = {k: d[k].to_numpy(float) for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i")}
    return me.effect_sizes(measure, **cols, **kw), cols


def test_rom_correction_changes_the_estimate_not_the_variance():
    # metafor 5 (escalc default correct=TRUE): Edinburgh vi 0.0093791, the classic variance
    corrected, cols = _normand4("ROM", correct=True)
    classic, _ = _normand4("ROM", correct=False)
    np.testing.assert_array_equal(corrected.vi, classic.vi)
    assert abs(corrected.vi[0] - 0.0093791) < 0.5e-7
    u1 = cols["sd1i"] ** 2 / (cols["n1i"] * cols["m1i"] ** 2)
    u2 = cols["sd2i"] ** 2 / (cols["n2i"] * cols["m2i"] ** 2)
    # Lajeunesse (2015) eq. 8: log ratio + (u1 - u2) / 2
    assert_close(corrected.yi, classic.yi + (u1 - u2) / 2, rtol=CLOSED_FORM, what="ROM eq. 8")
    # vtype="LS2": eq. 9, the second-order variance (the old correct=True variance, 0.0094011)
    ls2, _ = _normand4("ROM", correct=True, vtype="LS2")
    assert_close(ls2.vi, classic.vi + (u1**2 + u2**2) / 2, rtol=CLOSED_FORM, what="ROM eq. 9")
    assert abs(ls2.vi[0] - 0.0094011) < 0.5e-7
    # metafor 5.1-12's own test values for ROM (yi, vi) at 4 decimals
    assert np.all(np.abs(classic.vi - [0.0094, 0.0028, 0.0018, 0.0119]) <= PRINTED_4DP)


def test_smdh_follows_metafor_5_and_legacy_follows_3_8():
    current, _ = _normand4("SMDH")
    legacy, _ = _normand4("SMDH", legacy=True)
    np.testing.assert_array_equal(current.yi, legacy.yi)
    # metafor 5.1-12 test_misc_escalc.r: yi and vi of SMDH on normand1999[1:4]
    assert np.all(np.abs(current.yi - [-0.3553, -0.3465, -2.3018, -1.8880]) <= PRINTED_4DP)
    assert np.all(np.abs(current.vi - [0.0132, 0.0674, 0.0515, 0.1961]) <= PRINTED_4DP)
    # the 3.8-1 form differs visibly (0.0657, 0.0509, 0.1874 in studies 2-4)
    assert np.all(np.abs(legacy.vi[1:] - [0.0674, 0.0515, 0.1961]) > 10 * PRINTED_4DP)
    first = FIRST["normand1999-SMDH"]
    assert_close(legacy.vi, as_array(first["vi"])[:4], rtol=CLOSED_FORM, what="SMDH legacy vs 3.8-1")


def test_smcrh_follows_metafor_5():
    es = me.effect_sizes("SMCRH", m1i=26, m2i=22, sd1i=30**0.5, sd2i=20**0.5, ni=60, ri=0.7)
    # metafor 5.1-12 test_misc_escalc.r (Morris & DeShon example): 0.7210, 0.0133
    assert abs(es.yi[0] - 0.7210) <= PRINTED_4DP and abs(es.vi[0] - 0.0133) <= PRINTED_4DP
    old = me.effect_sizes("SMCRH", m1i=26, m2i=22, sd1i=30**0.5, sd2i=20**0.5, ni=60, ri=0.7, legacy=True)
    assert abs(old.vi[0] - 0.0133) > 1e-4  # 3.8-1: 0.01294
    mc = me.effect_sizes("MC", m1i=26, m2i=22, sd1i=30**0.5, sd2i=20**0.5, ni=60, ri=0.7)
    assert abs(mc.yi[0] - 4.0) <= PRINTED_4DP and abs(mc.vi[0] - 0.2618) <= PRINTED_4DP


def test_zpcor_variance_follows_metafor_5():
    case = CASES["aloe2013-ZPCOR"]
    es = replay(case)
    n, m = as_array(case["inputs"]["ni"]), as_array(case["inputs"]["mi"])
    # metafor 5.1-12 (tests/reference/escalc_v5.json): 1/(n - m - 2), mi counting the focal
    # predictor (4.0-0 moved to 1/(n - p - 3) with p the other predictors; 4.6-0 made mi count all)
    assert_close(es.vi, 1 / (n - m - 2), rtol=CLOSED_FORM, what="ZPCOR vi, metafor 5")
    # metafor 5.1-12 test values for study 1: PCOR 0.3012 (0.0039), ZPCOR 0.3108 (0.0047)
    assert abs(es.yi[0] - 0.3108) <= PRINTED_4DP and abs(es.vi[0] - 0.0047) <= PRINTED_4DP
    pcor = replay(CASES["aloe2013-PCOR"])
    assert abs(pcor.yi[0] - 0.3012) <= PRINTED_4DP and abs(pcor.vi[0] - 0.0039) <= PRINTED_4DP


def test_association_measures_match_the_handbook_table():
    # metafor's tests, after Table 13.4 (p. 242) of the Handbook of Research Synthesis and
    # Meta-Analysis (2nd ed.): PHI 0.1309 (SE 0.0789), YUQ 0.3846 (0.1901), YUY 0.2000 (0.1071)
    for measure, yi, se in (("PHI", 0.1309, 0.0789), ("YUQ", 0.3846, 0.1901), ("YUY", 0.2000, 0.1071)):
        es = me.effect_sizes(measure, ai=[135], bi=[15], ci=[40], di=[10])
        assert abs(es.yi[0] - yi) <= PRINTED_4DP and abs(es.sei[0] - se) <= PRINTED_4DP, measure


def test_vtype_is_checked_per_measure():
    with pytest.raises(ValueError, match=r"measure='OR'\): vtype must be one of 'LS'; got 'HO'"):
        me.effect_sizes("OR", ai=[1], bi=[2], ci=[3], di=[4], vtype="HO")
    with pytest.raises(ValueError, match=r"vtype must be one of 'LS', 'LS2', 'HO', 'AV', 'AVHO'; got 'UB'"):
        _normand4("ROM", vtype="UB")


def test_smd_h0_variance_is_the_null_variance():
    # Under a true SMD of 0, g = c(m) sqrt(1/n1 + 1/n2) T with T ~ t on m = n1 + n2 - 2 df:
    # its variance is c(m)^2 (1/n1 + 1/n2) Var(T), Var(T) from scipy's t distribution (an
    # independent route to m / (m - 2)); metafor 5.1-12 gives the same (escalc_v5.json,
    # "normand1999-SMD-H0"). Not 1/n1 + 1/n2, which an earlier version returned.
    from scipy.stats import t as student_t

    from metaevidence.core.effects.continuous import hedges_correction

    es, cols = _normand4("SMD", vtype="H0")
    m = cols["n1i"] + cols["n2i"] - 2
    var_t = np.array([student_t(df).var() for df in m])
    expected = hedges_correction(m) ** 2 * (1 / cols["n1i"] + 1 / cols["n2i"]) * var_t
    assert_close(es.vi, expected, rtol=CLOSED_FORM, what="SMD H0")
    assert np.all(es.vi > 1 / cols["n1i"] + 1 / cols["n2i"])


def test_paired_inputs_are_checked():
    with pytest.raises(ValueError, match=r"ri must be a correlation between -1 and 1; got 1.5 in row 0"):
        me.effect_sizes("MC", m1i=[1], m2i=[2], sd1i=[1], sd2i=[1], ni=[10], ri=[1.5])
    with pytest.raises(ValueError, match=r"ti must be positive person-time; got 0 in row 1"):
        me.effect_sizes("IR", xi=[1, 2], ti=[10, 0])


def test_cor_h0_variance_is_the_null_variance():
    es = me.effect_sizes("COR", ri=[0.2, -0.5, 0.9], ni=[20, 30, 40], vtype="H0")
    assert_close(es.vi, 1 / (np.array([20, 30, 40]) - 1), rtol=CLOSED_FORM, what="COR H0")
