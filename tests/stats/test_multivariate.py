"""multivariate_meta_analysis and vcalc against metafor (tests/reference/multivariate.json)."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, MULTILEVEL, MULTIVARIATE

REF = load_reference("multivariate")["cases"]
BERKEY = sorted(c for c in REF if c.startswith("berkey"))


def test_grid_is_complete():
    for s in ("UN", "CS", "HCS"):
        assert {f"berkey-{s}-REML", f"berkey-{s}-ML"} <= set(REF)
    assert {"berkey-AR-REML", "assink-vcalc-0.6"} <= set(REF)


@pytest.mark.parametrize("cid", BERKEY)
def test_matches_rma_mv_struct(cid):
    case = REF[cid]
    struct, method = cid.split("-")[1:]
    res = me.multivariate_meta_analysis(
        case["yi"],
        np.array(case["V"]),
        "~ 0 + outcome",
        cluster=case["trial"],
        inner=case["outcome"],
        struct=struct,
        times={"PD": 1, "AL": 2},
        data={"outcome": case["outcome"]},
        method=method,
    )
    assert res.converged
    # metafor orders outcome levels AL, PD, as we do
    assert res.names == ("outcomeAL", "outcomePD") and tuple(case["colnames"]) == res.names
    assert_close(res.coefficients, case["beta"], MULTIVARIATE, what="beta")
    assert_close(res.se, case["se"], MULTIVARIATE, what="se")
    assert_close(res.statistic, case["zval"], MULTIVARIATE, what="z")
    # far-tail p-values (1.9e-9) amplify the tolerance by ~z^2: compare them on the log scale
    assert_close(np.log(res.p_value), np.log(case["pval"]), MULTIVARIATE, what="log p")
    assert_close(res.ci_lower, case["ci_lb"], MULTIVARIATE, what="ci.lb")
    assert_close(res.tau2, case["tau2"], MULTIVARIATE, what="tau2")
    assert_close(res.rho, case["rho"], MULTIVARIATE, what="rho")
    assert res.loglik >= case["loglik"] - 1e-9  # at least as high: the optimum, not short of it
    assert "struct = " + struct in str(res.summary())


def test_vcalc_and_three_level_fit_on_it():
    case = REF["assink-vcalc-0.6"]
    V = me.vcalc(case["vi"], case["study"], 0.6, obs=case["esid"])
    assert_close(V, np.array(case["V"]), CLOSED_FORM, what="vcalc V")
    res = me.multilevel_meta_analysis(
        case["yi"], case["vi"], clusters=[case["study"], case["esid"]], V=V, profile=False
    )
    assert_close(res.sigma2, case["sigma2"], MULTILEVEL, atol=1e-8, what="sigma2")
    assert_close(res.coefficients, case["beta"], MULTILEVEL, what="beta")
    assert_close(res.se, case["se"], MULTILEVEL, what="se")


def test_vcalc_rejects_bad_rho():
    with pytest.raises(ValueError, match="rho must be between -1 and 1"):
        me.vcalc([0.1, 0.2], [1, 1], 1.5)
