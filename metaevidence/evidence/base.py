"""The evidence base: every study record in a folder, validated, frozen and searchable.

>>> import metaevidence as me
>>> eb = me.load_evidence("studies")
>>> eb["martinelli-2020"].citation.short()
'Martinelli et al. 2020'
>>> len(eb.select(outcome="mortality", where={"outcomes.data.kind": "log_se"}).studies)
21

Loading either returns an :class:`EvidenceBase` or raises one
:class:`~metaevidence.errors.RecordError` listing every problem in every file, each with
its file and line; it never raises anything else for bad input.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from metaevidence._schema.types import ListOf, Record, Tagged
from metaevidence._schema.yamlload import MAX_BYTES, YMap, YScalar, YSeq, parse_yaml, read_bytes
from metaevidence.errors import RecordError, RecordProblem
from metaevidence.evidence.records import OutcomeEntry, Study, build_study
from metaevidence.evidence.schema import STUDY, check_study

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from metaevidence.stats.effects import EffectSizes

__all__ = ["EvidenceBase", "load_evidence", "scan_studies", "record_paths"]


@dataclass(frozen=True, slots=True)
class EvidenceBase:
    """A validated, frozen collection of study records.

    Attributes
    ----------
    root : Path or None
        The folder the records were read from.
    studies : tuple of Study
        The studies, sorted by id.

    Lookups: ``eb["ahern-1990"]`` or ``eb.study(id)``; ``eb.outcome("mortality")`` gives
    every outcome entry with that outcome id; ``eb.outcomes`` all entries. Filters
    (:meth:`select`) return a new EvidenceBase. ``to_frame()`` has one row per study x
    outcome entry; ``hashes`` maps study ids to the sha256 of their files.
    """

    root: Path | None
    studies: tuple[Study, ...]
    _by_id: Mapping[str, Study] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "studies", tuple(sorted(self.studies, key=lambda s: s.id)))
        object.__setattr__(self, "_by_id", MappingProxyType({s.id: s for s in self.studies}))

    def __repr__(self) -> str:
        # one line: the dataclass repr would print every record in full
        root = None if self.root is None else str(self.root)
        n_entries = sum(len(s.outcomes) for s in self.studies)
        return f"EvidenceBase(root={root!r}, studies={len(self.studies)}, outcome_entries={n_entries})"

    # ------------------------------------------------------------------ lookups
    def __len__(self) -> int:
        return len(self.studies)

    def __iter__(self) -> Iterator[Study]:
        return iter(self.studies)

    def __contains__(self, study_id: object) -> bool:
        return study_id in self._by_id

    def __getitem__(self, study_id: str) -> Study:
        return self.study(study_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Study ids, sorted."""
        return tuple(self._by_id)

    def study(self, study_id: str) -> Study:
        """The study with this id; ``KeyError`` naming close ids when there is none."""
        try:
            return self._by_id[study_id]
        except (KeyError, TypeError):
            raise KeyError(_unknown("study id", study_id, self.ids)) from None

    @property
    def outcomes(self) -> tuple[OutcomeEntry, ...]:
        """Every outcome entry of every study, in study order."""
        return tuple(e for s in self.studies for e in s.outcomes)

    @property
    def outcome_ids(self) -> tuple[str, ...]:
        """The distinct outcome ids, sorted."""
        return tuple(sorted({e.outcome for e in self.outcomes}))

    def outcome(self, outcome_id: str) -> tuple[OutcomeEntry, ...]:
        """Every entry with this outcome id; ``KeyError`` naming close ids when there is none."""
        found = tuple(e for e in self.outcomes if e.outcome == outcome_id)
        if not found:
            raise KeyError(_unknown("outcome id", outcome_id, self.outcome_ids))
        return found

    @property
    def hashes(self) -> Mapping[str, str]:
        """Study id -> sha256 (hex) of the record file's bytes."""
        return MappingProxyType({s.id: s.sha256 for s in self.studies})

    # ------------------------------------------------------------------ filters
    def select(
        self,
        *,
        ids: Iterable[str] | None = None,
        design: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        outcome: str | Iterable[str] | None = None,
        kind: str | Iterable[str] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> EvidenceBase:
        """A new EvidenceBase holding the studies (and outcome entries) that match.

        Parameters
        ----------
        ids : iterable of str, optional
            Keep these studies (each must exist).
        design, status : str or iterable of str, optional
            Keep studies of these designs / extraction statuses (``complete``, ``partial``).
        outcome, kind : str or iterable of str, optional
            Keep outcome entries with these outcome ids / data kinds (``binary``, ...).
        where : mapping of dotted path to condition, optional
            Any record field by its path in the YAML: ``"citation.year"``, ``"design"``,
            ``"outcomes.attributes.cause_of_death"``, ``"outcomes.data.measure"``. Paths under
            ``outcomes.`` filter outcome entries, others filter studies. A condition is a value
            (equality), a list/tuple/set (membership) or a callable (``lambda v: v >= 2000``;
            it receives None when the field is absent).

        Returns
        -------
        EvidenceBase
            When any entry-level filter is given, studies left with no entries are dropped.

        Raises
        ------
        KeyError
            An id in ``ids`` that is not in the evidence base.
        ValueError
            A ``where`` path that is not a field of the record format.
        """
        study_tests: list[Callable[[Study], bool]] = []
        entry_tests: list[Callable[[OutcomeEntry], bool]] = []
        if ids is not None:
            wanted = set(_as_set(ids, "ids"))
            for i in sorted(wanted):
                self.study(i)  # raises on unknown ids
            study_tests.append(lambda s: s.id in wanted)
        if design is not None:
            study_tests.append(_matcher(lambda s: s.design, _as_set(design, "design")))
        if status is not None:
            study_tests.append(_matcher(lambda s: s.extraction.status, _as_set(status, "status")))
        if outcome is not None:
            entry_tests.append(_matcher(lambda e: e.outcome, _as_set(outcome, "outcome")))
        if kind is not None:
            entry_tests.append(_matcher(lambda e: e.kind, _as_set(kind, "kind")))
        for path, condition in (where or {}).items():
            check_path(path)
            test = _condition(condition)
            if path.startswith("outcomes."):
                sub = path.removeprefix("outcomes.")
                entry_tests.append(lambda e, sub=sub, test=test: test(e.field(sub)))
            else:
                study_tests.append(lambda s, path=path, test=test: test(s.field(path)))
        kept = []
        for s in self.studies:
            if not all(t(s) for t in study_tests):
                continue
            if entry_tests:
                entries = tuple(e for e in s.outcomes if all(t(e) for t in entry_tests))
                if not entries:
                    continue
                s = replace(s, outcomes=entries)
            kept.append(s)
        return EvidenceBase(self.root, tuple(kept))

    def filter(self, predicate: Callable[[Study], bool]) -> EvidenceBase:
        """A new EvidenceBase with the studies for which ``predicate(study)`` is true."""
        return EvidenceBase(self.root, tuple(s for s in self.studies if predicate(s)))

    # ------------------------------------------------------------------ views
    def to_frame(self) -> pd.DataFrame:
        """One row per study x outcome entry (see ``docs/records.md`` for the columns)."""
        from metaevidence.evidence.frame import evidence_frame

        return evidence_frame(self)

    def effect_sizes(self, outcome: str, measure: str = "OR", **options: Any) -> EffectSizes:
        """Effect sizes of one outcome, one row per selected study entry, excluded entries
        kept as dropped rows with the reason; see :func:`metaevidence.evidence.bridge.effect_sizes`
        for the options (``studies``, ``subgroup``, ``timepoint``, ``where``, ``labels``,
        ``convert``, ``add``, ``to``, ``drop00``, ``correct``).
        """
        from metaevidence.evidence.bridge import effect_sizes

        return effect_sizes(self, outcome, measure, **options)


# --------------------------------------------------------------------------- loading


def record_paths(root: Path) -> tuple[list[Path], list[RecordProblem]]:
    """The ``*.yaml`` files of a studies folder, and problems with the folder itself."""
    root = Path(root)
    if not root.exists():
        return [], [
            RecordProblem(
                root,
                None,
                "",
                f"studies folder does not exist (looked for "
                f"{root.absolute()}): work in the review's folder, "
                f"the one holding studies/ and analyses/, or give "
                f"the path of the study records",
            )
        ]
    if not root.is_dir():
        return [], [
            RecordProblem(root, None, "", "is not a folder; give the folder holding the study records")
        ]
    problems = [
        RecordProblem(p, None, "", f"study records use the .yaml extension: rename it to {p.stem}.yaml")
        for p in sorted(root.glob("*.yml"))
        if not p.name.startswith(".")
    ]
    # records in a subfolder would silently stay out of every analysis
    problems += [
        RecordProblem(
            d,
            None,
            "",
            f"holds study records ({', '.join(sorted(f.name for f in found))[:80]}) "
            f"but subfolders are not read: move them into {root}/",
        )
        for d in sorted(root.iterdir())
        if d.is_dir() and not d.name.startswith(".")
        for found in [list(d.rglob("*.y*ml"))]
        if found
    ]
    files = sorted(p for p in root.glob("*.yaml") if not p.name.startswith(".") and p.is_file())
    return files, problems


def scan_studies(
    path: str | Path = "studies",
    *,
    max_bytes: int = MAX_BYTES,
    cache: Path | None = None,
    save_cache: bool = True,
) -> tuple[EvidenceBase | None, list[RecordProblem], int]:
    """Read and check every record in a folder without raising.

    With ``cache`` (a folder, :mod:`metaevidence.evidence.cache`), a record whose bytes and
    file name are those of a record that passed validation before is not parsed again; the
    result is the same either way. ``save_cache=False`` only reads it (``run --check``
    writes nothing).

    Returns
    -------
    evidence : EvidenceBase or None
        The evidence base when there were no problems, else None.
    problems : list of RecordProblem
        Every problem in every file, sorted by file and line.
    n_files : int
        Number of record files read.
    """
    root = Path(path)
    files, problems = record_paths(root)
    studies: list[Study] = []
    ids: dict[str, tuple[Path, int]] = {}
    related: list[tuple[Path, int, int, str]] = []
    parsed = _ParsedRecords(cache)
    for file in files:
        raw, read_problems = read_bytes(file, max_bytes=max_bytes)
        if raw is None:
            problems += read_problems
            continue
        sha256 = hashlib.sha256(raw).hexdigest()
        hit = parsed.get(file, sha256)
        if hit is not None:
            plain, (id_line, related_at) = hit
            _note_id(plain["id"], id_line, file, ids, problems)
            related += [(file, line, index, rid) for line, index, rid in related_at]
            studies.append(build_study(plain, path=file, sha256=sha256))
            continue
        tree, file_problems = parse_yaml(raw, file)
        if tree is not None:
            schema_problems, plain = check_study(tree, file)
            file_problems += schema_problems
            _note_ids(tree, file, ids, related, problems)
            if not file_problems and plain is not None:
                parsed.put(file, sha256, plain, tree)
                studies.append(build_study(plain, path=file, sha256=sha256))
        problems += file_problems
    if save_cache:
        parsed.save()
    for file, line, index, rid in related:
        if rid not in ids:
            close = difflib.get_close_matches(rid, sorted(ids), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(
                RecordProblem(
                    file,
                    line,
                    f"related[{index}]",
                    f"must be the id of a study record in {root}; got '{rid}', which is not{hint}",
                )
            )
    problems.sort(key=lambda p: (str(p.path), p.line or 0))
    if problems:
        return None, problems, len(files)
    return EvidenceBase(root, tuple(studies)), [], len(files)


def load_evidence(path: str | Path = "studies", *, max_bytes: int = MAX_BYTES) -> EvidenceBase:
    """Load and validate every study record in a folder.

    Parameters
    ----------
    path : str or Path, optional
        The folder of ``*.yaml`` study records (default ``"studies"``).
    max_bytes : int, optional
        Largest record file accepted (default 1 MB).

    Returns
    -------
    EvidenceBase

    Raises
    ------
    RecordError
        Listing every problem in every file, each with file, line and field.
    """
    evidence, problems, _n = scan_studies(path, max_bytes=max_bytes)
    if evidence is None:
        raise RecordError(problems)
    return evidence


def _note_ids(tree, file: Path, ids: dict, related: list, problems: list[RecordProblem]) -> None:
    if not isinstance(tree, YMap):
        return
    id_node = tree.get("id")
    if isinstance(id_node, YScalar) and isinstance(id_node.value, str):
        _note_id(id_node.value, id_node.line, file, ids, problems)
    related += [(file, line, index, rid) for line, index, rid in _related_at(tree)]


def _note_id(sid: str, line: int, file: Path, ids: dict, problems: list[RecordProblem]) -> None:
    if sid in ids:
        other, other_line = ids[sid]
        problems.append(
            RecordProblem(
                file, line, "id", f"'{sid}' is already the id of {other}:{other_line}; ids must be unique"
            )
        )
    else:
        ids[sid] = (file, line)


def _related_at(tree) -> list[tuple[int, int, str]]:
    """(line, index, id) of each entry of a record's ``related`` list."""
    rel = tree.get("related")
    if not isinstance(rel, YSeq):
        return []
    return [
        (item.line, index, item.value)
        for index, item in enumerate(rel.items)
        if isinstance(item, YScalar) and isinstance(item.value, str)
    ]


class _ParsedRecords:
    """Valid records parsed by an earlier run, by file name and content hash (the cache's
    ``records`` entry); what :func:`scan_studies` needs of a record besides its plain value
    are the lines of its id and of its ``related`` entries (for messages about other files).
    """

    def __init__(self, folder: Path | None) -> None:
        from metaevidence.evidence.cache import Cache

        self.cache = None if folder is None else Cache(folder)
        self.old = self.cache.load("records") if self.cache is not None else {}
        self.new: dict[str, Any] = {}

    def get(self, file: Path, sha256: str):
        """(plain, (id line, related lines)) of a cached record, or None."""
        from metaevidence.evidence.cache import from_json

        key = f"{sha256} {file.name}"
        entry = self.old.get(key)
        if entry is None:
            return None
        try:
            plain = from_json(entry["plain"], entry["dates"])
            id_line = int(entry["id_line"])
            related_at = [(int(line), int(i), str(rid)) for line, i, rid in entry["related"]]
            if not isinstance(plain, dict) or plain.get("id") != file.stem:
                return None
        except (KeyError, TypeError, ValueError, IndexError, AttributeError):
            return None  # a damaged entry: parse the file
        self.new[key] = entry
        return plain, (id_line, related_at)

    def put(self, file: Path, sha256: str, plain: dict, tree) -> None:
        from metaevidence.evidence.cache import to_json

        if self.cache is None:
            return
        encoded = to_json(plain)
        if encoded is None:
            return
        self.new[f"{sha256} {file.name}"] = {
            "plain": encoded[0],
            "dates": encoded[1],
            "id_line": tree.get("id").line,
            "related": _related_at(tree),
        }

    def save(self) -> None:
        if self.cache is not None and self.new != self.old:
            self.cache.save("records", self.new)


# --------------------------------------------------------------------------- helpers


def _unknown(what: str, value: object, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(str(value), known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"no {what} {value!r}{hint}" + ("" if close else f" (there are {len(known)})")


def _as_set(value: Any, name: str) -> frozenset:
    if isinstance(value, str):
        return frozenset([value])
    try:
        return frozenset(value)
    except TypeError:
        raise TypeError(
            f"select({name}=...) must be a string or an iterable of strings; got {type(value).__name__}"
        ) from None


def _matcher(get: Callable, allowed: frozenset) -> Callable:
    return lambda obj: get(obj) in allowed


def _condition(condition: Any) -> Callable[[Any], bool]:
    if callable(condition):
        return lambda v: bool(condition(v))
    if isinstance(condition, (list, tuple, set, frozenset)):
        allowed = list(condition)
        return lambda v: any(_same(v, a) for a in allowed)
    return lambda v: _same(v, condition)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _schema_paths() -> frozenset[str]:
    paths: set[str] = set()

    def walk(spec, prefix: str) -> None:
        if isinstance(spec, ListOf):
            walk(spec.item, prefix)
        elif isinstance(spec, Tagged):
            for _k, rec in spec.variants:
                walk(rec, prefix)
        elif isinstance(spec, Record):
            for f in spec.fields:
                p = f"{prefix}{f.name}"
                paths.add(p)
                walk(f.spec, p + ".")

    walk(STUDY, "")
    return frozenset(paths)


_PATHS = _schema_paths()
_FREE_PREFIXES = tuple(p + "." for p in _PATHS if p.endswith("attributes"))


def check_path(path: str) -> None:
    """Raise ``ValueError`` unless ``path`` names a field of the record format."""
    if not isinstance(path, str):
        raise TypeError(f"a field path must be a string such as 'citation.year'; got {type(path).__name__}")
    if path in _PATHS or any(path.startswith(p) and len(path) > len(p) for p in _FREE_PREFIXES):
        return
    close = difflib.get_close_matches(path, sorted(_PATHS), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"{path!r} is not a field of the study-record format (docs/records.md){hint}; "
        "study fields look like 'citation.year', outcome-entry fields like "
        "'outcomes.attributes.mean_age'"
    )
