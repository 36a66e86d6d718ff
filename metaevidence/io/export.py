"""Getting evidence out: CSV with metafor's column names, RevMan's CSV layout, a RevMan 5 file.

* :func:`metafor_csv` -- one row per outcome entry: ``id study year outcome subgroup
  timepoint kind measure ai bi ci di n1i n2i m1i sd1i m2i sd2i yi sei ri ni``, ready for
  ``escalc()`` (and for ``metaevidence import``, which reads the same names back);
* :func:`revman_csv` -- RevMan's CSV layout (``Comparison Number, Outcome Number, Subgroup
  Number, Name, Data Type, ...``), one outcome per outcome id, study rows under it;
* :func:`rm5_document` -- a RevMan 5 review file holding the studies and, per outcome, a
  dichotomous, continuous or generic inverse-variance outcome with its data (the analyses
  RevMan can express: binary and continuous arms, log ratios with SEs). RevMan computes its
  own results when it opens the file; none are written.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

from metaevidence.evidence.base import EvidenceBase
from metaevidence.evidence.records import OutcomeEntry, Study

__all__ = ["METAFOR_COLUMNS", "metafor_rows", "metafor_csv", "revman_csv", "rm5_document"]

METAFOR_COLUMNS = (
    "id", "study", "year", "outcome", "subgroup", "timepoint", "kind", "measure",
    "ai", "bi", "ci", "di", "n1i", "n2i", "m1i", "sd1i", "m2i", "sd2i", "yi", "sei", "ri", "ni",
)  # fmt: skip
REVMAN_COLUMNS = (
    "Comparison Number", "Outcome Number", "Subgroup Number", "Name", "Data Type", "Statistical Method",
    "Effect Measure", "Analysis Model", "Events 1", "Mean 1", "SD 1", "Total 1", "Events 2", "Mean 2",
    "SD 2", "Total 2", "Effect Estimate", "SE", "Year of study", "User defined order",
)  # fmt: skip


def _num(x) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return repr(x) if not x.is_integer() else str(int(x)) if abs(x) < 1e15 else repr(x)
    return str(x)


def _entry_row(study: Study, e: OutcomeEntry) -> dict:
    d = e.data
    row = {"id": study.id, "study": study.label, "year": study.year, "outcome": e.outcome,
           "subgroup": e.subgroup or "", "timepoint": e.timepoint or "", "kind": e.kind}  # fmt: skip
    if e.kind == "binary":
        x, c = d.experimental, d.control
        row |= {"ai": x.events, "bi": x.total - x.events, "ci": c.events, "di": c.total - c.events,
                "n1i": x.total, "n2i": c.total}  # fmt: skip
    elif e.kind == "continuous":
        x, c = d.experimental, d.control
        row |= {"m1i": x.mean, "sd1i": x.sd, "n1i": x.n, "m2i": c.mean, "sd2i": c.sd, "n2i": c.n}
    elif e.kind == "log_se":
        row |= {"measure": d.measure, "yi": d.log_estimate, "sei": d.se, "ni": getattr(d, "n", None)}
    elif e.kind == "ratio_ci":
        z = _z(d.level)
        row |= {"measure": d.measure, "yi": math.log(d.estimate),
                "sei": (math.log(d.upper) - math.log(d.lower)) / (2 * z), "ni": getattr(d, "n", None)}  # fmt: skip
    elif e.kind == "correlation":
        row |= {"ri": d.r, "ni": d.n}
    elif e.kind == "paired":
        x, c = d.experimental, d.control
        row |= {"m1i": x.mean, "m2i": c.mean, "sd1i": x.sd, "sd2i": c.sd, "ni": d.n, "ri": d.r}
    return row


def _z(level: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def metafor_rows(evidence: EvidenceBase, outcome: str | None = None) -> list[dict]:
    """One dict per outcome entry with effect data (summaries and 'none' entries are left out)."""
    rows = []
    for study in evidence:
        for e in study.outcomes:
            if e.kind in ("summary", "none") or (outcome is not None and e.outcome != outcome):
                continue
            rows.append(_entry_row(study, e))
    return rows


def _csv(columns: Iterable[str], rows: Iterable[dict]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    columns = tuple(columns)
    w.writerow(columns)
    for r in rows:
        w.writerow([_num(r.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def metafor_csv(evidence: EvidenceBase, outcome: str | None = None, extra: dict | None = None) -> bytes:
    """The evidence (or one outcome) as CSV with metafor's column names (UTF-8, ``\\n``)."""
    rows = metafor_rows(evidence, outcome)
    cols = list(METAFOR_COLUMNS)
    for key, values in (extra or {}).items():
        cols.append(key)
        for r, v in zip(rows, values):
            r[key] = v
    used = [
        c
        for c in cols
        if c in ("id", "study", "year", "outcome") or any(r.get(c) not in (None, "") for r in rows)
    ]
    return _csv(used, rows)


_DTYPE = {"binary": "DIC", "continuous": "CON", "log_se": "IV", "ratio_ci": "IV"}


def _groups(evidence: EvidenceBase, outcome: str | None):
    groups: dict[str, list[dict]] = {}
    for r in metafor_rows(evidence, outcome):
        if r["kind"] in _DTYPE:
            groups.setdefault(r["outcome"], []).append(r)
    return groups


def revman_csv(
    evidence: EvidenceBase, outcome: str | None = None, *, measure: str | None = None, method: str = "IV",
    model: str = "Random", title: str = "metaevidence export",
) -> bytes:  # fmt: skip
    """RevMan's CSV layout: a comparison row, then per outcome an outcome row and its study rows."""
    rows = [{"Comparison Number": 1, "Outcome Number": 0, "Subgroup Number": 0, "Name": title}]
    order = 0
    for n, (oid, items) in enumerate(_groups(evidence, outcome).items(), start=1):
        kind = items[0]["kind"]
        m = measure or {"binary": "OR", "continuous": "MD"}.get(kind, items[0].get("measure") or "OR")
        rows.append({"Comparison Number": 1, "Outcome Number": n, "Subgroup Number": 0, "Name": oid,
                     "Data Type": _DTYPE[kind], "Statistical Method": method, "Effect Measure": m,
                     "Analysis Model": model})  # fmt: skip
        for r in items:
            if r["kind"] != kind:
                continue
            order += 1
            row = {"Comparison Number": 1, "Outcome Number": n, "Subgroup Number": 0, "Name": r["study"],
                   "Year of study": r["year"], "User defined order": order}  # fmt: skip
            if kind == "binary":
                row |= {"Events 1": r["ai"], "Total 1": r["n1i"], "Events 2": r["ci"], "Total 2": r["n2i"]}
            elif kind == "continuous":
                row |= {"Mean 1": r["m1i"], "SD 1": r["sd1i"], "Total 1": r["n1i"], "Mean 2": r["m2i"],
                        "SD 2": r["sd2i"], "Total 2": r["n2i"]}  # fmt: skip
            else:
                row |= {"Effect Estimate": r["yi"], "SE": r["sei"]}
            rows.append(row)
    return _csv(REVMAN_COLUMNS, rows)


def _xml_id(label: str) -> str:
    return "STD-" + "".join(c if c.isalnum() else f"_x{ord(c):04x}_" for c in label)


def rm5_document(
    evidence: EvidenceBase, outcome: str | None = None, *, measure: str | None = None, method: str = "IV",
    random: bool = True, title: str = "metaevidence export",
) -> bytes:  # fmt: skip
    """A RevMan 5 file (XML, UTF-8) with the studies and one outcome per outcome id.

    Binary entries become a dichotomous outcome, continuous a continuous one and log ratios
    a generic inverse-variance outcome (``LOG_DATA="YES"``); other kinds cannot be expressed.
    """
    groups = _groups(evidence, outcome)
    labels = {r["id"]: (r["study"], r["year"]) for items in groups.values() for r in items}
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>',
           '<COCHRANE_REVIEW REVMAN_VERSION="5" TYPE="INTERVENTION" STAGE="R">',
           f"<COVER_SHEET><TITLE>{_text(title)}</TITLE></COVER_SHEET>",
           "<STUDIES_AND_REFERENCES><STUDIES><INCLUDED_STUDIES>"]  # fmt: skip
    for sid, (label, year) in labels.items():
        out.append(
            f'<STUDY ID={quoteattr(_xml_id(sid))} NAME={quoteattr(label)} YEAR="{year}" DATA_SOURCE="PUB"/>'
        )
    out += ["</INCLUDED_STUDIES></STUDIES></STUDIES_AND_REFERENCES>", "<ANALYSES_AND_DATA CALCULATED_DATA=\"NO\">",
            f'<COMPARISON ID="CMP-001" NO="1"><NAME>{_text(title)}</NAME>']  # fmt: skip
    tags = {"binary": ("DICH_OUTCOME", "DICH_DATA"), "continuous": ("CONT_OUTCOME", "CONT_DATA"),
            "log_se": ("IV_OUTCOME", "IV_DATA"), "ratio_ci": ("IV_OUTCOME", "IV_DATA")}  # fmt: skip
    for n, (oid, items) in enumerate(groups.items(), start=1):
        kind = items[0]["kind"]
        otag, dtag = tags[kind]
        m = measure or {"binary": "OR", "continuous": "MD"}.get(kind, items[0].get("measure") or "OR")
        meth = method if kind == "binary" else "IV"
        extra = ' LOG_DATA="YES"' if otag == "IV_OUTCOME" else ""
        out.append(f'<{otag} ID="CMP-001.{n:02d}" NO="{n}" EFFECT_MEASURE="{m}" METHOD="{meth}" '
                   f'RANDOM="{"YES" if random else "NO"}" CI_STUDY="95" CI_TOTAL="95"{extra}>'
                   f"<NAME>{_text(oid)}</NAME>")  # fmt: skip
        for order, r in enumerate(items, start=1):
            if r["kind"] not in (kind, "ratio_ci" if kind == "log_se" else kind):
                continue
            sid = quoteattr(_xml_id(r["id"]))
            if kind == "binary":
                attrs = f'EVENTS_1="{r["ai"]}" TOTAL_1="{r["n1i"]}" EVENTS_2="{r["ci"]}" TOTAL_2="{r["n2i"]}"'
            elif kind == "continuous":
                attrs = (f'MEAN_1="{_num(r["m1i"])}" SD_1="{_num(r["sd1i"])}" TOTAL_1="{r["n1i"]}" '
                         f'MEAN_2="{_num(r["m2i"])}" SD_2="{_num(r["sd2i"])}" TOTAL_2="{r["n2i"]}"')  # fmt: skip
            else:
                attrs = f'EFFECT_SIZE="{_num(r["yi"])}" SE="{_num(r["sei"])}"'
            out.append(f'<{dtag} STUDY_ID={sid} ORDER="{order}" {attrs}/>')
        out.append(f"</{otag}>")
    out += ["</COMPARISON>", "</ANALYSES_AND_DATA>", "</COCHRANE_REVIEW>", ""]
    return "\n".join(out).encode("utf-8")


def _text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
