"""CM.EL, the conditional GLMM with the exact (non-central hypergeometric) likelihood, against
metafor::rma.glmm(model = "CM.EL") and an independent R computation of the same model
(tests/reference/rma_glmm_cmel.json, tests/reference/R/rma_glmm_cmel.R)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import metaevidence as me
from metaevidence.core.glmm_exact import _Marginal, _Tables, exact_conditional_fit
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CLOSED_FORM, CMEL_METAFOR_SE, CMEL_OPTIMUM

CASES = load_reference("rma_glmm_cmel")["cases"]


def _fit(c):
    cells = {k: as_array(c[k]) for k in ("ai", "bi", "ci", "di")}
    return me.glmm_meta_analysis(**cells, model="CM.EL", method=c["method"])


@pytest.mark.parametrize("cid", sorted(CASES))
def test_matches_the_independent_fit_of_the_same_model(cid):
    c = CASES[cid]
    ind = c["independent"]
    r = _fit(c)
    ml = c["method"] == "ML"
    assert_close(r.estimate, ind["estimate"] if ml else ind["ee_estimate"], CMEL_OPTIMUM, what="estimate")
    assert_close(r.se, ind["se"] if ml else ind["ee_se"], CMEL_OPTIMUM, what="se")
    assert_close(r.tau2, ind["tau2"] if ml else 0.0, CMEL_OPTIMUM, atol=1e-12, what="tau2")
    assert_close(r.glmm.loglik, ind["loglik"] if ml else ind["ee_loglik"], 1e-9, what="logLik")
    assert_close(r.glmm.lrt, ind["lrt"], 1e-9, what="LRT")
    assert_close(r.glmm.wald, ind["wald"], 1e-9, what="Wald")
    assert r.q == r.glmm.wald and r.q_df == r.k - 1 and r.glmm.model == "CM.EL"


@pytest.mark.parametrize("cid", sorted(CASES))
def test_matches_metafor_where_metafor_converges(cid):
    c = CASES[cid]
    mf = c["metafor"]
    r = _fit(c)
    assert r.k == mf["k"] and r.q_df == mf["QE_df"]
    assert_close(r.glmm.lrt, mf["QE_LRT"], 1e-9, what="QE.LRT")
    if c["dataset"] == "zero-cells" and c["method"] == "ML":
        # metafor's nlminb fails here and BFGS stops at tau^2 = 0.0017, below the optimum
        assert mf["optimizer"] == "BFGS" and mf["tau2"] > 1e-3 and r.tau2 == 0.0
        assert r.glmm.loglik > mf["logLik"] + 1e-4
        return
    assert_close(r.estimate, mf["estimate"], CMEL_OPTIMUM, what="estimate")
    assert_close(r.tau2, mf["tau2"], CMEL_OPTIMUM, atol=1e-12, what="tau2")
    assert_close(r.se, mf["se"], CMEL_METAFOR_SE, what="se")
    assert_close(r.glmm.loglik, mf["logLik"], 1e-9, what="logLik")
    assert_close([r.i2, r.h2], [mf["I2"], mf["H2"]], CMEL_OPTIMUM, atol=1e-12, what="I2, H2")


def test_metafors_wald_statistic_is_not_the_saturated_models_on_bcg():
    # documented discrepancy: metafor 268.6; the saturated conditional model's Wald test 163.09,
    # computed here and independently (and close to UM.FS's 163.16)
    c = CASES["bcg-CM.EL-EE"]
    assert abs(c["metafor"]["QE_Wld"] - 268.6) < 0.1
    assert_close(_fit(c).glmm.wald, c["independent"]["wald"], 1e-9)
    assert abs(c["independent"]["wald"] - 163.09) < 0.01


def test_the_independent_code_is_the_model_metafor_fits():
    for c in CASES.values():
        ind = c["independent"]
        assert abs(ind["biasedurn_check"]) < 1e-12  # lchoose pmf == BiasedUrn's dFNCHypergeo
        if c["method"] == "ML" and c["metafor"]["optimizer"] == "nlminb":
            assert_close(ind["loglik_at_metafor"], c["metafor"]["logLik"], 1e-9)


def test_quadrature_against_adaptive_integration():
    bcg = me.datasets.load_bcg()
    cells = [np.asarray(x, float) for x in (bcg.tpos, bcg.tneg, bcg.cpos, bcg.cneg)]
    beta, tau = -0.75, 0.9
    ours = _Marginal(_Tables(*cells)).value_and_gradient(beta, tau)[0]
    total = 0.0
    for i in range(len(cells[0])):
        one = _Tables(*(c[i : i + 1] for c in cells))

        def f(z, one=one):
            return math.exp(float(one.moments(np.array([beta + tau * z]))[0][0]) - z * z / 2) / math.sqrt(
                2 * math.pi
            )

        val, _ = integrate.quad(f, -np.inf, np.inf, epsabs=0, epsrel=1e-13, limit=500)
        total += math.log(val)
    assert_close(ours, total, 1e-12)


def test_the_likelihood_is_the_non_central_hypergeometric():
    # 2/10 vs 3/12 events: P(a = 2 | t = 5; psi) by enumeration of the support
    tab = _Tables(np.array([2.0]), np.array([8.0]), np.array([3.0]), np.array([9.0]))
    eta = 0.4
    num = {u: math.comb(10, u) * math.comb(12, 5 - u) * math.exp(u * eta) for u in range(6)}
    ll, mean, var = tab.moments(np.array([eta]))
    assert_close(float(ll[0]), math.log(num[2] / sum(num.values())), CLOSED_FORM)
    m = sum(u * p for u, p in num.items()) / sum(num.values())
    assert_close(float(mean[0]), m, CLOSED_FORM)
    assert float(var[0]) > 0


def test_equal_groups_and_a_boundary_study():
    # a study with all its events in one group (a = t) has an infinite conditional MLE: it adds
    # nothing to the saturated model's Wald test and its likelihood there is 1
    r = exact_conditional_fit(
        np.array([0.0, 4, 6]),
        np.array([20.0, 16, 14]),
        np.array([3.0, 7, 9]),
        np.array([17.0, 13, 11]),
        method="EE",
    )
    assert r.converged and np.isfinite(r.wald) and r.loglik_saturated < 0
    assert r.estimate < 0


def test_a_spec_can_choose_cm_el(tmp_path):
    from metaevidence.evidence import load_evidence
    from metaevidence.workflow.compute import compute
    from metaevidence.workflow.spec import read_spec
    from tests.workflow.conftest import make_bcg_review, spec, write_yaml

    root = make_bcg_review(tmp_path / "bcg")
    s = spec("bcg", studies={"outcome": "tuberculosis"}, pooling="glmm", glmm_model="CM.EL")
    found, problems = read_spec(write_yaml(tmp_path / "analyses" / "bcg.yaml", s))
    assert problems == []
    doc = compute(found, load_evidence(root / "studies")).document
    ind = CASES["bcg-CM.EL-ML"]["independent"]
    assert doc["settings"]["glmm_model"] == "CM.EL"
    assert_close(doc["pooled"]["estimate"], ind["estimate"], CMEL_OPTIMUM, what="estimate")
    assert_close(doc["heterogeneity"]["tau2"], ind["tau2"], CMEL_OPTIMUM, what="tau2")
