"""forest_plot's layouts (RevMan, JAMA, BMJ), extra study columns and the fit to an A4 page,
checked through the texts the figure prints and the sizes it has."""

import dataclasses

import numpy as np
import pytest
from matplotlib.text import Text

import metaevidence as me
from metaevidence.plots import forest_plot, forest_table, style
from metaevidence.plots.forest_layout import A4_TEXT_WIDTH, a4_width
from metaevidence.plots.forest_styles import ForestStyle, forest_style
from metaevidence.plots.layout import ELLIPSIS, layout_problems
from tests.plots import factories as f

_cache = {}

FIGURES = {
    "revman": lambda: forest_plot(f.bcg()),
    "jama": lambda: forest_plot(f.bcg(), layout="JAMA"),
    "bmj": lambda: forest_plot(f.bcg(), layout="BMJ"),
    "columns": lambda: forest_plot(
        f.bcg(), columns=["year", ("Latitude", f.bcg().effects.study_info["ablat"])], max_width=None
    ),
    "columns-a4": lambda: forest_plot(f.bcg(), columns=["year"]),
    "jama-columns": lambda: forest_plot(f.bcg(), layout="jama", columns=["year"]),
    "bmj-subgroups": lambda: forest_plot(f.subgroups(), layout="bmj"),
    "jama-subgroups": lambda: forest_plot(f.subgroups(), layout="jama"),
    "k150": lambda: forest_plot(f.analysis("synthetic-OR-DL-150"), sort_by="year"),
    "subgroups": lambda: forest_plot(f.subgroups()),
    "long-names": lambda: forest_plot(
        f.bcg(),
        effect_label="Adjusted odds ratio of tuberculosis at ten years",
        group_labels=("Bacillus Calmette-Guerin vaccination at birth", "No vaccination or placebo"),
    ),
}


def figure(name):
    if name not in _cache:
        _cache[name] = FIGURES[name]()
    return _cache[name]


def texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def strings(fig):
    return [t.get_text() for t in texts(fig)]


def row_of(fig, text):
    return next(t.get_position()[1] for t in texts(fig) if t.get_text() == text)


@pytest.mark.parametrize("name", list(FIGURES))
def test_no_text_overlaps_and_nothing_outside(name):
    assert layout_problems(figure(name)) == {"overlapping": [], "outside": []}


# ---- JAMA ------------------------------------------------------------------------------
def test_jama_prints_estimate_and_ci_and_no_weights_or_tau2():
    shown = strings(figure("jama"))
    table = forest_table(f.bcg())
    study = table[table.kind == "study"].iloc[0]
    pooled = table[table.kind == "pooled"].iloc[0]
    assert f"{study.ci_lower:.2f}" == "0.12" and f"{study.ci_upper:.2f}" == "1.26"
    for text in (
        "Source",
        "Odds Ratio (95% CI)",
        "0.39",
        "(0.12-1.26)",
        f"{pooled.estimate:.2f}",
        f"({pooled.ci_lower:.2f}-{pooled.ci_upper:.2f})",
        "(0.13-1.79)",  # the prediction interval
        "Heterogeneity: Q = 163.16, df = 12 (P < .001); I\u00b2 = 92%",
        "Test for overall effect: t = 3.99, df = 12 (P = .002)",
        "Favours BCG vaccine" if "Favours BCG vaccine" in shown else "Favours BCG",
    ):
        assert text in shown, text
    for absent in ("Weight", "Events", "Total", "Total events", "Study", "IV, Random, 95% CI"):
        assert absent not in shown, absent
    assert not any("Tau" in s for s in shown) and not any("%" in s and "." in s[:3] for s in shown)


def test_jama_puts_the_favours_labels_in_bold_above_the_graph():
    fig = figure("jama")
    favours = [t for t in texts(fig) if t.get_text().startswith("Favours") or t.get_text() == "control"]
    assert favours
    header_y = row_of(fig, "Source")
    first_row_y = row_of(fig, "Aronson 1948")
    for t in favours:
        assert t.get_position()[1] >= header_y - 1e-9 > first_row_y
        assert t.get_fontproperties().get_file() == style.font_path(bold=True)


def test_jama_p_values_and_intervals():
    jama = forest_style("jama")
    assert [jama.p(p) for p in (0.0004, 0.004, 0.0123, 0.12, 0.996)] == [
        "P < .001",
        "P = .004",
        "P = .01",
        "P = .12",
        "P > .99",
    ]
    assert jama.interval(0.7, 1.42) == "(0.70-1.42)"
    assert jama.interval(-0.2, 1.42) == "(\u22120.20 to 1.42)"  # a hyphen would read as minus
    bmj = forest_style("bmj")
    assert [bmj.p(p) for p in (0.0004, 0.004, 0.04, 0.5)] == [
        "P < 0.001",
        "P = 0.004",
        "P = 0.04",
        "P = 0.50",
    ]
    assert bmj.interval(0.7, 1.42) == "(0.70 to 1.42)"
    assert forest_style("RevMan5").interval(0.7, 1.42) == "[0.70, 1.42]"


# ---- BMJ -------------------------------------------------------------------------------
def test_bmj_prints_events_over_totals_per_group_and_weights():
    shown = strings(figure("bmj"))
    table = forest_table(f.bcg())
    first = table[table.kind == "study"].iloc[0]
    events = table[table.kind == "events"].iloc[0]
    pooled = table[table.kind == "pooled"].iloc[0]
    cells = (
        f"{int(first.e_events)}/{int(first.e_total)}",
        f"{int(first.c_events)}/{int(first.c_total)}",
        f"{int(events.e_events)}/{int(pooled.e_total)}",  # total events over total participants
        f"{int(events.c_events)}/{int(pooled.c_total)}",
    )
    assert cells == ("4/123", "11/139", "1065/191064", "1510/166283")
    for text in (
        *cells,
        "Events/total",
        "BCG vaccine",
        "Weight",
        "5.0%",
        "(0.12 to 1.26)",
        "Odds Ratio (95% CI)",
        "Test for heterogeneity: Tau\u00b2 = 0.34; Chi\u00b2 = 163.16, df = 12 (P < 0.001); I\u00b2 = 92%",
        "Test for overall effect: t = 3.99, df = 12 (P = 0.002)",
    ):
        assert text in shown, text
    assert "Total events" not in shown and "Events" not in shown


def test_bmj_subgroups_put_each_blocks_events_on_its_subtotal():
    shown = strings(figure("bmj-subgroups"))
    table = forest_table(f.subgroups())
    pooled = table[table.kind == "pooled"].reset_index(drop=True)
    events = table[table.kind == "events"].reset_index(drop=True)
    for p, e in zip(pooled.itertuples(), events.itertuples()):
        assert f"{int(e.e_events)}/{int(p.e_total)}" in shown
        assert f"{int(e.c_events)}/{int(p.c_total)}" in shown


# ---- extra study columns ---------------------------------------------------------------
def test_columns_print_study_info_values_on_each_studys_row():
    fig = figure("columns")
    res = f.bcg()
    table = forest_table(res, columns=["year", ("Latitude", res.effects.study_info["ablat"])])
    values = table.attrs["columns"]
    assert list(values) == ["Year", "Latitude"]
    studies = table.index[table.kind == "study"]
    np.testing.assert_array_equal([values["Year"][i] for i in studies], res.effects.study_info["year"])
    assert all(values["Year"][i] is None for i in table.index[table.kind != "study"])
    shown = strings(fig)
    assert "Year" in shown and "Latitude" in shown
    for label, year, lat in zip(res.labels, res.effects.study_info["year"], res.effects.study_info["ablat"]):
        y = row_of(fig, label)
        row = [t.get_text() for t in texts(fig) if abs(t.get_position()[1] - y) < 1e-9]
        assert str(int(year)) in row and str(int(lat)) in row, (label, row)


def test_columns_follow_the_rows_when_sorted_and_in_subgroups():
    res = f.bcg()
    table = forest_table(res, sort_by="effect", columns=["year"])
    rows = table[table.kind == "study"]
    by_label = dict(zip(res.labels, res.effects.study_info["year"]))
    assert [table.attrs["columns"]["Year"][i] for i in rows.index] == [by_label[x] for x in rows.label]
    sub = forest_table(f.subgroups(), columns=["year"])
    rows = sub[sub.kind == "study"]
    assert [sub.attrs["columns"]["Year"][i] for i in rows.index] == [by_label[x] for x in rows.label]


def test_column_errors():
    res = f.bcg()
    with pytest.raises(ValueError, match="'dose' is not a study attribute of this result; available"):
        forest_plot(res, columns=["dose"])
    with pytest.raises(ValueError, match="column 'Dose' has 2 values for 13 studies"):
        forest_plot(res, columns=[("Dose", [1, 2])])
    with pytest.raises(TypeError, match="columns must be a sequence"):
        forest_plot(res, columns="year")
    with pytest.raises(ValueError, match="rows of a leave-one-out batch are analyses, not studies"):
        forest_plot(f.leave_one_out(), columns=["year"])
    with pytest.raises(ValueError, match="layout must be one of revman, jama, bmj"):
        forest_plot(res, layout="lancet")
    with pytest.raises(ValueError, match="max_width must be 'a4', a positive number"):
        forest_plot(res, max_width=0)


def test_text_columns_are_left_aligned_and_missing_values_blank():
    res = f.bcg()
    alloc = [str(a) for a in res.effects.study_info["alloc"]]
    alloc[0] = None
    fig = forest_plot(res, columns=[("Allocation", alloc)])
    header = next(t for t in texts(fig) if t.get_text() == "Allocation")
    assert header.get_horizontalalignment() == "left"
    y = row_of(fig, res.labels[0])
    row = [t.get_text() for t in texts(fig) if abs(t.get_position()[1] - y) < 1e-9]
    assert not any(a in row for a in ("random", "alternate", "systematic"))


# ---- legible on A4 ---------------------------------------------------------------------
def _smallest_font(fig) -> float:
    return min(t.get_fontsize() for t in texts(fig))


@pytest.mark.parametrize(
    "name", ["revman", "jama", "bmj", "jama-columns", "bmj-subgroups", "k150", "subgroups", "long-names"]
)
def test_default_figures_keep_7pt_text_at_a4_text_width(name):
    fig = figure(name)
    width = fig.get_size_inches()[0]
    assert a4_width(8.0) == pytest.approx(16 / 2.54 * 8 / 7)  # 7.199 in
    assert width <= a4_width(8.0) + 1e-6  # a millionth of an inch: the fit stops at the last gap
    scale = min(1.0, A4_TEXT_WIDTH / width)
    assert _smallest_font(fig) == 8.0
    assert _smallest_font(fig) * scale >= 7.0 - 1e-6


def test_the_natural_layouts_are_wider_than_a4_so_the_fit_is_what_keeps_them_legible():
    for make in (lambda **k: forest_plot(f.bcg(), **k), lambda **k: forest_plot(f.subgroups(), **k)):
        natural = make(max_width=None).get_size_inches()[0]
        fitted = make().get_size_inches()[0]
        assert natural > 8.0 > a4_width(8.0) + 1e-6 >= fitted
        assert 8.0 * A4_TEXT_WIDTH / natural < 7.0  # unfitted: under 7 pt on the page


def test_max_width_scales_with_the_font_and_an_explicit_width_is_kept():
    big = forest_plot(f.bcg(), font_size=10)
    assert big.get_size_inches()[0] <= a4_width(10.0) + 1e-9
    wide = forest_plot(f.bcg(), max_width=8.0)
    assert 7.5 < wide.get_size_inches()[0] <= 8.0 + 1e-9
    assert layout_problems(wide) == {"overlapping": [], "outside": []}


def test_what_cannot_fit_stays_whole_and_wider():
    # RevMan's four per-arm columns, the weight and two extra columns: the graph, the labels
    # and the gaps at their minimums still leave it wider than A4 allows; nothing is dropped
    fig = forest_plot(f.bcg(), columns=["year", ("Latitude", f.bcg().effects.study_info["ablat"])])
    natural = figure("columns").get_size_inches()[0]
    assert a4_width(8.0) < fig.get_size_inches()[0] < natural
    shown = strings(fig)
    assert all(s in shown for s in ("Year", "Latitude", "Events", "Weight", "1948", "44"))
    assert layout_problems(fig) == {"overlapping": [], "outside": []}


def test_a_long_label_keeps_its_measure_marker_when_shortened():
    res = f.bcg()
    long = "An Extraordinarily Long Prospective Cohort Study Name et al., 2005 (HR)"
    res = dataclasses.replace(res, labels=(long, *res.labels[1:]))
    for fig in (forest_plot(res), forest_plot(res, max_width=None)):
        cut = [s for s in strings(fig) if s.startswith("An Extra")]
        assert len(cut) == 1 and cut[0].endswith(f"{ELLIPSIS} (HR)") and cut[0] != long


def test_pooled_labels_are_never_shortened_to_fit():
    fig = forest_plot(f.bcg(), common=f.bcg_common())
    shown = strings(fig)
    assert "Total, random effects (95% CI)" in shown and "Total, common effect (95% CI)" in shown


def test_revman_is_the_default_and_unchanged_in_its_texts():
    assert forest_style("revman") == ForestStyle("revman")
    shown = strings(figure("revman"))
    for text in ("Study", "Events", "Total", "Weight", "IV, Random, 95% CI", "[0.12, 1.26]", "Total events"):
        assert text in shown, text


def test_layouts_are_byte_stable():
    from metaevidence.plots import figure_bytes

    for layout in ("jama", "bmj"):
        a = figure_bytes(forest_plot(f.bcg(), layout=layout, columns=["year"]), "svg")
        b = figure_bytes(forest_plot(f.bcg(), layout=layout, columns=["year"]), "svg")
        assert a == b


def test_public_forest_plot_takes_the_new_options():
    fig = me.forest_plot(f.bcg(), layout="bmj", columns=["year"], max_width=None)
    assert "Year" in strings(fig)
