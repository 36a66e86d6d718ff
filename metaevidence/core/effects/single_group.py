"""Effect sizes of single groups: proportions (``PR PLN PLO PAS PFT``) and means (``MN``).

Arrays have studies on the last axis; any leading batch shape broadcasts. Each function
returns ``(yi, vi)`` as ``metafor::escalc`` computes them. Proportion functions take the
counts after any zero-cell correction (:func:`metaevidence.core.effects.counts.zero_cell_correction`
on ``(xi, ni - xi)``), so ``ni`` there is the corrected total ``xi + mi``.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects.continuous import hedges_correction

__all__ = [
    "proportion",
    "log_proportion",
    "logit_proportion",
    "arcsine_proportion",
    "freeman_tukey_proportion",
    "mean",
    "standardized_mean",
    "probit_proportion",
]


def _counts(xi, ni):
    return np.asarray(xi, dtype=float), np.asarray(ni, dtype=float)


def proportion(xi, ni):
    """Raw proportion and its binomial variance.

    Parameters
    ----------
    xi, ni : array_like (..., k)
        Events and group size (after any zero-cell correction).

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`p_i = x_i / n_i` and :math:`p_i (1 - p_i) / n_i`.

    Notes
    -----
    .. math::

        y_i = \\frac{x_i}{n_i}, \\qquad v_i = \\frac{y_i (1 - y_i)}{n_i}

    References
    ----------
    Fleiss, J. L., & Berlin, J. (2009). Effect sizes for dichotomous data. In H. Cooper
    et al. (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.).

    Examples
    --------
    >>> yi, vi = proportion(16, 17)            # Pritz (1997), Giannotta et al.
    >>> round(float(yi), 4), round(float(vi), 6)
    (0.9412, 0.003257)

    Matches ``metafor::escalc(measure="PR")``.
    """
    xi, ni = _counts(xi, ni)
    yi = xi / ni
    return yi, yi * (1 - yi) / ni


def log_proportion(xi, ni):
    """Log proportion and its variance.

    Parameters
    ----------
    xi, ni : array_like (..., k)
        Events and group size (after any zero-cell correction).

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\log(x_i/n_i)` and its sampling variance.

    Notes
    -----
    .. math::

        y_i = \\log\\frac{x_i}{n_i}, \\qquad v_i = \\frac{1}{x_i} - \\frac{1}{n_i}

    References
    ----------
    Fleiss, J. L., & Berlin, J. (2009). Effect sizes for dichotomous data. In H. Cooper
    et al. (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.).

    Examples
    --------
    >>> yi, vi = log_proportion(16, 17)
    >>> round(float(yi), 4), round(float(vi), 6)
    (-0.0606, 0.003676)

    Matches ``metafor::escalc(measure="PLN")``.
    """
    xi, ni = _counts(xi, ni)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(xi / ni), 1 / xi - 1 / ni


def logit_proportion(xi, ni):
    """Logit (log odds) of a proportion and its variance.

    Parameters
    ----------
    xi, ni : array_like (..., k)
        Events and group size (after any zero-cell correction).

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\log(x_i / (n_i - x_i))` and its sampling variance.

    Notes
    -----
    With :math:`m_i = n_i - x_i` non-events,

    .. math::

        y_i = \\log\\frac{x_i}{m_i}, \\qquad v_i = \\frac{1}{x_i} + \\frac{1}{m_i}

    References
    ----------
    Fleiss, J. L., & Berlin, J. (2009). Effect sizes for dichotomous data. In H. Cooper
    et al. (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.).

    Examples
    --------
    >>> yi, vi = logit_proportion(16, 17)
    >>> round(float(yi), 4), round(float(vi), 4)
    (2.7726, 1.0625)

    Matches ``metafor::escalc(measure="PLO")``.
    """
    xi, ni = _counts(xi, ni)
    mi = ni - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(xi / mi), 1 / xi + 1 / mi


def arcsine_proportion(xi, ni):
    """Arcsine square-root (angular) transformed proportion and its variance.

    Parameters
    ----------
    xi, ni : array_like (..., k)
        Events and group size (metafor adds nothing by default for this measure).

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\arcsin\\sqrt{x_i/n_i}` and its sampling variance.

    Notes
    -----
    .. math::

        y_i = \\arcsin\\sqrt{x_i / n_i}, \\qquad v_i = \\frac{1}{4 n_i}

    References
    ----------
    Fisher, R. A., & Yates, F. (1938). Statistical tables for biological, agricultural
    and medical research. Oliver & Boyd (the angular transformation).

    Examples
    --------
    >>> yi, vi = arcsine_proportion(16, 17)
    >>> round(float(yi), 4), round(float(vi), 6)
    (1.3258, 0.014706)

    Matches ``metafor::escalc(measure="PAS")``.
    """
    xi, ni = _counts(xi, ni)
    return np.arcsin(np.sqrt(xi / ni)), 1 / (4 * ni)


def freeman_tukey_proportion(xi, ni):
    """Freeman-Tukey double arcsine transformed proportion and its variance.

    Parameters
    ----------
    xi, ni : array_like (..., k)
        Events and group size (metafor adds nothing by default for this measure).

    Returns
    -------
    yi, vi : ndarray (..., k)
        The double arcsine transform (on metafor's half scale) and its variance.

    Notes
    -----
    .. math::

        y_i = \\tfrac12 \\left[\\arcsin\\sqrt{\\frac{x_i}{n_i + 1}} +
        \\arcsin\\sqrt{\\frac{x_i + 1}{n_i + 1}}\\right], \\qquad
        v_i = \\frac{1}{4 n_i + 2}

    References
    ----------
    Freeman, M. F., & Tukey, J. W. (1950). Transformations related to the angular and
    the square root. Annals of Mathematical Statistics, 21(4), 607-611.

    Examples
    --------
    >>> yi, vi = freeman_tukey_proportion(16, 17)
    >>> round(float(yi), 4), round(float(vi), 6)
    (1.2819, 0.014286)

    Matches ``metafor::escalc(measure="PFT")``.
    """
    xi, ni = _counts(xi, ni)
    yi = (np.arcsin(np.sqrt(xi / (ni + 1))) + np.arcsin(np.sqrt((xi + 1) / (ni + 1)))) / 2
    return yi, 1 / (4 * ni + 2)


def mean(mi, sdi, ni):
    """Raw mean of a single group and its variance.

    Parameters
    ----------
    mi, sdi, ni : array_like (..., k)
        Mean, standard deviation of the observations (not the standard error) and size.

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\bar x_i` and its sampling variance.

    Notes
    -----
    .. math::

        y_i = m_i, \\qquad v_i = \\frac{s_i^2}{n_i}

    References
    ----------
    Borenstein, M. (2009). Effect sizes for continuous data. In H. Cooper et al. (Eds.),
    The handbook of research synthesis and meta-analysis (2nd ed., pp. 221-235).

    Examples
    --------
    >>> yi, vi = mean(55, 47, 155)
    >>> float(yi), round(float(vi), 4)
    (55.0, 14.2516)

    Matches ``metafor::escalc(measure="MN")``.
    """
    mi, sdi, ni = (np.asarray(x, dtype=float) for x in (mi, sdi, ni))
    return mi.copy(), sdi**2 / ni


def log_mean(mi, sdi, ni):
    """Log-transformed mean (``MNLN``) and its delta-method variance.

    Parameters
    ----------
    mi, sdi, ni : array_like (..., k)
        Mean (positive), standard deviation and sample size.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log m_i, \\qquad v_i = \\frac{s_i^2}{n_i m_i^2}

    Examples
    --------
    >>> yi, vi = log_mean(75, 64, 156)
    >>> round(float(yi), 4), round(float(vi), 6)
    (4.3175, 0.004668)

    Matches ``metafor::escalc(measure="MNLN")``.
    """
    mi, sdi, ni = (np.asarray(x, dtype=float) for x in (mi, sdi, ni))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(mi), sdi**2 / (ni * mi**2)


def log_coefficient_of_variation(mi, sdi, ni):
    """Log coefficient of variation (``CVLN``), bias-corrected, and its variance.

    Parameters
    ----------
    mi, sdi, ni : array_like (..., k)
        Mean (positive), standard deviation and sample size (at least 2).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{s_i}{m_i} + \\frac{1}{2(n_i - 1)}, \\qquad
        v_i = \\frac{1}{2(n_i - 1)} + \\frac{s_i^2}{n_i m_i^2}

    (Nakagawa et al. 2015, the single-group terms of eqs. 11-12).

    References
    ----------
    Nakagawa, S., Poulin, R., Mengersen, K., Reinhold, K., Engqvist, L., Lagisz, M., &
    Senior, A. M. (2015). Meta-analysis of variation: ecological and evolutionary
    applications and beyond. Methods in Ecology and Evolution, 6(2), 143-152.

    Matches ``metafor::escalc(measure="CVLN")``.
    """
    mi, sdi, ni = (np.asarray(x, dtype=float) for x in (mi, sdi, ni))
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(sdi / mi) + 1 / (2 * (ni - 1))
        return yi, 1 / (2 * (ni - 1)) + sdi**2 / (ni * mi**2)


def log_standard_deviation(sdi, ni):
    """Log standard deviation (``SDLN``), bias-corrected, and its variance.

    Parameters
    ----------
    sdi, ni : array_like (..., k)
        Standard deviation and sample size (at least 2).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log s_i + \\frac{1}{2(n_i - 1)}, \\qquad v_i = \\frac{1}{2(n_i - 1)}

    (Nakagawa et al. 2015, eqs. 5-6). Matches ``metafor::escalc(measure="SDLN")``.
    """
    sdi, ni = (np.asarray(x, dtype=float) for x in (sdi, ni))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(sdi) + 1 / (2 * (ni - 1)), 1 / (2 * (ni - 1))


def standardized_mean(mi, sdi, ni, *, correct=True):
    """Single-group standardized mean :math:`c(n_i - 1)\\, m_i / s_i` (``SMN``), and variance.

    Parameters
    ----------
    mi, sdi, ni : array_like (..., k)
        Mean (minus any fixed reference value, for a standardized mean difference), SD and
        size of the group (at least 2).
    correct : bool, default True
        Apply Hedges' small-sample correction :math:`c(n_i - 1)` (undefined, so NaN, at
        :math:`n_i = 2`).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: y_i = c(n_i - 1)\\,\\frac{m_i}{s_i}, \\qquad v_i = \\frac{1}{n_i} + \\frac{y_i^2}{2 n_i}

    the one-sample analogue of SMD (the t statistic over :math:`\\sqrt{n}`).

    Examples
    --------
    >>> yi, vi = standardized_mean(5, 2, 10)
    >>> round(float(yi), 4), round(float(vi), 4)
    (2.2847, 0.361)

    Matches ``metafor::escalc(measure="SMN")`` (3.8-1 and 5.x).
    """
    mi, sdi, ni = (np.asarray(x, dtype=float) for x in (mi, sdi, ni))
    yi = mi / sdi
    if correct:  # c(1) is undefined: metafor returns NA for n = 2
        yi = np.where(ni > 2, hedges_correction(ni - 1), np.nan) * yi
    return yi, 1 / ni + yi**2 / (2 * ni)


def probit_proportion(xi, ni):
    """Probit-transformed proportion (``PRZ``) and its variance.

    .. math::

        y_i = \\Phi^{-1}(x_i/n_i), \\qquad v_i = \\frac{2\\pi\\, p_i (1 - p_i)\\, e^{y_i^2}}{n_i}

    (the delta method). Takes the counts after any zero-cell correction. Worked example:
    :math:`x = 10`, :math:`n = 40`: :math:`y = \\Phi^{-1}(0.25) = -0.67449`,
    :math:`v = 2\\pi \\cdot 0.1875\\, e^{0.45494}/40 = 0.046419`.

    Matches ``metafor::escalc(measure="PRZ")`` (metafor >= 4.8-0).
    """
    from scipy.stats import norm

    xi, ni = _counts(xi, ni)
    p = xi / ni
    yi = norm.ppf(p)
    with np.errstate(over="ignore", invalid="ignore"):
        return yi, 2 * np.pi * p * (1 - p) * np.exp(yi**2) / ni
