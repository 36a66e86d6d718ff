"""The iterations of the iterative tau^2 estimators (ML, REML, PM, EB, PMM, DLIT, SJIT).

:func:`iterate` solves, for every analysis of a batch at once, the ML/REML likelihood
(an ascent) or the PM/EB estimating equation (a decreasing root), from metafor's starting
values; one analysis takes the scalar path (:mod:`metaevidence.core.scalar`), a complete
intercept-only batch the studies-first layout (:class:`~metaevidence.core.estimating.Columns`).
The estimators themselves, and their results, are in :mod:`metaevidence.core.tau2`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metaevidence.core.batch import Studies
from metaevidence.core.estimating import (
    Columns,
    Work,
    ml_columns,
    ml_terms,
    reml_columns,
    reml_terms,
    score_at_zero,
    sub_batch,
)
from metaevidence.core.scalar import LikelihoodTerms
from metaevidence.core.solve import ascend, decreasing_root
from metaevidence.core.tau2_more import chi2_median
from metaevidence.core.wls import CommonFit, common_fit

__all__ = ["iterate", "solve", "typical_variance"]

#: The studies-first form of each likelihood's terms.
_BY_COLUMNS = {reml_terms: reml_columns, ml_terms: ml_columns}
#: The scalar path's name of the estimating equation an estimator solves.
_TERMS = {"EB": "PM", "DLIT": "PM", "SJIT": "PM"}


def typical_variance(s: Studies, base: CommonFit | None = None) -> np.ndarray:
    """The "typical" within-study variance of Higgins & Thompson (2002), eq. 9.

    .. math:: \\tilde v = \\frac{k - p}{\\operatorname{tr} P}, \\quad w_i = 1/v_i

    (without moderators :math:`(k-1)\\sum w / ((\\sum w)^2 - \\sum w^2)`); metafor's
    ``vt``, used for I^2 and H^2 of random-effects models; 0 when ``k <= p`` (as metafor
    reports for a single study). Shape (n,). ``base``: the common-effect fit, if already
    computed.
    """
    base = common_fit(s) if base is None else base
    return np.where(s.k > s.p, s.df / base.trp, 0.0)


def _start(s: Studies, base: CommonFit, tau2_init, method: str) -> np.ndarray:
    """Starting value: ``tau2_init``, else metafor's: the Hedges estimate for ML/REML (so
    that the hill climbed is metafor's when the likelihood has several local maxima), the
    DerSimonian-Laird estimate for PM/EB (any start will do: Q is monotone).
    """
    if tau2_init is not None:
        return np.maximum(np.broadcast_to(np.asarray(tau2_init, dtype=float), (s.n,)), 0.0)
    if method in ("ML", "REML"):
        from metaevidence.core.tau2 import _he  # the Hedges start (a moment estimator)

        return np.nan_to_num(_he(s)[2], nan=0.0)
    x0 = (base.q - s.df) / base.trp
    return np.where(x0 > 0, x0, 0.0)


def iterate(s: Studies, fun, base: CommonFit, tau2_init, tol, maxiter, method):
    """Solve the ML/REML likelihood or the PM/EB estimating equation for every analysis.

    PM/EB: the generalised Q decreases in tau^2, so ``Q(0) <= k - p`` (Cochran's Q below
    its expectation) means tau^2 = 0; otherwise the root is bracketed from 0 and found by
    :func:`~metaevidence.core.solve.decreasing_root`. ML/REML: the (restricted)
    log-likelihood is maximised by :func:`~metaevidence.core.solve.ascend` from the
    Hedges estimate, as metafor's Fisher scoring; the boundary tau^2 = 0 is taken instead
    when it is a local maximum (score <= 0 there) with at least the same likelihood (as
    metafor, which then warns that Fisher scoring "may have gotten stuck at a local
    maximum" and sets tau^2 = 0). With a unimodal likelihood (the usual case) this is
    the unique maximum. Returns tau2, converged, iterations (function evaluations).
    """
    tau2 = np.zeros(s.n)
    converged = np.ones(s.n, dtype=bool)
    iterations = np.zeros(s.n, dtype=np.int64)
    likelihood = method in ("ML", "REML")
    live = s.k > s.p
    if not likelihood:  # f(0) > 0 from the common-effect fit (PMM: Q's median, not its mean)
        live &= base.q - (chi2_median(s.df) if method == "PMM" else s.df) > 0
        iterations[s.k > s.p] = 1
    if not live.any():
        return tau2, converged, iterations, np.full(s.n, np.nan)
    vt = typical_variance(s, base)
    x0 = _start(s, base, tau2_init, method)
    f_zero = score_at_zero(base, method) if likelihood else None
    return solve(s, fun, live, vt, x0, f_zero, tol, maxiter, method, tau2, converged, iterations)


def solve(
    s: Studies, fun, live, vt, x0, f_zero, tol, maxiter, method, tau2, converged, iterations, cols=None
):
    """The iterations of :func:`iterate` from its starting values ``x0`` over the ``live``
    analyses: typical variances ``vt`` (the scale of tau^2), twice the score at tau^2 = 0
    ``f_zero`` (ML/REML); ``tau2, converged, iterations`` are filled in. ``cols``: the
    studies-first copy of a complete intercept-only ``s``, if the caller has made it.
    """
    likelihood = f_zero is not None
    scale = np.where((vt > 0) & np.isfinite(vt), vt, 1.0)
    if live.all():
        idx, si = None, s
    else:
        idx = np.flatnonzero(live)
        si, x0, scale = s.take(idx), x0[idx], scale[idx]
    cache: dict[str, Any] = {}
    if si.n == 1 and si.X is None:
        # one analysis: the same formulas on Python floats (core.single), much cheaper
        inc = si.included[0]
        call: Any = LikelihoodTerms(
            si.y[0][inc].tolist(),
            si.v[0][inc].tolist(),
            _TERMS.get(method, method),
            array=lambda x, j: fun(si, x),
        )
    elif si.complete and si.X is None and fun in _BY_COLUMNS:
        # the iterations on a studies-first copy (cheaper passes; estimating.Columns)
        cols, by_cols = (Columns.of(si) if cols is None or idx is not None else cols), _BY_COLUMNS[fun]
        call = lambda x, j: by_cols(sub_batch(cols, cache, j), x)  # noqa: E731
    else:
        work = Work(si.y.shape, 6) if si.X is None else None
        call = lambda x, j: fun(sub_batch(si, cache, j), x, work)  # noqa: E731
    if likelihood:
        root = ascend(call, x0, scale, tol=tol, maxiter=maxiter)
        # tau^2 = 0 is a local maximum when the score is not positive there; it is the
        # estimate when its likelihood is at least that of the interior maximum found
        # (an ascent that started at 0 has already stopped there if the score was <= 0;
        # the score at 0 comes from the common-effect fit, the likelihood only if needed)
        started = (x0 > 0) & ((f_zero if idx is None else f_zero[idx]) <= 0)
        if started.any():
            j = np.flatnonzero(started)
            ll0, f0, _, info0 = fun(si if j.size == si.n else si.take(j), np.zeros(j.size))
            at_zero = np.zeros(si.n, dtype=bool)
            value = np.asarray(root.value)  # an ascent always reports its likelihood
            zero_j = (f0 <= 0) & (ll0 >= value[j] - 1e-12 * (1.0 + np.abs(ll0)))
            at_zero[j] = zero_j
            info = np.array(root.info, dtype=float)
            info[j[zero_j]] = info0[zero_j]  # the information at the boundary, for the SE
            root = type(root)(
                np.where(at_zero, 0.0, root.x), root.converged | at_zero, root.iterations, root.value, info
            )
    else:
        root = decreasing_root(
            call, x0, np.zeros(si.n), np.full(si.n, np.inf), scale, tol=tol, maxiter=maxiter
        )
    info = np.full(s.n, np.nan)
    if idx is None:
        if root.info is not None:
            info = root.info
        return root.x, root.converged, iterations + root.iterations, info
    tau2[idx] = root.x
    converged[idx] = root.converged
    iterations[idx] += root.iterations
    if root.info is not None:
        info[idx] = root.info
    return tau2, converged, iterations, info
