"""Baujat, GOSH and bubble plots: drawn from their results, headless, byte-stable."""

import matplotlib
import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots.output import figure_bytes
from metaevidence.plots.regression import bubble_data
from tests.reference_data import assert_close, load_reference
from tests.tolerances import ITERATIVE

REG = load_reference("regression")["cases"]
INF = load_reference("influence")["cases"]


def _bcg_ablat(test="z"):
    c = REG[f"predict-bcg-ablat-REML-{test}"]
    return me.meta_regression(
        c["yi"], c["vi"], "~ ablat", data={"ablat": c["ablat"]}, test=test, measure="RR"
    )


def _artist(fig, gid):
    found = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def _no_global_state(draw):
    from matplotlib import _pylab_helpers

    before = dict(matplotlib.rcParams)
    managers = _pylab_helpers.Gcf.get_num_fig_managers()
    fig = draw()
    assert dict(matplotlib.rcParams) == before
    assert _pylab_helpers.Gcf.get_num_fig_managers() == managers
    return fig


def test_baujat_plot_draws_the_influence_coordinates():
    c = INF["bcg-REML-z"]
    fit = me.meta_regression(c["yi"], c["vi"])
    inf = me.influence(fit)
    fig = _no_global_state(lambda: me.baujat_plot(inf, title="BCG"))
    offsets = _artist(fig, "studies").get_offsets()
    assert_close(offsets[:, 0], c["baujat_x"], ITERATIVE)
    assert_close(offsets[:, 1], c["baujat_y"], ITERATIVE)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [str(i) for i in range(1, 14)]
    assert figure_bytes(fig, "png") == figure_bytes(me.baujat_plot(inf, title="BCG"), "png")
    assert figure_bytes(me.baujat_plot(fit, symbol="points"), "svg")


def test_gosh_plot_draws_every_subset():
    c = INF["bcg-DL-z"]
    g = me.gosh(me.meta_regression(c["yi"][:9], c["vi"][:9], method="DL"))
    fig = _no_global_state(lambda: me.gosh_plot(g, transform="exp"))
    offsets = _artist(fig, "subsets").get_offsets()
    np.testing.assert_allclose(offsets[:, 0], np.exp(g.estimate), rtol=1e-15)
    np.testing.assert_allclose(offsets[:, 1], g.i2, rtol=1e-15)
    assert len(fig.axes) == 3  # scatter + two marginal histograms
    assert figure_bytes(fig, "svg") == figure_bytes(me.gosh_plot(g, transform="exp"), "svg")


def test_bubble_data_is_the_fitted_model():
    fit = _bcg_ablat()
    d = bubble_data(fit)
    assert d.moderator == "ablat" and d.held == {"intrcpt": 1.0}
    np.testing.assert_allclose(d.fit, fit.coefficients[0] + fit.coefficients[1] * d.grid, rtol=1e-13)
    assert d.grid[0] == min(fit.X[:, 1]) and d.grid[-1] == max(fit.X[:, 1])
    w = 1 / (fit.vi + fit.tau2)
    np.testing.assert_allclose(d.weight, 100 * w / w.sum(), rtol=1e-13)


def test_bubble_plot_renders():
    fit = _bcg_ablat("knha")
    fig = _no_global_state(lambda: me.bubble_plot(fit, transform="exp", labels=True))
    offsets = _artist(fig, "studies").get_offsets()
    assert sorted(offsets[:, 0]) == sorted(fit.X[:, 1])
    line = _artist(fig, "regression-line")
    d = bubble_data(fit)
    np.testing.assert_allclose(line.get_ydata(), np.exp(d.fit), rtol=1e-13)
    assert figure_bytes(fig, "png") == figure_bytes(me.bubble_plot(fit, transform="exp", labels=True), "png")


def test_bubble_plot_keeps_the_largest_bubble_inside_the_axes():
    # BCG ~ ablat: the heaviest trials sit at the extremes of latitude (13 degrees); with a
    # 5% margin their bubbles were cut by the axis
    fit = _bcg_ablat()
    fig = me.bubble_plot(fit)
    ax = fig.axes[0]
    studies = _artist(fig, "studies")
    fig.canvas.draw()
    radius_px = np.sqrt(studies.get_sizes().max()) / 2 * fig.dpi / 72
    centres = ax.transData.transform(studies.get_offsets())
    x0, y0, x1, y1 = ax.get_window_extent().extents
    assert np.all(centres[:, 0] - radius_px >= x0) and np.all(centres[:, 0] + radius_px <= x1)
    assert np.all(centres[:, 1] - radius_px >= y0) and np.all(centres[:, 1] + radius_px <= y1)


def test_bubble_plot_chooses_among_several_moderators():
    c = REG["bcg-ablat+year-REML-z"]
    fit = me.meta_regression(c["yi"], c["vi"], "~ ablat + year", data=c["moderators"])
    with pytest.raises(ValueError, match="2 moderator columns \\(ablat, year\\); choose one"):
        bubble_data(fit)
    d = bubble_data(fit, "year")
    assert d.held["ablat"] == pytest.approx(np.mean(c["moderators"]["ablat"]))


def test_plot_errors():
    fit = _bcg_ablat()
    with pytest.raises(ValueError, match="moderator 'lat' is not a coefficient"):
        me.bubble_plot(fit, "lat")
    with pytest.raises(TypeError, match="bubble_plot draws a MetaRegression; got int"):
        me.bubble_plot(3)
    with pytest.raises(ValueError, match="symbol must be 'ids', 'labels', 'notable' or 'points'"):
        me.baujat_plot(fit, symbol="x")
    with pytest.raises(ValueError, match="x must be one of estimate, i2, h2, tau2, qe"):
        me.gosh_plot(me.gosh(me.meta_regression([0.1, 0.2, 0.4], [0.1, 0.1, 0.2])), x="k")
    with pytest.raises(ValueError, match="width must be a positive number"):
        me.baujat_plot(fit, width=0)
    c = REG["bcg-alloc-REML-z"]
    cat = me.meta_regression(c["yi"], c["vi"], "~ factor(alloc)", data=c["moderators"])
    with pytest.raises(ValueError, match="choose one with moderator="):
        me.bubble_plot(cat)
    with pytest.raises(ValueError, match="takes 2 distinct values"):
        me.bubble_plot(cat, "factor(alloc)random")


def test_baujat_labels_mode_marks_influential_studies():
    c = INF["raudenbush1985-weeks-REML-z"]
    X = np.array(c["X"])
    fit = me.meta_regression(c["yi"], c["vi"], X[:, 1], labels=[f"s{i}" for i in range(19)])
    fig = me.baujat_plot(fit, symbol="labels")
    texts = {t.get_text(): t.get_color() for t in fig.axes[0].texts}
    assert set(texts) == {f"s{i}" for i in range(19)}
    flagged = {f"s{i}" for i, f in enumerate(c["is_infl"]) if f}
    assert flagged and all(texts[s] != texts[t] for s in flagged for t in set(texts) - flagged)


def _molloy():
    from tests.plots.factories import molloy

    return molloy()


def test_gosh_of_correlations_shows_r_on_a_fishers_z_axis():
    from metaevidence.plots.layout import layout_problems
    from metaevidence.plots.scales import data_scale

    g = me.gosh(_molloy(), max_subsets=300, seed=1)
    fig = me.gosh_plot(g)  # "auto": ZCOR's own tanh
    ax = fig.axes[0]
    np.testing.assert_allclose(_artist(fig, "subsets").get_offsets()[:, 0], np.tanh(g.estimate), rtol=1e-15)
    assert ax.get_xscale() == "function" and ax.get_xlabel() == "Pooled correlation (Fisher's z scale)"
    # histogram bins evenly spaced on the analysis scale
    edges = [p.get_x() for p in fig.axes[1].patches]
    steps = np.diff(np.arctanh(edges))
    np.testing.assert_allclose(steps, steps[0], rtol=1e-9)
    s = data_scale(np.tanh(g.estimate), log=False, link="atanh")
    assert ax.get_xlim() == pytest.approx((s.lower, s.upper))
    # the long label and the subsets note do not collide
    assert layout_problems(fig) == {"overlapping": [], "outside": []}
    assert me.gosh_plot(g, transform=None).axes[0].get_xscale() == "linear"  # Fisher's z itself


def test_bubble_plot_of_correlations_shows_r():
    res = _molloy()
    ages = me.datasets.load_molloy2014().meanage.to_numpy()
    fit = me.meta_regression(res.effects, "~ meanage", data={"meanage": ages})
    fig = me.bubble_plot(fit)
    ax = fig.axes[0]
    assert ax.get_yscale() == "function" and ax.get_ylabel() == "Correlation (r; pooled on Fisher's z)"
    np.testing.assert_allclose(
        _artist(fig, "regression-line").get_ydata(), np.tanh(bubble_data(fit).fit), rtol=1e-13
    )
