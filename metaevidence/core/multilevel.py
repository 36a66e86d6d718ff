"""Multilevel (and multivariate) linear mixed models for meta-analysis, by REML or ML.

The model is :math:`y = X\\beta + \\sum_l u_l + e` with known sampling covariance
:math:`V` (``e ~ N(0, V)``) and independent random effects whose covariances are
:math:`\\sigma^2_l G_l`, so the marginal covariance is

.. math:: M(\\sigma^2) = V + \\sum_l \\sigma^2_l G_l .

For nested random intercepts (``~ 1 | district/school`` in metafor) each :math:`G_l` is
the indicator matrix of "same group at level l" (``G_l[i, j] = 1`` when effects i and j
share the level-l group). Every routine takes a leading batch axis on ``y`` (and on the
model matrix when it differs by fit): bootstrap and permutation batches are fitted at
once, without a Python loop over fits.

The variance components maximise the (restricted) log-likelihood

.. math:: \\ell_R = -\\tfrac12\\big[(k-p)\\log 2\\pi - \\log|X'X| + \\log|M| +
          \\log|X'M^{-1}X| + r'M^{-1}r\\big], \\qquad r = y - X\\hat\\beta,

(ML: :math:`-\\tfrac12[k\\log 2\\pi + \\log|M| + r'M^{-1}r]`), found by Fisher scoring
with step halving, projected onto :math:`\\sigma^2 \\ge 0`, with score
:math:`\\tfrac12[u'G_l u - \\operatorname{tr}(P G_l)]` and information
:math:`\\tfrac12\\operatorname{tr}(P G_l P G_m)` (:math:`u = M^{-1}r`;
:math:`P = M^{-1} - M^{-1}X(X'M^{-1}X)^{-1}X'M^{-1}` under REML, :math:`M^{-1}` under ML).
References: Harville (1977) JASA 72:320; Konstantopoulos (2011) Res Synth Methods 2:61;
Viechtbauer (2010) J Stat Softw 36(3).

Matches metafor::rma.mv(yi, V, random = ~ 1 | a/b, method = "REML"/"ML") (metafor 3.8-1)
to its convergence tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

__all__ = [
    "MultilevelFit",
    "Blocks",
    "make_blocks",
    "fit_multilevel",
    "group_indicators",
    "nested_components",
    "profile_interval",
    "multilevel_i2",
    "containment_df",
]


@dataclass(frozen=True, slots=True)
class MultilevelFit:
    """Arrays of a batch of fitted multilevel models (leading batch shape ``B``).

    Attributes
    ----------
    sigma2 : ndarray (B..., L)
        Variance components.
    beta : ndarray (B..., p)
        Fixed-effect coefficients (generalised least squares at ``sigma2``).
    vcov : ndarray (B..., p, p)
        Model-based covariance of ``beta``: :math:`(X'M^{-1}X)^{-1}`.
    loglik : ndarray (B...)
        Log-likelihood at the estimates (restricted under REML).
    iterations : ndarray of int (B...)
    converged : ndarray of bool (B...)
    """

    sigma2: np.ndarray
    beta: np.ndarray
    vcov: np.ndarray
    loglik: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray


def group_indicators(codes) -> np.ndarray:
    """``G[i, j] = 1`` when rows i and j share a group: codes (k,) -> (k, k) float."""
    codes = np.asarray(codes)
    return (codes[:, None] == codes[None, :]).astype(float)


def nested_components(levels) -> list[np.ndarray]:
    """Integer group codes of nested factors ``a/b/c`` as metafor reads them.

    ``levels`` is a sequence of (k,) label arrays, outermost first; component ``l`` is
    the combination of the first ``l + 1`` factors (``a``, ``a:b``, ``a:b:c``).
    """
    out, combined = [], None
    for lab in levels:
        lab = np.asarray([str(x) for x in lab], dtype=object)
        combined = lab if combined is None else np.array([f"{c}\x1f{x}" for c, x in zip(combined, lab)])
        _, codes = np.unique(combined.astype(str), return_inverse=True)
        out.append(codes.astype(int))
    return out


@dataclass(frozen=True, slots=True)
class Blocks:
    """Effects regrouped into independent blocks (the outermost clusters), zero-padded.

    Attributes
    ----------
    index : ndarray of int (J, m)
        Row of each block position (``-1`` for padding); ``m`` is the largest block.
    y : ndarray (B..., J, m)
    X : ndarray (B..., J, m, p)
    V : ndarray (J, m, m)
        Sampling covariance blocks; padding has 1 on the diagonal.
    G : ndarray (L, J, m, m)
        Random-effect structure blocks; zero on padding.
    k, p : int
    """

    index: np.ndarray
    y: np.ndarray
    X: np.ndarray
    V: np.ndarray
    G: np.ndarray
    k: int
    p: int


def make_blocks(y, V, X, G, outer) -> Blocks:
    """Split a model into the blocks of ``outer`` (k,) codes; V and G must not cross blocks."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    V = np.asarray(V, dtype=float)
    G = np.asarray(G, dtype=float)
    k, p = X.shape[-2], X.shape[-1]
    outer = np.asarray(outer)
    same = outer[:, None] == outer[None, :]
    if np.any(V[~same] != 0) or np.any(G[:, ~same] != 0):
        raise ValueError(
            "the sampling covariance and random effects must not link effects of different clusters"
        )
    _, codes = np.unique(outer, return_inverse=True)
    n_blocks = codes.max() + 1
    sizes = np.bincount(codes, minlength=n_blocks)
    m = int(sizes.max())
    order = np.argsort(codes, kind="stable")
    pos = np.arange(k) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    index = np.full((n_blocks, m), -1)
    index[codes[order], pos] = order
    valid = index >= 0
    safe = np.where(valid, index, 0)
    yb = np.where(valid, y[..., safe], 0.0)
    Xb = np.where(valid[..., None], X[..., safe, :], 0.0)
    pair = valid[:, :, None] & valid[:, None, :]
    Vb = np.where(pair, V[safe[:, :, None], safe[:, None, :]], 0.0)
    Vb = Vb + np.where(valid, 0.0, 1.0)[:, :, None] * np.eye(m)
    Gb = np.where(pair, G[:, safe[:, :, None], safe[:, None, :]], 0.0)
    return Blocks(index, yb, Xb, Vb, Gb, k, p)


def _state(theta, b: Blocks, reml):
    """Marginal fit at variance components ``theta`` (..., L), block by block."""
    return state_from_covariance(b.V + np.einsum("...l,ljab->...jab", theta, b.G), b, reml)


def state_from_covariance(M, b: Blocks, reml):
    """GLS fit at marginal covariance blocks ``M`` (..., J, m, m): (loglik, beta, vcov, u, aux)."""
    chol = np.linalg.cholesky(M)
    W = np.linalg.inv(M)
    W = 0.5 * (W + np.swapaxes(W, -1, -2))
    WX = W @ b.X
    XWX = np.einsum("...jap,...jaq->...pq", b.X, WX)
    XWy = np.einsum("...jap,...ja->...p", WX, b.y)
    B = np.linalg.inv(XWX)
    B = 0.5 * (B + np.swapaxes(B, -1, -2))
    beta = np.einsum("...pq,...q->...p", B, XWy)
    r = b.y - np.einsum("...jap,...p->...ja", b.X, beta)
    u = np.einsum("...jab,...jb->...ja", W, r)
    logdet_m = 2.0 * np.sum(np.log(np.diagonal(chol, axis1=-2, axis2=-1)), axis=(-1, -2))
    rss = np.einsum("...ja,...ja->...", r, u)
    k, p = b.k, b.p
    if reml:
        _, logdet_xwx = np.linalg.slogdet(XWX)
        _, logdet_xx = np.linalg.slogdet(np.einsum("...jap,...jaq->...pq", b.X, b.X))
        ll = -0.5 * ((k - p) * np.log(2 * np.pi) - logdet_xx + logdet_m + logdet_xwx + rss)
    else:
        ll = -0.5 * (k * np.log(2 * np.pi) + logdet_m + rss)
    return ll, beta, B, u, (W, WX)


def _score_info(u, aux, b: Blocks, B, reml):
    """Score and Fisher information of the components, from block sums (no k x k matrix)."""
    W, WX = aux
    WG = np.einsum("...jab,ljbc->...ljac", W, b.G)
    quad = np.einsum("...ja,ljab,...jb->...l", u, b.G, u)
    tr = np.einsum("...ljaa->...l", WG)
    info = np.einsum("...ljab,...mjba->...lm", WG, WG)
    if reml:
        A = np.einsum("...jap,ljab,...jbq->...lpq", WX, b.G, WX)
        tr = tr - np.einsum("...pq,...lqp->...l", B, A)
        WGWX = np.einsum("...ljab,...jbp->...ljap", WG, WX)
        C = np.einsum("...ljap,mjab,...jbq->...lmpq", WGWX, b.G, WX)
        BA = np.einsum("...pq,...lqr->...lpr", B, A)
        info = (
            info - 2.0 * np.einsum("...pq,...lmqp->...lm", B, C) + np.einsum("...lpq,...mqp->...lm", BA, BA)
        )
    return 0.5 * (quad - tr), 0.5 * info


def fit_multilevel(
    blocks: Blocks,
    *,
    method: str = "REML",
    fixed=None,
    start=None,
    tol: float = 1e-10,
    maxiter: int = 500,
) -> MultilevelFit:
    """Fit the variance components and coefficients of a batch of multilevel models.

    Parameters
    ----------
    blocks : Blocks
        The model split into independent clusters (:func:`make_blocks`); ``blocks.y``
        may carry leading batch axes (bootstrap or permutation samples).
    method : {"REML", "ML"}
    fixed : ndarray (L,), optional
        Values at which to hold components (``nan`` = estimate), metafor ``sigma2 = c(NA, 0)``.
    start : ndarray (L,) or (B..., L), optional
    tol : float
        Convergence: largest change of a component below ``tol * (1 + max |sigma2|)``.
    maxiter : int

    Returns
    -------
    MultilevelFit
    """
    if method not in ("REML", "ML"):
        raise ValueError(f"method must be 'REML' or 'ML'; got {method!r}")
    reml = method == "REML"
    n_comp = blocks.G.shape[0]
    batch = blocks.y.shape[:-2]
    fixed = np.full(n_comp, np.nan) if fixed is None else np.asarray(fixed, dtype=float)
    free = np.isnan(fixed)
    if start is None:
        valid = blocks.index >= 0
        mean = np.sum(blocks.y, axis=(-1, -2)) / blocks.k
        spread = np.sum(np.where(valid, (blocks.y - mean[..., None, None]) ** 2, 0.0), axis=(-1, -2))
        vbar = np.sum(np.where(valid, np.diagonal(blocks.V, axis1=-2, axis2=-1), 0.0)) / blocks.k
        start = np.maximum(spread / blocks.k - vbar, 0.01)[..., None] / n_comp * np.ones(n_comp)
    theta = np.broadcast_to(np.asarray(start, dtype=float), batch + (n_comp,)).copy()
    theta = np.where(free, theta, fixed)
    ll, beta, vb, u, aux = _state(theta, blocks, reml)
    iterations = np.zeros(batch, dtype=int)
    converged = np.zeros(batch, dtype=bool) | (not free.any())
    eye = np.eye(n_comp)
    for it in range(maxiter):
        if converged.all():
            break
        score, info = _score_info(u, aux, blocks, vb, reml)
        active = free & ((theta > 0) | (score > 0))
        info_a = np.where(active[..., :, None] & active[..., None, :], info, eye)
        step = np.linalg.solve(info_a, np.where(active, score, 0.0)[..., None])[..., 0]
        step = np.where(converged[..., None], 0.0, step)
        t = np.ones(batch)
        for _ in range(60):
            trial = np.where(free, np.maximum(theta + t[..., None] * step, 0.0), fixed)
            ll_t = _state(trial, blocks, reml)[0]
            bad = ~(ll_t >= ll - 1e-12 * np.abs(ll)) & ~converged
            if not bad.any():
                break
            t = np.where(bad, t / 2.0, t)
        change = np.max(np.abs(trial - theta), axis=-1)
        theta = trial
        ll, beta, vb, u, aux = _state(theta, blocks, reml)
        iterations = np.where(converged, iterations, it + 1)
        converged = converged | (change <= tol * (1.0 + np.max(np.abs(theta), axis=-1)))
    return MultilevelFit(theta, beta, vb, ll, iterations, converged)


def profile_interval(
    blocks: Blocks, fit: MultilevelFit, component: int, *, method="REML", fixed=None, level=0.95, tol=1e-10
):
    """Profile-likelihood CI of one variance component (one fit, no batch).

    The bounds solve :math:`2[\\ell(\\hat\\sigma^2) - \\ell_p(\\sigma^2_l)] = \\chi^2_{1,level}`,
    the other free components re-estimated at each :math:`\\sigma^2_l` (metafor
    ``confint.rma.mv``). A lower bound whose profile at 0 stays within the cut-off is 0.
    Returns ``(lower, upper)``.
    """
    n_comp = blocks.G.shape[0]
    base = np.full(n_comp, np.nan) if fixed is None else np.asarray(fixed, dtype=float).copy()
    crit = stats.chi2.ppf(level, 1) / 2.0
    est = float(fit.sigma2[component])
    ll_max = float(fit.loglik)

    def drop(x):
        fx = base.copy()
        fx[component] = x
        f = fit_multilevel(blocks, method=method, fixed=fx, start=fit.sigma2, tol=tol)
        return ll_max - float(f.loglik) - crit

    if est <= 0 or drop(0.0) <= 0:
        lower = 0.0
    else:
        lower = optimize.brentq(drop, 0.0, est, xtol=1e-14, rtol=1e-12)
    hi = max(est, 1e-4) * 2.0
    for _ in range(60):
        if drop(hi) > 0:
            break
        hi *= 2.0
    upper = optimize.brentq(drop, est, hi, xtol=1e-14, rtol=1e-12)
    return lower, upper


def multilevel_i2(sigma2, vi, X) -> tuple[np.ndarray, float]:
    """Multilevel I^2 per component and in total (percent), Cheung (2014)'s definition.

    :math:`I^2_l = 100\\,\\sigma^2_l / (\\sum_m \\sigma^2_m + \\tilde v)` with the typical
    sampling variance :math:`\\tilde v = (k-p)/\\operatorname{tr}(P)`, ``P`` the
    residual-maker of weights ``1/vi`` (Higgins and Thompson 2002). Cheung (2014)
    Psychol Methods 19:211; metafor's FAQ "I^2 for multilevel models".
    """
    vi = np.asarray(vi, dtype=float)
    w = 1.0 / vi
    XtW = X.T * w
    P = np.diag(w) - XtW.T @ np.linalg.solve(XtW @ X, XtW)
    k, p = X.shape
    typical = (k - p) / np.trace(P)
    total = float(np.sum(sigma2)) + typical
    per = 100.0 * np.asarray(sigma2, dtype=float) / total
    return per, float(np.sum(per))


def containment_df(X, codes) -> np.ndarray:
    """Containment degrees of freedom for each coefficient.

    For each column of ``X``: the number of groups of the outermost random factor within
    whose groups the column is constant, minus the number of coefficients; columns that
    vary within every factor get k - p. metafor ``rma.mv(..., dfs = "contain")``.
    """
    X = np.asarray(X, dtype=float)
    k, p = X.shape
    out = np.full(p, float(k))
    for c in codes:
        c = np.asarray(c)
        n_groups = len(np.unique(c))
        for j in range(p):
            const = all(np.ptp(X[c == g, j]) == 0 for g in np.unique(c))
            if const:
                out[j] = min(out[j], n_groups)
    return out - p
