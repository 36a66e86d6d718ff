"""Normal Q-Q plot: points against metafor's qqnorm(); seeded envelope against its
smooth=FALSE envelope at Monte Carlo tolerance; the smoothing of the bounds against
metafor's smooth=TRUE lines from the same simulation (tests/reference/R/qq_smooth.R)."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots.output import figure_bytes
from metaevidence.plots.qq import smooth_bound
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE, QQ_ENVELOPE_ABS, QQ_ENVELOPE_BONFERRONI_ABS, SUPSMU

SMOOTH = load_reference("qq_smooth")["cases"]

CASES = {k: c for k, c in load_reference("diagnostic_plots")["cases"].items() if c["kind"] == "qq"}


def _fit(c):
    if "ablat" in c:  # a meta-regression on absolute latitude
        return me.meta_regression(c["yi"], c["vi"], "~ ablat", data={"ablat": c["ablat"]}, method=c["method"])
    return me.meta_analysis(np.asarray(c["yi"]), np.asarray(c["vi"]), method=c["method"])


def test_the_grid_of_cases_is_complete():
    assert {c["method"] for c in CASES.values()} == {"REML", "EE", "DL"}
    assert any(c["bonferroni"] for c in CASES.values())
    assert "qq-bcg-OR-REML-ablat" in CASES


@pytest.mark.parametrize("case", sorted(CASES))
def test_qq_points_match_metafor(case):
    c = CASES[case]
    d = me.qq_data(_fit(c), envelope=False)
    assert_close(d.x, c["x"], CLOSED_FORM, what="theoretical quantiles")
    rtol = CLOSED_FORM if c["method"] in ("EE", "DL") else ITERATIVE
    assert_close(d.y, c["y"], rtol, what="standardized residuals")
    assert d.envelope_lower is None


@pytest.mark.parametrize("case", sorted(CASES))
def test_qq_envelope_matches_metafor_to_monte_carlo_error(case):
    c = CASES[case]
    d = me.qq_data(_fit(c), reps=c["reps"], bonferroni=c["bonferroni"], smooth=False)
    atol = QQ_ENVELOPE_BONFERRONI_ABS if c["bonferroni"] else QQ_ENVELOPE_ABS
    assert_close(d.envelope_x, c["envelope_x"], CLOSED_FORM, what="envelope x")
    assert_close(d.envelope_lower, c["envelope_lower"], 0.0, atol=atol, what="lower envelope")
    assert_close(d.envelope_upper, c["envelope_upper"], 0.0, atol=atol, what="upper envelope")


def test_the_envelope_is_seeded():
    fit = _fit(CASES["qq-bcg-OR-REML"])
    a, b = me.qq_data(fit), me.qq_data(fit)
    np.testing.assert_array_equal(a.envelope_lower, b.envelope_lower)
    other = me.qq_data(fit, seed=1)
    assert not np.array_equal(a.envelope_lower, other.envelope_lower)
    assert figure_bytes(me.qq_plot(fit), "png") == figure_bytes(me.qq_plot(fit), "png")


def test_qq_refuses_bad_settings():
    fit = _fit(CASES["qq-bcg-OR-REML"])
    with pytest.raises(ValueError, match="reps must be an integer >= 10; got 3"):
        me.qq_data(fit, reps=3)
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\); got 95"):
        me.qq_data(fit, level=95)


@pytest.mark.parametrize("case", sorted(SMOOTH))
def test_the_smoothing_matches_metafor(case):
    """metafor's smooth=TRUE lines are its smooth=FALSE lines passed through supsmu; ours
    from the same unsmoothed lines agree to rounding."""
    c = SMOOTH[case]
    x = np.asarray(c["x"])
    for side in ("lower", "upper"):
        raw = np.asarray(c[f"{side}_raw"])
        got = smooth_bound(x, raw, c["bass"])
        assert_close(got, c[f"{side}_smooth"], SUPSMU, what=f"{case}: {side}")
        assert np.abs(got - raw).max() > 1e-3  # the smoothing does something


def test_qq_data_smooths_its_own_simulated_bounds():
    fit = _fit(CASES["qq-bcg-OR-REML"])
    raw = me.qq_data(fit, smooth=False)
    for bass in (0, 7):
        d = me.qq_data(fit, bass=bass)
        assert d.smooth and d.bass == bass and not raw.smooth
        np.testing.assert_array_equal(
            d.envelope_lower, smooth_bound(raw.envelope_x, raw.envelope_lower, bass)
        )
        np.testing.assert_array_equal(
            d.envelope_upper, smooth_bound(raw.envelope_x, raw.envelope_upper, bass)
        )
    assert figure_bytes(me.qq_plot(fit, bass=7), "png") != figure_bytes(me.qq_plot(fit, smooth=False), "png")


@pytest.mark.parametrize("bass", [-1, 11, "heavy", True])
def test_qq_refuses_a_bad_bass(bass):
    fit = _fit(CASES["qq-bcg-OR-REML"])
    with pytest.raises(ValueError, match=r"bass must be a number in \[0, 10\]; got"):
        me.qq_data(fit, bass=bass)
