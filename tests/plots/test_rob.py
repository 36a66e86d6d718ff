"""Risk-of-bias figures: a study without an assessment is drawn grey "NA", never green."""

from matplotlib.colors import to_hex

import metaevidence as me
from metaevidence.plots.rob import JUDGEMENT_STYLE, add_rob_columns, rob_summary_plot, traffic_light_plot

BLOCK = {
    "tool": "RoB 2",
    "domains": [{"id": "randomization", "name": "Randomization"}, {"id": "deviations", "name": "Deviations"}],
    "studies": [
        {
            "id": "a",
            "label": "A 1990",
            "weight": 25.0,
            "assessed": True,
            "domains": {"randomization": "low", "deviations": "high"},
            "overall": "high",
        },
        {
            "id": "b",
            "label": "B 1991",
            "weight": 75.0,
            "assessed": False,
            "domains": {},
            "overall": "not-assessed",
        },
    ],
}


def _dot_colours(fig):
    return [to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches if type(p).__name__ == "Circle"]


def test_traffic_light_colours_and_not_assessed():
    colours = _dot_colours(traffic_light_plot(BLOCK))
    grey, green, red = (JUDGEMENT_STYLE[j][0].lower() for j in ("not-assessed", "low", "high"))
    # study rows: A = low, high, high; B = three grey; then the legend's dots (low, high, not assessed)
    assert colours[:6] == [green, red, red, grey, grey, grey]
    texts = [t.get_text() for ax in traffic_light_plot(BLOCK).axes for t in ax.texts]
    assert "Not assessed" in texts and "NA" in texts


def test_summary_bars_are_weighted():
    fig = rob_summary_plot(BLOCK)
    widths = sorted(round(p.get_width(), 6) for p in fig.axes[0].patches)
    assert widths == [25.0, 25.0, 25.0, 75.0, 75.0, 75.0]


def test_forest_gets_rob_columns_and_keeps_its_numbers():
    es = me.effect_sizes(
        "OR", ai=[10, 20], n1i=[100, 120], ci=[15, 25], n2i=[100, 110], labels=["A 1990", "B 1991"]
    )
    fit = me.meta_analysis(es)
    plain = me.forest_plot(fit)
    with_rob = me.forest_plot(fit, risk_of_bias=BLOCK)
    assert with_rob.get_size_inches()[0] > plain.get_size_inches()[0]
    assert sorted(t.get_text() for t in plain.texts) == sorted(t.get_text() for t in with_rob.texts)
    colours = _dot_colours(with_rob)
    grey, green = JUDGEMENT_STYLE["not-assessed"][0].lower(), JUDGEMENT_STYLE["low"][0].lower()
    assert colours[:6] == [
        green,
        JUDGEMENT_STYLE["high"][0].lower(),
        JUDGEMENT_STYLE["high"][0].lower(),
        grey,
        grey,
        grey,
    ]
    assert callable(add_rob_columns)


def test_traffic_light_follows_the_given_order():
    grey, green, red = (JUDGEMENT_STYLE[j][0].lower() for j in ("not-assessed", "low", "high"))
    colours = _dot_colours(traffic_light_plot(BLOCK, order=["B 1991", "A 1990"]))
    assert colours[:6] == [grey, grey, grey, green, red, red]
    labels = [t.get_text() for t in traffic_light_plot(BLOCK, order=["B 1991"]).axes[0].texts]
    assert labels.index("B 1991") < labels.index("A 1990")  # unnamed studies follow, in block order
