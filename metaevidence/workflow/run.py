"""``metaevidence run``: every analysis spec into ``results/`` and ``figures/``, and ``run --check``.

:func:`run_analyses` validates the evidence (a broken record stops everything before a
byte is written), reads the specs, then for each analysis computes the numbers, the report
and the figures *in memory* and only then publishes them through the
:class:`~metaevidence.workflow.store.ResultStore` (atomic per file; figures, report, JSON
last). An analysis that fails -- a broken spec, an impossible selection, a plotting error
-- leaves its previous outputs untouched and does not stop the others; the report says
what failed and the command exits non-zero.

:func:`check_results` answers "are the committed results current?" without writing
anything: it compares each stored result with the spec and study records it came from and
the software versions that computed it. ``run`` recomputes only the analyses ``--check``
calls stale (``--force``: all of them); a recomputed number that agrees with the committed
one within the tolerance of :mod:`~metaevidence.workflow.canonical` keeps its committed
value, so a run that changes nothing real leaves every committed file untouched.
``run --check --force`` recomputes in memory and reports what ``run --force`` would rewrite.
Both say why a result is stale: which inputs changed, which versions differ, or which
numbers differ and by how much.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from metaevidence.errors import MetaevidenceError, RecordProblem
from metaevidence.workflow.store import (
    FORMAT,
    ResultStore,
    Staging,
    StoreError,
    canonical_json,
    software_versions,
)

__all__ = ["Paths", "Outcome", "RunReport", "run_analyses", "check_results", "stale_reasons"]

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Paths:
    """Where a review keeps its parts (each relative to the current folder unless absolute)."""

    studies: Path = Path("studies")
    analyses: Path = Path("analyses")
    results: Path = Path("results")
    figures: Path = Path("figures")

    @classmethod
    def of(cls, studies="studies", analyses="analyses", results="results", figures="figures") -> Paths:
        return cls(Path(studies), Path(analyses), Path(results), Path(figures))

    def store(self) -> ResultStore:
        return ResultStore(self.results, self.figures)

    @property
    def cache(self) -> Path:
        """The local cache folder (:mod:`metaevidence.evidence.cache`), beside ``studies``."""
        from metaevidence.evidence.cache import CACHE_DIR

        return self.studies.parent / CACHE_DIR


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one analysis.

    ``status``: ``updated`` (outputs written), ``unchanged`` (computed; every file already
    held these bytes), ``current`` (inputs and versions as stamped on the committed result:
    not recomputed), ``failed``; for ``--check`` also ``stale``, ``missing`` (no results
    yet); and ``orphan`` (results whose spec is gone). ``detail`` is the headline result, or
    what went wrong / why it is stale; ``why`` says why an updated result was rewritten.
    """

    id: str
    status: str
    detail: str = ""
    k: int | None = None
    problems: tuple[RecordProblem, ...] = ()
    seconds: float = 0.0
    why: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "stale", "missing", "orphan")


@dataclass(frozen=True, slots=True)
class RunReport:
    """The outcome of a run or check: per-analysis outcomes and problems before any analysis ran."""

    outcomes: tuple[Outcome, ...] = ()
    problems: tuple[RecordProblem, ...] = ()
    note: str = ""
    check: bool = False
    orphans_fail: bool = field(default=False)
    prisma: Outcome | None = None  # the PRISMA flow of review.yaml (workflow/prisma.py)

    @property
    def ok(self) -> bool:
        if self.problems or (self.prisma is not None and self.prisma.failed):
            return False
        return not any(o.failed and (o.status != "orphan" or self.orphans_fail) for o in self.outcomes)

    def summary(self) -> str:
        """The one-screen summary printed at the end."""
        from metaevidence.display.text import plural

        lines = []
        if self.problems:
            files = {str(p.path) for p in self.problems}
            lines.append(
                f"{plural(len(self.problems), 'problem')} in {plural(len(files), 'file')}: "
                + ("nothing was checked" if self.check else "nothing was written")
            )
            return "\n".join(lines) + "\n"
        if not self.outcomes:
            return (self.note or "nothing to do") + "\n"
        rows = [("analysis", "status", "k", "result")]
        for o in self.outcomes:
            status = o.status.upper() if o.failed else o.status
            rows.append((o.id, status, "" if o.k is None else str(o.k), o.detail))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            detail = r[3] if len(r[3]) <= 100 else r[3][:97] + "..."
            lines.append(
                "  ".join(
                    [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]), detail]
                ).rstrip()
            )
        if self.prisma is not None:
            p = self.prisma
            lines.append(
                f"PRISMA flow (review.yaml)  {p.status.upper() if p.failed else p.status}  {p.detail}"
            )
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        order = ("updated", "unchanged", "current", "failed", "stale", "missing", "orphan")
        lines.append(
            f"{plural(len(self.outcomes), 'analysis', 'analyses')}: "
            + ", ".join(f"{counts[s]} {s}" for s in order if s in counts)
        )
        lines += [
            f"{o.id} {'was updated' if o.status == 'updated' else 'is ' + o.status}: {'; '.join(o.why)}"
            for o in self.outcomes
            if o.why
        ]
        if self.note:
            lines.append(self.note)
        return "\n".join(lines) + "\n"


def _load(paths: Paths, ids: Sequence[str] | None, *, check: bool = False):
    """Evidence and specs; (evidence, specs, spec problems by id, problems that stop everything)."""
    from metaevidence.evidence.base import scan_studies
    from metaevidence.workflow.spec import read_spec, spec_paths

    evidence, problems, _n = scan_studies(paths.studies, cache=paths.cache, save_cache=not check)
    if evidence is None:
        return None, [], {}, problems
    files, folder_problems = spec_paths(paths.analyses)
    by_id = {f.stem: f for f in files}
    stop: list[RecordProblem] = []
    if ids:
        for aid in ids:
            if aid not in by_id:
                stop.append(
                    RecordProblem(
                        paths.analyses / f"{aid}.yaml",
                        None,
                        "",
                        f"no analysis spec with id {aid!r} (there are {len(by_id)}: "
                        f"{', '.join(sorted(by_id)) or 'none'})",
                    )
                )
        if stop:
            return evidence, [], {}, stop
        files = [by_id[aid] for aid in dict.fromkeys(ids)]
    else:
        stop += folder_problems
    specs, spec_problems = [], {}
    for f in files:
        spec, file_problems = read_spec(f, evidence=evidence)
        if spec is None:
            spec_problems[f.stem] = tuple(file_problems)
        else:
            specs.append(spec)
    return evidence, specs, spec_problems, stop


def _no_specs_note(paths: Paths) -> str:
    if not paths.analyses.exists():
        return f"no analyses to run: {paths.analyses} does not exist (write analysis specs there; see docs/analyses.md)"
    return f"no analyses to run: {paths.analyses} holds no analysis specs (*.yaml; see docs/analyses.md)"


def _document(computed, figure_entries) -> dict:
    doc = dict(computed.document)
    doc["figures"] = figure_entries
    doc["software"] = software_versions()
    return doc


def produce(
    spec, evidence, *, figures: bool = True, previous: dict | None = None, committed: bytes | None = None
) -> tuple[dict, bytes, bytes, dict[str, bytes]]:
    """Compute one analysis completely in memory: (document, JSON bytes, report bytes, figures).

    With ``previous`` (the committed document), every number that agrees with it keeps its
    committed value (:func:`~metaevidence.workflow.canonical.settle`); when the whole document
    then equals it, its ``committed`` bytes are kept as they are.
    """
    from metaevidence.workflow.compute import compute
    from metaevidence.workflow.figures import render_figures
    from metaevidence.workflow.report import render_report

    computed = compute(spec, evidence)
    files, entries = render_figures(computed) if figures else ({}, [])
    doc = _document(computed, entries)
    if previous is not None:
        doc = _settle(previous, doc)
    # the report is made from the document as it will be read back; its hash is recorded, so
    # that `run --check` knows it is intact without rendering it again
    from metaevidence.workflow.store import parse_result, sha256_hex

    report = render_report(parse_result(canonical_json(doc))).encode("utf-8")
    doc["report"] = {"file": f"{spec.id}.md", "sha256": sha256_hex(report)}
    data = committed if committed is not None and doc == previous else canonical_json(doc)
    return doc, data, report, files


def _settle(previous: dict, doc: dict) -> dict:
    """``doc`` with the committed value of every number that agrees with ``previous``; the
    committed ``software`` block when only the Python version differs (not stamped).
    """
    from metaevidence.workflow.canonical import settle
    from metaevidence.workflow.store import json_ready

    doc = settle(previous, json_ready(doc))
    old = previous.get("software")
    if isinstance(old, dict) and _stamped(old) == _stamped(doc["software"]):
        doc["software"] = old
    return doc


def _stamped(software: dict) -> dict:
    """The versions a result is stamped with: metaevidence and its dependencies (not Python,
    which the pinned environment cannot pin).
    """
    return {k: v for k, v in software.items() if k != "python"}


def run_analyses(
    paths: Paths,
    ids: Sequence[str] | None = None,
    *,
    progress: Progress | None = None,
    force: bool = False,
) -> RunReport:
    """Run the analyses (all, or ``ids``) and publish their outputs; see the module docstring.

    An analysis whose inputs and versions are those stamped on its committed result is not
    recomputed (``current``) unless ``force``.
    """
    from metaevidence.workflow.report import headline

    say = progress or (lambda _msg: None)
    evidence, specs, spec_problems, stop = _load(paths, ids)
    if stop:
        return RunReport(problems=tuple(stop))
    store = paths.store()
    all_ids = sorted({s.id for s in specs} | set(spec_problems))
    if not all_ids:
        return RunReport(note=_no_specs_note(paths))
    by_id = {s.id: s for s in specs}
    outcomes = []
    base = paths.results.resolve().parent
    with Staging(base) as staging:
        for n, aid in enumerate(all_ids, 1):
            start = time.perf_counter()
            say(f"[{n}/{len(all_ids)}] {aid}: computing")
            if aid in spec_problems:
                problems = spec_problems[aid]
                outcome = Outcome(
                    aid, "failed", f"{len(problems)} problem(s) in the spec: {problems[0]}", problems=problems
                )
            else:
                outcome = _run_one(by_id[aid], evidence, store, staging, headline, force)
            outcome = Outcome(
                outcome.id,
                outcome.status,
                outcome.detail,
                outcome.k,
                outcome.problems,
                time.perf_counter() - start,
                outcome.why,
            )
            say(
                f"[{n}/{len(all_ids)}] {aid}: {outcome.status} ({outcome.seconds:.1f} s)"
                + (f": {outcome.detail}" if outcome.failed else "")
            )
            outcomes.append(outcome)
    if not ids:
        for aid in sorted(set(store.ids()) - set(all_ids)):
            outcomes.append(
                Outcome(
                    aid,
                    "orphan",
                    f"{store.json_path(aid)} has no spec "
                    f"{paths.analyses / (aid + '.yaml')}: delete the results or restore the spec",
                )
            )
    # the table over every analysis, from the published results; after a failure it stays as it was
    if not ids and outcomes and not any(o.failed for o in outcomes):
        from metaevidence.workflow.findings import write_summary_of_findings

        write_summary_of_findings(paths.results, paths.figures, cache=None if force else paths.cache)

    from metaevidence.workflow.prisma import prisma_outcome  # the review ledger's PRISMA flow

    prisma = None if ids else prisma_outcome(paths, check=False, force=force)
    return RunReport(outcomes=tuple(outcomes), prisma=prisma)


def _k(doc: dict) -> int:
    return doc["pooled"]["k"] if doc.get("pooled") else len(doc["studies"]["included"])


def _run_one(spec, evidence, store: ResultStore, staging: Path, headline, force: bool) -> Outcome:
    status, reasons, previous = _assess(spec, evidence, store)
    if status == "current" and not force:
        return Outcome(spec.id, "current", headline(previous), _k(previous))
    if status == "missing":
        reasons = []  # said as "no results yet"
    try:
        doc, data, report, files = produce(
            spec, evidence, previous=previous, committed=store.read_bytes(spec.id) if previous else None
        )
    except MetaevidenceError as exc:
        return Outcome(spec.id, "failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - one analysis must not stop the others
        return Outcome(
            spec.id,
            "failed",
            f"internal error ({type(exc).__name__}: {exc}); the previous results "
            "were left as they were -- please report this",
        )
    old_figures = tuple(sorted(_figure_files(store, spec.id, previous)))
    try:
        published = store.publish(spec.id, data, report, files, staging=staging, previous_figures=old_figures)
    except OSError as exc:
        target = exc.filename2 or exc.filename
        what = (
            f"could not write {target}: {exc.strerror}"
            if target and exc.strerror
            else f"could not write the results: {exc}"
        )
        return Outcome(
            spec.id,
            "failed",
            f"{what}; make results/ and figures/ writable and run "
            f"again (until then `run --check` reports it stale)",
        )
    if not published.changed:
        return Outcome(spec.id, "unchanged", headline(doc), _k(doc))
    rewritten = [str(p) for p in published.written + published.removed]
    return Outcome(spec.id, "updated", headline(doc), _k(doc), why=_why(reasons, previous, doc, rewritten))


def _why(reasons: list[str], previous: dict | None, doc: dict, rewritten: list[str]) -> tuple[str, ...]:
    """Why an analysis's outputs were (or would be) rewritten: stale inputs, versions, numbers."""
    from metaevidence.workflow.canonical import describe, differences

    why = list(reasons)
    if previous is not None:
        ignore = ("inputs.", "spec.", "software.", "figures")  # said by the reasons, or below
        diffs = [d for d in differences(previous, doc) if not d[0].startswith(ignore)]
        if diffs:
            why.append(describe(diffs))
        if previous.get("figures") != doc.get("figures"):
            old = {f.get("file"): f.get("sha256") for f in previous.get("figures", ()) if isinstance(f, dict)}
            new = {f["file"]: f["sha256"] for f in doc.get("figures", ())}
            changed = sorted(f for f in set(old) | set(new) if old.get(f) != new.get(f))
            why.append(f"figures differ: {', '.join(changed)}")
    if previous is None and not why:
        why.append("no results yet")
    if not why:
        why.append(f"{', '.join(rewritten)} did not hold the results in canonical form")
    return tuple(why)


def _figure_files(store: ResultStore, analysis_id: str, previous: dict | None) -> set[str]:
    """Figure files of an analysis the store may replace or remove: those its previous result
    lists, and any file named like a figure the run draws (``forest.svg``, ...) -- e.g. one
    left behind by a run interrupted after writing the JSON. Other files are never touched.
    """
    from metaevidence.workflow.schema import FIGURE_FORMATS, FIGURES

    listed = {f["file"] for f in (previous or {}).get("figures", ()) if isinstance(f, dict) and "file" in f}
    ours = {
        f"{name}.{fmt}" for name in (*FIGURES, "rob-traffic-light", "rob-summary") for fmt in FIGURE_FORMATS
    }
    folder = store.figure_dir(analysis_id)
    present = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    return listed | (present & ours)


# --------------------------------------------------------------------------- --check


def stale_reasons(spec, evidence, store: ResultStore) -> tuple[str, list[str]]:
    """("current" | "stale" | "missing", reasons) for one analysis's stored outputs."""
    status, reasons, _doc = _assess(spec, evidence, store)
    return status, reasons


def _assess(spec, evidence, store: ResultStore) -> tuple[str, list[str], dict | None]:
    """(status, reasons, committed document or None): the stamps of the committed result
    (spec and record hashes, software versions) against the present ones, and its files.
    """
    from metaevidence.workflow.compute import considered
    from metaevidence.workflow.store import sha256_hex

    try:
        doc = store.read(spec.id)
    except StoreError as exc:
        return "stale", [str(exc)], None
    if doc is None:
        return (
            "missing",
            [f"{store.json_path(spec.id)} does not exist: run `metaevidence run {spec.id}`"],
            None,
        )
    reasons = []
    if doc.get("spec", {}).get("sha256") != spec.sha256:
        reasons.append(f"the spec {spec.path} changed")
    want = {s.id: s.sha256 for s in considered(spec, evidence).studies}
    have = doc.get("inputs", {}).get("studies", {})
    added = sorted(set(want) - set(have))
    removed = sorted(set(have) - set(want))
    changed = sorted(i for i in set(want) & set(have) if want[i] != have[i])
    for what, items in (("added", added), ("removed", removed), ("changed", changed)):
        if items:
            reasons.append(f"study records {what}: {', '.join(items)}")
    reasons += _version_reasons(doc.get("software"))
    on_disk = _read(store.report_path(spec.id))
    recorded = doc.get("report") if isinstance(doc.get("report"), dict) else None
    if on_disk is None:
        reasons.append(f"{store.report_path(spec.id)} is missing")
    elif (sha256_hex(on_disk) != recorded.get("sha256")) if recorded else (on_disk != _rendered(doc)):
        reasons.append(f"{store.report_path(spec.id)} does not match its results")
    listed = set()
    for f in doc.get("figures", ()):
        path = store.figure_dir(spec.id) / f["file"]
        listed.add(f["file"])
        try:
            ok = sha256_hex(path.read_bytes()) == f["sha256"]
        except OSError:
            reasons.append(f"{path} is missing")
            continue
        if not ok:
            reasons.append(f"{path} does not match its results")
    folder = store.figure_dir(spec.id)
    if folder.is_dir():
        extra = sorted(
            p.name
            for p in folder.iterdir()
            if p.is_file() and not p.name.startswith(".") and p.name not in listed
        )
        if extra:
            reasons.append(f"{folder} holds figures its results do not list: {', '.join(extra)}")
    return ("stale" if reasons else "current"), reasons, doc


def _version_reasons(software) -> list[str]:
    """A software difference, said as such (not as new evidence), with the cure."""
    have = _stamped(software if isinstance(software, dict) else {})
    want = _stamped(software_versions())
    names = sorted(n for n in set(have) | set(want) if have.get(n) != want.get(n))
    if not names:
        return []
    made = ", ".join(f"{n} {have.get(n, '(not recorded)')}" for n in names)
    here = ", ".join(f"{n} {want.get(n, '(not installed)')}" for n in names)
    return [
        f"software versions differ (not the evidence): computed with {made}; installed here: {here}"
        " -- the pinned environment is `pip install -c constraints.txt -e .` (README)"
    ]


def check_results(
    paths: Paths,
    ids: Sequence[str] | None = None,
    *,
    progress: Progress | None = None,
    force: bool = False,
) -> RunReport:
    """Whether the stored results are current; writes nothing (``metaevidence run --check``).

    With ``force``, also recompute every analysis in memory and call it stale when
    ``run --force`` would rewrite any of its files (saying which numbers differ, by how much).
    """
    say = progress or (lambda _msg: None)
    evidence, specs, spec_problems, stop = _load(paths, ids, check=True)
    if stop:
        return RunReport(problems=tuple(stop), check=True)
    store = paths.store()
    outcomes = []
    for aid, problems in sorted(spec_problems.items()):
        outcomes.append(
            Outcome(
                aid, "failed", f"{len(problems)} problem(s) in the spec: {problems[0]}", problems=problems
            )
        )
    for spec in specs:
        say(f"checking {spec.id}")
        status, reasons = _recheck(spec, evidence, store) if force else stale_reasons(spec, evidence, store)
        outcomes.append(
            Outcome(
                spec.id,
                status,
                "; ".join(reasons) if reasons else "up to date",
                why=tuple(reasons) if status == "stale" else (),
            )
        )
    if not ids:
        known = {s.id for s in specs} | set(spec_problems)
        for aid in sorted(set(store.ids()) - known):
            outcomes.append(
                Outcome(
                    aid, "orphan", f"{store.json_path(aid)} has no spec {paths.analyses / (aid + '.yaml')}"
                )
            )
    outcomes.sort(key=lambda o: o.id)
    note = "" if outcomes else _no_specs_note(paths)
    from metaevidence.workflow.prisma import prisma_outcome  # stale when review.yaml changed

    prisma = None if ids or not outcomes else prisma_outcome(paths, check=True)
    return RunReport(outcomes=tuple(outcomes), note=note, check=True, orphans_fail=True, prisma=prisma)


def _recheck(spec, evidence, store: ResultStore) -> tuple[str, list[str]]:
    """``check --force``: what ``run --force`` would write, compared with the files."""
    status, reasons, previous = _assess(spec, evidence, store)
    if previous is None:
        return status, reasons
    committed = store.read_bytes(spec.id)
    try:
        doc, data, report, files = produce(spec, evidence, previous=previous, committed=committed)
    except Exception as exc:  # noqa: BLE001 - reported, as run reports it
        return "stale", [*reasons, f"it cannot be recomputed: {exc}"]
    pending = [str(store.json_path(spec.id))] if committed != data else []
    if _read(store.report_path(spec.id)) != report:
        pending.append(str(store.report_path(spec.id)))
    pending += [
        str(store.figure_dir(spec.id) / n)
        for n, b in files.items()
        if _read(store.figure_dir(spec.id) / n) != b
    ]
    if not pending and not reasons:
        return "current", []
    return "stale", list(_why(reasons, previous, doc, pending))


def _rendered(doc: dict) -> bytes | None:
    """The report of a result that records no report hash (written by an earlier version)."""
    from metaevidence.workflow.report import render_report

    try:
        return render_report(doc).encode("utf-8")
    except (KeyError, TypeError, ValueError):
        return None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def load_document(store: ResultStore, analysis_id: str) -> dict:
    """The stored results document of an analysis (``metaevidence show``)."""
    doc = store.read(analysis_id)
    if doc is None:
        if not store.results.is_dir():
            raise StoreError(
                f"no results folder {store.results}/ in {Path.cwd()}: work in the review's "
                f"folder (the one holding studies/, analyses/ and results/), or run "
                f"`metaevidence run` first"
            )
        known = store.ids()
        close = difflib.get_close_matches(analysis_id, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise StoreError(
            f"no results for {analysis_id!r} in {store.results} ({hint}there are {len(known)}"
            + (f": {', '.join(known)}" if known else "")
            + "); for a new analysis, run `metaevidence run` first"
        )
    if doc.get("format") != FORMAT:  # pragma: no cover - parse_result checks it
        raise StoreError(f"{store.json_path(analysis_id)} is not a results file")
    return doc
