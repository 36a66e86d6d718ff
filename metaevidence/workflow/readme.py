"""The "evidence so far" section of a review's README, generated from its ``results/``.

:func:`evidence_section` turns the results documents (``results/<id>.json``) into a short
Markdown list: one line per analysis with its title (linking to its report), its headline
numbers and the lead sentence of its ``interpretation``. :func:`replace_section` puts it
between the markers ``<!-- evidence-summary:start -->`` and ``<!-- evidence-summary:end -->``
of a README and leaves every other byte as it was, so the section can be regenerated (and
checked in CI) whenever the results change. Nothing is computed here: every number is read
from the results.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from metaevidence.display.text import fmt, level_pct
from metaevidence.workflow.placeholders import prose
from metaevidence.workflow.report import headline

__all__ = ["START", "END", "evidence_section", "replace_section", "lead_sentence"]

START = "<!-- evidence-summary:start -->"
END = "<!-- evidence-summary:end -->"

#: Overviews with at most this many published results list each of them; larger ones give a range.
_LISTED = 3


def lead_sentence(text: str | None) -> str:
    """The lead of an interpretation: its opening bold sentence, else its first sentence."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    bold = re.match(r"\*\*(.+?)\*\*", text)
    if bold:
        return bold.group(1).strip()
    first = re.match(r"(.+?[.!?])(\s|$)", text)
    return (first.group(1) if first else text).strip()


def _overview_line(doc: dict) -> str:
    rows = doc["studies"]["included"]
    measure = doc["measure"]["name"] or rows[0]["measure"]
    n = len(rows)
    if n <= _LISTED:
        parts = []
        for r in rows:
            ci = (
                f" ({level_pct(r['level'])} CI {fmt(r['lower'])} to {fmt(r['upper'])})"
                if r["lower"] is not None
                else " (no interval)"
            )
            when = f" at {r['timepoint']}" if n > 1 and r.get("timepoint") else ""
            parts.append(f"{r['measure']} {fmt(r['estimate'])}{ci}{when}")
        what = "published result" if n == 1 else "published results, not pooled"
        return f"{n} {what}: " + "; ".join(parts)
    est = [r["estimate"] for r in rows]
    return f"{n} published results, not pooled: {measure} {fmt(min(est))} to {fmt(max(est))}"


def evidence_section(results: Path, *, link_prefix: str = "results/") -> str:
    """The Markdown of the section (without the markers) from ``results/*.json``.

    Parameters
    ----------
    results : Path
        The results folder of the review.
    link_prefix : str, default "results/"
        How the README reaches the reports (``<prefix><id>.md``).

    Returns
    -------
    str
        A lead paragraph and one bullet per analysis, in id order; ends with a newline.
    """
    docs = []
    for path in sorted(Path(results).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format", "").startswith("metaevidence-result/"):
            docs.append(doc)
    if not docs:
        return "No analyses have been run yet (`metaevidence run` writes `results/`).\n"
    lines = [
        f"Generated from `results/` ({len(docs)} analyses; regenerate with "
        "`python scripts/readme_evidence.py`). Each title links to the full report, which "
        "says what the evidence can and cannot support.",
        "",
    ]
    for doc in docs:
        a = doc["analysis"]
        numbers = _overview_line(doc) if a["kind"] == "overview" else headline(doc)
        line = f"- [{a['title']}]({link_prefix}{a['id']}.md): {numbers}."
        lead = lead_sentence(prose(doc, "interpretation"))
        if lead:
            line += f" *{lead.rstrip('.')}.*"
        lines.append(line)
    return "\n".join(lines) + "\n"


def replace_section(text: str, section: str) -> str:
    """``text`` with everything between the markers replaced by ``section``.

    Raises
    ------
    ValueError
        When the markers are missing, repeated or out of order.
    """
    starts, ends = text.count(START), text.count(END)
    if starts != 1 or ends != 1 or text.index(START) > text.index(END):
        raise ValueError(
            f"the README must hold the markers {START} and {END} once each, in that order; "
            f"found {starts} start and {ends} end marker(s)"
        )
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{section.rstrip()}\n{END}{tail}"
