"""Effect sizes from means, standard deviations and correlations.

Two-group continuous outcomes (``MD``, ``SMD``, ``SMDH``, ``ROM``) and correlations (``COR``,
``ZCOR``). Arrays have studies on the last axis; any leading batch shape broadcasts. Each
function returns ``(yi, vi)`` as ``metafor::escalc`` computes them with ``vtype="LS"``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from metaevidence.core.effects._arrays import weighted_mean

__all__ = [
    "hedges_correction",
    "standardized_mean_difference_control_sd_heteroscedastic",
    "mean_difference",
    "standardized_mean_difference",
    "standardized_mean_difference_heteroscedastic",
    "log_ratio_of_means",
    "correlation",
    "fisher_z",
    "standardized_mean_difference_control_sd",
]


def hedges_correction(df):
    """Exact small-sample bias-correction factor of the standardized mean difference.

    Parameters
    ----------
    df : array_like (..., k)
        Degrees of freedom of the standardizing SD (``n1i + n2i - 2`` for a pooled SD).

    Returns
    -------
    ndarray (..., k)
        :math:`c(m)`, with :math:`0 < c(m) < 1` for :math:`m > 1`.

    Notes
    -----
    .. math::

        c(m) = \\frac{\\Gamma(m/2)}{\\sqrt{m/2}\\,\\Gamma((m-1)/2)}

    computed through log-gamma, as metafor does (the two agree to ~1e-14 even for
    :math:`m` in the millions, where both carry the ~1e-16 :math:`\\log\\Gamma(m/2)`
    absolute rounding of the difference: ~1e-9 relative at :math:`m = 3\\cdot10^6`). The
    familiar approximation :math:`1 - 3/(4m - 1)` differs by :math:`O(m^{-3})`.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
    related estimators. Journal of Educational Statistics, 6(2), 107-128 (eq. 6e).

    Examples
    --------
    >>> round(float(hedges_correction(10)), 6)
    0.922746

    Matches the correction metafor applies in ``escalc(measure="SMD")``.
    """
    m = np.asarray(df, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.exp(gammaln(m / 2) - 0.5 * np.log(m / 2) - gammaln((m - 1) / 2))


def mean_difference(m1i, sd1i, n1i, m2i, sd2i, n2i, *, vtype="LS"):
    """Raw mean difference of two groups and its (heteroscedastic) variance.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean, standard deviation and size of group 1 and of group 2.
    vtype : {"LS", "HO"}, default "LS"
        ``"LS"``: without assuming equal variances (Borenstein 2009, eq. 12.5); ``"HO"``:
        with the pooled variance :math:`s_p^2 (1/n_1 + 1/n_2)` (eq. 12.3).

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\bar x_1 - \\bar x_2` and its sampling variance.

    Notes
    -----
    .. math::

        y_i = m_{1i} - m_{2i}, \\qquad
        v_i = \\frac{s_{1i}^2}{n_{1i}} + \\frac{s_{2i}^2}{n_{2i}}

    (no equal-variance assumption: Borenstein 2009, eq. 12.5).

    References
    ----------
    Borenstein, M. (2009). Effect sizes for continuous data. In H. Cooper et al. (Eds.),
    The handbook of research synthesis and meta-analysis (2nd ed., pp. 221-235).

    Examples
    --------
    >>> yi, vi = mean_difference(55, 47, 155, 75, 64, 156)   # Normand (1999), Edinburgh
    >>> float(yi), round(float(vi), 4)
    (-20.0, 40.508)

    Matches ``metafor::escalc(measure="MD", vtype=...)``.
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    if vtype not in ("LS", "HO"):
        raise ValueError(f"vtype for MD must be 'LS' or 'HO'; got {vtype!r}")
    if vtype == "HO":
        sp2 = ((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / (n1i + n2i - 2)
        return m1i - m2i, sp2 * (1 / n1i + 1 / n2i)
    return m1i - m2i, sd1i**2 / n1i + sd2i**2 / n2i


def standardized_mean_difference(m1i, sd1i, n1i, m2i, sd2i, n2i, *, vtype="LS"):
    """Hedges' g (bias-corrected standardized mean difference) and its variance.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean, standard deviation and size of group 1 and of group 2; needs
        ``n1i + n2i >= 4``.
    vtype : {"LS", "LS2", "UB", "AV", "H0"}, default "LS"
        ``"LS"``: the large-sample variance (Hedges 1982, eq. 8); ``"LS2"``: Borenstein's
        (2009, eq. 12.17) variance of d times :math:`c(m)^2`; ``"UB"``: the unbiased
        estimate (Hedges 1983, eq. 9); ``"AV"``: ``"LS"`` with the sample-size weighted mean
        of the g values (over the last axis, NaN rows ignored) in place of each study's
        g; ``"H0"``: the exact variance of g under the null (true SMD 0),
        :math:`c(m)^2\\, m/(m-2)\\,(1/n_1 + 1/n_2)` (g is :math:`c(m)\\sqrt{1/n_1 + 1/n_2}`
        times a t variable on m df, whose variance is :math:`m/(m-2)`).

    Returns
    -------
    yi, vi : ndarray (..., k)
        Hedges' g and its large-sample sampling variance.

    Notes
    -----
    With the pooled SD :math:`s_{pi} = \\sqrt{((n_{1i}-1)s_{1i}^2 + (n_{2i}-1)s_{2i}^2)/
    (n_{1i}+n_{2i}-2)}` and the exact correction :math:`c` of :func:`hedges_correction`
    at :math:`m = n_{1i}+n_{2i}-2`,

    .. math::

        y_i = c(m)\\,\\frac{m_{1i} - m_{2i}}{s_{pi}}, \\qquad
        v_i = \\frac{1}{n_{1i}} + \\frac{1}{n_{2i}} + \\frac{y_i^2}{2(n_{1i} + n_{2i})}

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
    related estimators. Journal of Educational Statistics, 6(2), 107-128.
    Hedges, L. V. (1982). Estimation of effect size from a series of independent
    experiments. Psychological Bulletin, 92(2), 490-499 (eq. 8).

    Examples
    --------
    >>> yi, vi = standardized_mean_difference(55, 47, 155, 75, 64, 156)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.3552, 0.0131)

    With ``vtype="UB"``, :math:`v_i = 1/n_{1i} + 1/n_{2i} + (1 - (m-2)/(m\\,c(m)^2))\\,y_i^2`.

    Matches ``metafor::escalc(measure="SMD", vtype=...)``.
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    if vtype not in ("LS", "LS2", "UB", "AV", "H0"):
        raise ValueError(f"vtype for SMD must be one of 'LS', 'LS2', 'UB', 'AV', 'H0'; got {vtype!r}")
    df = n1i + n2i - 2
    sdpi = np.sqrt(((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / df)
    cmi = hedges_correction(df)
    yi = cmi * (m1i - m2i) / sdpi
    n = n1i + n2i
    if vtype == "UB":
        vi = 1 / n1i + 1 / n2i + (1 - (df - 2) / (df * cmi**2)) * yi**2
    elif vtype == "AV":
        vi = 1 / n1i + 1 / n2i + weighted_mean(yi, n) ** 2 / (2 * n)
    elif vtype == "H0":
        vi = _null_variance(cmi, df, n1i, n2i) + 0 * yi
    elif vtype == "LS2":
        d = (m1i - m2i) / sdpi
        vi = cmi**2 * (1 / n1i + 1 / n2i + d**2 / (2 * n))
    else:
        vi = 1 / n1i + 1 / n2i + yi**2 / (2 * n)
    return yi, vi


def _null_variance(cmi, m, n1i, n2i):
    """The variance of a bias-corrected SMD on m df when the true SMD is 0 (NaN for m <= 2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(m > 2, cmi**2 * m / (m - 2) * (1 / n1i + 1 / n2i), np.nan)


#: vtype values of the SMD and SMD1 variances (metafor's spellings).
SMD_VTYPES = ("LS", "LS2", "UB", "AV", "H0")


def standardized_mean_difference_heteroscedastic(m1i, sd1i, n1i, m2i, sd2i, n2i, *, legacy=False):
    """Standardized mean difference without assuming equal variances (Bonett), and variance.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean, standard deviation and size of group 1 and of group 2; needs at least two
        people per group.
    legacy : bool, default False
        ``False``: the variance of metafor >= 4.6-0 (current metafor, 5.x). ``True``: the
        variance of metafor < 4.6-0 (Debian's 3.8-1), which also multiplies by
        :math:`c^2`.

    Returns
    -------
    yi, vi : ndarray (..., k)
        Bias-corrected standardized difference and its sampling variance.

    Notes
    -----
    The difference is standardized by the root mean variance
    :math:`s_{pi} = \\sqrt{(s_{1i}^2 + s_{2i}^2)/2}` and corrected with
    :math:`c = c(n_{1i}+n_{2i}-2)` of :func:`hedges_correction`. The variance is
    Bonett's (2009, eq. 3 with the sample quantities) large-sample variance of the
    standardized difference, evaluated at the corrected estimate, as SMD's variance is:

    .. math::

        y_i = c\\,\\frac{m_{1i} - m_{2i}}{s_{pi}}, \\qquad
        v_i = \\frac{y_i^2 \\left(\\frac{s_{1i}^4}{n_{1i}-1} +
        \\frac{s_{2i}^4}{n_{2i}-1}\\right)}{8 s_{pi}^4} +
        \\frac{\\frac{s_{1i}^2}{n_{1i}-1} + \\frac{s_{2i}^2}{n_{2i}-1}}{s_{pi}^2}

    metafor before 4.6-0 multiplied this by :math:`c^2` (``legacy=True``; NEWS of 4.6-0:
    "calculation of the sampling variances for SMDH ... slightly adjusted for
    consistency"). The current form reproduces metafor 5.1-12's own test values on the
    first four studies of Normand (1999) (0.0132, 0.0674, 0.0515, 0.1961); the legacy form
    matches Debian's metafor 3.8-1 to 1e-10.

    References
    ----------
    Bonett, D. G. (2008). Confidence intervals for standardized linear contrasts of
    means. Psychological Methods, 13(2), 99-109.
    Bonett, D. G. (2009). Meta-analytic interval estimation for standardized and
    unstandardized mean differences. Psychological Methods, 14(3), 225-238.

    Examples
    --------
    >>> yi, vi = standardized_mean_difference_heteroscedastic(55, 47, 155, 75, 64, 156)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.3553, 0.0132)

    Matches ``metafor::escalc(measure="SMDH")`` of metafor >= 4.6-0 (``legacy=True``:
    metafor 3.8-1).
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    sdpi2 = (sd1i**2 + sd2i**2) / 2
    cmi = hedges_correction(n1i + n2i - 2)
    yi = cmi * (m1i - m2i) / np.sqrt(sdpi2)
    with np.errstate(divide="ignore", invalid="ignore"):
        fourth = sd1i**4 / (n1i - 1) + sd2i**4 / (n2i - 1)
        second = sd1i**2 / (n1i - 1) + sd2i**2 / (n2i - 1)
        vi = yi**2 * fourth / (8 * sdpi2**2) + second / sdpi2
    if legacy:
        vi = cmi**2 * vi
    return yi, vi


def log_ratio_of_means(m1i, sd1i, n1i, m2i, sd2i, n2i, *, correct=False, vtype="LS"):
    """Log ratio of means (log response ratio) and its variance, optionally bias-corrected.

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Mean (positive: a ratio-scale outcome), standard deviation and size of group 1
        and of group 2.
    correct : bool, default False
        ``True``: add the second-order bias correction of Lajeunesse (2015, eq. 8) to the
        estimate, as metafor >= 5.0-1 does by default (``escalc(correct=TRUE)``); the
        variance is unchanged. ``False``: the classic estimator of Hedges et al. (1999),
        which metafor < 5.0-1 (including Debian's 3.8-1) computes.
    vtype : {"LS", "LS2", "HO", "AV", "AVHO"}, default "LS"
        ``"LS"``: the delta-method variance (Hedges et al. 1999, eq. 1); ``"LS2"``: the
        second-order variance (Lajeunesse 2015, eq. 9); ``"HO"``: the variance assuming
        equal SDs in the two groups (pooled SD; the equation after eq. 1 of Hedges et al.);
        ``"AV"``: each group's coefficient of variation replaced by its sample-size
        weighted mean over the studies (last axis) that report an SD, so that a study
        without SDs still gets a variance (Nakagawa et al. 2023); ``"AVHO"``: one weighted
        mean CV for both groups, over the studies that report both SDs.

    Returns
    -------
    yi, vi : ndarray (..., k)
        Log ratio of means and its sampling variance.

    Notes
    -----
    With squared coefficients of variation of the means
    :math:`u_{gi} = s_{gi}^2 / (n_{gi} m_{gi}^2)`,

    .. math::

        y_i = \\log\\frac{m_{1i}}{m_{2i}} \\;\\Big[+ \\tfrac12 (u_{1i} - u_{2i})\\Big], \\qquad
        v_i^{LS} = u_{1i} + u_{2i}, \\qquad
        v_i^{LS2} = u_{1i} + u_{2i} + \\tfrac12 (u_{1i}^2 + u_{2i}^2)

    (the bracket with ``correct=True``), both from a second-order Taylor expansion of
    :math:`\\log \\bar x` around the population mean: :math:`E[\\log \\bar x] \\approx
    \\log\\mu - u/2` and :math:`\\mathrm{Var}[\\log \\bar x] \\approx u + u^2/2`. With the
    pooled variance :math:`s_p^2 = ((n_1-1)s_1^2 + (n_2-1)s_2^2)/(n_1+n_2-2)`,
    :math:`v_i^{HO} = s_p^2 (1/(n_1 m_1^2) + 1/(n_2 m_2^2))`. With the coefficients of
    variation :math:`c_{gi} = s_{gi}/m_{gi}` and their weighted means over the studies
    that report them, :math:`\\bar c_g = \\sum_j n_{gj} c_{gj} / \\sum_j n_{gj}`,
    :math:`v_i^{AV} = \\bar c_1^2/n_{1i} + \\bar c_2^2/n_{2i}`; with
    :math:`\\bar c = \\sum_j (n_{1j} c_{1j} + n_{2j} c_{2j}) / \\sum_j (n_{1j} + n_{2j})`
    (studies reporting both SDs), :math:`v_i^{AVHO} = \\bar c^2 (1/n_{1i} + 1/n_{2i})`.
    The bias correction uses each study's own SDs, so with ``correct=True`` a study
    without SDs has no estimate (as in metafor).

    References
    ----------
    Hedges, L. V., Gurevitch, J., & Curtis, P. S. (1999). The meta-analysis of response
    ratios in experimental ecology. Ecology, 80(4), 1150-1156 (eq. 1).
    Lajeunesse, M. J. (2015). Bias and correction for the log response ratio in
    ecological meta-analysis. Ecology, 96(8), 2056-2063 (eqs. 8 and 9).
    Nakagawa, S., Noble, D. W. A., Lagisz, M., Spake, R., Viechtbauer, W., & Senior, A. M.
    (2023). A robust and readily implementable method for the meta-analysis of response
    ratios with and without missing standard deviations. Ecology Letters, 26(2), 232-244.

    Examples
    --------
    >>> yi, vi = log_ratio_of_means(55, 47, 155, 75, 64, 156, correct=True)
    >>> round(float(yi), 7), round(float(vi), 7)   # Normand (1999), Edinburgh
    (-0.3101332, 0.0093791)

    Matches ``metafor::escalc(measure="ROM", vtype=...)``: ``correct=False`` as metafor <
    5.0-1, ``correct=True`` as metafor >= 5.0-1 (its default); ``"AV"`` and ``"AVHO"`` as
    metafor >= 4.2-0 (checked against 5.1-12).
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    if vtype not in ROM_VTYPES:
        raise ValueError(f"vtype for ROM must be one of {', '.join(map(repr, ROM_VTYPES))}; got {vtype!r}")
    u1 = sd1i**2 / (n1i * m1i**2)
    u2 = sd2i**2 / (n2i * m2i**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(m1i / m2i)
        if vtype == "HO":
            sp2 = ((n1i - 1) * sd1i**2 + (n2i - 1) * sd2i**2) / (n1i + n2i - 2)
            vi = sp2 / (n1i * m1i**2) + sp2 / (n2i * m2i**2)
        elif vtype in ("AV", "AVHO"):
            vi = _average_cv_variance(sd1i / m1i, n1i, sd2i / m2i, n2i, pooled=vtype == "AVHO")
        else:
            vi = u1 + u2
    if correct:
        yi = yi + (u1 - u2) / 2
    if vtype == "LS2":
        vi = vi + (u1**2 + u2**2) / 2
    return yi, vi


#: vtype values of :func:`log_ratio_of_means` (metafor's spellings).
ROM_VTYPES = ("LS", "LS2", "HO", "AV", "AVHO")


def _average_cv_variance(cv1, n1, cv2, n2, *, pooled):
    """ROM's variance from the studies' weighted mean coefficients of variation (AV, AVHO)."""
    ok1, ok2 = np.isfinite(cv1) & np.isfinite(n1), np.isfinite(cv2) & np.isfinite(n2)
    if pooled:
        both = ok1 & ok2
        total = np.sum(np.where(both, n1 * cv1 + n2 * cv2, 0.0), axis=-1, keepdims=True)
        cv = total / np.sum(np.where(both, n1 + n2, 0.0), axis=-1, keepdims=True)
        return cv**2 * (1 / n1 + 1 / n2)
    return weighted_mean(cv1, n1, ok1) ** 2 / n1 + weighted_mean(cv2, n2, ok2) ** 2 / n2


def correlation(ri, ni, *, vtype="LS"):
    """Raw (Pearson) correlation coefficient and its large-sample variance.

    Parameters
    ----------
    ri : array_like (..., k)
        Correlation coefficients in [-1, 1].
    ni : array_like (..., k)
        Sample sizes (metafor gives no variance for ``ni <= 3``).
    vtype : {"LS", "AV", "H0"}, default "LS"
        ``"AV"``: the sample-size weighted mean correlation (over the last axis, NaN rows
        ignored) in place of each :math:`r_i`; ``"H0"``: under the null,
        :math:`1/(n_i - 1)`.

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`r_i` and its sampling variance.

    Notes
    -----
    .. math::

        y_i = r_i, \\qquad v_i = \\frac{(1 - r_i^2)^2}{n_i - 1}

    References
    ----------
    Borenstein, M. (2009). Effect sizes for continuous data. In H. Cooper et al. (Eds.),
    The handbook of research synthesis and meta-analysis (2nd ed., eq. 12.27).

    Examples
    --------
    >>> yi, vi = correlation(0.187, 109)      # Molloy et al. (2014), Axelsson 2009
    >>> float(yi), round(float(vi), 6)
    (0.187, 0.008623)

    Matches ``metafor::escalc(measure="COR", vtype=...)``.
    """
    ri, ni = np.asarray(ri, dtype=float), np.asarray(ni, dtype=float)
    if vtype == "AV":
        rbar = weighted_mean(ri, ni)
        return ri.copy(), (1 - rbar**2) ** 2 / (ni - 1)
    if vtype == "H0":
        return ri.copy(), 1 / (ni - 1) + 0 * ri
    return ri.copy(), (1 - ri**2) ** 2 / (ni - 1)


def fisher_z(ri, ni):
    """Fisher's r-to-z transformed correlation and its variance.

    Parameters
    ----------
    ri : array_like (..., k)
        Correlation coefficients in (-1, 1).
    ni : array_like (..., k)
        Sample sizes, at least 4.

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\operatorname{artanh}(r_i)` and its sampling variance.

    Notes
    -----
    .. math::

        y_i = \\tfrac12 \\log\\frac{1 + r_i}{1 - r_i}, \\qquad v_i = \\frac{1}{n_i - 3}

    Back-transform with :math:`\\tanh` for presentation.

    References
    ----------
    Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation
    deduced from a small sample. Metron, 1, 1-32.

    Examples
    --------
    >>> yi, vi = fisher_z(0.187, 109)
    >>> round(float(yi), 4), round(float(vi), 6)
    (0.1892, 0.009434)

    Matches ``metafor::escalc(measure="ZCOR")``.
    """
    ri, ni = np.asarray(ri, dtype=float), np.asarray(ni, dtype=float)
    with np.errstate(divide="ignore"):
        return np.arctanh(ri), 1 / (ni - 3)


def standardized_mean_difference_control_sd(m1i, sd2i, n1i, m2i, n2i, *, vtype="LS"):
    """Standardized mean difference with the SD of group 2 as standardizer (``SMD1``).

    Parameters
    ----------
    m1i, sd2i, n1i, m2i, n2i : array_like (..., k)
        Means and sizes of both groups and the SD of group 2 (the control group; at least
        three people in it).
    vtype : {"LS", "LS2", "UB", "AV", "H0"}, default "LS"
        As :func:`standardized_mean_difference`, with :math:`m = n_{2i} - 1` and
        :math:`y_i^2/(2 n_{2i})` as the last term: ``"LS2"``
        :math:`c(m)^2 (1/n_{1i} + 1/n_{2i} + d_i^2/(2 n_{2i}))`, ``"UB"``
        :math:`1/n_{1i} + 1/n_{2i} + (1 - (m-2)/(m\\,c(m)^2))\\,y_i^2`, ``"AV"`` the LS form
        at the mean of the :math:`y_i` weighted by :math:`n_{1i} + n_{2i}`, ``"H0"``
        :math:`c(m)^2\\, m/(m-2)\\,(1/n_{1i} + 1/n_{2i})`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    Glass's estimator with Hedges' correction at :math:`m = n_{2i} - 1`:

    .. math::

        y_i = c(n_{2i} - 1)\\,\\frac{m_{1i} - m_{2i}}{s_{2i}}, \\qquad
        v_i = \\frac{1}{n_{1i}} + \\frac{1}{n_{2i}} + \\frac{y_i^2}{2 n_{2i}}

    References
    ----------
    Glass, G. V. (1976). Primary, secondary, and meta-analysis of research. Educational
    Researcher, 5(10), 3-8. Hedges, L. V. (1981), as in :func:`hedges_correction`.

    Matches ``metafor::escalc(measure="SMD1", vtype=...)`` (vtypes other than LS checked
    against 5.1-12).
    """
    m1i, sd2i, n1i, m2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd2i, n1i, m2i, n2i))
    if vtype not in SMD_VTYPES:
        raise ValueError(f"vtype for SMD1 must be one of {', '.join(map(repr, SMD_VTYPES))}; got {vtype!r}")
    m = n2i - 1
    cmi = hedges_correction(m)
    d = (m1i - m2i) / sd2i
    yi = cmi * d
    if vtype == "LS2":
        return yi, cmi**2 * (1 / n1i + 1 / n2i + d**2 / (2 * n2i))
    if vtype == "UB":
        with np.errstate(divide="ignore", invalid="ignore"):
            return yi, 1 / n1i + 1 / n2i + (1 - (m - 2) / (m * cmi**2)) * yi**2
    if vtype == "AV":
        return yi, 1 / n1i + 1 / n2i + weighted_mean(yi, n1i + n2i) ** 2 / (2 * n2i)
    if vtype == "H0":
        return yi, _null_variance(cmi, m, n1i, n2i) + 0 * yi
    return yi, 1 / n1i + 1 / n2i + yi**2 / (2 * n2i)


def standardized_mean_difference_control_sd_heteroscedastic(m1i, sd1i, n1i, m2i, sd2i, n2i, *, legacy=False):
    """SMD with the SD of group 2 as standardizer, unequal variances (``SMD1H``).

    Parameters
    ----------
    m1i, sd1i, n1i, m2i, sd2i, n2i : array_like (..., k)
        Means, SDs and sizes of both groups (at least two people in each).
    legacy : bool, default False
        ``True``: the variance of metafor < 4.6-0 (Debian's 3.8-1), with :math:`n` where
        the current form has :math:`n - 1`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    Bonett's (2008) variance of a contrast standardized by one group's SD, without
    assuming equal variances:

    .. math::

        y_i = c(n_{2i} - 1)\\,\\frac{m_{1i} - m_{2i}}{s_{2i}}, \\qquad
        v_i = \\frac{s_{1i}^2}{s_{2i}^2 (n_{1i} - 1)} + \\frac{1}{n_{2i} - 1}
        + \\frac{y_i^2}{2 (n_{2i} - 1)}

    metafor >= 4.6-0 (NEWS 4.6-0: the SMDH, SMD1H and SMCRH variances "slightly adjusted
    for consistency"); ``legacy=True`` divides by :math:`n_{1i}`, :math:`n_{2i}`,
    :math:`n_{2i}` instead, as 3.8-1.

    Matches ``metafor::escalc(measure="SMD1H")`` (5.x; ``legacy=True``: 3.8-1).
    """
    m1i, sd1i, n1i, m2i, sd2i, n2i = (np.asarray(x, dtype=float) for x in (m1i, sd1i, n1i, m2i, sd2i, n2i))
    yi = hedges_correction(n2i - 1) * (m1i - m2i) / sd2i
    k = 0 if legacy else 1
    with np.errstate(divide="ignore", invalid="ignore"):
        vi = sd1i**2 / (sd2i**2 * (n1i - k)) + 1 / (n2i - k) + yi**2 / (2 * (n2i - k))
    return yi, vi
