"""Mantel-Haenszel pooling of person-time data: incidence rate ratios and differences.

Each study gives events and person-time per arm (``x1i``, ``t1i``, ``x2i``, ``t2i``);
arrays of shape ``(..., k)``, studies on the last axis, with an optional mask. Matches
``metafor::rma.mh(measure="IRR"/"IRD", x1i=, t1i=, x2i=, t2i=)`` (tests/reference/R/mh_more.R).

References
----------
Greenland, S., & Robins, J. M. (1985). Estimation of a common effect parameter from
sparse follow-up data. Biometrics, 41(1), 55-68.
Rothman, K. J., Greenland, S., & Lash, T. L. (2008). Modern epidemiology (3rd ed.),
chapter 15 (Mantel-Haenszel estimators and test for person-time data).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from metaevidence.core.binary import BinaryPooled, _percent

__all__ = ["mh_rate_ratio", "mh_rate_difference", "mh_rate_test"]


def _cells(x1, t1, x2, t2, mask):
    x1, t1, x2, t2 = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (x1, t1, x2, t2)))
    used = np.isfinite(x1) & np.isfinite(t1) & np.isfinite(x2) & np.isfinite(t2) & (t1 > 0) & (t2 > 0)
    if mask is not None:
        used &= np.broadcast_to(np.asarray(mask, dtype=bool), x1.shape)
    z = lambda a, fill: np.where(used, a, fill)  # noqa: E731
    return z(x1, 0.0), z(t1, 1.0), z(x2, 0.0), z(t2, 1.0), used


def mh_rate_ratio(x1i, t1i, x2i, t2i, mask=None) -> BinaryPooled:
    """Mantel-Haenszel log incidence rate ratio with the Greenland-Robins variance.

    Notes
    -----
    With :math:`T_i = t_{1i} + t_{2i}`, :math:`R = \\sum x_{1i}t_{2i}/T_i`,
    :math:`S = \\sum x_{2i}t_{1i}/T_i`:

    .. math:: \\log\\widehat{IRR}_{MH} = \\log(R/S), \\qquad
              \\operatorname{Var} = \\frac{\\sum (x_{1i} + x_{2i}) t_{1i} t_{2i}/T_i^2}{R S};

    weights (percent) :math:`x_{2i}t_{1i}/T_i` over :math:`S`.

    Matches ``metafor::rma.mh(measure="IRR")`` (metafor 3.8-1).
    """
    x1, t1, x2, t2, used = _cells(x1i, t1i, x2i, t2i, mask)
    T = t1 + t2
    r = np.where(used, x1 * t2 / T, 0.0)
    s = np.where(used, x2 * t1 / T, 0.0)
    R, S = r.sum(axis=-1), s.sum(axis=-1)
    num = np.where(used, (x1 + x2) * t1 * t2 / T**2, 0.0).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.log(R / S)
        se = np.sqrt(num / (R * S))
    return BinaryPooled(est, se, _percent(s, used), used.sum(axis=-1))


def mh_rate_difference(x1i, t1i, x2i, t2i, mask=None) -> BinaryPooled:
    """Mantel-Haenszel incidence rate difference with the Greenland-Robins variance.

    Notes
    -----
    With weights :math:`w_i = t_{1i}t_{2i}/T_i`:

    .. math:: \\widehat{IRD}_{MH} = \\frac{\\sum w_i (x_{1i}/t_{1i} - x_{2i}/t_{2i})}{\\sum w_i},
              \\qquad \\operatorname{Var} = \\frac{\\sum w_i^2 (x_{1i}/t_{1i}^2 + x_{2i}/t_{2i}^2)}
              {(\\sum w_i)^2}.

    Matches ``metafor::rma.mh(measure="IRD")`` (metafor 3.8-1).
    """
    x1, t1, x2, t2, used = _cells(x1i, t1i, x2i, t2i, mask)
    w = np.where(used, t1 * t2 / (t1 + t2), 0.0)
    sw = w.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (w * (x1 / t1 - x2 / t2)).sum(axis=-1) / sw
        var = (w**2 * (x1 / t1**2 + x2 / t2**2)).sum(axis=-1) / sw**2
    return BinaryPooled(est, np.sqrt(var), _percent(w, used), used.sum(axis=-1))


def mh_rate_test(x1i, t1i, x2i, t2i, mask=None, *, correct: bool = True):
    """Mantel-Haenszel test of equal incidence rates (chi^2 on 1 df) and its p-value.

    Notes
    -----
    Given :math:`m_i = x_{1i} + x_{2i}` events, :math:`x_{1i}` is binomial with
    :math:`p_i = t_{1i}/T_i` under the null:

    .. math:: X^2 = \\frac{(|\\sum x_{1i} - \\sum m_i p_i| - c)^2}{\\sum m_i p_i(1 - p_i)},

    :math:`c = 1/2` with the continuity correction, else 0.

    Matches ``metafor::rma.mh(measure="IRR")`` (``MH``, ``MHp``; metafor 3.8-1).
    """
    x1, t1, x2, t2, used = _cells(x1i, t1i, x2i, t2i, mask)
    p = t1 / (t1 + t2)
    m = np.where(used, x1 + x2, 0.0)
    e = (m * p).sum(axis=-1)
    v = (m * p * (1.0 - p)).sum(axis=-1)
    delta = np.abs(np.where(used, x1, 0.0).sum(axis=-1) - e) - (0.5 if correct else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = delta**2 / v
    return stat, special.chdtrc(1.0, stat)
