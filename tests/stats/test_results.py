"""Result types: summary() text/HTML, to_frame(), pickling, batches, heterogeneity CIs.

Display is checked through the numbers it must show (formatted from the fields), never
against rounded literals of the statistics themselves.
"""

import dataclasses
import math
import pickle

import numpy as np
import pytest

import metaevidence as me
from metaevidence.display.summary import fmt, fmt_p
from tests.core.rma_cases import datasets

DATA = datasets()


@pytest.fixture(scope="module")
def bcg():
    d = DATA["bcg-RR"]
    return me.meta_analysis(d["yi"], d["vi"], labels=d["labels"], measure="RR")


def test_summary_reads_like_metafor_print(bcg):
    text = str(bcg.summary())
    assert text.startswith("Random-effects model (k = 13; tau^2 estimator: REML)")
    for line in (
        f"tau^2 (estimated amount of total heterogeneity): {fmt(bcg.tau2)} (SE = {fmt(bcg.tau2_se)})",
        f"tau (square root of estimated tau^2 value):      {fmt(bcg.tau)}",
        f"I^2 (total heterogeneity / total variability):   {fmt(bcg.i2, 2)}%",
        f"H^2 (total variability / sampling variability):  {fmt(bcg.h2, 2)}",
        f"Q(df = 12) = {fmt(bcg.q)}, p-val <.0001",
        f"[{fmt(bcg.pi_lower)}, {fmt(bcg.pi_upper)}]",
        "measure: RR, log scale",
        "Settings: method=REML, test=z, level=0.95, pi_method=metafor",
    ):
        assert line in text, line
    row = [
        fmt(bcg.estimate),
        fmt(bcg.se),
        fmt(bcg.statistic),
        fmt_p(bcg.p_value),
        fmt(bcg.ci_lower),
        fmt(bcg.ci_upper),
    ]
    assert any(line.split() == row for line in text.splitlines())


def test_summary_transform_and_digits(bcg):
    text = str(bcg.summary(transform="exp", digits=3))
    row = [
        fmt(math.exp(v), 3) for v in (bcg.estimate, bcg.ci_lower, bcg.ci_upper, bcg.pi_lower, bcg.pi_upper)
    ]
    assert any(line.split() == row for line in text.splitlines())
    assert fmt(bcg.estimate, 3) in text
    with pytest.raises(
        ValueError,
        match=r"transform must be one of None, 'exp', 'tanh', 'expit', "
        r"'auto'; got 'log'",
    ):
        bcg.summary(transform="log")


def test_summary_counts_iterations_in_words():
    one = me.meta_analysis([0.3, 0.1], [0.04, 0.05])  # REML at the boundary after one step
    assert one.iterations == 1 and "tau^2 converged in 1 iteration\n" in str(one.summary())
    five = me.meta_analysis(DATA["bcg-RR"]["yi"], DATA["bcg-RR"]["vi"])
    assert f"tau^2 converged in {five.iterations} iterations\n" in str(five.summary())


def test_summary_html(bcg):
    html = bcg.summary()._repr_html_()
    assert html.startswith('<div class="metaevidence-summary">') and "<table" in html
    assert fmt(bcg.estimate) in html and "&lt;.0001" in html


def test_summary_of_knha_common_effect_and_mh_fits():
    d = DATA["bcg-RR"]
    ee = me.meta_analysis(d["yi"], d["vi"], method="EE", test="knha")
    text = str(ee.summary())
    assert text.startswith("Equal-effects model (k = 13)")
    assert "tval" in text and "tau^2" not in text and "Prediction interval" not in text
    mh = me.mantel_haenszel(ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])
    text = str(mh.summary(transform="exp"))
    assert "Mantel-Haenszel" in text and "Cochran-Mantel-Haenszel test (with continuity correction)" in text
    assert f"CMH = {fmt(mh.cmh)}" in text and "Tarone's test" in text


def test_to_frame_has_study_and_pooled_rows(bcg):
    frame = bcg.to_frame()
    assert list(frame.columns) == [
        "kind",
        "label",
        "estimate",
        "se",
        "ci_lower",
        "ci_upper",
        "pi_lower",
        "pi_upper",
        "weight",
        "included",
    ]
    studies = frame[frame.kind == "study"]
    assert len(studies) == 13 and len(frame) == 14
    np.testing.assert_array_equal(studies.estimate.to_numpy(), bcg.yi)
    np.testing.assert_array_equal(studies.weight.to_numpy(), bcg.weights)
    np.testing.assert_allclose(studies.se.to_numpy(), np.sqrt(bcg.vi), rtol=0)
    z = 1.959963984540054
    np.testing.assert_allclose(studies.ci_upper.to_numpy(), bcg.yi + z * np.sqrt(bcg.vi), rtol=1e-14)
    pooled = frame.iloc[-1]
    assert pooled.label == "RE Model (REML)"
    assert (pooled.estimate, pooled.ci_lower, pooled.pi_upper) == (bcg.estimate, bcg.ci_lower, bcg.pi_upper)


def test_results_are_frozen_picklable_and_cheap(bcg):
    with pytest.raises(dataclasses.FrozenInstanceError):
        bcg.estimate = 0.0
    back = pickle.loads(pickle.dumps(bcg))
    assert back.estimate == bcg.estimate and back.labels == bcg.labels
    np.testing.assert_array_equal(back.weights, bcg.weights)
    assert not hasattr(bcg, "__dict__")
    assert len(pickle.dumps(bcg)) < 4000
    changed = dataclasses.replace(bcg, level=0.9)
    assert changed.level == 0.9 and bcg.level == 0.95


def test_batch_summary_and_frame():
    d = DATA["bcg-RR"]
    res = me.meta_analysis(d["yi"], d["vi"], labels=d["labels"])
    loo = me.leave_one_out(res)
    text = str(loo.summary(transform="exp"))
    assert text.startswith("Leave-one-out analysis: 13 analyses (restricted maximum likelihood)")
    first = text.splitlines()[3]
    assert first.split()[-11] == fmt(math.exp(loo.estimate[0]))
    frame = loo.to_frame()
    assert frame.shape[0] == 13 and frame.index.name == "analysis"
    np.testing.assert_array_equal(frame.estimate.to_numpy(), loo.estimate)
    assert "<table" in loo.summary()._repr_html_()
    short = str(loo.summary(max_rows=3))
    assert "... 10 more rows (see to_frame())" in short
    back = pickle.loads(pickle.dumps(loo))
    np.testing.assert_array_equal(back.tau2, loo.tau2)


def test_heterogeneity_ci_display():
    d = DATA["edge-tau0"]
    res = me.meta_analysis(d["yi"], d["vi"])
    ci = me.heterogeneity_ci(res)
    text = str(ci)
    assert text.startswith("Q-profile confidence intervals for heterogeneity (level 95%)")
    assert "<0.0000" in text and "null/empty set" in text
    frame = ci.to_frame()
    assert list(frame.index) == ["tau2", "tau", "i2", "h2"]
    assert frame.loc["h2", "ci_upper"] == ci.h2[1]
    assert "<table" in ci.summary()._repr_html_()


def test_the_batch_type_mirrors_every_field_of_meta_analysis():
    """Fields are declared once on MetaAnalysis; the batch carries each (plus its own)."""
    from dataclasses import fields

    from metaevidence.stats.results import MetaAnalysis, MetaAnalysisBatch

    batch = {f.name for f in fields(MetaAnalysisBatch)}
    own = {"mask", "row_labels", "kind", "parent", "order"}
    missing = {f.name for f in fields(MetaAnalysis)} - batch
    # fit-wide settings, read from the parent (batches are inverse-variance weighted)
    # (glmm: a GLMM fit's details; its batches read them from the parent too)
    assert missing == {"correct", "pooling_cells", "weighting", "user_weights", "glmm"} | {
        "breslow_day",
        "breslow_day_p_value",
        "cochran",
        "cochran_p_value",
    }
    assert own <= batch


def test_fields_of_groups_the_declared_roles():
    from metaevidence.stats.results import BATCH_SCALARS, fields_of

    assert fields_of(group="pooled") == (
        "estimate",
        "se",
        "statistic",
        "p_value",
        "ci_lower",
        "ci_upper",
        "df",
        "pi_lower",
        "pi_upper",
    )
    assert fields_of(per="study") == ("yi", "vi", "weights", "included")
    assert "cmh" in fields_of(per="analysis") and "cmh" not in BATCH_SCALARS
    assert "method" in fields_of(per="setting")


def test_to_dict_is_plain_data_that_rebuilds_the_result():
    import json

    from metaevidence.stats.results import MetaAnalysis

    bcg = me.datasets.load_bcg()
    res = me.meta_analysis(me.effect_sizes("RR", ai=bcg.tpos, bi=bcg.tneg, ci=bcg.cpos, di=bcg.cneg))
    d = res.to_dict()
    json.dumps(d)  # plain data only
    assert "effects" not in d and d["estimate"] == res.estimate and d["k"] == 13
    again = MetaAnalysis(
        **{k: (np.asarray(v) if k in ("yi", "vi", "weights", "included") else v) for k, v in d.items()},
        effects=None,
    )
    assert again.estimate == res.estimate and np.array_equal(
        again.weights, res.weights
    )  # same values, copied


def test_a_batch_row_equals_the_single_fit_field_by_field():
    from dataclasses import fields

    bcg = me.datasets.load_bcg()
    es = me.effect_sizes("RR", ai=bcg.tpos, bi=bcg.tneg, ci=bcg.cpos, di=bcg.cneg)
    loo = me.leave_one_out(me.meta_analysis(es))
    row = loo[0]
    for f in fields(row):
        value = getattr(row, f.name)
        if f.metadata.get("per") == "analysis":
            assert type(value) is f.metadata["type"], f.name
