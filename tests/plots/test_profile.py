"""tau^2 profile plot: grid and (restricted) log-likelihood against metafor's profile()."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots.output import figure_bytes
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE, METAFOR_UNIROOT_DEFAULT

CASES = {k: c for k, c in load_reference("diagnostic_plots")["cases"].items() if c["kind"] == "profile"}


def _fit(c):
    if "ablat" in c:  # a meta-regression on absolute latitude
        return me.meta_regression(c["yi"], c["vi"], "~ ablat", data={"ablat": c["ablat"]}, method=c["method"])
    return me.meta_analysis(np.asarray(c["yi"]), np.asarray(c["vi"]), method=c["method"])


def test_the_grid_of_cases_is_complete():
    assert {c["method"] for c in CASES.values()} == {"REML", "ML", "DL"}
    assert "profile-bcg-OR-REML-ablat" in CASES


@pytest.mark.parametrize("case", sorted(CASES))
def test_profile_on_metafors_grid_matches(case):
    c = CASES[case]
    d = me.profile_data(_fit(c), xlim=tuple(c["xlim"]), steps=c["steps"])
    assert_close(d.tau2, c["tau2"], CLOSED_FORM, what="grid")
    assert_close(d.loglik, c["ll"], CLOSED_FORM, what="log-likelihood")
    assert_close(d.beta[:, 0], c["beta"], CLOSED_FORM, what="beta")
    assert_close(d.loglik_hat, c["loglik"], ITERATIVE, what="maximum")
    assert d.reml == (c["method"] == "REML")


@pytest.mark.parametrize("case", [k for k in sorted(CASES) if not k.endswith("xlim")])
def test_default_limits_are_the_q_profile_interval(case):
    # metafor's profile() calls confint() at uniroot's default tolerance (eps^0.25, absolute)
    c = CASES[case]
    d = me.profile_data(_fit(c))
    assert_close(d.xlim, c["xlim"], 0.0, atol=METAFOR_UNIROOT_DEFAULT, what="xlim")
    assert d.tau2.size == c["steps"]


def test_profile_plot_renders_and_refuses_common_effect():
    c = CASES["profile-bcg-OR-REML"]
    fit = _fit(c)
    fig = me.profile_plot(fit, xlim=(0, 2), steps=41)
    (line,) = [a for a in fig.axes[0].lines if a.get_gid() == "profile"]
    assert len(line.get_xdata()) == 41
    assert figure_bytes(fig, "png") == figure_bytes(me.profile_plot(fit, xlim=(0, 2), steps=41), "png")
    with pytest.raises(ValueError, match="needs a random-effects fit; got method 'EE'"):
        me.profile_data(me.meta_analysis(c["yi"], c["vi"], method="EE"))
    with pytest.raises(ValueError, match="xlim must be two numbers 0 <= lower < upper"):
        me.profile_data(fit, xlim=(1, 0))
