"""Effect sizes of genotype counts: the relative excess heterozygosity (REH).

For a biallelic marker with ``ai`` homozygotes of one allele, ``bi`` heterozygotes and
``ci`` homozygotes of the other, Hardy-Weinberg equilibrium implies
:math:`b^2 = 4ac` in expectation; the REH compares the observed heterozygotes with the
number expected from the homozygotes. Arrays have studies on the last axis.

References
----------
Ziegler, A., Steen, K. V., & Wellek, S. (2011). Investigating Hardy-Weinberg equilibrium
in case-control or cohort studies or meta-analysis. Breast Cancer Research and Treatment,
128(1), 197-201.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects._arrays import floats

__all__ = ["log_relative_excess_heterozygosity"]


def log_relative_excess_heterozygosity(ai, bi, ci):
    """Log relative excess heterozygosity and its sampling variance.

    Parameters
    ----------
    ai, bi, ci : array_like (..., k)
        Counts of homozygous dominant, heterozygous and homozygous recessive individuals.

    Returns
    -------
    yi, vi : ndarray (..., k)
        NaN (dropped) where a count is zero: no zero-cell correction, as metafor.

    Notes
    -----
    .. math::

        y_i = \\log\\frac{b}{2\\sqrt{a c}}, \\qquad
        v_i = \\frac{1}{4a} + \\frac{1}{b} + \\frac{1}{4c}

    (the delta method for multinomial counts; :math:`y_i` is 0 under Hardy-Weinberg
    equilibrium, positive with an excess of heterozygotes).

    Example
    -------
    >>> yi, vi = log_relative_excess_heterozygosity([270], [506], [263])
    >>> round(float(yi[0]), 6), round(float(vi[0]), 8)
    (-0.051899, 0.00385278)

    Matches ``metafor::escalc(measure="REH")`` (metafor 5.1-12;
    tests/reference/R/escalc_inputs_v5.R).
    """
    a, b, c = floats(ai, bi, ci)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(b) - np.log(2.0) - 0.5 * (np.log(a) + np.log(c))
        vi = 0.25 / a + 1 / b + 0.25 / c
    bad = (a <= 0) | (b <= 0) | (c <= 0)
    return np.where(bad, np.nan, yi), np.where(bad, np.nan, vi)
