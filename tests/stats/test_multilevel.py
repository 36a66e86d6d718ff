"""multilevel_meta_analysis against metafor::rma.mv (tests/reference/multilevel.json)."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import DISTRIBUTION, MULTILEVEL, MULTILEVEL_BOUNDARY_ABS

REF = load_reference("multilevel")["cases"]
FAST = ["konst-REML", "assink-deltype-ML", "konst-year-REML-contain", "konst-REML-sigma2-NA-0"]


def _fit(case, profile=False):
    data = dict(case["columns"])
    data.update(zip(case["levels"], case["groups"]))
    sigma2 = [None if v is None else v for v in case["sigma2_fixed"]]
    return me.multilevel_meta_analysis(
        case["yi"],
        case["vi"],
        case["mods"] or None,
        clusters=case["levels"],
        data=data,
        method=case["method"],
        test=case["test"],
        dfs=case["dfs"],
        sigma2=sigma2,
        profile=profile,
    )


def test_grid_is_complete():
    ids = set(REF)
    for m in ("REML", "ML"):
        assert {f"konst-{m}", f"konst-{m}-t", f"konst-{m}-contain", f"konst-year-{m}"} <= ids
        assert {f"assink-{m}", f"assink-deltype-{m}"} <= ids
    assert {"konst-REML-sigma2-NA-0", "konst-REML-sigma2-0.05-NA", "konst-four-level-REML"} <= ids


@pytest.mark.parametrize("cid", sorted(REF))
def test_matches_rma_mv(cid):
    case = REF[cid]
    res = _fit(case, profile=cid in FAST)
    assert res.names == tuple(case["colnames"])
    assert_close(res.coefficients, case["beta"], MULTILEVEL, what="beta")
    assert_close(res.se, case["se"], MULTILEVEL, what="se")
    assert_close(res.statistic, case["zval"], MULTILEVEL, what="z/t")
    assert_close(res.p_value, case["pval"], MULTILEVEL, what="p")
    assert_close(res.ci_lower, case["ci_lb"], MULTILEVEL, what="ci.lb")
    assert_close(res.ci_upper, case["ci_ub"], MULTILEVEL, what="ci.ub")
    assert_close(res.sigma2, case["sigma2"], MULTILEVEL, atol=MULTILEVEL_BOUNDARY_ABS, what="sigma2")
    assert_close(res.n_levels, case["s_nlevels"], 0.0, what="levels")
    assert_close(res.qe, case["QE"], MULTILEVEL, what="QE")
    assert_close(res.qe_p_value, case["QEp"], DISTRIBUTION, what="QEp")
    assert_close(res.qm, case["QM"], MULTILEVEL, what="QM")
    assert_close(res.qm_p_value, case["QMp"], MULTILEVEL, what="QMp")
    assert res.qm_df == case["QMdf"][0]
    if case["test"] == "t":
        assert_close(res.df, case["ddf"], 0.0, what="ddf")
        assert res.qm_df2 == case["QMdf"][1]
    assert_close(res.loglik, case["loglik"], MULTILEVEL, what="logLik")
    if cid in FAST:
        for j, ref in enumerate(case["sigma2_ci"]):
            got = [res.sigma2_ci_lower[j], res.sigma2_ci_upper[j]]
            assert_close(got, [ref["lower"], ref["upper"]], MULTILEVEL, what=f"sigma2[{j}] CI")


def test_three_level_shorthand_adds_the_effect_level():
    case = REF["assink-REML"]
    res = me.multilevel_meta_analysis(case["yi"], case["vi"], clusters=[case["groups"][0]], profile=False)
    assert res.levels == ("cluster", "cluster/effect")
    assert_close(res.sigma2, case["sigma2"], MULTILEVEL, what="sigma2")


def test_summary_and_frame():
    res = _fit(REF["konst-REML"], profile=True)
    text = str(res.summary())
    assert "k = 56 effects in 11 clusters" in text and "district/school" in text
    frame = res.to_frame()
    assert list(frame["term"]) == ["intrcpt", "district", "district/school"]
    assert frame.loc[0, "estimate"] == res.coefficients[0]


def test_errors_name_the_problem():
    with pytest.raises(TypeError, match="needs clusters"):
        me.multilevel_meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match="no column 'study'"):
        me.multilevel_meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], clusters=["study"])
    with pytest.raises(ValueError, match="sigma2 needs 2 values"):
        me.multilevel_meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], clusters=[[1, 1, 2]], sigma2=[0.1])
    with pytest.raises(ValueError, match="method must be 'REML' or 'ML'"):
        me.multilevel_meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], clusters=[[1, 1, 2]], method="DL")


def test_cluster_order_does_not_change_the_fit():
    case = REF["assink-REML"]
    perm = np.random.default_rng(3).permutation(len(case["yi"]))
    res = me.multilevel_meta_analysis(
        as_array(case["yi"])[perm],
        as_array(case["vi"])[perm],
        clusters=[np.array(case["groups"][0])[perm]],
        profile=False,
    )
    assert_close(res.sigma2, case["sigma2"], MULTILEVEL, what="sigma2")
