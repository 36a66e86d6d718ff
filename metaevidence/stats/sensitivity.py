"""Sensitivity analyses built on masks over one batched fit: leave-one-out, cumulative.

Each verb takes a fitted :class:`~metaevidence.stats.results.MetaAnalysis`, builds a boolean
mask of shape ``(rows, n)`` over its studies and fits every row in one vectorised call of
the engine (:func:`metaevidence.core.fit.fit` for inverse-variance fits,
:func:`metaevidence.core.binary.fit_binary` for Mantel-Haenszel and Peto fits), with the
parent's settings (estimator, test, level, prediction interval, fixed tau^2, zero-cell
handling). The result is a :class:`~metaevidence.stats.results.MetaAnalysisBatch` whose
``parent`` is the full fit.

:func:`refit_masks` is that one call, for other diagnostics (influence, GOSH) that need
many subsets of the same studies.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.batch import MAX_CELLS
from metaevidence.core.pool import TABLE_METHODS
from metaevidence.stats.results import MetaAnalysis, MetaAnalysisBatch

__all__ = ["leave_one_out", "cumulative", "refit_masks"]


def refit_masks(
    result: MetaAnalysis,
    mask,
    *,
    row_labels=None,
    kind: str = "batch",
    order=None,
    max_cells: int = MAX_CELLS,
) -> MetaAnalysisBatch:
    """Refit ``result``'s model on many subsets of its studies in one batched call.

    Parameters
    ----------
    result : MetaAnalysis
        The full fit: its studies, method, test, level, pi_method, fixed tau^2 (if any),
        user weights (``weights=``; each study keeps its weight; ones for
        ``weighted=False``) and, for MH/Peto fits, the 2x2 counts and zero-cell settings
        are reused.
    mask : array_like of bool (..., n)
        Studies of each subset (rows excluded from the parent stay excluded).
    row_labels : sequence of str, optional
    kind : str
        Recorded in the batch ("batch", "leave-one-out", "cumulative", ...).
    order : ndarray of int, optional
        Recorded in the batch (cumulative order).
    max_cells : int
        Chunk size of the batched fit (memory bound).

    Returns
    -------
    MetaAnalysisBatch

    Example
    -------
    >>> import numpy as np, metaevidence as me
    >>> res = me.meta_analysis([0.1, 0.4, -0.2, 0.3], [0.02, 0.03, 0.05, 0.04])
    >>> sub = refit_masks(res, np.array([[True, True, False, True]]))
    >>> int(sub.k[0])
    3
    """
    from metaevidence.core import fit as engine
    from metaevidence.stats.fit import _batch_result

    if not isinstance(result, MetaAnalysis):
        raise TypeError(f"expected a MetaAnalysis (a fitted model); got {type(result).__name__}")
    n = len(result.yi)
    mask = np.asarray(mask, dtype=bool)
    if mask.shape[-1:] != (n,):
        raise ValueError(f"mask must have shape (..., {n}) (one column per study); got {mask.shape}")
    mask = mask & result.included
    shape = mask.shape
    y = np.broadcast_to(result.yi, shape)
    v = np.broadcast_to(result.vi, shape)
    if result.method in TABLE_METHODS:
        return _refit_binary(result, mask, y, v, row_labels, kind, order)
    if getattr(result, "glmm", None) is not None:  # a GLMM refits its counts, row by row
        from metaevidence.stats.glmm import refit_glmm_masks

        return refit_glmm_masks(result, mask, row_labels, kind, order)
    fit = engine.fit(
        result.yi,
        np.where(result.included, result.vi, np.nan),
        mask=mask,
        method=result.method,
        test=result.test,
        level=result.level,
        tau2=result.tau2 if result.tau2_fixed else None,
        pi_method=result.pi_method,
        max_cells=max_cells,
        warn=False,
        weights=user_weights(result),
    )
    engine.warn_convergence(fit.converged, fit.iterations, fit.method, shape[:-1], where=kind, stacklevel=4)
    return _batch_result(
        fit,
        y,
        v,
        mask,
        result.labels,
        result.measure,
        None if row_labels is None else tuple(row_labels),
        kind,
        result,
        result.effects,
        order,
    )


def user_weights(result) -> np.ndarray | None:
    """The weights every refit of ``result`` keeps: its user weights (``weights=``), ones
    for the unweighted model (``weighted=False``), None for inverse-variance weights.
    """
    weighting = getattr(result, "weighting", "inverse-variance")
    if weighting == "user":
        return np.asarray(result.user_weights, dtype=float)
    if weighting == "unweighted":
        return np.ones(len(result.yi))
    return None


def _refit_binary(result, mask, y, v, row_labels, kind, order) -> MetaAnalysisBatch:
    from metaevidence.core.binary import fit_binary

    data = getattr(result.effects, "data", None) or {}
    if not all(key in data for key in ("ai", "bi", "ci", "di")):
        raise ValueError(
            f"{kind}: a {result.method} fit needs its 2x2 counts (effects.data "
            f"ai, bi, ci, di); got {sorted(data)}"
        )
    add, to, drop00 = result.pooling_cells or (0.0, "none", False)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = fit_binary(
            *(np.asarray(data[key], dtype=float) for key in ("ai", "bi", "ci", "di")),
            yi=y,
            vi=v,
            mask=mask,
            method=result.method,
            measure=result.measure if result.method == "MH" else "OR",
            level=result.level,
            correct=bool(result.correct),
            add=add,
            to=to,
            drop00=drop00,
        )
    shape = mask.shape[:-1]
    nan = np.full(shape, np.nan)
    zeros = np.zeros(shape)
    return MetaAnalysisBatch(
        estimate=f["estimate"],
        se=f["se"],
        statistic=f["statistic"],
        p_value=f["p_value"],
        ci_lower=f["ci_lower"],
        ci_upper=f["ci_upper"],
        df=nan,
        pi_lower=nan,
        pi_upper=nan,
        tau2=zeros,
        tau2_se=nan,
        tau=zeros,
        i2=f["i2"],
        h2=f["h2"],
        q=f["q"],
        q_df=f["q_df"],
        q_p_value=f["q_p_value"],
        k=f["k"],
        yi=y,
        vi=v,
        weights=f["weights"],
        included=f["included"],
        labels=result.labels,
        measure=result.measure,
        method=result.method,
        test="z",
        level=result.level,
        pi_method=result.pi_method,
        converged=np.ones(shape, dtype=bool),
        iterations=np.zeros(shape, dtype=np.int64),
        mask=mask,
        row_labels=None if row_labels is None else tuple(row_labels),
        kind=kind,
        parent=result,
        effects=result.effects,
        vt=nan,
        order=order,
        cmh=f["cmh"],
        cmh_p_value=f["cmh_p_value"],
        tarone=f["tarone"],
        tarone_p_value=f["tarone_p_value"],
    )


def leave_one_out(result: MetaAnalysis) -> MetaAnalysisBatch:
    """Leave-one-out analysis: the model refitted without each study in turn.

    Parameters
    ----------
    result : MetaAnalysis
        Any fit (inverse-variance, Mantel-Haenszel or Peto).

    Returns
    -------
    MetaAnalysisBatch
        ``kind="leave-one-out"``, one row per included study (in study order), labelled
        "omitting <label>", fitted with the parent's settings in one batched call.

    Matches ``metafor::leave1out()`` (tests/reference/R/sensitivity.R), also of fits with
    user weights or ``weighted=False`` (tests/reference/R/weighted_sensitivity.R).

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([0.1, 0.4, -0.2, 0.3], [0.02, 0.03, 0.05, 0.04])
    >>> loo = me.leave_one_out(res)
    >>> loo.row_labels[0], loo.estimate.shape
    ('omitting Study 1', (4,))
    """
    if not isinstance(result, MetaAnalysis):
        raise TypeError(f"leave_one_out: expected a MetaAnalysis; got {type(result).__name__}")
    rows = np.flatnonzero(result.included)
    if rows.size < 2:
        raise ValueError(
            f"leave_one_out: needs a fit of at least 2 studies (leaving out the "
            f"only study leaves nothing to pool); got k = {rows.size}"
        )
    n = len(result.yi)
    mask = np.ones((rows.size, n), dtype=bool)
    mask[np.arange(rows.size), rows] = False
    labels = [f"omitting {result.labels[i]}" for i in rows]
    return refit_masks(result, mask, row_labels=labels, kind="leave-one-out")


def cumulative(result: MetaAnalysis, order=None, *, collapse: bool = False) -> MetaAnalysisBatch:
    """Cumulative meta-analysis: the model refitted as studies are added one at a time.

    Parameters
    ----------
    result : MetaAnalysis
        Any fit (inverse-variance, Mantel-Haenszel or Peto).
    order : None, sequence of sort keys (n,), or str
        ``None``: the studies' order. A sequence of keys (e.g. publication years): the
        studies sorted by it, stably (ties keep their order; NaN keys last). A string:
        the name of a per-study attribute of ``result.effects.study_info`` (e.g.
        ``"year"``).
    collapse : bool, default False
        Add the studies that share a value of ``order`` in one step (metafor's
        ``collapse=TRUE``): one row per distinct value, labelled "up to <value>" (studies
        with no value, NaN, come last as one step). Needs ``order``.

    Returns
    -------
    MetaAnalysisBatch
        ``kind="cumulative"``, one row per included study in the chosen order, labelled
        "adding <label>" (with ``collapse``, one row per value of ``order``); ``order``
        holds the study indices in that order.

    Matches ``metafor::cumul()`` (tests/reference/R/sensitivity.R), also of fits with
    user weights or ``weighted=False`` (tests/reference/R/weighted_sensitivity.R), and with
    ``collapse`` metafor 5's (tests/reference/R/cumul_collapse_v5.R).

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([0.1, 0.4, -0.2, 0.3], [0.02, 0.03, 0.05, 0.04])
    >>> cum = me.cumulative(res, order=[2001, 1999, 2005, 1999])
    >>> cum.row_labels
    ('adding Study 2', 'adding Study 4', 'adding Study 1', 'adding Study 3')
    """
    if not isinstance(result, MetaAnalysis):
        raise TypeError(f"cumulative: expected a MetaAnalysis; got {type(result).__name__}")
    n = len(result.yi)
    if collapse and order is None:
        raise ValueError(
            "cumulative: collapse=True adds studies with the same order value together; give order="
        )
    keys = None
    if order is None:
        idx = np.arange(n)
    else:
        if isinstance(order, str):
            info = getattr(result.effects, "study_info", None) or {}
            if order not in info:
                raise ValueError(
                    f"cumulative: order={order!r} is not a study attribute of the "
                    f"effect sizes; available: {sorted(info)}"
                )
            keys = np.asarray(info[order])
        else:
            keys = np.asarray(order)
        if keys.shape != (n,):
            raise ValueError(
                f"cumulative: order must have one sort key per study ({n}); got shape {keys.shape}"
            )
        idx = np.argsort(keys, kind="stable")
    idx = idx[result.included[idx]]
    rank = np.full(n, n)  # position of each study in the order
    rank[idx] = np.arange(idx.size)
    if collapse:
        return _collapsed(result, keys, idx, rank)
    mask = rank[None, :] <= np.arange(idx.size)[:, None]
    labels = [f"adding {result.labels[i]}" for i in idx]
    return refit_masks(result, mask, row_labels=labels, kind="cumulative", order=idx)


def _collapsed(result, keys, idx, rank) -> MetaAnalysisBatch:
    """One cumulative step per distinct order value: each step adds every study up to the
    last one (in ``idx``, sorted stably by ``keys``) with that value.
    """
    sorted_keys = [keys[i] for i in idx]
    same = lambda a, b: a == b or (a != a and b != b)  # noqa: E731  (NaN keys are one step)
    last = [j for j in range(len(idx)) if j + 1 == len(idx) or not same(sorted_keys[j], sorted_keys[j + 1])]
    mask = rank[None, :] <= np.asarray(last)[:, None]
    labels = [f"up to {_key_text(sorted_keys[j])}" for j in last]
    return refit_masks(result, mask, row_labels=labels, kind="cumulative", order=idx[last])


def _key_text(key) -> str:
    if isinstance(key, (float, np.floating)):
        return "no value" if key != key else (str(int(key)) if float(key).is_integer() else str(key))
    return str(key)
