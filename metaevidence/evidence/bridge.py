"""From study records to effect sizes: one :class:`~metaevidence.stats.effects.EffectSizes` row per
selected outcome entry, whatever its data kind, and every entry that cannot give the
requested measure kept as an *excluded* row with the reason -- never silently dropped.

How each kind becomes a row (``source`` of the row says which, and the data's confidence):

========== ==============================================================================
binary      2x2 counts -> OR, RR, RD, PETO, AS (one call, so ``to="if0all"`` sees every row)
continuous  means, SDs, ns -> MD, SMD, SMDH, ROM
paired      paired means, SDs, pairs and their correlation -> MC, SMCC, SMCR, SMCRH, SMCRP,
            SMCRPH, ROMC, VRC, CVRC, CLESCN, AUCCN (metafor's m1i m2i sd1i sd2i ni ri)
ratio_ci    the reported OR/RR/HR with its interval -> the same measure (log ratio, SE
            from the interval)
log_se      the log OR/RR/HR with its SE -> the same measure
correlation r and n -> COR, ZCOR
summary     excluded: a published pooled result is never pooled with primary studies
none        excluded: not in the quantitative synthesis, with the record's reason
========== ==============================================================================

With ``convert=True`` the explicit conversions of :func:`metaevidence.stats.convert.convert` are
used where the native measure differs (SMD <-> OR by Hasselblad-Hedges, r -> SMD, HR treated
as RR); without it such entries are excluded with a reason that names the conversion.

With ``treat_as={"HR": "OR"}`` a reported ratio of another measure (kinds ratio_ci and log_se)
joins the analysis unchanged on the log scale, as generic inverse-variance pooling does: its
label is marked with the measure its study reported (``"Smith et al., 2020 (HR)"``) and its
``source`` names the assumption. Nothing else is ever pooled as another measure.

With ``direction=`` (an :class:`~metaevidence.evidence.direction.Orientation`) every entry is
oriented the analysis's way first (:mod:`metaevidence.evidence.direction`): arms swapped or
the effect inverted where the record's direction disagrees, with a note in ``source``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from metaevidence.evidence.multiarm import split_shared_controls
from metaevidence.evidence.records import (
    BinaryData,
    ContinuousData,
    CorrelationData,
    NoEffectData,
    OutcomeEntry,
    PairedData,
    Study,
    SummaryData,
)

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.evidence.base import EvidenceBase
    from metaevidence.evidence.direction import Orientation
    from metaevidence.stats.effects import EffectSizes

__all__ = ["ANY", "effect_sizes", "exclusions"]


class _Any:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"


#: Default of ``subgroup=`` and ``timepoint=``: entries with any value (None selects entries without one).
ANY: Any = _Any()

_TWO_BY_TWO = ("OR", "RR", "RD", "PETO", "AS")
_MEANS = ("MD", "SMD", "SMDH", "ROM")
_CORRELATION = ("COR", "ZCOR")
_PAIRED = ("MC", "SMCC", "SMCR", "SMCRH", "SMCRP", "SMCRPH", "ROMC", "VRC", "CVRC", "CLESCN", "AUCCN")
_EXCLUDED = "excluded: "


def effect_sizes(
    evidence: EvidenceBase,
    outcome: str,
    measure: str = "OR",
    *,
    studies: Iterable[str] | None = None,
    subgroup: Any = ANY,
    timepoint: Any = ANY,
    where: Mapping[str, Any] | None = None,
    labels: str = "citation",
    convert: bool = False,
    add: float | None = None,
    to: str = "only0",
    drop00: bool = False,
    correct: bool = False,
    several_per_study: bool = False,
    treat_as: Mapping[str, str] | None = None,
    direction: Orientation | None = None,
) -> EffectSizes:
    """Effect sizes of one outcome, one row per selected study entry, in study order.

    Parameters
    ----------
    evidence : EvidenceBase
    outcome : str
        Outcome id (``KeyError`` naming close ids when unknown).
    measure : str, default "OR"
        metafor measure name (see :data:`metaevidence.MEASURES`).
    studies : iterable of str, optional
        Only these study ids (each must exist).
    subgroup, timepoint : str or None, optional
        Only entries with this subgroup / timepoint (None: entries without one). By default
        any; but at most one usable entry per study may remain (several timepoints of one
        study are not independent), else ``ValueError`` says which to choose.
    where : mapping, optional
        Further conditions on record fields, as :meth:`EvidenceBase.select`
        (``{"outcomes.attributes.cause_of_death": "all-cause"}``).
    labels : {"citation", "id"}, default "citation"
        Row labels: the short citation (``"Ahern et al., 1990"``) or the study id. A study
        with several rows gets its subgroup/timepoint appended.
    convert : bool, default False
        Allow the explicit conversions of :func:`metaevidence.stats.convert.convert` when an
        entry's native measure differs from ``measure``.
    add, to, drop00, correct
        Zero-cell policy and ROM correction, passed to :func:`metaevidence.effect_sizes`
        (``correct`` for ROM only; other measures take its default).
    several_per_study : bool, default False
        Admit several usable entries of one study (for a model of nested effects, such as
        :func:`metaevidence.multilevel_meta_analysis`).
    treat_as : mapping of str to str, optional
        Reported ratio measures pooled as ``measure`` without conversion, e.g.
        ``{"HR": "OR"}`` (each value must be ``measure``): generic inverse-variance pooling of
        log ratios, an assumption the caller states (reasonable when the outcome is rare).
        Such rows are labelled with the reported measure and their ``source`` says so.
    direction : Orientation, optional
        The direction the analysis pools in: entries whose record states another are
        oriented (arms swapped, ratio inverted, difference negated) with a note in ``source``;
        :class:`~metaevidence.evidence.direction.DirectionConflict` when one cannot be.

    Returns
    -------
    EffectSizes
        ``labels`` as chosen; ``source`` says how each row was obtained and the data's
        confidence ("2x2 counts; derived, approximate"); excluded entries are dropped rows
        (``yi = vi = NaN``) whose source starts with ``"excluded: "`` and gives the reason
        (see :func:`exclusions`). ``study_info`` holds ``study`` (id), ``year``, ``design``,
        ``outcome``, ``subgroup``, ``timepoint``, ``kind``, ``confidence``, ``approximate``,
        ``excluded`` and ``attributes.<name>`` for each attribute. ``group_labels`` are the
        comparison's groups when every usable entry names the same ones.

    Raises
    ------
    KeyError
        Unknown outcome or study id.
    ValueError
        Unknown measure or labels choice, no entry selected, a study with several usable
        entries, a ``treat_as`` that does not pool into ``measure``, or an entry whose
        direction cannot be reconciled with ``direction``.
    """
    from metaevidence.stats import effects as fx

    if measure not in fx.MEASURES:
        raise ValueError(f"unknown measure {measure!r}; known measures: {', '.join(fx.MEASURES)}")
    if labels not in ("citation", "id"):
        raise ValueError(f"labels must be 'citation' or 'id'; got {labels!r}")
    evidence.outcome(outcome)  # KeyError for unknown outcome ids
    selected = evidence.select(ids=studies, outcome=outcome, where=where)
    rows: list[tuple[Study, OutcomeEntry]] = [
        (s, e)
        for s in selected.studies
        for e in s.outcomes
        if (subgroup is ANY or e.subgroup == subgroup) and (timepoint is ANY or e.timepoint == timepoint)
    ]
    if not rows:
        raise ValueError(
            f"no outcome entries for outcome {outcome!r} match the selection "
            f"(studies={_show(studies)}, subgroup={subgroup!r}, timepoint={timepoint!r}, "
            f"where={where!r})"
        )
    if add is None:
        add = fx.MEASURES[measure].default_add
    policy = dict(add=add, to=to, drop00=drop00)
    treat_as = _check_treat_as(treat_as, measure)

    from metaevidence.evidence.direction import check_agreement, orient_rows

    notes: dict[int, str] = {}
    if direction is not None:
        rows, notes = orient_rows(rows, measure, direction)
    else:
        check_agreement(rows)
    plans = [_plan(entry, measure, convert, treat_as) for _study, entry in rows]
    # a control group shared by two comparisons of a multi-arm trial: split, or refused
    rows, split = split_shared_controls(rows, [p[0] == "compute" for p in plans])
    if not several_per_study:
        _one_usable_entry_per_study(rows, plans, outcome, split)
    labels_t = _labels(rows, labels)
    for i, plan in enumerate(plans):
        if plan[0] == "compute" and plan[3]:
            labels_t[i] = f"{labels_t[i]} ({plan[1]})"

    parts: dict[int, EffectSizes] = {}
    # binary and continuous rows of one native measure go through one call each, so that
    # metafor's zero-cell rules that look at all rows (to="if0all") see them together
    groups: dict[tuple[str, str, bool], list[int]] = {}
    for i, plan in enumerate(plans):
        if plan[0] == "compute":
            groups.setdefault((plan[1], plan[2], plan[3]), []).append(i)
    for (native, kind, treated), idx in groups.items():
        for i, es in zip(
            idx,
            _compute(
                fx, native, kind, [rows[i][1] for i in idx], [labels_t[i] for i in idx], policy, correct
            ),
        ):
            if not isinstance(es, str) and native != measure:
                es = _treated(es, measure) if treated else _converted(fx, es, measure)
            parts[i] = es
    out = []
    for i, (_study, entry) in enumerate(rows):
        plan = plans[i]
        result = parts.get(i, plan[1] if plan[0] == "exclude" else None)
        if isinstance(result, str):
            out.append(_excluded_row(fx, measure, labels_t[i], result, policy))
        else:
            src = (
                result.source[0]
                + "; "
                + entry.provenance.confidence
                + (", approximate" if entry.provenance.approximate else "")
                + (f"; {notes[i]}" if i in notes else "")
                + (f"; shared control split in {split[i]} (Cochrane Handbook 23.3.4)" if i in split else "")
            )
            out.append(replace(result, source=(src,)))
    es = fx.EffectSizes.concat(out)
    usable_groups = {
        (e.comparison.experimental, e.comparison.control)
        for (_s, e), p in zip(rows, plans)
        if p[0] == "compute" and e.comparison is not None
    }
    group_labels = next(iter(usable_groups)) if len(usable_groups) == 1 else None
    excluded = [p[0] == "exclude" or isinstance(parts.get(i), str) for i, p in enumerate(plans)]
    return replace(es, study_info=_study_info(rows, excluded), group_labels=group_labels)


def exclusions(es: EffectSizes) -> tuple[tuple[str, str], ...]:
    """``(study id, reason)`` for each excluded row of an EffectSizes made by :func:`effect_sizes`."""
    ids = es.study_info.get("study", es.labels)
    return tuple(
        (str(sid), src.removeprefix(_EXCLUDED))
        for sid, src in zip(ids, es.source)
        if src.startswith(_EXCLUDED)
    )


# --------------------------------------------------------------------------- planning


_CONVERSIONS = {("OR", "SMD"), ("SMD", "OR"), ("COR", "SMD"), ("SMD", "COR"), ("HR", "RR")}
_REPORTED = ("OR", "RR", "HR")


def _check_treat_as(treat_as: Mapping[str, str] | None, measure: str) -> dict[str, str]:
    """``treat_as`` as a dict, or ValueError saying what is allowed."""
    if not treat_as:
        return {}
    if measure not in _REPORTED:
        raise ValueError(
            f"treat_as pools reported ratios as the analysis's ratio measure (OR, RR or HR); "
            f"the measure is {measure!r}"
        )
    for reported, target in treat_as.items():
        if reported not in _REPORTED or reported == measure:
            raise ValueError(
                f"treat_as keys must be reported ratio measures other than {measure} "
                f"({', '.join(m for m in _REPORTED if m != measure)}); got {reported!r}"
            )
        if target != measure:
            raise ValueError(
                f"treat_as[{reported!r}] must be the measure pooled ({measure!r}); got {target!r}"
            )
    return dict(treat_as)


def _plan(entry: OutcomeEntry, measure: str, convert: bool, treat_as: Mapping[str, str]) -> tuple:
    """("compute", native measure, kind, treated as ``measure``) or ("exclude", reason)."""
    d = entry.data
    if isinstance(d, SummaryData):
        ci = f" [{d.lower:g}, {d.upper:g}]" if d.lower is not None else ", no interval"
        k = f", k = {d.k}" if d.k is not None else ""
        return (
            "exclude",
            f"a published pooled result ({d.measure} {d.estimate:g}{ci}{k}); "
            "summaries are never pooled with primary studies",
        )
    if isinstance(d, NoEffectData):
        return ("exclude", f"not in the quantitative synthesis: {d.reason}")
    if isinstance(d, BinaryData):
        natives = _TWO_BY_TWO
        fallback = "OR"
    elif isinstance(d, ContinuousData):
        natives = _MEANS
        fallback = "SMD"
    elif isinstance(d, CorrelationData):
        natives = _CORRELATION
        fallback = "COR"
    elif isinstance(d, PairedData):
        natives = _PAIRED
        fallback = "MC"
    else:  # RatioCIData, LogSEData: their own measure
        natives = (d.measure,)
        fallback = d.measure
    if measure in natives:
        return ("compute", measure, d.kind, False)
    plain = {
        "binary": "2x2 counts",
        "continuous": "means and SDs",
        "paired": "paired means and SDs",
        "correlation": "a correlation",
    }
    described = plain[d.kind] if d.kind in plain else f"a reported {d.measure}"
    if d.kind in ("ratio_ci", "log_se") and treat_as.get(d.measure) == measure:
        return ("compute", d.measure, d.kind, True)
    hint = ""
    if d.kind in ("ratio_ci", "log_se") and measure in _REPORTED:
        hint = (
            f" (pool it as {measure} with treat_as: {{{d.measure}: {measure}}} in the analysis spec, "
            f"treat_as={{'{d.measure}': '{measure}'}} in Python, if the review accepts that assumption)"
        )
    if (fallback, measure) in _CONVERSIONS:
        if convert:
            return ("compute", fallback, d.kind, False)
        return (
            "exclude",
            f"{measure} cannot be computed from {described} without converting "
            f"{fallback} -> {measure} (allow it with convert: true in the analysis spec, "
            f"convert=True in Python)",
        )
    return ("exclude", f"{measure} cannot be computed from {described}{hint}")


class SeveralEntries(ValueError):
    """A study gives several usable entries for one outcome (subgroups or timepoints).

    ``study``, ``outcome`` and ``keys`` (the ``(subgroup, timepoint)`` of each entry) let a
    caller say how to choose in its own terms; the message says it in the Python API's.
    """

    def __init__(self, study: str, outcome: str, keys: list[tuple[str | None, str | None]]):
        self.study, self.outcome, self.keys = study, outcome, keys
        shown = "; ".join(f"subgroup {s!r}, timepoint {t!r}" for s, t in keys)
        super().__init__(
            f"study {study!r} has {len(keys)} usable entries for outcome {outcome!r} "
            f"({shown}); choose one with subgroup= or timepoint="
        )


def _one_usable_entry_per_study(rows, plans, outcome: str, split: dict[int, int]) -> None:
    """SeveralEntries for a study with two usable entries; the comparisons of one split
    shared control (see :mod:`metaevidence.evidence.multiarm`) count as one.
    """
    seen: dict[str, list[OutcomeEntry]] = {}
    groups: dict[str, set] = {}
    for i, ((study, entry), plan) in enumerate(zip(rows, plans)):
        if plan[0] == "compute":
            seen.setdefault(study.id, []).append(entry)
            groups.setdefault(study.id, set()).add(("split", entry.timepoint) if i in split else i)
    for sid, entries in seen.items():
        if len(groups[sid]) > 1:
            raise SeveralEntries(sid, outcome, [(e.subgroup, e.timepoint) for e in entries])


def _labels(rows, how: str) -> list[str]:
    base = [s.label if how == "citation" else s.id for s, _e in rows]
    counts: dict[str, int] = {}
    for b in base:
        counts[b] = counts.get(b, 0) + 1
    out = []
    for b, (_s, e) in zip(base, rows):
        if counts[b] > 1:
            extra = ", ".join(x for x in (e.subgroup, e.timepoint) if x) or f"entry {e.index + 1}"
            b = f"{b} ({extra})"
        out.append(b)
    return out


# --------------------------------------------------------------------------- computing


def _columns(native: str, kind: str, entries: list[OutcomeEntry]) -> dict[str, list]:
    ds = [e.data for e in entries]
    if kind == "binary":
        return dict(
            ai=[d.experimental.events for d in ds],
            n1i=[d.experimental.total for d in ds],
            ci=[d.control.events for d in ds],
            n2i=[d.control.total for d in ds],
        )
    if kind == "continuous":
        return dict(
            m1i=[d.experimental.mean for d in ds],
            sd1i=[d.experimental.sd for d in ds],
            n1i=[d.experimental.n for d in ds],
            m2i=[d.control.mean for d in ds],
            sd2i=[d.control.sd for d in ds],
            n2i=[d.control.n for d in ds],
        )
    if kind == "correlation":
        return dict(ri=[d.r for d in ds], ni=[d.n for d in ds])
    if kind == "paired":
        return dict(
            m1i=[d.experimental.mean for d in ds],
            m2i=[d.control.mean for d in ds],
            sd1i=[d.experimental.sd for d in ds],
            sd2i=[d.control.sd for d in ds],
            ni=[d.n for d in ds],
            ri=[d.r for d in ds],
        )
    if kind == "ratio_ci":
        return dict(
            estimate=[d.estimate for d in ds],
            ci_lower=[d.lower for d in ds],
            ci_upper=[d.upper for d in ds],
            level=[d.level for d in ds],
        )
    return dict(yi=[d.log_estimate for d in ds], sei=[d.se for d in ds])  # log_se


def _compute(fx, native: str, kind: str, entries, labels, policy, correct) -> list:
    """One EffectSizes (one row) per entry, or the error text of a row that failed."""

    def call(es_entries, es_labels):
        cols = _columns(native, kind, es_entries)
        level = cols.pop("level", 0.95)
        # ``correct`` is the spec's ROM correction; other measures keep effect_sizes' default
        rom_only = correct if native == "ROM" else None
        return fx.effect_sizes(native, **cols, level=level, labels=es_labels, correct=rom_only, **policy)

    try:
        whole = call(entries, labels)
        return [whole.subset([i]) for i in range(len(entries))]
    except ValueError:
        pass  # find the row(s) at fault, one by one
    out: list = []
    for entry, label in zip(entries, labels):
        try:
            out.append(call([entry], [label]))
        except ValueError as exc:
            out.append(f"{native} cannot be computed from this entry: {exc}")
    return out


def _treated(es, measure: str):
    """A reported ratio pooled as ``measure`` unchanged (log scale), its source saying so."""
    reported = es.measure
    note = f"; pooled as {measure} (treat_as: {reported} as {measure}, generic inverse variance)"
    return replace(es, measure=measure, source=(es.source[0] + note,))


def _converted(fx, es, measure: str):
    from metaevidence.stats.convert import convert

    return convert(es, measure)


def _excluded_row(fx, measure: str, label: str, reason: str, policy) -> EffectSizes:
    return fx.EffectSizes(
        yi=[np.nan],
        vi=[np.nan],
        measure=measure,
        labels=(label,),
        dropped=[True],
        source=(_EXCLUDED + reason,),
        **policy,
    )


def _study_info(rows, excluded) -> dict[str, np.ndarray]:
    info: dict[str, list] = {
        "study": [s.id for s, _e in rows],
        "year": [s.year for s, _e in rows],
        "design": [s.design for s, _e in rows],
        "outcome": [e.outcome for _s, e in rows],
        "subgroup": [e.subgroup for _s, e in rows],
        "timepoint": [e.timepoint for _s, e in rows],
        "kind": [e.kind for _s, e in rows],
        "confidence": [e.provenance.confidence for _s, e in rows],
        "approximate": [e.provenance.approximate for _s, e in rows],
        "excluded": list(excluded),
    }
    out = {
        k: np.array(v, dtype=int if k == "year" else (bool if k in ("approximate", "excluded") else object))
        for k, v in info.items()
    }
    names = sorted({k for _s, e in rows for k in e.attributes})
    for name in names:
        values = [e.attributes.get(name) for _s, e in rows]
        present = [v for v in values if v is not None]
        numeric = present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
        out[f"attributes.{name}"] = (
            np.array([np.nan if v is None else v for v in values], dtype=float)
            if numeric
            else np.array(values, dtype=object)
        )
    return out


def _show(studies) -> str:
    return "all" if studies is None else repr(sorted(studies))
