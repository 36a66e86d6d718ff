"""Frozen, typed views of validated study records.

:func:`build_study` turns a record that passed :func:`~metaevidence._schema.validate.check_study`
into a :class:`Study` with :class:`OutcomeEntry` items whose ``data`` is one of
:class:`BinaryData`, :class:`ContinuousData`, :class:`PairedData`, :class:`RatioCIData`, :class:`LogSEData`,
:class:`CorrelationData`, :class:`SummaryData` or :class:`NoEffectData` (``data.kind`` says
which). Field names are the record's own (``docs/records.md``). Every object also keeps
its plain record (``record``) so that any field can be reached by its dotted path with
``field("citation.year")``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar

__all__ = [
    "Citation",
    "Comparison",
    "Provenance",
    "Extraction",
    "RiskOfBias",
    "RobDomain",
    "BinaryArm",
    "ContinuousArm",
    "BinaryData",
    "ContinuousData",
    "RatioCIData",
    "LogSEData",
    "CorrelationData",
    "PairedData",
    "PairedMeasurement",
    "SummaryData",
    "NoEffectData",
    "EffectData",
    "OutcomeEntry",
    "Study",
    "build_study",
    "lookup",
]

_MISSING = object()


def lookup(record: Mapping, dotted: str, default: Any = None) -> Any:
    """The value at ``dotted`` (e.g. ``"citation.year"``) in a plain record, or ``default``."""
    cur: Any = record
    for part in dotted.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return default
        cur = cur[part]
    return cur


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class Citation:
    """The publication. ``short()`` gives a label such as ``"Holt-Lunstad et al. 2010"``."""

    authors: tuple[str, ...]
    year: int
    title: str | None = None
    journal: str | None = None
    volume: str | int | None = None
    issue: str | int | None = None
    pages: str | int | None = None
    doi: str | None = None
    pmid: str | int | None = None
    pmcid: str | None = None
    url: str | None = None
    other: str | None = None
    as_cited: str | None = None

    def short(self) -> str:
        """A short label: ``as_cited`` when given, else "Surname [and Surname | et al.] year"."""
        if self.as_cited:
            return self.as_cited
        names = [_surname(a) for a in self.authors]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} {self.year}"


def _surname(author: str) -> str:
    parts = author.split()
    if len(parts) > 1 and parts[-1].replace(".", "").isupper() and len(parts[-1].replace(".", "")) <= 4:
        parts = parts[:-1]
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Comparison:
    """Which group is experimental (exposed) and which is the control."""

    experimental: str
    control: str


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an outcome entry's numbers were read, and how sure we are of them."""

    source: str
    locator: str
    confidence: str
    derivation: str | None = None
    approximate: bool = False
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class BinaryArm:
    events: int
    total: int


@dataclass(frozen=True, slots=True)
class ContinuousArm:
    mean: float
    sd: float
    n: int


@dataclass(frozen=True, slots=True)
class BinaryData:
    """Events and totals per arm."""

    kind: ClassVar[str] = "binary"
    experimental: BinaryArm
    control: BinaryArm


@dataclass(frozen=True, slots=True)
class ContinuousData:
    """Mean, SD and n per arm."""

    kind: ClassVar[str] = "continuous"
    experimental: ContinuousArm
    control: ContinuousArm
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class PairedMeasurement:
    mean: float
    sd: float


@dataclass(frozen=True, slots=True)
class PairedData:
    """One group measured twice (or matched pairs): means and SDs, pairs, correlation."""

    kind: ClassVar[str] = "paired"
    experimental: PairedMeasurement
    control: PairedMeasurement
    n: int
    r: float
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class RatioCIData:
    """A reported OR/RR/HR with its confidence interval (natural scale)."""

    kind: ClassVar[str] = "ratio_ci"
    measure: str
    estimate: float
    lower: float
    upper: float
    level: float
    adjusted: bool
    adjusted_for: str | None = None
    n: int | None = None


@dataclass(frozen=True, slots=True)
class LogSEData:
    """A natural-log ratio with its standard error."""

    kind: ClassVar[str] = "log_se"
    measure: str
    log_estimate: float
    se: float
    n: int | None = None


@dataclass(frozen=True, slots=True)
class CorrelationData:
    """A correlation coefficient and its sample size."""

    kind: ClassVar[str] = "correlation"
    r: float
    n: int


@dataclass(frozen=True, slots=True)
class SummaryData:
    """A published pooled result; never pooled with primary studies."""

    kind: ClassVar[str] = "summary"
    measure: str
    estimate: float
    model: str
    lower: float | None = None
    upper: float | None = None
    level: float | None = None
    k: int | None = None
    n: int | None = None
    method: str | None = None

    @property
    def has_interval(self) -> bool:
        return self.lower is not None


@dataclass(frozen=True, slots=True)
class NoEffectData:
    """No extractable effect, with the reason."""

    kind: ClassVar[str] = "none"
    reason: str


EffectData = (
    BinaryData
    | ContinuousData
    | PairedData
    | RatioCIData
    | LogSEData
    | CorrelationData
    | SummaryData
    | NoEffectData
)


@dataclass(frozen=True, slots=True)
class Extraction:
    status: str
    by: str
    date: _dt.date
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RobDomain:
    domain: str
    judgement: str
    support: str | None = None
    provenance: Mapping[str, Any] | None = None
    signalling: Mapping[str, str] | None = None
    effect: str | None = None


@dataclass(frozen=True, slots=True)
class RiskOfBias:
    """A study's risk-of-bias assessment; ``results`` holds per-result judgements (plain dicts)."""

    tool: str
    domains: tuple[RobDomain, ...]
    overall: str | None
    results: tuple[Mapping[str, Any], ...] = ()
    provenance: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OutcomeEntry:
    """One outcome entry of a study.

    ``index`` is its position in the study's ``outcomes`` list; ``key`` is
    ``(outcome, subgroup, timepoint)``, unique within the study. ``direction`` is the
    record's prose about the direction (its ``note`` in the structured form) and ``benefit``
    the structured ``direction.benefit`` ("higher", "lower"; None when the record gives prose
    only): see :mod:`metaevidence.evidence.direction`.
    """

    study_id: str
    index: int
    outcome: str
    data: EffectData
    provenance: Provenance
    comparison: Comparison | None = None
    timepoint: str | None = None
    label: str | None = None
    subgroup: str | None = None
    direction: str | None = None
    benefit: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    shared_control: str | None = None
    notes: str | None = None
    record: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def kind(self) -> str:
        return self.data.kind

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.outcome, self.subgroup, self.timepoint)

    def field(self, dotted: str, default: Any = None) -> Any:
        """The entry's value at a dotted path, e.g. ``"attributes.mean_age"``."""
        return lookup(self.record, dotted, default)


@dataclass(frozen=True, slots=True)
class Study:
    """One validated study record.

    ``sha256`` is the hash of the file's bytes (for the results store); ``record`` the
    plain record, reachable by dotted path through :meth:`field`.
    """

    id: str
    path: Path
    sha256: str
    citation: Citation
    design: str
    population: str
    outcomes: tuple[OutcomeEntry, ...]
    extraction: Extraction
    setting: str | None = None
    related: tuple[str, ...] = ()
    risk_of_bias: RiskOfBias | None = None
    notes: str | None = None
    record: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def year(self) -> int:
        return self.citation.year

    @property
    def label(self) -> str:
        return self.citation.short()

    def __repr__(self) -> str:
        # one line: the fields hold the whole record (eb.to_frame() shows it as a table)
        outcomes = tuple(dict.fromkeys(e.outcome for e in self.outcomes))
        return (
            f"Study(id={self.id!r}, label={self.label!r}, design={self.design!r}, "
            f"outcomes={outcomes!r}, extraction={self.extraction.status!r})"
        )

    def field(self, dotted: str, default: Any = None) -> Any:
        """The record's value at a dotted path, e.g. ``"citation.year"``."""
        return lookup(self.record, dotted, default)


# --------------------------------------------------------------------------- from the schema

#: The class of each record of the schema (by the schema's record name). A record the schema
#: declares without a class here (rob_provenance, rob_result) stays a read-only mapping.
_CLASSES: dict[str, type] = {
    "study": Study,
    "citation": Citation,
    "outcome_entry": OutcomeEntry,
    "comparison": Comparison,
    "provenance": Provenance,
    "extraction": Extraction,
    "risk_of_bias": RiskOfBias,
    "rob_domain": RobDomain,
    "binary_arm": BinaryArm,
    "continuous_arm": ContinuousArm,
    "data_binary": BinaryData,
    "data_continuous": ContinuousData,
    "paired_measurement": PairedMeasurement,
    "data_paired": PairedData,
    "data_ratio_ci": RatioCIData,
    "data_log_se": LogSEData,
    "data_correlation": CorrelationData,
    "data_summary": SummaryData,
    "data_none": NoEffectData,
}
#: Fields a class has that are not in the record (given by the builder, not the file).
EXTRA_FIELDS: dict[type, tuple[str, ...]] = {
    Study: ("path", "sha256", "record"),
    OutcomeEntry: ("study_id", "index", "record", "benefit"),  # attributes: read-only, from record
}


def _built(spec: Any, value: Any, **extra: Any) -> Any:
    """``value`` (plain, validated against ``spec``) as the typed object the schema declares.

    ``extra`` holds the fields of the outermost class that are not in the record.
    """
    from metaevidence._schema.types import ListOf, MapOf, Record, Tagged

    if value is None:
        return None
    if isinstance(spec, Tagged):
        spec = dict(spec.variants)[value[spec.tag]]
    if isinstance(spec, Record):
        cls = _CLASSES.get(spec.name)
        if cls is None:
            return dict(value)  # plain data of a record without a class (rob_result, ...)
        tag = "kind" if isinstance(getattr(cls, "kind", None), str) else None  # a ClassVar
        kwargs = {
            f.name: _built(f.spec, value[f.name])
            for f in spec.fields
            if f.name in value and f.name != tag and f.name not in extra
        }
        return cls(**kwargs, **extra)
    if isinstance(spec, ListOf):
        return tuple(_built(spec.item, v) for v in value)
    if isinstance(spec, MapOf):
        return dict(value)
    return value


def _direction(d: Any) -> tuple[str | None, str | None]:
    """(prose note, benefit) of a record's ``direction``: prose alone, or the structured form."""
    if isinstance(d, Mapping):
        return d.get("note"), d["benefit"]
    return d, None


def build_study(plain: Mapping, *, path: Path, sha256: str) -> Study:
    """A :class:`Study` from a plain record that passed validation.

    Built from the schema (:data:`metaevidence.evidence.schema.STUDY`): each record of the
    schema becomes the class ``_CLASSES`` names, field for field, so a field is declared
    once in the schema and once, with the same name, in its class (a test holds the two
    together); only :data:`EXTRA_FIELDS` come from elsewhere.
    """
    from metaevidence.evidence.schema import OUTCOME, STUDY

    record = _frozen(plain)
    outcomes = tuple(
        _built(
            OUTCOME,
            o,
            study_id=plain["id"],
            index=i,
            record=raw,
            attributes=raw.get("attributes", MappingProxyType({})),
            # the record's direction is prose or {benefit, note}; the entry keeps both parts
            direction=_direction(o.get("direction"))[0],
            benefit=_direction(o.get("direction"))[1],
        )
        for i, (o, raw) in enumerate(zip(plain["outcomes"], record["outcomes"]))
    )
    return _built(STUDY, plain, outcomes=outcomes, path=Path(path), sha256=sha256, record=record)
