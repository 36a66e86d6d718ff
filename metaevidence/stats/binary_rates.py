"""Mantel-Haenszel meta-analysis of person-time data (events and person-time per arm):
the face of :mod:`metaevidence.core.binary_rates`.

Matches ``metafor::rma.mh(measure="IRR"/"IRD", x1i=, t1i=, x2i=, t2i=)`` (metafor 3.8-1;
tests/reference/R/mh_more.R).
"""

from __future__ import annotations

import numpy as np

from metaevidence.core import binary_rates as _rates
from metaevidence.core.binary import q_about
from metaevidence.core.pool import heterogeneity_i2_h2, wald
from metaevidence.stats.effects import effect_sizes
from metaevidence.stats.results import MetaAnalysis

__all__ = ["mantel_haenszel_rates"]

_NAN = float("nan")


def mantel_haenszel_rates(
    x1i,
    t1i,
    x2i,
    t2i,
    *,
    measure: str = "IRR",
    level: float = 0.95,
    correct: bool = True,
    labels=None,
) -> MetaAnalysis:
    """Common-effect Mantel-Haenszel pooling of incidence rates (IRR or IRD).

    Parameters
    ----------
    x1i, t1i, x2i, t2i : array_like (k,)
        Events and person-time in the experimental (1) and control (2) arms.
    measure : {"IRR", "IRD"}
        Incidence rate ratio (pooled on the log scale) or rate difference.
    level : float
        Confidence level (0.95).
    correct : bool
        Continuity correction of the Mantel-Haenszel test (IRR only; metafor's default).
    labels : sequence of str, optional

    Returns
    -------
    MetaAnalysis
        ``method="MH"``; ``q`` is the heterogeneity statistic of the per-study effects
        (escalc with metafor's default zero-count correction) about the MH estimate; for
        IRR ``cmh``/``cmh_p_value`` hold the Mantel-Haenszel test of equal rates.

    Notes
    -----
    See :func:`metaevidence.core.binary_rates.mh_rate_ratio`, ``mh_rate_difference`` and
    ``mh_rate_test`` for the formulas (Greenland & Robins, 1985).

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.mantel_haenszel_rates([3, 10], [120.0, 400.0], [6, 14], [110.0, 390.0])
    >>> res.measure
    'IRR'

    Matches ``metafor::rma.mh(measure="IRR"/"IRD")`` (metafor 3.8-1).
    """
    where = "mantel_haenszel_rates"
    if measure not in ("IRR", "IRD"):
        raise ValueError(f"{where}: measure must be 'IRR' or 'IRD'; got {measure!r}")
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    arrays = [np.asarray(a, dtype=float) for a in (x1i, t1i, x2i, t2i)]
    if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1 or arrays[0].size == 0:
        raise ValueError(
            f"{where}: x1i, t1i, x2i, t2i must be one-dimensional with one value per study; "
            f"got shapes {[a.shape for a in arrays]}"
        )
    for name, a in zip(("x1i", "t1i", "x2i", "t2i"), arrays):
        bad = np.flatnonzero(~np.isnan(a) & ((a < 0) if name[0] == "x" else (a <= 0)))
        if bad.size:
            allowed = "non-negative event counts" if name[0] == "x" else "positive person-times"
            raise ValueError(f"{where}: {name} must be {allowed}; got {a[bad[0]]:g} for study {bad[0] + 1}")
    es = effect_sizes(measure, x1i=arrays[0], t1i=arrays[1], x2i=arrays[2], t2i=arrays[3], labels=labels)
    fun = _rates.mh_rate_ratio if measure == "IRR" else _rates.mh_rate_difference
    pooled = fun(*arrays)
    k = int(pooled.k)
    if k == 0:
        raise ValueError(f"{where}: no study has complete events and person-times")
    used = np.isfinite(pooled.weights)
    q, q_df, q_p = q_about(es.yi, es.vi, pooled.estimate, used)
    i2, h2 = heterogeneity_i2_h2(
        np.atleast_1d(q), np.atleast_1d(np.maximum(q_df, 0)), None, None, common=True
    )
    stat, p, lo, hi = wald(
        np.atleast_1d(pooled.estimate), np.atleast_1d(pooled.se), np.array([np.nan]), level
    )
    cmh = cmh_p = _NAN
    if measure == "IRR":
        cmh, cmh_p = (float(x) for x in _rates.mh_rate_test(*arrays, correct=correct))
    return MetaAnalysis(
        estimate=float(pooled.estimate),
        se=float(pooled.se),
        statistic=float(stat[0]),
        p_value=float(p[0]),
        ci_lower=float(lo[0]),
        ci_upper=float(hi[0]),
        df=_NAN,
        pi_lower=_NAN,
        pi_upper=_NAN,
        tau2=0.0,
        tau2_se=_NAN,
        tau=0.0,
        i2=float(i2[0]),
        h2=float(h2[0]),
        q=float(q),
        q_df=int(max(q_df, 0)),
        q_p_value=float(q_p),
        k=k,
        yi=np.asarray(es.yi),
        vi=np.asarray(es.vi),
        weights=pooled.weights,
        included=used,
        labels=tuple(es.labels),
        measure=measure,
        method="MH",
        test="z",
        level=float(level),
        pi_method="metafor",
        converged=True,
        iterations=0,
        effects=es,
        cmh=cmh,
        cmh_p_value=cmh_p,
        correct=bool(correct) if measure == "IRR" else None,
    )
