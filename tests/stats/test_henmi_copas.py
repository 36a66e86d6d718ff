"""henmi_copas() against metafor hc(rma(yi, vi), control = list(tol = 1e-12))
(tests/reference/henmi_copas.json, metafor 3.8-1) and the worked example of Henmi & Copas
(2010, p. 2978)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core.henmi_copas import henmi_copas_fit
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, HENMI_COPAS_ABS, ITERATIVE

CASES = {k: v for k, v in load_reference("henmi_copas")["cases"].items() if "yi" in v}
REFUSAL = load_reference("henmi_copas")["cases"]["refusal_moderators"]


def _fit(c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", me.SmallSampleWarning)
        return me.meta_analysis(c["yi"], c["vi"], method=c["method"], level=c["level"])


@pytest.mark.parametrize("cid", sorted(CASES))
def test_interval_matches_metafor(cid):
    c = CASES[cid]
    r = me.henmi_copas(_fit(c))
    assert r.k == len(c["yi"])
    assert_close(r.estimate, c["estimate"], CLOSED_FORM, what="estimate")
    assert_close(r.se, c["se"], CLOSED_FORM, what="se")
    assert_close(r.tau2, c["tau2"], CLOSED_FORM, atol=1e-14, what="DL tau2")
    assert_close(r.ci_lower, c["ci_lb"], 0, atol=HENMI_COPAS_ABS, what="ci_lb")
    assert_close(r.ci_upper, c["ci_ub"], 0, atol=HENMI_COPAS_ABS, what="ci_ub")
    crit = (c["ci_ub"] - c["estimate"]) / c["se"]
    assert_close(r.critical_value, crit, 0, atol=HENMI_COPAS_ABS / c["se"], what="critical value")
    # the analysis's own row, as metafor prints it beside
    tol = ITERATIVE if c["method"] == "REML" else CLOSED_FORM
    assert_close(r.analysis_estimate, c["rma_estimate"], tol, what="rma estimate")
    assert_close(r.analysis_ci_lower, c["rma_ci_lb"], tol, what="rma ci_lb")
    assert_close(r.analysis_tau2, c["rma_tau2"], tol, atol=1e-12, what="rma tau2")


def test_the_papers_worked_example():
    # Henmi & Copas (2010), p. 2978, dat.lee2004 (16 trials, log OR): -0.5145 (-0.9994, -0.0295)
    r = me.henmi_copas(_fit(CASES["lee2004-DL-95"]))
    assert (round(r.estimate, 4), round(r.ci_lower, 4), round(r.ci_upper, 4)) == (-0.5145, -0.9994, -0.0295)


def test_the_interval_is_wider_than_the_normal_one_when_tau2_is_uncertain():
    c = CASES["bcg-DL-95"]
    r = me.henmi_copas(_fit(c))
    assert r.critical_value > 1.959963984540054
    assert r.ci_lower < r.estimate - 1.959963984540054 * r.se


def test_the_estimators_tau2_does_not_change_the_interval():
    # the method always takes DL; only the comparison row follows the analysis
    c = CASES["bcg-DL-95"]
    dl = me.henmi_copas(me.meta_analysis(c["yi"], c["vi"], method="DL"))
    reml = me.henmi_copas(me.meta_analysis(c["yi"], c["vi"], method="REML"))
    assert (dl.ci_lower, dl.ci_upper, dl.critical_value) == (
        reml.ci_lower,
        reml.ci_upper,
        reml.critical_value,
    )
    assert dl.analysis_tau2 != reml.analysis_tau2
    assert reml.analysis_method == "REML"


def test_the_level_is_the_analysis_level():
    c90, c95 = CASES["bcg-DL-90"], CASES["bcg-DL-95"]
    r90, r95 = me.henmi_copas(_fit(c90)), me.henmi_copas(_fit(c95))
    assert r90.level == 0.9 and r95.level == 0.95
    assert r90.critical_value < r95.critical_value


def test_tau2_zero_is_noted():
    r = me.henmi_copas(_fit(CASES["yusuf1985-DL-95"]))
    assert r.tau2 == 0.0
    assert r.note is not None and "tau^2 is 0" in r.note
    assert "tau^2 is 0" in str(r)


def test_summary_shows_both_rows_and_the_critical_value():
    r = me.henmi_copas(_fit(CASES["bcg-REML-95"]))
    text = str(r)
    assert "Henmi & Copas (2010) interval (k = 13; 95% level)" in text
    assert "analysis" in text and "REML" in text and "Henmi-Copas" in text
    assert f"{r.critical_value:.4f}" in text and "1.9600" in text
    assert f"{r.ci_lower:.4f}" in text


def test_moderators_are_refused_as_metafor_does():
    assert "without moderators" in REFUSAL["message"]
    bcg = me.datasets.load_bcg()
    es = me.effect_sizes("RR", ai=bcg.tpos, bi=bcg.tneg, ci=bcg.cpos, di=bcg.cneg)
    res = me.meta_regression(es, np.asarray(bcg.ablat, float))
    with pytest.raises(ValueError, match="moderators"):
        me.henmi_copas(res)


def test_one_study_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = me.meta_analysis([0.3], [0.04], method="DL")
    with pytest.raises(ValueError, match="at least 2 studies"):
        me.henmi_copas(res)


def test_the_core_fit_is_symmetric_about_the_estimate():
    c = CASES["li2007-DL-95"]
    fit = henmi_copas_fit(np.asarray(c["yi"]), np.asarray(c["vi"]), 0.95)
    assert math.isclose(fit.estimate - fit.ci_lower, fit.ci_upper - fit.estimate, rel_tol=1e-12)
    # shifting every effect moves the interval and nothing else
    moved = henmi_copas_fit(np.asarray(c["yi"]) + 1.0, np.asarray(c["vi"]), 0.95)
    assert math.isclose(moved.critical_value, fit.critical_value, rel_tol=1e-12)
    assert math.isclose(moved.ci_lower, fit.ci_lower + 1.0, rel_tol=1e-12)
