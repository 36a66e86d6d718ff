"""Radial (Galbraith) plot: coordinates and band against metafor's radial()."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.plots.output import figure_bytes
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE

CASES = {k: c for k, c in load_reference("diagnostic_plots")["cases"].items() if c["kind"] == "radial"}


def _fit(c):
    return me.meta_analysis(np.asarray(c["yi"]), np.asarray(c["vi"]), method=c["method"], measure="OR")


def test_the_grid_of_cases_is_complete():
    assert {c["method"] for c in CASES.values()} == {"REML", "EE", "DL"}
    assert {c["method"] for c in CASES.values() if c.get("center")} == {"REML", "EE", "DL"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_radial_data_matches_metafor(case):
    c = CASES[case]
    d = me.radial_data(_fit(c), center=bool(c.get("center", False)))
    rtol = CLOSED_FORM if c["method"] in ("EE", "DL") else ITERATIVE
    assert_close(d.x, c["x"], rtol, what="x")
    assert_close(d.y, c["y"], rtol, what="y")
    # the band metafor shades: (0, z), (X, bX + z), (X, bX - z), (0, -z)
    (poly,) = [p for p in c["drawn"] if p["fun"] == "polygon"]
    X = poly["x"][1]
    assert_close(d.z, poly["y"][0], DISTRIBUTION, what="z")
    slope = d.estimate - d.center  # 0 when centred: the band is horizontal
    assert_close([slope * X + d.z, slope * X - d.z], poly["y"][1:3], rtol, atol=1e-14, what="band")
    assert d.center == (d.estimate if c.get("center") else 0.0)


def test_radial_plot_draws_the_points_and_the_estimate():
    c = CASES["radial-bcg-OR-REML"]
    fit = _fit(c)
    fig = me.radial_plot(fit, title="BCG")
    ax = fig.axes[0]
    (studies,) = [a for a in ax.collections if a.get_gid() == "studies"]
    assert_close(studies.get_offsets()[:, 0], c["x"], ITERATIVE)
    (line,) = [a for a in ax.lines if a.get_gid() == "estimate"]
    xd, yd = (np.asarray(v) for v in line.get_data())
    np.testing.assert_allclose(yd[1] / xd[1], fit.estimate, rtol=1e-12)
    assert figure_bytes(fig, "svg") == figure_bytes(me.radial_plot(fit, title="BCG"), "svg")


def test_a_centred_radial_plot_reads_the_same_effects():
    c = CASES["radial-bcg-OR-REML-center"]
    fit = _fit(c)
    fig = me.radial_plot(fit, center=True)
    ax = fig.axes[0]
    (line,) = [a for a in ax.lines if a.get_gid() == "estimate"]
    assert np.allclose(np.asarray(line.get_data()[1]), 0.0)  # the pooled line is horizontal
    (studies,) = [a for a in ax.collections if a.get_gid() == "studies"]
    assert_close(studies.get_offsets()[:, 1], c["y"], ITERATIVE)
    # the arc marks the pooled estimate where a line of slope 0 meets it: on the x axis
    (mark,) = [a for a in ax.collections if a.get_gid() == "arc-estimate"]
    assert abs(mark.get_offsets()[0, 1]) < 1e-12
    assert "\u03b8\u0302" in ax.get_ylabel()
    with pytest.raises(TypeError, match="center must be True or False; got 'yes'"):
        me.radial_data(fit, center="yes")
