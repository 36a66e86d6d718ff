"""Cluster-robust (sandwich) variance estimation with small-sample corrections.

For a weighted least-squares fit :math:`\\hat\\beta = B X'Wy`, :math:`B = (X'WX)^{-1}`, with
residuals :math:`e = y - X\\hat\\beta` and clusters :math:`j = 1..J`,

.. math:: V^{CR} = B \\Big[\\sum_j (WX)_j' A_j e_j e_j' A_j' (WX)_j\\Big] B,

where :math:`A_j = I` (CR0), :math:`\\sqrt{J/(J-p)}\\,I` (CR1 as metafor's ``robust()``),
:math:`\\sqrt{J/(J-1)}\\,I` (CR1 as clubSandwich) or the bias-reduced linearisation
adjustment (CR2; Bell and McCaffrey 2002; Pustejovsky and Tipton 2018)

.. math:: A_j = D_j' (D_j R_j D_j')^{-1/2} D_j,\\quad D_j'D_j = \\Phi_{jj},\\quad
          R_j = E_j \\Phi E_j',\\quad E_j = (I - X B X'W)_{j\\cdot},

with :math:`\\Phi` the working covariance (the fitted marginal covariance :math:`W^{-1}`),
so that :math:`E[A_j e_j e_j' A_j'] = \\Phi_{jj}` when :math:`\\Phi` is right.

Degrees of freedom (Tipton 2015; Pustejovsky and Tipton 2018): writing
:math:`c'V^{CR}c = \\sum_j (g_j'y)^2` with :math:`g_j = E_j'A_j'(WX)_j B c`, the
Satterthwaite df is :math:`(\\sum_j g_j'\\Phi g_j)^2 / \\sum_{i,j}(g_i'\\Phi g_j)^2`. The
approximate Hotelling test of :math:`q` constraints ``C`` (Tipton and Pustejovsky 2015,
"HTZ") matches the total variance of :math:`C V^{CR} C'` to a Wishart with :math:`\\eta`
df and refers :math:`F = (\\eta - q + 1)/(\\eta q)\\,Q` to :math:`F(q, \\eta - q + 1)`.

Matches clubSandwich::vcovCR / coef_test(test = "Satterthwaite") / Wald_test(test = "HTZ")
(0.5.8) on metafor fits, and metafor::robust() (3.8-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Sandwich", "sandwich", "satterthwaite_df", "htz_test", "robu_weights", "TYPES"]

#: Small-sample adjustments: none, metafor's n/(n-p), clubSandwich's m/(m-1), bias-reduced.
TYPES = ("CR0", "CR1", "CR1p", "CR2")


@dataclass(frozen=True, slots=True)
class Sandwich:
    """A cluster-robust covariance and what its df computations need.

    Attributes
    ----------
    vcov : ndarray (p, p)
    g : ndarray (J, k, p)
        :math:`E_j'A_j'(WX)_j B` per cluster: ``g[j] @ c`` is the vector :math:`g_j` of a contrast.
    phi : ndarray (k, k)
        Working covariance.
    n_clusters : int
    """

    vcov: np.ndarray
    g: np.ndarray
    phi: np.ndarray
    n_clusters: int


def _inv_sqrt(S):
    vals, vecs = np.linalg.eigh(0.5 * (S + S.T))
    vals = np.where(vals > 1e-12 * np.max(vals), vals, np.inf)
    return (vecs / np.sqrt(vals)) @ vecs.T


def sandwich(X, W, y, cluster, *, type: str = "CR2", phi=None) -> Sandwich:
    """Cluster-robust covariance of weighted least squares coefficients.

    Parameters
    ----------
    X : ndarray (k, p)
    W : ndarray (k, k)
        Weight matrix of the fit (the inverse marginal covariance for a model fit).
    y : ndarray (k,)
    cluster : array_like (k,)
        Cluster of each row.
    type : {"CR0", "CR1", "CR1p", "CR2"}
        "CR1p" is metafor's ``robust(adjust = TRUE)`` factor J/(J - p); "CR1" is
        clubSandwich's J/(J - 1).
    phi : ndarray (k, k), optional
        Working covariance for CR2 and the df (default ``inv(W)``).

    Returns
    -------
    Sandwich
    """
    if type not in TYPES:
        raise ValueError(f"type must be one of {', '.join(TYPES)}; got {type!r}")
    X, W, y = np.asarray(X, float), np.asarray(W, float), np.asarray(y, float)
    k, p = X.shape
    phi = np.linalg.inv(W) if phi is None else np.asarray(phi, float)
    WX = W @ X
    B = np.linalg.inv(X.T @ WX)
    H = X @ B @ WX.T  # hat matrix X B X'W
    _, codes = np.unique(np.asarray(cluster).astype(str), return_inverse=True)
    J = int(codes.max()) + 1
    g = np.zeros((J, k, p))
    vcov = np.zeros((p, p))
    for j in range(J):
        rows = np.flatnonzero(codes == j)
        E = -H[rows, :]
        E[np.arange(rows.size), rows] += 1.0
        if type == "CR2":
            L = np.linalg.cholesky(phi[np.ix_(rows, rows)])
            D = L.T
            A = D.T @ _inv_sqrt(D @ (E @ phi @ E.T) @ D.T) @ D
        else:
            scale = {"CR0": 1.0, "CR1": J / (J - 1.0), "CR1p": J / (J - p)}[type]
            A = np.sqrt(scale) * np.eye(rows.size)
        gj = E.T @ A.T @ WX[rows, :] @ B
        g[j] = gj
        s = gj.T @ y  # = B (WX)_j' A_j e_j
        vcov += np.outer(s, s)
    return Sandwich(0.5 * (vcov + vcov.T), g, phi, J)


def satterthwaite_df(sw: Sandwich, c) -> float:
    """Satterthwaite df of the robust variance of contrast ``c`` (p,)."""
    G = sw.g @ np.asarray(c, float)  # (J, k)
    omega = G @ sw.phi @ G.T
    return float(np.trace(omega) ** 2 / np.sum(omega**2))


def htz_test(sw: Sandwich, beta, C) -> tuple[float, int, float, float]:
    """Approximate Hotelling T^2 test of ``C beta = 0``: (F, q, df2, p-value).

    ``C`` is (q, p). The F statistic is :math:`(\\eta - q + 1)/(\\eta q)\\,Q` with
    :math:`Q = (C\\hat\\beta)'(C V^{CR} C')^{-1} C\\hat\\beta`; :math:`\\eta` matches the
    total variance of the standardised :math:`C V^{CR} C'` (Tipton and Pustejovsky 2015).
    """
    from scipy import stats

    C = np.atleast_2d(np.asarray(C, float))
    q = C.shape[0]
    Gs = np.einsum("jkp,qp->jqk", sw.g, C)  # (J, q, k)
    omega = np.einsum("jsk,kl,jtl->st", Gs, sw.phi, Gs)  # expected C V C'
    Z = np.einsum("st,jtk->jsk", _inv_sqrt(omega), Gs)
    # P[i, j, s, t] = z_is' Phi z_jt
    P = np.einsum("isk,kl,jtl->ijst", Z, sw.phi, Z)
    # sum over s, t of Var(D_st) = sum_ij [P_ij,ss P_ij,tt + P_ij,st P_ij,ts]
    total = np.einsum("ijss,ijtt->", P, P) + np.einsum("ijst,ijts->", P, P)
    eta = q * (q + 1) / total
    b = C @ np.asarray(beta, float)
    Q = float(b @ np.linalg.solve(C @ sw.vcov @ C.T, b))
    df2 = eta - q + 1
    F = df2 / (eta * q) * Q
    return float(F), q, float(df2), float(stats.f.sf(F, q, df2))


def robu_weights(y, v, X, cluster, *, model: str = "CORR", rho: float = 0.8):
    """Working weights of robumeta and their moment estimates of heterogeneity.

    Correlated effects ("CORR"; Hedges, Tipton and Johnson 2010, sec. 3.2):
    :math:`w_{ij} = 1/(k_j(\\bar v_j + \\tau^2))`, with :math:`\\tau^2` from
    :math:`E[Q_E]` under weights :math:`1/(k_j\\bar v_j)` and the assumed within-cluster
    correlation :math:`\\rho` of the sampling errors:

    .. math:: \\tau^2 = \\frac{Q_E - m + \\operatorname{tr}(BS_I)
              + \\rho[\\operatorname{tr}(BS_J) - \\operatorname{tr}(BS_I)]}
              {\\sum_j k_j w_j - \\operatorname{tr}(B\\sum_j w_j^2 X_j'1 1'X_j)},

    :math:`S_I = \\sum_j w_j^2 \\bar v_j X_j'X_j`, :math:`S_J = \\sum_j w_j^2 \\bar v_j X_j'11'X_j`.
    Hierarchical effects ("HIER"): :math:`w_{ij} = 1/(v_{ij} + \\tau^2 + \\omega^2)` with
    :math:`(\\tau^2, \\omega^2)` solving :math:`E[Q] = \\operatorname{tr}(P V) +
    \\tau^2\\operatorname{tr}(P J) + \\omega^2\\operatorname{tr}(P)` for the residual makers
    ``P`` of weights ``1/v`` and of ordinary least squares; a negative :math:`\\omega^2`
    is set to 0 and :math:`\\tau^2` then comes from the first equation alone.
    Returns ``(w, tau2, omega2)`` (``omega2`` is ``nan`` for CORR). Matches robumeta::robu 2.0.
    """
    y, v, X = np.asarray(y, float), np.asarray(v, float), np.asarray(X, float)
    _, codes = np.unique(np.asarray(cluster).astype(str), return_inverse=True)
    m = int(codes.max()) + 1
    if model == "CORR":
        n_j = np.bincount(codes)
        kj = n_j[codes]
        vbar = (np.bincount(codes, v) / n_j)[codes]
        w = 1.0 / (kj * vbar)
        B = np.linalg.inv(X.T @ (w[:, None] * X))
        e = y - X @ (B @ (X.T @ (w * y)))
        p = X.shape[1]
        SI, SJ, S1 = np.zeros((p, p)), np.zeros((p, p)), np.zeros((p, p))
        for j in range(m):
            rows = codes == j
            wj, vj, s = w[rows][0], vbar[rows][0], X[rows].sum(axis=0)
            SI += wj**2 * vj * X[rows].T @ X[rows]
            SJ += wj**2 * vj * np.outer(s, s)
            S1 += wj**2 * np.outer(s, s)
        denom = np.sum(w) - np.trace(B @ S1)
        num = np.sum(w * e**2) - m + np.trace(B @ SI) + rho * (np.trace(B @ SJ) - np.trace(B @ SI))
        tau2 = max(0.0, num / denom)
        return 1.0 / (kj * (vbar + tau2)), tau2, float("nan")
    if model == "HIER":
        k = y.size
        Jm = (codes[:, None] == codes[None, :]).astype(float)
        A, b = np.zeros((2, 2)), np.zeros(2)
        for i, W in enumerate((np.diag(1.0 / v), np.eye(k))):
            P = W - W @ X @ np.linalg.solve(X.T @ W @ X, X.T @ W)
            A[i] = np.trace(P @ Jm), np.trace(P)
            b[i] = y @ P @ y - np.sum(np.diag(P) * v)
        omega2 = max(0.0, float(np.linalg.solve(A, b)[1]))
        tau2 = max(0.0, (b[0] - omega2 * A[0, 1]) / A[0, 0])
        return 1.0 / (v + tau2 + omega2), tau2, omega2
    raise ValueError(f"model weights must be 'CORR' or 'HIER'; got {model!r}")
