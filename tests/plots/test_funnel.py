"""funnel_plot: drawn from the result's yi, vi, estimate and level only."""

import dataclasses

import numpy as np
import pytest
from matplotlib.text import Text
from scipy.stats import norm

from metaevidence.plots import funnel_plot
from metaevidence.plots.layout import layout_problems
from tests.plots import factories as f

_cache = {}


def bcg_contours():
    if "bcg" not in _cache:
        _cache["bcg"] = funnel_plot(f.bcg(), contours=True)
    return _cache["bcg"]


def artist(fig, gid):
    found = [a for a in fig.axes[0].get_children() if a.get_gid() == gid]
    return found[0] if found else None


def legend_texts(fig):
    return [t.get_text() for t in fig.legends[0].get_texts()]


def test_points_pooled_line_and_pseudo_limits():
    res = f.bcg()
    fig = bcg_contours()
    ax = fig.axes[0]
    points = artist(fig, "studies").get_offsets()
    np.testing.assert_allclose(points[:, 0], np.exp(res.yi), rtol=1e-12)
    np.testing.assert_allclose(points[:, 1], np.sqrt(res.vi), rtol=1e-12)
    ymax, top = ax.get_ylim()
    assert top == 0.0 and ymax >= np.sqrt(res.vi).max()  # inverted: precise studies on top
    assert list(artist(fig, "pooled-estimate").get_xdata()) == [np.exp(res.estimate)] * 2
    z = norm.ppf(0.975)
    upper = artist(fig, "pseudo-ci-upper")
    np.testing.assert_allclose(upper.get_xdata(), np.exp([res.estimate, res.estimate + z * ymax]), rtol=1e-12)
    np.testing.assert_allclose(upper.get_ydata(), [0.0, ymax])
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.1", "0.2", "0.5", "1", "2", "5"]
    assert ax.get_xlabel() == "Odds ratio (log scale)" and ax.get_ylabel() == "Standard error"


def test_contours_are_significance_regions_around_no_effect():
    fig = bcg_contours()
    ymax = fig.axes[0].get_ylim()[0]
    for level in (0.90, 0.95, 0.99):
        xy = artist(fig, f"contour-{level:g}").get_xy()
        half = norm.ppf(0.5 + level / 2) * ymax
        np.testing.assert_allclose(xy[:3, 0], np.exp([-half, 0.0, half]), rtol=1e-12)
        np.testing.assert_allclose(xy[:3, 1], [ymax, 0.0, ymax])
    assert legend_texts(fig) == [
        "Studies",
        "Pooled estimate",
        "Pseudo 95% CI",
        "p < 0.01",
        "0.01 \u2264 p < 0.05",
        "0.05 \u2264 p < 0.10",
        "p \u2265 0.10",
    ]


def test_a_trim_and_fill_result_draws_its_observed_and_filled_studies():
    import metaevidence as me

    d = me.datasets.load_li2007()
    tf = me.trim_and_fill(me.meta_analysis(me.effect_sizes("OR", ai=d.ai, n1i=d.n1i, ci=d.ci, n2i=d.n2i)))
    assert tf.k0 > 0
    fig = funnel_plot(tf)
    observed = artist(fig, "studies").get_offsets()
    filled = artist(fig, "filled-studies").get_offsets()
    np.testing.assert_allclose(observed[:, 0], np.exp(tf.yi[~tf.fill]), rtol=1e-12)
    np.testing.assert_allclose(filled[:, 0], np.exp(tf.filled_yi), rtol=1e-12)
    np.testing.assert_allclose(filled[:, 1], np.sqrt(tf.filled_vi), rtol=1e-12)
    pooled = [line for line in fig.axes[0].get_lines() if line.get_gid() == "pooled-estimate"]
    assert pooled and np.allclose(pooled[0].get_xdata(), np.exp(tf.result.estimate), rtol=1e-12)
    with pytest.raises(ValueError, match="a trim-and-fill result carries its filled studies"):
        funnel_plot(tf, filled_yi=[0.1], filled_vi=[0.1])


def test_filled_studies_are_open_markers():
    fig = funnel_plot(f.bcg(), filled_yi=[0.2, 0.5], filled_vi=[0.04, 0.09])
    filled = artist(fig, "filled-studies")
    np.testing.assert_allclose(filled.get_offsets(), [[np.exp(0.2), 0.2], [np.exp(0.5), 0.3]], rtol=1e-12)
    assert tuple(filled.get_facecolor()[0][:3]) == (1.0, 1.0, 1.0)
    assert "Filled studies" in legend_texts(fig)
    assert artist(fig, "contour-0.95") is None
    assert layout_problems(fig) == {"overlapping": [], "outside": []}


@pytest.mark.parametrize(
    "make",
    [
        lambda: bcg_contours(),
        lambda: funnel_plot(
            f.analysis("synthetic-OR-DL-150"),
            contours=(0.95,),
            title="150 synthetic trials with a title long enough to need wrapping onto a second line",
        ),
        lambda: funnel_plot(f.analysis("normand-MD-REML"), font_size=10),
        lambda: funnel_plot(f.analysis("bcg3-drop00-REML"), pseudo_ci=False),
    ],
)
def test_layout_is_clean(make):
    assert layout_problems(make()) == {"overlapping": [], "outside": []}


def test_difference_measure_on_a_linear_axis_and_excluded_rows_left_out():
    fig = funnel_plot(f.analysis("normand-MD-REML"))
    assert fig.axes[0].get_xscale() == "linear"
    fig = funnel_plot(f.analysis("bcg3-drop00-REML"))
    assert len(artist(fig, "studies").get_offsets()) == 3


def test_single_study_measure_and_argument_errors():
    res = f.bcg()
    with pytest.raises(
        ValueError, match=r"contours test each study against no effect, which a single-group measure \(PLO\)"
    ):
        funnel_plot(dataclasses.replace(res, measure="PLO"), contours=True)
    with pytest.raises(ValueError, match=r"contours must be 1 to 3 increasing confidence levels in \(0, 1\)"):
        funnel_plot(res, contours=(0.99, 0.95))
    with pytest.raises(
        TypeError, match="contours must be True/False or a sequence of confidence levels; got 3"
    ):
        funnel_plot(res, contours=3)
    with pytest.raises(ValueError, match="filled_yi and filled_vi go together"):
        funnel_plot(res, filled_yi=[0.1])
    with pytest.raises(ValueError, match="same length; got 2 and 1"):
        funnel_plot(res, filled_yi=[0.1, 0.2], filled_vi=[0.1])
    with pytest.raises(TypeError, match="funnel_plot\\(\\) draws a MetaAnalysis; got SimpleNamespace"):
        funnel_plot(f.subgroups())
    with pytest.raises(ValueError, match="width must be a positive number; got 0"):
        funnel_plot(res, width=0)


def test_title_is_printed():
    fig = funnel_plot(f.bcg(), title="BCG trials")
    assert "BCG trials" in [t.get_text() for t in fig.findobj(Text)]


def test_a_correlation_funnel_is_drawn_on_fishers_z_labelled_in_r():
    res = f.molloy()
    fig = funnel_plot(res, contours=True)
    ax = fig.axes[0]
    assert ax.get_xscale() == "function"
    assert ax.get_xlabel() == "Correlation (r; pooled on Fisher's z)"
    np.testing.assert_allclose(artist(fig, "studies").get_offsets()[:, 0], np.tanh(res.yi), rtol=1e-12)
    assert list(artist(fig, "pooled-estimate").get_xdata()) == [np.tanh(res.estimate)] * 2
    ymax = ax.get_ylim()[0]
    half = norm.ppf(0.975) * ymax
    np.testing.assert_allclose(
        artist(fig, "contour-0.95").get_xy()[:3, 0], np.tanh([-half, 0.0, half]), rtol=1e-12
    )
    assert all(-1 < float(t.get_text().replace("\u2212", "-")) < 1 for t in ax.get_xticklabels())
    assert layout_problems(fig) == {"overlapping": [], "outside": []}


def test_a_proportion_funnel_is_drawn_on_logits_labelled_in_proportions():
    res = f.pritz()
    fig = funnel_plot(res)
    ax = fig.axes[0]
    assert ax.get_xscale() == "function"
    assert ax.get_xlabel() == "Proportion (pooled on the logit scale)"
    np.testing.assert_allclose(
        artist(fig, "studies").get_offsets()[:, 0], 1 / (1 + np.exp(-res.yi)), rtol=1e-12
    )
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "0.1",
        "0.25",
        "0.5",
        "0.75",
        "0.9",
        "0.95",
        "0.99",
    ]
    assert layout_problems(fig) == {"overlapping": [], "outside": []}
