"""The TSA figure: its numbers (sequential_table) and a headless, byte-stable render."""

from __future__ import annotations

import numpy as np

import metaevidence as me
from metaevidence.plots import figure_bytes
from metaevidence.plots.sequential import sequential_table
from metaevidence.review.sequential import verdict_text


def _result():
    size = me.required_information_size(control_risk=0.1, rrr=0.25)
    return me.trial_sequential_analysis(
        [-1.2, -2.1, -2.4, -3.3],
        [400, 1200, 2500, 4000],
        required_information=size,
        futility=True,
        labels=["A 2001", "B 2004", "C 2008", "D 2012"],
        lower_is_better=True,
    )


def test_the_table_holds_every_number_the_figure_shows():
    res = _result()
    rows = sequential_table(res)
    assert [r["label"] for r in rows] == list(res.labels)
    np.testing.assert_array_equal([r["z"] for r in rows], res.z)
    np.testing.assert_array_equal([r["upper"] for r in rows], res.upper)
    np.testing.assert_array_equal([r["lower"] for r in rows], -res.upper)
    assert rows[-1]["participants"] == 4000


def test_the_figure_renders_the_same_bytes_twice_and_shows_the_verdict():
    res = _result()
    fig = me.sequential_plot(res, title="t", favours=("Favours control", "Favours treatment"))
    texts = [t.get_text() for t in fig.texts]
    assert verdict_text(res).split(":")[0] in " ".join(texts)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Participants (cumulative)" and ax.get_ylabel() == "Cumulative Z"
    a = figure_bytes(fig, "png")
    b = figure_bytes(
        me.sequential_plot(res, title="t", favours=("Favours control", "Favours treatment")), "png"
    )
    assert a == b and a[:4] == b"\x89PNG"
    assert b"<svg" in figure_bytes(fig, "svg")[:400]
