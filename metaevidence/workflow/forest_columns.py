"""The extra study columns of an analysis's forest plot (``figures.forest.columns``).

Each column is a field of the study-record format (``citation.year``,
``outcomes.attributes.dose``, ...), read from the record (``outcomes.*`` from the outcome
entry the analysis pools) of every pooled study, in the fit's order, and drawn by
:func:`metaevidence.forest_plot` (``columns=``) right of the study labels.
"""

from __future__ import annotations

from typing import Any

__all__ = ["record_columns"]


def record_columns(spec: Any, ids: list[str], evidence: Any, entries: list) -> tuple[tuple[str, tuple], ...]:
    """(header, one value per study) for each of ``spec.figures.forest.columns``.

    A field a record does not have is None (shown blank): a gap stays a gap, visibly.
    """
    from metaevidence.plots.forest_columns import header_of

    out = []
    for path in spec.figures.forest.columns:
        if path.startswith("outcomes."):
            values = tuple(e.field(path.removeprefix("outcomes.")) for e in entries)
        else:
            values = tuple(evidence[sid].field(path) for sid in ids)
        out.append((header_of(path), tuple(_scalar(v) for v in values)))
    return tuple(out)


def _scalar(v: Any) -> Any:
    """A value a table cell can show: lists joined with ", ", mappings as None (not a column)."""
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return None
    return v
