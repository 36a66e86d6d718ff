"""permutation_test against metafor permutest()."""

import types

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE

REF = load_reference("regression")
PERM_CASES = {cid: c for cid, c in REF["cases"].items() if cid.startswith("perm-")}


def _perm_fit(case):
    X = np.array(case["X"])
    mods = X[:, 1:] if X.shape[1] > 1 else None
    return me.meta_regression(case["yi"], case["vi"], mods, method=case["method"], test=case["test"])


@pytest.mark.parametrize("cid", sorted(PERM_CASES))
def test_exact_permutation_test_matches_metafor(cid):
    case = PERM_CASES[cid]
    pt = me.permutation_test(_perm_fit(case), exact=True)
    assert pt.exact and pt.n_permutations == case["n_perm"]
    # p-values are counts / n: exact equality up to the last bit of the division
    assert_close(pt.p_value, case["perm_pval"], 1e-15, what="pval")
    assert_close(pt.qm_p_value, case["perm_QMp"], 1e-15, what="QMp")
    tol = ITERATIVE if case["method"] == "REML" else CLOSED_FORM
    for j, expected in enumerate(case["zval_perm_sorted"]):
        assert_close(
            np.sort(pt.statistic_perm[:, j]),
            expected,
            tol,
            atol=1e-8,
            what=f"sorted permutation z of coefficient {j}",
        )
    assert_close(np.sort(pt.qm_perm), case["QM_perm_sorted"], tol, atol=1e-8, what="QM.perm")


def test_permutation_test_of_meta_analysis_like_result():
    case = PERM_CASES["perm-bcg10-intonly-REML-z"]
    res = types.SimpleNamespace(
        estimate=0.0,
        included=np.ones(10, bool),
        yi=case["yi"],
        vi=case["vi"],
        method="REML",
        test="z",
        level=0.95,
    )
    pt = me.permutation_test(res, iterations=5000)
    assert pt.exact and pt.scheme == "sign flips"
    assert_close(pt.p_value, case["perm_pval"], 1e-15)


def test_random_permutations_are_seeded_and_near_the_exact_p():
    case = PERM_CASES["perm-bcg-alloc-DL-z"]
    fit = _perm_fit(case)
    a = me.permutation_test(fit, iterations=2000, seed=11)
    b = me.permutation_test(fit, iterations=2000, seed=11)
    assert not a.exact and a.n_permutations == 2000
    np.testing.assert_array_equal(a.qm_perm, b.qm_perm)
    assert a.qm_perm[0] == pytest.approx(fit.qm, rel=1e-12)  # observed data first
    p = case["perm_QMp"]
    assert abs(a.qm_p_value - p) < 4 * np.sqrt(p * (1 - p) / 2000)


def test_exact_switches_on_when_iterations_cover_all_permutations():
    case = PERM_CASES["perm-bcg7-ablat-DL-knha"]
    pt = me.permutation_test(_perm_fit(case), iterations=3000)
    assert pt.exact and pt.n_permutations == 2520
    assert "exact" in str(pt.summary())
    assert list(pt.to_frame()["term"]) == ["intrcpt", "mods"]


def test_permutation_errors():
    with pytest.raises(TypeError, match="needs a MetaRegression or MetaAnalysis; got int"):
        me.permutation_test(3)
    fit = _perm_fit(PERM_CASES["perm-bcg7-ablat-DL-knha"])
    with pytest.raises(ValueError, match="iterations must be a positive integer; got 0"):
        me.permutation_test(fit, iterations=0)
