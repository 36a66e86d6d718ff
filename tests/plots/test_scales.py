"""Axis limits and ticks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.plots.scales import (
    data_scale,
    forest_scale,
    format_tick,
    linear_ticks,
    link_ticks,
    log_ticks,
)


def test_ratio_scale_is_revmans_smallest_symmetric_scale_holding_the_points():
    # BCG: estimates 0.19 to 1.56, pooled CI [0.32, 0.71], PI [0.13, 1.79] -> 0.1 to 10
    s = forest_scale([0.19, 1.56, 0.32, 0.71, 0.13, 1.79], log=True, null=1.0)
    assert (s.lower, s.upper) == (0.1, 10.0)
    assert s.tick_labels == ("0.1", "0.2", "0.5", "1", "2", "5", "10")
    assert forest_scale([0.6, 1.9], log=True, null=1.0).upper == 2.0
    assert forest_scale([0.6, 2.1], log=True, null=1.0).upper == 5.0
    assert forest_scale([0.005, 1.0], log=True, null=1.0).tick_labels == ("0.001", "0.1", "1", "10", "1000")
    assert forest_scale([1e-9], log=True, null=1.0).upper == 1000.0  # widest scale; beyond -> arrows


def test_difference_scale_is_symmetric_about_zero():
    s = forest_scale([-71.0, 11.0, -32.6, 2.4], log=False, null=0.0)
    assert (s.lower, s.upper) == (-100.0, 100.0)
    assert s.tick_labels == ("\u2212100", "\u221250", "0", "50", "100")
    assert forest_scale([-0.3, 0.15], log=False, null=0.0).ticks == (-0.4, -0.2, 0.0, 0.2, 0.4)


def test_explicit_limits_and_errors():
    s = forest_scale([0.5], log=True, null=1.0, xlim=(0.05, 20))
    assert (s.lower, s.upper) == (0.05, 20.0) and all(0.05 <= t <= 20 for t in s.ticks)
    with pytest.raises(
        ValueError,
        match=r"xlim must be \(lower, upper\) with lower < upper and lower > 0 on a log axis; got \(0, 5\)",
    ):
        forest_scale([0.5], log=True, null=1.0, xlim=(0, 5))
    with pytest.raises(ValueError, match="lower < upper; got"):
        forest_scale([0.5], log=False, null=0.0, xlim=(3, 1))


def test_scale_without_null_covers_the_data():
    s = forest_scale([0.2, 0.35, 0.6], log=False, null=None)
    assert s.null is None and s.lower < 0.2 and s.upper > 0.6
    assert s.fraction(s.lower) == 0.0 and s.fraction(s.upper) == 1.0


def test_fraction_on_log_axis():
    s = forest_scale([0.5], log=True, null=1.0)
    assert s.fraction(1.0) == pytest.approx(0.5)
    assert s.fraction(s.upper) == pytest.approx(1.0)


def test_format_tick():
    assert [format_tick(v) for v in (0.001, 0.5, 1.0, 10.0, -2.5, 0.0)] == [
        "0.001",
        "0.5",
        "1",
        "10",
        "\u22122.5",
        "0",
    ]


@settings(max_examples=60, deadline=None)
@given(st.floats(-6, 5), st.floats(0.05, 8))
def test_log_ticks_lie_in_range_sorted_and_few(log_lo, span):
    lo, hi = 10.0**log_lo, 10.0 ** (log_lo + span)
    ticks = log_ticks(lo, hi)
    assert 1 <= len(ticks) <= 7
    assert list(ticks) == sorted(set(ticks))
    assert all(lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9) for t in ticks)
    if span >= math.log10(2.5):
        assert len(ticks) >= 3


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e4, 1e4), st.floats(1e-3, 1e4))
def test_linear_ticks_lie_in_range_sorted_and_few(lo, span):
    hi = lo + span
    ticks = linear_ticks(lo, hi)
    assert 2 <= len(ticks) <= 7
    assert np.all(np.diff(ticks) > 0)
    assert all(lo - 1e-9 * span <= t <= hi + 1e-9 * span for t in ticks)


def test_data_scale_pads_and_handles_degenerate_ranges():
    s = data_scale([1.0, 1.0], log=True)
    assert s.lower < 1.0 < s.upper
    s = data_scale([], log=False)
    assert (s.lower, s.upper) == (-1.08, 1.08)


def test_correlation_scale_is_the_smallest_symmetric_r_scale_holding_the_points():
    # molloy2014: estimates and intervals within r = -0.1 to 0.37 -> r = -0.5 to 0.5
    s = forest_scale([0.19, -0.09, 0.37, 0.088, 0.209, -0.037, 0.325], log=False, null=0.0, link="atanh")
    assert (s.lower, s.upper, s.link, s.null) == (-0.5, 0.5, "atanh", 0.0)
    assert s.tick_labels == ("\u22120.5", "\u22120.25", "0", "0.25", "0.5")
    assert forest_scale([0.15], log=False, null=0.0, link="atanh").upper == 0.2
    assert forest_scale([0.6], log=False, null=0.0, link="atanh").upper == 0.8
    assert forest_scale([0.97], log=False, null=0.0, link="atanh").upper == 0.99
    assert forest_scale([0.99999], log=False, null=0.0, link="atanh").upper == 0.999  # widest
    # r = 0 in the middle; positions linear in Fisher's z
    assert s.fraction(0.0) == pytest.approx(0.5)
    assert s.fraction(0.25) == pytest.approx(0.5 + 0.5 * math.atanh(0.25) / math.atanh(0.5))
    assert s.middle() == pytest.approx(0.0, abs=1e-15)


def test_proportion_scale_covers_the_data_on_the_logit_axis():
    s = forest_scale([0.47, 0.76, 0.92, 0.96], log=False, null=None, link="logit")
    assert s.null is None and s.link == "logit" and 0.4 < s.lower < 0.47 and 0.96 < s.upper < 0.99
    assert s.ticks == (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    # padded equally on the logit scale
    lo, hi = math.log(0.47 / 0.53), math.log(0.96 / 0.04)
    assert math.log(s.lower / (1 - s.lower)) == pytest.approx(lo - 0.04 * (hi - lo))
    assert s.middle() == pytest.approx(
        1 / (1 + math.exp(-(math.log(s.lower / (1 - s.lower)) + math.log(s.upper / (1 - s.upper))) / 2))
    )
    # asked-for reference line: kept on the axis
    s = forest_scale([0.7, 0.9], log=False, null=0.5, link="logit")
    assert s.null == 0.5 and s.lower < 0.5


@pytest.mark.parametrize(
    "lower, upper, link, ticks",
    [
        (0.2, 0.99, "logit", (0.25, 0.5, 0.75, 0.9, 0.95, 0.99)),
        (0.02, 0.98, "logit", (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)),  # tenths would be 9 ticks
        (0.0005, 0.9995, "logit", (0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999)),
        (0.31, 0.44, "logit", (0.325, 0.35, 0.375, 0.4, 0.425)),  # narrow: nearly linear, 1-2.5-5 steps
        (-0.9, 0.9, "atanh", (-0.9, -0.5, 0.0, 0.5, 0.9)),
        (-0.45, 0.45, "atanh", (-0.4, -0.2, 0.0, 0.2, 0.4)),
        (0.1, 0.35, "atanh", (0.1, 0.2, 0.3)),
    ],
)
def test_link_ticks_are_round_values_of_the_shown_units(lower, upper, link, ticks):
    assert link_ticks(lower, upper, link=link) == ticks


def test_link_scale_errors():
    with pytest.raises(
        ValueError,
        match=r"xlim must be \(lower, upper\) with lower < upper, both between "
        r"0 and 1 on this axis; got \(0, 0.5\)",
    ):
        forest_scale([0.3], log=False, null=None, link="logit", xlim=(0, 0.5))
    with pytest.raises(
        ValueError, match="atanh ticks need lower < upper inside the axis's domain; got 0.5, -0.5"
    ):
        link_ticks(0.5, -0.5, link="atanh")
    with pytest.raises(ValueError, match="link must be one of atanh, logit; got 'log'"):
        forest_scale([0.3], log=False, null=None, link="log")
    s = data_scale([], log=False, link="atanh")  # nothing to show: Fisher's z from -1 to 1
    assert (s.lower, s.upper) == pytest.approx((math.tanh(-1.08), math.tanh(1.08)))
