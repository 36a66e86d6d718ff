"""forest_table: every number of the forest plot, checked against the result objects.

The pooled numbers are copies of result fields (compared exactly); study intervals are
compared with metafor's own per-study intervals (summary.escalc) within CLOSED_FORM.
"""

import math

import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots import forest_table
from metaevidence.plots.table import COLUMNS, KINDS
from tests.plots import factories as f
from tests.reference_data import as_array, assert_close
from tests.tolerances import CLOSED_FORM


def rows(table, kind):
    return table[table.kind == kind]


# --- one analysis --------------------------------------------------------------------


def test_bcg_rows_in_plot_order():
    table = forest_table(f.bcg())
    assert list(table.columns) == list(COLUMNS)
    assert list(table.kind) == ["study"] * 13 + [
        "pooled",
        "prediction",
        "events",
        "heterogeneity",
        "overall_effect",
    ]
    assert set(table.kind) <= set(KINDS)


def test_bcg_study_rows_match_the_result_and_metafor():
    res = f.bcg()
    case = f.case("bcg-OR-REML-knha")
    s = rows(forest_table(res), "study")
    assert tuple(s.label) == res.labels
    np.testing.assert_array_equal(s.weight, res.weights)
    np.testing.assert_array_equal(s.yi, res.yi)
    np.testing.assert_array_equal(s.se, np.sqrt(res.vi))
    assert_close(s.estimate, np.exp(res.yi), CLOSED_FORM, what="study OR")
    # the CI shown per study is metafor's yi -/+ qnorm(0.975) sqrt(vi), exponentiated
    assert_close(s.ci_lower, np.exp(as_array(case["study_ci_lower"])), CLOSED_FORM, what="study CI lower")
    assert_close(s.ci_upper, np.exp(as_array(case["study_ci_upper"])), CLOSED_FORM, what="study CI upper")
    data = res.effects.data
    np.testing.assert_array_equal(s.e_events, data["ai"])
    np.testing.assert_array_equal(s.e_total, data["ai"] + data["bi"])
    np.testing.assert_array_equal(s.c_events, data["ci"])
    np.testing.assert_array_equal(s.c_total, data["ci"] + data["di"])
    assert s.included.all()
    assert s.level.eq(0.95).all()


def test_bcg_pooled_rows_are_the_result_fields():
    res = f.bcg()
    table = forest_table(res)
    (pooled,) = rows(table, "pooled").itertuples()
    assert pooled.label == "Total (95% CI)" and pooled.model == "random"
    # the table's np.exp vs math.exp here: different code paths, so within CLOSED_FORM
    assert_close(pooled.estimate, math.exp(res.estimate), CLOSED_FORM)
    assert_close(
        [pooled.ci_lower, pooled.ci_upper], [math.exp(res.ci_lower), math.exp(res.ci_upper)], CLOSED_FORM
    )
    assert pooled.k == res.k and pooled.test == "knha"
    assert_close(pooled.weight, 100.0, CLOSED_FORM, what="total weight")
    data = res.effects.data
    assert pooled.e_total == np.sum(data["ai"] + data["bi"])
    assert pooled.c_total == np.sum(data["ci"] + data["di"])
    (pi,) = rows(table, "prediction").itertuples()
    assert_close([pi.pi_lower, pi.pi_upper], [math.exp(res.pi_lower), math.exp(res.pi_upper)], CLOSED_FORM)
    (events,) = rows(table, "events").itertuples()
    assert events.e_events == data["ai"].sum() and events.c_events == data["ci"].sum()
    (het,) = rows(table, "heterogeneity").itertuples()
    assert (het.tau2, het.chi2, het.df, het.p_value, het.i2) == (
        res.tau2,
        res.q,
        res.q_df,
        res.q_p_value,
        res.i2,
    )
    (test,) = rows(table, "overall_effect").itertuples()
    assert (test.statistic, test.df, test.p_value, test.test) == (res.statistic, 12.0, res.p_value, "knha")


def test_attrs_say_how_to_label_the_figure():
    table = forest_table(f.bcg())
    assert table.attrs == {
        "measure": "OR",
        "method": "REML",
        "test": "knha",
        "level": 0.95,
        "transform": "exp",
        "exp": True,
        "arms": "binary",
        "source": "analysis",
        "group_labels": ("BCG vaccine", "Control"),
        "columns": {},
    }


def test_transform_none_keeps_the_analysis_scale():
    res = f.bcg()
    table = forest_table(res, transform=None)
    assert table.attrs["exp"] is False and table.attrs["transform"] is None
    np.testing.assert_array_equal(rows(table, "study").estimate, res.yi)
    assert rows(table, "pooled").estimate.item() == res.estimate
    assert rows(table, "prediction").pi_lower.item() == res.pi_lower


def test_difference_measure_is_not_exponentiated_and_continuous_arms_are_shown():
    res = f.analysis("normand-MD-REML")
    table = forest_table(res)
    assert table.attrs["exp"] is False and table.attrs["arms"] == "continuous"
    s = rows(table, "study")
    data = res.effects.data
    for column, key in (
        ("e_mean", "m1i"),
        ("e_sd", "sd1i"),
        ("e_total", "n1i"),
        ("c_mean", "m2i"),
        ("c_sd", "sd2i"),
        ("c_total", "n2i"),
    ):
        np.testing.assert_array_equal(s[column], data[key])
    assert s.e_events.isna().all()
    case = f.case("normand-MD-REML")
    assert_close(s.ci_lower, case["study_ci_lower"], CLOSED_FORM, what="MD CI lower")
    assert "events" not in set(table.kind)


def test_generic_result_without_effects_has_no_arm_data():
    res = f.analysis("synthetic-OR-DL-40", with_effects=False)
    table = forest_table(res)
    assert table.attrs["arms"] is None and table.attrs["group_labels"] is None
    assert rows(table, "study")[["e_events", "e_total", "c_events", "c_total"]].isna().all().all()
    assert list(table.columns) == list(COLUMNS)


def test_common_effect_model_shows_no_tau2():
    res = f.bcg_common()
    table = forest_table(res)
    assert "prediction" not in set(table.kind)
    het = rows(table, "heterogeneity")
    assert het.tau2.isna().all() and het.model.item() == "common"
    assert rows(table, "overall_effect").test.item() == "z"
    assert math.isnan(rows(table, "overall_effect").df.item())


def test_random_and_common_models_together():
    res, common = f.bcg(), f.bcg_common()
    table = forest_table(res, common=common)
    pooled = rows(table, "pooled")
    assert list(pooled.label) == ["Total, common effect (95% CI)", "Total, random effects (95% CI)"]
    assert list(pooled.model) == ["common", "random"]
    assert pooled.estimate.tolist() == [math.exp(common.estimate), math.exp(res.estimate)]
    assert math.isnan(pooled.weight.iloc[0]) and pooled.weight.iloc[1] == pytest.approx(100.0)
    tests = rows(table, "overall_effect")
    assert list(tests.label) == [
        "Test for overall effect (common effect)",
        "Test for overall effect (random effects)",
    ]
    assert tests.statistic.tolist() == [common.statistic, res.statistic]
    assert rows(table, "heterogeneity").tau2.item() == res.tau2


def test_prediction_row_can_be_left_out():
    assert "prediction" not in set(forest_table(f.bcg(), prediction=False).kind)


def test_dropped_study_is_listed_without_weight_or_estimate():
    res = f.analysis("bcg3-drop00-REML")
    s = rows(forest_table(res), "study")
    assert s.included.tolist() == [True, True, True, False]
    last = s.iloc[3]
    assert math.isnan(last.weight) and math.isnan(last.estimate) and last.e_events == 0
    # totals count every listed study, as RevMan's
    assert rows(forest_table(res), "pooled").e_total.item() == 123 + 306 + 231 + 50
    assert rows(forest_table(res), "pooled").k.item() == 3


# --- sorting -----------------------------------------------------------------------


def test_sort_by_year_effect_and_weight():
    res = f.bcg()
    years = res.effects.study_info["year"]
    by_year = rows(forest_table(res, sort_by="year"), "study")
    assert list(by_year.label) == [res.labels[i] for i in np.argsort(years, kind="stable")]
    by_effect = rows(forest_table(res, sort_by="effect"), "study")
    assert np.all(np.diff(by_effect.yi) >= 0)
    by_weight = rows(forest_table(res, sort_by="weight"), "study")
    assert np.all(np.diff(by_weight.weight) <= 0)
    # sorting moves whole rows: each label keeps its own numbers
    given = rows(forest_table(res), "study").set_index("label")
    assert by_weight.set_index("label").loc[given.index, "estimate"].equals(given.estimate)


def test_sort_errors():
    with pytest.raises(ValueError, match="sort_by must be one of given, year, effect, weight; got 'size'"):
        forest_table(f.bcg(), sort_by="size")
    with pytest.raises(
        ValueError, match=r"sort_by='year' needs study years .*available study attributes: none"
    ):
        forest_table(f.analysis("normand-MD-REML"), sort_by="year")


# --- subgroups ---------------------------------------------------------------------


def test_subgroup_blocks_subtotals_and_test_for_differences():
    sub = f.subgroups()
    table = forest_table(sub)
    assert table.attrs["source"] == "subgroups"
    headers = rows(table, "subgroup")
    assert list(headers.label) == ["random", "alternate", "systematic"]
    overall_w = dict(zip(sub.overall.labels, sub.overall.weights))
    for g, fit in zip(sub.groups, sub.subgroups):
        block = table[table.group == g]
        studies = rows(block, "study")
        assert list(studies.label) == [lab for lab, h in zip(sub.overall.labels, sub.group_of) if h == g]
        np.testing.assert_array_equal(studies.weight, [overall_w[x] for x in studies.label])
        (pooled,) = rows(block, "pooled").itertuples()
        assert pooled.label == "Subtotal (95% CI)"
        assert (pooled.estimate, pooled.ci_lower, pooled.ci_upper) == (
            math.exp(fit.estimate),
            math.exp(fit.ci_lower),
            math.exp(fit.ci_upper),
        )
        assert pooled.weight == pytest.approx(studies.weight.sum(), rel=CLOSED_FORM)
        (het,) = rows(block, "heterogeneity").itertuples()
        assert (het.tau2, het.chi2, het.df, het.i2) == (fit.tau2, fit.q, fit.q_df, fit.i2)
        assert rows(block, "overall_effect").statistic.item() == fit.statistic
        assert "prediction" not in set(block.kind)
    total = table[table.group.isna()]
    assert list(total.kind) == [
        "pooled",
        "prediction",
        "events",
        "heterogeneity",
        "overall_effect",
        "subgroup_differences",
    ]
    assert_close(rows(total, "pooled").estimate.item(), math.exp(sub.overall.estimate), CLOSED_FORM)
    (diff,) = rows(table, "subgroup_differences").itertuples()
    assert (diff.chi2, diff.df, diff.p_value) == (sub.q_between, 2.0, sub.q_between_p_value)
    subtotal_weights = rows(table[table.group.notna()], "pooled").weight
    assert_close(subtotal_weights.sum(), 100.0, CLOSED_FORM, what="subtotal weights")


def test_subgroup_errors():
    sub = f.subgroups()
    with pytest.raises(TypeError, match="common= is not supported for a SubgroupAnalysis"):
        forest_table(sub, common=f.bcg_common())
    from types import SimpleNamespace

    bad = SimpleNamespace(**{**f.fields(sub), "group_of": sub.group_of[:5]})
    with pytest.raises(ValueError, match="group_of must name a subgroup for each of the 13 studies; got 5"):
        forest_table(bad)
    bad = SimpleNamespace(**{**f.fields(sub), "subgroups": sub.subgroups[:2]})
    with pytest.raises(ValueError, match="3 groups but 2 subgroup fits"):
        forest_table(bad)


# --- batches -----------------------------------------------------------------------


def test_leave_one_out_rows_and_full_analysis():
    l1o = f.leave_one_out()
    table = forest_table(l1o)
    assert table.attrs["source"] == "leave-one-out"
    steps = rows(table, "step")
    assert list(steps.label) == list(l1o.row_labels)
    assert steps.label.iloc[0] == "omitting Aronson 1948"
    # exp of the batch's arrays here and in the table (numpy's SIMD exp, whose last bit may depend
    # on an element's place in the array): equal within CLOSED_FORM, not to the bit
    assert_close(steps.estimate, np.exp(l1o.estimate), CLOSED_FORM)
    assert_close(steps.ci_lower, np.exp(l1o.ci_lower), CLOSED_FORM)
    assert_close(steps.ci_upper, np.exp(l1o.ci_upper), CLOSED_FORM)
    # copied from the batch without arithmetic: the same numbers by construction
    np.testing.assert_array_equal(steps.tau2, l1o.tau2)
    np.testing.assert_array_equal(steps.i2, l1o.i2)
    np.testing.assert_array_equal(steps.k, l1o.k)
    np.testing.assert_array_equal(steps.p_value, l1o.p_value)
    (pooled,) = rows(table, "pooled").itertuples()
    assert pooled.label == "All studies (95% CI)"
    assert_close(pooled.estimate, math.exp(l1o.parent.estimate), CLOSED_FORM)  # np.exp vs math.exp


def test_cumulative_rows():
    cu = f.cumulative()
    table = forest_table(cu)
    assert list(table.kind) == ["step"] * 33
    assert table.label.iloc[0] == "adding Fletcher 1959"
    np.testing.assert_array_equal(table.k, np.arange(1, 34))
    # the last step is the full analysis
    assert_close(np.log(table.estimate.iloc[-1]), cu.parent.estimate, CLOSED_FORM, what="last step")


def test_batch_without_row_labels_is_labelled_from_its_mask():
    from types import SimpleNamespace

    l1o = f.leave_one_out()
    bare = SimpleNamespace(**{**f.fields(l1o), "row_labels": None, "labels": l1o.parent.labels})
    assert list(forest_table(bare).label[:13]) == list(l1o.row_labels)
    cu = f.cumulative()
    bare = SimpleNamespace(**{**f.fields(cu), "row_labels": None, "labels": cu.parent.labels})
    assert list(forest_table(bare).label) == [label.replace("+ ", "adding ") for label in cu.row_labels]
    plain = SimpleNamespace(
        **{**f.fields(cu), "row_labels": None, "labels": cu.parent.labels, "kind": "batch"}
    )
    table = forest_table(plain)
    assert table.label.iloc[0] == "Analysis 1" and table.attrs["source"] == "batch"


def test_batch_errors():
    cu = f.cumulative()
    with pytest.raises(
        ValueError, match="a cumulative batch is drawn in its own order; sort_by must be 'given'"
    ):
        forest_table(cu, sort_by="year")
    with pytest.raises(TypeError, match="common= applies to a single MetaAnalysis"):
        forest_table(cu, common=f.bcg_common())
    from types import SimpleNamespace

    two_d = SimpleNamespace(**{**f.fields(cu), "estimate": np.zeros((2, 33))})
    with pytest.raises(ValueError, match=r"one-dimensional batches .* shape \(2, 33\)"):
        forest_table(two_d)


# --- argument errors ---------------------------------------------------------------


def test_result_type_and_transform_errors():
    with pytest.raises(
        TypeError, match="draw a MetaAnalysis, SubgroupAnalysis or MetaAnalysisBatch; got dict"
    ):
        forest_table({"estimate": 1.0})
    with pytest.raises(
        ValueError, match="transform must be one of None, 'exp', 'tanh', 'expit', 'auto'; got 'log'"
    ):
        forest_table(f.bcg(), transform="log")


def test_common_argument_errors():
    res = f.bcg()
    with pytest.raises(TypeError, match="common must be a MetaAnalysis .* got float"):
        forest_table(res, common=1.0)
    with pytest.raises(ValueError, match="common must be a common-effect fit .* got method='REML'"):
        forest_table(res, common=f.bcg())
    with pytest.raises(ValueError, match="the analysis itself is already common-effect"):
        forest_table(f.bcg_common(), common=f.bcg_common())
    with pytest.raises(ValueError, match="common must be fitted to the same studies"):
        forest_table(f.analysis("bcg3-drop00-REML"), common=f.bcg_common())


def test_mantel_haenszel_fit_is_a_common_effect_total_without_tau2():
    import metaevidence as me

    mh = me.mantel_haenszel(f.bcg().effects)
    table = forest_table(mh)
    (pooled,) = rows(table, "pooled").itertuples()
    assert pooled.model == "common"
    assert_close(pooled.estimate, math.exp(mh.estimate), CLOSED_FORM)
    np.testing.assert_array_equal(rows(table, "study").weight, mh.weights)
    het = rows(table, "heterogeneity")
    assert het.tau2.isna().all() and het.chi2.item() == mh.q
    assert "prediction" not in set(table.kind)


def test_the_typed_forest_table_carries_its_presentation_as_an_object():
    """forest_plot reads a ForestTable (typed facts, the Presentation object itself);
    forest_table() gives the same rows as a DataFrame with the facts as plain attrs."""
    from metaevidence.display.transforms import Presentation
    from metaevidence.plots.table import ForestTable, build_forest_table

    bcg = me.datasets.load_bcg()
    res = me.meta_analysis(me.effect_sizes("RR", ai=bcg.tpos, bi=bcg.tneg, ci=bcg.cpos, di=bcg.cneg))
    typed = build_forest_table(res)
    assert isinstance(typed, ForestTable) and isinstance(typed.presentation, Presentation)
    assert typed.transform == "exp" and typed.source == "analysis" and typed.arms == "binary"
    frame = me.forest_table(res)
    assert frame.attrs == typed.attrs() and frame.attrs["exp"] is True
    assert frame.equals(typed.rows) and frame is not typed.rows
