"""What an analysis assumed about measures and direction, in words, for the report and the plots.

Two spec choices pool rows that are not as their studies reported them, so they are never
silent: ``treat_as`` (a reported HR pooled with odds ratios, unchanged on the log scale) and
``direction`` (entries oriented the analysis's way: arms swapped or the effect inverted).
:func:`assumptions` states each one that changed a pooled row, as sentences that
``results/<id>.json`` records under ``assumptions``, the report prints under "Measures and
direction" and the forest plots print as footnotes. :func:`direction_error` turns the
evidence layer's :class:`~metaevidence.evidence.direction.DirectionConflict` into the
workflow's error, located at the record's line.
"""

from __future__ import annotations

from typing import Any

__all__ = ["assumptions", "direction_error", "reported_measure", "NAMES"]

#: The ratio measures' names in words.
NAMES = {"OR": "odds ratio", "RR": "risk ratio", "HR": "hazard ratio"}
_DIRECTION = "direction: "


def reported_measure(entry, measure: str) -> str | None:
    """The measure the entry's study reported when it is not the analysis's (else None)."""
    reported = getattr(entry.data, "measure", None)
    return reported if reported is not None and reported != measure else None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _names(labels: list[str]) -> str:
    return ", ".join(labels)


def assumptions(spec: Any, included: list[dict]) -> list[str]:
    """The assumptions of ``spec`` that changed pooled rows (``included`` rows of the document)."""
    out = []
    measure = spec.measure
    for reported in sorted(spec.treat_as):
        rows = [r for r in included if r.get("reported_measure") == reported]
        if not rows:
            continue
        name, target = NAMES[reported], NAMES.get(measure, measure)
        out.append(
            f"{len(rows)} of {len(included)} studies {'reports' if len(rows) == 1 else 'report'} "
            f"{_article(name)} {name} ({reported}; rows marked "
            f"'({reported})'): {_names([r['label'] for r in rows])}. They are pooled with the {target}s "
            f"unchanged on the log scale (treat_as: {{{reported}: {measure}}} in the analysis spec: "
            f"generic inverse-variance pooling), which assumes the {name} estimates the same effect as "
            f"{_article(target)} {target} -- close only when the outcome is rare over the follow-up."
        )
    d = spec.direction
    if d is not None:
        oriented = [r for r in included if _DIRECTION in r["source"]]
        side = "above" if d.benefit == "higher" else "below"
        group = f" ({' / '.join(d.experimental)})" if d.experimental else ""
        text = (
            f"Direction: effects {side} no effect favour the experimental group{group} "
            f"(direction: {{benefit: {d.benefit}}} in the analysis spec)."
        )
        if oriented:
            text += " Turned round to it: " + "; ".join(
                f"{r['label']} ({r['source'].split(_DIRECTION, 1)[1]})" for r in oriented
            )
            text += "."
        out.append(text)
    return out


def direction_error(spec: Any, exc: Exception):
    """The AnalysisError of a DirectionConflict, at the record's file and line."""
    from metaevidence.workflow.compute import AnalysisError

    err = AnalysisError(f"analysis {spec.id!r}: {exc}", field="direction")
    err.record = (exc.path, exc.line, exc.field, exc.detail)
    return err
