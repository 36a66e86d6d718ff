"""Inverse-variance fitting verbs: meta_analysis, meta_analysis_batch (heterogeneity_ci:
:mod:`metaevidence.stats.profile`).

These are the faces of the batched engine (:mod:`metaevidence.core.fit`): they
validate the user's input, call one vectorised fit and wrap the arrays in the frozen
result types of :mod:`metaevidence.stats.results`. Defaults are metafor's (``method="REML"``,
``test="z"``, ``level=0.95``), so that results match ``metafor::rma()`` out of the box;
the living-review specs choose their own (Cochrane: REML with Hartung-Knapp).
"""

from __future__ import annotations

import warnings

import numpy as np

from metaevidence.core import fit as _engine
from metaevidence.core.batch import MAX_CELLS, prepare
from metaevidence.core.scalar import fit_one
from metaevidence.core.tau2 import DEFAULT_MAXITER, DEFAULT_TOL
from metaevidence.errors import ConvergenceWarning, SmallSampleWarning
from metaevidence.stats._inputs import check_values, study_labels, unpack
from metaevidence.stats.results import MetaAnalysis, MetaAnalysisBatch, fields_of

__all__ = ["meta_analysis", "meta_analysis_batch"]


def meta_analysis(
    yi,
    vi=None,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    pi_method: str = "metafor",
    tau2: float | None = None,
    labels=None,
    measure: str | None = None,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    weights=None,
    weighted: bool = True,
) -> MetaAnalysis:
    """Fit a common- or random-effects meta-analysis (inverse-variance weights).

    Parameters
    ----------
    yi : array_like (k,) or EffectSizes
        Effect sizes on the analysis scale (log scale for ratios), or an object with
        ``.yi``, ``.vi`` (and ``.labels``, ``.measure``), e.g. from
        :func:`metaevidence.effect_sizes`; it is kept in ``result.effects``.
    vi : array_like (k,)
        Sampling variances (omit when ``yi`` is an EffectSizes object). NaN in ``yi``
        or ``vi`` marks a study that is not used (``included`` is False).
    method : str
        tau^2 estimator, metafor's spelling: "REML" (default, as metafor), "DL", "HE",
        "HS", "HSk", "SJ", "ML", "EB", "PM", "PMM", "DLIT", "SJIT" (metaevidence.core.tau2_more);
        "EE"/"FE" for the common-effect model.
    test : {"z", "knha", "adhoc"}
        "z" (default, as metafor): normal test and Wald interval. "knha":
        Hartung-Knapp-Sidik-Jonkman, t on k - 1 df. "adhoc": HKSJ never narrower than
        "z". With one study the normal test is used, with a SmallSampleWarning.
    level : float
        Confidence level of the intervals (0.95).
    pi_method : {"metafor", "hts"}
        Prediction interval as ``predict.rma`` (normal, or t on k - 1 df under knha) or
        Higgins-Thompson-Spiegelhalter (t on k - 2 df).
    tau2 : float, optional
        Fix tau^2 at this value instead of estimating it (metafor's ``tau2=``).
    labels : sequence of str, optional
        Study labels (default: from the EffectSizes, else "Study 1", ...).
    measure : str, optional
        Measure name for display (default: from the EffectSizes, else "GEN").
    tol, maxiter : float, int
        Convergence of the iterative estimators (relative tolerance on tau^2; default
        1e-12, 100 iterations). A fit that stops short is flagged (``converged=False``)
        with a ConvergenceWarning.
    weights : array_like (k,), optional
        User-defined weights of the pooled estimate (metafor's ``weights=``; finite,
        positive). tau^2 is estimated as without them, and Q, I^2, H^2 are the usual
        inverse-variance ones; the estimate is :math:`\\sum a_i y_i/\\sum a_i` with
        :math:`\\operatorname{SE} = \\sqrt{\\sum a_i^2(v_i + \\hat\\tau^2)}/\\sum a_i`.
        Only with ``test="z"``.
    weighted : bool
        False fits the unweighted model (metafor's ``weighted=FALSE``: all weights equal).

    Returns
    -------
    MetaAnalysis

    Raises
    ------
    ValueError
        Unknown method/test/pi_method, a level outside (0, 1), mismatched lengths,
        non-positive variances, or no usable study.

    Notes
    -----
    Random-effects model :math:`y_i = \\mu + u_i + e_i`, :math:`u_i \\sim N(0, \\tau^2)`,
    :math:`e_i \\sim N(0, v_i)`; :math:`\\hat\\mu = \\sum w_i y_i/\\sum w_i` with
    :math:`w_i = 1/(v_i + \\hat\\tau^2)`. Q, I^2 and H^2 follow metafor: for
    random-effects models :math:`I^2 = 100\\hat\\tau^2/(\\hat\\tau^2 + \\tilde v)` with the
    typical within-study variance :math:`\\tilde v`; for common-effect models
    :math:`I^2 = 100(Q - df)/Q`.

    Matches ``metafor::rma.uni()`` and ``predict()`` (metafor 3.8-1) for every estimator
    and test; see tests/reference/R/rma.R.

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([-0.89, -1.59, -1.35, -1.44, -0.22],
    ...                        [0.33, 0.19, 0.42, 0.02, 0.05], method="DL")
    >>> res.k
    5
    """
    where = "meta_analysis"
    y, v, labels, measure, es = unpack(yi, vi, labels, measure, where)
    _check_shapes(y, v, where)
    _engine.check_options(method, test, level, pi_method)
    labels = study_labels(labels, y.size, where)
    check_values(y, v, labels, where)
    s = prepare(y, v)
    if s.k[0] == 0:
        raise ValueError(f"{where}: no study has both yi and vi; got {y.size} rows, all missing")
    _check_fixed_tau2(tau2, method, where)
    included = s.included[0]
    weighting, user = _weighting(weights, weighted, test, y.size, included, where)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = fit_one(
            y[included].tolist(),
            v[included].tolist(),
            method=method,
            test=test,
            level=float(level),
            pi_method=pi_method,
            tau2=None if tau2 is None else float(tau2),
            tol=tol,
            maxiter=maxiter,
            user_weights=None if user is None else user[included].tolist(),
        )
    weights = np.full(y.size, np.nan)
    weights[included] = f["weights"]
    k = f["k"]
    conv = f["converged"]
    used_test = test
    if test != "z" and k == 1:
        used_test = "z"
        warnings.warn(
            f"{where}: test={test!r} needs at least 2 studies; k = 1, so the "
            f"normal test (test='z') was used, as metafor does.",
            SmallSampleWarning,
            stacklevel=2,
        )
    if not conv:
        warnings.warn(
            f"{where}: the {method} estimate of tau^2 did not converge after "
            f"{f['iterations']} iterations; the result is flagged (converged=False). "
            f"Try a larger maxiter, a looser tol, or a closed-form estimator (method='DL').",
            ConvergenceWarning,
            stacklevel=2,
        )
    return MetaAnalysis(
        **{name: f[name] for name in _FROM_FIT},
        k=k,
        yi=y,
        vi=v,
        weights=weights,
        included=included,
        labels=labels,
        measure=measure,
        method=method,
        test=used_test,
        level=float(level),
        pi_method=pi_method,
        converged=conv,
        effects=es,
        tau2_fixed=tau2 is not None,
        weighting=weighting,
        user_weights=user if weighting == "user" else None,
    )


#: The numbers of a fit that the result takes as the engine computed them.
_FROM_FIT = (
    "estimate",
    "se",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
    "df",
    "pi_lower",
    "pi_upper",
    "tau2",
    "tau2_se",
    "tau",
    "i2",
    "h2",
    "q",
    "q_df",
    "q_p_value",
    "iterations",
    "vt",
)


def _check_shapes(y: np.ndarray, v: np.ndarray, where: str) -> None:
    """One analysis: yi and vi one-dimensional, of one length, not empty."""
    if y.ndim != 1 or v.ndim != 1:
        raise ValueError(
            f"{where}: yi and vi must be one-dimensional (one value per study); "
            f"got shapes {y.shape} and {v.shape} (use meta_analysis_batch for "
            f"many analyses)"
        )
    if y.shape != v.shape:
        raise ValueError(f"{where}: yi and vi must have the same length; got {y.size} and {v.size}")
    if y.size == 0:
        raise ValueError(f"{where}: no studies: yi and vi are empty")


def _check_fixed_tau2(tau2, method: str, where: str) -> None:
    """A fixed tau^2: only for a random-effects method, finite and non-negative."""
    if tau2 is None:
        return
    if method in _engine.COMMON_METHODS:
        raise ValueError(
            f"{where}: tau2 can only be fixed for a random-effects method; got method={method!r}"
        )
    if not (np.isfinite(tau2) and tau2 >= 0):
        raise ValueError(f"{where}: tau2 must be finite and non-negative; got {tau2!r}")


def _weighting(weights, weighted, test, n, included, where):
    """("inverse-variance" | "user" | "unweighted", the weights as an array or None)."""
    if not isinstance(weighted, (bool, np.bool_)):
        raise TypeError(f"{where}: weighted must be True or False; got {weighted!r}")
    if weights is None and weighted:
        return "inverse-variance", None
    if weights is not None and not weighted:
        raise ValueError(f"{where}: give either weights= or weighted=False, not both")
    if test != "z":
        raise ValueError(
            f"{where}: user weights and the unweighted model support test='z' only; got test={test!r}"
        )
    if weights is None:
        return "unweighted", np.ones(n)
    a = np.asarray(weights, dtype=float)
    if a.shape != (n,):
        raise ValueError(f"{where}: weights must have one value per study ({n}); got shape {a.shape}")
    bad = np.flatnonzero(included & ~(np.isfinite(a) & (a > 0)))
    if bad.size:
        raise ValueError(
            f"{where}: weights must be finite and positive; got {float(a[bad[0]])!r} for study {bad[0] + 1}"
        )
    return "user", a


def meta_analysis_batch(
    yi,
    vi=None,
    *,
    mask=None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    pi_method: str = "metafor",
    tau2=None,
    labels=None,
    row_labels=None,
    measure: str | None = None,
    tol: float = DEFAULT_TOL,
    maxiter: int = DEFAULT_MAXITER,
    max_cells: int = MAX_CELLS,
    weights=None,
    weighted: bool = True,
) -> MetaAnalysisBatch:
    """Fit many meta-analyses at once: arrays ``(..., k)`` -> a :class:`MetaAnalysisBatch`.

    Parameters
    ----------
    yi, vi : array_like (..., k), or an EffectSizes object for ``yi``
        Leading axes index analyses, the last axis studies; ``yi`` and ``vi`` (and
        ``mask``) broadcast against each other, so one set of studies with a mask of
        shape ``(B, k)`` fits B subsets. NaN marks a missing study.
    mask : array_like of bool (..., k), optional
        Studies each analysis uses.
    method, test, level, pi_method, tol, maxiter
        As :func:`meta_analysis`.
    tau2 : array_like, optional
        Fixed tau^2 per analysis (broadcast to the batch shape).
    labels : sequence of str, optional
        The k study labels.
    row_labels : sequence of str, optional
        One label per analysis (one-dimensional batches).
    measure : str, optional
    max_cells : int
        Chunk size (analyses x studies) that bounds memory; a million analyses of 20
        studies run in chunks of 10,000 by default (peak memory about 0.7 GB with the
        inputs, benchmarks/README.md).
    weights : array_like (..., k), optional
        User weights of the pooled estimates (broadcast against ``yi``), as
        :func:`meta_analysis`; ``test="z"`` only.
    weighted : bool
        False fits the unweighted model.

    Returns
    -------
    MetaAnalysisBatch
        ``kind="batch"``. Non-converged analyses are flagged and named (batch index) in
        one ConvergenceWarning.

    Example
    -------
    >>> import numpy as np, metaevidence as me
    >>> rng = np.random.default_rng(1)
    >>> vi = rng.uniform(0.01, 0.1, size=(1000, 20))
    >>> yi = rng.normal(0.2, np.sqrt(vi + 0.05))
    >>> batch = me.meta_analysis_batch(yi, vi, method="REML", test="knha")
    >>> batch.estimate.shape
    (1000,)
    """
    where = "meta_analysis_batch"
    y, v, labels, measure, es = unpack(yi, vi, labels, measure, where)
    try:
        shape = np.broadcast_shapes(y.shape, v.shape, *(() if mask is None else (np.shape(mask),)))
    except ValueError:
        raise ValueError(
            f"{where}: yi, vi and mask must broadcast to one shape (..., k); "
            f"got {y.shape}, {v.shape}" + ("" if mask is None else f" and {np.shape(mask)}")
        ) from None
    if len(shape) == 0:
        raise ValueError(f"{where}: yi and vi need a last axis of studies (shape (..., k)); got scalars")
    if shape[-1] == 0 or 0 in shape:
        raise ValueError(
            f"{where}: no studies or no analyses: yi and vi have shape {shape}; "
            f"the last axis holds the k >= 1 studies"
        )
    labels = study_labels(labels, shape[-1], where)
    if not isinstance(weighted, (bool, np.bool_)):
        raise TypeError(f"{where}: weighted must be True or False; got {weighted!r}")
    if weights is not None and not weighted:
        raise ValueError(f"{where}: give either weights= or weighted=False, not both")
    if weights is None and not weighted:
        weights = np.ones(shape[-1])
    if weights is not None and test != "z":
        raise ValueError(
            f"{where}: user weights and the unweighted model support test='z' only; got test={test!r}"
        )
    try:
        fit = _engine.fit(
            y,
            v,
            mask=mask,
            method=method,
            test=test,
            level=level,
            tau2=tau2,
            pi_method=pi_method,
            tol=tol,
            maxiter=maxiter,
            max_cells=max_cells,
            weights=weights,
        )
    except ValueError as err:
        if weights is None or "weights" not in str(err):
            raise
        raise ValueError(f"{where}: {err}") from None
    m = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(np.asarray(mask, dtype=bool), shape)
    if row_labels is not None:
        row_labels = tuple(str(x) for x in row_labels)
        if len(shape) != 2 or len(row_labels) != shape[0]:
            raise ValueError(
                f"{where}: row_labels needs one label per analysis of a "
                f"one-dimensional batch ({shape[:-1]}); got {len(row_labels)}"
            )
    return _batch_result(
        fit,
        np.broadcast_to(y, shape),
        np.broadcast_to(v, shape),
        m,
        labels,
        measure,
        row_labels,
        "batch",
        None,
        es,
    )


def _batch_result(
    fit, y, v, mask, labels, measure, row_labels, kind, parent, effects, order=None
) -> MetaAnalysisBatch:
    """The engine's arrays (:class:`~metaevidence.core.fit.BatchFit`) as a batch result:
    every per-analysis number and setting the engine computed, copied by field name.
    """
    computed = fields_of(per="analysis") + ("weights", "included", "method", "test", "level", "pi_method")
    copied = {name: getattr(fit, name) for name in computed + ("tau2_fixed",) if hasattr(fit, name)}
    return MetaAnalysisBatch(
        **copied,
        yi=y,
        vi=v,
        labels=labels,
        measure=measure,
        mask=mask,
        row_labels=row_labels,
        kind=kind,
        parent=parent,
        effects=effects,
        order=order,
    )
