"""Two-group comparisons of variability: log variability ratio ``VR`` and log coefficient
of variation ratio ``CVR``.

Arrays have studies on the last axis. Each function returns ``(yi, vi)``.

References
----------
Nakagawa, S., Poulin, R., Mengersen, K., Reinhold, K., Engqvist, L., Lagisz, M., &
Senior, A. M. (2015). Meta-analysis of variation: ecological and evolutionary applications
and beyond. Methods in Ecology and Evolution, 6(2), 143-152.
Senior, A. M., Viechtbauer, W., & Nakagawa, S. (2020). Revisiting and expanding the
meta-analysis of variation: The log coefficient of variation ratio. Research Synthesis
Methods, 11(4), 553-567.
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_variability_ratio", "log_cv_ratio"]


def log_variability_ratio(sd1i, n1i, sd2i, n2i, *, correct=True):
    """Log ratio of two SDs (``VR``), bias-corrected, and its variance.

    Parameters
    ----------
    sd1i, n1i, sd2i, n2i : array_like (..., k)
        SD and size of group 1 and of group 2 (at least 2 each).
    correct : bool, default True
        Apply the bias correction (metafor's default in every version; ``correct=False`` as
        ``escalc(correct=FALSE)`` of metafor >= 4.8-0 leaves the plain log ratio).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{s_{1i}}{s_{2i}} + \\frac{1}{2(n_{1i}-1)} - \\frac{1}{2(n_{2i}-1)},
        \\qquad v_i = \\frac{1}{2(n_{1i}-1)} + \\frac{1}{2(n_{2i}-1)}

    (Senior et al. 2020, eqs. 5 and 11). Matches ``metafor::escalc(measure="VR")``.
    """
    sd1i, n1i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (sd1i, n1i, sd2i, n2i))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = 1 / (2 * (n1i - 1)), 1 / (2 * (n2i - 1))
        return np.log(sd1i / sd2i) + ((a - b) if correct else 0), a + b


def log_cv_ratio(m1i, sd1i, n1i, m2i, sd2i, n2i, *, correct=True, legacy=False):
    """Log ratio of two coefficients of variation (``CVR``) and its variance.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean (positive), SD and size of group 1 and of group 2 (at least 2 each).
    correct : bool, default True
        Correct the log SDs by :math:`1/(2(n-1))` and the log means by their second-order
        bias :math:`-u_g/2`, :math:`u_g = s_{gi}^2/(n_{gi} m_{gi}^2)` (Senior et al. 2020,
        eq. 6), as metafor >= 5.0-1 does by default; ``False``: the plain log ratio.
    legacy : bool, default False
        ``True`` (with ``correct``): only the SD part, as metafor < 5.0-1 (Debian's 3.8-1).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{s_{1i}/m_{1i}}{s_{2i}/m_{2i}} + \\frac{1}{2(n_{1i}-1)}
        - \\frac{1}{2(n_{2i}-1)}, \\qquad
        v_i = \\frac{1}{2(n_{1i}-1)} + \\frac{s_{1i}^2}{n_{1i} m_{1i}^2}
        + \\frac{1}{2(n_{2i}-1)} + \\frac{s_{2i}^2}{n_{2i} m_{2i}^2}

    (Nakagawa et al. 2015, eqs. 11-12), the estimate shown with the SD part of the
    correction. Matches ``metafor::escalc(measure="CVR")``: metafor >= 5.0-1 with
    ``correct``; ``legacy=True`` metafor 3.8-1.
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = 1 / (2 * (n1i - 1)), 1 / (2 * (n2i - 1))
        u1, u2 = sd1i**2 / (n1i * m1i**2), sd2i**2 / (n2i * m2i**2)
        yi = np.log((sd1i / m1i) / (sd2i / m2i))
        if correct:
            yi = yi + a - b + (0 if legacy else (u2 - u1) / 2)
    return yi, a + u1 + b + u2
