"""meta_regression against metafor rma(mods=...)."""

import types
import warnings

import numpy as np
import pandas as pd
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ILL_CONDITIONED, ITERATIVE, TAU2_BOUNDARY_ABS

REF = load_reference("regression")
PERM_CASES = {cid: c for cid, c in REF["cases"].items() if cid.startswith("perm-")}
FORMULA_CASES = {cid: c for cid, c in REF["cases"].items() if c["formula"]}


def _full_rows(case):
    """yi, vi over all rows of the data (NaN where metafor dropped a row)."""
    keep = np.array(case["not_na"])
    y = np.full(keep.size, np.nan)
    v = np.full(keep.size, np.nan)
    y[keep], v[keep] = case["yi"], case["vi"]
    return y, v, keep


def _tol(case):
    if "year" in case["formula"]:
        return ILL_CONDITIONED
    return ITERATIVE if case["method"] in ("ML", "REML", "EB", "PM") else CLOSED_FORM


@pytest.mark.parametrize("cid", sorted(FORMULA_CASES))
def test_formula_fit_matches_metafor(cid):
    case = FORMULA_CASES[cid]
    y, v, keep = _full_rows(case)
    fit = me.meta_regression(
        y, v, case["formula"], data=case["moderators"], method=case["method"], test=case["test"]
    )
    tol = _tol(case)
    assert fit.names == tuple(case["colnames"])
    assert fit.k == case["k"] and fit.p == case["p"]
    np.testing.assert_array_equal(fit.included, keep)
    assert_close(fit.coefficients, case["beta"], tol, what="beta")
    assert_close(fit.se, case["se"], tol, what="se")
    assert_close(fit.ci_lower, case["ci_lb"], tol, what="ci.lb")
    assert_close(fit.ci_upper, case["ci_ub"], tol, what="ci.ub")
    assert_close(fit.p_value, case["pval"], max(tol, DISTRIBUTION), what="pval")
    assert_close(fit.tau2, case["tau2"], tol, atol=TAU2_BOUNDARY_ABS, what="tau2")
    assert_close(fit.qm, case["QM"], tol, what="QM")
    assert_close(fit.qm_p_value, case["QMp"], max(tol, DISTRIBUTION), what="QMp")
    assert_close(fit.qe, case["QE"], max(tol, CLOSED_FORM), what="QE")
    assert_close(fit.i2, case["I2"], tol, what="I2")
    assert_close(fit.h2, case["H2"], tol, what="H2")
    assert_close(fit.loglik, case["loglik"], tol, what="logLik")
    if case["R2"] is None:
        assert np.isnan(fit.r2)
    else:
        assert_close(fit.r2, case["R2"], tol, atol=TAU2_BOUNDARY_ABS, what="R2")
    assert fit.btt == tuple(b - 1 for b in case["btt"])


def test_effect_sizes_in_place_of_yi_vi():
    case = FORMULA_CASES["bcg-alloc-REML-z"]
    es = types.SimpleNamespace(
        yi=np.array(case["yi"]),
        vi=np.array(case["vi"]),
        labels=tuple(f"trial {i}" for i in range(13)),
        measure="RR",
        study_info={"alloc": np.array(case["moderators"]["alloc"])},
    )
    fit = me.meta_regression(es, "~ factor(alloc)")
    assert_close(fit.coefficients, case["beta"], ITERATIVE)
    assert fit.measure == "RR" and fit.labels[0] == "trial 0"


def test_dataframe_and_array_moderators():
    case = FORMULA_CASES["bcg-alloc-REML-z"]
    frame = pd.DataFrame({"alloc": pd.Categorical(case["moderators"]["alloc"])})
    fit = me.meta_regression(case["yi"], case["vi"], frame)
    assert fit.names == ("intrcpt", "allocrandom", "allocsystematic")
    assert_close(fit.coefficients, case["beta"], ITERATIVE)
    case = FORMULA_CASES["bcg-ablat+year-REML-z"]
    mods = np.c_[case["moderators"]["ablat"], case["moderators"]["year"]]
    fit = me.meta_regression(case["yi"], case["vi"], mods)
    assert fit.names == ("intrcpt", "mods1", "mods2")
    assert_close(fit.coefficients, case["beta"], ILL_CONDITIONED)


def test_no_intercept_option_matches_zero_formula():
    case = FORMULA_CASES["bcg-noint-alloc-REML-z"]
    fit = me.meta_regression(
        case["yi"], case["vi"], "~ factor(alloc)", data=case["moderators"], intercept=False
    )
    assert fit.names == tuple(case["colnames"])
    assert_close(fit.qm, case["QM"], ITERATIVE)
    assert np.isnan(fit.r2) and not fit.intercept


def test_intercept_only_model_tests_the_intercept():
    case = PERM_CASES["perm-bcg10-intonly-REML-z"]
    fit = me.meta_regression(case["yi"], case["vi"])
    assert fit.btt == (0,)
    assert_close(fit.qm, case["QM"], ITERATIVE)
    assert np.isnan(fit.r2)


def test_predict_matches_coefficients():
    case = FORMULA_CASES["bcg-ablat-REML-z"]
    fit = me.meta_regression(case["yi"], case["vi"], "~ ablat", data=case["moderators"])
    pred = fit.predict([1.0, 0.0])
    assert_close(pred.estimate, case["beta"][0], CLOSED_FORM)
    assert_close(pred.ci_lower, case["ci_lb"][0], CLOSED_FORM)
    with pytest.raises(ValueError, match="predict needs rows of 2 model-matrix values"):
        fit.predict([1.0, 2.0, 3.0])


def test_summary_and_frame():
    case = FORMULA_CASES["bcg-ablat-REML-knha"]
    fit = me.meta_regression(case["yi"], case["vi"], "~ ablat", data=case["moderators"], test="knha")
    text = str(fit.summary())
    assert "F(1, 11) = 12.5910" in text and "ablat" in text and "R^2 = 75.63%" in text
    assert "<table>" in fit.summary()._repr_html_()
    frame = fit.to_frame()
    assert list(frame.columns) == ["term", "estimate", "se", "statistic", "p_value", "ci_lower", "ci_upper"]
    assert frame["estimate"].tolist() == fit.coefficients.tolist()


def test_errors():
    y, v = [0.1, 0.2, 0.3], [0.1, 0.1, 0.1]
    with pytest.raises(
        ValueError, match="needs more studies than coefficients; got k = 3 studies .* for p = 3"
    ):
        me.meta_regression(y, v, np.c_[[1.0, 2, 3], [2.0, 1, 0]])
    with pytest.raises(ValueError, match="rank deficient"):
        me.meta_regression(y + [0.4], v + [0.1], np.c_[[1.0, 2, 3, 4], [2.0, 4, 6, 8]])
    with pytest.raises(
        ValueError,
        match="meta_regression: vi \\(sampling variances\\) must be "
        "positive; got vi <= 0 in rows \\[1\\] \\(0-based\\)",
    ):
        me.meta_regression(y, [0.1, 0.0, 0.1], [1.0, 2, 3])
    # numpy alone said "could not convert string to float: 'a'"
    with pytest.raises(TypeError, match="meta_regression: yi must be numbers"):
        me.meta_regression(["a", "b", "c"], v, [1.0, 2, 3])
    with pytest.raises(
        TypeError,
        match="moderators given as an array must be numbers; got "
        "\\['a', 'b', 'a'\\]: pass text or categories as a "
        "DataFrame or mapping column",
    ):
        me.meta_regression(y, v, ["a", "b", "a"])
    with pytest.raises(ValueError, match="method must be one of .*got 'BAD'"):
        me.meta_regression(y, v, [1.0, 2, 3], method="BAD")
    with pytest.raises(ValueError, match="test must be one of .*got 'f'"):
        me.meta_regression(y, v, [1.0, 2, 3], test="f")
    with pytest.raises(TypeError, match="needs yi and vi"):
        me.meta_regression(y)
    with pytest.raises(ValueError, match="needs an intercept"):
        me.meta_regression(y, v, None, intercept=False)
    with pytest.raises(ValueError, match="btt must hold coefficient indices 0..1; got \\(5,\\)"):
        me.meta_regression(y + [0.4], v + [0.1], [1.0, 2, 3, 4], btt=[5])


# --- permutation tests ------------------------------------------------------------------


def test_convergence_warning():
    case = FORMULA_CASES["bcg-ablat-ML-z"]
    with pytest.warns(
        me.ConvergenceWarning, match="ML estimator of tau\\^2 did not converge within 2 iterations"
    ):
        fit = me.meta_regression(
            case["yi"], case["vi"], "~ ablat", data=case["moderators"], method="ML", maxiter=2
        )
    assert not fit.converged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        me.meta_regression(case["yi"], case["vi"], "~ ablat", data=case["moderators"])


@pytest.mark.parametrize("test", ["z", "knha"])
def test_predict_matches_metafor(test):
    c = REF["cases"][f"predict-bcg-ablat-REML-{test}"]
    fit = me.meta_regression(c["yi"], c["vi"], "~ ablat", data={"ablat": c["ablat"]}, test=test)
    pred = fit.predict(np.c_[np.ones(3), c["newmods"]])
    assert_close(pred.estimate, c["pred"], ITERATIVE)
    assert_close(pred.se, c["se"], ITERATIVE)
    assert_close(pred.ci_lower, c["ci_lb"], ITERATIVE)
    assert_close(pred.ci_upper, c["ci_ub"], ITERATIVE)


def test_method_and_test_use_metafor_spelling_as_meta_analysis_does():
    import pytest

    import metaevidence as me

    yi, vi = [0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03]
    data = {"x": [1.0, 2.0, 3.0, 1.5, 2.5]}
    with pytest.raises(ValueError, match=r"method must be one of .*got 'reml' \(did you mean 'REML'\?\)"):
        me.meta_regression(yi, vi, "~ x", data=data, method="reml")
    with pytest.raises(ValueError, match=r"method must be one of .*got 3"):
        me.meta_regression(yi, vi, "~ x", data=data, method=3)
    with pytest.raises(ValueError, match=r"test must be one of z, knha, adhoc; got 'KNHA'"):
        me.meta_regression(yi, vi, "~ x", data=data, test="KNHA")


def test_convergence_warnings_name_the_callers_line():
    # both warnings (the model's and the intercept-only model's of R^2) point at this file,
    # not at metaevidence's internals
    import warnings

    import metaevidence as me
    from metaevidence.errors import ConvergenceWarning

    yi = [0.1, 0.9, -0.4, 1.3, 0.2, 0.7, -0.1, 1.1]
    vi = [0.02, 0.03, 0.02, 0.04, 0.03, 0.02, 0.05, 0.03]
    x = [1, 2, 3, 4, 5, 6, 7, 8]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        me.meta_regression(yi, vi, x, method="REML", maxiter=1)
    ours = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert {"meta-regression", "intercept-only model for R^2"} == {str(w.message).split(":")[0] for w in ours}
    assert {w.filename for w in ours} == {__file__}
