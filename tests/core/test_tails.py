"""The closed-form t and chi-square tails (core/tails.py) against R's pt and pchisq
(tests/reference/R/tails.R), and the batched fits that use them."""

import numpy as np
import pytest
from scipy import special

from metaevidence.core import pool
from metaevidence.core.tails import INTEGER_DF_MAX, chi2_upper, t_two_sided
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, T_TAIL_CLOSED_FORM

REF = load_reference("tails")["cases"]


def test_fixture_covers_both_parities_and_the_largest_df():
    dfs = {c["df"] for c in REF.values()}
    assert set(range(1, 21)) <= dfs and INTEGER_DF_MAX in dfs and INTEGER_DF_MAX - 1 in dfs


@pytest.mark.parametrize("case_id", sorted(REF))
def test_t_two_sided_matches_r(case_id):
    c = REF[case_id]
    t = np.array(c["t"])
    expected = np.array(c["p_two_sided"])
    got = t_two_sided(t, c["df"])
    assert_close(got, expected, T_TAIL_CLOSED_FORM, what=f"{case_id}: 2 pt(-|t|, df)")
    assert_close(t_two_sided(-t, c["df"]), expected, T_TAIL_CLOSED_FORM, what="symmetric")
    # the grid reaches both regimes: the closed form and scipy's tail below p = 1e-3
    assert (expected >= 1e-3).sum() > 20 and (expected < 1e-3).sum() >= 3


@pytest.mark.parametrize("case_id", sorted(REF))
def test_chi2_upper_matches_r(case_id):
    c = REF[case_id]
    x = np.array(c["x"])
    # every term of the closed form is positive: as accurate as a closed form gets, in
    # the far tail too (down to 1e-300)
    assert_close(chi2_upper(x, c["df"]), c["q_upper"], CLOSED_FORM, what=f"{case_id}: pchisq upper")


def test_special_values():
    t = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e200])
    np.testing.assert_array_equal(t_two_sided(t, 19), [1.0, 1.0, 0.0, 0.0, np.nan, 0.0])
    np.testing.assert_array_equal(t_two_sided(t, 20), [1.0, 1.0, 0.0, 0.0, np.nan, 0.0])
    x = np.array([0.0, np.inf, np.nan, 1e300, -1.0])
    np.testing.assert_array_equal(chi2_upper(x, 19), special.chdtrc(19.0, x))
    np.testing.assert_array_equal(chi2_upper(x, 20), special.chdtrc(20.0, x))


@pytest.mark.parametrize("df", [0, INTEGER_DF_MAX + 1, 2.5, 19.0])
def test_df_outside_the_closed_form_is_refused(df):
    with pytest.raises(ValueError, match=r"df must be an integer in \[1, 64\]; got"):
        t_two_sided(np.ones(3), df)
    with pytest.raises(ValueError, match=r"df must be an integer in \[1, 64\]; got"):
        chi2_upper(np.ones(3), df)


def test_batches_take_the_closed_form_only_for_one_shared_integer_df():
    """The dispatch in pool: one integer df over more than 8 values takes the closed form;
    mixed, fractional, large or short batches keep scipy's (same numbers to the tolerance)."""
    rng = np.random.default_rng(7)
    stat = rng.normal(0.0, 3.0, 40)
    q = rng.chisquare(9.0, 40)
    for df in (
        np.full(40, 9.0),
        np.full(40, 9.5),
        np.full(40, 70.0),
        np.r_[np.full(20, 9.0), np.full(20, 12.0)],
    ):
        assert_close(pool.t_p_value(stat, df), 2 * special.stdtr(df, -np.abs(stat)), T_TAIL_CLOSED_FORM)
        assert_close(pool.chi2_sf(q, df), special.chdtrc(df, q), CLOSED_FORM)
    one = np.full(40, 9.0)
    np.testing.assert_array_equal(pool.t_p_value(stat, one), t_two_sided(stat, 9))
    np.testing.assert_array_equal(pool.chi2_sf(q, one), chi2_upper(q, 9))
    short = np.full(8, 9.0)
    np.testing.assert_array_equal(pool.t_p_value(stat[:8], short), 2 * special.stdtr(9.0, -np.abs(stat[:8])))
