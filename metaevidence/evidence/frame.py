"""The evidence base as a tidy table: one row per study x outcome entry.

Columns are fixed (they never depend on arguments); fields a data kind does not have are
missing (NaN/None). Free ``attributes`` of the entries follow as ``attributes.<name>``
columns, sorted by name. Numbers stay raw floats/ints: display never changes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metaevidence.evidence.records import BinaryData, ContinuousData, OutcomeEntry, PairedData, Study

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from metaevidence.evidence.base import EvidenceBase

__all__ = ["COLUMNS", "evidence_frame", "entry_row"]

#: The fixed columns of :func:`evidence_frame`, in order.
COLUMNS = (
    "study",
    "label",
    "year",
    "design",
    "extraction_status",
    "outcome",
    "subgroup",
    "timepoint",
    "kind",
    "measure",
    "estimate",
    "lower",
    "upper",
    "level",
    "adjusted",
    "log_estimate",
    "se",
    "r",
    "n",
    "k",
    "model",
    "experimental_events",
    "experimental_total",
    "control_events",
    "control_total",
    "experimental_mean",
    "experimental_sd",
    "experimental_n",
    "control_mean",
    "control_sd",
    "control_n",
    "reason",
    "confidence",
    "source",
    "locator",
    "derivation",
    "approximate",
    "sha256",
)

_DATA_FIELDS = (
    "measure",
    "estimate",
    "lower",
    "upper",
    "level",
    "adjusted",
    "log_estimate",
    "se",
    "r",
    "n",
    "k",
    "model",
    "reason",
)


def entry_row(study: Study, entry: OutcomeEntry) -> dict:
    """The frame row of one outcome entry (fixed columns plus ``attributes.<name>``)."""
    row = dict.fromkeys(COLUMNS)
    row.update(
        study=study.id,
        label=study.label,
        year=study.year,
        design=study.design,
        extraction_status=study.extraction.status,
        outcome=entry.outcome,
        subgroup=entry.subgroup,
        timepoint=entry.timepoint,
        kind=entry.kind,
        confidence=entry.provenance.confidence,
        source=entry.provenance.source,
        locator=entry.provenance.locator,
        derivation=entry.provenance.derivation,
        approximate=entry.provenance.approximate,
        sha256=study.sha256,
    )
    data = entry.data
    if isinstance(data, BinaryData):
        for arm in ("experimental", "control"):
            a = getattr(data, arm)
            row[f"{arm}_events"], row[f"{arm}_total"] = a.events, a.total
    elif isinstance(data, ContinuousData):
        for arm in ("experimental", "control"):
            a = getattr(data, arm)
            row[f"{arm}_mean"], row[f"{arm}_sd"], row[f"{arm}_n"] = a.mean, a.sd, a.n
    elif isinstance(data, PairedData):  # means and SDs of the two measurements; n pairs, r
        for arm in ("experimental", "control"):
            a = getattr(data, arm)
            row[f"{arm}_mean"], row[f"{arm}_sd"] = a.mean, a.sd
        row["n"], row["r"] = data.n, data.r
    else:
        for name in _DATA_FIELDS:
            if hasattr(data, name):
                row[name] = getattr(data, name)
    for key, value in entry.attributes.items():
        row[f"attributes.{key}"] = value
    return row


def evidence_frame(evidence: EvidenceBase) -> pd.DataFrame:
    """One row per study x outcome entry; see :data:`COLUMNS`."""
    import pandas as pd

    rows = [entry_row(s, e) for s in evidence.studies for e in s.outcomes]
    attrs = sorted({k for r in rows for k in r if k.startswith("attributes.")})
    return pd.DataFrame(rows, columns=[*COLUMNS, *attrs])
