"""An overview: published pooled results (``kind: summary`` entries) side by side, unpooled.

Computed like a meta-analysis (:mod:`metaevidence.workflow.compute`) but nothing is pooled:
each included row is one review's published estimate and interval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaevidence.workflow.compute import AnalysisError, Computed, _labels
from metaevidence.workflow.spec import AnalysisSpec

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.evidence.base import EvidenceBase

__all__ = ["overview"]


def overview(spec: AnalysisSpec, chosen: EvidenceBase, base: dict) -> Computed:
    """The results document of an overview: the published summaries side by side, unpooled."""
    from metaevidence.evidence.records import NoEffectData, SummaryData

    included, excluded = [], []
    excluded_ids = {e.id: e.reason for e in spec.studies.exclude}
    for s in chosen.studies:
        for e in s.outcomes:
            row = {"id": s.id, "label": _labels(spec, s), "entry": e.index}
            if s.id in excluded_ids:
                excluded.append({**row, "reason": f"excluded by the analysis: {excluded_ids[s.id]}"})
                continue
            d = e.data
            if not isinstance(d, SummaryData):
                reason = (
                    f"no extractable effect: {d.reason}"
                    if isinstance(d, NoEffectData)
                    else f"not a published summary ({e.kind.replace('_', ' ')} data): an overview shows "
                    "published pooled results only"
                )
                excluded.append({**row, "reason": reason})
                continue
            if spec.measure is not None and d.measure != spec.measure:
                excluded.append(
                    {**row, "reason": f"a summary of {d.measure}; this overview shows {spec.measure}"}
                )
                continue
            included.append(
                {
                    **row,
                    "year": s.year,
                    "outcome": e.outcome,
                    "entry_label": e.label,
                    "subgroup": e.subgroup,
                    "timepoint": e.timepoint,
                    "comparison": None
                    if e.comparison is None
                    else {"experimental": e.comparison.experimental, "control": e.comparison.control},
                    "measure": d.measure,
                    "estimate": d.estimate,
                    "lower": d.lower,
                    "upper": d.upper,
                    "level": d.level,
                    "k": d.k,
                    "n": d.n,
                    "model": d.model,
                    "method": d.method,
                }
            )
    if not included:
        raise AnalysisError(
            f"analysis {spec.id!r}: no published summary (kind: summary) of outcome "
            f"{spec.studies.outcome!r}"
            + (f" with measure {spec.measure}" if spec.measure else "")
            + " passes the selection; an overview shows published pooled results only"
        )
    doc = dict(base)
    doc.update(
        measure={
            "name": spec.measure,
            "effect": spec.measure,
            "description": "published pooled results",
            "transform": None,
        },
        studies={"included": included, "excluded": sorted(excluded, key=lambda r: (r["id"], r["entry"]))},
        pooled=None,
        heterogeneity=None,
        subgroups=None,
        sensitivity=None,
        reference=None,
        notes=[],
    )
    from metaevidence.workflow import secondary as sens

    return Computed(spec, doc, summaries=sens.summaries_batch(included))
