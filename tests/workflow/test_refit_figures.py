"""Baujat and GOSH figures from specs: drawn from the main fit, bounded, seeded, checked."""

from __future__ import annotations

import numpy as np

import metaevidence as me
from metaevidence.workflow.compute import compute
from metaevidence.workflow.figures import _draw, render_figures
from metaevidence.workflow.spec import load_specs, read_spec
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM

from .conftest import make_bcg_review, spec, write_yaml


def _computed(tmp_path, **figures):
    root = make_bcg_review(
        tmp_path,
        specs=[spec("bcg", studies={"outcome": "tuberculosis"}, figures={"formats": ["png"], **figures})],
    )
    (s,) = load_specs(root / "analyses")
    return compute(s, me.load_evidence(root / "studies"))


def _scatter(fig):
    """The points of the figure's first scatter (its data coordinates)."""
    for ax in fig.axes:
        for coll in ax.collections:
            if coll.get_gid() == "studies" or len(coll.get_offsets()) > 20:
                return np.asarray(coll.get_offsets())
    raise AssertionError("no scatter in the figure")


def test_baujat_figure_shows_the_influence_of_the_main_fit(tmp_path):
    c = _computed(tmp_path, draw=["forest", "baujat"])
    fig = _draw(c, "baujat")
    inf = me.influence(c.fit)
    points = _scatter(fig)
    assert_close(points[:, 0], inf.baujat_x, CLOSED_FORM)
    assert_close(points[:, 1], inf.baujat_y, CLOSED_FORM)
    # the review's figure names the studies that stand out, not row numbers
    names = {t.get_text() for t in fig.axes[0].texts}
    top = {inf.labels[i] for i in np.argsort(-inf.baujat_x)[:3]} | {
        inf.labels[i] for i in np.argsort(-inf.baujat_y)[:3]
    }
    assert top <= names and len(names) < inf.k


def test_gosh_figure_fits_a_bounded_seeded_sample_of_subsets(tmp_path):
    c = _computed(tmp_path, draw=["gosh"], gosh={"max_subsets": 500, "seed": 7})
    assert c.spec.figures.gosh.max_subsets == 500 and c.fit.k == 13  # 8191 subsets > 500: a sample
    fig = _draw(c, "gosh")
    points = _scatter(fig)
    assert points.shape == (500, 2)
    expected = me.gosh(c.fit, 500, seed=7)
    assert_close(np.sort(points[:, 1]), np.sort(expected.i2), CLOSED_FORM)
    # the same spec draws the same bytes; another seed draws another sample
    first, _ = render_figures(c)
    again, _ = render_figures(
        _computed(tmp_path / "again", draw=["gosh"], gosh={"max_subsets": 500, "seed": 7})
    )
    other, _ = render_figures(
        _computed(tmp_path / "other", draw=["gosh"], gosh={"max_subsets": 500, "seed": 8})
    )
    assert first["gosh.png"] == again["gosh.png"] != other["gosh.png"]


def test_gosh_options_are_recorded_only_when_it_is_drawn(tmp_path):
    drawn = _computed(tmp_path, draw=["gosh"])
    assert drawn.spec.settings()["figures"]["gosh"] == {
        "max_subsets": 10_000,
        "seed": 1,
        "x": "estimate",
        "y": "i2",
    }
    plain = _computed(tmp_path / "plain", draw=["forest"])
    assert "gosh" not in plain.spec.settings()["figures"]


def test_refit_figures_need_an_inverse_variance_model(tmp_path):
    path = write_yaml(
        tmp_path / "a.yaml",
        spec("a", pooling="mantel-haenszel", figures={"draw": ["forest", "baujat", "gosh"]}),
    )
    _, problems = read_spec(path)
    (p,) = problems
    assert p.field == "figures.draw" and p.line is not None
    assert "draws baujat and gosh" in p.message and "pooling is mantel-haenszel" in p.message


def test_gosh_subsets_are_bounded(tmp_path):
    path = write_yaml(
        tmp_path / "a.yaml", spec("a", figures={"draw": ["gosh"], "gosh": {"max_subsets": 10**7}})
    )
    _, problems = read_spec(path)
    (p,) = problems
    assert p.field == "figures.gosh.max_subsets" and "1000000" in p.message.replace(",", "")
