"""The fitting verbs against metafor (rma, confint, rma.mh, rma.peto fixtures), their
errors and warnings, cross-checks with PyMARE and statsmodels, and property tests."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import metaevidence as me
from metaevidence.errors import ConvergenceWarning, SmallSampleWarning
from tests.core.rma_cases import check, datasets, fixture, rma_cases, tolerances, zero_atol
from tests.reference_data import as_array
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE

DATA = datasets()


# ---- meta_analysis against rma() ----------------------------------------------------


@pytest.mark.parametrize("dataset", sorted(DATA))
def test_meta_analysis_matches_metafor(dataset):
    d = DATA[dataset]
    for case_id, case in rma_cases().items():
        if case["dataset"] != dataset:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            res = me.meta_analysis(
                d["yi"],
                d["vi"],
                method=case["method"],
                test=case["test"],
                level=case["level"],
                labels=d["labels"],
            )
        arith, dist = tolerances(case["method"])
        assert res.test == case["test_used"], case_id
        assert res.k == case["k"] and res.level == case["level"]
        check(res.estimate, case["estimate"], arith, f"{case_id} estimate", scale=res.se)
        check(res.se, case["se"], arith, f"{case_id} se")
        check(res.p_value, case["p_value"], dist, f"{case_id} p")
        half = (res.ci_upper - res.ci_lower) / 2
        check(
            [res.ci_lower, res.ci_upper],
            [case["ci_lower"], case["ci_upper"]],
            dist,
            f"{case_id} ci",
            scale=half,
        )
        check(res.tau2, case["tau2"], arith, f"{case_id} tau2", atol=zero_atol(case, "tau2"))
        check(res.tau2_se, case["tau2_se"], arith, f"{case_id} se(tau2)")
        check(res.tau, np.sqrt(case["tau2"]), arith, f"{case_id} tau", atol=np.sqrt(zero_atol(case, "tau2")))
        check(res.i2, case["i2"], arith, f"{case_id} I2", atol=zero_atol(case, "i2"))
        check(res.h2, case["h2"], arith, f"{case_id} H2", atol=zero_atol(case, "h2"))
        check([res.q, res.q_p_value], [case["q"], case["q_p_value"]], DISTRIBUTION, f"{case_id} Q")
        assert res.q_df == max(case["k"] - 1, 0)
        phalf = (res.pi_upper - res.pi_lower) / 2
        check(
            [res.pi_lower, res.pi_upper],
            [case["pi_lower"], case["pi_upper"]],
            dist,
            f"{case_id} pi",
            scale=phalf,
        )
        check(res.weights, case["weights"], arith, f"{case_id} weights")
        assert res.labels == tuple(d["labels"])


def test_effect_sizes_input_is_kept():
    import pandas as pd

    bcg = me.datasets.load_bcg() if hasattr(me.datasets, "load_bcg") else None
    ai = [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]
    bi = [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]
    ci = [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]
    di = [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]
    es = me.effect_sizes("RR", ai=ai, bi=bi, ci=ci, di=di)
    res = me.meta_analysis(es)
    assert res.effects is es and res.measure == "RR" and res.labels == es.labels
    case = rma_cases()["bcg-RR-REML-z"]
    check(res.estimate, case["estimate"], ITERATIVE, "bcg via EffectSizes")
    assert bcg is None or isinstance(bcg, (pd.DataFrame, object))
    with pytest.raises(
        TypeError,
        match=r"meta_analysis: pass either an EffectSizes object "
        r"or yi and vi arrays; got an effect-size object and vi",
    ):
        me.meta_analysis(es, es.vi)


def test_dropped_rows_are_excluded_and_reported():
    d = DATA["collins1985a-OR"]
    res = me.meta_analysis(d["yi"], d["vi"])
    assert res.k == 25 and not res.included[5] and np.isnan(res.weights[5])
    assert "25 of 27 rows included" in str(res.summary())


def test_argument_errors():
    with pytest.raises(TypeError, match=r"meta_analysis: vi \(sampling variances\) is required"):
        me.meta_analysis([0.1, 0.2])
    with pytest.raises(ValueError, match=r"yi and vi must have the same length; got 2 and 3"):
        me.meta_analysis([0.1, 0.2], [0.1, 0.1, 0.1])
    with pytest.raises(ValueError, match=r"must be one-dimensional .* \(use meta_analysis_batch"):
        me.meta_analysis([[0.1, 0.2]], [[0.1, 0.1]])
    with pytest.raises(ValueError, match=r"labels must have one entry per study \(2\); got 3"):
        me.meta_analysis([0.1, 0.2], [0.1, 0.1], labels=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"no study has both yi and vi; got 2 rows"):
        me.meta_analysis([np.nan, 0.2], [0.1, np.nan])
    with pytest.raises(ValueError, match=r"method must be one of EE, FE, DL.*got 'reml'"):
        me.meta_analysis([0.1, 0.2], [0.1, 0.1], method="reml")
    with pytest.raises(ValueError, match=r"tau2 must be finite and non-negative; got -0.5"):
        me.meta_analysis([0.1, 0.2], [0.1, 0.1], tau2=-0.5)


def test_bad_values_name_the_argument_and_the_row():
    # before: "could not convert string to float: 'a'", "cannot reshape array of size 0
    # into shape (0)", and a batch message about "analysis 0" and a mask nobody passed
    with pytest.raises(
        TypeError,
        match=r"meta_analysis: yi must be numbers \(a sequence or array, "
        r"NaN for a missing study\); got \['a', 'b'\]",
    ):
        me.meta_analysis(["a", "b"], [0.1, 0.1])
    with pytest.raises(TypeError, match=r"meta_analysis: vi must be numbers"):
        me.meta_analysis([0.1, 0.2], [0.1, "x"])
    with pytest.raises(ValueError, match=r"meta_analysis: no studies: yi and vi are empty"):
        me.meta_analysis([], [])
    with pytest.raises(
        ValueError,
        match=r"meta_analysis: vi must be positive and finite \(sampling "
        r"variances\); got vi = -0.02 in row 1 \(0-based; label "
        r"'B'\); use NaN to leave a study out",
    ):
        me.meta_analysis([0.1, 0.2, 0.3], [0.1, -0.02, 0.1], labels=["A", "B", "C"])
    with pytest.raises(ValueError, match=r"vi must be positive and finite .*got vi = 0.0 in row 0"):
        me.meta_analysis([0.1, 0.2], [0.0, 0.1])
    with pytest.raises(
        ValueError,
        match=r"yi must be finite; got yi = inf in row 1 \(0-based; "
        r"label 'Study 2'\)",
    ):
        me.meta_analysis([0.1, np.inf], [0.1, 0.1])
    with pytest.raises(ValueError, match=r"got 'reml' \(did you mean 'REML'\?\)"):
        me.meta_analysis([0.1, 0.2], [0.1, 0.1], method="reml")
    # NaN still marks a study left out, and numeric strings and integers are numbers
    assert me.meta_analysis([0.1, np.nan, 0.3], [0.1, -1.0, 0.1]).k == 2
    assert me.meta_analysis(["0.1", "0.3"], [1, 2]).k == 2


def test_single_study_knha_warns_and_uses_z():
    with pytest.warns(
        SmallSampleWarning,
        match=r"test='knha' needs at least 2 studies; "
        r"k = 1, so the normal test",
    ):
        res = me.meta_analysis([0.5], [0.1], test="knha")
    assert res.test == "z" and np.isnan(res.df)
    case = rma_cases()["edge-k1-REML-knha"]
    check(res.ci_lower, case["ci_lower"], DISTRIBUTION, "k=1 ci")


def test_nonconvergence_warns_and_flags():
    d = DATA["bcg-RR"]
    with pytest.warns(
        ConvergenceWarning,
        match=r"meta_analysis: the REML estimate of tau\^2 "
        r"did not converge after 1 iterations.*flagged.*method='DL'",
    ):
        res = me.meta_analysis(d["yi"], d["vi"], maxiter=1)
    assert not res.converged
    assert "WARNING: tau^2 did not converge" in str(res.summary())


def test_fixed_tau2():
    d = DATA["bcg-RR"]
    res = me.meta_analysis(d["yi"], d["vi"], tau2=0.3132432581364806)
    assert res.tau2_fixed and np.isnan(res.tau2_se)
    check(res.estimate, rma_cases()["bcg-RR-REML-z"]["estimate"], ITERATIVE, "fixed tau2")


# ---- heterogeneity_ci against confint() ---------------------------------------------


@pytest.mark.parametrize(
    "case_id",
    [
        "bcg-RR-REML",
        "bcg-RR-DL",
        "bcg-RR-PM",
        "edge-tau0-REML",
        "edge-k2-REML",
        "normand1999-MD-REML-90",
        "bcg-RR-REML-tau2max0.1",
        "edge-k2-homog-REML",
    ],
)
def test_heterogeneity_ci_matches_confint(case_id):
    case = fixture("profile")["cases"][case_id]
    d = DATA[case["dataset"]]
    res = me.meta_analysis(d["yi"], d["vi"], method=case["method"], level=case["level"])
    tmax = case["tau2_max"]
    if (tmax is None or np.isnan(tmax)) and case["ub_sign"] == ">":
        tmax = max(100.0, 10.0 * res.tau2)  # metafor's capped search, given explicitly
    ci = me.heterogeneity_ci(res, tau2_max=None if tmax is None or np.isnan(tmax) else tmax)
    lower = [ci.tau2[0], ci.tau[0], ci.i2[0], ci.h2[0]]
    upper = [ci.tau2[1], ci.tau[1], ci.i2[1], ci.h2[1]]
    check(np.array(lower), case["lower"], ITERATIVE, f"{case_id} lower", atol=1e-12)
    check(np.array(upper), case["upper"], ITERATIVE, f"{case_id} upper", atol=1e-12)
    est = [ci.estimate_tau2, ci.estimate_tau, ci.estimate_i2, ci.estimate_h2]
    check(np.array(est), case["estimate"], ITERATIVE, f"{case_id} estimate", atol=1e-12)
    sign = {"below zero": "<", "above tau2_max": ">"}
    assert sign.get(ci.lower_status, "") == case["lb_sign"]
    assert sign.get(ci.upper_status, "") == case["ub_sign"]
    if case["ci_null"]:
        assert any("null/empty set" in note for note in ci.notes)
    if case["ub_sign"] == ">":
        assert any("above tau2_max" in note for note in ci.notes)
        assert ">" in str(ci)


def test_heterogeneity_ci_errors():
    d = DATA["bcg-RR"]
    with pytest.raises(
        ValueError,
        match=r"heterogeneity_ci: the model has no random-effects "
        r"component \(method='EE'\)",
    ):
        me.heterogeneity_ci(me.meta_analysis(d["yi"], d["vi"], method="EE"))
    with pytest.raises(ValueError, match=r"needs at least 2 studies; got k = 1"):
        me.heterogeneity_ci(me.meta_analysis([0.2], [0.1]))
    with pytest.raises(TypeError, match=r"result must be a MetaAnalysis or MetaRegression; got list"):
        me.heterogeneity_ci([1, 2])


# ---- mantel_haenszel and peto against rma.mh / rma.peto -------------------------------


def _as_setting(value):
    if isinstance(value, list):
        return tuple(value) if len(value) > 1 else value[0]
    return value


def test_binary_case_grid_is_complete():
    tables = {c["table"] for c in fixture("rma_mh")["cases"].values()}
    assert len(tables) >= 8 and {"zero-cells", "collins1985a", "li2007"} <= tables
    expected = {f"{t}-MH-{m}" for t in tables for m in ("OR", "RR", "RD")}
    expected |= {f"{t}-PETO" for t in tables}
    expected |= {
        "bcg-MH-OR-nocorrect",
        "small-delta-MH-OR-nocorrect",
        "bcg-MH-OR-90",
        "bcg-PETO-90",
        "zero-cells-MH-OR-keep00",
        "zero-cells-MH-RR-all",
        "zero-cells-MH-OR-pair",
        "zero-cells-PETO-keep00",
    }
    assert set(fixture("rma_mh")["cases"]) == expected


@pytest.mark.parametrize("case_id", sorted(fixture("rma_mh")["cases"]))
def test_binary_pooling_matches_metafor(case_id):
    """Closed forms throughout: CLOSED_FORM for arithmetic, DISTRIBUTION for p-values and
    interval bounds."""
    c = fixture("rma_mh")["cases"][case_id]
    counts = {key: as_array(c[key]) for key in ("ai", "bi", "ci", "di")}
    kw = dict(
        level=c["level"],
        add=_as_setting(c["add"]),
        to=_as_setting(c["to"]),
        drop00=_as_setting(c["drop00"]),
        **counts,
    )
    if c["kind"] == "MH":
        res = me.mantel_haenszel(measure=c["measure"], correct=c["correct"], **kw)
        assert res.method == "MH" and res.measure == c["measure"]
    else:
        res = me.peto(**kw)
        assert res.method == "PETO" and res.measure == "PETO"
    assert res.k == c["k"] and res.tau2 == 0.0 and np.isnan(res.pi_lower)
    for name in ("estimate", "se", "q", "i2", "h2", "yi", "vi", "weights"):
        check(
            getattr(res, name),
            c[name],
            CLOSED_FORM,
            f"{case_id} {name}",
            scale=res.se if name == "estimate" else None,
        )
    for name in ("statistic", "p_value", "q_p_value", "cmh", "cmh_p_value", "tarone", "tarone_p_value"):
        check(getattr(res, name), c[name], DISTRIBUTION, f"{case_id} {name}")
    half = (res.ci_upper - res.ci_lower) / 2
    check(
        [res.ci_lower, res.ci_upper],
        [c["ci_lower"], c["ci_upper"]],
        DISTRIBUTION,
        f"{case_id} ci",
        scale=half,
    )


def test_binary_inputs_from_group_sizes_and_effect_sizes():
    c = fixture("rma_mh")["cases"]["bcg-MH-RR"]
    a, b, cc, d = (as_array(c[k]) for k in ("ai", "bi", "ci", "di"))
    by_n = me.mantel_haenszel(ai=a, n1i=a + b, ci=cc, n2i=cc + d, measure="RR")
    check(by_n.estimate, c["estimate"], CLOSED_FORM, "from n1i/n2i")
    es = me.effect_sizes("RR", ai=a, bi=b, ci=cc, di=d, labels=[f"s{i}" for i in range(a.size)])
    from_es = me.mantel_haenszel(es)
    assert from_es.measure == "RR" and from_es.labels[0] == "s0"
    check(from_es.estimate, c["estimate"], CLOSED_FORM, "from EffectSizes")
    with pytest.raises(
        ValueError,
        match=r"mantel_haenszel: measure must be one of OR, RR, RD; "
        r"got 'SMD'",
    ):
        me.mantel_haenszel(ai=a, bi=b, ci=cc, di=d, measure="SMD")
    with pytest.raises(TypeError, match=r"give bi or n1i for group 1; got neither"):
        me.mantel_haenszel(ai=a, ci=cc, di=d)
    with pytest.raises(TypeError, match=r"mantel_haenszel: ai must be numbers .*got \['a', 'b'\]"):
        me.mantel_haenszel(ai=["a", "b"], bi=[1, 2], ci=[1, 2], di=[1, 2])
    with pytest.raises(ValueError, match=r"ci must be a non-negative count; got -1 in row 0"):
        me.peto(ai=[1, 2], bi=[5, 5], ci=[-1, 2], di=[5, 5])
    with pytest.raises(ValueError, match=r"add must be one value or a pair"):
        me.peto(ai=a, bi=b, ci=cc, di=d, add=(0.5, 0.5, 0.5))


# ---- meta_analysis_batch -------------------------------------------------------------


def test_batch_rows_equal_single_fits_and_carry_labels():
    d = DATA["bcg-RR"]
    k = d["yi"].size
    mask = ~np.eye(k, dtype=bool)
    batch = me.meta_analysis_batch(
        d["yi"],
        d["vi"],
        mask=mask,
        test="knha",
        labels=d["labels"],
        row_labels=[f"without {x}" for x in d["labels"]],
    )
    assert batch.kind == "batch" and batch.estimate.shape == (k,)
    assert batch.row_labels[0] == f"without {d['labels'][0]}"
    for i in (0, 6, 12):
        alone = me.meta_analysis(d["yi"][mask[i]], d["vi"][mask[i]], test="knha")
        row = batch[i]
        assert row.k == alone.k == k - 1
        for name in ("estimate", "se", "tau2", "ci_lower", "pi_upper", "q", "i2"):
            assert getattr(row, name) == pytest.approx(getattr(alone, name), rel=1e-9), name
        np.testing.assert_allclose(row.weights[mask[i]], alone.weights, rtol=1e-9)


def test_batch_errors():
    with pytest.raises(ValueError, match=r"yi, vi and mask must broadcast to one shape"):
        me.meta_analysis_batch(np.zeros((3, 4)), np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"row_labels needs one label per analysis"):
        me.meta_analysis_batch(np.zeros((3, 4)), np.ones((3, 4)), row_labels=["a"])
    # numpy's "cannot reshape array of size 0" and "zero-size array to reduction" before
    with pytest.raises(
        ValueError,
        match=r"meta_analysis_batch: no studies or no analyses: yi and "
        r"vi have shape \(3, 0\)",
    ):
        me.meta_analysis_batch(np.zeros((3, 0)), np.ones((3, 0)))
    with pytest.raises(ValueError, match=r"no studies or no analyses: .* shape \(0, 4\)"):
        me.meta_analysis_batch(np.zeros((0, 4)), np.ones((0, 4)))
    with pytest.raises(TypeError, match=r"meta_analysis_batch: vi must be numbers"):
        me.meta_analysis_batch(np.zeros((1, 2)), [["x", 1]])


def test_batch_nonconvergence_names_the_analyses():
    rng = np.random.default_rng(7)
    vi = rng.uniform(0.01, 0.1, size=(4, 10))
    yi = rng.normal(0, np.sqrt(vi + 0.2))
    with pytest.warns(
        ConvergenceWarning,
        match=r"did not converge for analysis 0, 1, 2, 3 "
        r"\(batch index\)",
    ):
        res = me.meta_analysis_batch(yi, vi, method="ML", maxiter=2)
    assert not res.converged.any()
    yi3 = yi.reshape(2, 2, 10)
    with pytest.warns(ConvergenceWarning, match=r"analysis \(0, 0\), \(0, 1\), \(1, 0\)"):
        me.meta_analysis_batch(yi3, vi.reshape(2, 2, 10), method="ML", maxiter=2)


# ---- cross-checks with PyMARE and statsmodels ----------------------------------------


def test_cross_check_statsmodels_dl_pm_and_hksj():
    """statsmodels' combine_effects: DL ("chi2") and PM ("iterated") tau^2, estimates, SEs,
    and the HKSJ ("wls") rows, on every published dataset."""
    from statsmodels.stats.meta_analysis import combine_effects

    for name, d in DATA.items():
        if name.startswith("edge") or np.isnan(d["yi"]).any():
            continue
        for method, sm_method in (("DL", "chi2"), ("PM", "iterated")):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sm = combine_effects(d["yi"], d["vi"], method_re=sm_method, use_t=True)
                frame = sm.summary_frame()
            ours = me.meta_analysis(d["yi"], d["vi"], method=method)
            hk = me.meta_analysis(d["yi"], d["vi"], method=method, test="knha")
            # statsmodels stops its PM iteration when |Q - (k - 1)| < 1e-5 (atol): ITERATIVE
            rtol = CLOSED_FORM if method == "DL" else ITERATIVE
            assert ours.tau2 == pytest.approx(sm.tau2, rel=rtol, abs=1e-14), name
            assert ours.estimate == pytest.approx(sm.mean_effect_re, rel=rtol), name
            assert ours.se == pytest.approx(sm.sd_eff_w_re, rel=rtol), name
            wls = frame.loc["random effect wls"]
            assert hk.se == pytest.approx(wls["sd_eff"], rel=rtol), name
            half = (hk.ci_upper - hk.ci_lower) / 2
            assert hk.ci_lower == pytest.approx(wls["ci_low"], abs=max(rtol, DISTRIBUTION) * half)
            assert hk.ci_upper == pytest.approx(wls["ci_upp"], abs=max(rtol, DISTRIBUTION) * half)


def test_cross_check_pymare_dl_reml_ml():
    """PyMARE's DerSimonianLaird and likelihood estimators (scipy.optimize: ~1e-6 relative
    on tau^2); PyMARE reports the Hartung-Knapp SE for DL."""
    from pymare import Dataset
    from pymare.estimators import DerSimonianLaird, Hedges, VarianceBasedLikelihoodEstimator

    for name in (
        "bcg-RR",
        "normand1999-MD",
        "raudenbush1985-SMD",
        "molloy2014-ZCOR",
        "egger2001-OR",
        "hackshaw1998-OR",
    ):
        d = DATA[name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for est, method in (
                (DerSimonianLaird(), "DL"),
                (Hedges(), "HE"),
                (VarianceBasedLikelihoodEstimator(method="REML"), "REML"),
                (VarianceBasedLikelihoodEstimator(method="ML"), "ML"),
            ):
                summ = est.fit_dataset(Dataset(y=d["yi"], v=d["vi"])).summary()
                ours = me.meta_analysis(d["yi"], d["vi"], method=method)
                rtol = CLOSED_FORM if method in ("DL", "HE") else 1e-4
                tau2 = float(np.ravel(summ.tau2)[0])
                assert ours.tau2 == pytest.approx(tau2, rel=rtol, abs=1e-7), (name, method)
                assert ours.estimate == pytest.approx(float(summ.fe_params.ravel()[0]), rel=rtol, abs=1e-7), (
                    name,
                    method,
                )
                if method == "DL":
                    hk = me.meta_analysis(d["yi"], d["vi"], method="DL", test="knha")
                    se = float(summ.get_fe_stats()["se"].ravel()[0])
                    assert hk.se == pytest.approx(se, rel=CLOSED_FORM), name


# ---- properties ------------------------------------------------------------------------

studies = st.integers(min_value=2, max_value=12).flatmap(
    lambda k: st.tuples(
        st.lists(st.floats(-3, 3, allow_nan=False), min_size=k, max_size=k),
        st.lists(st.floats(0.005, 2.0, allow_nan=False), min_size=k, max_size=k),
    )
)
METHOD_CHOICES = st.sampled_from(["EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"])
TEST_CHOICES = st.sampled_from(["z", "knha", "adhoc"])


def _close(a, b, rel=1e-8, abs_=1e-10):
    return a == pytest.approx(b, rel=rel, abs=abs_, nan_ok=True)


@settings(max_examples=40, deadline=None)
@given(studies, METHOD_CHOICES, TEST_CHOICES, st.randoms(use_true_random=False))
def test_study_order_does_not_matter(data, method, test, rnd):
    yi, vi = map(np.array, data)
    perm = list(range(yi.size))
    rnd.shuffle(perm)
    a = me.meta_analysis(yi, vi, method=method, test=test)
    b = me.meta_analysis(yi[perm], vi[perm], method=method, test=test)
    for name in ("estimate", "se", "tau2", "q", "i2", "ci_lower", "pi_upper"):
        assert _close(getattr(a, name), getattr(b, name)), name
    np.testing.assert_allclose(a.weights[perm], b.weights, rtol=1e-8, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(studies, METHOD_CHOICES, TEST_CHOICES)
def test_full_mask_equals_unmasked_fit(data, method, test):
    yi, vi = map(np.array, data)
    plain = me.meta_analysis_batch(yi, vi, method=method, test=test)
    masked = me.meta_analysis_batch(yi, vi, mask=np.ones(yi.size, bool), method=method, test=test)
    for name in ("estimate", "se", "tau2", "q", "i2", "h2", "ci_lower", "pi_lower", "k"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(masked, name), name)


@settings(max_examples=25, deadline=None)
@given(st.lists(studies, min_size=2, max_size=6), METHOD_CHOICES, TEST_CHOICES)
def test_batch_of_many_equals_each_alone(sets, method, test):
    """Padded with NaN to a common k, the batch (vectorised solver) equals the single
    fits (scalar solver)."""
    kmax = max(len(y) for y, _ in sets)
    yi = np.full((len(sets), kmax), np.nan)
    vi = np.full((len(sets), kmax), np.nan)
    for i, (y, v) in enumerate(sets):
        yi[i, : len(y)] = y
        vi[i, : len(v)] = v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch = me.meta_analysis_batch(yi, vi, method=method, test=test)
    for i, (y, v) in enumerate(sets):
        alone = me.meta_analysis(np.array(y), np.array(v), method=method, test=test)
        for name in ("estimate", "se", "tau2", "tau2_se", "q", "i2", "ci_upper", "pi_lower", "p_value"):
            assert _close(float(getattr(batch, name)[i]), getattr(alone, name), rel=1e-7), (name, i)


@settings(max_examples=40, deadline=None)
@given(studies)
def test_duplicating_the_data_halves_the_common_effect_variance(data):
    yi, vi = map(np.array, data)
    once = me.meta_analysis(yi, vi, method="EE")
    twice = me.meta_analysis(np.tile(yi, 2), np.tile(vi, 2), method="EE")
    assert twice.estimate == pytest.approx(once.estimate, rel=1e-12, abs=1e-14)
    assert twice.se**2 == pytest.approx(once.se**2 / 2, rel=1e-12)


@pytest.mark.parametrize("given, meant", [("hk", "knha"), ("HKSJ", "knha"), ("Z", "z"), ("knah", "knha")])
def test_a_test_spelled_as_other_tools_spell_it_gets_a_hint(given, meant):
    with pytest.raises(
        ValueError, match=rf"test must be one of z, knha, adhoc; got '{given}' \(did you mean '{meant}'\?\)"
    ):
        me.meta_analysis([0.1, 0.3, 0.2], [0.01, 0.02, 0.03], test=given)
    with pytest.raises(ValueError, match=rf"meta_regression: test must be .* \(did you mean '{meant}'\?\)"):
        me.meta_regression([0.1, 0.3, 0.2], [0.01, 0.02, 0.03], [1.0, 2.0, 3.0], test=given)
