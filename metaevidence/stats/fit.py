"""Fitting verbs: meta_analysis, meta_analysis_batch, mantel_haenszel, peto, heterogeneity_ci.

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
from metaevidence.core import profile as _profile
from metaevidence.core.batch import MAX_CELLS, prepare
from metaevidence.core.scalar import fit_one
from metaevidence.core.tau2 import DEFAULT_MAXITER, DEFAULT_TOL
from metaevidence.errors import ConvergenceWarning, SmallSampleWarning
from metaevidence.stats.results import HeterogeneityCI, MetaAnalysis, MetaAnalysisBatch

__all__ = ["meta_analysis", "meta_analysis_batch", "mantel_haenszel", "peto",
           "heterogeneity_ci"]


def _unpack(yi, vi, labels, measure, where: str):
    """(yi, vi, labels, measure, effects) from arrays or an EffectSizes-like object."""
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        if vi is not None:
            raise TypeError(f"{where}: pass either an EffectSizes object or yi and vi arrays; "
                            f"got an effect-size object and vi as well")
        es = yi
        y = float_array(es.yi, "yi", where)
        v = float_array(es.vi, "vi", where)
        labels = tuple(getattr(es, "labels", ()) or ()) if labels is None else labels
        measure = getattr(es, "measure", None) or "GEN" if measure is None else measure
        return y, v, labels, measure, es
    if vi is None:
        raise TypeError(f"{where}: vi (sampling variances) is required with yi arrays; got "
                        f"yi of type {type(yi).__name__} and no vi")
    y = float_array(yi, "yi", where)
    v = float_array(vi, "vi", where)
    return y, v, labels, measure or "GEN", None


def float_array(value, name: str, where: str) -> np.ndarray:
    """``value`` as a float array, or a TypeError naming the argument and the function
    (numpy alone says only "could not convert string to float: 'a'")."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise TypeError(f"{where}: {name} must be numbers (a sequence or array, NaN for a "
                        f"missing study); got {shown}") from None


def _check_values(y: np.ndarray, v: np.ndarray, labels: tuple[str, ...], where: str) -> None:
    """Every study given (yi and vi not NaN) must have a finite yi and a positive, finite vi."""
    given = ~(np.isnan(y) | np.isnan(v))
    for name, bad, allowed in (("vi", given & ~((v > 0) & np.isfinite(v)),
                                "positive and finite (sampling variances)"),
                               ("yi", given & ~np.isfinite(y), "finite")):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = (v if name == "vi" else y)[i]
            raise ValueError(f"{where}: {name} must be {allowed}; got {name} = {float(value)!r} in "
                             f"row {i} (0-based; label {labels[i]!r}); use NaN to leave a study out")


def _labels(labels, n: int, where: str) -> tuple[str, ...]:
    if labels is None or len(labels) == 0:
        return tuple(f"Study {i + 1}" for i in range(n))
    labels = tuple(str(x) for x in labels)
    if len(labels) != n:
        raise ValueError(f"{where}: labels must have one entry per study ({n}); "
                         f"got {len(labels)}")
    return labels


def meta_analysis(yi, vi=None, *, method: str = "REML", test: str = "z", level: float = 0.95,
                  pi_method: str = "metafor", tau2: float | None = None, labels=None,
                  measure: str | None = None, tol: float = DEFAULT_TOL,
                  maxiter: int = DEFAULT_MAXITER) -> MetaAnalysis:
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
        "HS", "SJ", "ML", "EB", "PM"; "EE"/"FE" for the common-effect model.
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
    y, v, labels, measure, es = _unpack(yi, vi, labels, measure, where)
    if y.ndim != 1 or v.ndim != 1:
        raise ValueError(f"{where}: yi and vi must be one-dimensional (one value per study); "
                         f"got shapes {y.shape} and {v.shape} (use meta_analysis_batch for "
                         f"many analyses)")
    if y.shape != v.shape:
        raise ValueError(f"{where}: yi and vi must have the same length; got {y.size} and "
                         f"{v.size}")
    if y.size == 0:
        raise ValueError(f"{where}: no studies: yi and vi are empty")
    _engine.check_options(method, test, level, pi_method)
    labels = _labels(labels, y.size, where)
    _check_values(y, v, labels, where)
    s = prepare(y, v)
    if s.k[0] == 0:
        raise ValueError(f"{where}: no study has both yi and vi; got {y.size} rows, all "
                         f"missing")
    if tau2 is not None:
        if method in _engine.COMMON_METHODS:
            raise ValueError(f"{where}: tau2 can only be fixed for a random-effects method; "
                             f"got method={method!r}")
        if not (np.isfinite(tau2) and tau2 >= 0):
            raise ValueError(f"{where}: tau2 must be finite and non-negative; got {tau2!r}")
    included = s.included[0]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        f = fit_one(y[included].tolist(), v[included].tolist(), method=method, test=test,
                    level=float(level), pi_method=pi_method,
                    tau2=None if tau2 is None else float(tau2), tol=tol, maxiter=maxiter)
    weights = np.full(y.size, np.nan)
    weights[included] = f["weights"]
    k = f["k"]
    conv = f["converged"]
    used_test = test
    if test != "z" and k == 1:
        used_test = "z"
        warnings.warn(f"{where}: test={test!r} needs at least 2 studies; k = 1, so the "
                      f"normal test (test='z') was used, as metafor does.",
                      SmallSampleWarning, stacklevel=2)
    if not conv:
        warnings.warn(
            f"{where}: the {method} estimate of tau^2 did not converge after "
            f"{f['iterations']} iterations; the result is flagged (converged=False). "
            f"Try a larger maxiter, a looser tol, or a closed-form estimator (method='DL').",
            ConvergenceWarning, stacklevel=2)
    return MetaAnalysis(
        estimate=f["estimate"], se=f["se"], statistic=f["statistic"], p_value=f["p_value"],
        ci_lower=f["ci_lower"], ci_upper=f["ci_upper"], df=f["df"], pi_lower=f["pi_lower"],
        pi_upper=f["pi_upper"], tau2=f["tau2"], tau2_se=f["tau2_se"], tau=f["tau"],
        i2=f["i2"], h2=f["h2"], q=f["q"], q_df=f["q_df"], q_p_value=f["q_p_value"], k=k,
        yi=y, vi=v, weights=weights, included=included, labels=labels, measure=measure,
        method=method, test=used_test, level=float(level), pi_method=pi_method,
        converged=conv, iterations=f["iterations"], effects=es, vt=f["vt"],
        tau2_fixed=tau2 is not None)


def meta_analysis_batch(yi, vi=None, *, mask=None, method: str = "REML", test: str = "z",
                        level: float = 0.95, pi_method: str = "metafor", tau2=None,
                        labels=None, row_labels=None, measure: str | None = None,
                        tol: float = DEFAULT_TOL, maxiter: int = DEFAULT_MAXITER,
                        max_cells: int = MAX_CELLS) -> MetaAnalysisBatch:
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
    y, v, labels, measure, es = _unpack(yi, vi, labels, measure, where)
    try:
        shape = np.broadcast_shapes(y.shape, v.shape, *(() if mask is None else (np.shape(mask),)))
    except ValueError:
        raise ValueError(f"{where}: yi, vi and mask must broadcast to one shape (..., k); "
                         f"got {y.shape}, {v.shape}"
                         + ("" if mask is None else f" and {np.shape(mask)}")) from None
    if len(shape) == 0:
        raise ValueError(f"{where}: yi and vi need a last axis of studies (shape (..., k)); "
                         f"got scalars")
    if shape[-1] == 0 or 0 in shape:
        raise ValueError(f"{where}: no studies or no analyses: yi and vi have shape {shape}; "
                         f"the last axis holds the k >= 1 studies")
    labels = _labels(labels, shape[-1], where)
    fit = _engine.fit(y, v, mask=mask, method=method, test=test, level=level, tau2=tau2,
                      pi_method=pi_method, tol=tol, maxiter=maxiter, max_cells=max_cells)
    m = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(
        np.asarray(mask, dtype=bool), shape)
    if row_labels is not None:
        row_labels = tuple(str(x) for x in row_labels)
        if len(shape) != 2 or len(row_labels) != shape[0]:
            raise ValueError(f"{where}: row_labels needs one label per analysis of a "
                             f"one-dimensional batch ({shape[:-1]}); got {len(row_labels)}")
    return _batch_result(fit, np.broadcast_to(y, shape), np.broadcast_to(v, shape), m, labels,
                         measure, row_labels, "batch", None, es)


def _batch_result(fit, y, v, mask, labels, measure, row_labels, kind, parent, effects,
                  order=None) -> MetaAnalysisBatch:
    return MetaAnalysisBatch(
        estimate=fit.estimate, se=fit.se, statistic=fit.statistic, p_value=fit.p_value,
        ci_lower=fit.ci_lower, ci_upper=fit.ci_upper, df=fit.df, pi_lower=fit.pi_lower,
        pi_upper=fit.pi_upper, tau2=fit.tau2, tau2_se=fit.tau2_se, tau=fit.tau, i2=fit.i2,
        h2=fit.h2, q=fit.q, q_df=fit.q_df, q_p_value=fit.q_p_value, k=fit.k, yi=y, vi=v,
        weights=fit.weights, included=fit.included, labels=labels, measure=measure,
        method=fit.method, test=fit.test, level=fit.level, pi_method=fit.pi_method,
        converged=fit.converged, iterations=fit.iterations, mask=mask,
        row_labels=row_labels, kind=kind, parent=parent, effects=effects, vt=fit.vt,
        tau2_fixed=fit.tau2_fixed, order=order)


def heterogeneity_ci(result: MetaAnalysis, level: float | None = None, *,
                     tau2_max: float | None = None, tol: float = 1e-12,
                     maxiter: int = 100) -> HeterogeneityCI:
    """Q-profile confidence intervals for tau^2, tau, I^2 and H^2 of a random-effects fit.

    Parameters
    ----------
    result : MetaAnalysis
        A random-effects fit (not EE/FE/MH/PETO: as metafor, a common-effect model has
        no heterogeneity parameter to bound).
    level : float, optional
        Confidence level; default the result's level.
    tau2_max : float, optional
        Upper end of the search; default ``max(100, 10 * tau2)`` as metafor. A bound
        beyond it is reported as ``tau2_max`` and noted (metafor's ``">"``).
    tol, maxiter : float, int
        Root-finder settings.

    Returns
    -------
    HeterogeneityCI

    Raises
    ------
    ValueError
        For a common-effect fit, a single study, or a level outside (0, 1).

    Notes
    -----
    :math:`Q(\\tau^2) = \\sum (y_i - \\hat\\mu(\\tau^2))^2/(v_i + \\tau^2)` is inverted at
    the chi-square quantiles on k - 1 df (Viechtbauer, 2007, Stat Med 26:37). Matches
    ``metafor::confint.rma.uni()``; see :mod:`metaevidence.core.profile` for the rules
    on bounds that are 0 or not found.

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([-0.89, -1.59, -1.35, -1.44, -0.22],
    ...                        [0.33, 0.19, 0.42, 0.02, 0.05])
    >>> ci = me.heterogeneity_ci(res)
    >>> ci.tau2[0] <= res.tau2 <= ci.tau2[1]
    True
    """
    where = "heterogeneity_ci"
    if not isinstance(result, MetaAnalysis):
        raise TypeError(f"{where}: result must be a MetaAnalysis; got {type(result).__name__}"
                        f" (for batches use metaevidence.core.profile.q_profile_ci)")
    if not result.random_effects:
        raise ValueError(f"{where}: the model has no random-effects component "
                         f"(method={result.method!r}); refit with a tau^2 estimator "
                         f"such as method='REML'")
    if result.k < 2:
        raise ValueError(f"{where}: needs at least 2 studies; got k = {result.k}")
    level = result.level if level is None else level
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    s = prepare(result.yi, np.where(result.included, result.vi, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        qp = _profile.q_profile(s, np.array([result.tau2]), level=float(level),
                                tau2_max=tau2_max, tol=tol, maxiter=maxiter)
    lo, hi, vt = float(qp.lower[0]), float(qp.upper[0]), float(qp.vt[0])
    ls = _profile.STATUS_NAMES[int(qp.lower_status[0])]
    us = _profile.STATUS_NAMES[int(qp.upper_status[0])]
    tmax = float(qp.tau2_max[0])
    notes = []
    if ls == "below zero":
        notes.append("The upper and lower CI bounds for tau^2 both fall below 0; the CIs "
                     "are therefore equal to the null/empty set (reported as [0, 0]).")
    elif ls == "zero":
        notes.append("The lower bound for tau^2 is 0 (Q at tau^2 = 0 is below the upper "
                     "chi-square quantile).")
    if ls == "above tau2_max":
        notes.append(f"The lower bound lies above tau2_max = {tmax:g}; raise tau2_max.")
    if us == "above tau2_max":
        notes.append(f"The upper bound lies above tau2_max = {tmax:g} (reported as "
                     f"tau2_max); raise tau2_max to find it.")
    if not bool(qp.converged[0]):
        notes.append("The root finder did not converge; bounds are approximate.")
        warnings.warn(f"{where}: the Q-profile bound search did not converge in {maxiter} "
                      f"iterations; try a larger maxiter.", ConvergenceWarning, stacklevel=2)
    i2 = _profile.tau2_to_i2
    h2 = _profile.tau2_to_h2
    return HeterogeneityCI(
        tau2=(lo, hi), tau=(lo ** 0.5, hi ** 0.5), i2=(float(i2(lo, vt)), float(i2(hi, vt))),
        h2=(float(h2(lo, vt)), float(h2(hi, vt))), estimate_tau2=result.tau2,
        level=float(level), method="QP", notes=tuple(notes), estimate_tau=result.tau,
        estimate_i2=result.i2, estimate_h2=result.h2, lower_status=ls, upper_status=us,
        tau2_max=tmax)


def _pair(value, name: str, kind):
    """metafor's one-or-two-valued zero-cell settings: (display, pooling)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be one value or a pair (per-study effect sizes, "
                             f"pooling); got {value!r}")
        return value[0], value[1], True
    return value, kind, False


def _counts(where, ai, bi, ci, di, n1i, n2i, effects):
    if effects is not None:
        data = getattr(effects, "data", {}) or {}
        if not all(key in data for key in ("ai", "bi", "ci", "di")):
            raise ValueError(f"{where}: the effect sizes carry no 2x2 counts (ai, bi, ci, di); "
                             f"got data columns {sorted(data)}")
        ai, bi, ci, di = (float_array(data[key], key, where) for key in ("ai", "bi", "ci", "di"))
        return ai, bi, ci, di
    if ai is None or ci is None:
        raise TypeError(f"{where}: ai and ci (events in each group) are required; got "
                        f"ai={'None' if ai is None else '...'}, ci={'None' if ci is None else '...'}")
    ai, ci = float_array(ai, "ai", where), float_array(ci, "ci", where)
    if bi is None:
        if n1i is None:
            raise TypeError(f"{where}: give bi or n1i for group 1; got neither")
        bi = float_array(n1i, "n1i", where) - ai
    if di is None:
        if n2i is None:
            raise TypeError(f"{where}: give di or n2i for group 2; got neither")
        di = float_array(n2i, "n2i", where) - ci
    bi, di = float_array(bi, "bi", where), float_array(di, "di", where)
    shapes = {x.shape for x in (ai, bi, ci, di)}
    if len(shapes) != 1 or ai.ndim != 1:
        raise ValueError(f"{where}: ai, bi (or n1i), ci, di (or n2i) must be one-dimensional "
                         f"with one value per study; got shapes {sorted(shapes)}")
    return ai, bi, ci, di


def _binary_fit(where, method, measure, effects, ai, bi, ci, di, n1i, n2i, level, correct,
                add, to, drop00, labels) -> MetaAnalysis:
    from metaevidence.core.binary import fit_binary
    from metaevidence.stats.effects import effect_sizes

    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    a, b, c, d = _counts(where, ai, bi, ci, di, n1i, n2i, effects)
    add1, add2, paired_add = _pair(add, "add", 0.0)
    to1, to2, _ = _pair(to, "to", "none")
    d1, d2, _ = _pair(drop00, "drop00", False)
    if labels is None and effects is not None:
        labels = getattr(effects, "labels", None)
    extra = {}
    if effects is not None:
        for key in ("study_info", "group_labels"):
            if getattr(effects, key, None):
                extra[key] = getattr(effects, key)
    es = effect_sizes("PETO" if method == "PETO" else measure, ai=a, bi=b, ci=c, di=d,
                      add=add1, to=to1, drop00=d1, labels=labels, **extra)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = fit_binary(a, b, c, d, yi=es.yi, vi=es.vi, method=method, measure=measure,
                       level=float(level), correct=correct, add=add2, to=to2, drop00=d2)
    k = int(f["k"])
    if k == 0:
        raise ValueError(f"{where}: no table can be pooled; got {a.size} rows, all missing or "
                         f"empty")
    return MetaAnalysis(
        estimate=float(f["estimate"]), se=float(f["se"]), statistic=float(f["statistic"]),
        p_value=float(f["p_value"]), ci_lower=float(f["ci_lower"]),
        ci_upper=float(f["ci_upper"]), df=float("nan"), pi_lower=float("nan"),
        pi_upper=float("nan"), tau2=0.0, tau2_se=float("nan"), tau=0.0, i2=float(f["i2"]),
        h2=float(f["h2"]), q=float(f["q"]), q_df=int(f["q_df"]),
        q_p_value=float(f["q_p_value"]), k=k, yi=np.asarray(es.yi), vi=np.asarray(es.vi),
        weights=f["weights"], included=f["included"], labels=tuple(es.labels),
        measure="PETO" if method == "PETO" else measure, method=method, test="z",
        level=float(level), pi_method="metafor", converged=True, iterations=0, effects=es,
        cmh=float(f["cmh"]), cmh_p_value=float(f["cmh_p_value"]), tarone=float(f["tarone"]),
        tarone_p_value=float(f["tarone_p_value"]),
        correct=bool(correct) if method == "MH" and measure == "OR" else None,
        pooling_cells=(float(add2), str(to2), bool(d2)))


def mantel_haenszel(effects=None, /, *, ai=None, bi=None, ci=None, di=None, n1i=None,
                    n2i=None, measure: str = "OR", level: float = 0.95, correct: bool = True,
                    add=0.5, to="only0", drop00=True, labels=None) -> MetaAnalysis:
    """Common-effect Mantel-Haenszel meta-analysis of 2x2 tables (OR, RR or RD).

    Parameters
    ----------
    effects : EffectSizes, optional
        Effect sizes from 2x2 counts (their ``data`` holds ``ai bi ci di``); labels,
        study attributes and the measure (if OR, RR or RD) are taken from it.
    ai, bi, ci, di : array_like (k,)
        Events and non-events in group 1, events and non-events in group 2.
    n1i, n2i : array_like (k,), optional
        Group sizes instead of ``bi`` and ``di``.
    measure : {"OR", "RR", "RD"}
        Log odds ratio (Robins-Breslow-Greenland variance), log risk ratio
        (Greenland-Robins) or risk difference (Sato-Greenland-Robins).
    level : float
        Confidence level.
    correct : bool
        Continuity correction of the Cochran-Mantel-Haenszel test (OR), as metafor.
    add, to, drop00 : value or (value, value)
        Zero-cell settings, metafor's ``rma.mh`` defaults (0.5, "only0", True). A single
        value applies to the per-study effect sizes shown with the result (``yi``,
        ``vi``, and the heterogeneity statistic); the pooling then uses the counts as
        given. A pair applies its second value to the counts before pooling.
    labels : sequence of str, optional

    Returns
    -------
    MetaAnalysis
        ``method="MH"``, ``tau2 = 0``; ``q`` is Cochran's Q of the per-study effect
        sizes about the MH estimate (df = studies with an effect size - 1), I^2 and
        H^2 from it; for OR also ``cmh``/``cmh_p_value`` and Tarone's test
        (``tarone``/``tarone_p_value``). Weights are the MH weights in percent.
        ``effects`` holds the per-study effect sizes computed with this call's zero-cell
        settings (labels, study attributes and group labels taken from ``effects`` if
        given); ``included`` marks the tables that entered the pooling.

    Notes
    -----
    See :mod:`metaevidence.core.binary` for the formulas.

    Matches ``metafor::rma.mh()`` (tests/reference/R/rma_mh.R).

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.mantel_haenszel(ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11],
    ...                          di=[128, 274, 209], measure="RR")
    >>> res.method, res.k
    ('MH', 3)
    """
    where = "mantel_haenszel"
    if effects is not None and measure == "OR" and getattr(effects, "measure", "OR") in ("RR", "RD"):
        measure = effects.measure
    if measure not in ("OR", "RR", "RD"):
        raise ValueError(f"{where}: measure must be one of OR, RR, RD; got {measure!r}")
    return _binary_fit(where, "MH", measure, effects, ai, bi, ci, di, n1i, n2i, level,
                       correct, add, to, drop00, labels)


def peto(effects=None, /, *, ai=None, bi=None, ci=None, di=None, n1i=None, n2i=None,
         level: float = 0.95, add=0.5, to="only0", drop00=True, labels=None) -> MetaAnalysis:
    r"""Common-effect meta-analysis of 2x2 tables by Peto's one-step odds ratio.

    Parameters
    ----------
    effects, ai, bi, ci, di, n1i, n2i, level, add, to, drop00, labels
        As :func:`mantel_haenszel` (metafor's ``rma.peto`` defaults).

    Returns
    -------
    MetaAnalysis
        ``method="PETO"``, ``measure="PETO"`` (log odds ratio), ``tau2 = 0``; ``q`` is
        Peto's heterogeneity statistic :math:`\sum (O-E)^2/V - (\sum(O-E))^2/\sum V`;
        weights are :math:`V_i` in percent; ``yi``/``vi`` are the per-study Peto log odds
        ratios.

    Matches ``metafor::rma.peto()`` (tests/reference/R/rma_mh.R).

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.peto(ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])
    >>> res.method
    'PETO'
    """
    return _binary_fit("peto", "PETO", "PETO", effects, ai, bi, ci, di, n1i, n2i, level,
                       True, add, to, drop00, labels)
