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


@pytest.mark.parametrize("case", sorted(CASES))
def test_radial_data_matches_metafor(case):
    c = CASES[case]
    d = me.radial_data(_fit(c))
    rtol = CLOSED_FORM if c["method"] in ("EE", "DL") else ITERATIVE
    assert_close(d.x, c["x"], rtol, what="x")
    assert_close(d.y, c["y"], rtol, what="y")
    # the band metafor shades: (0, z), (X, bX + z), (X, bX - z), (0, -z)
    (poly,) = [p for p in c["drawn"] if p["fun"] == "polygon"]
    X = poly["x"][1]
    assert_close(d.z, poly["y"][0], DISTRIBUTION, what="z")
    assert_close([d.estimate * X + d.z, d.estimate * X - d.z], poly["y"][1:3], rtol, what="band")


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
