"""Small-study effects: fail-safe N, rank correlation and regression tests.

Pure numerics on 1-D arrays of effect sizes ``yi`` and sampling variances ``vi`` (one
meta-analysis; the regression tests reuse the batched meta-regression core).

Matches metafor 3.8-1: fsn(), ranktest(), regtest(); Peters' test as Peters et al.
(2006) define it (weighted least squares of yi on 1/n). Trim and fill is in
:mod:`metaevidence.core.trimfill`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from metaevidence.core import regression as _regress
from metaevidence.core.fit import fit as _fit

__all__ = [
    "fsn_rosenthal",
    "fsn_orwin",
    "fsn_rosenberg",
    "FSN_MAX",
    "FileDrawerFit",
    "fsn_general",
    "file_drawer",
    "kendall_test",
    "begg_standardized",
    "RegressionTest",
    "regression_test",
    "peters_weights",
]


def fsn_rosenthal(yi, vi, *, alpha=0.05):
    """Rosenthal's fail-safe N (file drawer analysis).

    Parameters
    ----------
    yi, vi : array_like (k,)
    alpha : float
        One-sided target significance level.

    Returns
    -------
    n : int
        Null-result studies needed to raise Stouffer's combined one-sided p above alpha
        (0 when it already is).
    p_value : float
        Stouffer's combined one-sided p-value, :math:`1 - \\Phi(|\\sum z_i| / \\sqrt{k})`.

    Notes
    -----
    With :math:`z_i = y_i/\\sqrt{v_i}`, :math:`N = \\lceil (\\sum z_i)^2 / z_{1-\\alpha}^2
    - k \\rceil`.

    References
    ----------
    Rosenthal, R. (1979). The file drawer problem and tolerance for null results.
    Psychological Bulletin, 86(3), 638-641.

    Example
    -------
    >>> fsn_rosenthal([0.5, 0.6, 0.4], [0.04, 0.05, 0.03])[0]
    18

    Matches metafor::fsn(yi, vi, type = "Rosenthal").
    """
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    k = yi.size
    zsum = np.sum(yi / np.sqrt(vi))
    p = float(stats.norm.sf(abs(zsum) / math.sqrt(k)))
    if p >= alpha:
        return 0, p
    return int(math.ceil(zsum**2 / stats.norm.ppf(1 - alpha) ** 2 - k)), p


def fsn_orwin(yi, vi=None, *, target=None, weighted=False):
    """Orwin's fail-safe N: null studies needed to bring the mean effect down to a target.

    Parameters
    ----------
    yi : array_like (k,)
    vi : array_like (k,), optional
        Needed only when ``weighted``.
    target : float, optional
        Target average effect (default: half the observed average). A target of the
        opposite sign to the average has its sign flipped.
    weighted : bool
        Use the inverse-variance weighted (equal-effects) average instead of the
        unweighted mean.

    Returns
    -------
    n : int
    mean : float
        Observed (weighted or unweighted) average effect.
    target : float
        Target used.

    Notes
    -----
    :math:`N = \\lceil k (\\bar y / y_T - 1) \\rceil`, 0 when
    :math:`|\\bar y| \\le |y_T|`.

    References
    ----------
    Orwin, R. G. (1983). A fail-safe N for effect size in meta-analysis. Journal of
    Educational Statistics, 8(2), 157-159.

    Example
    -------
    >>> fsn_orwin([0.5, 0.6, 0.4], target=0.1)[0]
    12

    Matches metafor::fsn(yi, vi, type = "Orwin", target = ..., weighted = ...).
    """
    yi = np.asarray(yi, float)
    k = yi.size
    if weighted:
        w = 1.0 / np.asarray(vi, float)
        mean = float(np.sum(w * yi) / np.sum(w))
    else:
        mean = float(np.mean(yi))
    target = mean / 2.0 if target is None else float(target)
    if np.sign(target) != np.sign(mean):
        target = -target
    if abs(mean) <= abs(target):
        return 0, mean, target
    return int(math.ceil(k * (mean / target - 1.0))), mean, target


def fsn_rosenberg(yi, vi, *, alpha=0.05):
    """Rosenberg's fail-safe N for the equal-effects (inverse-variance) average.

    Parameters
    ----------
    yi, vi : array_like (k,)
    alpha : float
        Two-sided target significance level.

    Returns
    -------
    n : int
        Null studies (each with the average weight) needed to make the weighted average
        non-significant at alpha (0 when it is not significant).
    p_value : float
        Two-sided p-value of the equal-effects estimate.
    mean : float
        The equal-effects estimate.

    Notes
    -----
    With :math:`Z = \\sum w_i y_i / \\sqrt{\\sum w_i}`, adding N studies of effect 0 and
    weight :math:`\\bar w = \\sum w_i / k` gives
    :math:`N = \\lceil k (Z^2 / z_{1-\\alpha/2}^2 - 1) \\rceil`.

    References
    ----------
    Rosenberg, M. S. (2005). The file-drawer problem revisited: A general weighted
    method for calculating fail-safe numbers in meta-analysis. Evolution, 59(2),
    464-468.

    Example
    -------
    >>> fsn_rosenberg([0.5, 0.6, 0.4], [0.04, 0.05, 0.03])[0]
    12

    Matches metafor::fsn(yi, vi, type = "Rosenberg").
    """
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    k = yi.size
    w = 1.0 / vi
    mean = float(np.sum(w * yi) / np.sum(w))
    z = float(np.sum(w * yi) / math.sqrt(np.sum(w)))
    p = float(2 * stats.norm.sf(abs(z)))
    if p >= alpha:
        return 0, p, mean
    return int(math.ceil(k * (z**2 / stats.norm.ppf(1 - alpha / 2) ** 2 - 1))), p, mean


#: The largest fail-safe N the general method searches for (as metafor's ``fsn``); a
#: larger N is reported as "more than FSN_MAX".
FSN_MAX = 10**7


@dataclass(frozen=True, slots=True)
class FileDrawerFit:
    """The model refitted with ``n`` file-drawer studies added (see :func:`fsn_general`)."""

    n: int
    estimate: float
    tau2: float
    p_value: float


def file_drawer(n, vi, tau2):
    """The ``n`` studies "averaging null results" of the general fail-safe N.

    Each has the harmonic mean of the observed sampling variances, ``vh = k / sum(1/vi)``
    (the average weight, as Rosenberg's method); their effects sit at the normal
    quantiles ``ndtri((i - a) / (n + 1 - 2a))`` (``a = 3/8`` for ``n <= 10``, else 1/2),
    rescaled to mean 0 and SD ``sqrt(vh + tau2)``: null studies that are as heterogeneous
    as the observed ones. One study sits at 0.

    Returns
    -------
    y, v : ndarray (n,)
    """
    vi = np.asarray(vi, float)
    vh = vi.size / float(np.sum(1.0 / vi))
    if n == 1:
        return np.zeros(1), np.full(1, vh)
    a = 0.375 if n <= 10 else 0.5
    z = special.ndtri((np.arange(1, n + 1) - a) / (n + 1 - 2 * a))
    z *= math.sqrt(vh + tau2) / np.std(z, ddof=1)
    return z, np.full(n, vh)


def fsn_general(yi, vi, *, alpha=0.05, target=None, method="REML", test="z", max_n=FSN_MAX):
    """The general (random-effects) fail-safe N of Viechtbauer (2024).

    How many studies averaging null results must be added before the model, refitted
    with them, is no longer significant at ``alpha`` (or, with ``target``, before its
    estimate has come down to ``target``). The file drawer is :func:`file_drawer`: null
    studies of average weight and the observed heterogeneity.

    Parameters
    ----------
    yi, vi : array_like (k,)
    alpha : float
        Two-sided significance level to reach (ignored when ``target`` is given).
    target : float, optional
        Pooled estimate to reach; on the same side of zero as the estimate.
    method : str
        tau^2 estimator of the model refitted at each N (any of :func:`metaevidence.core.fit.fit`'s;
        "EE" gives Rosenberg's method with ``alpha`` and weighted Orwin with ``target``,
        up to rounding N up).
    test : {"z", "knha", "adhoc"}
        Test of the refitted model (Hartung-Knapp on k + N - 1 df).
    max_n : int
        Largest N searched.

    Returns
    -------
    n : int or None
        The smallest N that reaches the target, 0 when the observed studies already do,
        ``None`` when more than ``max_n`` are needed.
    observed : FileDrawerFit
        The model on the observed studies (N = 0).
    drawer : FileDrawerFit or None
        The model refitted with the N file-drawer studies.

    Notes
    -----
    The p-value (the estimate's distance from 0) grows with N, so N is found by doubling
    and then bisection on the integers: about ``2 log2(N)`` refits.

    References
    ----------
    Viechtbauer, W. (2024). A fail-safe N computation based on the random-effects
    model. Annual Meeting of the Society for Research Synthesis Methodology, Amsterdam.

    Example
    -------
    >>> n, observed, drawer = fsn_general([0.5, 0.6, 0.4, 0.1], [0.04, 0.05, 0.03, 0.06])
    >>> n, round(drawer.p_value, 3)
    (5, 0.061)

    Matches metafor::fsn(res, type = "General", exact = TRUE) of metafor >= 4.4-0 in the
    refitted model; metafor's N is this N or one more (see docs/diagnostics.md).
    """
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)

    def fitted(n, y, v):
        f = _fit(y, v, method=method, test=test, warn=False)
        return FileDrawerFit(n, float(f.estimate), float(f.tau2), float(f.p_value))

    observed = fitted(0, yi, vi)

    def refit(n):
        dy, dv = file_drawer(n, vi, observed.tau2)
        return fitted(n, np.concatenate([yi, dy]), np.concatenate([vi, dv]))

    if target is not None:
        target = float(target)
        if not np.sign(target) == np.sign(observed.estimate) != 0:
            raise ValueError(
                f"target {target:g} must be on the same side of zero as the pooled estimate "
                f"({observed.estimate:g}): studies averaging null results move the estimate "
                "toward 0, never past it"
            )

        def reached(f):
            return abs(f.estimate) <= abs(target)
    else:

        def reached(f):
            return f.p_value >= alpha

    if reached(observed):
        return 0, observed, None
    lo, hi = 0, 1
    fit_hi = refit(hi)
    while not reached(fit_hi):
        if hi >= max_n:
            return None, observed, None
        lo, hi = hi, min(2 * hi, max_n)
        fit_hi = refit(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        f = refit(mid)
        if reached(f):
            hi, fit_hi = mid, f
        else:
            lo = mid
    return hi, observed, fit_hi


def _kendall_counts(x, y):
    """Concordant minus discordant pairs S, and tie-group sizes of x and y."""
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    iu = np.triu_indices(x.size, 1)
    s = float(np.sum(dx[iu] * dy[iu]))
    return s, np.unique(x, return_counts=True)[1], np.unique(y, return_counts=True)[1]


def _kendall_null_cdf(n):
    """P(T <= q), q = 0..n(n-1)/2, for T = number of concordant pairs (no ties)."""
    dist = np.array([1.0])
    for m in range(2, n + 1):
        # adding the m-th element adds 0..m-1 inversions with equal probability
        new = np.zeros(dist.size + m - 1)
        for j in range(m):
            new[j : j + dist.size] += dist
        dist = new / m
    return np.cumsum(dist)


def kendall_test(x, y, *, exact=None):
    """Kendall's rank correlation tau and its two-sided test.

    Parameters
    ----------
    x, y : array_like (n,)
    exact : bool, optional
        Exact null distribution (only without ties). Default: exact when n < 50 and
        there are no ties.

    Returns
    -------
    tau : float
        Kendall's tau-b.
    p_value : float
    exact : bool
        Whether the exact distribution was used.

    Notes
    -----
    :math:`\\tau_b = S / \\sqrt{(n_0 - n_1)(n_0 - n_2)}` with S concordant minus discordant
    pairs, :math:`n_0 = n(n-1)/2` and :math:`n_1, n_2` the tied pairs in x and y.
    Exact test: T = (S + n_0)/2 concordant pairs, p = min(1, 2 P(T on the observed
    side)). Otherwise :math:`z = S / \\sqrt{\\mathrm{Var}(S)}` with Kendall's tie-corrected
    variance :math:`[v_0 - v_t - v_u]/18 + v_1/(2n(n-1)) + v_2/(9n(n-1)(n-2))`.

    References
    ----------
    Kendall, M. G. (1970). Rank correlation methods (4th ed.). Griffin.

    Example
    -------
    >>> tau, p, ex = kendall_test([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(float(tau), 4), round(float(p), 4), ex
    (0.6, 0.2333, True)

    Matches R stats::cor.test(x, y, method = "kendall") (as used by metafor::ranktest).
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = x.size
    s, tx, ty = _kendall_counts(x, y)
    n0 = n * (n - 1) / 2
    n1 = np.sum(tx * (tx - 1)) / 2
    n2 = np.sum(ty * (ty - 1)) / 2
    tau = s / math.sqrt((n0 - n1) * (n0 - n2))
    ties = n1 > 0 or n2 > 0
    if exact is None:
        exact = n < 50
    if exact and not ties:
        q = int(round((s + n0) / 2))
        cdf = _kendall_null_cdf(n)
        if q > n0 / 2:
            p = 1.0 - cdf[q - 1]
        else:
            p = cdf[q]
        return tau, min(1.0, 2.0 * p), True
    v0 = n * (n - 1) * (2 * n + 5)
    vt = np.sum(tx * (tx - 1) * (2 * tx + 5))
    vu = np.sum(ty * (ty - 1) * (2 * ty + 5))
    v1 = np.sum(tx * (tx - 1)) * np.sum(ty * (ty - 1))
    v2 = np.sum(tx * (tx - 1) * (tx - 2)) * np.sum(ty * (ty - 1) * (ty - 2))
    var_s = (v0 - vt - vu) / 18 + v1 / (2 * n * (n - 1)) + v2 / (9 * n * (n - 1) * (n - 2))
    z = s / math.sqrt(var_s)
    return tau, float(2 * stats.norm.sf(abs(z))), False


def begg_standardized(yi, vi):
    """Begg & Mazumdar's standardized effects: deviations from the equal-effects mean.

    Parameters
    ----------
    yi, vi : array_like (k,)

    Returns
    -------
    ndarray (k,)

    Notes
    -----
    :math:`y_i^* = (y_i - \\hat\\theta_{EE}) / \\sqrt{v_i - (\\sum_j 1/v_j)^{-1}}`, the
    denominator being the variance of :math:`y_i - \\hat\\theta_{EE}`.

    References
    ----------
    Begg, C. B., & Mazumdar, M. (1994). Operating characteristics of a rank correlation
    test for publication bias. Biometrics, 50(4), 1088-1101.

    Example
    -------
    >>> begg_standardized([0.0, 1.0], [1.0, 1.0]).round(4).tolist()
    [-0.7071, 0.7071]

    Matches the statistic inside metafor::ranktest().
    """
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    w = 1.0 / vi
    theta = np.sum(w * yi) / np.sum(w)
    return (yi - theta) / np.sqrt(vi - 1.0 / np.sum(w))


@dataclass(frozen=True, slots=True)
class RegressionTest:
    """Test of the funnel-asymmetry predictor in a (meta-)regression.

    Attributes
    ----------
    statistic, p_value : float
        z (or t) statistic and two-sided p-value of the predictor's coefficient.
    df : float
        Degrees of freedom of the t test (``nan`` for z).
    coefficients, se : ndarray (p,)
        The fitted model (intercept first, predictor last).
    limit_estimate, limit_ci_lower, limit_ci_upper : float
        The intercept and its CI (the estimate at zero predictor).
    tau2 : float
        Residual tau^2 of the model ("rma") or ``nan`` ("lm").
    """

    statistic: float
    p_value: float
    df: float
    coefficients: np.ndarray
    se: np.ndarray
    limit_estimate: float
    limit_ci_lower: float
    limit_ci_upper: float
    tau2: float


def regression_test(yi, vi, predictor, *, X=None, model="rma", method="REML", test="z", level=0.95):
    """Regression test for funnel plot asymmetry (Egger-type).

    Parameters
    ----------
    yi, vi : array_like (k,)
    predictor : array_like (k,)
        The predictor values (sei, vi, ni, 1/ni, sqrt(ni) or 1/sqrt(ni)).
    X : array_like (k, q), optional
        Model matrix of moderators already in the model (default: an intercept).
    model : str
        "rma": mixed-effects meta-regression with the given ``method`` and ``test``;
        "lm": weighted least squares (weights 1/v_i) with a multiplicative dispersion
        term and a t test on k - p df (the classical Egger test).
    method, test : str
        tau^2 estimator and test of the "rma" model.
    level : float

    Returns
    -------
    RegressionTest

    Notes
    -----
    The model is :math:`y_i = X_i\\beta + \\beta_{pred} x_i (+ u_i) + \\epsilon_i`; the test
    is of :math:`\\beta_{pred} = 0`. The "lm" model equals an equal-effects
    meta-regression with Knapp-Hartung scaling, :math:`s^2 = \\sum w_i e_i^2/(k-p)`.

    References
    ----------
    Egger, M., Davey Smith, G., Schneider, M., & Minder, C. (1997). Bias in
    meta-analysis detected by a simple, graphical test. BMJ, 315, 629-634.
    Sterne, J. A. C., & Egger, M. (2005). Regression methods to detect publication and
    other bias in meta-analysis. In Rothstein et al. (Eds.), Publication bias in
    meta-analysis (pp. 99-110). Wiley.

    Example
    -------
    >>> r = regression_test([0.1, 0.3, 0.5, 0.2, 0.6], [0.01, 0.04, 0.09, 0.02, 0.1],
    ...                     np.sqrt([0.01, 0.04, 0.09, 0.02, 0.1]), model="lm")
    >>> round(r.statistic, 3)
    18.483

    Matches metafor::regtest(x, model = ..., predictor = ...).
    """
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    k = yi.size
    base = np.ones((k, 1)) if X is None else np.asarray(X, float)
    Xf = np.column_stack([base, np.asarray(predictor, float)])
    if model == "lm":
        fit = _regress.fit_regression(yi, vi, Xf, method="EE", test="knha", level=level)
        tau2 = math.nan
    elif model == "rma":
        fit = _regress.fit_regression(yi, vi, Xf, method=method, test=test, level=level)
        tau2 = float(fit.tau2)
    else:
        raise ValueError(f"model must be 'rma' or 'lm'; got {model!r}")
    return RegressionTest(
        statistic=float(fit.statistic[-1]),
        p_value=float(fit.p_value[-1]),
        df=float(fit.df),
        coefficients=fit.coefficients,
        se=fit.se,
        limit_estimate=float(fit.coefficients[0]),
        limit_ci_lower=float(fit.ci_lower[0]),
        limit_ci_upper=float(fit.ci_upper[0]),
        tau2=tau2,
    )


def peters_weights(ai, n1i, ci, n2i):
    """Peters' regression weights: S F / (S + F) with S events and F non-events in total.

    Parameters
    ----------
    ai, n1i, ci, n2i : array_like (k,)
        Events and group sizes of the two arms.

    Returns
    -------
    ndarray (k,)

    Notes
    -----
    :math:`w_i = 1 / (1/S_i + 1/F_i)`, :math:`S_i = a_i + c_i`,
    :math:`F_i = (n_{1i} - a_i) + (n_{2i} - c_i)`: the inverse variance of the log odds of
    the pooled event rate (Peters et al. 2006).

    References
    ----------
    Peters, J. L., Sutton, A. J., Jones, D. R., Abrams, K. R., & Rushton, L. (2006).
    Comparison of two methods to detect publication bias in meta-analysis. JAMA,
    295(6), 676-680.

    Example
    -------
    >>> peters_weights([2], [10], [3], [10]).tolist()
    [3.75]
    """
    ai, n1i, ci, n2i = (np.asarray(a, float) for a in (ai, n1i, ci, n2i))
    s = ai + ci
    f = (n1i - ai) + (n2i - ci)
    return 1.0 / (1.0 / s + 1.0 / f)
