"""metafor 5's predict(prob=) and predict(hetvar=) (tests/reference/R/predict_prob_v5.R):
predictive probabilities of meta-analyses and meta-regressions, default and Riley
predictive distributions, a given heterogeneity."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import DISTRIBUTION, ITERATIVE

CASES = load_reference("predict_prob_v5")["cases"]


def _fit(c):
    kw = {"method": c["method"], "test": c["test"]}
    if c["newmods"] is not None:
        return me.meta_regression(c["yi"], c["vi"], "~ ablat", data={"ablat": c["ablat"]}, **kw)
    return me.meta_analysis(np.asarray(c["yi"]), np.asarray(c["vi"]), **kw)


def _args(c):
    call = c["call"]
    prob = call.split("prob='")[1].split("'")[0] if "prob='" in call else None
    hetvar = float(call.split("hetvar=")[1].split(",")[0].rstrip(")")) if "hetvar=" in call else None
    return prob, hetvar, ("riley" if "Riley" in call else "metafor")


def test_the_grid_of_cases_is_complete():
    calls = " ".join(c["call"] for c in CASES.values())
    for part in (
        "test='z'",
        "test='knha'",
        "predtype='Riley'",
        "hetvar=",
        "newmods=",
        "method='EE'",
        "prob='>",
    ):
        assert part in calls, part


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_predictive_probability_matches_metafor(case_id):
    c = CASES[case_id]
    fit = _fit(c)
    prob, hetvar, pi_method = _args(c)
    # tau^2 is iterative (REML): the probabilities move with it
    tol = DISTRIBUTION if c["method"] == "EE" else ITERATIVE
    newmods = None if c["newmods"] is None else np.asarray(c["newmods"])
    if prob is not None:
        pp = me.predictive_probability(fit, prob, newmods=newmods, pi_method=pi_method, hetvar=hetvar)
        assert_close(pp.probability, c["prob"], tol, what=f"{case_id}: prob")
        assert_close(pp.estimate, c["pred"], tol, what="pred")
        assert pp.direction == prob[0] and pp.cutoff == float(prob[1:])
        assert pp.distribution == ("normal" if c["test"] == "z" and pi_method == "metafor" else "t")
    if newmods is not None:
        pred = me.predict_at(fit, newmods, pi_method=pi_method, hetvar=hetvar)
        assert_close(pred.pi_lower, c["pi_lb"], tol, what="pi.lb")
        assert_close(pred.pi_upper, c["pi_ub"], tol, what="pi.ub")


def test_the_two_directions_add_to_one_and_hetvar_zero_is_the_ci_distribution():
    c = CASES["bcg-REML-z-below0"]
    fit = _fit(c)
    below = me.predictive_probability(fit, "<-0.3").probability
    above = me.predictive_probability(fit, "> -0.3").probability
    assert_close(below + above, 1.0, 1e-15)
    none = me.predictive_probability(fit, "<0", hetvar=0)
    assert_close(none.sd, fit.se, 1e-15)
    assert float(as_array(c["prob"])[0]) > 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prob": "0"}, r"prob must read '<c' or '>c' with a number c \(e.g. '<0'\); got '0'"),
        ({"prob": "<zero"}, "prob must read '<c' or '>c'"),
        ({"prob": 0}, "prob must read"),
        ({"prob": "<0", "hetvar": -1}, r"hetvar must be a non-negative number \(a tau\^2\); got -1"),
        ({"prob": "<0", "pi_method": "wide"}, "pi_method must be 'metafor' or 'riley'"),
        ({"prob": "<0", "newmods": [1.0]}, "newmods applies to a meta-regression"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, message):
    fit = _fit(CASES["bcg-REML-z-below0"])
    with pytest.raises(ValueError, match=message):
        me.predictive_probability(fit, **kwargs)


def test_a_meta_regression_needs_newmods():
    fit = _fit(CASES["bcg-ablat-REML-z-below0"])
    with pytest.raises(ValueError, match="a meta-regression needs newmods="):
        me.predictive_probability(fit, "<0")
