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


def log_variability_ratio(sd1i, n1i, sd2i, n2i):
    """Log ratio of two SDs (``VR``), bias-corrected, and its variance.

    Parameters
    ----------
    sd1i, n1i, sd2i, n2i : array_like (..., k)
        SD and size of group 1 and of group 2 (at least 2 each).

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
        return np.log(sd1i / sd2i) + a - b, a + b


def log_cv_ratio(m1i, sd1i, n1i, m2i, sd2i, n2i):
    """Log ratio of two coefficients of variation (``CVR``) and its variance.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean (positive), SD and size of group 1 and of group 2 (at least 2 each).

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

    (Nakagawa et al. 2015, eqs. 11-12). Matches ``metafor::escalc(measure="CVR")`` of
    metafor 3.8-1.
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = 1 / (2 * (n1i - 1)), 1 / (2 * (n2i - 1))
        yi = np.log((sd1i / m1i) / (sd2i / m2i)) + a - b
        vi = a + sd1i**2 / (n1i * m1i**2) + b + sd2i**2 / (n2i * m2i**2)
    return yi, vi
