"""Standardized mean differences as log odds ratios and back (``D2ORN D2ORL OR2DN OR2DL``).

The logistic forms use the factor :math:`\\pi/\\sqrt3` (Hasselblad & Hedges 1995), the
normal forms the factor 1.65 (Cox 1970; Sanchez-Meca et al. 2003). ``D2OR*`` start from
Cohen's d (the uncorrected SMD with the pooled SD) and its large-sample variance; ``OR2D*``
from the log odds ratio of a 2x2 table (after any zero-cell correction). Arrays have
studies on the last axis. Each function returns ``(yi, vi)``.

References
----------
Cox, D. R. (1970). Analysis of binary data. Methuen.
Hasselblad, V., & Hedges, L. V. (1995). Meta-analysis of screening and diagnostic tests.
Psychological Bulletin, 117(1), 167-178.
Sanchez-Meca, J., Marin-Martinez, F., & Chacon-Moscoso, S. (2003). Effect-size indices for
dichotomized outcomes in meta-analysis. Psychological Methods, 8(4), 448-467.
"""

from __future__ import annotations

import math

import numpy as np

from metaevidence.core.effects.counts import log_odds_ratio

__all__ = ["FACTORS", "smd_to_log_odds_ratio", "log_odds_ratio_to_smd", "probit_risk_difference"]

#: The scale factors: "L" logistic (pi / sqrt 3), "N" normal (1.65).
FACTORS = {"L": math.pi / math.sqrt(3), "N": 1.65}


def smd_to_log_odds_ratio(m1i, sd1i, n1i, m2i, sd2i, n2i, *, distribution="L"):
    """Cohen's d from means and SDs, transformed to a log odds ratio (``D2ORL``/``D2ORN``).

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Means, SDs and sizes of the two groups.
    distribution : {"L", "N"}, default "L"
        Logistic (factor :math:`\\pi/\\sqrt3`) or normal (factor 1.65).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With Cohen's :math:`d_i = (m_{1i} - m_{2i})/s_{pi}` (pooled SD, no small-sample
    correction) and the factor :math:`f`,

    .. math::

        y_i = f d_i, \\qquad
        v_i = f^2 \\left(\\frac1{n_{1i}} + \\frac1{n_{2i}} + \\frac{d_i^2}{2(n_{1i}+n_{2i})}\\right)

    Matches ``metafor::escalc(measure="D2ORL")`` and ``(measure="D2ORN")``.
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    f = FACTORS[distribution]
    sdpi = np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / (n1i + n2i - 2))
    d = (m1i - m2i) / sdpi
    return f * d, f**2 * (1 / n1i + 1 / n2i + d**2 / (2 * (n1i + n2i)))


def log_odds_ratio_to_smd(ai, bi, ci, di, *, distribution="L"):
    """Log odds ratio of a 2x2 table, transformed to an SMD (``OR2DL``/``OR2DN``).

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The cells after any zero-cell correction.
    distribution : {"L", "N"}, default "L"
        Logistic (divide by :math:`\\pi/\\sqrt3`) or normal (divide by 1.65).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    :math:`y_i = \\log OR_i / f`, :math:`v_i = (1/a + 1/b + 1/c + 1/d)/f^2`.

    Examples
    --------
    >>> yi, vi = log_odds_ratio_to_smd(135, 15, 40, 10)   # Handbook Table 13.4
    >>> round(float(yi), 4)
    0.4471

    Matches ``metafor::escalc(measure="OR2DL")`` and ``(measure="OR2DN")``.
    """
    f = FACTORS[distribution]
    yi, vi = log_odds_ratio(ai, bi, ci, di)
    return yi / f, vi / f**2


def _probit(p, n):
    """Probit of a proportion and its delta-method variance :math:`2\\pi p(1-p) e^{z^2}/n`."""
    from scipy.stats import norm

    z = norm.ppf(p)
    with np.errstate(over="ignore", invalid="ignore"):
        return z, 2 * np.pi * p * (1 - p) * np.exp(z**2) / n


def probit_risk_difference(ai, bi, ci, di):
    """Probit-transformed risk difference, an SMD estimate from a 2x2 table (``PBIT``).

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The cells after any zero-cell correction.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`p_1 = a/(a+b)`, :math:`p_2 = c/(c+d)` and :math:`z_g = \\Phi^{-1}(p_g)`
    (the dichotomized outcome's threshold on a latent normal scale),

    .. math::

        y_i = z_1 - z_2, \\qquad
        v_i = \\sum_g \\frac{2\\pi\\, p_g (1 - p_g)\\, e^{z_g^2}}{n_g}

    (the delta method, :math:`d\\Phi^{-1}(p)/dp = 1/\\phi(z)`; Sanchez-Meca et al. 2003).

    Matches ``metafor::escalc(measure="PBIT")`` (3.8-1 and 5.x).
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    z1, v1 = _probit(a / (a + b), a + b)
    z2, v2 = _probit(c / (c + d), c + d)
    return z1 - z2, v1 + v2
