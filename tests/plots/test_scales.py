"""Axis limits and ticks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metaevidence.plots.scales import data_scale, forest_scale, format_tick, linear_ticks, log_ticks


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
    with pytest.raises(ValueError, match=r"xlim must be \(lower, upper\) with lower < upper and lower > 0 on a log axis; got \(0, 5\)"):
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
        "0.001", "0.5", "1", "10", "\u22122.5", "0"]


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
