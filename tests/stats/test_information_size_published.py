"""Required information sizes against the published results of the TSA program (Copenhagen Trial Unit).

The TSA program computes the required information size of Wetterslev et al. 2008 (J Clin
Epidemiol 61:64-75), ``4 (z_{1-a/2} + z_{1-b})^2 P(1-P) / delta^2`` divided by ``1 - D^2``,
and reports it rounded up to whole participants. Oracles, each with its locator:

- TSA user manual (Thorlund, Engstrom, Wetterslev, Brok, Imberger, Gluud; Copenhagen Trial Unit
  2011), the worked example on smoking cessation (the manual's example chapter; transcription
  at doczz.net/doc/2262653): "a 20% relative benefit increment ... a 14% event proportion in the
  control group ... a type I error of 5% and a type II error of 20%. We did not correct for
  heterogeneity ... the required information size to 5218 patients".
- Ning et al. 2016, Sci Rep 6:23726 (rivaroxaban vs enoxaparin), Figure 5 caption: 6,764
  patients for alpha 5% (two-sided), beta 20%, RRR 56.86%, control event proportion 1.02%;
  Figure 4 caption: 22,785 patients for RRR -34.59% and 1.33%.
- PLoS ONE 2013; 8(9):e74558 (vitamin A and mortality), Figure 4 caption (PMC3765487): a
  diversity-adjusted size of 48,417 participants for control proportion 10%, RRR 15%, alpha 5%,
  beta 20% and diversity 76%, and 456,748 had the RRR been 5%.

The published inputs are rounded (a percentage to its printed digits), so where the rounding
of an input moves the size by more than one participant the test checks that the published
size lies within the sizes the rounding interval of the inputs allows, and, for the vitamin A
pair, that both published sizes imply the same diversity.
"""

from __future__ import annotations

import math

import pytest

import metaevidence as me


def _ceil(**kw) -> int:
    return math.ceil(me.required_information_size(**kw).required)


def test_tsa_manual_smoking_cessation_example():
    # a relative benefit increment of 20% is a relative risk "reduction" of -20%
    assert _ceil(control_risk=0.14, rrr=-0.20) == 5218


def test_ning_2016_figure_5_to_the_printed_digit():
    assert _ceil(control_risk=0.0102, rrr=0.5686) == 6764


def _band(pc: float, pc_half: float, rrr: float, rrr_half: float, **kw) -> tuple[float, float]:
    sizes = [
        me.required_information_size(control_risk=p, rrr=r, **kw).required
        for p in (pc - pc_half, pc + pc_half)
        for r in (rrr - rrr_half, rrr + rrr_half)
    ]
    return min(sizes), max(sizes)


def test_ning_2016_figure_4_within_the_rounding_of_its_inputs():
    lo, hi = _band(0.0133, 0.00005, -0.3459, 0.000005)
    assert lo <= 22785 <= hi


def test_plos_one_2013_vitamin_a_diversity_adjusted_sizes():
    for rrr, published in ((0.15, 48417), (0.05, 456748)):
        low = me.required_information_size(control_risk=0.1, rrr=rrr, adjustment="D2", heterogeneity=0.755)
        high = me.required_information_size(control_risk=0.1, rrr=rrr, adjustment="D2", heterogeneity=0.765)
        assert low.required <= published <= high.required
    # both published sizes imply the same D² (about 75.8%, printed as 76%)
    implied = [
        1 - me.required_information_size(control_risk=0.1, rrr=rrr).unadjusted / published
        for rrr, published in ((0.15, 48417), (0.05, 456748))
    ]
    assert implied[0] == pytest.approx(implied[1], abs=1e-4)
    assert round(100 * implied[0]) == 76
