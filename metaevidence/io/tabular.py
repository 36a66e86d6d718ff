"""Import a CSV or Excel table of studies: one row per study (or per study and outcome).

Columns are found by name. The defaults know metafor's names (``ai bi ci di n1i n2i``,
``m1i sd1i n1i m2i sd2i n2i``, ``yi vi``/``sei``, ``ri ni``), RevMan's CSV headers
(``Events 1``, ``Total 1``, ``Mean 1``, ``SD 1``, ..., RevMan Web's ``Experimental cases``,
``Experimental N``, ``GIV Mean``, ``GIV SE``) and a few common spellings (``events_1``,
``study``, ``year``); a mapping (``{"ai": "Deaths, aspirin"}``, from the command line or a
small YAML file) overrides them. Each row becomes an outcome entry of a new record -- or,
when its study id names a record already in the studies folder, of that record
(:mod:`metaevidence.io.merge`: appended, the file's text kept) -- whose provenance names the
file, sheet and row; what the table cannot say (the full citation, the
design, the population) is listed under ``extraction.missing`` so the record is honest
about what is left. A bad cell is reported as ``file.csv:8:events_1: ...`` or
``file.xlsx:Sheet1!D7: ...`` with what was expected; nothing is written unless every row
is good (``partial=True`` writes the good rows and lists the others).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from metaevidence.evidence.schema import DESIGNS
from metaevidence.io.merge import Existing, entry_key, merged_bytes, read_existing
from metaevidence.io.sheets import DataImportError, Row, Table, read_table
from metaevidence.io.writing import ImportPlan, base_record, slugify, study_id

__all__ = ["FIELDS", "import_table", "plan_table", "read_mapping", "ImportResult"]

#: Each field an import can read, and the column names it is found under by default
#: (compared ignoring case, spaces, underscores and punctuation).
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "study id", "record id"),
    "study": ("study", "name", "study name", "author", "trial", "slab", "label"),
    "year": ("year", "study year", "year of study", "publication year"),
    "outcome": ("outcome", "outcome id"),
    "subgroup": ("subgroup",),
    "timepoint": ("timepoint", "time point", "follow up"),
    "design": ("design", "study design"),
    "population": ("population", "participants"),
    "ai": ("ai", "events 1", "events_1", "experimental cases", "events experimental", "event.e"),
    "bi": ("bi", "non events 1"),
    "n1i": ("n1i", "total 1", "total_1", "experimental n", "total experimental", "n.e", "n1"),
    "ci": ("ci", "events 2", "events_2", "control cases", "events control", "event.c"),
    "di": ("di", "non events 2"),
    "n2i": ("n2i", "total 2", "total_2", "control n", "total control", "n.c", "n2"),
    "m1i": ("m1i", "mean 1", "mean_1", "experimental mean", "mean.e"),
    "sd1i": ("sd1i", "sd 1", "sd_1", "experimental sd", "sd.e"),
    "m2i": ("m2i", "mean 2", "mean_2", "control mean", "mean.c"),
    "sd2i": ("sd2i", "sd 2", "sd_2", "control sd", "sd.c"),
    "yi": ("yi", "giv mean", "log estimate", "te"),
    "vi": ("vi", "variance"),
    "sei": ("sei", "se", "giv se", "sete"),
    "ri": ("ri", "r", "cor"),
    "ni": ("ni", "n"),
}

#: The data kinds a table can hold, with the fields each needs.
KIND_FIELDS = {
    "binary": ("ai", "ci"),
    "continuous": ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),
    "log_se": ("yi",),
    "correlation": ("ri", "ni"),
    "paired": ("m1i", "sd1i", "m2i", "sd2i", "ni", "ri"),
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def resolve_columns(header: tuple[str, ...], mapping: Mapping[str, str] | None, where: str) -> dict[str, str]:
    """Field -> column header, from the mapping and the default names; unknown mapping names fail."""
    mapping = dict(mapping or {})
    problems = []
    for f, col in mapping.items():
        if f not in FIELDS:
            problems.append(f"mapping: {f!r} is not a field; fields: {', '.join(FIELDS)}")
        elif col not in header:
            problems.append(
                f"{where}: mapping {f}={col!r}: no such column; the header has: {', '.join(header)}"
            )
    if problems:
        raise DataImportError(problems)
    found = dict(mapping)
    by_norm = {_norm(h): h for h in header if h}
    taken = set(found.values())
    for f, names in FIELDS.items():
        if f in found:
            continue
        for n in names:
            h = by_norm.get(_norm(n))
            if h is not None and h not in taken:
                found[f] = h
                taken.add(h)
                break
    return found


def _kind_of(columns: dict[str, str], kind: str | None, where: str, header) -> str:
    complete = [k for k, need in KIND_FIELDS.items() if all(f in columns for f in need)]
    if "binary" in complete and not (
        ("n1i" in columns or "bi" in columns) and ("n2i" in columns or "di" in columns)
    ):
        complete.remove("binary")
    if "paired" in complete and "correlation" in complete:  # ri ni belong to the paired design
        complete.remove("correlation")
    if "paired" in complete and "continuous" in complete:
        raise DataImportError(
            [
                f"{where}: columns for two-group means (n1i n2i) and for a paired design (ni ri); "
                "choose one with --kind continuous or --kind paired"
            ]
        )
    if kind is not None:
        if kind not in KIND_FIELDS:
            raise DataImportError([f"kind must be one of {', '.join(KIND_FIELDS)}; got {kind!r}"])
        if kind not in complete:
            need = [f for f in KIND_FIELDS[kind] if f not in columns]
            raise DataImportError([_missing_columns(where, kind, need or ["n1i", "n2i"], header)])
        return kind
    if len(complete) == 1:
        return complete[0]
    if not complete:
        raise DataImportError(
            [
                f"{where}: no set of effect-data columns found. Expected one of: "
                "ai ci n1i n2i (or bi di) for 2x2 counts; m1i sd1i n1i m2i sd2i n2i for means; "
                "yi with vi or sei for log ratios; ri ni for correlations; m1i sd1i m2i sd2i ni ri "
                "for a paired design (after, baseline, pairs, their correlation) (or RevMan's "
                f"'Events 1', 'Total 1', 'Mean 1', 'SD 1', ...). The header has: {', '.join(header)}; "
                "map columns with --map FIELD=COLUMN"
            ]
        )
    raise DataImportError(
        [f"{where}: columns for several kinds of data ({', '.join(complete)}); choose one with --kind"]
    )


def _missing_columns(where: str, kind: str, need, header) -> str:
    return (
        f"{where}: {kind} data need the column(s) {', '.join(need)} (or their usual names, "
        f"e.g. {', '.join(FIELDS[n][1] for n in need)}); the header has: {', '.join(header)}"
    )


class _Cells:
    """Typed reading of one row's cells, collecting every problem."""

    def __init__(self, row: Row, columns: dict[str, str], problems: list[str]):
        self.row, self.columns, self.problems = row, columns, problems

    def raw(self, f: str):
        col = self.columns.get(f)
        return None if col is None else self.row.cells.get(col)

    def has(self, f: str) -> bool:
        v = self.raw(f)
        return v is not None and v != ""

    def _bad(self, f: str, expected: str, got) -> None:
        shown = "an empty cell" if got in ("", None) else repr(got)
        self.problems.append(f"{self.row.where(self._col(f))}: expected {expected}; got {shown}")

    def _col(self, f: str) -> str:
        return self.columns[f]

    def text(self, f: str, required: bool = False) -> str | None:
        v = self.raw(f)
        if v in (None, ""):
            if required:
                self._bad(f, "text", v)
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip()

    def number(self, f: str, *, positive: bool = False) -> float | None:
        v = self.raw(f)
        expected = "a number > 0" if positive else "a number"
        try:
            x = float(v) if not isinstance(v, bool) and v not in (None, "") else None
        except (TypeError, ValueError):
            x = None
        if x is None or not math.isfinite(x) or (positive and x <= 0):
            self._bad(f, expected, v)
            return None
        return x

    def integer(self, f: str, minimum: int = 0) -> int | None:
        v = self.raw(f)
        x = None
        if isinstance(v, int) and not isinstance(v, bool):
            x = v
        elif isinstance(v, float) and v.is_integer():
            x = int(v)
        elif isinstance(v, str) and re.fullmatch(r"[+-]?\d+(\.0+)?", v.strip()):
            x = int(float(v))
        if x is None or x < minimum:
            self._bad(f, f"a whole number >= {minimum}", v)
            return None
        return x


@dataclass(frozen=True, slots=True)
class Options:
    outcome: str | None = None
    measure: str | None = None
    kind: str | None = None
    experimental: str = "experimental"
    control: str = "control"
    timepoint: str = "not reported"
    by: str = "metaevidence import"
    date: _dt.date | None = None


def _row_data(c: _Cells, kind: str, measure: str | None) -> dict | None:
    before = len(c.problems)
    if kind == "binary":
        ai, ci = c.integer("ai"), c.integer("ci")
        n1 = c.integer("n1i", 1) if "n1i" in c.columns else None
        n2 = c.integer("n2i", 1) if "n2i" in c.columns else None
        if n1 is None and "n1i" not in c.columns and ai is not None:
            bi = c.integer("bi")
            n1 = None if bi is None else ai + bi
        if n2 is None and "n2i" not in c.columns and ci is not None:
            di = c.integer("di")
            n2 = None if di is None else ci + di
        for e, n, fe in ((ai, n1, "ai"), (ci, n2, "ci")):
            if e is not None and n is not None and e > n:
                c.problems.append(
                    f"{c.row.where(c._col(fe))}: expected events <= the arm's total ({n}); got {e}"
                )
        if len(c.problems) > before:
            return None
        return {
            "kind": "binary",
            "experimental": {"events": ai, "total": n1},
            "control": {"events": ci, "total": n2},
        }
    if kind == "continuous":
        arms = [
            {"mean": c.number(m), "sd": c.number(s, positive=True), "n": c.integer(n, 1)}
            for m, s, n in (("m1i", "sd1i", "n1i"), ("m2i", "sd2i", "n2i"))
        ]
        return (
            None
            if len(c.problems) > before
            else {"kind": "continuous", "experimental": arms[0], "control": arms[1]}
        )
    if kind == "paired":
        after = {"mean": c.number("m1i"), "sd": c.number("sd1i", positive=True)}
        before_ = {"mean": c.number("m2i"), "sd": c.number("sd2i", positive=True)}
        n, r = c.integer("ni", 1), c.number("ri")
        if r is not None and not -1 <= r <= 1:
            c.problems.append(
                f"{c.row.where(c._col('ri'))}: expected a correlation between -1 and 1; got {r}"
            )
        if len(c.problems) > before:
            return None
        return {"kind": "paired", "experimental": after, "control": before_, "n": n, "r": r}
    if kind == "log_se":
        yi = c.number("yi")
        if "sei" in c.columns:
            se = c.number("sei", positive=True)
        elif "vi" in c.columns:
            vi = c.number("vi", positive=True)
            se = None if vi is None else math.sqrt(vi)
        else:
            c.problems.append(f"{c.row.where()}: yi needs a vi or sei column")
            return None
        out = {"kind": "log_se", "measure": measure, "log_estimate": yi, "se": se}
        if c.has("ni"):
            out["n"] = c.integer("ni", 1)
        return None if len(c.problems) > before else out
    r, n = c.number("ri"), c.integer("ni", 1)
    if r is not None and not -1 < r < 1:
        c.problems.append(
            f"{c.row.where(c._col('ri'))}: expected a correlation strictly between -1 and 1; got {r}"
        )
    return None if len(c.problems) > before else {"kind": "correlation", "r": r, "n": n}


def plan_table(
    table: Table,
    studies_dir: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    options: Options = Options(),
    analyses_dir: str | Path | None = None,
    source: str | None = None,
) -> ImportPlan:
    """What importing ``table`` would write; problems are in ``plan.problems``."""
    where = table.file + (f":{table.sheet}" if table.sheet else "")
    columns = resolve_columns(table.header, mapping, where)
    kind = _kind_of(columns, options.kind, where, table.header)
    measure = options.measure
    if kind == "log_se" and measure not in ("OR", "RR", "HR"):
        raise DataImportError(
            [
                f"{where}: yi/vi columns are imported as log ratios: give the measure with --measure OR, RR "
                f"or HR (got {measure or 'none'}); the record format keeps other generic effects only as published summaries"
            ]
        )
    # with an id column, rows may add entries to existing records; a new record still needs both
    missing = [f for f in ("study", "year") if f not in columns and "id" not in columns]
    if missing:
        raise DataImportError(
            [
                f"{where}: no column for the study's {' and '.join(missing)} (looked for "
                + "; ".join(f"{f}: {', '.join(FIELDS[f][:3])}" for f in missing)
                + f"); the header has: {', '.join(table.header)}; map one with --map FIELD=COLUMN"
            ]
        )
    if not table.rows:
        raise DataImportError([f"{where}: has a header but no rows of data"])
    plan = ImportPlan(Path(studies_dir), None if analyses_dir is None else Path(analyses_dir))
    date = options.date or _dt.date.today()
    source = source or table.file
    seen: dict[tuple, Row] = {}
    existing = _ExistingRecords(plan)
    for row in table.rows:
        row_problems: list[str] = []
        c = _Cells(row, columns, row_problems)
        label = c.text("study") if "study" in columns else None
        year = c.integer("year", 1800) if "year" in columns else None
        sid = c.text("id") or (study_id(label, year) if label and year else None)
        if sid is None and "id" in columns and "study" not in columns:
            c._bad("id", "the study's id", "")
        if label is None and "study" in columns and not (sid and existing.has(sid)):
            c._bad("study", "the study's name", "")
        outcome = slugify(c.text("outcome") or options.outcome or "")
        if not outcome:
            row_problems.append(f"{row.where()}: no outcome id: give --outcome ID or an 'outcome' column")
        design = c.text("design")
        if design is not None and design not in DESIGNS:
            c._bad("design", f"one of {', '.join(DESIGNS)}", design)
        data = _row_data(c, kind, measure)
        key = (sid, outcome, c.text("subgroup"), c.text("timepoint"))
        if sid and key in seen:
            row_problems.append(
                f"{row.where()}: duplicate study id {sid!r} (also {seen[key].where()}) for the same "
                "outcome, subgroup and timepoint; give the rows distinct ids, subgroups or timepoints"
            )
        if sid and not row_problems and data is not None and existing.has(sid):
            entry = _entry(c, row, outcome, data, options, source)
            if existing.add(sid, entry, row, row_problems):
                seen[key] = row
                continue
        elif sid and year is None and not row_problems:
            row_problems.append(
                f"{row.where()}: {sid!r} is not a record in {plan.studies_dir}; a new record needs the "
                "study's year (a 'year' column)"
            )
        if row_problems or data is None or sid is None or year is None:
            plan.problems += row_problems
            plan.skipped.append(row.where())
            continue
        seen[key] = row
        record = plan.records.get(sid)
        if record is None:
            record = base_record(
                sid,
                label or sid,
                year,
                design=design,
                population=c.text("population"),
                source=source,
                by=options.by,
                date=date,
            )
            plan.records[sid] = record
        record["outcomes"].append(_entry(c, row, outcome, data, options, source))
    existing.finish()
    if plan.analyses_dir is not None and (plan.records or existing.entries):
        entries = [e for r in plan.records.values() for e in r["outcomes"]]
        for outcome in dict.fromkeys(e["outcome"] for e in entries + existing.added()):
            plan.specs[outcome] = _spec(outcome, kind, measure, source, options)
            existing.select_timepoint(plan.specs[outcome], entries)
    return plan


class _ExistingRecords:
    """Rows whose study id names a record already in the studies folder: new outcome entries
    appended to it (io/merge.py); a row duplicating one of its entries is an error naming both.
    """

    def __init__(self, plan: ImportPlan):
        self.plan = plan
        self.read: dict[str, Existing | None] = {}
        self.why: dict[str, str | None] = {}
        self.entries: dict[str, list[dict]] = {}

    def has(self, sid: str) -> bool:
        """Whether ``sid`` names a record file in the studies folder (readable or not)."""
        if sid not in self.read:
            path = self.plan.record_path(sid)
            self.read[sid], self.why[sid] = read_existing(path) if path.is_file() else (None, None)
        return self.read[sid] is not None or self.why[sid] is not None

    def add(self, sid: str, entry: dict, row: Row, problems: list[str]) -> bool:
        """Append ``entry`` to record ``sid``; False (with the problem) when it cannot be."""
        ex = self.read.get(sid)
        if ex is None:
            problems.append(f"{row.where()}: the row's study {sid!r} is {self.why[sid]}")
            return False
        line = ex.entry_lines.get(entry_key(entry))
        if line is not None:
            sub = entry.get("subgroup")
            problems.append(
                f"{row.where()}: duplicates the entry at {ex.path}:{line} (study {sid!r}, outcome "
                f"{entry['outcome']!r}{f', subgroup {sub!r}' if sub else ''}, timepoint "
                f"{entry['timepoint']!r}); correct that entry by hand, or give this row another "
                "outcome, subgroup or timepoint"
            )
            return False
        self.entries.setdefault(sid, []).append(entry)
        return True

    def select_timepoint(self, spec: dict, new_records_entries: list[dict]) -> None:
        """When the outcome's existing entries have other timepoints, the spec pools the imported one."""
        outcome = spec["id"]
        imported = {e["timepoint"] for e in self.added() + new_records_entries if e["outcome"] == outcome}
        before = {
            k[2] for ex in self.read.values() if ex is not None for k in ex.entry_lines if k[0] == outcome
        }
        if len(imported) == 1 and before - imported:
            spec["studies"]["where"] = {"outcomes.timepoint": next(iter(imported))}

    def added(self) -> list[dict]:
        return [e for entries in self.entries.values() for e in entries]

    def finish(self) -> None:
        for sid, entries in self.entries.items():
            data, kept = merged_bytes(self.read[sid], entries)
            self.plan.updates[sid] = data
            n = f"{len(entries)} new outcome entr{'ies' if len(entries) != 1 else 'y'}"
            self.plan.notes.append(
                f"{self.plan.record_path(sid)}: {n} appended"
                + ("" if kept else " (the file was rewritten from its content: its comments were not kept)")
            )


def _entry(c: _Cells, row: Row, outcome: str, data: dict, options: Options, source: str) -> dict:
    entry: dict = {"outcome": outcome}
    if c.text("subgroup"):
        entry["subgroup"] = c.text("subgroup")
    if data["kind"] != "correlation":
        entry["comparison"] = {"experimental": options.experimental, "control": options.control}
    entry["timepoint"] = c.text("timepoint") or options.timepoint
    entry["data"] = data
    entry["provenance"] = {
        "source": source,
        "locator": row.locator(),
        "confidence": "secondary",
        "notes": (
            f"imported from {row.where()} by metaevidence import; check the numbers against the "
            "study's own report and set confidence to primary when they are read there"
        ),
    }
    return entry


DEFAULT_MEASURE = {"binary": "OR", "continuous": "MD", "correlation": "ZCOR", "paired": "MC"}


def _spec(outcome: str, kind: str, measure: str | None, source: str, options: Options) -> dict:
    return {
        "id": outcome,
        "title": f"{outcome} (imported from {source})",
        "question": (
            f"What is the effect of {options.experimental} versus {options.control} on {outcome}? "
            f"(written by metaevidence import from {source}: restate the question in your words)"
        ),
        "studies": {"outcome": outcome},
        "measure": measure or DEFAULT_MEASURE.get(kind, "OR"),
    }


def read_mapping(path: str | Path) -> dict[str, str]:
    """A mapping file: YAML ``columns: {field: column header, ...}`` (or the mapping itself)."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataImportError([f"{path}: cannot be read as a YAML mapping file: {exc}"]) from None
    if isinstance(data, dict) and "columns" in data:
        data = data["columns"]
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise DataImportError([f"{path}: expected 'columns:' with 'field: column header' lines"])
    return data


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import wrote, and the rows it left out (``partial`` imports only)."""

    written: tuple[Path, ...]
    skipped: tuple[str, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...] = ()


def import_table(
    path: str | Path,
    studies_dir: str | Path = "studies",
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    analyses_dir: str | Path | None = None,
    partial: bool = False,
    **options,
) -> ImportResult:
    """Import a CSV or Excel table into study records (and analysis specs).

    Parameters
    ----------
    path : str or Path
        The ``.csv`` or ``.xlsx`` file.
    studies_dir : str or Path
        Where the records are written.
    mapping : mapping of str to str, optional
        ``{field: column header}``, overriding the default column names (:data:`FIELDS`).
    sheet : str, optional
        The worksheet (default the first).
    analyses_dir : str or Path, optional
        When given, an analysis spec per imported outcome is written there (unless one exists).
    partial : bool
        Write the good rows even when others are bad (they are listed in ``skipped``).
    **options
        ``outcome``, ``measure``, ``kind``, ``experimental``, ``control``, ``timepoint``, ``by``,
        ``date``: see the command line (``metaevidence import --help``).

    Returns
    -------
    ImportResult

    Raises
    ------
    DataImportError
        Listing every problem (file, sheet/row/column, what was expected); nothing is written.
    """
    table = read_table(path, sheet=sheet)
    plan = plan_table(
        table, studies_dir, mapping=mapping, options=Options(**options), analyses_dir=analyses_dir
    )
    problems = tuple(plan.problems)
    if partial:
        plan.problems = []
        if not plan.records and not plan.updates:
            raise DataImportError(list(problems), head="no row could be imported; nothing was written")
    written = plan.write()
    return ImportResult(tuple(written), tuple(plan.skipped), problems, tuple(plan.notes))
