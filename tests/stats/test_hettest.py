"""Tests for heteroscedastic heterogeneity against metafor 5.1's hettest()
(tests/reference/R/hettest_v5.R): score, LRT and Wald statistics, chi-square p-values and
the saturated model's tau2i exactly; the residual tests' statistics exactly; bootstrap
p-values to Monte Carlo error."""

import math

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core import hettest as core
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE

CASES = load_reference("hettest_v5")["cases"]
BOOT = 2000


def _fit(c):
    return me.meta_analysis(np.asarray(c["yi"]), np.asarray(c["vi"]), method=c["method"])


def test_the_grid_of_cases_is_complete():
    tests = {c["test"] for c in CASES.values()}
    assert tests == set(core.LIKELIHOOD_TESTS + core.RESIDUAL_TESTS)
    assert {c["method"] for c in CASES.values()} == {"ML", "REML"}
    assert len(CASES) == 2 * 2 * 7


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_statistics_match_metafor(case_id):
    c = CASES[case_id]
    fit = _fit(c)
    assert_close(fit.tau2, c["tau2"], ITERATIVE, what="tau2")
    if c["pval_chi2"] is None:  # residual tests: bootstrap only
        h = me.heteroscedasticity_test(fit, test=c["test"], boot=BOOT)
        assert math.isnan(h.df) and math.isnan(h.chi2_p_value)
    else:
        h = me.heteroscedasticity_test(fit, test=c["test"], boot=False)
        assert h.df == c["df"] and h.boot == 0 and h.statistic_boot is None
        assert_close(h.p_value, c["pval_chi2"], DISTRIBUTION, what="chi-square p")
        assert_close(h.tau2i, c["tau2i"], CLOSED_FORM, atol=1e-12, what="tau2i")
        if c["se_tau2i"] is not None:
            assert_close(h.tau2i_se, c["se_tau2i"], CLOSED_FORM, what="se.tau2i")
    # metafor's tau^2 is converged to 1e-12: the statistics agree to the closed form
    assert_close(h.statistic, c["statistic"], CLOSED_FORM, what="statistic")


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bootstrap_p_values_agree_to_monte_carlo_error(case_id):
    c = CASES[case_id]
    h = me.heteroscedasticity_test(_fit(c), test=c["test"], boot=BOOT)
    assert h.boot == BOOT and h.boot_completed >= 0.95 * BOOT
    p = max(min(c["pval_boot"], 0.99), 0.01)
    # both are proportions of 2000 samples: 4 standard errors of their difference
    se = math.sqrt(p * (1 - p) * (1 / BOOT + 1 / h.boot_completed))
    assert abs(h.p_value - c["pval_boot"]) <= 4 * se + 1e-12, (h.p_value, c["pval_boot"])
    assert h.p_value == float(np.mean(h.statistic_boot >= h.statistic))


def test_the_bootstrap_is_seeded():
    fit = _fit(CASES["bcg-OR-REML-score"])
    a, b = me.heteroscedasticity_test(fit), me.heteroscedasticity_test(fit)
    np.testing.assert_array_equal(a.statistic_boot, b.statistic_boot)
    assert a.boot == 1000 and a.seed == b.seed
    other = me.heteroscedasticity_test(fit, seed=1)
    assert not np.array_equal(a.statistic_boot, other.statistic_boot)


def test_the_ml_score_statistic_is_half_the_sum_of_squared_pearson_deviations():
    c = CASES["bcg-OR-ML-score"]
    fit = _fit(c)
    z = (np.asarray(c["yi"]) - fit.estimate) / np.sqrt(np.asarray(c["vi"]) + fit.tau2)
    h = me.heteroscedasticity_test(fit, boot=False)
    assert_close(h.statistic, 0.5 * np.sum((z**2 - 1) ** 2), 1e-14)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test": "chi"}, "test must be one of score, lrt, wald, ksn, ksx2, adn, adx2; got 'chi'"),
        ({"boot": 5}, r"boot must be 0/False, True or a number of samples >= 10; got 5"),
        ({"boot": -1}, "boot must be"),
        ({"test": "adn", "boot": False}, "test 'adn' has no reference distribution: it needs boot"),
    ],
)
def test_bad_settings_get_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        me.heteroscedasticity_test(_fit(CASES["bcg-OR-REML-score"]), **kwargs)


def test_models_it_cannot_test_are_refused():
    c = CASES["bcg-OR-REML-score"]
    dl = me.meta_analysis(np.asarray(c["yi"]), np.asarray(c["vi"]), method="DL")
    with pytest.raises(ValueError, match="must be fitted by ML or REML; got method 'DL'"):
        me.heteroscedasticity_test(dl)
    two = me.meta_analysis(np.asarray(c["yi"][:2]), np.asarray(c["vi"][:2]), method="REML")
    with pytest.raises(ValueError, match="needs at least 3 studies; got 2"):
        me.heteroscedasticity_test(two)
    reg = me.meta_regression(c["yi"], c["vi"], "~ x", data={"x": np.arange(len(c["yi"]), dtype=float)})
    with pytest.raises(TypeError, match="needs a MetaAnalysis without moderators; got MetaRegression"):
        me.heteroscedasticity_test(reg)
