"""Correlations estimated from other statistics: tetrachoric (``RTET``) from a 2x2 table,
point-biserial (``RPB``) and biserial (``RBIS``) from two groups' means and SDs,
semi-partial (``SPCOR``) from a regression t statistic, the coefficient of determination
(``R2``), and Fisher's z of any of them (``ZTET ZPHI ZPB ZBIS ZSPCOR ZR2``).

Arrays have studies on the last axis. Each function returns ``(yi, vi)``.

References
----------
Aloe, A. M., & Becker, B. J. (2012). An effect size for regression predictors in
meta-analysis. Journal of Educational and Behavioral Statistics, 37(2), 278-297.
Jacobs, P., & Viechtbauer, W. (2017). Estimation of the biserial correlation and its
sampling variance for use in meta-analysis. Research Synthesis Methods, 8(2), 161-180.
Kendall, M., & Stuart, A. (1979). The advanced theory of statistics, Vol. 2 (4th ed.),
eqs. 27.87-27.88.
Kirk, D. B. (1973). On the numerical approximation of the bivariate normal (tetrachoric)
correlation coefficient. Psychometrika, 38(2), 259-268.
Tate, R. F. (1954). Correlation between a discrete and a continuous variable.
Point-biserial correlation. Annals of Mathematical Statistics, 25(3), 603-607.
"""

from __future__ import annotations

import numpy as np
from scipy import integrate, optimize, stats

from metaevidence.core.effects._arrays import weighted_mean

__all__ = [
    "fisher_z_of",
    "tetrachoric",
    "point_biserial",
    "biserial",
    "semipartial_correlation",
    "r_squared",
    "fisher_z_r_squared",
]


def fisher_z_of(yi, vi):
    """Fisher's z of a correlation estimate and its delta-method variance.

    .. math:: z_i = \\operatorname{atanh} y_i, \\qquad v_{z,i} = \\frac{v_i}{(1 - y_i^2)^2}

    Not variance-stabilizing for other correlations than Pearson's (metafor's note for
    ``ZPHI ZTET ZPB ZBIS ZSPCOR``). Matches those measures of ``metafor::escalc`` (>= 4.0-0).
    """
    yi, vi = np.asarray(yi, dtype=float), np.asarray(vi, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.arctanh(yi), vi / (1 - yi**2) ** 2


def _density(h, k, r):
    s2 = 1 - r * r
    return np.exp(-(h * h - 2 * r * h * k + k * k) / (2 * s2)) / (2 * np.pi * np.sqrt(s2))


def _bivariate_cdf(h, k, r):
    # Phi2(h, k; r) = Phi(h) Phi(k) + int_0^r phi2(h, k; t) dt (Plackett's identity), with
    # t = sin(theta) so the integrand stays smooth as r -> +-1
    def integrand(theta):
        c2 = np.cos(theta) ** 2
        return np.exp(-(h * h - 2 * h * k * np.sin(theta) + k * k) / (2 * c2)) / (2 * np.pi)

    inner = integrate.quad(integrand, 0.0, np.arcsin(r), epsabs=1e-15, epsrel=1e-13, limit=200)[0]
    return stats.norm.cdf(h) * stats.norm.cdf(k) + inner


def _cell_gap(r, h, k, p11):
    return _bivariate_cdf(h, k, r) - p11


def tetrachoric(ai, bi, ci, di):
    """Tetrachoric correlation of 2x2 tables and its large-sample variance (``RTET``).

    Parameters
    ----------
    ai, bi, ci, di : array_like (k,)
        The cells after any zero-cell correction (metafor's default ``add`` is 0 here).

    Returns
    -------
    yi, vi : ndarray (k,)

    Notes
    -----
    With thresholds :math:`h = \\Phi^{-1}((a+b)/n)`, :math:`k = \\Phi^{-1}((a+c)/n)` the
    estimate solves :math:`\\Phi_2(h, k; \\rho) = a/n` (the maximum-likelihood estimate: the
    model is saturated). The variance is the delta method under multinomial sampling:
    :math:`\\rho` moves with the cell proportions as
    :math:`d\\rho = (dp_a - A\\, dp_{1\\cdot} - B\\, dp_{\\cdot 1}) / \\phi_2(h, k; \\rho)`,
    :math:`A = \\Phi((k - \\rho h)/\\sqrt{1-\\rho^2})`, :math:`B = \\Phi((h - \\rho k)/\\sqrt{1-\\rho^2})`,
    so with weights :math:`w = (1 - A - B, -A, -B, 0)` on the cells

    .. math:: v = \\frac{\\sum_j w_j^2 p_j - (\\sum_j w_j p_j)^2}{n\\, \\phi_2(h, k; \\rho)^2}

    Tables with a zero cell give :math:`\\rho = \\pm 1` (no finite variance): NaN here.

    Examples
    --------
    >>> yi, vi = tetrachoric([135], [15], [40], [10])   # Handbook (2009), Table 13.4
    >>> round(float(yi[0]), 5), round(float(np.sqrt(vi[0])), 4)
    (0.26024, 0.1423)

    (the Handbook prints 0.2603 from an approximation; 0.26024 is the exact root).

    Matches ``metafor::escalc(measure="RTET")`` to its optimizer's tolerance (metafor
    solves by numerical optimization with mvtnorm's integration, about 1e-4 relative).
    """
    cells = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, dtype=float)) for x in (ai, bi, ci, di)))
    yi = np.full(cells[0].shape, np.nan)
    vi = np.full(cells[0].shape, np.nan)
    for i in np.ndindex(yi.shape):
        a, b, c, d = (x[i] for x in cells)
        n = a + b + c + d
        if not (np.isfinite(n) and min(a, b, c, d) > 0):
            continue
        h, k = stats.norm.ppf((a + b) / n), stats.norm.ppf((a + c) / n)
        lim = 1 - 1e-12
        r = optimize.brentq(_cell_gap, -lim, lim, args=(h, k, a / n), xtol=1e-15, rtol=1e-15)
        s = np.sqrt(1 - r * r)
        big_a, big_b = stats.norm.cdf((k - r * h) / s), stats.norm.cdf((h - r * k) / s)
        w = np.array([1 - big_a - big_b, -big_a, -big_b, 0.0])
        p = np.array([a, b, c, d]) / n
        yi[i] = r
        vi[i] = (np.sum(w**2 * p) - np.sum(w * p) ** 2) / (n * _density(h, k, r) ** 2)
    return yi, vi


def _cohen_d(m1i, sd1i, n1i, m2i, sd2i, n2i):
    df = n1i + n2i - 2
    return (m1i - m2i) / np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / df), df


def point_biserial(m1i, sd1i, n1i, m2i, sd2i, n2i, *, sampling="ST"):
    """Point-biserial correlation from two groups' means, SDs and sizes (``RPB``).

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean, SD and size of each group.
    sampling : {"ST", "CS"}, default "ST"
        Stratified sampling (group sizes fixed by design; metafor's default, ``vtype="LS"``
        is treated as ``"ST"``) or cross-sectional sampling.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With Cohen's :math:`d` (pooled SD), :math:`n = n_1 + n_2`, :math:`p = n_1/n`, :math:`q = 1-p`
    and :math:`h = (n-2)/n_1 + (n-2)/n_2`,
    :math:`r = d/\\sqrt{d^2 + h}` (the product-moment correlation of the outcome with the
    group indicator). Cross-sectional (Tate 1954):
    :math:`v = (1-r^2)^2 (1 - \\tfrac32 r^2 + r^2/(4pq))/n`; stratified: the delta method of
    :math:`r(d)` with :math:`\\operatorname{Var} d = 1/n_1 + 1/n_2 + d^2/(2n)`,
    :math:`v = h^2 \\operatorname{Var}(d)/(d^2 + h)^3`.

    Matches ``metafor::escalc(measure="RPB", vtype="ST"/"CS")`` (3.8-1 and 5.x).
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    with np.errstate(divide="ignore", invalid="ignore"):
        d, df = _cohen_d(m1i, sd1i, n1i, m2i, sd2i, n2i)
        n = n1i + n2i
        h = df / n1i + df / n2i
        yi = d / np.sqrt(d**2 + h)
        if sampling == "CS":
            pq = n1i * n2i / n**2
            vi = (1 - yi**2) ** 2 * (1 - 1.5 * yi**2 + yi**2 / (4 * pq)) / n
        else:
            vi = h**2 * (1 / n1i + 1 / n2i + d**2 / (2 * n)) / (d**2 + h) ** 3
    return yi, vi


def biserial(m1i, sd1i, n1i, m2i, sd2i, n2i):
    """Biserial correlation from two groups' means, SDs and sizes (``RBIS``), and variance.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean, SD and size of each group (group 1 above the cut of the latent variable).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With the point-biserial :math:`r_{pb}` of :func:`point_biserial`, :math:`p = n_1/n`,
    :math:`z = \\Phi^{-1}(p)` and :math:`f = \\phi(z)`, :math:`r_b = r_{pb}\\sqrt{pq}/f` and
    (Soper 1914, as in Jacobs & Viechtbauer 2017)

    .. math::

        v = \\frac{1}{n - 1}\\left[\\rho^4 + \\rho^2\\left(\\frac{pq z^2}{f^2}
        - \\frac{(2p - 1) z}{f} - \\frac52\\right) + \\frac{pq}{f^2}\\right]

    evaluated at :math:`\\rho = \\min(|r_b|, 1)` (a biserial estimate can exceed 1; the
    variance is taken at the bound, as metafor does).

    Matches ``metafor::escalc(measure="RBIS")`` (3.8-1 and 5.x).
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    rpb, _ = point_biserial(m1i, sd1i, n1i, m2i, sd2i, n2i)
    n = n1i + n2i
    p = n1i / n
    z = stats.norm.ppf(p)
    f = stats.norm.pdf(z)
    yi = rpb * np.sqrt(p * (1 - p)) / f
    rho2 = np.minimum(yi**2, 1.0)
    pq = p * (1 - p)
    vi = (rho2**2 + rho2 * (pq * z**2 / f**2 - (2 * p - 1) * z / f - 2.5) + pq / f**2) / (n - 1)
    return yi, vi


def semipartial_correlation(ti, ni, mi, r2i):
    """Semi-partial correlation of a regression predictor from its t statistic (``SPCOR``).

    Parameters
    ----------
    ti : array_like (..., k)
        t statistic of the focal predictor's coefficient.
    ni, mi, r2i : array_like (..., k)
        Sample size, number of predictors (counting the focal one) and the model's
        :math:`R^2`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        r_{sp} = \\frac{t_i \\sqrt{1 - R^2}}{\\sqrt{n_i - m_i - 1}}, \\qquad
        v = \\frac{R^4 - 2R^2 + 1 + R_{(-)}^2 - R_{(-)}^4}{n_i}, \\quad
        R_{(-)}^2 = R^2 - r_{sp}^2

    (Aloe & Becker 2012; :math:`R_{(-)}^2` is the :math:`R^2` without the focal predictor).

    Examples
    --------
    >>> yi, vi = semipartial_correlation(4.61, 218, 4, 0.24)   # Aloe (2013), study 1
    >>> round(float(yi), 4), round(float(vi), 4)
    (0.2754, 0.0033)

    Matches ``metafor::escalc(measure="SPCOR")`` (3.8-1 and 5.x).
    """
    ti, ni, mi, r2i = (np.asarray(x, dtype=float) for x in (ti, ni, mi, r2i))
    yi = ti * np.sqrt(1 - r2i) / np.sqrt(ni - mi - 1)
    r2_without = r2i - yi**2
    return yi, (r2i**2 - 2 * r2i + 1 + r2_without - r2_without**2) / ni


def r_squared(r2i, ni, mi, *, vtype="LS"):
    """Coefficient of determination of a regression model (``R2``) and its variance.

    Parameters
    ----------
    r2i, ni, mi : array_like (..., k)
        :math:`R^2`, sample size and number of predictors (not counting the intercept).
    vtype : {"LS", "LS2", "AV", "AV2"}, default "LS"
        Kendall & Stuart's (1979) eq. 27.88 (``"LS"``) or eq. 27.87 (``"LS2"``);
        ``"AV"``/``"AV2"`` the same with the sample-size weighted mean :math:`R^2` of the
        studies (last axis, NaN rows ignored) in place of each :math:`R_i^2`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    For random predictors (multivariate normal data) and a non-zero true :math:`R^2`:

    .. math::

        v_{LS} = \\frac{4 R^2 (1 - R^2)^2}{n}, \\qquad
        v_{LS2} = \\frac{4 R^2 (1 - R^2)^2 (n - m - 1)^2}{(n^2 - 1)(n + 3)}

    Worked example: :math:`R^2 = 0.3`, :math:`n = 50`: :math:`v_{LS} = 4 \\cdot 0.3 \\cdot 0.49/50 = 0.01176`.

    Matches ``metafor::escalc(measure="R2", vtype=...)`` (metafor >= 4.6-0; AV and AV2
    checked against 5.1-12).
    """
    r2i, ni, mi = (np.asarray(x, dtype=float) for x in (r2i, ni, mi))
    if vtype not in ("LS", "LS2", "AV", "AV2"):
        raise ValueError(f"vtype for R2 must be one of 'LS', 'LS2', 'AV', 'AV2'; got {vtype!r}")
    plug = r2i
    if vtype in ("AV", "AV2"):
        plug = weighted_mean(r2i, ni)
    core = 4 * plug * (1 - plug) ** 2
    if vtype in ("LS2", "AV2"):
        return r2i, core * (ni - mi - 1) ** 2 / ((ni**2 - 1) * (ni + 3))
    return r2i, core / ni


def fisher_z_r_squared(r2i, ni):
    """Fisher's z of the multiple correlation :math:`\\sqrt{R^2}` (``ZR2``), variance :math:`1/n`.

    .. math:: y_i = \\operatorname{atanh}\\sqrt{R_i^2}, \\qquad v_i = 1/n_i

    (Olkin & Finn 1995, with the factor 1/2; the delta method of ``R2``'s LS variance gives
    exactly :math:`1/n`). Matches ``metafor::escalc(measure="ZR2")`` (metafor >= 4.6-0).
    """
    r2i, ni = np.asarray(r2i, dtype=float), np.asarray(ni, dtype=float)
    return np.arctanh(np.sqrt(r2i)), 1 / ni
