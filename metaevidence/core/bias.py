"""Small-study effects: fail-safe N, rank correlation, regression tests, trim and fill.

Pure numerics on 1-D arrays of effect sizes ``yi`` and sampling variances ``vi`` (one
meta-analysis; the regression tests reuse the batched meta-regression core).

Matches metafor 3.8-1: fsn(), ranktest(), regtest(), trimfill(); Peters' test as
Peters et al. (2006) define it (weighted least squares of yi on 1/n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.core import regress as _regress

__all__ = [
    "fsn_rosenthal",
    "fsn_orwin",
    "fsn_rosenberg",
    "kendall_test",
    "begg_standardized",
    "RegressionTest",
    "regression_test",
    "peters_weights",
    "TrimFill",
    "trim_fill",
    "l0_estimator",
    "r0_estimator",
    "se_k0",
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
    return int(math.ceil(zsum ** 2 / stats.norm.ppf(1 - alpha) ** 2 - k)), p


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
    return int(math.ceil(k * (z ** 2 / stats.norm.ppf(1 - alpha / 2) ** 2 - 1))), p, mean


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
            new[j:j + dist.size] += dist
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


def regression_test(yi, vi, predictor, *, X=None, model="rma", method="REML", test="z",
                    level=0.95):
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
        statistic=float(fit.statistic[-1]), p_value=float(fit.p_value[-1]),
        df=float(fit.df), coefficients=fit.coefficients, se=fit.se,
        limit_estimate=float(fit.coefficients[0]), limit_ci_lower=float(fit.ci_lower[0]),
        limit_ci_upper=float(fit.ci_upper[0]), tau2=tau2)


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


# --- trim and fill --------------------------------------------------------------------

def l0_estimator(deviations):
    """Duval & Tweedie's L0 from the deviations of the effects from the current centre.

    Notes
    -----
    :math:`L_0 = (4 T_n - k(k+1)) / (2k - 1)` with :math:`T_n` the sum of the ranks of
    :math:`|y_i - \\hat\\theta|` over the positive deviations (ties ranked by position).

    Example
    -------
    >>> round(float(l0_estimator([-0.1, 0.2, 0.3, 0.4])), 4)
    2.2857
    """
    d = np.asarray(deviations, float)
    k = d.size
    ranks = _ranks_first(np.abs(d))
    tn = ranks[d > 0].sum()
    return (4.0 * tn - k * (k + 1)) / (2.0 * k - 1)


def r0_estimator(deviations):
    """Duval & Tweedie's R0: length of the rightmost run of positive ranks, minus one.

    Notes
    -----
    :math:`R_0 = \\gamma^* - 1` with :math:`\\gamma^* = k - r_{max}^-` and
    :math:`r_{max}^-` the largest rank of :math:`|y_i - \\hat\\theta|` among negative
    deviations.

    Example
    -------
    >>> r0_estimator([-0.1, 0.2, 0.3, 0.4])
    2
    """
    d = np.asarray(deviations, float)
    k = d.size
    ranks = _ranks_first(np.abs(d))
    neg = ranks[d < 0]
    return int(k - (neg.max() if neg.size else 0) - 1)


def _ranks_first(a):
    """Ranks 1..n, ties broken by position (R ``rank(ties.method = "first")``)."""
    order = np.argsort(a, kind="stable")
    ranks = np.empty(a.size)
    ranks[order] = np.arange(1, a.size + 1)
    return ranks


def se_k0(k, k0, estimator):
    """Standard error of the estimated number of missing studies.

    Parameters
    ----------
    k : int
        Observed studies.
    k0 : float
        R0: the estimated number of missing studies. L0: the unrounded L0 value of the
        last iteration (it may be negative), as metafor uses it.
    estimator : str

    Notes
    -----
    R0: :math:`\\sqrt{2 \\max(0, k_0) + 2}`. L0: :math:`4\\sqrt{\\mathrm{Var}(T_n)}/(2k-1)`
    with :math:`\\mathrm{Var}(T_n) = [k(k+1)(2k+1) + 10k_0^3 + 27k_0^2 + 17k_0 - 18kk_0^2
    - 18kk_0 + 6k^2k_0]/24` (Duval & Tweedie 2000, JASA); ``nan`` if that is negative.

    Example
    -------
    >>> round(se_k0(13, 4, "R0"), 4)
    3.1623
    """
    if estimator == "R0":
        return math.sqrt(2 * max(0, k0) + 2)
    var_t = (k * (k + 1) * (2 * k + 1) + 10 * k0 ** 3 + 27 * k0 ** 2 + 17 * k0
             - 18 * k * k0 ** 2 - 18 * k * k0 + 6 * k ** 2 * k0) / 24
    return 4 * math.sqrt(var_t) / (2 * k - 1) if var_t >= 0 else math.nan


@dataclass(frozen=True, slots=True)
class TrimFill:
    """Outcome of the trim-and-fill iterations.

    Attributes
    ----------
    k0 : int
        Estimated number of missing studies.
    side : str
        "left" or "right": where the missing studies are imputed.
    se_k0 : float
    p_k0 : float
        R0 only: p-value of H0 "no missing studies", :math:`2^{-(k_0+1)}`; ``nan`` for L0.
    yi_fill, vi_fill : ndarray (k0,)
        Imputed effects (mirror images about the trimmed estimate) and their variances.
    source : ndarray of int (k0,)
        Index of the observed study each imputed value mirrors.
    iterations : int
    converged : bool
    """

    k0: int
    side: str
    se_k0: float
    p_k0: float
    yi_fill: np.ndarray
    vi_fill: np.ndarray
    source: np.ndarray
    iterations: int
    converged: bool


def trim_fill(yi, vi, *, side, estimator="L0", method="REML", maxiter=100, tol=1e-12):
    """Duval & Tweedie's trim-and-fill iterations.

    Parameters
    ----------
    yi, vi : array_like (k,)
    side : str
        "left" or "right": the side of the funnel plot where studies are missing.
    estimator : str
        "L0" or "R0".
    method : str
        tau^2 estimator of the model refitted to the trimmed data (the analysis' own).
    maxiter : int
    tol : float
        Convergence threshold of iterative tau^2 estimators.

    Returns
    -------
    TrimFill

    Notes
    -----
    Effects are mirrored so that studies are missing on the left, then sorted. Starting
    from :math:`k_0 = 0`: fit the model to the :math:`k - k_0` smallest effects, compute
    the estimator from the deviations of all k effects from that estimate, round (L0)
    and truncate at 0; repeat until :math:`k_0` no longer changes. The :math:`k_0`
    largest effects are then mirrored about the last estimate,
    :math:`y^{fill} = 2\\hat\\theta - y`, with their variances.

    References
    ----------
    Duval, S., & Tweedie, R. (2000a). A nonparametric "trim and fill" method of
    accounting for publication bias in meta-analysis. JASA, 95(449), 89-98.
    Duval, S., & Tweedie, R. (2000b). Trim and fill: A simple funnel-plot-based method
    of testing and adjusting for publication bias in meta-analysis. Biometrics, 56,
    455-463.

    Example
    -------
    >>> tf = trim_fill([0.1, 0.3, 0.5, 0.7, 0.9, 1.3], [0.01, 0.02, 0.04, 0.06, 0.08, 0.1],
    ...                side="left", estimator="R0", method="EE")
    >>> tf.k0 >= 0
    True

    Matches metafor::trimfill(x, side = ..., estimator = ...).
    """
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right'; got {side!r}")
    if estimator not in ("L0", "R0"):
        raise ValueError(f"estimator must be 'L0' or 'R0'; got {estimator!r}")
    yi, vi = np.asarray(yi, float), np.asarray(vi, float)
    k = yi.size
    sign = -1.0 if side == "right" else 1.0
    y = sign * yi
    order = np.argsort(y, kind="stable")
    ys, vs = y[order], vi[order]
    ones = np.ones((k, 1))
    # all candidate trimmings at once: mask j keeps the k - j smallest effects
    masks = np.arange(k)[None, :] < (k - np.arange(k))[:, None]
    k0, theta, converged, it, raw = 0, math.nan, False, 0, math.nan
    centres = {}
    for it in range(1, maxiter + 1):
        if k0 not in centres:
            fit = _regress.fit_regression(ys, vs, ones, masks[k0], method=method, tol=tol)
            centres[k0] = float(fit.coefficients[0])
        theta = centres[k0]
        dev = ys - theta
        if estimator == "L0":
            raw = l0_estimator(dev)
            new = max(0, int(np.round(raw)))
        else:
            new = max(0, r0_estimator(dev))
        new = min(new, k - 1)
        if new == k0:
            converged = True
            break
        k0 = new
    src = order[k - k0:]
    yi_fill = sign * (2 * theta - ys[k - k0:])
    p_k0 = 0.5 ** (k0 + 1) if estimator == "R0" else math.nan
    spread = se_k0(k, raw if estimator == "L0" else k0, estimator)
    return TrimFill(k0=k0, side=side, se_k0=spread, p_k0=p_k0,
                    yi_fill=yi_fill, vi_fill=vs[k - k0:], source=src, iterations=it,
                    converged=converged)
