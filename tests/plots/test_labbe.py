"""L'Abbe plot: arm outcomes and point sizes against metafor's labbe()."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots.output import figure_bytes
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE

CASES = {k: c for k, c in load_reference("diagnostic_plots")["cases"].items() if c["kind"] == "labbe"}


def _fit(c):
    es = me.effect_sizes(c["measure"], **{k: np.asarray(v, float) for k, v in c["data"].items()})
    return me.meta_analysis(es, method=c["method"])


def test_the_grid_of_cases_is_complete():
    measures = {c["measure"] for c in CASES.values()}
    assert measures == {"OR", "RR", "RD", "AS", "IRR", "IRD"}
    assert "labbe-zero-OR-EE" in CASES


@pytest.mark.parametrize("case", sorted(CASES))
def test_labbe_data_matches_metafor(case):
    c = CASES[case]
    d = me.labbe_data(_fit(c))
    assert_close(d.x, c["x"], CLOSED_FORM, what="control arm")
    assert_close(d.y, c["y"], CLOSED_FORM, what="experimental arm")
    assert_close(d.size, c["cex"], CLOSED_FORM, what="cex")
    assert_close(d.estimate, c["estimate"], ITERATIVE, what="estimate")


def test_zero_cells_are_corrected_arm_by_arm():
    c = CASES["labbe-zero-OR-EE"]
    d = me.labbe_data(_fit(c))
    # trial 4: 0/40 experimental (corrected), 5/40 control (as observed)
    assert d.y[3] == pytest.approx(np.log(0.5 / 40.5), rel=1e-14)
    assert d.x[3] == pytest.approx(np.log(5 / 35), rel=1e-14)


def test_labbe_plot_draws_the_data_and_the_estimate_line():
    c = CASES["labbe-bcg-OR-REML"]
    fit = _fit(c)
    fig = me.labbe_plot(fit, ci=True, title="BCG")
    ax = fig.axes[0]
    (studies,) = [a for a in ax.collections if a.get_gid() == "studies"]
    got = studies.get_offsets()
    assert sorted(map(tuple, np.round(got, 12))) == sorted(zip(np.round(c["x"], 12), np.round(c["y"], 12)))
    (line,) = [a for a in ax.lines if a.get_gid() == "estimate"]
    xd, yd = line.get_data()
    np.testing.assert_allclose(np.asarray(yd) - np.asarray(xd), fit.estimate, rtol=1e-12)
    # metafor draws the same line y = x + b (its display list)
    drawn = [d for d in c["drawn"] if d["fun"] == "lines" and d["type"] == "l"][0]
    assert_close(np.subtract(drawn["y"], drawn["x"]), np.full(len(drawn["x"]), c["estimate"]), ITERATIVE)
    assert figure_bytes(fig, "png") == figure_bytes(me.labbe_plot(fit, ci=True, title="BCG"), "png")


def test_labbe_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="two-arm binary or person-time data"):
        me.labbe_data(me.meta_analysis([0.1, 0.2, 0.3], [0.01, 0.02, 0.03]))
    es = me.effect_sizes("OR", ai=[4, 6, 3], bi=[119, 300, 50], ci=[11, 29, 5], di=[128, 274, 45])
    bare = me.meta_analysis(es.yi, es.vi, measure="OR")
    with pytest.raises(ValueError, match="needs the arms' data"):
        me.labbe_data(bare)


V5 = load_reference("labbe_v5")["cases"]


def _fit_v5(c):
    es = me.effect_sizes(c["measure"], ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"])
    return me.meta_analysis(es, method="REML")


@pytest.mark.parametrize("case", sorted(V5))
def test_flip_and_the_bands_match_metafor_5(case):
    c = V5[case]
    fit = _fit_v5(c)
    plain, flipped = me.labbe_data(fit), me.labbe_data(fit, flip=True)
    assert_close(flipped.x, c["flipped"]["x"], CLOSED_FORM, what="flipped x (experimental)")
    assert_close(flipped.y, c["flipped"]["y"], CLOSED_FORM, what="flipped y (control)")
    assert_close(flipped.size, c["flipped"]["cex"], CLOSED_FORM, what="cex")
    assert_close(plain.x, c["plain"]["x"], CLOSED_FORM, what="x")
    # the bands metafor shades: y - x between the PI's and the CI's bounds
    pi_band, ci_band = c["plain"]["bands"]
    assert_close([plain.pi_lower, plain.pi_upper], pi_band, ITERATIVE, what="PI band")
    assert_close([plain.ci_lower, plain.ci_upper], ci_band, ITERATIVE, what="CI band")
    assert_close(plain.offset(plain.estimate), c["plain"]["lines"][0], ITERATIVE, what="pooled line")
    # flipped, the effect line is y = x - estimate (metafor 5.1-12 keeps y = x + estimate)
    assert_close(flipped.offset(flipped.estimate), -np.asarray(c["plain"]["lines"][0]), ITERATIVE)
    assert_close(c["flipped"]["lines"][0], c["plain"]["lines"][0], 1e-12, what="metafor's flipped line")


def test_labbe_plot_draws_the_prediction_band_flipped_and_a_legend():
    c = V5["bcg-OR-REML"]
    fit = _fit_v5(c)
    fig = me.labbe_plot(fit, ci=True, pi=True, flip=True, legend=True)
    ax = fig.axes[0]
    gids = {a.get_gid() for a in ax.collections}
    assert {"prediction-band", "confidence-band", "studies"} <= gids
    (band,) = [a for a in ax.collections if a.get_gid() == "prediction-band"]
    verts = band.get_paths()[0].vertices
    offsets = verts[:, 1] - verts[:, 0]
    assert_close([offsets.min(), offsets.max()], sorted([-fit.pi_upper, -fit.pi_lower]), 1e-12)
    (line,) = [a for a in ax.lines if a.get_gid() == "estimate"]
    xd, yd = (np.asarray(v) for v in line.get_data())
    assert_close(yd - xd, -fit.estimate, 1e-12)
    (studies,) = [a for a in ax.collections if a.get_gid() == "studies"]
    assert_close(
        np.sort(studies.get_offsets()[:, 0]), np.sort(c["flipped"]["x"]), CLOSED_FORM
    )  # drawn largest first
    assert "Experimental" in ax.get_xlabel() and "Control" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Studies", "Pooled estimate", "No effect", "95% CI", "95% prediction interval"} <= set(labels)
    with pytest.raises(TypeError, match="flip must be True or False; got 1"):
        me.labbe_data(fit, flip=1)
