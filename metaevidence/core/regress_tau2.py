"""tau^2 of a mixed-effects meta-regression, batched: every metafor estimator.

The shared weighted-least-squares algebra of :mod:`metaevidence.core.regress` lives here
too: inputs ``yi``, ``vi`` of shape ``(..., k)``, model matrix ``X`` ``(..., k, p)`` and a
boolean ``mask`` ``(..., k)``; rows outside the mask get weight zero. The projection
``P = W - W X (X'WX)^-1 X'W`` is never formed as a ``k x k`` matrix: its traces and
quadratic forms come from the ``p x p`` moment matrices ``X' W^j X``, and one-column models
(intercept-only fits of GOSH and leave-one-out) use scalar sums.

Matches metafor::rma.uni(yi, vi, mods = ..., method = ...)$tau2 (metafor 3.8-1).
"""

from __future__ import annotations

import numpy as np

__all__ = ["METHODS", "prepare", "tau2_regression", "log_likelihood"]

#: tau^2 estimators (metafor spellings). EB and PM have the same estimating equation.
METHODS = ("EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")


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
