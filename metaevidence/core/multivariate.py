"""Multivariate meta-analysis with known sampling covariances; vcalc-style V.

Effects ``i`` in cluster ``j`` (a trial) belong to an "inner" level (outcome or time
point); random effects of the same cluster are correlated by a structure over the inner
levels, effects of different clusters are independent:

* ``"CS"``  compound symmetry: :math:`\\tau^2` on the diagonal, :math:`\\rho\\tau^2` off it;
* ``"HCS"`` heteroscedastic CS: :math:`\\tau^2_a` per level, :math:`\\rho\\tau_a\\tau_b` off it;
* ``"UN"``  unstructured: :math:`\\tau^2_a` and a correlation :math:`\\rho_{ab}` per pair;
* ``"AR"``  AR(1) in a numeric time: :math:`\\tau^2\\rho^{|t_a - t_b|}`.

The marginal covariance is :math:`M = V + Z\\Sigma Z'`; the (restricted) likelihood of
:mod:`metaevidence.core.multilevel` is maximised by BFGS over :math:`\\log\\tau^2` and
:math:`\\operatorname{atanh}\\rho` (the parameterisation metafor uses), with central
difference gradients. Matches metafor::rma.mv(yi, V, random = ~ inner | outer, struct = ...)
(3.8-1) and metafor::vcalc(vi, cluster, obs, rho).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from metaevidence.core.multilevel import Blocks, state_from_covariance

__all__ = ["STRUCTS", "MultivariateFit", "vcalc", "structure_covariance", "fit_multivariate"]

STRUCTS = ("CS", "HCS", "UN", "AR")


@dataclass(frozen=True, slots=True)
class MultivariateFit:
    """tau2 (K or 1), rho (pairs or 1), beta, vcov, loglik, iterations, converged."""

    tau2: np.ndarray
    rho: np.ndarray
    beta: np.ndarray
    vcov: np.ndarray
    loglik: float
    iterations: int
    converged: bool


def vcalc(vi, cluster, rho: float, obs=None) -> np.ndarray:
    """Block-diagonal sampling covariance with correlation ``rho`` within a cluster.

    :math:`V_{ij} = \\rho\\sqrt{v_i v_j}` for distinct effects ``i != j`` of one cluster
    (different ``obs`` when given; the same ``obs`` twice gets correlation 1), 0 across
    clusters, :math:`v_i` on the diagonal. metafor ``vcalc(vi, cluster, obs, rho)``;
    clubSandwich ``impute_covariance_matrix(vi, cluster, r)``.
    """
    vi = np.asarray(vi, dtype=float)
    cluster = np.asarray(cluster).astype(str)
    same = cluster[:, None] == cluster[None, :]
    R = np.where(same, rho, 0.0)
    if obs is not None:
        obs = np.asarray(obs).astype(str)
        R = np.where(same & (obs[:, None] == obs[None, :]), 1.0, R)
    np.fill_diagonal(R, 1.0)
    sd = np.sqrt(vi)
    return R * np.outer(sd, sd)


def _n_params(struct, K):
    return {"CS": (1, 1), "AR": (1, 1), "HCS": (K, 1), "UN": (K, K * (K - 1) // 2)}[struct]


def structure_covariance(tau2, rho, struct, K, times=None) -> np.ndarray:
    """The K x K covariance of one cluster's random effects over the inner levels."""
    tau2, rho = np.atleast_1d(tau2), np.atleast_1d(rho)
    if struct == "CS":
        S = np.full((K, K), rho[0] * tau2[0])
        np.fill_diagonal(S, tau2[0])
    elif struct == "HCS":
        sd = np.sqrt(tau2)
        S = rho[0] * np.outer(sd, sd)
        np.fill_diagonal(S, tau2)
    elif struct == "UN":
        sd = np.sqrt(tau2)
        R = np.eye(K)
        R[np.triu_indices(K, 1)] = rho
        R = np.triu(R) + np.triu(R, 1).T
        S = R * np.outer(sd, sd)
    elif struct == "AR":
        t = np.arange(K, dtype=float) if times is None else np.asarray(times, dtype=float)
        S = tau2[0] * rho[0] ** np.abs(t[:, None] - t[None, :])
    else:
        raise ValueError(f"struct must be one of {', '.join(STRUCTS)}; got {struct!r}")
    return S


def fit_multivariate(
    blocks: Blocks, inner, struct: str, *, K: int, times=None, method: str = "REML", tol: float = 1e-10
) -> MultivariateFit:
    """Fit a multivariate model; ``inner`` (J, m) holds each block position's level (-1 pad)."""
    if struct not in STRUCTS:
        raise ValueError(f"struct must be one of {', '.join(STRUCTS)}; got {struct!r}")
    reml = method == "REML"
    n_tau, n_rho = _n_params(struct, K)
    inner = np.asarray(inner)
    valid = inner >= 0
    safe = np.where(valid, inner, 0)
    pair = valid[:, :, None] & valid[:, None, :]

    def unpack(x):
        return np.exp(x[:n_tau]), np.tanh(x[n_tau:])

    def covariance(x):
        tau2, rho = unpack(x)
        S = structure_covariance(tau2, rho, struct, K, times)
        return blocks.V + np.where(pair, S[safe[:, :, None], safe[:, None, :]], 0.0)

    def objective(x):
        try:
            return -float(state_from_covariance(covariance(x), blocks, reml)[0])
        except np.linalg.LinAlgError:
            return np.inf

    def gradient(x):
        h = 1e-6
        g = np.empty_like(x)
        for i in range(x.size):
            e = np.zeros_like(x)
            e[i] = h
            g[i] = (objective(x + e) - objective(x - e)) / (2 * h)
        return g

    x0 = np.concatenate([np.full(n_tau, np.log(0.05)), np.zeros(n_rho)])
    opt = optimize.minimize(
        objective, x0, jac=gradient, method="BFGS", options={"gtol": tol, "maxiter": 2000}
    )
    ll, beta, vb, _, _ = state_from_covariance(covariance(opt.x), blocks, reml)
    tau2, rho = unpack(opt.x)
    converged = bool(opt.success) or np.max(np.abs(gradient(opt.x))) < 1e-6
    return MultivariateFit(tau2, rho, beta, vb, float(ll), int(opt.nit), converged)
