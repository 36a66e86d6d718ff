"""effect_sizes() for the third round of measures and metafor 5's default corrections.

Oracle 1: tests/reference/escalc_round3.json, written by tests/reference/R/escalc_round3.R
with Debian's metafor 3.8-1 (replayed with ``legacy=True``). Oracle 2:
tests/reference/escalc_v5.json, written by tests/reference/R/escalc_v5.R with metafor
5.1-12 (replayed with the defaults, which follow current metafor), including every case
of the 3.8-1 fixtures recomputed by metafor 5 ("replay-..."): so each measure is checked
against both versions. Closed forms compare
to CLOSED_FORM; the tetrachoric correlation to metafor's optimizer tolerance, and to an
independent evaluation of its defining equation. Oracle 3: worked examples by hand, each
number's source written beside it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

import metaevidence as me
from metaevidence.core.effects.measures import REPORTED_COLUMNS
from metaevidence.stats.effects import LARGE_EFFECT_MEASURES
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import (
    CANCELLATION_ABS,
    CLOSED_FORM,
    TETRACHORIC_VI_ABS,
    TETRACHORIC_VI_REL,
    TETRACHORIC_YI_ABS,
)

V38 = load_reference("escalc_round3")
V5 = load_reference("escalc_v5")
V5_ESCALC = {k: c for k, c in V5["cases"].items() if "measure" in c}
TETRACHORIC = {"RTET", "ZTET"}
NEW = set(
    "SMD1H SMCRP SMCRPH VRC CVRC ZPHI RTET ZTET RPB ZPB RBIS ZBIS SPCOR ZSPCOR R2 ZR2 SMN PBIT PRZ IRSD CLES AUC CLESN AUCN CLESCN AUCCN".split()
)


def replay(case: dict, **extra) -> me.EffectSizes:
    # metafor ignores inputs a measure does not use (r2i for PCOR); effect_sizes refuses them
    info = me.MEASURES[case["measure"]]
    accepted = {c for kind in info.columns for c in kind} | set(REPORTED_COLUMNS)
    inputs = {k: as_array(v) for k, v in case["inputs"].items() if k in accepted}
    if case["measure"] in LARGE_EFFECT_MEASURES:  # these data have SMDs beyond 2 (metafor warns
        extra.setdefault("cutoff", None)  # too); the warning is tested in test_smd_cutoff.py
    return me.effect_sizes(case["measure"], **inputs, **case["settings"], **extra)


def _compare(case_id: str, case: dict, es: me.EffectSizes) -> None:
    expected_yi, expected_vi = as_array(case["yi"]), as_array(case["vi"])
    # metafor keeps vi where it needs no missing input (ZCOR's 1/(n - 3)) and yi where only
    # the variance is undefined (SMD1's H0 variance at n2i = 3); a row is dropped when
    # either is missing
    absent = np.isnan(expected_yi) | np.isnan(expected_vi)
    assert es.dropped.tolist() == absent.tolist(), case["call"]
    expected_yi = np.where(absent, np.nan, expected_yi)
    expected_vi = np.where(absent, np.nan, expected_vi)
    if case["measure"] in TETRACHORIC:
        assert_close(es.yi, expected_yi, rtol=0, atol=TETRACHORIC_YI_ABS, what=f"{case_id} yi")
        assert_close(
            es.vi, expected_vi, rtol=TETRACHORIC_VI_REL, atol=TETRACHORIC_VI_ABS, what=f"{case_id} vi"
        )
    else:
        assert_close(es.yi, expected_yi, rtol=CLOSED_FORM, atol=CANCELLATION_ABS, what=f"{case_id} yi")
        assert_close(es.vi, expected_vi, rtol=CLOSED_FORM, what=f"{case_id} vi")


def test_fixtures_record_their_metafor_versions():
    assert V38["metafor_version"] == "3.8.1"
    assert V5["metafor_version"] == "5.1.12"


def test_every_new_measure_has_a_metafor_fixture():
    covered = {c["measure"] for c in V38["cases"].values()} | {c["measure"] for c in V5_ESCALC.values()}
    assert NEW <= covered, sorted(NEW - covered)
    assert NEW <= set(me.MEASURES)


@pytest.mark.parametrize("case_id", sorted(V38["cases"]))
def test_matches_metafor_3_8(case_id):
    case = V38["cases"][case_id]
    _compare(case_id, case, replay(case, legacy=True))


@pytest.mark.parametrize("case_id", sorted(V5_ESCALC))
def test_matches_metafor_5(case_id):
    case = V5_ESCALC[case_id]
    _compare(case_id, case, replay(case))


def test_tetrachoric_solves_its_defining_equation():
    # independent of metafor: Phi2(h, k; r) = a/n with scipy's bivariate normal integration
    bcg = V38["cases"]["bcg-RTET"]["inputs"]
    es = me.effect_sizes("RTET", **{k: as_array(v) for k, v in bcg.items()})
    a, b, c, d = (as_array(bcg[k]) for k in ("ai", "bi", "ci", "di"))
    n = a + b + c + d
    for i, r in enumerate(es.yi):
        h, k = norm.ppf((a[i] + b[i]) / n[i]), norm.ppf((a[i] + c[i]) / n[i])
        mvn = multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]], abseps=1e-13, releps=1e-13, maxpts=10**7)
        assert abs(mvn.cdf([h, k]) - a[i] / n[i]) < 1e-11


def test_tetrachoric_handbook_example():
    # Handbook of Research Synthesis and Meta-Analysis (2nd ed.), Table 13.4, p. 242:
    # r_tet = 0.2603, SE 0.1423 (as printed; metafor's own test asserts the same values).
    # The exact root is 0.260242 (see the test above), which the printed 0.2603 (an
    # approximation, as metafor's 0.260255) misses by 6e-5: compared to 1e-4.
    es = me.effect_sizes("RTET", ai=[135], bi=[15], ci=[40], di=[10])
    assert abs(es.yi[0] - 0.2603) < 1e-4
    assert abs(es.sei[0] - 0.1423) < 0.5e-4


def test_rtet_default_add_is_zero_and_zero_cells_are_dropped():
    es = me.effect_sizes("RTET", ai=[0, 10], bi=[10, 5], ci=[5, 3], di=[10, 7])
    assert es.dropped.tolist() == [True, False]
    assert not es.corrected.any()
    fixed = me.effect_sizes("RTET", ai=[0, 10], bi=[10, 5], ci=[5, 3], di=[10, 7], add=0.5)
    assert fixed.corrected.tolist() == [True, False] and not fixed.dropped.any()


def test_smcrp_worked_example():
    # Morris & DeShon (2002) data: m = 26, 22; s^2 = 30, 20; n = 60; r = 0.7.
    # s_p = sqrt((30 + 20) / 2) = 5, d = 4 / 5 = 0.8; Cousineau (2020) df
    # nu = 2 (n - 1) / (1 + r^2) = 118 / 1.49; c(nu) = Gamma(nu/2) / (sqrt(nu/2) Gamma((nu-1)/2));
    # v = 2 (1 - r) / n + (1 + r^2) y^2 / (4 n)
    from scipy.special import gammaln

    nu = 118 / 1.49
    c = np.exp(gammaln(nu / 2) - 0.5 * np.log(nu / 2) - gammaln((nu - 1) / 2))
    y = c * 0.8
    es = me.effect_sizes("SMCRP", m1i=[26], m2i=[22], sd1i=[30**0.5], sd2i=[20**0.5], ni=[60], ri=[0.7])
    assert_close(es.yi, [y], rtol=CLOSED_FORM, what="SMCRP yi")
    assert_close(es.vi, [0.6 / 60 + 1.49 * y**2 / 240], rtol=CLOSED_FORM, what="SMCRP vi")
    # SMCRPH: Bonett (2008) with the root mean variance; (s1^4 + s2^4 + 2 r^2 s1^2 s2^2) = 1888
    h = me.effect_sizes("SMCRPH", m1i=[26], m2i=[22], sd1i=[30**0.5], sd2i=[20**0.5], ni=[60], ri=[0.7])
    change = 50 - 2 * 0.7 * 600**0.5
    assert_close(h.vi, [y**2 * 1888 / (8 * 625 * 59) + change / (25 * 59)], rtol=CLOSED_FORM, what="SMCRPH")


def test_r2_worked_example():
    # Kendall & Stuart (1979) eq. 27.88: 4 R^2 (1 - R^2)^2 / n = 4 * 0.3 * 0.49 / 50 = 0.01176;
    # ZR2 = atanh(sqrt(0.3)), variance 1 / n = 0.02
    es = me.effect_sizes("R2", r2i=[0.3], ni=[50], mi=[3])
    assert_close(es.vi, [0.01176], rtol=CLOSED_FORM, what="R2 vi")
    z = me.effect_sizes("ZR2", r2i=[0.3], ni=[50], mi=[3])
    assert_close(z.yi, [np.arctanh(0.3**0.5)], rtol=CLOSED_FORM, what="ZR2 yi")
    assert_close(z.vi, [0.02], rtol=CLOSED_FORM, what="ZR2 vi")


def test_fisher_z_measures_are_the_delta_method_of_their_base():
    d = V5_ESCALC["normand1999-RPB"]["inputs"]
    cols = {k: as_array(v) for k, v in d.items()}
    base, z = me.effect_sizes("RPB", **cols), me.effect_sizes("ZPB", **cols)
    assert_close(z.yi, np.arctanh(base.yi), rtol=CLOSED_FORM, what="ZPB yi")
    assert_close(z.vi, base.vi / (1 - base.yi**2) ** 2, rtol=CLOSED_FORM, what="ZPB vi")


@pytest.mark.parametrize("measure", ["ROM", "CVR"])
def test_default_correction_follows_metafor_5_and_legacy_metafor_3_8(measure):
    d = V5_ESCALC[f"normand1999-{measure}"]["inputs"]
    cols = {k: as_array(v) for k, v in d.items()}
    default, explicit = me.effect_sizes(measure, **cols), me.effect_sizes(measure, **cols, correct=True)
    np.testing.assert_array_equal(default.yi, explicit.yi)
    old = load_reference("escalc")["cases"] if measure == "ROM" else load_reference("escalc_more")["cases"]
    case = old[f"normand1999-{measure}"] if f"normand1999-{measure}" in old else None
    legacy = me.effect_sizes(measure, **cols, legacy=True)
    if case is not None:
        assert_close(legacy.yi, as_array(case["yi"]), rtol=CLOSED_FORM, atol=CANCELLATION_ABS, what="3.8")
    assert not np.allclose(legacy.yi, default.yi, rtol=1e-9, atol=0)


def test_romc_correction_worked_example():
    # Lajeunesse (2015) eq. 8 for correlated means: log(26/22) + (30/(60*26^2) - 20/(60*22^2)) / 2
    es = me.effect_sizes("ROMC", m1i=[26], m2i=[22], sd1i=[30**0.5], sd2i=[20**0.5], ni=[60], ri=[0.7])
    expected = np.log(26 / 22) + (30 / (60 * 26**2) - 20 / (60 * 22**2)) / 2
    assert_close(es.yi, [expected], rtol=CLOSED_FORM, what="ROMC yi")
    old = me.effect_sizes(
        "ROMC", m1i=[26], m2i=[22], sd1i=[30**0.5], sd2i=[20**0.5], ni=[60], ri=[0.7], legacy=True
    )
    assert_close(old.yi, [np.log(26 / 22)], rtol=CLOSED_FORM, what="ROMC 3.8")


def test_new_measures_reject_bad_input_with_the_one_message_shape():
    with pytest.raises(ValueError, match=r"r2i must be an R\^2 between 0 and 1; got 1.5 in row 0"):
        me.effect_sizes("R2", r2i=[1.5], ni=[50], mi=[3])
    with pytest.raises(ValueError, match=r"vtype must be one of 'LS', 'LS2', 'AV', 'AV2'; got 'CS'"):
        me.effect_sizes("R2", r2i=[0.3], ni=[50], mi=[3], vtype="CS")
    with pytest.raises(ValueError, match=r"m1i must be positive for CVRC"):
        me.effect_sizes("CVRC", m1i=[-1], m2i=[2], sd1i=[1], sd2i=[1], ni=[10], ri=[0.5])
    with pytest.raises(ValueError, match=r"sdi must be a positive standard deviation"):
        me.effect_sizes("SMN", mi=[1], sdi=[0], ni=[10])


def test_cles_worked_example():
    # Newcombe (2006) method 4 with (n1 - 1)(n2 - 1): A = 0.5, n1 = n2 = 100, n* = 100:
    # 0.25 (1 + 99 * 0.5/1.5 + 99 * 0.5/1.5) / 99^2 = 0.25 * 67 / 9801
    es = me.effect_sizes("CLES", ai=[0.5], n1i=[100], n2i=[100])
    assert_close(es.vi, [0.25 * 67 / 9801], rtol=CLOSED_FORM, what="CLES vi")
    with pytest.raises(ValueError, match=r"ai must be a CLES value between 0 and 1; got 1.2"):
        me.effect_sizes("CLES", ai=[1.2], n1i=[100], n2i=[100])
