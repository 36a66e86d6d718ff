"""Rendering an :class:`~metaevidence.workflow.diff.EvidenceDiff` as text or Markdown.

Text is for the terminal; Markdown is for a pull-request comment (headings, tables, and
the conclusion changes in bold so a reviewer sees them first). Both list the studies
first, then each analysis that changed; unchanged analyses are counted, not listed.
"""

from __future__ import annotations

from metaevidence.workflow.diff import (
    AnalysisDiff,
    EvidenceDiff,
    comparison_rows,
    influence_text,
    summary_counts,
)
from metaevidence.workflow.report import headline

__all__ = ["render_text", "render_markdown"]

_MAX_FIELDS = 12
_STATUS = {
    "new": "new analysis",
    "removed": "analysis removed (its spec is gone)",
    "failed": "could not be computed",
    "changed": "changed",
    "unchanged": "unchanged",
}


def _studies_line(d: AnalysisDiff) -> str:
    return ", ".join(f"{sym}{key}" for sym, key, _label in d.studies)


def render_text(diff: EvidenceDiff) -> str:
    lines = [f"Evidence since {diff.since}: {summary_counts(diff)}"]
    alone = dict(diff.unanalysed)
    for c in diff.studies:
        lines.append(f"  {c.symbol} {c.id} ({c.status})")
        if c.id in alone:
            lines.append(f"      new study {c.id} is in no analysis: {alone[c.id]}")
        for f in c.fields[:_MAX_FIELDS]:
            lines.append(f"      {f}")
        if len(c.fields) > _MAX_FIELDS:
            lines.append(f"      ... and {len(c.fields) - _MAX_FIELDS} more fields")
    shown = [d for d in diff.analyses if d.status != "unchanged"]
    quiet = len(diff.analyses) - len(shown)
    for d in shown:
        lines += ["", f"{d.id}: {d.title} -- {_STATUS[d.status]}"]
        if d.status == "failed":
            lines.append(f"  error: {d.error}")
            continue
        if d.status in ("new", "removed"):
            doc = d.after or d.before
            lines.append(f"  {headline(doc)}")
            continue
        if d.studies:
            lines.append(f"  studies: {_studies_line(d)}")
        for f in d.settings[:_MAX_FIELDS]:
            lines.append(f"  setting {f}")
        rows = comparison_rows(d)
        if rows:
            widths = [max(len(r[i]) for r in [("", "before", "after", "change"), *rows]) for i in range(4)]
            header = ("", "before", "after", "change")
            for r in [header, *rows]:
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if d.after and d.after.get("pooled") is not None:
            if d.conclusion:
                for c in d.conclusion:
                    lines.append(f"  CONCLUSION CHANGED: {c}")
            else:
                lines.append("  conclusion unchanged")
        for c in d.sequential:
            lines.append(f"  sequential monitoring (secondary): {c}")
        for c in d.stale:
            lines.append(f"  reminder: {c}")
        if d.moved:
            lines.append(f"  moved the estimate most: {influence_text(d, d.moved[0])}")
            for i in d.moved[1:]:
                lines.append(f"    also: {influence_text(d, i)}")
    if quiet:
        lines += ["", f"{quiet} analys{'es' if quiet != 1 else 'is'} unchanged{_alone(diff)}."]
    if not diff.analyses:
        lines += ["", "No analyses."]
    return "\n".join(lines) + "\n"


def render_markdown(diff: EvidenceDiff) -> str:
    lines = [f"### Evidence update since `{diff.since}`", "", f"**{summary_counts(diff)}**", ""]
    alone = dict(diff.unanalysed)
    if diff.studies:
        lines += ["| | study | change |", "|---|---|---|"]
        for c in diff.studies:
            detail = "; ".join(f"`{f.path}`: {_md(f)}" for f in c.fields[:_MAX_FIELDS])
            if len(c.fields) > _MAX_FIELDS:
                detail += f"; and {len(c.fields) - _MAX_FIELDS} more fields"
            if c.id in alone:
                detail = f"**in no analysis**: {alone[c.id]}"
            lines.append(f"| {c.symbol} | `{c.id}` | {c.status}{': ' + detail if detail else ''} |")
        lines.append("")
    shown = [d for d in diff.analyses if d.status != "unchanged"]
    for d in shown:
        lines += [f"#### `{d.id}`: {d.title} ({_STATUS[d.status]})", ""]
        if d.status == "failed":
            lines += [f"Error: {d.error}", ""]
            continue
        if d.status in ("new", "removed"):
            lines += [headline(d.after or d.before), ""]
            continue
        for c in d.conclusion:
            lines.append(f"**Conclusion changed: {c}.**")
        if d.conclusion:
            lines.append("")
        if d.studies:
            lines += ["Studies: " + ", ".join(f"{sym} `{key}`" for sym, key, _l in d.studies), ""]
        if d.settings:
            lines += ["Settings: " + "; ".join(f"`{f.path}` {_md(f)}" for f in d.settings[:_MAX_FIELDS]), ""]
        rows = comparison_rows(d)
        if rows:
            lines += ["| | before | after | change |", "|---|---|---|---|"]
            lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows]
            lines.append("")
        if d.after and d.after.get("pooled") is not None and not d.conclusion:
            lines += ["Conclusion unchanged.", ""]
        for c in d.sequential:
            lines += [f"Sequential monitoring (secondary, not the main conclusion): {c}.", ""]
        for c in d.stale:
            lines += [f"Reminder: {c}.", ""]
        if d.moved:
            lines.append(f"Moved the estimate most: {influence_text(d, d.moved[0])}.")
            for i in d.moved[1:]:
                lines.append(f"Also: {influence_text(d, i)}.")
            lines.append("")
    quiet = len(diff.analyses) - len(shown)
    if quiet:
        lines += [f"{quiet} analys{'es' if quiet != 1 else 'is'} unchanged{_alone(diff)}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md(f) -> str:
    text = str(f)
    return text.split(": ", 1)[1].replace("|", "\\|") if ": " in text else text


def _alone(diff: EvidenceDiff) -> str:
    """The "; new study smith-2024 is in none of them" after "8 analyses unchanged"."""
    if not diff.unanalysed:
        return ""
    ids = ", ".join(sid for sid, _why in diff.unanalysed)
    return f"; new stud{'ies' if len(diff.unanalysed) > 1 else 'y'} {ids} {'are' if len(diff.unanalysed) > 1 else 'is'} in none of them"
