"""Analysis specs: reading ``analyses/*.yaml`` into frozen :class:`AnalysisSpec` objects.

A spec is read with the study records' safe YAML reader
(:mod:`metaevidence._schema.yamlload`), checked against :data:`~metaevidence.workflow.schema.ANALYSIS`
by the records' validator (:func:`metaevidence._schema.validate.check`), then checked for
what the schema cannot say (the id equals the file name, field paths exist in the record
format, figures match the analyses that run, and -- when the evidence base is given --
that the outcome and study ids exist). Every problem carries its file, line and field.

>>> from metaevidence.workflow.spec import load_specs
>>> specs = load_specs("analyses")
>>> by_id = {spec.id: spec for spec in specs}
>>> by_id["social-relationships-mortality"].settings()["tau2"]
'REML'

:func:`validate_specs` checks a folder of specs; :func:`validate_review` is ``metaevidence validate``:
the study records, then the specs against them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from metaevidence._schema.validate import check
from metaevidence._schema.yamlload import MAX_BYTES, YMap, parse_yaml, read_bytes
from metaevidence.errors import RecordProblem, SpecError
from metaevidence.workflow.bias import parse_bias
from metaevidence.workflow.schema import (
    ANALYSIS,
    DEFAULTS,
    RATIO_MEASURES,
    default_figures,
)
from metaevidence.workflow.sequential import SequentialSpec, parse_sequential
from metaevidence.workflow.spec_checks import semantic_problems

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.evidence.base import EvidenceBase

__all__ = [
    "NOUN",
    "Selection",
    "Exclusion",
    "ZeroCells",
    "Subgroups",
    "Sensitivity",
    "ForestOptions",
    "FunnelOptions",
    "Figures",
    "Reference",
    "AnalysisSpec",
    "spec_paths",
    "read_spec",
    "scan_specs",
    "load_specs",
    "validate_specs",
    "validate_review",
]

#: What an analysis spec file is called in messages.
NOUN = "analysis spec"


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A study left out on purpose, and why."""

    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Selection:
    """Which outcome entries of which studies enter the analysis (see ``docs/analyses.md``).

    ``where`` maps dotted record paths to a value, a tuple of values, or a
    ``{"min": ..., "max": ...}`` range.
    """

    outcome: str
    ids: tuple[str, ...] | None = None
    exclude: tuple[Exclusion, ...] = ()
    design: tuple[str, ...] | None = None
    status: tuple[str, ...] | None = None
    kind: tuple[str, ...] | None = None
    where: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def apply(self, evidence: EvidenceBase) -> EvidenceBase:
        """The evidence this selection keeps (exclusions not yet removed: the run lists them)."""
        where = {path: _condition(cond) for path, cond in self.where.items()}
        return evidence.select(
            ids=self.ids,
            design=self.design,
            status=self.status,
            outcome=self.outcome,
            kind=self.kind,
            where=where,
        )

    def settings(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "ids": None if self.ids is None else list(self.ids),
            "exclude": [{"id": e.id, "reason": e.reason} for e in self.exclude],
            "design": None if self.design is None else list(self.design),
            "status": None if self.status is None else list(self.status),
            "kind": None if self.kind is None else list(self.kind),
            "where": {k: _plain(v) for k, v in self.where.items()},
        }


@dataclass(frozen=True, slots=True)
class ZeroCells:
    """Zero-cell policy for 2x2 tables (metafor's ``add``, ``to``, ``drop00``)."""

    add: float | str = DEFAULTS["zero_cells.add"]
    to: str = DEFAULTS["zero_cells.to"]
    drop00: bool = DEFAULTS["zero_cells.drop00"]


@dataclass(frozen=True, slots=True)
class Subgroups:
    """Subgroup analysis by ``by`` (a dotted record path)."""

    by: str
    common_tau2: bool = DEFAULTS["subgroups.common_tau2"]


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """Which sensitivity analyses run."""

    leave_one_out: bool = DEFAULTS["sensitivity.leave_one_out"]
    cumulative: bool = DEFAULTS["sensitivity.cumulative"]
    cumulative_order: str = DEFAULTS["sensitivity.cumulative_order"]
    exclude_high_risk_of_bias: bool = DEFAULTS["sensitivity.exclude_high_risk_of_bias"]


@dataclass(frozen=True, slots=True)
class ForestOptions:
    """Options of the forest plots (see ``metaevidence.forest_plot``)."""

    sort: str = DEFAULTS["figures.forest.sort"]
    data_columns: str = DEFAULTS["figures.forest.data_columns"]
    beneficial: bool = DEFAULTS["figures.forest.beneficial"]
    title: str | None = None
    effect_label: str | None = None
    note: str | None = None
    layout: str = DEFAULTS["figures.forest.layout"]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FunnelOptions:
    """Options of the funnel plot (see ``metaevidence.funnel_plot``)."""

    contours: bool = DEFAULTS["figures.funnel.contours"]


@dataclass(frozen=True, slots=True)
class GoshOptions:
    """Options of the GOSH figure (see ``metaevidence.gosh`` and ``metaevidence.gosh_plot``)."""

    max_subsets: int = DEFAULTS["figures.gosh.max_subsets"]
    seed: int = DEFAULTS["figures.gosh.seed"]
    x: str = DEFAULTS["figures.gosh.x"]
    y: str = DEFAULTS["figures.gosh.y"]


@dataclass(frozen=True, slots=True)
class Figures:
    """Figures to draw (``draw``) in ``formats``, with their options."""

    draw: tuple[str, ...]
    formats: tuple[str, ...] = DEFAULTS["figures.formats"]
    forest: ForestOptions = ForestOptions()
    funnel: FunnelOptions = FunnelOptions()
    gosh: GoshOptions = GoshOptions()


@dataclass(frozen=True, slots=True)
class Reference:
    """A published result to compare with, on the presentation scale."""

    source: str
    estimate: float
    lower: float | None = None
    upper: float | None = None
    level: float | None = None
    k: int | None = None
    tau2: float | None = None
    i2: float | None = None


@dataclass(frozen=True, slots=True)
class AnalysisSpec:
    """One validated analysis spec with every default filled in.

    ``path`` and ``sha256`` (of the file's bytes) identify the file; :meth:`settings` gives
    every setting, defaults included, as plain data for ``results/<id>.json``. For an
    overview the pooling settings are None; for Mantel-Haenszel and Peto pooling ``tau2``,
    ``ci_method`` and ``prediction_interval`` are None (those methods have none: the interval
    is a z interval).
    """

    id: str
    title: str
    question: str
    kind: str
    studies: Selection
    measure: str | None
    pooling: str | None
    tau2: str | None
    ci_method: str | None
    level: float
    prediction_interval: bool | None
    prediction_interval_method: str | None
    heterogeneity_ci: bool | None
    convert: bool | None
    rom_correction: bool | None
    labels: str
    zero_cells: ZeroCells | None
    subgroups: Subgroups | None
    sensitivity: Sensitivity | None
    figures: Figures
    reference: Reference | None
    interpretation: str | None
    notes: str | None
    path: Path
    sha256: str
    sequential: SequentialSpec | None = None
    certainty: Mapping[str, Any] | None = None
    #: clusters the effects are nested in (model.nested), outermost first; () = independent
    nested: tuple[str, ...] = ()
    #: reported ratios pooled as ``measure`` (``{"HR": "OR"}``); empty: none
    treat_as: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: the direction entries are oriented to (an Orientation), or None
    direction: Any = None
    bias: Any = None
    #: pooling: glmm -- the GLMM (metafor rma.glmm model=: UM.FS, UM.RS, CM.AL, CM.EL); else None
    glmm_model: str | None = None

    @property
    def is_overview(self) -> bool:
        return self.kind == "overview"

    @property
    def is_ratio(self) -> bool:
        """Whether the measure is a ratio (pooled as logs, presented exponentiated)."""
        return self.measure in RATIO_MEASURES

    def settings(self) -> dict[str, Any]:
        """Every setting of the analysis as plain data (JSON-ready), defaults included."""
        return {
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "kind": self.kind,
            "studies": self.studies.settings(),
            "measure": self.measure,
            "pooling": self.pooling,
            "tau2": self.tau2,
            "ci_method": self.ci_method,
            "level": self.level,
            "prediction_interval": self.prediction_interval,
            "prediction_interval_method": self.prediction_interval_method,
            "heterogeneity_ci": self.heterogeneity_ci,
            "convert": self.convert,
            "rom_correction": self.rom_correction,
            "labels": self.labels,
            "zero_cells": None if self.zero_cells is None else _fields(self.zero_cells),
            "subgroups": None if self.subgroups is None else _fields(self.subgroups),
            "sensitivity": None if self.sensitivity is None else _fields(self.sensitivity),
            **({"model": {"nested": list(self.nested)}} if self.nested else {}),
            **({"glmm_model": self.glmm_model} if self.glmm_model else {}),
            "figures": {
                "draw": list(self.figures.draw),
                "formats": list(self.figures.formats),
                "forest": _forest_fields(self.figures.forest),
                "funnel": _fields(self.figures.funnel),
                **({"gosh": _fields(self.figures.gosh)} if "gosh" in self.figures.draw else {}),
            },
            "reference": None if self.reference is None else _fields(self.reference),
            "interpretation": self.interpretation,
            "notes": self.notes,
            # only when given, so that analyses without it keep their results byte for byte
            **({"sequential": _fields(self.sequential)} if self.sequential is not None else {}),
            **({"treat_as": dict(self.treat_as)} if self.treat_as else {}),
            **({"direction": _fields(self.direction)} if self.direction is not None else {}),
            **({"bias": self.bias.settings()} if self.bias is not None else {}),
        }


def _forest_fields(o: ForestOptions) -> dict[str, Any]:
    """The forest options; columns only when given."""
    out = _fields(o)
    if not o.columns:
        del out["columns"]
    return out


def _fields(obj) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in obj.__slots__}


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _condition(cond: Any) -> Any:
    """A ``where`` condition as :meth:`EvidenceBase.select` takes it."""
    if isinstance(cond, Mapping):
        lo, hi = cond.get("min"), cond.get("max")

        def in_range(v: Any) -> bool:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return False
            return (lo is None or v >= lo) and (hi is None or v <= hi)

        return in_range
    return cond


# --------------------------------------------------------------------------- building


def _build(plain: Mapping[str, Any], path: Path, sha256: str) -> AnalysisSpec:
    kind = plain.get("kind", DEFAULTS["kind"])
    s = plain["studies"]
    selection = Selection(
        outcome=s["outcome"],
        ids=_tuple(s.get("ids")),
        exclude=tuple(Exclusion(e["id"], e["reason"]) for e in s.get("exclude", ())),
        design=_tuple(s.get("design")),
        status=_tuple(s.get("status")),
        kind=_tuple(s.get("kind")),
        where=MappingProxyType(
            {
                k: (
                    tuple(v)
                    if isinstance(v, list)
                    else MappingProxyType(dict(v))
                    if isinstance(v, dict)
                    else v
                )
                for k, v in s.get("where", {}).items()
            }
        ),
    )
    f = plain.get("figures", {})
    overview = kind == "overview"
    if overview:
        pooling = tau2 = ci = pi = pi_method = het_ci = convert = rom = None
        zero = subgroups = sens = reference = None
    else:
        pooling = plain.get("pooling", DEFAULTS["pooling"])
        common = pooling != "inverse-variance"

        def get(name: str) -> Any:
            return None if common else plain.get(name, DEFAULTS[name])

        tau2, ci, pi = get("tau2"), get("ci_method"), get("prediction_interval")
        if pooling == "glmm":  # tau^2 by maximum likelihood (ML) or none (EE), as rma.glmm
            tau2, ci = plain.get("tau2", "ML"), "z"
        pi_method, het_ci = get("prediction_interval_method"), get("heterogeneity_ci")
        convert = plain.get("convert", DEFAULTS["convert"])
        rom = plain.get("rom_correction", DEFAULTS["rom_correction"])
        # metafor's defaults: escalc/rma keep double-zero tables (drop00=FALSE), rma.mh and
        # rma.peto drop them from the per-study effects (drop00=TRUE)
        zero = ZeroCells(**{"drop00": common, **plain.get("zero_cells", {})})
        subgroups = Subgroups(**plain["subgroups"]) if "subgroups" in plain else None
        sens = Sensitivity(**plain.get("sensitivity", {}))
        r = plain.get("reference")
        reference = None
        if r is not None:
            r = dict(r)
            if "lower" in r:
                r.setdefault("level", 0.95)
            reference = Reference(**r)
    draw = f.get("draw")
    if draw is None:
        draw = default_figures(
            kind, leave_one_out=bool(sens and sens.leave_one_out), cumulative=bool(sens and sens.cumulative)
        )
    direction = None
    if "direction" in plain and not overview:
        from metaevidence.evidence.direction import Orientation

        d = plain["direction"]
        direction = Orientation(benefit=d["benefit"], experimental=_tuple(d.get("experimental")) or ())
    forest = dict(f.get("forest", {}))
    forest["columns"] = tuple(forest.get("columns", ()))
    if direction is not None:  # the forest's "favours" sides follow the analysis's direction
        forest.setdefault("beneficial", direction.benefit == "higher")
    figures = Figures(
        draw=tuple(dict.fromkeys(draw)),
        formats=tuple(dict.fromkeys(f.get("formats", DEFAULTS["figures.formats"]))),
        forest=ForestOptions(**forest),
        funnel=FunnelOptions(**f.get("funnel", {})),
        gosh=GoshOptions(**f.get("gosh", {})),
    )
    return AnalysisSpec(
        id=plain["id"],
        title=plain["title"],
        question=plain["question"],
        kind=kind,
        studies=selection,
        measure=plain.get("measure"),
        pooling=pooling,
        tau2=tau2,
        ci_method=ci,
        level=float(plain.get("level", DEFAULTS["level"])),
        prediction_interval=pi,
        prediction_interval_method=pi_method,
        heterogeneity_ci=het_ci,
        convert=convert,
        rom_correction=rom,
        labels=plain.get("labels", DEFAULTS["labels"]),
        zero_cells=zero,
        subgroups=subgroups,
        sensitivity=sens,
        figures=figures,
        reference=reference,
        interpretation=plain.get("interpretation"),
        notes=plain.get("notes"),
        path=path,
        sha256=sha256,
        sequential=None if overview else parse_sequential(plain.get("sequential")),
        certainty=plain.get("certainty"),
        nested=tuple(plain.get("model", {}).get("nested", ())),
        treat_as=MappingProxyType(dict(plain.get("treat_as", {}))),
        direction=direction,
        bias=None if overview else parse_bias(plain),
        glmm_model=plain.get("glmm_model", "UM.FS") if pooling == "glmm" else None,
    )


def _tuple(value: Any) -> tuple | None:
    if value is None:
        return None
    return tuple(value) if isinstance(value, list) else (value,)


# --------------------------------------------------------------------------- reading


def spec_paths(folder: str | Path) -> tuple[list[Path], list[RecordProblem]]:
    """The ``*.yaml`` files of an analyses folder (none when it does not exist).

    A missing folder is not a problem -- a review may have no analyses yet -- but a path
    that is not a folder, and ``*.yml`` files, are.
    """
    root = Path(folder)
    if not root.exists():
        return [], []
    if not root.is_dir():
        return [], [
            RecordProblem(root, None, "", "is not a folder; give the folder holding the analysis specs")
        ]
    problems = [
        RecordProblem(p, None, "", f"analysis specs use the .yaml extension: rename it to {p.stem}.yaml")
        for p in sorted(root.glob("*.yml"))
        if not p.name.startswith(".")
    ]
    files = sorted(p for p in root.glob("*.yaml") if not p.name.startswith(".") and p.is_file())
    return files, problems


def read_spec(
    path: str | Path, *, evidence: EvidenceBase | None = None, max_bytes: int = MAX_BYTES
) -> tuple[AnalysisSpec | None, list[RecordProblem]]:
    """Read and check one spec file; never raises for bad input.

    Returns
    -------
    spec : AnalysisSpec or None
        The spec, when it had no problems.
    problems : list of RecordProblem
        Every problem, sorted by line.
    """
    path = Path(path)
    raw, problems = read_bytes(path, max_bytes=max_bytes, noun=NOUN)
    if raw is None:
        return None, problems
    tree, problems = parse_yaml(raw, path, noun=NOUN)
    if tree is None or problems:
        return None, problems
    problems, plain = check(tree, ANALYSIS, path=path)
    if isinstance(tree, YMap):
        problems += semantic_problems(tree, path, evidence, problems)
    problems.sort(key=lambda p: p.line or 0)
    if problems:
        return None, problems
    return _build(plain, path, hashlib.sha256(raw).hexdigest()), []


def scan_specs(
    folder: str | Path = "analyses", *, evidence: EvidenceBase | None = None
) -> tuple[list[AnalysisSpec], list[RecordProblem], int]:
    """Read and check every spec in a folder without raising.

    Returns
    -------
    specs : list of AnalysisSpec
        The specs without problems, sorted by id.
    problems : list of RecordProblem
        Every problem in every file, by file and line.
    n_files : int
        Number of spec files read.
    """
    files, problems = spec_paths(folder)
    specs = []
    for file in files:
        spec, file_problems = read_spec(file, evidence=evidence)
        problems += file_problems
        if spec is not None:
            specs.append(spec)
    problems.sort(key=lambda p: (str(p.path), p.line or 0))
    return sorted(specs, key=lambda s: s.id), problems, len(files)


def load_specs(
    folder: str | Path = "analyses", *, evidence: EvidenceBase | None = None
) -> list[AnalysisSpec]:
    """Every spec in a folder, or :class:`~metaevidence.errors.SpecError` listing every problem."""
    specs, problems, _n = scan_specs(folder, evidence=evidence)
    if problems:
        raise SpecError(problems)
    return specs


def validate_specs(folder: str | Path, *, evidence: EvidenceBase | None = None) -> list[RecordProblem]:
    """Every problem in the specs of ``folder`` (the hook of ``metaevidence validate``).

    With ``evidence`` (the loaded evidence base) the outcome and study ids are checked
    against it too, and every analysis is computed from it (numbers only, nothing written)
    so that what ``run`` would stop on is reported here, at the spec field it is about
    (:func:`metaevidence.workflow.preflight.preflight`); without (the studies had
    problems), only the specs themselves.
    """
    specs, problems, _n = scan_specs(folder, evidence=evidence)
    if evidence is not None:
        from metaevidence.workflow.preflight import preflight

        problems += preflight(specs, evidence)
    return problems


def validate_review(studies_dir: str | Path = "studies", analyses_dir: str | Path | None = "analyses"):
    """Validate the study records, then every analysis spec against them (``metaevidence validate``).

    Returns the :class:`~metaevidence.evidence.commands.ValidationReport` of
    :func:`~metaevidence.evidence.commands.validate_all`, with :func:`validate_specs` as its
    spec checker.
    """
    from metaevidence.evidence.commands import validate_all

    return validate_all(
        studies_dir,
        analyses_dir,
        check_specs=lambda folder, evidence: validate_specs(folder, evidence=evidence),
    )
