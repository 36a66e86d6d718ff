"""``results/summary-of-findings.md`` and ``figures/summary-of-findings.{svg,png}``: one table over
every published analysis, made from the ``summary_of_findings`` and ``certainty`` blocks of
``results/<id>.json`` (so it always matches the published results; a failed analysis keeps its
previous row). Written atomically; the same bytes on every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

from metaevidence._fileio import atomic_write

__all__ = ["SOF_NAME", "summary_rows", "write_summary_of_findings"]

SOF_NAME = "summary-of-findings"


def summary_rows(results: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """SoF rows and footnotes of every results/<id>.json that has them, in id order."""
    rows, notes = [], {}
    for p in sorted(results.glob("*.json")):
        if p.name.startswith("."):
            continue
        doc = json.loads(p.read_text(encoding="utf-8"))
        row = doc.get("summary_of_findings")
        if row is None:
            continue
        rows.append(row)
        notes[row["analysis"]] = list((doc.get("certainty") or {}).get("footnotes", []))
    return rows, notes


def write_summary_of_findings(results: Path, figures: Path, formats=("svg", "png")) -> list[Path]:
    """Write the summary-of-findings table (markdown and figure); returns the paths written."""
    from metaevidence.plots import figure_bytes
    from metaevidence.plots.sof import sof_table_plot
    from metaevidence.review.sof import sof_markdown

    rows, notes = summary_rows(results)
    if not rows:
        return []
    md = results / f"{SOF_NAME}.md"
    atomic_write(md, sof_markdown(rows, notes).encode("utf-8"))
    written = [md]
    fig = (
        None
        if not figures.is_dir()
        else sof_table_plot(
            rows,
            footnote="Certainty: the reviewer's GRADE judgements from each spec; "
            "'not assessed' = no judgements yet. Footnotes: results/summary-of-findings.md.",
        )
    )
    if not figures.is_dir():  # no analysis draws figures: no table figure either
        return written
    for fmt in formats:
        path = figures / f"{SOF_NAME}.{fmt}"
        atomic_write(path, figure_bytes(fig, fmt))
        written.append(path)
    return written
