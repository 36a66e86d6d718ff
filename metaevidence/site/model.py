"""What the site and the Word report show, as plain data read from the published state.

:func:`load_review` reads ``results/*.json`` (and ``results/<id>.md``, the report in words),
``figures/<id>/*`` and ``studies/*.yaml`` into a :class:`Review`: per analysis the
headline numbers formatted as the reports format them, the study rows (with numeric keys
for sorting), participants, certainty (when the results carry a ``certainty`` block) and
the last update; per study record its raw fields for the provenance page. Nothing is
recomputed: a number on the site is a number in ``results/``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metaevidence.display.text import DASH, fmt, fmt_ci, fmt_effect, fmt_i2, level_pct, present, study_ci
from metaevidence.errors import MetaevidenceError
from metaevidence.site.history import LastChange, last_change
from metaevidence.workflow.report import headline
from metaevidence.workflow.run import Paths
from metaevidence.workflow.store import StoreError, parse_result

__all__ = ["Review", "Analysis", "StudyRow", "Record", "load_review", "rows_csv"]

#: The order figures are shown in, and their names in words.
FIGURE_NAMES = {
    "forest": "Forest plot",
    "funnel": "Funnel plot",
    "leave-one-out": "Leave-one-out sensitivity analysis",
    "cumulative": "Cumulative meta-analysis",
}


class SiteError(MetaevidenceError):
    """The published state cannot be turned into a site (e.g. no results yet)."""


@dataclass(frozen=True, slots=True)
class StudyRow:
    """One included study of an analysis, formatted, with raw keys for sorting."""

    id: str
    label: str
    year: int | None
    effect: str
    ci: str
    weight: str
    source: str
    n: int | None
    yi: float | None
    lower: float | None
    upper: float | None
    weight_value: float | None
    subgroup: str | None


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    title: str
    svg: str | None  # the SVG text, or None
    files: tuple[str, ...]  # file names under figures/<id>/


@dataclass(frozen=True, slots=True)
class Analysis:
    id: str
    doc: dict
    title: str
    question: str
    kind: str
    headline: str
    k: int | None
    participants: str
    effect: str  # "OR 1.57 (95% CI 1.28 to 1.92)" or an overview line
    report_md: str
    rows: tuple[StudyRow, ...]
    excluded: tuple[tuple[str, str, str], ...]  # (id, label, reason)
    figures: tuple[Figure, ...]
    certainty: dict | None
    change: LastChange
    order: int = 0

    @property
    def pooled(self) -> dict | None:
        return self.doc.get("pooled")


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    file: str
    raw: dict
    text: str  # the YAML as written
    label: str  # as the evidence layer labels the study ("Martinelli et al. 2020")
    analyses: tuple[tuple[str, str], ...] = ()  # (analysis id, title) that use it


@dataclass(frozen=True, slots=True)
class Review:
    analyses: tuple[Analysis, ...]
    records: dict[str, Record]
    sof_md: str | None  # results/summary-of-findings.md, when present
    prisma: str | None  # a PRISMA flow diagram SVG, when present
    question: str
    notes: tuple[str, ...] = field(default=())


def _participants_of(data: dict | None) -> int | None:
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("n"), int | float):
        return int(data["n"])
    total = 0
    for arm in ("experimental", "control"):
        a = data.get(arm)
        if not isinstance(a, dict):
            return None
        n = a.get("total", a.get("n"))
        if not isinstance(n, int | float):
            return None
        total += int(n)
    return total


def _row_n(row: dict, record: Record | None) -> int | None:
    d = row.get("data") or {}
    if d.get("n1i") is not None and d.get("n2i") is not None:
        return int(d["n1i"] + d["n2i"])
    if d.get("ni") is not None:
        return int(d["ni"])
    if record is None:
        return None
    outcomes = record.raw.get("outcomes") or []
    entry = row.get("entry")
    if isinstance(entry, int) and 0 <= entry < len(outcomes):
        return _participants_of(outcomes[entry].get("data"))
    return None


def _rows(doc: dict, records: dict[str, Record]) -> tuple[StudyRow, ...]:
    t = doc["measure"]["transform"]
    level = doc["settings"]["level"]
    out = []
    for r in doc["studies"]["included"]:
        if doc["analysis"]["kind"] == "overview":
            lo, hi, yi = r.get("lower"), r.get("upper"), r.get("estimate")
            effect, ci = fmt(yi), DASH if lo is None else f"{fmt(lo)} to {fmt(hi)}"
            n = r.get("n")
        else:
            yi, vi = r.get("yi"), r.get("vi")
            lo, hi = study_ci(yi, vi, level)
            effect, ci = fmt_effect(yi, t), fmt_ci(lo, hi, t)
            yi, lo, hi = present(yi, t), present(lo, t), present(hi, t)
            n = _row_n(r, records.get(r["id"]))
        w = r.get("weight")
        out.append(
            StudyRow(
                id=r["id"],
                label=r["label"],
                year=r.get("year"),
                effect=effect,
                ci=ci,
                weight=DASH if w is None else f"{fmt(w, 1)}%",
                source=r.get("source") or r.get("model") or "",
                n=n,
                yi=yi,
                lower=lo,
                upper=hi,
                weight_value=w,
                subgroup=r.get("subgroup") or r.get("group"),
            )
        )
    return tuple(out)


def _participants(rows: tuple[StudyRow, ...]) -> str:
    known = [r.n for r in rows if r.n is not None]
    if not rows or not known:
        return "not reported"
    total = f"{sum(known):,}"
    return total if len(known) == len(rows) else f"{total} ({len(known)} of {len(rows)} studies report it)"


def _effect(doc: dict) -> str:
    p = doc.get("pooled")
    if doc["analysis"]["kind"] == "overview" or p is None:
        return headline(doc)
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    return f"{eff} {fmt_effect(p['estimate'], t)} ({level_pct(p['level'])} CI {fmt_ci(p['ci_lower'], p['ci_upper'], t)})"


def _figures(doc: dict, folder: Path) -> tuple[Figure, ...]:
    by_name: dict[str, list[str]] = {}
    for f in doc.get("figures", ()):
        by_name.setdefault(f["name"], []).append(f["file"])
    order = [n for n in FIGURE_NAMES if n in by_name] + sorted(set(by_name) - set(FIGURE_NAMES))
    out = []
    for name in order:
        files = tuple(sorted(by_name[name]))
        svg_file = next((f for f in files if f.endswith(".svg")), None)
        svg = None
        if svg_file is not None and (folder / svg_file).is_file():
            svg = (folder / svg_file).read_text(encoding="utf-8")
        present_files = tuple(f for f in files if (folder / f).is_file())
        out.append(
            Figure(name, FIGURE_NAMES.get(name, name.replace("-", " ").capitalize()), svg, present_files)
        )
    return tuple(out)


def _records(studies: Path) -> dict[str, Record]:
    from metaevidence.evidence.base import scan_studies

    evidence, _problems, _n = scan_studies(studies) if studies.is_dir() else (None, (), 0)
    labels = {s.id: s.label for s in evidence.studies} if evidence is not None else {}
    out = {}
    for p in sorted(studies.glob("*.yaml")) if studies.is_dir() else []:
        text = p.read_text(encoding="utf-8")
        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SiteError(f"{p}: not valid YAML ({exc}); run `metaevidence validate`") from None
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            out[raw["id"]] = Record(raw["id"], p.name, raw, text, labels.get(raw["id"], raw["id"]))
    return out


def _analysis(path: Path, paths: Paths, records: dict[str, Record]) -> Analysis:
    try:
        doc = parse_result(path.read_bytes(), path)
    except StoreError as exc:
        raise SiteError(str(exc)) from None
    a = doc["analysis"]
    report = path.with_suffix(".md")
    rows = _rows(doc, records)
    p = doc.get("pooled")
    return Analysis(
        id=a["id"],
        doc=doc,
        title=a["title"],
        question=a["question"],
        kind=a["kind"],
        headline=headline(doc),
        k=p["k"] if p else len(rows),
        participants=_participants(rows) if a["kind"] != "overview" else "–",
        effect=_effect(doc),
        report_md=report.read_text(encoding="utf-8") if report.is_file() else "",
        rows=rows,
        excluded=tuple((r["id"], r["label"], r["reason"]) for r in doc["studies"]["excluded"]),
        figures=_figures(doc, paths.figures / a["id"]),
        certainty=doc.get("certainty") if isinstance(doc.get("certainty"), dict) else None,
        change=last_change(path, doc),
    )


def _prisma(paths: Paths) -> str | None:
    for candidate in (
        paths.figures / "prisma.svg",
        paths.figures / "prisma" / "prisma.svg",
        paths.results / "prisma.svg",
    ):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    return None


def load_review(paths: Paths) -> Review:
    """Read the published state of the review (see the module docstring)."""
    files = (
        sorted(p for p in paths.results.glob("*.json") if not p.name.startswith("."))
        if paths.results.is_dir()
        else []
    )
    if not files:
        raise SiteError(f"{paths.results} holds no results (*.json): run `metaevidence run` first")
    records = _records(paths.studies)
    analyses = [_analysis(p, paths, records) for p in files]
    # guideline-annex order: syntheses of primary studies first, then published overviews
    analyses.sort(key=lambda a: (a.kind == "overview", a.title.lower()))
    analyses = [
        Analysis(**{**{f: getattr(a, f) for f in a.__slots__}, "order": i}) for i, a in enumerate(analyses)
    ]
    users: dict[str, list[tuple[str, str]]] = {}
    for a in analyses:
        for sid in dict.fromkeys([r.id for r in a.rows] + [e[0] for e in a.excluded]):
            users.setdefault(sid, []).append((a.id, a.title))
    records = {
        sid: Record(r.id, r.file, r.raw, r.text, r.label, tuple(users.get(sid, ())))
        for sid, r in records.items()
    }
    sof = paths.results / "summary-of-findings.md"
    questions = list(dict.fromkeys(a.question for a in analyses))
    return Review(
        analyses=tuple(analyses),
        records=records,
        sof_md=sof.read_text(encoding="utf-8") if sof.is_file() else None,
        prisma=_prisma(paths),
        question=questions[0] if len(questions) == 1 else "",
    )


def rows_csv(a: Analysis) -> str:
    """The study rows of an analysis as CSV (full precision on the analysis scale)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    doc = a.doc
    base = ["id", "label", "year", "participants"]
    if a.kind == "overview":
        keys = ["measure", "estimate", "lower", "upper", "level", "k", "n", "model", "timepoint"]
        w.writerow(base[:3] + keys)
        for r in doc["studies"]["included"]:
            w.writerow([r["id"], r["label"], r.get("year", "")] + [_csv(r.get(k)) for k in keys])
        return buf.getvalue()
    w.writerow(base + [f"yi ({doc['measure']['description']})", "vi", "weight_percent", "subgroup", "source"])
    for r, row in zip(doc["studies"]["included"], a.rows):
        w.writerow(
            [r["id"], r["label"], _csv(r.get("year")), _csv(row.n), _csv(r.get("yi")), _csv(r.get("vi"))]
            + [_csv(r.get("weight")), _csv(row.subgroup), r.get("source", "")]
        )
    return buf.getvalue()


def _csv(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return repr(x)
    return str(x)


def certainty_summary(c: dict | None) -> str:
    """One line for a results document's ``certainty`` block (docs/certainty.md): the GRADE
    level, else a source's own published rating (said so), else "not assessed".
    """
    if not c:
        return ""
    if isinstance(c.get("level"), str):
        return c["level"]
    published = c.get("published")
    if isinstance(published, dict) and isinstance(published.get("level"), str):
        return f"{published['level']} (as published)"
    return "not assessed"


def i2_text(doc: dict) -> str:
    het = doc.get("heterogeneity")
    if not het or het.get("i2") is None or (doc.get("pooled") or {}).get("k", 0) < 2:
        return "–"
    return fmt_i2(het["i2"])
