"""robust() against metafor::robust() and clubSandwich (tests/reference/robust.json)."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import MULTILEVEL

REF = load_reference("robust")["cases"]
CASES = sorted(c for c in REF if not c.startswith("robu"))
#: fixture key -> our type
TYPES = {"metafor_cr1": "CR1p", "club_cr2": "CR2", "cs_cr2": "CR2", "cs_cr1": "CR1"}
#: robust variances that are zero in theory (a reference level inside one cluster, CR0/CR1)
#: come out as rounding noise of ~1e-16 in both implementations.
VCOV_ABS = 1e-14


def _fit(case):
    data = dict(case["columns"])
    if case["levels"]:
        data.update(zip(case["levels"], case["groups"]))
        return me.multilevel_meta_analysis(
            case["yi"], case["vi"], case["mods"] or None, clusters=case["levels"], data=data, profile=False
        )
    if case["mods"]:
        return me.meta_regression(case["yi"], case["vi"], case["mods"], data=data, method="REML")
    return me.meta_analysis(case["yi"], case["vi"], method="REML")


@pytest.mark.parametrize("key", sorted(TYPES))
@pytest.mark.parametrize("cid", CASES)
def test_matches_metafor_and_clubsandwich(cid, key):
    case = REF[cid]
    fit = _fit(case)
    ref = case[key]
    btt = [case["btt"]] if isinstance(case["btt"], int) else case["btt"]
    rob = me.robust(fit, case["cluster"], type=TYPES[key], btt=btt)
    assert_close(rob.coefficients, case["beta"], MULTILEVEL, what="beta")
    vb = np.array(ref["vb"])
    assert_close(rob.vcov, vb, MULTILEVEL, atol=VCOV_ABS, what="robust vcov")
    real = np.diag(vb) > 1e3 * VCOV_ABS
    assert_close(rob.se[real], as_array(ref["se"])[real], MULTILEVEL, what="robust se")
    assert_close(rob.statistic[real], as_array(ref["tval"])[real], MULTILEVEL, what="t")
    ddf = np.broadcast_to(as_array(ref["ddf"]), real.shape)[real]  # metafor: one J - p
    assert_close(rob.df[real], ddf, MULTILEVEL, what="df")
    assert_close(rob.p_value[real], as_array(ref["pval"])[real], MULTILEVEL, what="p")
    if key == "metafor_cr1":
        assert_close(rob.ci_lower, ref["ci_lb"], MULTILEVEL, what="ci.lb")
        assert_close(rob.f_statistic, ref["QM"], MULTILEVEL, what="QM")
        assert (rob.f_df1, rob.f_df2) == tuple(ref["QMdf"])
        assert_close(rob.f_p_value, ref["QMp"], MULTILEVEL, what="QMp")
    elif key == "club_cr2":
        assert_close(rob.f_statistic, ref["QM"], MULTILEVEL, what="HTZ F")
        assert_close([rob.f_df1, rob.f_df2], ref["QMdf"], MULTILEVEL, what="HTZ df")
        assert_close(rob.f_p_value, ref["QMp"], MULTILEVEL, what="HTZ p")
    else:
        assert_close(rob.f_statistic, ref["Fstat"], MULTILEVEL, what="HTZ F")
        assert_close(rob.f_df2, ref["df_denom"], MULTILEVEL, what="HTZ df2")
        assert_close(rob.f_p_value, ref["Fp"], MULTILEVEL, what="HTZ p")


def test_default_cluster_is_the_outermost_level():
    case = REF["konst-mv"]
    fit = _fit(case)
    a = me.robust(fit)
    b = me.robust(fit, case["cluster"])
    np.testing.assert_array_equal(a.vcov, b.vcov)
    assert "CR2 sandwich over 11 clusters" in str(a.summary())
    assert list(a.to_frame()["term"]) == ["intrcpt"]


def test_errors():
    fit = me.meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="give cluster="):
        me.robust(fit)
    with pytest.raises(ValueError, match="cluster needs 3 labels"):
        me.robust(fit, [1, 2])
    with pytest.raises(ValueError, match="type must be one of"):
        me.robust(fit, [1, 2, 3], type="HC3")
    with pytest.raises(TypeError, match="robust\\(\\) takes"):
        me.robust(object(), [1])


@pytest.mark.parametrize("cid", sorted(c for c in REF if c.startswith("robu")))
def test_rve_matches_robumeta(cid):
    case = REF[cid]
    res = me.rve(
        case["yi"],
        case["vi"],
        case["mods"] if case["columns"] else None,
        cluster=case["study"],
        data=case["columns"],
        weights=cid.split("-")[1],
    )
    assert_close(res.tau2, case["tau2"], MULTILEVEL, what="tau2")
    if res.model_weights == "HIER":
        assert_close(res.omega2, case["omega2"], MULTILEVEL, what="omega2")
    assert_close(res.weights, case["weights"], MULTILEVEL, what="weights")
    inf = res.inference
    assert_close(inf.coefficients, case["beta"], MULTILEVEL, atol=1e-12, what="b.r")
    # robumeta's SE of a coefficient that is zero in theory is rounding noise (~5e-8).
    real = as_array(case["se"]) > 1e-6
    assert_close(inf.se[real], as_array(case["se"])[real], MULTILEVEL, what="SE")
    assert_close(inf.df[real], as_array(case["ddf"])[real], MULTILEVEL, what="dfs")
    assert_close(inf.p_value[real], as_array(case["pval"])[real], MULTILEVEL, what="prob")
    assert_close(inf.ci_lower[real], as_array(case["ci_lb"])[real], MULTILEVEL, what="CI.L")
    assert "Robust variance estimation" in str(res.summary())
