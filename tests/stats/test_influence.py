"""Public influence(): Influence results from fitted models, matching metafor."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.stats.influence import influence
from tests.reference_data import assert_close, load_reference
from tests.tolerances import ITERATIVE

CASES = INF_CASES = load_reference("influence")["cases"]


@pytest.mark.parametrize("cid", ["bcg-REML-z", "bcg-ablat-REML-knha", "normand1999-EE-z"])
def test_influence_of_a_fit(cid):
    c = CASES[cid]
    X = np.array(c["X"])
    fit = me.meta_regression(
        c["yi"], c["vi"], X[:, 1:] if X.shape[1] > 1 else None, method=c["method"], test=c["test"]
    )
    inf = influence(fit)
    assert inf.k == len(c["yi"]) and inf.p == X.shape[1]
    assert_close(inf.cook_d, c["cook_d"], ITERATIVE)
    assert_close(inf.dfbetas, c["dfbetas"], ITERATIVE)
    assert_close(inf.baujat_x, c["baujat_x"], ITERATIVE)
    np.testing.assert_array_equal(inf.is_influential, c["is_infl"])
    frame = inf.to_frame()
    assert len(frame) == inf.k and "dfbetas_intrcpt" in frame.columns
    assert "Influence diagnostics" in str(inf.summary())


def test_rows_and_labels_skip_excluded_studies():
    c = CASES["bcg-DL-z"]
    yi = np.r_[c["yi"][:3], np.nan, c["yi"][3:]]
    vi = np.r_[c["vi"][:3], 0.1, c["vi"][3:]]
    fit = me.meta_regression(yi, vi, method="DL", labels=[f"s{i}" for i in range(14)])
    inf = influence(fit)
    assert inf.rows.tolist() == [0, 1, 2, *range(4, 14)]
    assert "s3" not in inf.labels
    assert_close(inf.rstudent, c["rstudent"], 1e-10)


def test_influence_errors():
    with pytest.raises(TypeError, match="influence needs a fitted MetaAnalysis or MetaRegression; got dict"):
        influence({})
    fit = me.meta_regression([0.1, 0.2, 0.5], [0.1, 0.1, 0.1], [1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="at least p \\+ 2 studies \\(k = 3, p = 2\\)"):
        influence(fit)


@pytest.mark.parametrize(
    "cid", ["bcg-REML-z", "bcg-DL-knha", "bcg-tau2fixed-z", "hackshaw1998-REML-z", "normand1999-EE-z"]
)
def test_influence_of_a_meta_analysis(cid):
    c = INF_CASES[cid]
    kw = {"tau2": c["tau2"]} if c["tau2_fixed"] else {"method": c["method"]}
    res = me.meta_analysis(c["yi"], c["vi"], test=c["test"], **kw)
    inf = me.influence(res)
    for ours, theirs in [
        ("rstudent", "rstudent"),
        ("dffits", "dffits"),
        ("cook_d", "cook_d"),
        ("cov_r", "cov_r"),
        ("tau2_del", "tau2_del"),
        ("hat", "hat"),
        ("dfbetas", "dfbetas"),
        ("baujat_y", "baujat_y"),
    ]:
        assert_close(getattr(inf, ours), c[theirs], ITERATIVE, atol=1e-12, what=theirs)
    np.testing.assert_array_equal(inf.is_influential, c["is_infl"])


def test_influence_rejects_mantel_haenszel():
    res = me.mantel_haenszel(
        ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209], measure="OR"
    )
    with pytest.raises(ValueError, match="needs an inverse-variance model.*got 'MH'"):
        me.influence(res)
