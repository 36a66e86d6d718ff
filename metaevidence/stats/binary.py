"""Common-effect pooling of 2x2 tables: mantel_haenszel and peto.

The faces of :mod:`metaevidence.core.binary`: they take the tables (or an ``EffectSizes``
made from them), apply metafor's two-stage zero-cell policy (per-study effect sizes and
pooling cells set separately) and return a :class:`~metaevidence.stats.results.MetaAnalysis`
with ``tau2 = 0`` and the Cochran-Mantel-Haenszel and Tarone tests, so plots and reports
handle one type.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.binary import fit_binary
from metaevidence.stats._inputs import float_array
from metaevidence.stats.effects import effect_sizes
from metaevidence.stats.results import MetaAnalysis

__all__ = ["mantel_haenszel", "peto"]


def _pair(value, name: str, kind):
    """Metafor's one-or-two-valued zero-cell settings: (display, pooling)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be one value or a pair (per-study effect sizes, pooling); got {value!r}"
            )
        return value[0], value[1], True
    return value, kind, False


def _counts(where, ai, bi, ci, di, n1i, n2i, effects):
    if effects is not None:
        data = getattr(effects, "data", {}) or {}
        if not all(key in data for key in ("ai", "bi", "ci", "di")):
            raise ValueError(
                f"{where}: the effect sizes carry no 2x2 counts (ai, bi, ci, di); "
                f"got data columns {sorted(data)}"
            )
        ai, bi, ci, di = (float_array(data[key], key, where) for key in ("ai", "bi", "ci", "di"))
        return ai, bi, ci, di
    if ai is None or ci is None:
        raise TypeError(
            f"{where}: ai and ci (events in each group) are required; got "
            f"ai={'None' if ai is None else '...'}, ci={'None' if ci is None else '...'}"
        )
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
        raise ValueError(
            f"{where}: ai, bi (or n1i), ci, di (or n2i) must be one-dimensional "
            f"with one value per study; got shapes {sorted(shapes)}"
        )
    return ai, bi, ci, di


def _peto_needs_both_outcomes(where, a, b, c, d) -> None:
    """Refuse as metafor does: with no event (or no non-event) in any table, Peto's O - E and V are 0."""
    with np.errstate(invalid="ignore"):
        events, others = np.nansum(np.asarray(a) + np.asarray(c)), np.nansum(np.asarray(b) + np.asarray(d))
    if events == 0 or others == 0:
        which = "event" if events == 0 else "non-event"
        raise ValueError(
            f"{where}: no {which} in any of the tables: one of the two outcomes never occurred, so "
            f"Peto's method cannot be used (metafor's rma.peto refuses too); use risk differences or "
            f"report the studies without pooling"
        )


def _binary_fit(
    where, method, measure, effects, ai, bi, ci, di, n1i, n2i, level, correct, add, to, drop00, labels
) -> MetaAnalysis:
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    a, b, c, d = _counts(where, ai, bi, ci, di, n1i, n2i, effects)
    if method == "PETO":
        _peto_needs_both_outcomes(where, a, b, c, d)
    add1, add2, paired_add = _pair(add, "add", 0.0)
    if "TACC" in (add1, add2) and (method == "PETO" or measure not in ("OR", "RR")):
        raise ValueError(
            f"{where}: add='TACC' (the treatment-arm continuity correction) applies to odds and risk "
            f"ratios; got {'Peto' if method == 'PETO' else measure}"
        )
    to1, to2, _ = _pair(to, "to", "none")
    d1, d2, _ = _pair(drop00, "drop00", False)
    if labels is None and effects is not None:
        labels = getattr(effects, "labels", None)
    extra = {}
    if effects is not None:
        for key in ("study_info", "group_labels"):
            if getattr(effects, key, None):
                extra[key] = getattr(effects, key)
    es = effect_sizes(
        "PETO" if method == "PETO" else measure,
        ai=a,
        bi=b,
        ci=c,
        di=d,
        add=add1,
        to=to1,
        drop00=d1,
        labels=labels,
        **extra,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        f = fit_binary(
            a,
            b,
            c,
            d,
            yi=es.yi,
            vi=es.vi,
            method=method,
            measure=measure,
            level=float(level),
            correct=correct,
            add=add2,
            to=to2,
            drop00=d2,
        )
    k = int(f["k"])
    if k == 0:
        raise ValueError(f"{where}: no table can be pooled; got {a.size} rows, all missing or empty")
    return MetaAnalysis(
        estimate=float(f["estimate"]),
        se=float(f["se"]),
        statistic=float(f["statistic"]),
        p_value=float(f["p_value"]),
        ci_lower=float(f["ci_lower"]),
        ci_upper=float(f["ci_upper"]),
        df=float("nan"),
        pi_lower=float("nan"),
        pi_upper=float("nan"),
        tau2=0.0,
        tau2_se=float("nan"),
        tau=0.0,
        i2=float(f["i2"]),
        h2=float(f["h2"]),
        q=float(f["q"]),
        q_df=int(f["q_df"]),
        q_p_value=float(f["q_p_value"]),
        k=k,
        yi=np.asarray(es.yi),
        vi=np.asarray(es.vi),
        weights=f["weights"],
        included=f["included"],
        labels=tuple(es.labels),
        measure="PETO" if method == "PETO" else measure,
        method=method,
        test="z",
        level=float(level),
        pi_method="metafor",
        converged=True,
        iterations=0,
        effects=es,
        cmh=float(f["cmh"]),
        cmh_p_value=float(f["cmh_p_value"]),
        tarone=float(f["tarone"]),
        tarone_p_value=float(f["tarone_p_value"]),
        breslow_day=float(f["breslow_day"]),
        breslow_day_p_value=float(f["breslow_day_p_value"]),
        cochran=float(f["cochran"]),
        cochran_p_value=float(f["cochran_p_value"]),
        correct=bool(correct) if method == "MH" and measure == "OR" else None,
        pooling_cells=(add2 if add2 == "TACC" else float(add2), str(to2), bool(d2)),
    )


def mantel_haenszel(
    effects=None,
    /,
    *,
    ai=None,
    bi=None,
    ci=None,
    di=None,
    n1i=None,
    n2i=None,
    measure: str = "OR",
    level: float = 0.95,
    correct: bool = True,
    add=0.5,
    to="only0",
    drop00=True,
    labels=None,
) -> MetaAnalysis:
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
        ``add="TACC"`` (OR and RR) is the treatment-arm continuity correction;
        ``add=("TACC", "TACC")`` also corrects the pooled tables, as R meta's
        ``metabin(method = "MH", incr = "TACC")`` (its default ``MH.exact = FALSE``).
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
    return _binary_fit(
        where, "MH", measure, effects, ai, bi, ci, di, n1i, n2i, level, correct, add, to, drop00, labels
    )


def peto(
    effects=None,
    /,
    *,
    ai=None,
    bi=None,
    ci=None,
    di=None,
    n1i=None,
    n2i=None,
    level: float = 0.95,
    add=0.5,
    to="only0",
    drop00=True,
    labels=None,
) -> MetaAnalysis:
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
    return _binary_fit(
        "peto", "PETO", "PETO", effects, ai, bi, ci, di, n1i, n2i, level, True, add, to, drop00, labels
    )
