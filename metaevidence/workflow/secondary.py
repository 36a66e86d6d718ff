"""The secondary analyses of a spec: leave-one-out, cumulative, excluding studies at high risk
of bias, subgroups; and the published summaries of an overview as one batch for its forest plot.

Each function takes the main fit (and what it was computed from) and returns the result
object, for the figures, and its rows as plain data, for the results document. The
statistics are the engine's (:func:`metaevidence.leave_one_out`,
:func:`metaevidence.cumulative`, :func:`metaevidence.subgroup_analysis`); nothing is
recomputed here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from metaevidence.workflow.schema import HIGH_RISK

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.evidence.base import EvidenceBase
    from metaevidence.stats.effects import EffectSizes
    from metaevidence.stats.results import MetaAnalysis, MetaAnalysisBatch
    from metaevidence.workflow.spec import AnalysisSpec

__all__ = [
    "leave_one_out_rows",
    "cumulative_order",
    "cumulative_rows",
    "without_high_risk",
    "subgroup_values",
    "subgroup_rows",
    "summaries_batch",
]


def _f(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _batch_row(batch: MetaAnalysisBatch, i: int) -> dict[str, Any]:
    out = {
        name: _f(np.asarray(getattr(batch, name))[i])
        for name in (
            "estimate",
            "se",
            "ci_lower",
            "ci_upper",
            "pi_lower",
            "pi_upper",
            "p_value",
            "tau2",
            "i2",
        )
    }
    out["k"] = int(np.asarray(batch.k)[i])
    return out


def leave_one_out_rows(fit: MetaAnalysis, ids: list[str]) -> tuple[MetaAnalysisBatch, list[dict]]:
    """The leave-one-out batch and one row per omitted study (``omitted``, ``label``, numbers)."""
    import metaevidence as me

    batch = me.leave_one_out(fit)
    rows = []
    kept = np.flatnonzero(np.asarray(fit.included))
    for row, i in enumerate(kept):
        rows.append({"omitted": ids[i], "label": fit.labels[i], **_batch_row(batch, row)})
    return batch, rows


def cumulative_order(
    spec: AnalysisSpec, fit: MetaAnalysis, ids: list[str], evidence: EvidenceBase, entries: list
) -> list[int]:
    """Positions of the studies in the order they are added (ties broken by year, then id).

    ``year``: publication year; ``precision``: smallest sampling variance first; a field
    path: its value, smallest first, studies without a value last.
    """
    order = spec.sensitivity.cumulative_order
    years = [evidence[sid].year for sid in ids]
    idx = [i for i in range(len(ids)) if bool(np.asarray(fit.included)[i])]
    if order == "year":
        return sorted(idx, key=lambda i: (years[i], ids[i]))
    if order == "precision":
        return sorted(idx, key=lambda i: (float(fit.vi[i]), years[i], ids[i]))

    def value(i: int) -> Any:
        if order.startswith("outcomes."):
            return entries[i].field(order.removeprefix("outcomes."))
        return evidence[ids[i]].field(order)

    values = [value(i) for i in range(len(ids))]
    if all(values[i] is None for i in idx):
        from metaevidence.workflow.compute import AnalysisError

        raise AnalysisError(
            f"analysis {spec.id!r}: sensitivity.cumulative_order is {order}, but none of the "
            f"{len(idx)} pooled studies has a value there, so there is no order to add them in; "
            "use year, precision or a field the studies have",
            field="sensitivity.cumulative_order",
        )
    return sorted(idx, key=lambda i: (values[i] is None, _sortable(values[i]), years[i], ids[i]))


def _sortable(v: Any) -> tuple:
    if v is None:
        return (2, "")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, float(v))
    return (1, str(v))


def cumulative_rows(
    fit: MetaAnalysis, ids: list[str], spec: AnalysisSpec, evidence: EvidenceBase, entries: list
) -> tuple[MetaAnalysisBatch, dict]:
    """The cumulative batch and ``{"order": ..., "rows": [...]}`` (``added``, ``label``, numbers)."""
    import metaevidence as me

    order = cumulative_order(spec, fit, ids, evidence, entries)
    keys = np.full(len(ids), len(ids), dtype=float)  # sort key of each study: its position
    keys[order] = np.arange(len(order))
    batch = me.cumulative(fit, order=keys)
    if list(batch.order) != order:  # pragma: no cover - guards the contract with the engine
        raise RuntimeError(
            f"cumulative: the engine added the studies in order {list(batch.order)}, not {order}"
        )
    rows = [
        {"added": ids[i], "label": fit.labels[i], **_batch_row(batch, row)} for row, i in enumerate(order)
    ]
    return batch, {"order": spec.sensitivity.cumulative_order, "rows": rows}


def without_high_risk(
    spec: AnalysisSpec,
    fit: MetaAnalysis,
    es: EffectSizes,
    ids: list[str],
    included: list[dict],
    refit: Callable,
) -> dict[str, Any]:
    """The analysis re-pooled without studies whose overall risk of bias is high.

    Returns ``excluded`` (ids at high risk), ``not_assessed`` (ids without an assessment,
    kept), ``pooled``/``heterogeneity`` (None when nothing was left out or too little is
    left) and a ``note`` in words.
    """
    from metaevidence.workflow.compute import _heterogeneity, pooled_numbers

    rob = {r["id"]: r["risk_of_bias"] for r in included}
    high = sorted(i for i, j in rob.items() if j in HIGH_RISK)
    unrated = sorted(i for i, j in rob.items() if j is None)
    out: dict[str, Any] = {"excluded": high, "not_assessed": unrated, "pooled": None, "heterogeneity": None}
    n = len(included)
    if len(unrated) == n:
        out["note"] = (
            "The one study in the synthesis has no risk-of-bias assessment; nothing to exclude."
            if n == 1
            else f"None of the {n} studies in the synthesis has a risk-of-bias assessment; nothing to exclude."
        )
        return out
    if not high:
        out["note"] = "No study in the synthesis is at high risk of bias; the result is the main result."
        return out
    keep = np.array([sid not in high for sid in ids]) & np.asarray(fit.included, dtype=bool)
    if keep.sum() < 1:
        out["note"] = "Every study in the synthesis is at high risk of bias; nothing is left to pool."
        return out
    sub = refit(spec, es.subset(keep))
    out["pooled"] = pooled_numbers(sub)
    out["heterogeneity"] = _heterogeneity(sub)
    out["note"] = (
        f"Re-pooled without the {len(high)} stud{'ies' if len(high) != 1 else 'y'} at high risk "
        "of bias (overall judgement high, serious or critical)."
    )
    return out


def subgroup_values(spec: AnalysisSpec, ids: list[str], evidence: EvidenceBase, entries: list) -> list[str]:
    """The subgroup of each row: the value of ``subgroups.by`` as text ("not reported" when absent)."""
    by = spec.subgroups.by

    def value(i: int) -> Any:
        if by.startswith("outcomes."):
            return entries[i].field(by.removeprefix("outcomes."))
        return evidence[ids[i]].field(by)

    out = []
    for i in range(len(ids)):
        v = value(i)
        out.append(
            "not reported" if v is None else (("yes" if v else "no") if isinstance(v, bool) else str(v))
        )
    return out


def _check_subgroups(spec: AnalysisSpec, groups: list[str]) -> None:
    """A subgroup analysis needs at least two subgroups among the pooled studies."""
    from metaevidence.workflow.compute import AnalysisError

    found = sorted(set(groups))
    if len(found) > 1:
        return
    if found == ["not reported"]:
        why = f"none of the {len(groups)} pooled studies has a value at {spec.subgroups.by}"
    else:
        why = f"all {len(groups)} pooled studies are in one subgroup ({found[0]!r})"
    raise AnalysisError(
        f"analysis {spec.id!r}: subgroups.by is {spec.subgroups.by}, but {why}; a subgroup "
        "analysis needs at least two subgroups: choose a field whose values differ between studies",
        field="subgroups.by",
    )


def subgroup_rows(
    spec: AnalysisSpec,
    es: EffectSizes,
    ids: list[str],
    evidence: EvidenceBase,
    entries: list,
    included: list[dict],
) -> tuple[Any, dict]:
    """The subgroup analysis and its document part (``by``, ``groups``, ``test``)."""
    import metaevidence as me
    from metaevidence.workflow.compute import _heterogeneity, pooled_numbers

    groups = subgroup_values(spec, ids, evidence, entries)
    _check_subgroups(spec, groups)
    res = me.subgroup_analysis(
        es,
        groups=groups,
        method=spec.tau2,
        test=spec.ci_method,
        level=spec.level,
        tau2_common=spec.subgroups.common_tau2,
    )
    by_id = {r["id"]: r for r in included}
    for sid, g in zip(ids, groups):
        if sid in by_id:
            by_id[sid]["group"] = g
    doc_groups = []
    for name, sub in zip(res.groups, res.subgroups):
        doc_groups.append(
            {
                "name": name,
                "studies": [sid for sid, g in zip(ids, groups) if g == name],
                "pooled": pooled_numbers(sub),
                "heterogeneity": _heterogeneity(sub),
            }
        )
    doc = {
        "by": spec.subgroups.by,
        "common_tau2": bool(res.tau2_common),
        "groups": doc_groups,
        "test": {"q": _f(res.q_between), "df": int(res.q_between_df), "p_value": _f(res.q_between_p_value)},
    }
    return res, doc


def summaries_batch(rows: list[dict]) -> MetaAnalysisBatch | None:
    """The published summaries with an interval, as one batch (one row each) for a forest plot.

    Summaries are given on the natural scale; the batch is on the analysis scale like every
    result (ratios logged, correlations of a ZCOR summary as Fisher's z: the link of the
    measure's own presentation transform, which the figure undoes); tau^2 and
    I^2 are not known (NaN); ``k`` is the number of studies each summary pooled (0 when not
    reported). Summaries without an interval are left out of the figure (they are in the
    report's table).
    """
    from metaevidence.display.transforms import presentation
    from metaevidence.stats.results import MetaAnalysisBatch

    shown = [r for r in rows if r["lower"] is not None]
    if not shown:
        return None
    measures = {r["measure"] for r in shown}
    measure = measures.pop() if len(measures) == 1 else "GEN"
    t = presentation("auto", measure).link
    est = t(np.array([r["estimate"] for r in shown], dtype=float))
    lo = t(np.array([r["lower"] for r in shown], dtype=float))
    hi = t(np.array([r["upper"] for r in shown], dtype=float))
    n = len(shown)
    nan = np.full(n, np.nan)
    labels = _summary_labels(shown)
    return MetaAnalysisBatch(
        estimate=est,
        se=nan,
        statistic=nan,
        p_value=nan,
        ci_lower=lo,
        ci_upper=hi,
        df=nan,
        pi_lower=nan,
        pi_upper=nan,
        tau2=nan,
        tau2_se=nan,
        tau=nan,
        i2=nan,
        h2=nan,
        q=nan,
        q_df=np.zeros(n, dtype=int),
        q_p_value=nan,
        k=np.array([r["k"] or 0 for r in shown], dtype=int),
        yi=est[:, None],
        vi=nan[:, None],
        weights=nan[:, None],
        included=np.ones((n, 1), dtype=bool),
        labels=("published summary",),
        measure=measure,
        method="REML",
        test="z",
        level=float(shown[0]["level"]),
        pi_method="metafor",
        converged=np.ones(n, dtype=bool),
        iterations=np.zeros(n, dtype=int),
        mask=np.ones((n, 1), dtype=bool),
        row_labels=labels,
        kind="batch",
    )


def _summary_label(r: dict) -> str:
    what = r["subgroup"] or r["entry_label"]
    return f"{r['label']}: {what}" if what else r["label"]


def _summary_labels(rows: list[dict]) -> tuple[str, ...]:
    """Row labels of the overview figure: "<study>: <subgroup or result>", without the study
    when every row is from one study; rows that would read alike are told apart by their
    timepoints ("..., 24 months").
    """
    if len({r["label"] for r in rows}) == 1:
        labels = [r["subgroup"] or r["entry_label"] or r["label"] for r in rows]
    else:
        labels = [_summary_label(r) for r in rows]
    counts = {label: labels.count(label) for label in labels}
    return tuple(
        f"{label}, {r['timepoint']}" if counts[label] > 1 and r.get("timepoint") else label
        for label, r in zip(labels, rows)
    )
