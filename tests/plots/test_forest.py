"""forest_plot: rendered headless; layout checked through the rendered text boxes,
drawing checked against forest_table."""

import math
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.text import Text

import metaevidence as me
from metaevidence.plots import forest_plot, forest_table
from metaevidence.plots.layout import ELLIPSIS, TextMeasurer, layout_problems
from tests.plots import factories as f

FIGURES = {
    "k3": lambda: forest_plot(f.analysis("bcg3-drop00-REML")),
    # natural width (no fitting to an A4 page): every text whole, as the tests below read them
    "k13": lambda: forest_plot(f.bcg(), max_width=None),
    "k13-a4": lambda: forest_plot(f.bcg()),
    "k40-generic": lambda: forest_plot(f.analysis("synthetic-OR-DL-40", with_effects=False)),
    "k150": lambda: forest_plot(f.analysis("synthetic-OR-DL-150"), sort_by="year"),
    "subgroups": lambda: forest_plot(f.subgroups()),
    "cumulative": lambda: forest_plot(f.cumulative()),
    "leave-one-out": lambda: forest_plot(f.leave_one_out()),
    "common+random": lambda: forest_plot(
        f.bcg(),
        common=f.bcg_common(),
        sort_by="weight",
        title="BCG vaccine for preventing tuberculosis: 13 trials, random and common effect",
    ),
    "continuous": lambda: forest_plot(f.analysis("normand-MD-REML"), font_size=10),
    # awkward sizes: a narrow graph (tick labels thinned, favours wrapped), long names
    "mantel-haenszel": lambda: forest_plot(me.mantel_haenszel(f.bcg().effects)),
    "narrow": lambda: forest_plot(f.subgroups(), plot_width=0.8, font_size=6),
    "published": lambda: forest_plot(
        f.published(),
        published=True,
        beneficial=True,
        group_labels=("Stronger relationships", "Weaker relationships"),
    ),
    "notes": lambda: forest_plot(
        f.bcg(), notes=("Partial extraction: 13 of the trials. " * 6, "A second note.")
    ),
    # back-transformed on their analysis-scale axes: r on Fisher's z, proportions on logits
    "correlation": lambda: forest_plot(f.molloy()),
    "correlation-leave-one-out": lambda: forest_plot(me.leave_one_out(f.molloy())),
    "proportion": lambda: forest_plot(f.pritz()),
    "proportion-refline": lambda: forest_plot(f.pritz(), refline=0.5, xlim=(0.2, 0.99), max_width=None),
    "long-names": lambda: forest_plot(
        f.bcg(),
        effect_label="Adjusted odds ratio of tuberculosis at ten years",
        group_labels=("Bacillus Calmette-Guerin vaccination at birth", "No vaccination or placebo"),
    ),
}
_cache = {}


def figure(name):
    if name not in _cache:
        _cache[name] = FIGURES[name]()
    return _cache[name]


def texts(fig):
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def strings(fig):
    return [t.get_text() for t in texts(fig)]


def artist(fig, gid):
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    return found[0] if found else None


@pytest.mark.parametrize("name", list(FIGURES))
def test_no_text_overlaps_and_nothing_outside_the_figure(name):
    assert layout_problems(figure(name)) == {"overlapping": [], "outside": []}


def test_mantel_haenszel_labels():
    shown = strings(figure("mantel-haenszel"))
    assert "M-H, Fixed, 95% CI" in shown
    assert any(s.startswith("Heterogeneity: Chi\u00b2 = ") for s in shown)
    assert any(s.startswith("Test for overall effect: Z = ") for s in shown)
    assert any("common effect, Mantel-Haenszel" in s for s in shown)


def test_narrow_graph_keeps_no_effect_and_end_ticks():
    labels = [t.get_text() for t in figure("narrow").axes[0].get_xticklabels()]
    # the BCG intervals ending at 0.068-0.077 (within 20% of the 0.1 end tick) widen the scale
    assert "1" in labels and labels[0] == "0.01" and labels[-1] == "100" and len(labels) < 7


def test_bcg_prints_every_number_of_its_table():
    fig = figure("k13")
    shown = set(strings(fig))
    for text in [
        "BCG vaccine",
        "Control",
        "Study",
        "Events",
        "Total",
        "Weight",
        "Odds Ratio",
        "IV, Random, 95% CI",
        "Aronson 1948",
        "0.39",
        "[0.12, 1.26]",
        "5.0%",
        "13598",
        "12867",
        "Total (95% CI)",
        "191064",
        "166283",
        "100.0%",
        "0.47",
        "[0.32, 0.71]",
        "Prediction interval",
        "[0.13, 1.79]",
        "Total events",
        "1065",
        "1510",
        "Heterogeneity: Tau\u00b2 = 0.34; Chi\u00b2 = 163.16, df = 12 (P < 0.00001); I\u00b2 = 92%",
        "Test for overall effect: t = 3.99, df = 12 (P = 0.002)",
        "Favours BCG vaccine",
        "Favours control",
        "0.01",  # the axis: 0.01 to 100, widened for intervals ending just past 0.1
        "0.1",
        "1",
        "10",
        "100",
    ]:
        assert text in shown, text
    axis = [s for s in shown if s.startswith("Odds ratio (log scale)")]
    assert axis and (
        "random effects, REML, Hartung-Knapp" in shown
        or axis[0].endswith("random effects, REML, Hartung-Knapp")
    )


def test_rows_are_aligned_and_evenly_spaced():
    fig = figure("k13")
    table = forest_table(f.bcg())
    by_text = {}
    for t in texts(fig):
        by_text.setdefault(t.get_text(), []).append(t)
    labels = [by_text[label][0] for label in table.label[table.kind == "study"]]
    ys = np.array([t.get_position()[1] for t in labels])
    steps = np.diff(ys)
    assert np.all(steps < 0) and np.allclose(steps, steps[0])
    # each study's estimate sits on its label's row, right-aligned with the others
    estimates = [t for t in by_text["0.39"] if t.get_position()[1] == ys[0]]
    assert estimates and estimates[0].get_horizontalalignment() == "right"
    assert len({t.get_position()[0] for t in labels}) == 1


def test_squares_have_area_proportional_to_weight():
    fig = figure("k13")
    squares = artist(fig, "study-squares")
    weights = f.bcg().weights
    ratio = squares.get_sizes() / weights
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    np.testing.assert_allclose(squares.get_offsets()[:, 0], np.exp(f.bcg().yi), rtol=1e-12)


def test_intervals_beyond_the_axis_end_in_arrows():
    fig = figure("k13")
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    table = forest_table(f.bcg())
    studies = table[table.kind == "study"]
    # BCG: the estimates fit 0.1 to 10, and three intervals end at 0.068-0.077, just past
    # 0.1: the scale widens to 0.01-100 so they are drawn whole, with no arrows
    assert (lo, hi) == (0.01, 100.0)
    assert ((studies.ci_lower < 0.1) & (studies.ci_lower >= 0.068)).sum() == 3
    assert artist(fig, "ci-arrows-left") is None and artist(fig, "ci-arrows-right") is None
    assert not (studies.ci_lower < lo).any() and not (studies.ci_upper > hi).any()
    # k = 40 has truly extreme intervals: they keep their arrows, at the axis end
    fig40 = figure("k40-generic")
    t40 = forest_table(f.analysis("synthetic-OR-DL-40", with_effects=False))
    lo40, hi40 = fig40.axes[0].get_xlim()
    s40 = t40[t40.kind == "study"]
    left = artist(fig40, "ci-arrows-left")
    assert len(left.get_offsets()) == int((s40.ci_lower < lo40).sum()) > 0
    assert np.all(left.get_offsets()[:, 0] == lo40)
    right = artist(fig40, "ci-arrows-right")
    assert (0 if right is None else len(right.get_offsets())) == int((s40.ci_upper > hi40).sum())


def test_arrows_are_drawn_over_a_square_at_the_axis_end():
    # a study whose estimate sits at the end of the axis and whose interval runs past it
    # (molloy2014: O'Cleirigh 0.39 [0.18, 0.60] on a -0.4 to 0.4 Fisher's z axis): its
    # square was drawn over the arrow, so the interval seemed to end at the estimate
    fig = figure("k40-generic")
    squares = artist(fig, "study-squares")
    for gid in ("ci-arrows-left", "ci-arrows-right", "prediction-arrows-left"):
        arrows = artist(fig, gid)
        if arrows is not None:
            assert arrows.get_zorder() > squares.get_zorder(), gid
    assert artist(fig, "ci-arrows-left").get_zorder() > squares.get_zorder()


def test_diamond_spans_the_pooled_interval_and_no_effect_line_is_at_one():
    fig = figure("k13")
    res = f.bcg()
    table = forest_table(res)
    i = int(np.flatnonzero(table.kind == "pooled")[0])
    diamond = artist(fig, f"pooled-{i}").get_xy()[:4, 0]
    np.testing.assert_allclose(
        diamond, np.exp([res.ci_lower, res.estimate, res.ci_upper, res.estimate]), rtol=1e-12
    )
    assert list(artist(fig, "no-effect").get_xdata()) == [1.0, 1.0]
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.01", "0.1", "1", "10", "100"]
    pi = artist(fig, "prediction-lines").get_segments()[0]
    np.testing.assert_allclose(pi[:, 0], np.exp([res.pi_lower, res.pi_upper]), rtol=1e-12)


def test_common_diamond_is_open_next_to_the_random_one():
    fig = figure("common+random")
    table = forest_table(f.bcg(), common=f.bcg_common(), sort_by="weight")
    common_row, random_row = np.flatnonzero(table.kind == "pooled")
    common, random = artist(fig, f"pooled-{common_row}"), artist(fig, f"pooled-{random_row}")
    assert common.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert random.get_facecolor()[:3] == (0.0, 0.0, 0.0)
    shown = strings(fig)
    assert "Test for overall effect (common effect): Z = 10.32 (P < 0.00001)" in shown
    assert "Total, random effects (95% CI)" in shown
    assert any(s.startswith("BCG vaccine for preventing") for s in shown)


def test_subgroup_figure_has_headers_subtotals_and_the_test_for_differences():
    shown = strings(figure("subgroups"))
    assert "Study or Subgroup" in shown
    for header in ("random", "alternate", "systematic"):
        assert header in shown
    assert shown.count("Subtotal (95% CI)") == 3
    assert "Test for subgroup differences: Chi\u00b2 = 1.64, df = 2 (P = 0.44)" in shown
    assert "Heterogeneity: Tau\u00b2 = 0.24; Chi\u00b2 = 8.83, df = 1 (P = 0.003); I\u00b2 = 89%" in shown
    assert "Test for overall effect: Z = 3.52 (P = 0.0004)" in shown


def test_batch_figures():
    shown = strings(figure("cumulative"))
    assert "Study added" in shown and "adding Fletcher 1959" in shown and "adding Wisenberg 1988" in shown
    assert "Favours streptokinase" in shown
    # p-values of the cumulative fits (metafor: 0.1313, 0.0956, ..., 6.6e-05, 1.6e-14)
    assert {"P", "0.13", "0.10", "< 0.0001", "< 0.00001", "Tau\u00b2", "I\u00b2", "Studies"} <= set(shown)
    dots = artist(figure("cumulative"), "step-estimates").get_offsets()
    # every estimate inside the axis gets a dot, at its own value
    lo, hi = figure("cumulative").axes[0].get_xlim()
    est = np.exp(f.cumulative().estimate)
    assert len(dots) == int(((est >= lo) & (est <= hi)).sum()) == 33
    np.testing.assert_allclose(dots[:, 0], est, rtol=1e-12)


def test_leave_one_out_figure():
    fig = figure("leave-one-out")
    shown = strings(fig)
    assert "Study omitted" in shown and "omitting Aronson 1948" in shown and "All studies (95% CI)" in shown
    line = artist(fig, "full-analysis")
    assert line.get_xdata()[0] == pytest.approx(math.exp(f.bcg().estimate), rel=1e-12)


def test_continuous_and_generic_columns():
    shown = strings(figure("continuous"))
    for text in ("Mean", "SD", "Total", "Mean Difference", "\u221220.00", "[\u221232.47, \u22127.53]"):
        assert text in shown, text
    assert figure("continuous").axes[0].get_xscale() == "linear"
    generic = strings(figure("k40-generic"))
    assert "log[Odds Ratio]" in generic and "SE" in generic and "Experimental" not in generic
    assert "Favours experimental" in generic


def test_not_estimable_study():
    shown = strings(figure("k3"))
    assert "Not estimable" in shown and "Zero & Zero 1990" in shown


def test_long_labels_are_truncated_with_an_ellipsis():
    fig = figure("k150")
    cut = [s for s in strings(fig) if s.startswith("The Extraordinarily")]
    assert len(cut) == 1 and cut[0].endswith(ELLIPSIS)
    from metaevidence.plots import style

    assert TextMeasurer().width(cut[0], style.font()) <= 2.6


def test_favours_labels_follow_the_outcome_direction():
    def favours(fig):
        return [t for t in texts(fig) if t.get_text().startswith("Favours")]

    harmful = favours(figure("k13"))
    left = min(harmful, key=lambda t: t.get_position()[0])
    assert left.get_text() == "Favours BCG vaccine"
    good = favours(forest_plot(f.bcg(), beneficial=True))
    assert min(good, key=lambda t: t.get_position()[0]).get_text() == "Favours control"
    custom = favours(forest_plot(f.bcg(), favours=("Fewer cases", "More cases")))
    assert custom == [] and {"Fewer cases", "More cases"} <= set(
        strings(forest_plot(f.bcg(), favours=("Fewer cases", "More cases")))
    )
    import dataclasses

    res = f.bcg()
    gen = dataclasses.replace(res, measure="GEN", effects=None)
    assert favours(forest_plot(gen)) == []  # a generic effect has no known groups
    for measure in ("COR", "ZCOR"):  # nor has a correlation: no "Favours experimental"
        corr = dataclasses.replace(res, measure=measure, effects=None)
        assert favours(forest_plot(corr)) == [], measure
        assert artist(forest_plot(corr), "no-effect") is not None  # r = 0 is still drawn
    assert {t.get_text() for t in favours(forest_plot(gen, group_labels=("Drug", "Placebo")))} == {
        "Favours drug",
        "Favours placebo",
    }


def test_argument_errors():
    res = f.bcg()
    with pytest.raises(ValueError, match="data_columns must be one of auto, arms, generic, none; got 'all'"):
        forest_plot(res, data_columns="all")
    with pytest.raises(
        ValueError, match=r"group_labels must be a pair of strings \(experimental, control\); got 'BCG'"
    ):
        forest_plot(res, group_labels="BCG")
    with pytest.raises(ValueError, match="plot_width must be a positive number; got -1"):
        forest_plot(res, plot_width=-1)
    with pytest.raises(ValueError, match="data_columns='arms' needs per-arm data"):
        forest_plot(f.analysis("synthetic-OR-DL-40", with_effects=False), data_columns="arms")


def test_data_columns_none_and_explicit_limits():
    fig = forest_plot(f.bcg(), data_columns="none", xlim=(0.05, 20))
    shown = strings(fig)
    assert "Events" not in shown and "Weight" in shown
    assert fig.axes[0].get_xlim() == (0.05, 20.0)
    assert layout_problems(fig) == {"overlapping": [], "outside": []}


def test_plotting_leaves_no_global_state():
    code = (
        "import sys, matplotlib\n"
        "rc = dict(dict.items(matplotlib.rcParams))  # raw: reading 'backend' would import pyplot\n"
        "sys.path.insert(0, '.')\n"
        "import metaevidence.plots\n"
        "from tests.plots import factories as f\n"
        "fig = metaevidence.plots.forest_plot(f.bcg())\n"
        "metaevidence.plots.figure_bytes(fig, 'svg')\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert dict(dict.items(matplotlib.rcParams)) == rc, 'rcParams changed'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_importing_plots_does_not_import_matplotlib():
    code = "import sys, metaevidence.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_published_results_are_shown_side_by_side_and_never_pooled():
    from metaevidence.plots.forest import PUBLISHED_NOTE

    fig = figure("published")
    shown = strings(fig)
    # the published columns: k and the effect with its CI, as published
    assert {"Published result", "Studies", "Published, 95% CI", "Odds ratio (log scale)"} <= set(shown)
    for label, k, est, lo, hi in f.PUBLISHED_ROWS:
        assert label in shown and f"{est:.2f}" in shown and f"[{lo:.2f}, {hi:.2f}]" in shown
        assert (str(k) in shown) == (k > 0)  # an unreported k is left blank, not printed as 0
    # nothing of a model of ours: no heterogeneity, tests, weights, diamond or "Random"
    assert not {"Tau\u00b2", "I\u00b2", "P", "Weight"} & set(shown)
    assert not any("Random" in s or "REML" in s or "Total" in s or "\u2014" in s for s in shown)
    assert not [p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("pooled")]
    assert " ".join(shown[-2:]) == PUBLISHED_NOTE or PUBLISHED_NOTE in shown
    # every published interval lies inside the axis (they are the content: no arrows)
    lo, hi = fig.axes[0].get_xlim()
    assert lo <= min(r[3] for r in f.PUBLISHED_ROWS) and max(r[4] for r in f.PUBLISHED_ROWS) <= hi
    assert artist(fig, "ci-arrows-left") is None and artist(fig, "ci-arrows-right") is None
    table = forest_table(f.published(), published=True)
    assert table.attrs["source"] == "published" and set(table.kind) == {"step"}
    assert set(table.model) == {"published"} and np.isnan(table.k.iloc[-1])


def test_published_mode_needs_a_batch_of_published_results():
    with pytest.raises(
        ValueError, match="published=True draws a batch of published results .* got a MetaAnalysis"
    ):
        forest_plot(f.bcg(), published=True)
    with pytest.raises(ValueError, match="got a cumulative batch"):
        forest_table(f.cumulative(), published=True)


def test_notes_are_printed_under_the_figure_wrapped_to_its_width():
    fig = figure("notes")
    boxes = {t.get_text(): t for t in texts(fig)}
    lines = [
        s for s in boxes if s.startswith("Partial extraction") or s.startswith("13 of") or "trials." in s
    ]
    assert len(lines) > 1  # the long note is wrapped
    assert "A second note." in boxes
    # below every other text of the figure
    renderer = fig.canvas.get_renderer()
    bottom_of_rest = min(
        t.get_window_extent(renderer).y0 for s, t in boxes.items() if s not in lines and s != "A second note."
    )
    assert all(boxes[s].get_window_extent(renderer).y1 <= bottom_of_rest for s in lines)
    with pytest.raises(TypeError, match="notes must be a string or a sequence of strings; got"):
        forest_plot(f.bcg(), notes=[1, 2])


def _x_fraction(ax, values):
    """Where values sit along the axes, 0 at the left end and 1 at the right."""
    x = ax.transData.transform(np.column_stack([values, np.zeros(len(values))]))[:, 0]
    left, right = ax.transAxes.transform([(0, 0), (1, 0)])[:, 0]
    return (x - left) / (right - left)


def test_correlations_are_drawn_on_fishers_z_with_ticks_in_r():
    res = f.molloy()
    fig = figure("correlation")
    ax = fig.axes[0]
    assert ax.get_xscale() == "function" and ax.get_xlim() == (-0.5, 0.5)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["\u22120.5", "\u22120.25", "0", "0.25", "0.5"]
    # placed linearly on the analysis scale (Fisher's z), labelled in r
    z = np.arctanh([-0.5, -0.25, 0.0, 0.25, 0.5])
    np.testing.assert_allclose(_x_fraction(ax, np.tanh(z)), (z - z[0]) / (z[-1] - z[0]), atol=1e-9)
    squares = artist(fig, "study-squares").get_offsets()[:, 0]
    np.testing.assert_allclose(squares, np.tanh(res.yi), rtol=1e-12)
    assert list(artist(fig, "no-effect").get_xdata()) == [0.0, 0.0]  # r = 0
    shown = strings(fig)
    assert "Correlation" in shown and "Fisher's z" in shown  # header; generic column (analysis scale)
    assert any(s.startswith("Correlation (r; pooled on Fisher's z)") for s in shown)
    table = forest_table(res)
    pooled = table[table.kind == "pooled"].iloc[0]
    assert f"[{pooled.ci_lower:.2f}, {pooled.ci_upper:.2f}]" in shown
    assert not any(s.startswith("Favours") for s in shown)  # a correlation compares no groups


def test_correlation_leave_one_out_marks_the_full_analysis_in_r():
    fig = figure("correlation-leave-one-out")
    line = artist(fig, "full-analysis")
    assert line.get_xdata()[0] == pytest.approx(math.tanh(f.molloy().estimate), rel=1e-12)
    assert fig.axes[0].get_xscale() == "function"


def test_proportions_have_no_reference_line_unless_asked():
    res = f.pritz()
    fig = figure("proportion")
    ax = fig.axes[0]
    assert ax.get_xscale() == "function" and artist(fig, "no-effect") is None
    lo, hi = ax.get_xlim()
    assert 0 < lo < hi < 1
    ticks = [float(t.get_text()) for t in ax.get_xticklabels()]
    assert ticks and set(ticks) <= {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95}
    p = 1 / (1 + np.exp(-res.yi))
    squares = artist(fig, "study-squares").get_offsets()[:, 0]
    np.testing.assert_allclose(squares, p[(p >= lo) & (p <= hi)], rtol=1e-12)
    shown = strings(fig)
    assert any(s.startswith("Proportion (pooled on the logit scale)") for s in shown)
    assert not any(s.startswith("Favours") for s in shown)
    asked = figure("proportion-refline")
    assert list(artist(asked, "no-effect").get_xdata()) == [0.5, 0.5]
    assert asked.axes[0].get_xlim() == (0.2, 0.99)
    assert [t.get_text() for t in asked.axes[0].get_xticklabels()] == [
        "0.25",
        "0.5",
        "0.75",
        "0.9",
        "0.95",
        "0.99",
    ]
    assert not any(s.startswith("Favours") for s in strings(asked))  # still no groups


def test_refline_moves_or_removes_the_reference_line():
    assert artist(forest_plot(f.bcg(), refline=None), "no-effect") is None
    assert list(artist(forest_plot(f.bcg(), refline=2.0), "no-effect").get_xdata()) == [2.0, 2.0]
    with pytest.raises(ValueError, match=r"refline must be 'auto', a finite number or None; got 'one'"):
        forest_plot(f.bcg(), refline="one")
    with pytest.raises(ValueError, match=r"refline must be a positive number on this axis \(exp\); got 0"):
        forest_plot(f.bcg(), refline=0)
    with pytest.raises(
        ValueError,
        match=r"refline must be a proportion between 0 and 1 on this axis "
        r"\(expit\); got 1.5",
    ):
        forest_plot(f.pritz(), refline=1.5)
    with pytest.raises(
        ValueError,
        match=r"xlim must be \(lower, upper\) with lower < upper, both "
        r"between -1 and 1 on this axis; got \(-1, 0.5\)",
    ):
        forest_plot(f.molloy(), xlim=(-1, 0.5))


def test_transform_none_and_explicit_transforms_of_a_correlation():
    on_z = forest_plot(f.molloy(), transform=None)
    assert on_z.axes[0].get_xscale() == "linear"
    assert any(s.startswith("Fisher's z") for s in strings(on_z))
    # a generic effect shown through tanh: named as such, on its atanh axis
    import dataclasses

    gen = dataclasses.replace(f.molloy(), measure="GEN", effects=None)
    fig = forest_plot(gen, transform="tanh")
    assert fig.axes[0].get_xscale() == "function"
    assert any(s.startswith("tanh[Effect] (atanh scale)") for s in strings(fig))
    assert layout_problems(fig) == {"overlapping": [], "outside": []}
