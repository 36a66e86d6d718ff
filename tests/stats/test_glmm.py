"""glmm_meta_analysis against metafor::rma.glmm(measure="OR") (tests/reference/R/rma_glmm.R)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import (
    CLOSED_FORM,
    DISTRIBUTION,
    GLMM_AGQ,
    GLMM_GLM_SE,
    GLMM_GLMER,
    GLMM_LAPLACE2,
    GLMM_LAPLACE2_SE,
    ZERO_ABS,
)

REF = load_reference("rma_glmm")
CASES = REF["cases"]
DATASETS = ("bcg", "nielweise2007", "zero-cells")
MODELS = ("UM.FS", "UM.RS", "CM.AL")


def _fit(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return me.glmm_meta_analysis(
            ai=case["ai"],
            bi=case["bi"],
            ci=case["ci"],
            di=case["di"],
            model=case["model"],
            method=case["method"],
        )


@pytest.fixture(scope="module")
def fits():
    return {key: _fit(case) for key, case in CASES.items()}


def test_grid_is_complete():
    expected = {f"{d}-{m}-{e}" for d in DATASETS for m in MODELS for e in ("EE", "ML")}
    assert set(CASES) == expected


@pytest.mark.parametrize("key", sorted(CASES))
def test_counts_and_per_study_effects(fits, key):
    res, case = fits[key], CASES[key]
    assert res.k == case["k"]
    assert_close(res.yi[res.included], case["yi"], CLOSED_FORM, what="yi")
    assert_close(res.vi[res.included], case["vi"], CLOSED_FORM, what="vi")


@pytest.mark.parametrize("key", sorted(k for k in CASES if k.endswith("-EE") and "UM.RS" not in k))
def test_equal_effects_glm(fits, key):
    res, case = fits[key], CASES[key]
    assert_close(res.estimate, case["estimate"], 1e-9, what="estimate")
    assert_close(res.se, case["se"], GLMM_GLM_SE, what="se")
    assert_close(res.statistic, case["zval"], GLMM_GLM_SE, what="z")
    # the bounds are estimate -/+ 1.96 se: their error is the SE's, in absolute terms
    assert_close(res.ci_lower, case["ci_lb"], 0.0, atol=2 * GLMM_GLM_SE * case["se"], what="ci.lb")
    assert_close(res.ci_upper, case["ci_ub"], 0.0, atol=2 * GLMM_GLM_SE * case["se"], what="ci.ub")
    assert res.tau2 == 0.0 and res.i2 == 0.0 and res.h2 == 1.0
    assert_close(res.glmm.loglik, case["logLik"], 1e-10, what="logLik")


@pytest.mark.parametrize("key", sorted(k for k in CASES if k.endswith("-ML") and "UM.RS" not in k))
def test_random_effects_agq(fits, key):
    res, case = fits[key], CASES[key]
    pol = case["polished"]
    assert_close(res.estimate, pol["estimate"], GLMM_AGQ, what="estimate (polished)")
    assert_close(res.se, pol["se"], GLMM_AGQ, what="se (polished)")
    assert_close(res.tau2, pol["tau2"], GLMM_AGQ, atol=1e-12, what="tau2 (polished)")
    # what metafor reports (its glmer fit with a tightened bobyqa)
    assert_close(res.estimate, case["estimate"], GLMM_GLMER, what="estimate")
    assert_close(res.se, case["se"], GLMM_GLMER, what="se")
    assert_close(res.tau2, case["tau2"], GLMM_GLMER, atol=1e-12, what="tau2")
    assert_close(res.p_value, case["pval"], GLMM_GLMER * 20, what="pval")
    assert_close(res.ci_lower, case["ci_lb"], 0.0, atol=2 * GLMM_GLMER * case["se"], what="ci.lb")
    assert_close(res.ci_upper, case["ci_ub"], 0.0, atol=2 * GLMM_GLMER * case["se"], what="ci.ub")
    assert_close(res.i2, case["I2"], GLMM_GLMER, atol=ZERO_ABS, what="I2")
    assert_close(res.h2, case["H2"], GLMM_GLMER, what="H2")
    # metafor's default control stops farther away: 3.5e-4 relative on nielweise2007 UM.FS
    assert_close(res.estimate, case["default_control"]["estimate"], 1e-3, what="estimate (default control)")


@pytest.mark.parametrize("key", sorted(k for k in CASES if "UM.RS" not in k))
def test_heterogeneity_tests_closed_form(fits, key):
    res, case = fits[key], CASES[key]
    g = res.glmm
    assert g.df == case["QE_df"] == res.q_df
    # the saturated fit is closed-form here; metafor's glm() leaves separated studies
    # (a zero cell) at a large finite estimate with a near-zero weight: <= 1.3e-7 relative
    assert_close(g.wald, case["QE_Wld"], 2e-7, what="QE.Wld")
    assert_close(g.lrt, case["QE_LRT"], 1e-9, what="QE.LRT")
    # p ~ 1e-25 on bcg: the statistic's 4e-8 becomes 2.8e-6 in the p-value
    assert_close(g.wald_p_value, case["QEp_Wld"], 1e-5, what="QEp.Wld")
    assert_close(g.lrt_p_value, case["QEp_LRT"], DISTRIBUTION * 10, what="QEp.LRT")
    assert res.q == g.wald


@pytest.mark.parametrize("key", sorted(k for k in CASES if "UM.RS" in k and not k.startswith("zero")))
def test_random_study_effects(fits, key):
    res, case = fits[key], CASES[key]
    ref = case.get("polished") or case
    assert_close(res.estimate, ref["estimate"], GLMM_LAPLACE2, what="estimate")
    assert_close(res.tau2, ref["tau2"], GLMM_LAPLACE2, atol=1e-12, what="tau2")
    assert_close(res.glmm.sigma2, ref["sigma2"], GLMM_LAPLACE2, what="sigma2")
    assert_close(res.se, case["se"], GLMM_LAPLACE2_SE, what="se")
    assert_close(res.glmm.lrt, case["QE_LRT"], GLMM_LAPLACE2, what="QE.LRT")
    if key.startswith("bcg"):
        assert_close(res.glmm.wald, case["QE_Wld"], GLMM_LAPLACE2_SE, what="QE.Wld")
    else:  # a zero cell: the saturated model's estimate is at infinity; metafor reports glmer's stopping point
        assert np.isnan(res.glmm.wald)


def test_random_study_effects_zero_cells(fits):
    """tau^2 on the boundary with separated studies: the estimate and sigma^2 agree to 2e-4 and
    8e-4; the SE (ours 0.34602, metafor 0.34345, numDeriv on lme4's deviance without tau
    0.33224) and the LRT (ours 7.3521, metafor 7.3831: the saturated model is separated) are
    not compared: known mismatches, documented in docs/analyses.md."""
    res, case = fits["zero-cells-UM.RS-ML"], CASES["zero-cells-UM.RS-ML"]
    assert_close(res.estimate, case["estimate"], 1e-3, what="estimate")
    assert_close(res.glmm.sigma2, case["sigma2"], 1e-3, what="sigma2")
    assert res.tau2 == pytest.approx(0.0, abs=1e-12) and case["tau2"] == 0
    for key in ("zero-cells-UM.RS-EE", "zero-cells-UM.RS-ML"):  # separated saturated model: no Wald test
        assert np.isnan(fits[key].glmm.wald) and np.isfinite(CASES[key]["QE_Wld"])
    ee, ref = fits["zero-cells-UM.RS-EE"], CASES["zero-cells-UM.RS-EE"]
    assert_close(ee.estimate, ref["estimate"], GLMM_LAPLACE2, what="EE estimate")
    assert_close(ee.se, ref["se"], GLMM_LAPLACE2_SE, what="EE se")


def test_loglik_of_laplace_fit_matches(fits):
    for key in ("bcg-UM.RS-ML", "nielweise2007-UM.RS-ML"):
        assert_close(fits[key].glmm.loglik, CASES[key]["logLik"], 1e-6, what=f"{key} logLik")


def test_group_label_switching_negates_the_estimate():
    c = CASES["nielweise2007-UM.FS-ML"]
    res = me.glmm_meta_analysis(ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"])
    sw = me.glmm_meta_analysis(ai=c["ci"], bi=c["di"], ci=c["ai"], di=c["bi"])
    assert_close(sw.estimate, -res.estimate, 1e-7, what="estimate")
    assert_close(sw.tau2, res.tau2, 1e-6, what="tau2")
    assert_close(sw.se, res.se, 1e-6, what="se")


def test_study_order_does_not_matter():
    c = CASES["bcg-CM.AL-ML"]
    order = np.arange(len(c["ai"]))[::-1]
    res = me.glmm_meta_analysis(ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"], model="CM.AL")
    rev = me.glmm_meta_analysis(
        **{k: np.asarray(c[k])[order] for k in ("ai", "bi", "ci", "di")}, model="CM.AL"
    )
    assert_close(rev.estimate, res.estimate, 1e-8, what="estimate")
    assert_close(rev.tau2, res.tau2, 1e-7, what="tau2")


def test_effect_sizes_input_and_dropped_tables():
    c = CASES["nielweise2007-UM.FS-EE"]
    es = me.effect_sizes("OR", ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"], labels=c["labels"])
    res = me.glmm_meta_analysis(es, method="EE")
    assert res.k == 17 and res.included.sum() == 17 and not res.included[14]  # Yucel 2004: 0/118 vs 0/105
    assert res.labels[0] == "Bach" and np.all(np.isnan(res.weights))
    assert res.glmm.model == "UM.FS" and res.method == "EE"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "CM.XL"}, r"model must be one of UM\.FS, UM\.RS, CM\.AL, CM\.EL; got 'CM\.XL'"),
        ({"method": "REML"}, r"method must be 'ML' \(random effects\) or 'EE'.*got 'REML'"),
        ({"level": 95}, r"level must be strictly between 0 and 1; got 95"),
        ({"nagq": 0}, r"nagq must be an integer from 1 to 50; got 0"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        me.glmm_meta_analysis(ai=[1, 2], bi=[9, 8], ci=[3, 4], di=[7, 6], **kwargs)


def test_too_few_informative_tables():
    with pytest.raises(ValueError, match=r"at least 2 tables with events and non-events; got 1 of 2"):
        me.glmm_meta_analysis(ai=[1, 0], bi=[9, 10], ci=[3, 0], di=[7, 10])


def test_negative_count():
    with pytest.raises(ValueError, match=r"ai must be a non-negative count; got -1 in row 1"):
        me.glmm_meta_analysis(ai=[1, -1], bi=[9, 10], ci=[3, 2], di=[7, 10])


def test_leave_one_out_and_cumulative_refit_the_glmm():
    c = CASES["bcg-CM.AL-ML"]
    res = me.glmm_meta_analysis(ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"], model="CM.AL")
    loo = me.leave_one_out(res)
    for i in (0, 7):
        keep = np.arange(len(c["ai"])) != i
        direct = me.glmm_meta_analysis(
            **{key: np.asarray(c[key])[keep] for key in ("ai", "bi", "ci", "di")}, model="CM.AL"
        )
        assert_close(loo.estimate[i], direct.estimate, 1e-12, what=f"loo estimate {i}")
        assert_close(loo.tau2[i], direct.tau2, 1e-12, what=f"loo tau2 {i}")
        assert loo.k[i] == 12
    cum = me.cumulative(res)
    assert np.isnan(cum.estimate[0]) and cum.k[-1] == 13  # one table: no GLMM
    assert_close(cum.estimate[-1], res.estimate, 1e-12, what="cumulative, all studies")


def test_forest_plot_names_the_glmm_and_shows_no_weights():
    c = CASES["bcg-UM.FS-ML"]
    res = me.glmm_meta_analysis(ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"])
    table = me.forest_table(res, transform="exp")
    assert table.weight.isna().all()  # a GLMM has no study weights: no percentages, no boxes
    fig = me.forest_plot(res, transform="exp")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]
    assert "GLMM UM.FS, Random, 95% CI" in texts and not any(t.startswith("IV,") for t in texts)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_summary_prints_both_heterogeneity_tests():
    c = CASES["bcg-UM.FS-ML"]
    text = str(me.glmm_meta_analysis(ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"]).summary(transform="exp"))
    # metafor 3.8-1 prints: Wld(df = 12) = 163.1649, p-val < .0001; LRT(df = 12) = 176.9544, p-val < .0001
    assert "GLMM: model UM.FS, nAGQ = 7" in text
    assert "Wld(df = 12) = 163.1649, p-val <.0001" in text and "LRT(df = 12) = 176.9544, p-val <.0001" in text
