"""Reported statistics to (yi, vi), and conversions between effect-size families.

Arrays have studies on the last axis; any leading batch shape broadcasts. Every conversion
rests on an assumption that its docstring states; none is applied implicitly anywhere in the
package -- ``metaevidence.convert`` calls them only when asked, and records which one in each
row's ``source``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtri

__all__ = [
    "normal_quantile_two_sided",
    "se_from_ci",
    "se_from_p_value",
    "smd_to_log_odds_ratio",
    "log_odds_ratio_to_smd",
    "correlation_to_smd",
    "smd_to_correlation",
    "fisher_z_to_correlation",
]

#: pi / sqrt(3): the SD of the standard logistic distribution.
LOGISTIC_SD = math.pi / math.sqrt(3.0)


def normal_quantile_two_sided(level):
    """The standard normal quantile :math:`z_{1-\\alpha/2}` of a two-sided interval.

    Parameters
    ----------
    level : array_like
        Confidence level as a fraction in (0, 1), e.g. 0.95.

    Returns
    -------
    ndarray
        :math:`z` with :math:`P(|Z| \\le z) = \\text{level}`, computed as
        :math:`-\\Phi^{-1}((1 - \\text{level})/2)` (accurate for levels near 1).

    Examples
    --------
    >>> round(float(normal_quantile_two_sided(0.95)), 6)
    1.959964
    """
    return -ndtri((1 - np.asarray(level, dtype=float)) / 2)


def se_from_ci(lower, upper, *, level):
    """Standard error from a Wald confidence interval on the analysis scale.

    Parameters
    ----------
    lower, upper : array_like (..., k)
        Interval bounds on the analysis scale (already log-transformed for a ratio).
    level : array_like (..., k) or float
        Confidence level of the interval, as a fraction (0.95).

    Returns
    -------
    ndarray (..., k)
        The standard error; square it for ``vi``.

    Notes
    -----
    Assumes the interval is symmetric on the analysis scale, estimate :math:`\\pm z\\,SE`:

    .. math::

        SE = \\frac{U - L}{2 z_{1-\\alpha/2}}

    For a ratio reported with its interval, :math:`L, U` are the logs of the bounds.

    References
    ----------
    Higgins, J. P. T., et al. (Eds.) (2019). Cochrane handbook for systematic reviews of
    interventions (2nd ed.), section 6.5.2.2 (obtaining standard errors from confidence
    intervals).

    Examples
    --------
    >>> se = se_from_ci(np.log(0.90), np.log(1.54), level=0.95)   # Garfinkel 1981
    >>> round(float(se**2), 4)
    0.0188

    Matches the ``vi`` that metadat ships for ``dat.hackshaw1998`` (from the 95% CIs).
    """
    lower, upper = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    return (upper - lower) / (2 * normal_quantile_two_sided(level))


def se_from_p_value(yi, pval):
    """Standard error from an estimate and its two-sided z-test p-value.

    Parameters
    ----------
    yi : array_like (..., k)
        Estimate on the analysis scale (log scale for a ratio); must not be 0.
    pval : array_like (..., k)
        Two-sided p-value of the z-test of no effect, in (0, 1).

    Returns
    -------
    ndarray (..., k)
        The standard error.

    Notes
    -----
    Inverts :math:`p = 2\\,\\Phi(-|y_i| / SE)`:

    .. math::

        SE = \\frac{|y_i|}{z_{1 - p/2}}, \\qquad z_{1-p/2} = -\\Phi^{-1}(p/2)

    Assumes the p-value comes from a Wald z-test on the analysis scale; a p-value from a
    t-test, exact test or reported as an inequality ("p < 0.05") gives only an
    approximation (or a bound).

    References
    ----------
    Altman, D. G., & Bland, J. M. (2011). How to obtain the confidence interval from a P
    value. BMJ, 343, d2090.

    Examples
    --------
    >>> round(float(se_from_p_value(np.log(1.5), 0.01)), 4)
    0.1574
    """
    yi, pval = np.asarray(yi, dtype=float), np.asarray(pval, dtype=float)
    return np.abs(yi) / -ndtri(pval / 2)


def smd_to_log_odds_ratio(yi, vi):
    """Standardized mean difference to log odds ratio (Hasselblad-Hedges).

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Standardized mean differences and their variances.

    Returns
    -------
    yi, vi : ndarray (..., k)
        Log odds ratios and their variances.

    Notes
    -----
    Assumes the outcome is a dichotomized continuous variable with logistic
    distributions of equal variance in both groups; the logistic SD is
    :math:`\\pi/\\sqrt3`, so

    .. math::

        \\log OR = \\frac{\\pi}{\\sqrt3}\\, d, \\qquad
        v_{\\log OR} = \\frac{\\pi^2}{3}\\, v_d

    References
    ----------
    Hasselblad, V., & Hedges, L. V. (1995). Meta-analysis of screening and diagnostic
    tests. Psychological Bulletin, 117(1), 167-178.
    Chinn, S. (2000). A simple method for converting an odds ratio to effect size for use
    in meta-analysis. Statistics in Medicine, 19(22), 3127-3131.

    Examples
    --------
    >>> yi, vi = smd_to_log_odds_ratio(0.5, 0.04)
    >>> round(float(yi), 4), round(float(vi), 4)
    (0.9069, 0.1316)
    """
    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    return yi * LOGISTIC_SD, vi * LOGISTIC_SD**2


def log_odds_ratio_to_smd(yi, vi):
    """Log odds ratio to standardized mean difference (Hasselblad-Hedges).

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Log odds ratios and their variances.

    Returns
    -------
    yi, vi : ndarray (..., k)
        Standardized mean differences and their variances.

    Notes
    -----
    The inverse of :func:`smd_to_log_odds_ratio`, under the same logistic assumption:

    .. math::

        d = \\frac{\\sqrt3}{\\pi} \\log OR, \\qquad v_d = \\frac{3}{\\pi^2}\\, v_{\\log OR}

    References
    ----------
    Hasselblad, V., & Hedges, L. V. (1995). Psychological Bulletin, 117(1), 167-178.
    Chinn, S. (2000). Statistics in Medicine, 19(22), 3127-3131.

    Examples
    --------
    >>> yi, vi = log_odds_ratio_to_smd(np.log(2.0), 0.1)
    >>> round(float(yi), 4), round(float(vi), 4)
    (0.3822, 0.0304)
    """
    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    return yi / LOGISTIC_SD, vi / LOGISTIC_SD**2


def _group_factor(n1i, n2i):
    """A = (n1 + n2)^2 / (n1 n2); 4 for equal groups (n1i = n2i = None)."""
    if n1i is None or n2i is None:
        return np.asarray(4.0)
    n1i, n2i = np.asarray(n1i, dtype=float), np.asarray(n2i, dtype=float)
    return (n1i + n2i) ** 2 / (n1i * n2i)


def correlation_to_smd(ri, vi, *, n1i=None, n2i=None):
    """Correlation (point-biserial) to standardized mean difference.

    Parameters
    ----------
    ri, vi : array_like (..., k)
        Correlations in (-1, 1) and their variances.
    n1i, n2i : array_like (..., k), optional
        Sizes of the two groups behind the correlation; omitted, the groups are assumed
        equal (:math:`a = 4`).

    Returns
    -------
    yi, vi : ndarray (..., k)
        Standardized mean differences and their variances.

    Notes
    -----
    With :math:`a = (n_1 + n_2)^2 / (n_1 n_2)` (4 for equal groups), inverting
    :math:`r = d / \\sqrt{d^2 + a}` and applying the delta method:

    .. math::

        d = \\frac{\\sqrt{a}\\, r}{\\sqrt{1 - r^2}}, \\qquad
        v_d = \\frac{a\\, v_r}{(1 - r^2)^3}

    For equal groups this is Borenstein et al. (2009) eqs. 7.7-7.8,
    :math:`d = 2r/\\sqrt{1-r^2}`, :math:`v_d = 4 v_r / (1 - r^2)^3`. It assumes the
    correlation is a point-biserial correlation between a group indicator and the outcome.

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009).
    Introduction to meta-analysis, chapter 7. Wiley.

    Examples
    --------
    >>> yi, vi = correlation_to_smd(0.3, 0.01)
    >>> round(float(yi), 4), round(float(vi), 4)
    (0.629, 0.0531)
    """
    ri, vi = np.asarray(ri, dtype=float), np.asarray(vi, dtype=float)
    a = _group_factor(n1i, n2i)
    one_minus = 1 - ri**2
    return np.sqrt(a) * ri / np.sqrt(one_minus), a * vi / one_minus**3


def smd_to_correlation(yi, vi, *, n1i=None, n2i=None):
    """Standardized mean difference to (point-biserial) correlation.

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Standardized mean differences and their variances.
    n1i, n2i : array_like (..., k), optional
        Group sizes; omitted, the groups are assumed equal (:math:`a = 4`).

    Returns
    -------
    ri, vi : ndarray (..., k)
        Correlations and their variances.

    Notes
    -----
    With :math:`a = (n_1 + n_2)^2 / (n_1 n_2)`:

    .. math::

        r = \\frac{d}{\\sqrt{d^2 + a}}, \\qquad v_r = \\frac{a^2 v_d}{(d^2 + a)^3}

    (Borenstein et al. 2009, eqs. 7.5-7.6).

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009).
    Introduction to meta-analysis, chapter 7. Wiley.

    Examples
    --------
    >>> ri, vi = smd_to_correlation(0.629, 0.0531)
    >>> round(float(ri), 3), round(float(vi), 4)
    (0.3, 0.01)
    """
    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    a = _group_factor(n1i, n2i)
    return yi / np.sqrt(yi**2 + a), a**2 * vi / (yi**2 + a) ** 3


def fisher_z_to_correlation(zi, vi):
    """Fisher's z back to a correlation, with the delta-method variance.

    Parameters
    ----------
    zi, vi : array_like (..., k)
        Fisher-transformed correlations and their variances.

    Returns
    -------
    ri, vi : ndarray (..., k)
        :math:`\\tanh(z_i)` and :math:`(1 - r_i^2)^2 v_i`.

    Notes
    -----
    .. math::

        r = \\tanh z, \\qquad v_r = (1 - r^2)^2\\, v_z

    the first-order delta method (:math:`dr/dz = 1 - r^2`).

    References
    ----------
    Fisher, R. A. (1921). Metron, 1, 1-32.

    Examples
    --------
    >>> ri, vi = fisher_z_to_correlation(0.5, 0.01)
    >>> round(float(ri), 4), round(float(vi), 5)
    (0.4621, 0.00619)
    """
    zi, vi = np.asarray(zi, dtype=float), np.asarray(vi, dtype=float)
    ri = np.tanh(zi)
    return ri, (1 - ri**2) ** 2 * vi
