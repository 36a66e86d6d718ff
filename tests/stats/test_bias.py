"""Public small-study-effect API: egger_test, peters_test, rank_test, fail_safe_n."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE

CASES = load_reference("bias")["cases"]


def _fit(case, method=None, test=None):
    return me.meta_regression(
        case["yi"], case["vi"], method=method or case["method"], test=test or case["test"]
    )


@pytest.mark.parametrize(
    "cid",
    [
        "regtest-bcg-REML-z-rma-sei",
        "regtest-bcg-DL-knha-rma-ninv",
        "regtest-lau1992-REML-z-lm-sei",
        "regtest-li2007-EE-z-rma-vi",
        "regtest-egger2001-REML-knha-rma-sqrtni",
        "regtest-hackshaw1998-DL-z-rma-sei",
    ],
)
def test_egger_test_matches_regtest(cid):
    c = CASES[cid]
    with pytest.warns(me.SmallSampleWarning) if len(c["yi"]) < 10 else _no_warning():
        r = me.egger_test(_fit(c), predictor=c["predictor"], model=c["model"], ni=c.get("ni"))
    tol = ITERATIVE if c["method"] == "REML" else CLOSED_FORM
    assert_close(r.statistic, c["zval"], tol)
    assert_close(r.p_value, c["pval"], max(tol, DISTRIBUTION))
    assert_close(r.df, c["dfs"], 0)
    assert_close(r.limit_estimate, c["est"], tol)
    assert r.k == len(c["yi"]) and r.kind == "Egger"


def test_egger_test_keeps_moderators():
    c = CASES["regtest-bcg-ablat-REML-z-rma-sei"]
    res = me.meta_regression(c["yi"], c["vi"], "~ ablat", data={"ablat": c["ablat"]})
    r = me.egger_test(res)
    assert_close(r.statistic, c["zval"], ITERATIVE)
    assert_close(r.coefficients, c["fit_beta"], ITERATIVE)
    assert np.isnan(r.limit_estimate)


class _no_warning:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings()
        self._cm.__enter__()
        warnings.simplefilter("error", me.SmallSampleWarning)

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)


def test_small_sample_warning_and_note():
    c = CASES["ranktest-bcg-first6"]
    res = me.meta_regression(c["yi"], c["vi"])
    with pytest.warns(
        me.SmallSampleWarning, match="only 6 studies.*fewer than 10 studies \\(Cochrane Handbook 13.3.5.4\\)"
    ):
        r = me.rank_test(res)
    assert "Cochrane Handbook 13.3.5.4" in str(r.summary())
    assert_close(r.tau, c["tau"], CLOSED_FORM)
    assert_close(r.p_value, c["pval"], DISTRIBUTION)
    with pytest.warns(me.SmallSampleWarning):
        e = me.egger_test(res)
    assert "Cochrane" in str(e.summary())


@pytest.mark.parametrize("cid", ["ranktest-bcg", "ranktest-lau1992", "ranktest-hackshaw1998"])
def test_rank_test_matches_ranktest(cid):
    c = CASES[cid]
    r = me.rank_test(me.meta_regression(c["yi"], c["vi"]))
    assert_close(r.tau, c["tau"], CLOSED_FORM)
    assert_close(r.p_value, c["pval"], DISTRIBUTION)
    assert r.exact and r.note is None
    frame = r.to_frame()
    assert frame.loc[0, "tau"] == r.tau


@pytest.mark.parametrize("cid", ["peters-egger2001", "peters-li2007", "peters-lau1992"])
def test_peters_test_matches_lm(cid):
    c = CASES[cid]
    res = me.meta_regression(c["yi"], c["vi"])
    r = me.peters_test(res, ai=c["ai"], n1i=c["n1i"], ci=c["ci"], n2i=c["n2i"])
    assert_close(r.statistic, c["tval"][1], CLOSED_FORM)
    assert_close(r.p_value, c["pval"][1], DISTRIBUTION)
    assert_close(r.limit_estimate, c["beta"][0], CLOSED_FORM)
    assert r.df == c["dfs"] and r.kind == "Peters"
    assert "Peters' regression test" in str(r.summary())


def test_peters_test_reads_counts_from_effect_sizes():
    c = CASES["peters-egger2001"]
    es = me.effect_sizes("OR", ai=c["ai"], n1i=c["n1i"], ci=c["ci"], n2i=c["n2i"])
    assert_close(es.yi, c["yi"], CLOSED_FORM)
    res = me.meta_regression(es)
    r = me.peters_test(_with_effects(res, es))
    assert_close(r.statistic, c["tval"][1], CLOSED_FORM)


def _with_effects(res, es):
    """A MetaAnalysis-like view of a MetaRegression that carries its EffectSizes."""
    import types

    return types.SimpleNamespace(
        yi=res.yi,
        vi=res.vi,
        included=res.included,
        method=res.method,
        test=res.test,
        level=res.level,
        effects=es,
        labels=res.labels,
    )


def test_egger_with_sample_size_predictor_reads_effect_sizes():
    c = CASES["regtest-egger2001-REML-z-rma-ni"]
    d = CASES["peters-egger2001"]
    es = me.effect_sizes("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])
    r = me.egger_test(_with_effects(me.meta_regression(es), es), predictor="ni")
    assert_close(r.statistic, c["zval"], ITERATIVE)


@pytest.mark.parametrize(
    "cid",
    [
        "fsn-bcg-Rosenthal",
        "fsn-lau1992-Rosenberg-alpha01",
        "fsn-hackshaw1998-Orwin",
        "fsn-li2007-Orwin-weighted",
        "fsn-egger2001-Rosenberg",
        "fsn-bcg-Orwin-target",
    ],
)
def test_fail_safe_n_matches_fsn(cid):
    c = CASES[cid]
    kw = {"type": c["type"], "alpha": c["alpha"]}
    if c["type"] == "Orwin":  # the fixture is metafor 3.8-1: unweighted unless weighted=TRUE
        kw["weighted"] = cid.endswith("weighted")
    if cid.endswith("target"):
        kw["target"] = c["target"]
    f = me.fail_safe_n(c["yi"], c["vi"], **kw)
    assert f.n == c["fsnum"]
    if c["pval"] is not None:
        assert_close(f.p_value, c["pval"], DISTRIBUTION)
    assert f.type in str(f.summary()) and f.to_frame().loc[0, "n"] == f.n


def test_orwin_is_weighted_when_variances_are_given_as_current_metafor():
    # metafor >= 4.4-0 dropped `weighted`: Orwin uses the inverse-variance weighted mean
    # whenever variances are given, which 3.8-1 computes with weighted=TRUE
    for name in ("bcg", "hackshaw1998", "lau1992"):
        w, u = CASES[f"fsn-{name}-Orwin-weighted-target"], CASES[f"fsn-{name}-Orwin-target"]
        assert u["fsnum"] != w["fsnum"]
        assert me.fail_safe_n(w["yi"], w["vi"], type="Orwin", target=w["target"]).n == w["fsnum"]
        old = me.fail_safe_n(u["yi"], u["vi"], type="Orwin", target=u["target"], weighted=False)
        assert old.n == u["fsnum"]


def test_fail_safe_n_of_a_fit_and_unweighted_orwin_without_vi():
    c = CASES["fsn-bcg-Rosenthal"]
    # a fitted model defaults to the general method (metafor >= 4.4-0); Rosenthal by name
    assert me.fail_safe_n(me.meta_regression(c["yi"], c["vi"]), type="Rosenthal").n == c["fsnum"]
    assert me.fail_safe_n(me.meta_regression(c["yi"], c["vi"])).type == "General"
    o = CASES["fsn-bcg-Orwin"]
    assert me.fail_safe_n(o["yi"], type="Orwin").n == o["fsnum"]


def test_errors():
    c = CASES["regtest-bcg-REML-z-rma-sei"]
    res = me.meta_regression(c["yi"], c["vi"])
    with pytest.raises(TypeError, match="fail_safe_n: yi must be numbers"):
        me.fail_safe_n(["a", "b"], [0.1, 0.1])
    with pytest.raises(
        ValueError, match="predictor must be one of sei, vi, ni, ninv, sqrtni, sqrtninv; got 'se'"
    ):
        me.egger_test(res, predictor="se")
    with pytest.raises(ValueError, match="model must be 'rma' or 'lm'; got 'glm'"):
        me.egger_test(res, model="glm")
    with pytest.raises(ValueError, match="needs study sample sizes.*pass ni="):
        me.egger_test(res, predictor="ni")
    with pytest.raises(TypeError, match="egger_test needs a fitted MetaAnalysis or MetaRegression; got list"):
        me.egger_test([1, 2])
    with pytest.raises(ValueError, match="peters_test needs 2x2 counts.*no 'ai'"):
        me.peters_test(res)
    with pytest.raises(
        ValueError, match="type must be 'Rosenthal', 'Orwin', 'Rosenberg' or 'General'; got 'Fisher'"
    ):
        me.fail_safe_n(c["yi"], c["vi"], type="Fisher")
    with pytest.raises(ValueError, match="the Rosenthal fail-safe N needs the sampling variances"):
        me.fail_safe_n(c["yi"])
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        me.fail_safe_n(c["yi"], c["vi"], alpha=5)
    with pytest.raises(ValueError, match="vi must match yi"):
        me.fail_safe_n(c["yi"], c["vi"][:3])


def test_egger_and_rank_tests_of_a_meta_analysis():
    c = CASES["regtest-egger2001-REML-z-rma-ni"]
    d = CASES["peters-egger2001"]
    es = me.effect_sizes("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])
    res = me.meta_analysis(es)
    assert_close(me.egger_test(res, predictor="ni").statistic, c["zval"], ITERATIVE)
    assert_close(me.peters_test(res).statistic, d["tval"][1], CLOSED_FORM)
    r = CASES["ranktest-egger2001"]
    assert_close(me.rank_test(res).tau, r["tau"], CLOSED_FORM)
