"""glmm_meta_analysis: binomial-normal GLMMs for 2x2 tables, as metafor's ``rma.glmm``.

The face of :mod:`metaevidence.core.glmm_models`: it takes the tables (or an ``EffectSizes``
made from them), drops the double-zero tables (metafor's ``drop00=TRUE``: no events, or only
events, in both groups), fits the model to the counts as given (no continuity correction:
the likelihood handles zero cells) and returns a
:class:`~metaevidence.stats.results.MetaAnalysis` whose ``glmm`` field holds the
model-specific numbers (:class:`GlmmDetails`), so plots and reports handle one type.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as sps

from metaevidence.core.glmm_models import GLMM_MODELS, glmm_or
from metaevidence.errors import ConvergenceWarning
from metaevidence.stats.binary import _counts
from metaevidence.stats.effects import effect_sizes
from metaevidence.stats.results import MetaAnalysis

__all__ = ["GlmmDetails", "glmm_meta_analysis", "refit_glmm_masks"]

_METHODS = ("ML", "EE")


@dataclass(frozen=True, slots=True)
class GlmmDetails:
    """The numbers of a GLMM fit beyond those every meta-analysis has.

    Attributes
    ----------
    model : str
        "UM.FS", "UM.RS", "CM.AL" or "CM.EL" (metafor's ``model=``).
    nagq : int
        Gauss-Hermite nodes used for the random-effects model (1 = Laplace; UM.RS always 1
        when ``method="ML"``).
    sigma2 : float
        Variance of the random study effects (UM.RS only; NaN otherwise).
    wald, wald_p_value, lrt, lrt_p_value : float
        Wald-type and likelihood-ratio tests for heterogeneity (equal-effects vs saturated
        model; metafor's ``QE.Wld``, ``QE.LRT``), on ``df`` degrees of freedom.
    df : int
        ``k - 1``.
    loglik : float
        The (approximate) marginal log-likelihood of the fitted model, with the binomial
        coefficients.
    """

    model: str
    nagq: int
    sigma2: float
    wald: float
    wald_p_value: float
    lrt: float
    lrt_p_value: float
    df: int
    loglik: float


def _typical_variance(vi: np.ndarray) -> float:
    """The 'typical' within-study variance (k-1) sum w / ((sum w)^2 - sum w^2), as metafor's."""
    w = 1.0 / vi
    return float((w.size - 1) * w.sum() / (w.sum() ** 2 - np.sum(w**2)))


def _check(where, model, method, level, nagq):
    if model not in GLMM_MODELS:
        raise ValueError(f"{where}: model must be one of {', '.join(GLMM_MODELS)}; got {model!r}")
    if method not in _METHODS:
        raise ValueError(
            f"{where}: method must be 'ML' (random effects) or 'EE' (equal effects); got {method!r}"
        )
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    if isinstance(nagq, bool) or not isinstance(nagq, (int, np.integer)) or not 1 <= nagq <= 50:
        raise ValueError(f"{where}: nagq must be an integer from 1 to 50; got {nagq!r}")


def glmm_meta_analysis(
    effects=None,
    /,
    *,
    ai=None,
    bi=None,
    ci=None,
    di=None,
    n1i=None,
    n2i=None,
    model: str = "UM.FS",
    method: str = "ML",
    level: float = 0.95,
    nagq: int = 7,
    add: float = 0.5,
    to: str = "only0",
    labels=None,
) -> MetaAnalysis:
    """Meta-analysis of odds ratios by a binomial-normal GLMM (metafor's ``rma.glmm``).

    Parameters
    ----------
    effects : EffectSizes, optional
        Effect sizes from 2x2 counts (their ``data`` holds ``ai bi ci di``); labels and
        study attributes are taken from it.
    ai, bi, ci, di : array_like (k,)
        Events and non-events in group 1, events and non-events in group 2.
    n1i, n2i : array_like (k,), optional
        Group sizes, instead of ``bi`` and ``di``.
    model : {"UM.FS", "UM.RS", "CM.AL", "CM.EL"}
        Unconditional model with fixed study effects (default), with random study effects,
        or the conditional model with the approximate (binomial) or the exact (non-central
        hypergeometric) likelihood; see :mod:`metaevidence.core.glmm_models` and
        :mod:`metaevidence.core.glmm_exact` for the equations.
    method : {"ML", "EE"}
        Random-effects model with tau^2 by maximum likelihood (default) or equal-effects model.
    level : float
        Confidence level of the Wald interval.
    nagq : int
        Adaptive Gauss-Hermite nodes (metafor's ``nAGQ``, default 7; UM.RS with ``method="ML"``
        always uses the Laplace approximation, as metafor does).
    add, to : float, str
        Zero-cell correction of the per-study log odds ratios ``yi, vi`` only (shown next to
        the pooled result and used for I^2); the model uses the counts as given.
    labels : sequence of str, optional

    Returns
    -------
    MetaAnalysis
        ``estimate`` the pooled log odds ratio with its Wald ``se``, z test and interval;
        ``tau2``; ``i2``/``h2`` from tau^2 and the typical variance of ``vi``; ``q`` the
        Wald-type heterogeneity statistic; ``glmm`` the :class:`GlmmDetails`. ``weights`` are
        NaN: a GLMM has no study weights (metafor's ``weights()`` refuses too).

    Notes
    -----
    Matches ``metafor::rma.glmm(measure="OR", model=, method=)`` (metafor 3.8-1, lme4 1.1-31)
    at its converged optimum: see docs/analyses.md ("GLMMs") for the agreement measured on
    each model. For CM.EL metafor's own optimum and SEs carry its optimizer's and numerical
    Hessian's noise (~1e-4 in the SE); the reference is an independent computation of the
    same model, and metafor's Wald test differs from the saturated model's (see the docs).

    References
    ----------
    Stijnen, T., Hamza, T. H., & Ozdemir, P. (2010). Statistics in Medicine, 29, 3046-3067.

    Examples
    --------
    >>> import metaevidence as me
    >>> res = me.glmm_meta_analysis(ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11],
    ...                             di=[128, 274, 209], method="EE")
    >>> round(float(res.estimate), 4)  # metafor: rma.glmm(..., method="EE") gives -1.419238067
    -1.4192
    """
    where = "glmm_meta_analysis"
    _check(where, model, method, level, nagq)
    a, b, c, d = _counts(where, ai, bi, ci, di, n1i, n2i, effects)
    if labels is None and effects is not None:
        labels = getattr(effects, "labels", None)
    es = effect_sizes("OR", ai=a, bi=b, ci=c, di=d, add=add, to=to, drop00=True, labels=labels)
    bad = np.isnan(a) | np.isnan(b) | np.isnan(c) | np.isnan(d)  # effect_sizes has refused negatives
    double_zero = ((a == 0) & (c == 0)) | ((b == 0) & (d == 0))
    included = ~bad & ~double_zero
    k = int(included.sum())
    if k < 2:
        raise ValueError(
            f"{where}: a GLMM needs at least 2 tables with events and non-events; got {k} "
            f"of {a.size} (tables with no events, or only events, in both groups are dropped)"
        )
    if np.all(a[included] + c[included] == 0) or np.all(b[included] + d[included] == 0):
        raise ValueError(f"{where}: one of the two outcomes never occurs; the model cannot be fitted")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = glmm_or(a[included], b[included], c[included], d[included], model=model, method=method, nagq=nagq)
    if not r.converged:
        warnings.warn(
            f"{where}: the {model} {method} fit stopped after {r.iterations} Newton steps without "
            f"converging; check the counts (a table where one outcome never occurs in either group?)",
            ConvergenceWarning,
            stacklevel=2,
        )
    crit = float(sps.norm.ppf(0.5 + float(level) / 2.0))
    z = r.estimate / r.se
    vi = np.asarray(es.vi)[included]
    s2 = _typical_variance(vi)
    tau2 = r.tau2
    details = GlmmDetails(
        model=model,
        nagq=1 if (model == "UM.RS" and method == "ML") else int(nagq),
        sigma2=r.sigma2,
        wald=r.qe_wald,
        wald_p_value=float(sps.chi2.sf(r.qe_wald, r.qe_df)),
        lrt=r.qe_lrt,
        lrt_p_value=float(sps.chi2.sf(r.qe_lrt, r.qe_df)),
        df=r.qe_df,
        loglik=r.loglik,
    )
    return MetaAnalysis(
        estimate=r.estimate,
        se=r.se,
        statistic=float(z),
        p_value=float(2.0 * sps.norm.sf(abs(z))),
        ci_lower=r.estimate - crit * r.se,
        ci_upper=r.estimate + crit * r.se,
        df=float("nan"),
        pi_lower=float("nan"),
        pi_upper=float("nan"),
        tau2=tau2,
        tau2_se=float("nan"),
        tau=float(np.sqrt(tau2)),
        i2=100.0 * tau2 / (tau2 + s2),
        h2=(tau2 + s2) / s2,
        q=r.qe_wald,
        q_df=r.qe_df,
        q_p_value=details.wald_p_value,
        k=k,
        yi=np.asarray(es.yi),
        vi=np.asarray(es.vi),
        weights=np.full(a.size, np.nan),
        included=included,
        labels=tuple(es.labels),
        measure="OR",
        method=method,
        test="z",
        level=float(level),
        pi_method="metafor",
        converged=r.converged,
        iterations=r.iterations,
        effects=es,
        glmm=details,
    )


def refit_glmm_masks(result: MetaAnalysis, mask: np.ndarray, row_labels, kind: str, order):
    """Refit a GLMM fit on every row of ``mask`` (leave-one-out, cumulative; one fit per row).

    Used by :func:`metaevidence.stats.sensitivity.refit_masks` for results of
    :func:`glmm_meta_analysis`; a row with fewer than 2 informative tables is NaN.
    """
    from metaevidence.stats.results import MetaAnalysisBatch

    data = getattr(result.effects, "data", None) or {}
    cells = [np.asarray(data[key], dtype=float) for key in ("ai", "bi", "ci", "di")]
    shape = mask.shape[:-1]
    rows = mask.reshape(-1, mask.shape[-1])
    names = ("estimate", "se", "statistic", "p_value", "ci_lower", "ci_upper", "tau2", "tau", "i2", "h2", "q")
    out = {name: np.full(rows.shape[0], np.nan) for name in names}
    k = np.zeros(rows.shape[0], dtype=np.int64)
    q_df = np.zeros(rows.shape[0], dtype=np.int64)
    q_p = np.full(rows.shape[0], np.nan)
    included = np.zeros(rows.shape, dtype=bool)
    converged = np.ones(rows.shape[0], dtype=bool)
    iterations = np.zeros(rows.shape[0], dtype=np.int64)
    g = result.glmm
    if g is None:
        raise ValueError("glmm refits need a result of glmm_meta_analysis")
    for r, row in enumerate(rows):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fit = glmm_meta_analysis(
                    **dict(zip(("ai", "bi", "ci", "di"), (c[row] for c in cells), strict=True)),
                    model=g.model,
                    method=result.method,
                    level=result.level,
                    nagq=g.nagq if g.model != "UM.RS" else 7,
                )
        except ValueError:
            continue
        for name in names:
            out[name][r] = getattr(fit, name)
        k[r], q_df[r], q_p[r] = fit.k, fit.q_df, fit.q_p_value
        included[r, np.flatnonzero(row)] = fit.included
        converged[r], iterations[r] = fit.converged, fit.iterations
    nan = np.full(shape, np.nan)
    y = np.broadcast_to(result.yi, mask.shape)
    v = np.broadcast_to(result.vi, mask.shape)
    stats: dict[str, Any] = {name: out[name].reshape(shape) for name in names}
    return MetaAnalysisBatch(
        **stats,
        df=nan,
        pi_lower=nan,
        pi_upper=nan,
        tau2_se=nan,
        q_df=q_df.reshape(shape),
        q_p_value=q_p.reshape(shape),
        k=k.reshape(shape),
        yi=y,
        vi=v,
        weights=np.full(mask.shape, np.nan),
        included=included.reshape(mask.shape),
        labels=result.labels,
        measure=result.measure,
        method=result.method,
        test="z",
        level=result.level,
        pi_method=result.pi_method,
        converged=converged.reshape(shape),
        iterations=iterations.reshape(shape),
        mask=mask,
        row_labels=None if row_labels is None else tuple(row_labels),
        kind=kind,
        parent=result,
        effects=result.effects,
        vt=nan,
        order=order,
    )
