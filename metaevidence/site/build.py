"""``metaevidence site``: the static HTML site of the review, from its published state.

:func:`build_site` reads the review (:func:`~metaevidence.site.model.load_review`), renders
the Jinja2 templates in ``site/templates/`` -- an index, one page per analysis, one page per
study record, the summary of findings when ``results/summary-of-findings.md`` or
``certainty`` blocks exist -- copies the bundled stylesheet and script, the downloads (the
results JSON, the study rows as CSV, every figure) and writes the Word report
(:mod:`metaevidence.site.word`). Every link is relative and nothing is fetched from the
network, so the site opens from ``file://`` and from any static host.

Each file is written atomically and left alone when its bytes are unchanged; files of an
earlier build that are no longer part of the site are removed. The output folder must be
empty, absent, or an earlier build (it holds the marker file ``.metaevidence-site``), so a
mistyped ``--out`` never deletes someone's files. The same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from metaevidence._fileio import atomic_write
from metaevidence.display.text import level_pct
from metaevidence.site.markdown import sections, to_html
from metaevidence.site.model import (
    Analysis,
    Review,
    SiteError,
    certainty_summary,
    i2_text,
    load_review,
    rows_csv,
)
from metaevidence.site.record import record_context
from metaevidence.site.svg import inline_svg
from metaevidence.site.word import DOCX_NAME, build_docx
from metaevidence.workflow.run import Paths

__all__ = ["build_site", "SiteReport", "MARKER"]

MARKER = ".metaevidence-site"
SITE_TITLE = "metaevidence living review"
#: Sections of the Markdown report that the analysis page shows in its own form instead.
_REPLACED = (
    "Figures",
    "Studies in the synthesis",
    "Studies not in the synthesis",
    "Published summaries",
    "Not shown",
)


@dataclass(frozen=True, slots=True)
class SiteReport:
    """What a build wrote: the output folder, the pages, the files changed and removed."""

    out: Path
    pages: tuple[str, ...]
    written: int
    removed: int

    def summary(self) -> str:
        return (
            f"site: {len(self.pages)} pages in {self.out} ({self.written} files written, "
            f"{self.removed} removed); open {self.out / 'index.html'}\n"
        )


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("metaevidence.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def _static(name: str) -> bytes:
    return resources.files("metaevidence.site").joinpath("static", name).read_bytes()


def figure_description(a: Analysis, name: str) -> str:
    """The alt text of a figure, written from the numbers it shows."""
    doc = a.doc
    eff = doc["measure"]["effect"]
    rows = a.rows
    if a.kind == "overview":
        parts = "; ".join(f"{r.label}: {r.effect} ({r.ci})" for r in rows)
        return f"{len(rows)} published summaries shown side by side, not pooled. {parts}."
    pooled = f"pooled {a.effect}"
    if name == "forest":
        parts = "; ".join(f"{r.label}: {eff} {r.effect} ({r.ci}), weight {r.weight}" for r in rows)
        return f"Forest plot of {len(rows)} studies, {pooled}, I² {i2_text(doc)}. Studies: {parts}."
    if name == "funnel":
        return f"Funnel plot of the {len(rows)} study effects against their standard errors, centred on the {pooled}."
    sens = doc.get("sensitivity") or {}
    t = doc["measure"]["transform"]
    from metaevidence.display.text import fmt_effect

    if name == "leave-one-out" and sens.get("leave_one_out"):
        est = [r["estimate"] for r in sens["leave_one_out"] if r.get("estimate") is not None]
        return (
            f"Leaving out one study at a time, the {eff} ranged from {fmt_effect(min(est), t)} to "
            f"{fmt_effect(max(est), t)} ({pooled} with every study)."
        )
    if name == "cumulative" and (sens.get("cumulative") or {}).get("rows"):
        cum = sens["cumulative"]["rows"]
        return (
            f"Cumulative meta-analysis by {sens['cumulative']['order']}: the {eff} went from "
            f"{fmt_effect(cum[0]['estimate'], t)} with the first study to {fmt_effect(cum[-1]['estimate'], t)} "
            f"with all {cum[-1]['k']}."
        )
    return f"{name} plot; {pooled}."


#: Report sections shown before the figures (the result in words); the rest follow the studies.
_FIRST = ("What this evidence", "Result")


def _report_html(a: Analysis) -> tuple[str, str]:
    """The report in words as HTML: (the sections before the figures, the sections after the studies)."""
    kept = [(h, body) for h, body in sections(a.report_md)[1:] if not any(h.startswith(r) for r in _REPLACED)]
    first = [f"## {h}\n{body}" for h, body in kept if h.startswith(_FIRST)]
    rest = [f"## {h}\n{body}" for h, body in kept if not h.startswith(_FIRST)]
    return to_html("\n".join(first), shift=1), to_html("\n".join(rest), shift=0)


def figure_caption(a: Analysis, name: str) -> str:
    """The short visible caption of a figure (its full description is in the SVG's ``<desc>``)."""
    desc = figure_description(a, name)
    return desc.split(" Studies: ")[0].rstrip(".") + "." if name == "forest" else desc


def _sof_html(text: str | None) -> str:
    """The summary-of-findings Markdown, its own title dropped (the page has one)."""
    if not text:
        return ""
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return to_html("\n".join(lines), shift=0)


def _signal_text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "--"}[value]
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_signal_text(v) for v in value) + ")"
    return str(value)


def _certainty_items(c: dict | None) -> list[tuple[str, str]]:
    """The certainty block (docs/certainty.md) as label/text pairs: the level and its start,
    each GRADE domain with the reviewer's judgement, reason and the signals shown beside it,
    the flags and the footnotes.
    """
    if not c:
        return []
    out = [("level", certainty_summary(c)), ("status", str(c.get("status") or "--"))]
    if c.get("start"):
        out.append(("starts from", f"{c['start']} evidence"))
    for name, domain in (c.get("domains") or {}).items():
        if not isinstance(domain, dict):
            continue
        judged = domain.get("judgement")
        text = "not judged" if judged is None else str(judged)
        if domain.get("reason"):
            text += f" -- {domain['reason']}"
        signals = domain.get("signals") or {}
        if signals:
            text += "; signals: " + ", ".join(
                f"{k.replace('_', ' ')} {_signal_text(v)}" for k, v in signals.items()
            )
        out.append((name.replace("_", " "), text))
    for key in ("flags", "footnotes"):
        if c.get(key):
            out.append((key, " ".join(str(x) for x in c[key])))
    return out


def _analysis_view(a: Analysis) -> dict:
    known = [r.n for r in a.rows if r.n is not None]
    return {
        "id": a.id,
        "title": a.title,
        "question": a.question,
        "kind": a.kind,
        "k": a.k,
        "participants": a.participants,
        "participants_value": sum(known) if known else -1,
        "effect": a.effect,
        "i2": i2_text(a.doc) if a.kind != "overview" else "–",
        "certainty": a.certainty,
        "certainty_text": certainty_summary(a.certainty),
        "certainty_items": _certainty_items(a.certainty),
        "change": a.change,
        "rows": a.rows,
        "excluded": a.excluded,
    }


def _pages(review: Review, common: dict, env) -> dict[str, bytes]:
    views = [_analysis_view(a) for a in review.analyses]
    files: dict[str, bytes] = {}

    def page(name: str, template: str, root: str, **ctx) -> None:
        html = env.get_template(template).render(**common, root=root, **ctx)
        files[name] = html.encode("utf-8")

    records = sorted(
        (
            {
                "id": r.id,
                "label": record_context(r)["label"],
                "status": (r.raw.get("extraction") or {}).get("status", ""),
            }
            for r in review.records.values()
        ),
        key=lambda r: r["label"].lower(),
    )
    any_certainty = any(v["certainty"] for v in views)
    page(
        "index.html",
        "index.html",
        "",
        review=review,
        analyses=views,
        records=records,
        any_certainty=any_certainty,
    )
    if common["has_sof"]:
        page(
            "summary-of-findings.html",
            "sof.html",
            "",
            sof_html=_sof_html(review.sof_md),
            certainty_rows=[v for v in views if v["certainty"]],
        )
    for a, view in zip(review.analyses, views):
        figures = []
        for n, f in enumerate(a.figures):
            desc = figure_description(a, f.name)
            svg = inline_svg(f.svg, f"fig{n}", f"{f.title}: {a.title}", desc) if f.svg else None
            figures.append(
                {
                    "name": f.name,
                    "title": f.title,
                    "svg": svg,
                    "files": f.files,
                    "desc": figure_caption(a, f.name),
                }
            )
        page(
            f"analyses/{a.id}.html",
            "analysis.html",
            "../",
            a=view,
            figures=figures,
            report_first=_report_html(a)[0],
            report_rest=_report_html(a)[1],
            effect_name=a.doc["measure"]["effect"],
            level=level_pct(a.doc["settings"]["level"]),
            has_subgroups=any(r.subgroup for r in a.rows),
        )
    for r in review.records.values():
        page(f"studies/{r.id}.html", "study.html", "../", r=r, **record_context(r))
    return files


def _downloads(review: Review, paths: Paths) -> dict[str, bytes]:
    files = {}
    for a in review.analyses:
        base = f"downloads/{a.id}/"
        files[base + f"{a.id}.json"] = (paths.results / f"{a.id}.json").read_bytes()
        files[base + f"{a.id}-studies.csv"] = rows_csv(a).encode("utf-8")
        for f in a.figures:
            for name in f.files:
                files[base + name] = (paths.figures / a.id / name).read_bytes()
    return files


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SiteError(f"{out} is a file; give a folder for the site (default: site)")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(
            f"{out} is not empty and was not made by `metaevidence site` (no {MARKER} file); "
            "give an empty or new folder with --out"
        )


def build_site(
    paths: Paths, out: str | Path = "site", *, progress: Callable[[str], None] | None = None
) -> SiteReport:
    """Build the site of the review in ``out`` (see the module docstring).

    Parameters
    ----------
    paths : Paths
        Where the review keeps its studies, analyses, results and figures.
    out : path
        The site folder (created; an earlier build in it is updated in place).
    progress : callable, optional
        Called with a line of text per stage.

    Returns
    -------
    SiteReport
    """
    from metaevidence import __version__

    out = Path(out)
    _check_out(out)
    say = progress or (lambda _m: None)
    review = load_review(paths)
    common = {
        "site_title": SITE_TITLE,
        "version": __version__,
        "has_sof": bool(review.sof_md) or any(a.certainty for a in review.analyses),
        "docx_name": DOCX_NAME,
        "prisma": inline_svg(review.prisma, "prisma", "PRISMA flow diagram") if review.prisma else None,
    }
    say(f"site: rendering {len(review.analyses)} analyses and {len(review.records)} study records")
    files = _pages(review, common, _environment())
    pages = tuple(sorted(files))
    files.update(_downloads(review, paths))
    files["assets/style.css"] = _static("style.css")
    files["assets/site.js"] = _static("site.js")
    files[f"downloads/{DOCX_NAME}"] = build_docx(review, paths)
    files[MARKER] = b"made by `metaevidence site`; the whole folder is rebuilt from results/\n"
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for rel, data in sorted(files.items()):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        written += atomic_write(out / rel, data)
    removed = 0
    for p in sorted(out.rglob("*"), reverse=True):
        rel = p.relative_to(out).as_posix()
        if p.is_file() and rel not in files:
            p.unlink()
            removed += 1
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    return SiteReport(out, pages, written, removed)
