"""Stochastic superiority: the common language effect size (CLES), P(X > Y) + P(X = Y)/2,
which is the area under the ROC curve (AUC) and Mann-Whitney's U / (n1 n2).

``CLES``/``AUC`` take reported values with the group sizes; ``CLESN``/``AUCN`` estimate it
from means and SDs under the binormal model. Arrays have studies on the last axis; each
function returns ``(yi, vi)``.

References
----------
Goddard, M. J., & Hinberg, I. (1990). Receiver operator characteristic (ROC) curves and
non-normal data: An empirical study. Statistics in Medicine, 9(3), 325-337.
Hanley, J. A., & McNeil, B. J. (1982). The meaning and use of the area under a receiver
operating characteristic (ROC) curve. Radiology, 143(1), 29-36.
McGraw, K. O., & Wong, S. P. (1992). A common language effect size statistic.
Psychological Bulletin, 111(2), 361-365.
Newcombe, R. G. (2006). Confidence intervals for an effect size measure based on the
Mann-Whitney statistic. Part 2: Asymptotic methods and evaluation. Statistics in
Medicine, 25(4), 559-573.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from metaevidence.core.effects._arrays import floats

__all__ = [
    "common_language_effect_size",
    "binormal_common_language_effect_size",
    "binormal_common_language_effect_size_paired",
]


def common_language_effect_size(ai, n1i, n2i, *, vtype="LS", ties=None):
    """Variance of a reported CLES/AUC (``CLES``, ``AUC``).

    Parameters
    ----------
    ai : array_like (..., k)
        CLES/AUC values in [0, 1].
    n1i, n2i : array_like (..., k)
        Group sizes (at least 2 each).
    vtype : {"LS", "LS2"}, default "LS"
        Newcombe's (2006) method 4 (``"LS"``) or Hanley & McNeil (1982, eqs. 1-2)
        (``"LS2"``), both with :math:`(n_1 - 1)(n_2 - 1)` in the denominator (Cho et al. 2019).
    ties : array_like (..., k), optional
        The proportion of tied pairs, :math:`t` in [0, 1] (metafor's ``mi``); NaN for not
        known. ``"LS2"`` then subtracts :math:`t/4` from :math:`A(1 - A)` (Cho et al. 2019:
        a tied pair scores 1/2, which lowers the variance of one pair's score by
        :math:`t/4`); ``"LS"`` does not use it. A variance that comes out negative (more
        ties than :math:`A(1 - A)` allows) is NaN, as metafor's ``NA``.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`A` the CLES and :math:`n^* = (n_1 + n_2)/2`,

    .. math::

        v_{LS} = \\frac{A (1 - A) \\left[1 + (n^* - 1)\\frac{1 - A}{2 - A}
        + (n^* - 1)\\frac{A}{1 + A}\\right]}{(n_1 - 1)(n_2 - 1)}, \\qquad
        v_{LS2} = \\frac{A(1 - A) + (n_1 - 1)(Q_1 - A^2) + (n_2 - 1)(Q_2 - A^2)}{(n_1 - 1)(n_2 - 1)}

    with :math:`Q_1 = A/(2 - A)`, :math:`Q_2 = 2A^2/(1 + A)`.

    Matches ``metafor::escalc(measure="CLES", mi=)`` (metafor >= 4.8-0; an ``NA`` in
    ``mi`` is no adjustment there too).
    """
    a, n1, n2 = floats(ai, n1i, n2i)
    den = (n1 - 1) * (n2 - 1)
    if vtype == "LS2":
        q1, q2 = a / (2 - a), 2 * a**2 / (1 + a)
        one = a * (1 - a)
        if ties is not None:
            one = one - np.nan_to_num(np.asarray(ties, dtype=float), nan=0.0) / 4
        vi = (one + (n1 - 1) * (q1 - a**2) + (n2 - 1) * (q2 - a**2)) / den
        return a, np.where(vi < 0, np.nan, vi)  # more ties than A(1 - A) allows: no variance
    ns = (n1 + n2) / 2
    return a, a * (1 - a) * (1 + (ns - 1) * (1 - a) / (2 - a) + (ns - 1) * a / (1 + a)) / den


def binormal_common_language_effect_size(m1i, sd1i, n1i, m2i, sd2i, n2i, *, vtype="LS"):
    """CLES/AUC from means and SDs under the binormal model (``CLESN``, ``AUCN``).

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean, SD and size of each group (at least 2 each).
    vtype : {"LS", "HO"}, default "LS"
        Unequal variances (``"LS"``) or a pooled SD (``"HO"``, homoscedastic; this also
        changes the estimate).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    ``"LS"``: :math:`\\delta = (m_1 - m_2)/\\sqrt{S}`, :math:`S = s_1^2 + s_2^2`,
    :math:`A = \\Phi(\\delta)`, and by the delta method (Goddard & Hinberg 1990, eqs. 3-4,
    with :math:`n - 1` in the denominators)

    .. math::

        v = \\phi(\\delta)^2 \\left[\\frac{s_1^2/(n_1 - 1) + s_2^2/(n_2 - 1)}{S}
        + \\frac{\\delta^2 \\left(s_1^4/(n_1 - 1) + s_2^4/(n_2 - 1)\\right)}{2 S^2}\\right]

    ``"HO"``: with Cohen's :math:`d` (pooled SD), :math:`A = \\Phi(d/\\sqrt2)` and
    :math:`v = \\phi(d/\\sqrt2)^2 \\,[1/n_1 + 1/n_2 + d^2/(2(n_1 + n_2))]/2`.

    Matches ``metafor::escalc(measure="CLESN", vtype="LS"/"HO")`` (metafor >= 4.8-0).
    """
    m1, s1, n1, m2, s2, n2 = floats(m1i, sd1i, n1i, m2i, sd2i, n2i)
    if vtype == "HO":
        d = (m1 - m2) / np.sqrt(((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2))
        delta = d / np.sqrt(2)
        return norm.cdf(delta), norm.pdf(delta) ** 2 * (1 / n1 + 1 / n2 + d**2 / (2 * (n1 + n2))) / 2
    total = s1**2 + s2**2
    delta = (m1 - m2) / np.sqrt(total)
    vd = (s1**2 / (n1 - 1) + s2**2 / (n2 - 1)) / total + delta**2 * (s1**4 / (n1 - 1) + s2**4 / (n2 - 1)) / (
        2 * total**2
    )
    return norm.cdf(delta), norm.pdf(delta) ** 2 * vd


def binormal_common_language_effect_size_paired(m1i, m2i, sd1i, sd2i, ni, ri):
    """CLES/AUC of two correlated measurements under a bivariate normal model (``CLESCN``).

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        Means and SDs at the two occasions, number of pairs (at least 2), correlation.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    :math:`A = \\Phi(\\delta)`, :math:`\\delta = (m_1 - m_2)/\\sqrt{S}`, :math:`S = s_1^2 + s_2^2`
    (the two marginal distributions compared, as CLESN), with the delta-method variance of
    the dependent case:

    .. math::

        v = \\phi(\\delta)^2 \\left[\\frac{S - 2 r s_1 s_2}{(n - 1) S}
        + \\frac{\\delta^2 (s_1^4 + s_2^4 + 2 r^2 s_1^2 s_2^2)}{2 S^2 (n - 1)}\\right]

    Matches ``metafor::escalc(measure="CLESCN")`` (metafor >= 4.8-0).
    """
    m1, m2, s1, s2, n, r = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    total = s1**2 + s2**2
    delta = (m1 - m2) / np.sqrt(total)
    fourth = s1**4 + s2**4 + 2 * r**2 * s1**2 * s2**2
    vd = (total - 2 * r * s1 * s2) / ((n - 1) * total) + delta**2 * fourth / (2 * total**2 * (n - 1))
    return norm.cdf(delta), norm.pdf(delta) ** 2 * vd
