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


def log_variability_ratio(sd1i, n1i, sd2i, n2i, *, correct=True, vtype="LS"):
    """Log ratio of two SDs (``VR``), bias-corrected, and its variance.

    Parameters
    ----------
    sd1i, n1i, sd2i, n2i : array_like (..., k)
        SD and size of group 1 and of group 2 (at least 2 each).
    correct : bool, default True
        Apply the bias correction (metafor's default in every version; ``correct=False`` as
        ``escalc(correct=FALSE)`` of metafor >= 4.8-0 leaves the plain log ratio).
    vtype : {"LS", "LS2"}, default "LS"
        ``"LS2"``: the second-order variance (below).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{s_{1i}}{s_{2i}} + \\frac{1}{2(n_{1i}-1)} - \\frac{1}{2(n_{2i}-1)},
        \\qquad v_i = \\frac{1}{2(n_{1i}-1)} + \\frac{1}{2(n_{2i}-1)}

    (Senior et al. 2020, eqs. 5 and 11). With ``vtype="LS2"`` each group adds
    :math:`1/(2(n-1)^2)`: the second-order delta method for :math:`\\log s =
    \\tfrac12\\log s^2` with :math:`\\operatorname{Var}(s^2) = 2\\sigma^4/(n-1)`
    (:math:`\\operatorname{Var}\\log X \\approx V/\\mu^2 + \\tfrac12 V^2/\\mu^4`), the form
    metafor gives for eq. 15 of Senior et al. 2020. Matches
    ``metafor::escalc(measure="VR")`` (``vtype="LS2"`` checked against 5.1-12).
    """
    sd1i, n1i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (sd1i, n1i, sd2i, n2i))
    _check_vtype(vtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = 1 / (2 * (n1i - 1)), 1 / (2 * (n2i - 1))
        vi = a + b + (_second_order_sd(n1i) + _second_order_sd(n2i) if vtype == "LS2" else 0)
        return np.log(sd1i / sd2i) + ((a - b) if correct else 0), vi


def _second_order_sd(n):
    """The second-order term of the variance of a log SD: :math:`1/(2(n-1)^2)`."""
    return 1 / (2 * (n - 1) ** 2)


def _check_vtype(vtype):
    if vtype not in ("LS", "LS2"):
        raise ValueError(f"vtype for VR and CVR must be 'LS' or 'LS2'; got {vtype!r}")


def log_cv_ratio(m1i, sd1i, n1i, m2i, sd2i, n2i, *, correct=True, legacy=False, vtype="LS"):
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
    vtype : {"LS", "LS2"}, default "LS"
        ``"LS2"``: the second-order variance, :math:`v_i` plus
        :math:`\\sum_g (1/(2(n_g-1)^2) + u_g^2/2)` (the second-order terms of the log SD, as
        in :func:`log_variability_ratio`, and of the log mean, as ROM's ``"LS2"``).

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
    ``correct``; ``legacy=True`` metafor 3.8-1; ``vtype="LS2"`` checked against 5.1-12.
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    _check_vtype(vtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = 1 / (2 * (n1i - 1)), 1 / (2 * (n2i - 1))
        u1, u2 = sd1i**2 / (n1i * m1i**2), sd2i**2 / (n2i * m2i**2)
        yi = np.log((sd1i / m1i) / (sd2i / m2i))
        if correct:
            yi = yi + a - b + (0 if legacy else (u2 - u1) / 2)
        vi = a + u1 + b + u2
        if vtype == "LS2":
            vi = vi + _second_order_sd(n1i) + _second_order_sd(n2i) + (u1**2 + u2**2) / 2
    return yi, vi
