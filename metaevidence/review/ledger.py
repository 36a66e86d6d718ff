"""The review ledger (``review.yaml``): what was searched, screened and excluded -- the PRISMA 2020 flow.

The ledger sits beside ``studies/`` and records the counts of a PRISMA 2020 flow diagram
(Page et al. 2021, BMJ 372:n71, Figure 1), for the databases-and-registers column and the
optional other-methods column. A count that is not known is ``null`` (or left out) and is
shown as "not recorded": a gap stays a gap. See ``docs/review-ledger.md`` for the format.

:func:`check_ledger` reports, each with file and line: unknown fields, counts that are not
whole numbers >= 0, arithmetic that does not add up (records screened = identified -
removed; sought = screened - excluded; assessed = sought - not retrieved; no part larger
than its box; reports included = assessed - excluded over both columns; studies included <=
reports included) and included study ids that do not match the records in ``studies/``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from metaevidence._schema.yamlload import YMap, YScalar, YSeq, parse_yaml, read_bytes, to_plain
from metaevidence.errors import RecordProblem

__all__ = ["Ledger", "Flow", "read_ledger", "check_ledger", "LEDGER_FILE"]

LEDGER_FILE = "review.yaml"
_NOUN = "review ledger"

_SEARCH_FIELDS = ("source", "date", "hits", "notes")
_REASON_FIELDS = ("reason", "n")
_RECORD_FIELDS = ("record", "stage", "decision", "reason", "study", "notes")
_COLUMN_FIELDS = {
    "databases": "list of searches: source, date, hits",
    "registers": "list of searches: source, date, hits",
    "duplicates_removed": "count",
    "automation_removed": "count",
    "other_removed": "count",
    "screened": "count",
    "screened_excluded": "count",
    "reports_sought": "count",
    "reports_not_retrieved": "count",
    "reports_assessed": "count",
    "reports_excluded": "list of reasons: reason, n",
}
_OTHER_FIELDS = {
    "sources": "list of searches: source, date, hits",
    "reports_sought": "count",
    "reports_not_retrieved": "count",
    "reports_assessed": "count",
    "reports_excluded": "list of reasons: reason, n",
}
_TOP = ("title", "identification", "other_methods", "included", "records", "notes")


@dataclass(frozen=True, slots=True)
class Flow:
    """One column of the flow (databases and registers, or other methods); None = not recorded."""

    searches: tuple[dict, ...] = ()
    registers: tuple[dict, ...] = ()
    duplicates_removed: int | None = None
    automation_removed: int | None = None
    other_removed: int | None = None
    screened: int | None = None
    screened_excluded: int | None = None
    reports_sought: int | None = None
    reports_not_retrieved: int | None = None
    reports_assessed: int | None = None
    reports_excluded: tuple[tuple[str, int | None], ...] = ()

    @property
    def identified(self) -> int | None:
        hits = [s.get("hits") for s in (*self.searches, *self.registers)]
        return sum(hits) if hits and all(isinstance(h, int) for h in hits) else None

    @property
    def excluded_total(self) -> int | None:
        ns = [n for _r, n in self.reports_excluded]
        return sum(ns) if ns and all(isinstance(n, int) for n in ns) else (0 if not ns else None)


@dataclass(frozen=True, slots=True)
class Ledger:
    """A read ledger: the two columns, the included studies and the per-record decisions."""

    path: Path
    title: str
    main: Flow
    other: Flow | None
    included_studies: tuple[str, ...]
    included_reports: int | None
    records: tuple[dict, ...] = field(default_factory=tuple)
    notes: str = ""

    def exclusion_reasons(self) -> list[tuple[str, str, int | None]]:
        """(column, reason, n) of every full-text exclusion reason."""
        rows = [("databases and registers", r, n) for r, n in self.main.reports_excluded]
        if self.other is not None:
            rows += [("other methods", r, n) for r, n in self.other.reports_excluded]
        return rows


def _line(node) -> int | None:
    return getattr(node, "line", None)


class _Checker:
    def __init__(self, path: Path):
        self.path, self.problems = path, []

    def add(self, node, fld: str, message: str) -> None:
        self.problems.append(RecordProblem(self.path, _line(node), fld, message))

    def keys(self, node, allowed, where: str) -> None:
        if not isinstance(node, YMap):
            self.add(node, where, f"must be a mapping with the fields {', '.join(allowed)}")
            return
        for k in node.keys():
            if k not in allowed:
                close = difflib.get_close_matches(k, list(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.add(
                    node.get(k),
                    f"{where}.{k}".lstrip("."),
                    f"is not a field{hint}; allowed: {', '.join(allowed)}",
                )

    def count(self, node, fld: str) -> int | None:
        if node is None or (isinstance(node, YScalar) and node.value is None):
            return None
        v = node.value if isinstance(node, YScalar) else None
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            self.add(
                node, fld, f"must be a whole number >= 0, or null when not recorded; got {to_plain(node)!r}"
            )
            return None
        return v

    def searches(self, node, fld: str) -> tuple[dict, ...]:
        if node is None:
            return ()
        if not isinstance(node, YSeq):
            self.add(node, fld, "must be a list of searches, each with source, date and hits")
            return ()
        out = []
        for i, item in enumerate(node.items):
            self.keys(item, _SEARCH_FIELDS, f"{fld}[{i}]")
            if isinstance(item, YMap):
                if item.get("source") is None:
                    self.add(item, f"{fld}[{i}].source", "is required (e.g. 'MEDLINE via Ovid')")
                d = {k: to_plain(item.get(k)) for k in ("source", "date", "notes")}
                d["hits"] = self.count(item.get("hits"), f"{fld}[{i}].hits")
                out.append(d)
        return tuple(out)

    def reasons(self, node, fld: str) -> tuple[tuple[str, int | None], ...]:
        if node is None:
            return ()
        if not isinstance(node, YSeq):
            self.add(node, fld, "must be a list of reasons, each with reason and n")
            return ()
        out = []
        for i, item in enumerate(node.items):
            self.keys(item, _REASON_FIELDS, f"{fld}[{i}]")
            if isinstance(item, YMap):
                out.append(
                    (str(to_plain(item.get("reason")) or ""), self.count(item.get("n"), f"{fld}[{i}].n"))
                )
        return tuple(out)


def _flow(c: _Checker, node, where: str, fields: dict) -> Flow:
    c.keys(node, tuple(fields), where)
    if not isinstance(node, YMap):
        return Flow()
    get = node.get
    counts = {k: c.count(get(k), f"{where}.{k}") for k, v in fields.items() if v == "count"}
    flow = Flow(
        searches=c.searches(
            get("databases") or get("sources"),
            f"{where}.{'databases' if 'databases' in fields else 'sources'}",
        ),
        registers=c.searches(get("registers"), f"{where}.registers"),
        reports_excluded=c.reasons(get("reports_excluded"), f"{where}.reports_excluded"),
        **counts,
    )
    _arithmetic(c, node, where, flow)
    return flow


def _arithmetic(c: _Checker, node: YMap, where: str, f: Flow) -> None:
    removed = [f.duplicates_removed, f.automation_removed, f.other_removed]
    if f.screened is not None and f.identified is not None and all(r is not None for r in removed):
        want = f.identified - sum(removed)
        if f.screened != want:
            c.add(
                node.get("screened"),
                f"{where}.screened",
                f"must be identified ({f.identified}) minus removed ({sum(removed)}) = {want}; got {f.screened}",
            )
    if (
        None not in (f.screened, f.screened_excluded, f.reports_sought)
        and f.reports_sought != f.screened - f.screened_excluded
    ):
        c.add(node.get("reports_sought"), f"{where}.reports_sought",
              f"must be screened ({f.screened}) minus excluded ({f.screened_excluded}) = {f.screened - f.screened_excluded}; got {f.reports_sought}")  # fmt: skip
    if None not in (f.reports_sought, f.reports_not_retrieved, f.reports_assessed):
        want = f.reports_sought - f.reports_not_retrieved
        if f.reports_assessed != want:
            c.add(node.get("reports_assessed"), f"{where}.reports_assessed",
                  f"must be sought ({f.reports_sought}) minus not retrieved ({f.reports_not_retrieved}) = {want}; got {f.reports_assessed}")  # fmt: skip
    _at_most(c, node, where, f)


def _at_most(c: _Checker, node: YMap, where: str, f: Flow) -> None:
    """The parts of a box cannot exceed the box: removed <= identified, excluded <= screened, ..."""
    removed = [r for r in (f.duplicates_removed, f.automation_removed, f.other_removed) if r is not None]
    pairs = (
        ("duplicates_removed", sum(removed) if removed else None, "records identified", f.identified,
         "the records removed before screening (duplicates, automation, other: together)"),
        ("screened_excluded", f.screened_excluded, "records screened", f.screened, "records excluded"),
        ("reports_not_retrieved", f.reports_not_retrieved, "reports sought", f.reports_sought,
         "reports not retrieved"),
        ("reports_excluded", f.excluded_total if f.reports_excluded else None, "reports assessed",
         f.reports_assessed, "reports excluded"),
    )  # fmt: skip
    for key, part, whole_name, whole, part_name in pairs:
        if part is not None and whole is not None and part > whole:
            c.add(node.get(key) or node, f"{where}.{key}",
                  f"must be at most the {whole_name} ({whole}): {part_name} are part of them; got {part}")  # fmt: skip


def _included_arithmetic(c: _Checker, tree: YMap, main: Flow, other: Flow | None, studies: int,
                         reports: int | None) -> None:  # fmt: skip
    """PRISMA 2020: reports included = each column's reports assessed - excluded, summed; and a
    study has at least one report, so studies included <= reports included.
    """
    inc = tree.get("included")
    columns = [(n, fl) for n, fl in (("identification", main), ("other_methods", other)) if fl is not None]
    left = [
        None
        if fl.reports_assessed is None or fl.excluded_total is None
        else fl.reports_assessed - fl.excluded_total
        for _n, fl in columns
    ]
    available = None if None in left else sum(x for x in left if x is not None)
    said = " + ".join(
        f"{n}: assessed ({fl.reports_assessed}) - excluded ({fl.excluded_total})" for n, fl in columns
    )
    node = inc.get("reports") if isinstance(inc, YMap) else None
    if reports is not None and available is not None and reports != available:
        c.add(node or inc, "included.reports",
              f"must be the reports assessed minus excluded ({said} = {available}); got {reports}")  # fmt: skip
    bound, bound_name = (reports, "included.reports") if reports is not None else (available, said)
    if bound is not None and studies > bound:
        node = inc.get("studies") if isinstance(inc, YMap) else None
        c.add(node or inc, "included.studies",
              f"must list at most as many studies as reports included ({bound_name} = {bound}): "
              f"every included study has at least one report; got {studies} studies")  # fmt: skip


def read_ledger(path: str | Path) -> tuple[Ledger | None, list[RecordProblem]]:
    """Read and check the structure of a ledger (not yet against ``studies/``)."""
    path = Path(path)
    raw, problems = read_bytes(path, noun=_NOUN)
    if raw is None:
        return None, problems
    tree, problems = parse_yaml(raw, path, noun=_NOUN)
    if tree is None:
        return None, problems
    c = _Checker(path)
    c.keys(tree, _TOP, "")
    if not isinstance(tree, YMap):
        return None, c.problems
    main = (
        _flow(c, tree.get("identification"), "identification", _COLUMN_FIELDS)
        if tree.get("identification") is not None
        else Flow()
    )
    other = (
        _flow(c, tree.get("other_methods"), "other_methods", _OTHER_FIELDS)
        if tree.get("other_methods") is not None
        else None
    )
    inc = tree.get("included")
    ids: tuple[str, ...] = ()
    reports = None
    if inc is None:
        c.add(tree, "included", "is required: included: {studies: [ids of studies/ records], reports: n}")
    else:
        c.keys(inc, ("studies", "reports", "notes"), "included")
        if isinstance(inc, YMap):
            node = inc.get("studies")
            if not isinstance(node, YSeq):
                c.add(
                    node or inc,
                    "included.studies",
                    "must be the list of included study ids (the records in studies/)",
                )
            else:
                ids = tuple(str(to_plain(x)) for x in node.items)
            reports = c.count(inc.get("reports"), "included.reports")
    if inc is not None:
        _included_arithmetic(c, tree, main, other, len(ids), reports)
    records = tree.get("records")
    recs: tuple[dict, ...] = ()
    if isinstance(records, YSeq):
        for i, item in enumerate(records.items):
            c.keys(item, _RECORD_FIELDS, f"records[{i}]")
        recs = tuple(to_plain(records))
    title = str(to_plain(tree.get("title")) or "")
    ledger = Ledger(path, title, main, other, ids, reports, recs, str(to_plain(tree.get("notes")) or ""))
    return ledger, problems + c.problems


def check_ledger(path: str | Path, studies_ids) -> list[RecordProblem]:
    """Every problem in the ledger, including included studies that do not match ``studies/``."""
    ledger, problems = read_ledger(path)
    if ledger is None:
        return problems
    tree, _ = parse_yaml(Path(path).read_bytes(), Path(path), noun=_NOUN)
    node = (
        tree.get("included").get("studies")
        if isinstance(tree, YMap) and isinstance(tree.get("included"), YMap)
        else None
    )
    have, want = list(ledger.included_studies), set(studies_ids)
    items = node.items if isinstance(node, YSeq) else []
    for i, sid in enumerate(have):
        if sid not in want:
            close = difflib.get_close_matches(sid, sorted(want), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(RecordProblem(ledger.path, _line(items[i]) if i < len(items) else None, f"included.studies[{i}]",
                                          f"must be the id of a record in studies/; got '{sid}', which is not{hint}"))  # fmt: skip
        elif have.index(sid) != i:
            problems.append(
                RecordProblem(
                    ledger.path, _line(items[i]), f"included.studies[{i}]", f"'{sid}' is listed twice"
                )
            )
    absent = sorted(want - set(have))
    if absent:
        problems.append(RecordProblem(ledger.path, _line(node), "included.studies",
                                      f"must list every record in studies/; missing: {', '.join(absent)}"))  # fmt: skip
    return problems
