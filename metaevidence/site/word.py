"""The Word report: the review as a guideline annex (``downloads/metaevidence-review.docx``).

In the order an evidence annex to a guideline uses: the summary of findings first (the
``results/summary-of-findings.md`` table when it exists, the certainty of each analysis
when the results carry it, and always the overview of every analysis), then for each
analysis -- syntheses first, published overviews last -- its question, the result in words,
the forest plot, the table of studies and the comparison with the published result. The
writer can attach the file or paste from it. Made with python-docx; the file's zip entries
and core properties carry fixed dates, so the same results give the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

from metaevidence.site.markdown import sections
from metaevidence.site.model import Analysis, Review, certainty_summary, i2_text
from metaevidence.workflow.run import Paths

__all__ = ["build_docx", "DOCX_NAME"]

DOCX_NAME = "metaevidence-review.docx"
_FIXED = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)
_BOLD = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|`([^`]+)`")


def _runs(paragraph, text: str) -> None:
    """Add ``text`` with its **bold**, *italic* and `code` spans as runs."""
    pos = 0
    for m in _BOLD.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos : m.start()])
        run = paragraph.add_run(m.group(1) or m.group(2) or m.group(3))
        run.bold = m.group(1) is not None
        run.italic = m.group(2) is not None
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        _runs(cell.paragraphs[0], f"**{text}**" if text else "")
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row):
            _runs(cell.paragraphs[0], text)
    doc.add_paragraph()
    return table


def _markdown(doc, text: str, *, heading_level: int = 2) -> None:
    """Paragraphs, headings and pipe tables of a Markdown text (images left out)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith("!["):
            i += 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            doc.add_heading(line.lstrip("#").strip(), level=min(heading_level + level - 2, 9))
            i += 1
        elif line.startswith("|") and i + 1 < len(lines) and set(lines[i + 1].strip()) <= set("|-: "):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            _table(doc, rows[0], rows[2:])
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(("#", "|")):
                para.append(lines[i].strip().lstrip("> "))
                i += 1
            _runs(doc.add_paragraph(), " ".join(para))


def _section(a: Analysis, name: str) -> str:
    return next((body for h, body in sections(a.report_md) if h.startswith(name)), "")


def _overview_table(doc, review: Review) -> None:
    header = ["Outcome (analysis)", "Effect (CI)", "k", "Participants", "I²", "Certainty"]
    rows = [
        [a.title, a.effect, "–" if a.k is None else str(a.k), a.participants]
        + [i2_text(a.doc) if a.kind != "overview" else "–", certainty_summary(a.certainty) or "not assessed"]
        for a in review.analyses
    ]
    _table(doc, header, rows)


def _analysis(doc, a: Analysis, n: int, paths: Paths) -> None:
    from docx.shared import Inches

    doc.add_heading(f"{n}. {a.title}", level=1)
    _runs(doc.add_paragraph(), f"*{a.question}*")
    result = _section(a, "Result") or _section(a, "Published summaries")
    doc.add_heading("Result", level=2)
    _markdown(doc, result, heading_level=3)
    forest = next((f for f in a.figures if f.name == "forest"), None)
    png = next((x for x in forest.files if x.endswith(".png")), None) if forest else None
    if png is not None:
        doc.add_picture(str(paths.figures / a.id / png), width=Inches(6.3))
        _runs(doc.add_paragraph(), f"**Figure {n}.** Forest plot: {a.effect}, k = {a.k}.")
    doc.add_heading("Studies", level=2)
    eff = a.doc["measure"]["effect"]
    if a.rows:
        header = ["Study", "Year", f"{eff} (CI)", "Weight", "Participants", "Data"]
        rows = [
            [r.label, "–" if r.year is None else str(r.year), f"{r.effect} ({r.ci})", r.weight]
            + ["not reported" if r.n is None else f"{r.n:,}", r.source]
            for r in a.rows
        ]
        _table(doc, header, rows)
    for _sid, label, reason in a.excluded:
        _runs(doc.add_paragraph(style="List Bullet"), f"Not in the synthesis: {label} ({reason})")
    reference = _section(a, "Comparison with the published result")
    if reference.strip():
        doc.add_heading("Comparison with the published result", level=2)
        _markdown(doc, reference, heading_level=3)


def _stable(data: bytes) -> bytes:
    """The same package with every zip entry dated 1980-01-01, so equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(entry, src.read(info.filename))
    return buf.getvalue()


def build_docx(review: Review, paths: Paths) -> bytes:
    """The Word report of the review, as bytes (see the module docstring)."""
    import docx

    doc = docx.Document()
    props = doc.core_properties
    props.title = "metaevidence living review: evidence annex"
    props.author = "metaevidence"
    props.created = props.modified = _FIXED
    props.last_modified_by = "metaevidence"
    props.revision = 1
    doc.add_heading("Evidence annex", level=0)
    doc.add_paragraph(
        "Generated by metaevidence from the committed results: every number is read from results/. "
        "The summary of findings comes first, then each analysis with its result, forest plot and studies."
    )
    doc.add_heading("Summary of findings", level=1)
    if review.sof_md:
        body = review.sof_md
        if body.startswith("# "):
            body = body.split("\n", 1)[1] if "\n" in body else ""
        _markdown(doc, body, heading_level=2)
    else:
        doc.add_paragraph(
            "No summary-of-findings table has been made yet (the certainty of the evidence has not "
            "been assessed); the table below gives each analysis's result."
        )
    _overview_table(doc, review)
    for n, a in enumerate(review.analyses, 1):
        _analysis(doc, a, n, paths)
    buf = io.BytesIO()
    doc.save(buf)
    return _stable(buf.getvalue())
