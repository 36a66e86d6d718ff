"""subgroup_analysis against metafor: per-subgroup rma() fits and the Q-between test."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE, TAU2_BOUNDARY_ABS

CASES = load_reference("subgroups")["cases"]


def test_fixture_grid_is_complete():
    expected = {
        f"bcg-alloc-{m}-{t}{c}" for m in ("REML", "DL") for t in ("z", "knha") for c in ("", "-common")
    }
    expected |= {"bcg-alloc-EE-z", "bangertdrowns2004-grade-REML-z", "bangertdrowns2004-grade-REML-z-common"}
    assert set(CASES) == expected


def _check_fit(fit, ref, tol, what):
    assert fit.k == ref["k"], what
    assert_close(fit.estimate, ref["estimate"], tol, what=f"{what} estimate")
    assert_close(fit.se, ref["se"], tol, what=f"{what} se")
    assert_close(fit.ci_lower, ref["ci_lb"], tol, what=f"{what} ci.lb")
    assert_close(fit.ci_upper, ref["ci_ub"], tol, what=f"{what} ci.ub")
    assert_close(fit.p_value, ref["pval"], max(tol, DISTRIBUTION), what=f"{what} pval")
    assert_close(fit.tau2, ref["tau2"], tol, atol=TAU2_BOUNDARY_ABS, what=f"{what} tau2")
    assert_close(fit.q, ref["QE"], CLOSED_FORM, what=f"{what} Q")


@pytest.mark.parametrize("cid", sorted(CASES))
def test_subgroups_match_metafor(cid):
    c = CASES[cid]
    sg = me.subgroup_analysis(
        c["yi"], c["vi"], c["group"], method=c["method"], test=c["test"], tau2_common=c["tau2_common"]
    )
    tol = CLOSED_FORM if c["method"] in ("DL", "EE") and not c["tau2_common"] else ITERATIVE
    assert sg.groups == tuple(c["levels"])
    for name, fit, ref in zip(sg.groups, sg.subgroups, c["subgroups"]):
        _check_fit(fit, ref, tol, name)
    _check_fit(sg.overall, c["overall"], tol, "overall")
    assert_close(sg.q_between, c["q_between"], tol, what="Q between")
    assert_close(sg.q_between_p_value, c["q_between_p"], max(tol, DISTRIBUTION), what="p")
    assert sg.q_between_df == c["q_between_df"]
    assert sg.tau2_common == c["tau2_common"]
    if c["tau2_common"]:
        assert_close(sg.common_tau2, c["common_tau2"], ITERATIVE, what="common tau2")
        if c["test"] == "z":  # Q between = QM of rma(yi, vi, mods = ~ factor(g))
            assert_close(sg.q_between, c["QM"], ITERATIVE, what="QM")
    else:
        assert np.isnan(sg.common_tau2)


def test_effect_sizes_with_a_study_attribute():
    c = CASES["bcg-alloc-REML-z"]
    d = me.datasets.load_bcg()
    es = me.effect_sizes(
        "RR",
        ai=d["tpos"],
        bi=d["tneg"],
        ci=d["cpos"],
        di=d["cneg"],
        study_info={"alloc": d["alloc"].to_numpy()},
    )
    sg = me.subgroup_analysis(es, "alloc")
    assert_close(sg.q_between, c["q_between"], ITERATIVE)
    assert sg.subgroups[0].effects is not None
    assert sg.group_of[0] == "random"
    frame = sg.to_frame()
    assert frame["subgroup"].tolist() == ["alternate", "random", "systematic", "Overall"]
    text = str(sg.summary(transform="exp"))
    assert "Test for subgroup differences: Q = 1.8614, df = 2" in text


def test_errors():
    c = CASES["bcg-alloc-REML-z"]
    with pytest.raises(ValueError, match="at least two subgroups; got 1"):
        me.subgroup_analysis(c["yi"], c["vi"], ["a"] * 13)
    with pytest.raises(ValueError, match="one subgroup per study \\(13\\); got 2"):
        me.subgroup_analysis(c["yi"], c["vi"], ["a", "b"])
    with pytest.raises(ValueError, match="no subgroup for rows \\[0\\]"):
        me.subgroup_analysis(c["yi"], c["vi"], [None] + ["a"] * 6 + ["b"] * 6)
    with pytest.raises(ValueError, match="tau2_common=True needs a random-effects method"):
        me.subgroup_analysis(c["yi"], c["vi"], c["group"], method="EE", tau2_common=True)
    with pytest.raises(TypeError, match="needs groups"):
        me.subgroup_analysis(c["yi"], c["vi"])
    with pytest.raises(TypeError, match="subgroup_analysis: yi must be numbers"):
        me.subgroup_analysis(["x"] * 13, c["vi"], c["group"])
