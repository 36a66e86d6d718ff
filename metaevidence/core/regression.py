"""Mixed-effects meta-regression, batched: tau^2 with moderators, coefficients and tests.

Every routine takes ``yi``, ``vi`` of shape ``(..., k)``, a model matrix ``X`` of shape
``(..., k, p)`` (or ``(k, p)``, shared by the batch) and an optional boolean ``mask`` of
shape ``(..., k)`` selecting the studies of each fit. Leading axes are a batch: one
meta-regression is a batch of one; leave-one-out, permutation tests and GOSH are batches
of masks or of permuted model matrices. Nothing loops over the batch in Python.

Rows outside the mask get weight zero, so every weighted sum runs over the included
studies only, and no ``k x k`` matrix is formed (a batch costs ``O(B k p^2)``). tau^2 is
estimated by the engine's estimators (:mod:`metaevidence.core.tau2`, which take the
design matrix), on the weighted least squares of :mod:`metaevidence.core.wls`; this
module fits the coefficients and their tests.

Matches metafor::rma.uni(yi, vi, mods = ...) (metafor 3.8-1) for the estimators
EE/FE, DL, HE, HS, SJ, ML, REML, EB and PM and the tests "z", "knha" and "adhoc".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import stats

from metaevidence.core.batch import Studies, prepare
from metaevidence.core.estimating import ml_terms, reml_terms
from metaevidence.core.options import choose
from metaevidence.core.pool import heterogeneity_i2_h2
from metaevidence.core.tau2 import METHODS, canonical_method, tau2_for, typical_variance
from metaevidence.core.wls import common_fit, wls

__all__ = [
    "METHODS",
    "TESTS",
    "RegressionFit",
    "fit_regression",
    "r_squared",
    "log_likelihood",
    "wls_r_squared",
]

#: Tests of the coefficients: Wald z, Knapp-Hartung t/F, and Knapp-Hartung with s^2 >= 1.
TESTS = ("z", "knha", "adhoc")


@dataclass(frozen=True, slots=True)
class RegressionFit:
    """Arrays of a batch of fitted meta-regressions (leading batch shape ``B``).

    Attributes
    ----------
    coefficients, se, statistic, p_value, ci_lower, ci_upper : ndarray (B..., p)
        Coefficients, their standard errors, z or t statistics, two-sided p-values and
        confidence limits.
    vcov : ndarray (B..., p, p)
        Covariance matrix of the coefficients (scaled by s^2 under ``knha``/``adhoc``).
    tau2 : ndarray (B...)
        Residual between-study variance.
    df : ndarray (B...)
        Residual degrees of freedom k - p of the t and F tests (``nan`` under ``z``).
    qm, qm_p_value : ndarray (B...)
        Omnibus test of the coefficients in ``btt``: chi^2 with ``qm_df`` df under ``z``,
        F(``qm_df``, k - p) = QM / m under ``knha``/``adhoc`` (as metafor reports it).
    qm_df : int
        Number of coefficients tested.
    qe, qe_df, qe_p_value : ndarray (B...)
        Test for residual heterogeneity (weights 1/v_i), its df k - p and p-value.
    i2, h2 : ndarray (B...)
        Residual I^2 (percent) and H^2.
    k : ndarray of int (B...)
        Studies in each fit.
    s2 : ndarray (B...)
        Knapp-Hartung scale factor (1 under ``z``).
    converged : ndarray of bool (B...)
    iterations : ndarray of int (B...)
    tau2_se : ndarray (B...) or None
        Standard error of the residual tau^2 as metafor reports it (``se.tau2``; NaN where
        it reports none, e.g. a fixed tau^2).
    """

    coefficients: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    vcov: np.ndarray
    tau2: np.ndarray
    df: np.ndarray
    qm: np.ndarray
    qm_df: int
    qm_p_value: np.ndarray
    qe: np.ndarray
    qe_df: np.ndarray
    qe_p_value: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    k: np.ndarray
    s2: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    tau2_se: np.ndarray | None = None


def _studies(yi, vi, X, mask) -> Studies:
    """The batch of a meta-regression (:func:`~metaevidence.core.batch.prepare`); a model
    matrix that is only the intercept becomes ``X = None``, the scalar-sum path of the
    estimators (GOSH, leave-one-out and trim-and-fill refit intercept-only models).
    """
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim < 2:
        raise ValueError(f"model matrix X must have shape (..., k, p); got shape {X.shape}")
    k = yi.shape[-1:]
    m_shape = k if mask is None else np.shape(mask)[-1:]
    if vi.shape[-1:] != k or X.shape[-2:-1] != k or m_shape != k:
        raise ValueError(
            f"yi, vi, X and mask must have the same number of studies (last axis); got "
            f"yi {yi.shape}, vi {vi.shape}, X {X.shape}, mask {np.shape(mask)}"
        )
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    ones = X.shape[-1] == 1 and bool(
        np.all((X[..., 0] == 1.0) if mask is None else (X[..., 0] == 1.0) | ~mask)
    )
    if ones and X.ndim > 2:
        # the batch shape the design would have given
        lead = np.broadcast_shapes(yi.shape[:-1], X.shape[:-2])
        yi = np.broadcast_to(yi, lead + k)
    return prepare(yi, vi, mask, None if ones else X)


def _well_conditioned(s: Studies):
    """The same batch with an orthonormal basis ``Q`` of the columns of ``X``
    (``X = QR``), and ``R`` (None without moderators).

    tau^2, Q_E, the typical variance and the likelihoods depend on ``X`` only through
    :math:`P = W - WX(X'WX)^{-1}X'W`, which is the same for ``X`` and ``Q``; with ``Q``
    the ``p x p`` systems have the condition number of the weights alone, not that of
    ``X'X`` (about 1e11 with a raw calendar-year moderator beside an intercept), so the
    estimating equations are solved to full precision (least squares by QR).
    """
    if s.X is None:
        return s, None
    Q, R = np.linalg.qr(s.X)
    return replace(s, X=Q), R


def _coefficients(sq: Studies, R, w):
    """Weighted least squares in the basis ``Q``, mapped back to the columns of ``X``:
    :math:`\\hat\\beta = R^{-1}\\hat\\gamma`, :math:`(X'WX)^{-1} = R^{-1}(Q'WQ)^{-1}R^{-\\top}`;
    (n, p) coefficients and (n, p, p) covariance also for the intercept-only batch.
    """
    fit = wls(sq, w)
    if R is None:
        return fit.beta[:, None], (1.0 / fit.sw)[:, None, None], fit.resid
    Rinv = np.linalg.inv(R)
    beta = np.einsum("...ij,...j->...i", Rinv, fit.beta)
    Ainv = Rinv @ fit.Ainv @ np.swapaxes(Rinv, -1, -2)
    return beta, Ainv, fit.resid


def fit_regression(
    yi, vi, X, mask=None, *, method="REML", test="z", level=0.95, btt=None, tau2=None, tol=1e-12, maxiter=1000
):
    """Fit a batch of mixed-effects meta-regressions.

    Parameters
    ----------
    yi, vi : array_like (..., k)
        Effect sizes and sampling variances.
    X : array_like (..., k, p) or (k, p)
        Model matrix (an intercept column of ones when the model has an intercept).
    mask : array_like of bool (..., k), optional
        Studies in each fit.
    method : str
        tau^2 estimator, one of :data:`METHODS` (estimated by
        :func:`metaevidence.core.tau2.tau2_for`, the estimators of ``meta_analysis``).
    test : str
        "z" (Wald), "knha" (Knapp-Hartung t and F with k - p df) or "adhoc"
        (Knapp-Hartung with the scale factor s^2 truncated below at 1).
    level : float
        Confidence level of the intervals.
    btt : sequence of int, optional
        Coefficients in the omnibus test; all but the first when ``None``
        (pass ``range(p)`` for a model without intercept).
    tau2 : array_like (...), optional
        A fixed tau^2 instead of estimating it (metafor ``tau2=``).
    tol, maxiter
        Convergence settings of the iterative estimators.

    Returns
    -------
    RegressionFit

    Notes
    -----
    With :math:`W = \\mathrm{diag}(1/(v_i + \\hat\\tau^2))`, :math:`\\hat\\beta =
    (X'WX)^{-1}X'Wy` and :math:`\\mathrm{Var}(\\hat\\beta) = (X'WX)^{-1}`. Under Knapp-Hartung
    the covariance is multiplied by :math:`s^2 = y'Py/(k-p)` (``adhoc``: by
    :math:`\\max(1, s^2)`) and t(k-p) replaces N(0,1). The omnibus statistic is
    :math:`Q_M = \\hat\\beta_b' \\mathrm{Var}(\\hat\\beta_b)^{-1} \\hat\\beta_b` over the
    tested set b (chi^2 with m df), or :math:`Q_M/m` against F(m, k-p). The residual
    heterogeneity test is :math:`Q_E = \\sum (y_i - x_i'\\hat\\beta_{FE})^2 / v_i` on k - p
    df. Residual I^2 and H^2 use the typical sampling variance
    :math:`\\tilde v = (k-p)/\\mathrm{tr}(P)` (P with weights 1/v_i):
    :math:`I^2 = 100\\,\\hat\\tau^2/(\\tilde v + \\hat\\tau^2)`,
    :math:`H^2 = (\\tilde v + \\hat\\tau^2)/\\tilde v`; for EE/FE models
    :math:`I^2 = 100 \\max(0, (Q_E - (k-p))/Q_E)` and :math:`H^2 = Q_E/(k-p)`.

    References
    ----------
    Knapp, G., & Hartung, J. (2003). Improved tests for a random effects
    meta-regression with a single covariate. Statistics in Medicine, 22, 2693-2710.
    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a
    meta-analysis. Statistics in Medicine, 21, 1539-1558.

    Example
    -------
    >>> import numpy as np
    >>> fit = fit_regression([0.1, 0.5, 0.9, 0.2], [0.05, 0.04, 0.06, 0.05],
    ...                      np.c_[np.ones(4), [1.0, 2.0, 3.0, 1.5]], method="DL")
    >>> fit.coefficients.shape
    (2,)

    Matches metafor::rma.uni(yi, vi, mods = ..., method = ..., test = ...).
    """
    method = choose("method", canonical_method(method), METHODS, spelling=" (tau^2 estimators)")
    test = choose("test", test.lower(), TESTS)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive); got {level!r}")
    s = _studies(yi, vi, X, mask)
    sq, R = _well_conditioned(s)
    p = s.p
    base = common_fit(sq)
    with np.errstate(divide="ignore", invalid="ignore"):
        if tau2 is None:
            est = tau2_for(sq, method, tol=tol, maxiter=maxiter, base=base)
            t2, converged, iterations, t2_se = est.tau2, est.converged, est.iterations, est.se
        else:
            t2_se = np.full(s.n, np.nan)
            t2 = np.broadcast_to(np.asarray(tau2, dtype=float), s.batch_shape).reshape(-1)
            converged = np.ones(s.n, dtype=bool)
            iterations = np.zeros(s.n, dtype=int)
        w = 1.0 / (s.v + t2[:, None])
        b, A, r = _coefficients(sq, R, w)
    k = s.k
    dfr = k - p
    if test == "z":
        s2 = np.ones(s.n)
    else:
        s2 = (w * r * r).sum(-1) / dfr
        if test == "adhoc":
            s2 = np.maximum(1.0, s2)
    vb = A * s2[:, None, None]
    se = np.sqrt(np.diagonal(vb, axis1=-2, axis2=-1))
    stat = b / se
    if test == "z":
        df = np.full(s.n, np.nan)
        p_value = 2.0 * stats.norm.sf(np.abs(stat))
        crit = stats.norm.ppf(0.5 + level / 2.0)
    else:
        df = dfr.astype(float)
        p_value = 2.0 * stats.t.sf(np.abs(stat), df[:, None])
        crit = stats.t.ppf(0.5 + level / 2.0, df)[:, None]
    btt = list(range(1, p) if btt is None else btt)
    qm, qm_p = _omnibus(b, vb, btt, test, dfr)
    qe = base.q
    qe_p = stats.chi2.sf(qe, dfr)
    with np.errstate(divide="ignore", invalid="ignore"):
        i2, h2 = heterogeneity_i2_h2(qe, dfr, t2, typical_variance(sq, base), common=method in ("EE", "FE"))
    r_ = s.reshape
    return RegressionFit(
        coefficients=r_(b),
        se=r_(se),
        statistic=r_(stat),
        p_value=r_(p_value),
        ci_lower=r_(b - crit * se),
        ci_upper=r_(b + crit * se),
        vcov=r_(vb),
        tau2=r_(t2),
        df=r_(df),
        qm=r_(qm),
        qm_df=len(btt),
        qm_p_value=r_(qm_p),
        qe=r_(qe),
        qe_df=r_(dfr),
        qe_p_value=r_(qe_p),
        i2=r_(i2),
        h2=r_(h2),
        k=r_(k.astype(int)),
        s2=r_(s2),
        converged=r_(converged),
        iterations=r_(iterations),
        tau2_se=r_(t2_se),
    )


def _omnibus(b, vb, btt, test, dfr):
    """Wald omnibus statistic of the coefficients ``btt`` and its p-value."""
    batch = b.shape[:-1]
    if not btt:
        nan = np.full(batch, np.nan)
        return nan, nan
    idx = np.asarray(btt)
    bs = b[..., idx]
    vs = vb[..., idx[:, None], idx[None, :]]
    qm = np.einsum("...i,...i->...", bs, np.linalg.solve(vs, bs[..., None])[..., 0])
    if test == "z":
        return qm, stats.chi2.sf(qm, len(idx))
    f = qm / len(idx)
    return f, stats.f.sf(f, len(idx), dfr)


def r_squared(tau2_re, tau2_me):
    """Pseudo R^2 (percent): share of tau^2 accounted for by the moderators.

    Parameters
    ----------
    tau2_re : array_like (...)
        tau^2 of the random-effects (intercept-only) model on the same studies.
    tau2_me : array_like (...)
        Residual tau^2 of the mixed-effects model.

    Returns
    -------
    ndarray (...)

    Notes
    -----
    :math:`R^2 = 100 \\max\\{0, (\\hat\\tau^2_{RE} - \\hat\\tau^2_{ME}) /
    \\hat\\tau^2_{RE}\\}`, and 0 when :math:`\\hat\\tau^2_{RE} = 0` (Raudenbush 2009).

    References
    ----------
    Raudenbush, S. W. (2009). Analyzing effect sizes: Random-effects models. In
    H. Cooper et al. (Eds.), The handbook of research synthesis and meta-analysis
    (2nd ed., pp. 295-315).

    Example
    -------
    >>> round(float(r_squared(0.4, 0.1)), 10)
    75.0

    Matches metafor::rma.uni(...)$R2 for models with an intercept.
    """
    re = np.asarray(tau2_re, dtype=float)
    me = np.asarray(tau2_me, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(re > 0, 100.0 * np.maximum(0.0, (re - me) / np.where(re > 0, re, 1.0)), 0.0)
    return r2


def wls_r_squared(qe, q_total, k, p):
    """Adjusted weighted coefficient of determination (percent) of an EE/FE meta-regression.

    Parameters
    ----------
    qe : array_like (...)
        Residual weighted sum of squares (Q_E).
    q_total : array_like (...)
        Weighted sum of squares about the weighted mean (Q of the intercept-only model).
    k, p : array_like (...)
        Studies and coefficients.

    Returns
    -------
    ndarray (...)

    Notes
    -----
    :math:`R^2_{adj} = 100\\,[1 - (Q_E/Q_T)(k-1)/(k-p)]`: the adjusted R^2 of the weighted
    least-squares regression, as reported for equal-effects models with moderators.

    Example
    -------
    >>> round(float(wls_r_squared(30.0, 150.0, 13, 2)), 6)
    78.181818

    Matches metafor::rma.uni(..., method = "EE")$R2.
    """
    qe = np.asarray(qe, dtype=float)
    return 100.0 * (1.0 - (qe / np.asarray(q_total, dtype=float)) * (k - 1) / (k - p))


def log_likelihood(yi, vi, X, mask, tau2, *, reml=False):
    """Log-likelihood (ML) or restricted log-likelihood (REML) of a meta-regression at
    given tau^2.

    Parameters
    ----------
    yi, vi : array_like (..., k)
    X : array_like (..., k, p) or (k, p)
    mask : array_like of bool (..., k) or None
    tau2 : array_like (...)
    reml : bool

    Returns
    -------
    ndarray (...)

    Notes
    -----
    With :math:`w_i = 1/(v_i + \\tau^2)` and GLS residuals :math:`e`:
    ML :math:`-\\tfrac12[k \\log 2\\pi + \\sum \\log(v_i + \\tau^2) + \\sum w_i e_i^2]`;
    REML :math:`-\\tfrac12[(k-p)\\log 2\\pi - \\log|X'X| + \\sum \\log(v_i + \\tau^2)
    + \\log|X'WX| + \\sum w_i e_i^2]` (Harville 1977): the likelihoods that
    :func:`metaevidence.core.estimating.ml_terms` and ``reml_terms`` evaluate up to these
    constants.

    References
    ----------
    Harville, D. A. (1977). Maximum likelihood approaches to variance component
    estimation and to related problems. JASA, 72, 320-338.

    Example
    -------
    >>> import numpy as np
    >>> round(float(log_likelihood([0.1, 0.5, 0.9], [0.05, 0.04, 0.06], np.ones((3, 1)),
    ...                            None, 0.0)), 6)
    -1.161725

    Matches metafor::logLik(rma(..., method = "ML"/"REML")).
    """
    s = _well_conditioned(_studies(yi, vi, X, mask))[0]
    t2 = np.broadcast_to(np.asarray(tau2, dtype=float), s.batch_shape).reshape(-1)
    ll = (reml_terms if reml else ml_terms)(s, t2)[0]
    const = -0.5 * np.log(2.0 * np.pi) * (s.k - s.p if reml else s.k)
    if reml:
        # + log|X'X| / 2 over the included studies: minus half log det of its inverse
        xtx = s.k.astype(float) if s.X is None else 1.0 / np.linalg.det(wls(s, s.m).Ainv)
        const = const + 0.5 * np.log(xtx)
    return s.reshape(ll + const)
