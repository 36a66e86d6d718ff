"""The vtype options of metafor 5 that 3.8-1 lacks, beyond the fixture replay.

The metafor 5.1-12 values themselves are replayed by tests/stats/test_effects_round3.py
(tests/reference/escalc_v5.json). Here: what the fixture cannot show -- studies without SDs
under ROM's average-CV variances, independent evaluations of the hypergeometric functions
where metafor's GSL is inaccurate, and that the second-order variances are closer to the
exact variance of a log SD than the first-order ones.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import polygamma

import metaevidence as me
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM

NOSD = dict(
    m1i=[10, 12, 9, 15, 11],
    sd1i=[2, np.nan, 2.5, 4, 1.5],
    n1i=[20, 35, 15, 50, 12],
    m2i=[8, 11, 9.5, 12, 10],
    sd2i=[2.2, 2.5, 3, np.nan, 2],
    n2i=[22, 30, 18, 45, 10],
)


def _series_2f1(a, b, c, z, terms=20_000):
    """2F1(a, b; c; z) by its power series on Python floats (independent of scipy)."""
    total, term = 1.0, 1.0
    for k in range(terms):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        if abs(term) < 1e-18 * total:
            break
    return total


def test_rom_average_cv_keeps_studies_without_sds():
    classic = me.effect_sizes("ROM", **NOSD)
    assert classic.dropped.tolist() == [False, True, False, True, False]
    kept = me.effect_sizes("ROM", **NOSD, vtype="AV", correct=False)
    assert not kept.dropped.any()
    m1, s1, n1 = (np.array(NOSD[k], float) for k in ("m1i", "sd1i", "n1i"))
    m2, s2, n2 = (np.array(NOSD[k], float) for k in ("m2i", "sd2i", "n2i"))
    cv1 = np.nansum(n1 * s1 / m1) / n1[~np.isnan(s1)].sum()
    cv2 = np.nansum(n2 * s2 / m2) / n2[~np.isnan(s2)].sum()
    assert_close(kept.vi, cv1**2 / n1 + cv2**2 / n2, rtol=CLOSED_FORM, what="ROM AV")
    assert_close(kept.yi, np.log(m1 / m2), rtol=CLOSED_FORM, what="ROM AV yi")
    # with the default bias correction a study without its SDs has no estimate
    corrected = me.effect_sizes("ROM", **NOSD, vtype="AVHO")
    assert corrected.dropped.tolist() == [False, True, False, True, False]
    assert "the bias correction needs" in corrected.source[1]
    assert "average CV" in corrected.source[0]


def test_rom_average_cv_still_refuses_a_bad_sd():
    bad = dict(NOSD, sd1i=[2, -1, 2.5, 4, 1.5])
    with pytest.raises(
        ValueError, match=r"sd1i must be a positive standard deviation or missing; got -1 in row 1"
    ):
        me.effect_sizes("ROM", **bad, vtype="AV")


def test_ucor_unbiased_variance_where_gsl_is_inaccurate():
    # r = 0.05, n = 10: 1 - r^2 = 0.9975; metafor 5.1-12 (GSL) gives yi 0.0543588813,
    # vi 0.169620 -- 9e-4 and 2.6% away from the series values checked here
    r, n = 0.05, 10
    es = me.effect_sizes("UCOR", ri=[r], ni=[n], vtype="UB")
    z = 1 - r * r
    y = r * _series_2f1(0.5, 0.5, (n - 2) / 2, z)
    rho2 = 1 - (n - 3) / (n - 2) * z * _series_2f1(1.0, 1.0, n / 2, z)
    assert abs(es.yi[0] / y - 1) < 1e-13
    assert abs(es.vi[0] / (y * y - rho2) - 1) < 1e-12
    assert abs(es.yi[0] / 0.0543588813232676 - 1) > 5e-4  # metafor's GSL value differs


def test_ucor_unbiased_variance_for_large_n_near_zero_r():
    # scipy's hyp2f1(1, 1; 163; 0.9975) is NaN; the series takes over (molloy2014 row 8)
    es = me.effect_sizes("UCOR", ri=[0.05], ni=[326], vtype="UB")
    z = 1 - 0.05**2
    y = 0.05 * _series_2f1(0.5, 0.5, 162, z)
    expected = y * y - (1 - 323 / 324 * z * _series_2f1(1.0, 1.0, 163, z))
    assert abs(es.vi[0] / expected - 1) < 1e-11
    assert abs(es.vi[0] / 0.003089948676919542 - 1) < 1e-10  # metafor 5.1-12, escalc_v5.json


@pytest.mark.parametrize("n", [3, 5, 10, 30])
def test_second_order_log_sd_variance_is_closer_to_the_exact_one(n):
    # Var(log s) for normal data is exactly trigamma((n - 1)/2) / 4
    exact = float(polygamma(1, (n - 1) / 2)) / 4
    ls = me.effect_sizes("VR", sd1i=[1.0], n1i=[n], sd2i=[1.0], n2i=[10**9]).vi[0]
    ls2 = me.effect_sizes("VR", sd1i=[1.0], n1i=[n], sd2i=[1.0], n2i=[10**9], vtype="LS2").vi[0]
    assert abs(ls2 - exact) < abs(ls - exact)
    assert math.isclose(ls2 - ls, 1 / (2 * (n - 1) ** 2), rel_tol=1e-6)


def test_smd1_null_variance_is_undefined_below_three_df():
    es = me.effect_sizes(
        "SMD1", m1i=[1.0, 1.0], n1i=[5, 5], m2i=[0.0, 0.0], sd2i=[1.0, 1.0], n2i=[3, 4], vtype="H0"
    )
    assert es.dropped.tolist() == [True, False]  # m = n2i - 1 = 2: t on 2 df has no variance


def test_a_vtype_per_study_is_checked_for_length_and_values():
    data = dict(m1i=[1, 2], sd1i=[1, 1], n1i=[10, 12], m2i=[0, 0], sd2i=[1, 1.5], n2i=[10, 9])
    with pytest.raises(ValueError, match=r"one string or one per study \(2\); got 1 values"):
        me.effect_sizes("SMD", **data, vtype=["LS"])
    with pytest.raises(ValueError, match="vtype must be one of 'LS', 'LS2', 'UB', 'AV', 'H0'; got 'HO'"):
        me.effect_sizes("SMD", **data, vtype=["LS", "HO"])
    with pytest.raises(TypeError, match="vtype values must be strings"):
        me.effect_sizes("SMD", **data, vtype=["LS", 2])
    mixed = me.effect_sizes("SMD", **data, vtype=("UB", "LS"))
    ub, ls = (me.effect_sizes("SMD", **data, vtype=v) for v in ("UB", "LS"))
    assert mixed.vi.tolist() == [ub.vi[0], ls.vi[1]] and mixed.yi.tolist() == ls.yi.tolist()
