"""Drapery plot: p-value functions against their definition evaluated in R with metafor's
fits, and against metafor's interval bounds (metafor has no drapery plot)."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots.output import figure_bytes
from tests.reference_data import assert_close, load_reference
from tests.tolerances import DISTRIBUTION, ITERATIVE

CASES = {k: c for k, c in load_reference("diagnostic_plots")["cases"].items() if c["kind"] == "drapery"}


def _fit(c):
    test = "z" if c["test"] == "z" else "knha"
    return me.meta_analysis(
        np.asarray(c["yi"]), np.asarray(c["vi"]), method=c["method"], test=test, pi_method="hts"
    )


def test_the_grid_of_cases_is_complete():
    assert {c["test"] for c in CASES.values()} == {"z", "knha"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_curves_match_the_definition(case):
    c = CASES[case]
    d = me.drapery_data(_fit(c), x=c["x"])
    assert_close(d.study_p, c["study_p"], DISTRIBUTION, atol=1e-15, what="study curves")
    assert_close(d.pooled_p, c["pooled_p"], ITERATIVE, atol=1e-15, what="pooled curve")
    assert_close(d.prediction_p, c["prediction_p"], ITERATIVE, atol=1e-15, what="prediction curve")


@pytest.mark.parametrize("case", sorted(CASES))
def test_curves_cross_1_minus_level_at_metafors_intervals(case):
    c = CASES[case]
    fit = _fit(c)
    d = me.drapery_data(fit, x=np.r_[c["study_ci_lower"], c["study_ci_upper"]])
    k = len(c["yi"])
    assert_close(np.diag(d.study_p[:, :k]), np.full(k, 0.05), DISTRIBUTION)
    assert_close(np.diag(d.study_p[:, k:]), np.full(k, 0.05), DISTRIBUTION)
    at_ci = me.drapery_data(fit, x=[c["ci_lower"], c["ci_upper"]])
    assert_close(at_ci.pooled_p, [0.05, 0.05], ITERATIVE)
    at_pi = me.drapery_data(fit, x=[fit.pi_lower, fit.pi_upper])
    assert_close(at_pi.prediction_p, [0.05, 0.05], ITERATIVE)
    assert_close([fit.pi_lower, fit.pi_upper], [c["hts_pi_lower"], c["hts_pi_upper"]], ITERATIVE)


def test_drapery_plot_renders():
    fit = _fit(CASES["drapery-bcg-OR-REML"])
    fig = me.drapery_plot(fit, title="BCG")
    gids = {a.get_gid() for a in fig.axes[0].get_children()}
    assert {"pooled", "prediction"} <= gids
    assert figure_bytes(fig, "svg") == figure_bytes(me.drapery_plot(fit, title="BCG"), "svg")
    d = me.drapery_data(fit)
    assert d.pooled_p.max() == 1.0 and np.all(d.study_p.max(axis=1) == 1.0)  # the peaks are drawn
    common = me.meta_analysis(fit.yi, fit.vi, method="EE")
    assert me.drapery_data(common).prediction_p is None
