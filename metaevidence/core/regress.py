"""Mixed-effects meta-regression, batched: tau^2 with moderators, coefficients and tests.

Every routine takes ``yi``, ``vi`` of shape ``(..., k)``, a model matrix ``X`` of shape
``(..., k, p)`` (or ``(k, p)``, shared by the batch) and an optional boolean ``mask`` of
shape ``(..., k)`` selecting the studies of each fit. Leading axes are a batch: one
meta-regression is a batch of one; leave-one-out, permutation tests and GOSH are batches
of masks or of permuted model matrices. Nothing loops over the batch in Python.

Rows outside the mask get weight zero, so every weighted sum below runs over the
included studies only. The residual projection ``P = W - W X (X'WX)^-1 X'W`` is never
formed as a ``k x k`` matrix: its traces and quadratic forms are written with the
``p x p`` moment matrices ``X' W^j X`` (j = 1, 2, 3), so a batch costs ``O(B k p^2)``.

Matches metafor::rma.uni(yi, vi, mods = ...) (metafor 3.8-1) for the estimators
EE/FE, DL, HE, HS, SJ, ML, REML, EB and PM and the tests "z", "knha" and "adhoc".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "METHODS",
    "TESTS",
    "RegressionFit",
    "prepare",
    "tau2_regression",
    "fit_regression",
    "r_squared",
    "log_likelihood",
    "wls_r_squared",
]

#: tau^2 estimators (metafor spellings). EB and PM have the same estimating equation.
METHODS = ("EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
#: Tests of the coefficients: Wald z, Knapp-Hartung t/F, and Knapp-Hartung with s^2 >= 1.
TESTS = ("z", "knha", "adhoc")

_ITERATIVE = ("ML", "REML", "EB", "PM")


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


def prepare(yi, vi, X, mask=None):
    """Broadcast inputs to a common batch and zero out the rows outside the mask.

    Parameters
    ----------
    yi, vi : array_like (..., k)
    X : array_like (..., k, p) or (k, p)
    mask : array_like of bool (..., k), optional
        Studies in each fit; all studies when omitted.

    Returns
    -------
    y, v, X, m : ndarray
        ``y`` and ``X`` are 0 outside the mask, ``v`` is 1 there (a placeholder that
        never enters a sum), ``m`` is the mask as floats; all broadcast to one batch
        shape ``(..., k)`` / ``(..., k, p)``.
    """
    yi = np.asarray(yi, dtype=float)
    vi = np.asarray(vi, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim < 2:
        raise ValueError(f"model matrix X must have shape (..., k, p); got shape {X.shape}")
    m = np.ones(yi.shape[-1:], dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    batch = np.broadcast_shapes(yi.shape[:-1], vi.shape[:-1], X.shape[:-2], m.shape[:-1])
    k = yi.shape[-1]
    if vi.shape[-1] != k or X.shape[-2] != k or m.shape[-1] != k:
        raise ValueError(
            f"yi, vi, X and mask must have the same number of studies (last axis); got "
            f"yi {yi.shape}, vi {vi.shape}, X {X.shape}, mask {m.shape}")
    y = np.broadcast_to(yi, batch + (k,))
    v = np.broadcast_to(vi, batch + (k,))
    m = np.broadcast_to(m, batch + (k,))
    Xb = np.broadcast_to(X, batch + X.shape[-2:])
    return (np.where(m, y, 0.0), np.where(m, v, 1.0),
            np.where(m[..., None], Xb, 0.0), m.astype(float))


def _xtwx(X, w):
    """X' diag(w) X over the last two axes: (..., k, p), (..., k) -> (..., p, p)."""
    return np.einsum("...ki,...k,...kj->...ij", X, w, X)


def _gls(y, X, w):
    """Weighted least squares: coefficients, (X'WX)^-1 and residuals."""
    if X.shape[-1] == 1:  # scalar sums: the intercept-only fits of GOSH and leave-one-out
        x = X[..., 0]
        wx = w * x
        s1 = (wx * x).sum(-1)
        b = (wx * y).sum(-1) / s1
        return b[..., None], (1.0 / s1)[..., None, None], y - x * b[..., None]
    A = np.linalg.inv(_xtwx(X, w))
    b = np.einsum("...ij,...j->...i", A, np.einsum("...ki,...k->...i", X, w * y))
    r = y - np.einsum("...ki,...i->...k", X, b)
    return b, A, r


def _trace_p(X, w, A):
    """tr(P) = sum w - tr(A X'W^2X) for P = W - WX A X'W."""
    return w.sum(-1) - np.einsum("...ij,...ji->...", A, _xtwx(X, w * w))


def _trace_pp(X, w, A):
    """tr(PP) = sum w^2 - 2 tr(A X'W^3X) + tr(A X'W^2X A X'W^2X)."""
    S2 = _xtwx(X, w * w)
    AS2 = A @ S2
    return ((w * w).sum(-1) - 2.0 * np.einsum("...ij,...ji->...", A, _xtwx(X, w ** 3))
            + np.einsum("...ij,...ji->...", AS2, AS2))


def _residual_q(y, X, w):
    """Generalised residual Q: y'Py = sum w_i e_i^2 with GLS residuals e."""
    _, _, r = _gls(y, X, w)
    return (w * r * r).sum(-1)


def tau2_regression(y, v, X, m, *, method="REML", tol=1e-12, maxiter=1000):
    """Residual tau^2 of a mixed-effects meta-regression, for a batch of fits.

    Parameters
    ----------
    y, v, X, m : ndarray
        As returned by :func:`prepare` (shapes (..., k), (..., k), (..., k, p), (..., k)).
    method : str
        One of :data:`METHODS`.
    tol : float
        Convergence threshold on the change of tau^2 between iterations (ML, REML) or
        on the Newton step (EB, PM).
    maxiter : int
        Iteration cap of the iterative estimators.

    Returns
    -------
    tau2 : ndarray (...)
    converged : ndarray of bool (...)
    iterations : ndarray of int (...)

    Notes
    -----
    With k included studies, p coefficients, ``W = diag(m / v)``,
    ``P = W - W X (X'WX)^{-1} X'W`` and ``Q_E = y'Py``:

    * DL: :math:`\\max\\{0, (Q_E - (k-p)) / \\mathrm{tr}(P)\\}`.
    * HE: :math:`\\max\\{0, (y'P_o y - \\mathrm{tr}(P_o V)) / (k-p)\\}` with the OLS
      projection :math:`P_o = I - X(X'X)^{-1}X'` (Hedges 1983).
    * HS: :math:`\\max\\{0, (Q_E - k) / \\sum w_i\\}` (Hunter & Schmidt; Viechtbauer et al.
      2015).
    * SJ: :math:`\\tau_0^2 = \\sum (y_i - \\bar y)^2 / k` (unweighted mean, with or
      without moderators), then :math:`\\tau_0^2\\, y'P(\\tau_0^2)y / (k-p)` with
      :math:`P(\\tau^2)` built on weights :math:`1/(v_i + \\tau^2)` (Sidik & Jonkman 2005).
    * ML, REML: Fisher scoring from the HE value, projected onto tau^2 >= 0; steps
      :math:`(\\sum w_i^2 e_i^2 - \\sum w_i) / \\sum w_i^2` (ML) and
      :math:`(y'PPy - \\mathrm{tr}P) / \\mathrm{tr}(PP)` (REML).
    * PM, EB: the root of :math:`y'P(\\tau^2)y = k - p` (0 when :math:`Q_E \\le k-p`),
      found by Newton's method from 0. :math:`y'P(\\tau^2)y` is decreasing and convex
      in tau^2 (its second derivative is :math:`2 (Py)'P(Py) \\ge 0`), so Newton's
      iterates rise monotonically to the root. EB's Morris (1983) iteration has the
      same fixed point (Viechtbauer et al. 2015).
    * EE, FE: 0.

    References
    ----------
    Viechtbauer, W., et al. (2015). A comparison of procedures to test for moderators
    in mixed-effects meta-regression models. Psychological Methods, 20(3), 360-374.

    Example
    -------
    >>> import numpy as np
    >>> y, v, X, m = prepare([0.1, 0.5, 0.9, 0.2], [0.05, 0.04, 0.06, 0.05],
    ...                      np.c_[np.ones(4), [1.0, 2.0, 3.0, 1.5]])
    >>> tau2, ok, it = tau2_regression(y, v, X, m, method="DL")
    >>> float(tau2)
    0.0

    Matches metafor::rma.uni(yi, vi, mods = ..., method = ...) tau2.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"tau^2 estimator method must be one of {', '.join(METHODS)}; "
                         f"got {method!r}")
    k = m.sum(-1)
    p = X.shape[-1]
    batch = y.shape[:-1]
    zero = np.zeros(batch)
    done = (np.ones(batch, dtype=bool), np.zeros(batch, dtype=int))
    if method in ("EE", "FE"):
        return (zero, *done)
    w0 = m / v
    if method == "DL":
        _, A0, r0 = _gls(y, X, w0)
        qe = (w0 * r0 * r0).sum(-1)
        return (np.maximum(0.0, (qe - (k - p)) / _trace_p(X, w0, A0)), *done)
    if method == "HS":
        qe = _residual_q(y, X, w0)
        return (np.maximum(0.0, (qe - k) / w0.sum(-1)), *done)
    if method == "SJ":
        ybar = y.sum(-1) / k
        tau0 = (m * (y - ybar[..., None]) ** 2).sum(-1) / k
        w = m / (v + tau0[..., None])
        return (tau0 * _residual_q(y, X, w) / (k - p), *done)
    he = _hedges(y, v, X, m, k, p)
    if method == "HE":
        return (he, *done)
    # the intercept-only model iterates on scalar sums (a zero-width X marks it)
    Xi = X[..., :0] if p == 1 and np.array_equal(X[..., 0], m) else X
    if method in ("ML", "REML"):
        reml = method == "REML"
        tau2, ok, it = _fisher_scoring(y, v, Xi, m, he, reml=reml, tol=tol, maxiter=maxiter)
        # Fisher scoring can stop at an interior local maximum of a bimodal likelihood;
        # the boundary tau^2 = 0 wins when its likelihood is higher (as metafor does).
        at_zero = log_likelihood(y, v, X, m, np.zeros_like(tau2), reml=reml)
        at_est = log_likelihood(y, v, X, m, tau2, reml=reml)
        return np.where(at_zero > at_est, 0.0, tau2), ok, it
    return _paule_mandel(y, v, Xi, m, k - p, tol=tol, maxiter=maxiter)


def log_likelihood(y, v, X, m, tau2, *, reml=False):
    """Log-likelihood (ML) or restricted log-likelihood (REML) at given tau^2.

    Parameters
    ----------
    y, v, X, m : ndarray
        As returned by :func:`prepare`.
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
    + \\log|X'WX| + \\sum w_i e_i^2]` (Harville 1977).

    References
    ----------
    Harville, D. A. (1977). Maximum likelihood approaches to variance component
    estimation and to related problems. JASA, 72, 320-338.

    Example
    -------
    >>> import numpy as np
    >>> y, v, X, m = prepare([0.1, 0.5, 0.9], [0.05, 0.04, 0.06], np.ones((3, 1)))
    >>> round(float(log_likelihood(y, v, X, m, 0.0)), 6)
    -1.161725

    Matches metafor::logLik(rma(..., method = "ML"/"REML")).
    """
    tau2 = np.asarray(tau2, dtype=float)
    k = m.sum(-1)
    p = X.shape[-1]
    w = m / (v + tau2[..., None])
    _, A, r = _gls(y, X, w)
    logv = (m * np.log(np.where(m > 0, v + tau2[..., None], 1.0))).sum(-1)
    rss = (w * r * r).sum(-1)
    if not reml:
        return -0.5 * (k * np.log(2 * np.pi) + logv + rss)
    if p == 1:
        logdet_xtx = np.log((m * X[..., 0] ** 2).sum(-1))
        logdet_a = np.log(A[..., 0, 0])
    else:
        logdet_xtx = np.linalg.slogdet(_xtwx(X, m))[1]
        logdet_a = np.linalg.slogdet(A)[1]
    return -0.5 * ((k - p) * np.log(2 * np.pi) - logdet_xtx + logv - logdet_a + rss)


def _hedges(y, v, X, m, k, p):
    """Hedges (HE) estimator: OLS residual sum of squares minus its sampling part."""
    _, A, r = _gls(y, X, m)
    tr_pv = (m * v).sum(-1) - np.einsum("...ij,...ji->...", A, _xtwx(X, m * v))
    return np.maximum(0.0, ((m * r * r).sum(-1) - tr_pv) / (k - p))


def _score_terms(y, X, w, reml):
    """Weighted residuals and the traces one Fisher-scoring step needs.

    Returns ``(r, trP, trPP)`` (REML) or ``(r, None, None)`` (ML). One-column models (the
    intercept-only fits of GOSH and leave-one-out) use scalar sums instead of p x p
    matrix algebra: with :math:`S_j = \\sum w^j x^2`, :math:`\\mathrm{tr}P = \\sum w -
    S_2/S_1` and :math:`\\mathrm{tr}PP = \\sum w^2 - 2S_3/S_1 + (S_2/S_1)^2`.
    """
    if X.shape[-1] == 0:  # marker for the intercept-only model (x = 1; w is 0 off-mask)
        s1 = w.sum(-1)
        r = y - ((w * y).sum(-1) / s1)[..., None]
        if not reml:
            return r, None, None
        w2 = w * w
        a = w2.sum(-1) / s1
        return r, s1 - a, w2.sum(-1) - 2.0 * (w2 * w).sum(-1) / s1 + a * a
    if X.shape[-1] == 1:
        x = X[..., 0]
        wx = w * x
        s1 = (wx * x).sum(-1)
        b = (wx * y).sum(-1) / s1
        r = y - x * b[..., None]
        if not reml:
            return r, None, None
        wx2 = wx * wx
        s2 = wx2.sum(-1)
        s3 = (wx2 * w).sum(-1)
        a = s2 / s1
        return r, w.sum(-1) - a, (w * w).sum(-1) - 2.0 * s3 / s1 + a * a
    _, A, r = _gls(y, X, w)
    if not reml:
        return r, None, None
    return r, _trace_p(X, w, A), _trace_pp(X, w, A)


def _curvature(X, w, r):
    """y'PPPy = z'Pz with z = Py = W e: the data part of the observed information."""
    z = w * r
    wz = w * z
    if X.shape[-1] == 0:
        return (wz * z).sum(-1) - wz.sum(-1) ** 2 / w.sum(-1)
    if X.shape[-1] == 1:
        x = X[..., 0]
        return (wz * z).sum(-1) - (wz * x).sum(-1) ** 2 / (w * x * x).sum(-1)
    u = np.einsum("...ki,...k->...i", X, wz)
    A = np.linalg.inv(_xtwx(X, w))
    return (wz * z).sum(-1) - np.einsum("...i,...ij,...j->...", u, A, u)


def _iterate(y, v, X, m, start, update, maxiter, state=()):
    """Drive a batched fixed-point iteration on the fits that have not converged.

    ``update(y, v, X, m, tau2, *state) -> (new_tau2, done, *new_state)`` runs on the live
    fits (``state`` holds per-fit 1-D arrays carried between iterations); converged
    fits are frozen, and the arrays are compacted once half of them have converged, so
    late iterations touch only the slow fits.
    """
    shape = y.shape[:-1]
    n = int(np.prod(shape))
    sub = (y.reshape(n, y.shape[-1]), v.reshape(n, v.shape[-1]),
           np.broadcast_to(X, shape + X.shape[-2:]).reshape(n, *X.shape[-2:]),
           m.reshape(n, m.shape[-1]))
    out = np.array(np.broadcast_to(start, shape), dtype=float).reshape(-1)
    iterations = np.zeros(out.shape, dtype=int)
    converged = np.zeros(out.shape, dtype=bool)
    idx = np.arange(out.size)
    t = out.copy()
    state = tuple(np.array(np.broadcast_to(a, (n,)), dtype=float) for a in state)
    live = np.ones(out.size, dtype=bool)
    for it in range(1, maxiter + 1):
        new, done, *new_state = update(*sub, t, *state)
        t = np.where(live, new, t)
        state = tuple(np.where(live, a, b) for a, b in zip(new_state, state))
        done &= live
        iterations[idx[live]] = it
        converged[idx[done]] = True
        live &= ~done
        out[idx] = t
        if not live.any():
            break
        if live.sum() <= live.size // 2:
            t, idx = t[live], idx[live]
            state = tuple(a[live] for a in state)
            # keep a study-major (Fortran) layout if the caller chose it: sums over
            # the study axis then run over contiguous memory
            sub = tuple(np.asfortranarray(a[live]) if a.flags.f_contiguous and a.ndim == 2
                        else a[live] for a in sub)
            live = np.ones(t.size, dtype=bool)
    return out.reshape(shape), converged.reshape(shape), iterations.reshape(shape)


def _fisher_scoring(y, v, X, m, start, *, reml, tol, maxiter):
    """ML/REML: Fisher scoring with Newton refinement and a bisection safeguard, tau^2 >= 0.

    Each step divides the score by the expected information (Fisher scoring, as metafor;
    started from the HE value), or by the observed information where the (restricted)
    log-likelihood is locally concave and the Newton step agrees with the Fisher step
    (same sign, at most twice as long): quadratic convergence near the maximum without
    leaving the basin Fisher scoring would reach. Every evaluated point narrows a
    bracket [lo, hi] of the score's sign change (score > 0 below, < 0 above); a step
    that would leave a valid bracket bisects it instead, so the iteration cannot cycle. Steps below zero are projected onto tau^2 = 0, where a
    negative score means a boundary maximum. None of this changes the fixed point.
    """

    def update(ya, va, Xa, ma, ta, lo, hi):
        w = ma / (va + ta[:, None])
        r, tr_p, tr_pp = _score_terms(ya, Xa, w, reml)
        ypy2 = ((w * r) ** 2).sum(-1)
        if reml:
            score, expected = ypy2 - tr_p, tr_pp
        else:
            score, expected = ypy2 - w.sum(-1), (w * w).sum(-1)
        observed = 2.0 * _curvature(Xa, w, r) - expected
        fisher = score / expected
        newton = score / np.where(observed > 0, observed, np.inf)
        # Newton only refines the Fisher direction (same sign, at most twice as long),
        # so the iteration stays in the basin Fisher scoring from the same start reaches
        use_newton = (observed > 0) & (np.abs(newton) <= 2.0 * np.abs(fisher))
        step = np.where(use_newton, newton, fisher)
        lo = np.where(score > 0, np.maximum(lo, ta), lo)
        hi = np.where(score <= 0, np.minimum(hi, ta), hi)
        new = np.maximum(0.0, ta + step)
        bracket = lo < hi  # a valid bracket of a local maximum; bisect rather than leave it
        outside = bracket & np.isfinite(hi) & ((new <= lo) | (new >= hi))
        new = np.where(outside, 0.5 * (lo + hi), new)
        return new, np.abs(new - ta) < tol, lo, hi

    return _iterate(y, v, X, m, start, update, maxiter, state=(0.0, np.inf))


def _paule_mandel(y, v, X, m, target, *, tol, maxiter):
    """Root of y'P(tau^2)y = k - p by monotone Newton steps from tau^2 = 0."""
    shape = y.shape[:-1]
    n = int(np.prod(shape))
    target = np.broadcast_to(target, shape).reshape(n)
    y, v, X, m = (y.reshape(n, y.shape[-1]), v.reshape(n, v.shape[-1]),
                  np.broadcast_to(X, shape + X.shape[-2:]).reshape(n, *X.shape[-2:]),
                  m.reshape(n, m.shape[-1]))
    # carry the target along as an extra column of v (last axis) so compaction keeps it
    vt = np.concatenate([v, target[:, None]], axis=-1)
    mt = np.concatenate([m, np.zeros((m.shape[0], 1))], axis=-1)
    yt = np.concatenate([y, np.zeros((y.shape[0], 1))], axis=-1)
    Xt = np.concatenate([X, np.zeros((X.shape[0], 1, X.shape[-1]))], axis=-2)

    def update(ya, va, Xa, ma, ta):
        goal = va[:, -1]  # noqa: the target rides along as the last "study"
        w = ma / (va + ta[:, None])
        r, _, _ = _score_terms(ya, Xa, w, False)
        q = (w * r * r).sum(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.maximum(0.0, (q - goal) / ((w * r) ** 2).sum(-1))
        step = np.where(np.isfinite(step), step, 0.0)
        return ta + step, step <= tol * np.maximum(1.0, ta)

    tau2, ok, it = _iterate(yt, vt, Xt, mt, np.zeros(target.shape), update, maxiter)
    return tau2.reshape(shape), ok.reshape(shape), it.reshape(shape)


def fit_regression(yi, vi, X, mask=None, *, method="REML", test="z", level=0.95,
                   btt=None, tau2=None, tol=1e-12, maxiter=1000):
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
        tau^2 estimator, one of :data:`METHODS`.
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
    test = test.lower()
    if test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}; got {test!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive); got {level!r}")
    y, v, Xm, m = prepare(yi, vi, X, mask)
    k = m.sum(-1)
    p = Xm.shape[-1]
    batch = y.shape[:-1]
    if tau2 is None:
        t2, converged, iterations = tau2_regression(y, v, Xm, m, method=method, tol=tol,
                                                    maxiter=maxiter)
    else:
        t2 = np.broadcast_to(np.asarray(tau2, dtype=float), batch).copy()
        converged = np.ones(batch, dtype=bool)
        iterations = np.zeros(batch, dtype=int)
    w = m / (v + t2[..., None])
    b, A, r = _gls(y, Xm, w)
    dfr = k - p
    if test == "z":
        s2 = np.ones(batch)
    else:
        s2 = (w * r * r).sum(-1) / dfr
        if test == "adhoc":
            s2 = np.maximum(1.0, s2)
    vb = A * s2[..., None, None]
    se = np.sqrt(np.diagonal(vb, axis1=-2, axis2=-1))
    stat = b / se
    if test == "z":
        df = np.full(batch, np.nan)
        p_value = 2.0 * stats.norm.sf(np.abs(stat))
        crit = stats.norm.ppf(0.5 + level / 2.0)
    else:
        df = dfr.astype(float)
        p_value = 2.0 * stats.t.sf(np.abs(stat), df[..., None])
        crit = stats.t.ppf(0.5 + level / 2.0, df)[..., None]
    btt = list(range(1, p) if btt is None else btt)
    qm, qm_p = _omnibus(b, vb, btt, test, dfr)
    w0 = m / v
    _, A0, r0 = _gls(y, Xm, w0)
    qe = (w0 * r0 * r0).sum(-1)
    qe_p = stats.chi2.sf(qe, dfr)
    if method.upper() in ("EE", "FE"):
        i2 = 100.0 * np.maximum(0.0, (qe - dfr) / qe)
        h2 = qe / dfr
    else:
        vt = dfr / _trace_p(Xm, w0, A0)
        i2 = 100.0 * t2 / (vt + t2)
        h2 = (vt + t2) / vt
    return RegressionFit(
        coefficients=b, se=se, statistic=stat, p_value=p_value,
        ci_lower=b - crit * se, ci_upper=b + crit * se, vcov=vb, tau2=t2, df=df,
        qm=qm, qm_df=len(btt), qm_p_value=qm_p, qe=qe, qe_df=dfr, qe_p_value=qe_p,
        i2=i2, h2=h2, k=k.astype(int), s2=s2, converged=converged, iterations=iterations)


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
