"""Effect sizes of single-group incidence rates: events ``xi`` over person-time ``ti``.

``IR`` (raw rate), ``IRLN`` (log rate), ``IRS`` (square-root rate) and ``IRFT``
(Freeman-Tukey transformed rate). Functions take the event counts after any zero-cell
correction (``IR`` and ``IRLN`` use ``add=0.5`` by default, ``IRS`` and ``IRFT`` ``add=0``,
as metafor). Arrays have studies on the last axis. Each returns ``(yi, vi)``.

References
----------
Freeman, M. F., & Tukey, J. W. (1950). Transformations related to the angular and the
square root. Annals of Mathematical Statistics, 21(4), 607-611.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects._arrays import floats

__all__ = ["rate", "log_rate", "sqrt_rate", "freeman_tukey_rate"]


def rate(xi, ti):
    """Incidence rate and its Poisson variance.

    Parameters
    ----------
    xi, ti : array_like (..., k)
        Events and total person-time.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: y_i = x_i / t_i, \\qquad v_i = x_i / t_i^2

    Examples
    --------
    >>> yi, vi = rate(9, 413)      # Hart et al. (1999), AFASAK, warfarin arm
    >>> round(float(yi), 6), round(float(vi), 8)
    (0.021792, 5.276e-05)

    Matches ``metafor::escalc(measure="IR")``.
    """
    xi, ti = floats(xi, ti)
    return xi / ti, xi / ti**2


def log_rate(xi, ti):
    """Log incidence rate and its variance :math:`1/x_i`.

    Parameters
    ----------
    xi, ti : array_like (..., k)
        Events (positive after any zero-cell correction) and total person-time.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: y_i = \\log(x_i / t_i), \\qquad v_i = 1 / x_i

    Matches ``metafor::escalc(measure="IRLN")``.
    """
    xi, ti = floats(xi, ti)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(xi / ti), 1 / xi


def sqrt_rate(xi, ti):
    """Square-root transformed incidence rate and its variance :math:`1/(4 t_i)`.

    Parameters
    ----------
    xi, ti : array_like (..., k)
        Events and total person-time.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: y_i = \\sqrt{x_i / t_i}, \\qquad v_i = \\frac{1}{4 t_i}

    Matches ``metafor::escalc(measure="IRS")``.
    """
    xi, ti = floats(xi, ti)
    return np.sqrt(xi / ti), 1 / (4 * ti)


def freeman_tukey_rate(xi, ti):
    """Freeman-Tukey transformed incidence rate and its variance :math:`1/(4 t_i)`.

    Parameters
    ----------
    xi, ti : array_like (..., k)
        Events and total person-time.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\tfrac12 \\left(\\sqrt{x_i / t_i} + \\sqrt{(x_i + 1) / t_i}\\right), \\qquad
        v_i = \\frac{1}{4 t_i}

    Matches ``metafor::escalc(measure="IRFT")``.
    """
    xi, ti = floats(xi, ti)
    return (np.sqrt(xi / ti) + np.sqrt((xi + 1) / ti)) / 2, 1 / (4 * ti)
