"""Frozen result types of the pooling engine.

CONTRACT (foundation commit): the field names below are the public contract that the
plots, workflow and diagnostics build on. The engine issue fills in ``summary()`` and
``to_frame()`` and may add fields; it must not rename or remove these.

Conventions: every number is on the analysis scale (log scale for ratio measures);
``transform="exp"`` is applied only at presentation. Percentages are 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.effects import EffectSizes


@dataclass(frozen=True, slots=True)
class MetaAnalysis:
    """One fitted meta-analysis (inverse-variance, Mantel-Haenszel or Peto).

    Pooled inference
    ----------------
    estimate, se, statistic, p_value, ci_lower, ci_upper : float
        Pooled estimate on the analysis scale, its standard error, the z or t statistic,
        two-sided p-value and confidence interval at ``level``.
    df : float
        Degrees of freedom of the t reference distribution (k - 1 under ``knha``/
        ``adhoc``); ``nan`` under ``test="z"``.
    pi_lower, pi_upper : float
        Prediction interval (metafor ``predict()``; ``pi_method`` says which).
    Heterogeneity
    -------------
    tau2, tau2_se, tau, i2, h2 : float
        Between-study variance, its SE (``nan`` where metafor gives none), tau,
        I^2 in percent and H^2, as metafor defines them for the estimator.
    q, q_df, q_p_value : float, int, float
        Cochran's Q (for MH/Peto: their own heterogeneity statistic), df and p-value.
    Studies
    -------
    k : int
        Number of studies in the fit (rows with missing/dropped data excluded).
    yi, vi : ndarray (n,)
        Effect sizes and sampling variances of all n rows given (NaN where dropped).
    weights : ndarray (n,)
        Weights in percent (sum 100 over included rows; NaN for excluded rows).
    included : ndarray of bool (n,)
        Rows that entered the fit.
    labels : tuple of str (n,)
        Study labels.
    Settings
    --------
    measure : str        metafor measure name ("OR", "SMD", "GEN" for generic ...)
    method : str         "REML", "DL", ..., "EE"/"FE", "MH", "PETO"
    test : str           "z", "knha" or "adhoc"
    level : float        confidence level, e.g. 0.95
    pi_method : str      "metafor" (predict.rma) or "hts" (Higgins-Thompson-Spiegelhalter t(k-2))
    converged : bool     False only when an iterative estimator stopped short
    iterations : int     iterations used by the tau^2 estimator (0 for closed forms)
    effects : EffectSizes or None
        The effect sizes the fit was computed from (carries per-arm data for plots).
    """

    estimate: float
    se: float
    statistic: float
    p_value: float
    ci_lower: float
    ci_upper: float
    df: float
    pi_lower: float
    pi_upper: float
    tau2: float
    tau2_se: float
    tau: float
    i2: float
    h2: float
    q: float
    q_df: int
    q_p_value: float
    k: int
    yi: np.ndarray
    vi: np.ndarray
    weights: np.ndarray
    included: np.ndarray
    labels: tuple[str, ...]
    measure: str
    method: str
    test: str
    level: float
    pi_method: str
    converged: bool
    iterations: int
    effects: "EffectSizes | None" = None
