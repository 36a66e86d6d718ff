"""Association measures: from 2x2 tables (phi ``PHI``, Yule's Q ``YUQ`` and Y ``YUY``) and
partial correlations from regression t statistics (``PCOR``, ``ZPCOR``).

2x2 functions take the cells after any zero-cell correction (Yule's Q and Y use metafor's
default ``add=0.5``, phi ``add=0``, as metafor >= 2.1-0).
Arrays have studies on the last axis. Each function returns ``(yi, vi)``.

References
----------
Bishop, Y. M. M., Fienberg, S. E., & Holland, P. W. (1975). Discrete multivariate
analysis: Theory and practice. MIT Press (eq. 11.4-12 for phi).
Yule, G. U. (1912). On the methods of measuring association between two attributes.
Journal of the Royal Statistical Society, 75(6), 579-652.
Aloe, A. M., & Becker, B. J. (2012). An effect size for regression predictors in
meta-analysis. Journal of Educational and Behavioral Statistics, 37(2), 278-297.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects._arrays import floats, weighted_mean

__all__ = [
    "phi_coefficient",
    "yule_q",
    "yule_y",
    "partial_correlation",
    "fisher_z_partial_correlation",
    "unbiased_correlation",
]


def phi_coefficient(ai, bi, ci, di, *, sampling="CS"):
    """Phi coefficient of a 2x2 table and its large-sample variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The cells (rows: groups; columns: outcome).
    sampling : {"CS", "ST"}, default "CS"
        Cross-sectional (multinomial) sampling, or stratified sampling (fixed row totals).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`n = a+b+c+d`, row proportions :math:`p_{1\\cdot}, p_{2\\cdot}` and column
    proportions :math:`p_{\\cdot 1}, p_{\\cdot 2}`,
    :math:`\\phi = (ad - bc)/\\sqrt{n_{1\\cdot} n_{2\\cdot} n_{\\cdot 1} n_{\\cdot 2}}` and, under
    cross-sectional sampling (Bishop et al. 1975),

    .. math::

        v = \\frac1n \\Big[1 - \\phi^2 + \\phi (1 + \\tfrac12 \\phi^2)
        \\frac{(p_{1\\cdot}-p_{2\\cdot})(p_{\\cdot 1}-p_{\\cdot 2})}
        {\\sqrt{p_{1\\cdot}p_{2\\cdot}p_{\\cdot 1}p_{\\cdot 2}}}
        - \\tfrac34 \\phi^2 \\Big(\\frac{(p_{1\\cdot}-p_{2\\cdot})^2}{p_{1\\cdot}p_{2\\cdot}}
        + \\frac{(p_{\\cdot 1}-p_{\\cdot 2})^2}{p_{\\cdot 1}p_{\\cdot 2}}\\Big)\\Big]

    Under stratified sampling the delta-method variance of :math:`\\phi` as a function of
    the two independent row proportions is used.

    Matches ``metafor::escalc(measure="PHI", vtype="CS"/"ST")``.
    """
    a, b, c, d = floats(ai, bi, ci, di)
    n1, n2, m1, m2 = a + b, c + d, a + c, b + d
    n = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = (a * d - b * c) / np.sqrt(n1 * n2 * m1 * m2)
        if sampling == "CS":
            p1, p2, q1, q2 = n1 / n, n2 / n, m1 / n, m2 / n
            vi = (
                1
                - yi**2
                + yi * (1 + yi**2 / 2) * (p1 - p2) * (q1 - q2) / np.sqrt(p1 * p2 * q1 * q2)
                - 0.75 * yi**2 * ((p1 - p2) ** 2 / (p1 * p2) + (q1 - q2) ** 2 / (q1 * q2))
            ) / n
        else:
            vi = _phi_stratified_variance(a, b, c, d)
    return yi, vi


def _phi_stratified_variance(a, b, c, d):
    # phi as a function of the two independent row proportions x1 = a/n1, x2 = c/n2 with
    # the row totals fixed: delta method with Var(x_g) = x_g (1 - x_g) / n_g.
    n1, n2 = a + b, c + d
    n = n1 + n2
    x1, x2 = a / n1, c / n2
    w1, w2 = n1 / n, n2 / n
    q = w1 * x1 + w2 * x2  # column-1 proportion
    s = np.sqrt(w1 * w2 / (q * (1 - q)))
    phi = s * (x1 - x2)
    dq = (1 - 2 * q) / (2 * q * (1 - q))
    d1 = s - phi * dq * w1
    d2 = -s - phi * dq * w2
    return d1**2 * x1 * (1 - x1) / n1 + d2**2 * x2 * (1 - x2) / n2


def yule_q(ai, bi, ci, di):
    """Yule's Q, :math:`(OR - 1)/(OR + 1)`, and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The cells after any zero-cell correction.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        Q = \\frac{ad - bc}{ad + bc}, \\qquad
        v = \\tfrac14 (1 - Q^2)^2 \\left(\\tfrac1a + \\tfrac1b + \\tfrac1c + \\tfrac1d\\right)

    Examples
    --------
    >>> yi, vi = yule_q(135, 15, 40, 10)      # Handbook of Research Synthesis, Table 13.4
    >>> round(float(yi), 4), round(float(vi) ** 0.5, 4)
    (0.3846, 0.1901)

    Matches ``metafor::escalc(measure="YUQ")``.
    """
    a, b, c, d = floats(ai, bi, ci, di)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = (a * d) / (b * c)
        yi = (odds - 1) / (odds + 1)
        return yi, 0.25 * (1 - yi**2) ** 2 * (1 / a + 1 / b + 1 / c + 1 / d)


def yule_y(ai, bi, ci, di):
    """Yule's Y, :math:`(\\sqrt{OR} - 1)/(\\sqrt{OR} + 1)`, and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The cells after any zero-cell correction.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        v = \\tfrac1{16} (1 - Y^2)^2 \\left(\\tfrac1a + \\tfrac1b + \\tfrac1c + \\tfrac1d\\right)

    Matches ``metafor::escalc(measure="YUY")``.
    """
    a, b, c, d = floats(ai, bi, ci, di)
    with np.errstate(divide="ignore", invalid="ignore"):
        root = np.sqrt((a * d) / (b * c))
        yi = (root - 1) / (root + 1)
        return yi, (1 - yi**2) ** 2 * (1 / a + 1 / b + 1 / c + 1 / d) / 16


def partial_correlation(ti, ni, mi, *, legacy=False):
    """Partial correlation of a predictor from its regression t statistic (``PCOR``).

    Parameters
    ----------
    ti : array_like (..., k)
        t statistic of the predictor's coefficient.
    ni, mi : array_like (..., k)
        Sample size and number of predictors in the model (counting the focal one).
    legacy : bool, default False
        ``False``: :math:`v = (1 - r_p^2)^2/(n_i - m_i)`, as metafor >= 4.6-0 (5.1-12
        checked); ``True``: :math:`(1 - r_p^2)^2/(n_i - m_i - 1)`, as metafor 3.8-1.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`\\nu = n_i - m_i - 1` residual degrees of freedom,

    .. math:: r_p = \\frac{t_i}{\\sqrt{t_i^2 + \\nu}}, \\qquad v = \\frac{(1 - r_p^2)^2}{\\nu + 1}

    Matches ``metafor::escalc(measure="PCOR")`` (5.x; ``legacy=True``: 3.8-1).
    """
    ti, ni, mi = (np.asarray(x, dtype=float) for x in (ti, ni, mi))
    df = ni - mi - 1
    yi = ti / np.sqrt(ti**2 + df)
    return yi, (1 - yi**2) ** 2 / (df if legacy else df + 1)


def fisher_z_partial_correlation(ti, ni, mi, *, legacy=False):
    """Fisher's z of the partial correlation (``ZPCOR``) and its variance.

    Parameters
    ----------
    ti, ni, mi : array_like (..., k)
        As :func:`partial_correlation`.
    legacy : bool, default False
        ``False``: :math:`v = 1/(n_i - m_i - 2)`, as metafor 5.x (NEWS 4.0-0: "a better
        approximation in small samples", analogous to ZCOR's :math:`1/(n - 3)`, with
        ``mi`` counting the focal predictor since 4.6-0; checked against metafor 5.1-12).
        ``True``: :math:`v = 1/(n_i - m_i - 1)`, as metafor < 4.0-0 (Debian's 3.8-1).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Examples
    --------
    >>> yi, vi = fisher_z_partial_correlation(4.61, 218, 4)     # Aloe (2013), study 1
    >>> round(float(yi), 4), round(float(vi), 4)
    (0.3108, 0.0047)

    Matches ``metafor::escalc(measure="ZPCOR")`` (metafor >= 4.0-0; ``legacy=True``: 3.8-1).
    """
    ti, ni, mi = (np.asarray(x, dtype=float) for x in (ti, ni, mi))
    r = ti / np.sqrt(ti**2 + ni - mi - 1)
    return np.arctanh(r), 1 / (ni - mi - (1 if legacy else 2))


def unbiased_correlation(ri, ni, *, vtype="LS"):
    """Correlation corrected for its small negative bias (``UCOR``), and its variance.

    Parameters
    ----------
    ri : array_like (..., k)
        Correlations in [-1, 1].
    ni : array_like (..., k)
        Sample sizes, at least 5.
    vtype : {"LS", "AV", "UB"}, default "LS"
        ``"AV"``: the large-sample variance at the sample-size weighted mean of the
        corrected correlations (over the last axis, NaN rows ignored); ``"UB"``: the
        unbiased estimate of the variance (below).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    The exact minimum-variance unbiased estimator of Olkin & Pratt (1958, eq. 2.3),

    .. math::

        y_i = r_i \\, {}_2F_1\\!\\left(\\tfrac12, \\tfrac12; \\tfrac{n_i - 2}{2}; 1 - r_i^2\\right),
        \\qquad v_i = \\frac{(1 - y_i^2)^2}{n_i - 1}

    and with ``vtype="UB"`` the unbiased estimate of the variance of :math:`y_i`,
    :math:`y_i^2` minus the unbiased estimate of :math:`\\rho^2` (Olkin & Pratt 1958):

    .. math::

        v_i^{UB} = y_i^2 - \\Big(1 - \\frac{n_i - 3}{n_i - 2}\\,(1 - r_i^2)\\,
        {}_2F_1\\!\\left(1, 1; \\tfrac{n_i}{2}; 1 - r_i^2\\right)\\Big)

    (Hedges 1989, with the exact hypergeometric function rather than its
    approximation). metafor evaluates both hypergeometric functions with GSL's
    ``hyperg_2F1``, which loses accuracy as :math:`1 - r_i^2` nears 1 with small
    :math:`n_i` (at :math:`r = 0.05, n = 10` GSL's :math:`{}_2F_1(1, 1; 5; 0.9975)` is
    1.336673 where the series gives 1.331675, so metafor's UCOR is 9e-4 and its UB
    variance 2.6% off there); this function agrees with the series to 1e-14.

    References
    ----------
    Olkin, I., & Pratt, J. W. (1958). Unbiased estimation of certain correlation
    coefficients. Annals of Mathematical Statistics, 29(1), 201-211.
    Hedges, L. V. (1989). An unbiased correction for sampling error in validity
    generalization studies. Journal of Applied Psychology, 74(3), 469-477.

    scipy's ``hyp2f1`` returns NaN for large :math:`n_i` with :math:`z = 1 - r_i^2` near 1;
    there the hypergeometric series (of either function) is summed directly (it converges fast when the third
    parameter is large). Rows with :math:`n_i \\le 4` are NaN, as in metafor.

    Matches ``metafor::escalc(measure="UCOR", vtype=...)`` where GSL is accurate.
    """
    if vtype not in ("LS", "AV", "UB"):
        raise ValueError(f"vtype for UCOR must be one of 'LS', 'AV', 'UB'; got {vtype!r}")
    ri, ni = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (ri, ni)))
    z = 1 - ri**2
    yi = np.where(ni > 4, ri * _hyp2f1_aa(0.5, (ni - 2) / 2, z, ni > 4), np.nan)
    if vtype == "AV":
        return yi, (1 - weighted_mean(yi, ni) ** 2) ** 2 / (ni - 1)
    if vtype == "UB":
        rho2 = 1 - (ni - 3) / (ni - 2) * z * _hyp2f1_aa(1.0, ni / 2, z, ni > 4)
        return yi, np.where(ni > 4, yi**2 - rho2, np.nan)
    return yi, (1 - yi**2) ** 2 / (ni - 1)


def _hyp2f1_aa(a, c, z, usable):
    """2F1(a, a; c; z) by scipy, and by its series where scipy gives NaN on ``usable`` rows."""
    from scipy.special import hyp2f1

    with np.errstate(invalid="ignore"):
        f = hyp2f1(a, a, c, z)
    redo = ~np.isfinite(f) & np.isfinite(z) & usable
    if redo.any():
        f = np.where(redo, _hyp2f1_series(a, c, z, redo), f)
    return f


def _hyp2f1_series(a, c, z, rows, max_terms=200_000):
    """2F1(a, a; c; z) by its power series at ``rows`` (NaN elsewhere)."""
    cc, zz = np.where(rows, c, 2.0), np.where(rows, z, 0.0)
    term, total = np.ones_like(cc), np.ones_like(cc)
    for k in range(max_terms):
        term = term * (k + a) ** 2 / ((k + cc) * (k + 1)) * zz
        total = total + term
        if np.all(term <= 1e-17 * total):
            break
    return np.where(rows, total, np.nan)
