"""Effect direction as data: which way an outcome entry's effect points, and orienting it.

A study record's ``direction`` (``docs/records.md``) is either prose -- a note that nothing
reads, as records have always had -- or structured::

    direction:
      benefit: higher    # which side of no effect favours the experimental group, as recorded
      note: "OR > 1 = better survival with stronger social relationships"

The effect is always the experimental group versus the control group of the entry's
``comparison``; ``benefit: higher`` says an effect above no effect (OR > 1, MD > 0) is good
for the experimental group (for 2x2 counts: the event is desirable, such as survival or
abstinence; for means: higher values are better), ``lower`` the opposite.

An analysis says which way it pools with an :class:`Orientation` (the spec's ``direction``:
``benefit`` and, optionally, the names of its ``experimental`` group). :func:`orient_rows`
orients each entry that way before any effect is computed:

* **arms** -- when the entry's comparison names the analysis's experimental group as its
  *control*, the arms change places: 2x2 counts and means are swapped, a reported ratio is
  inverted (1/ratio, its interval 1/upper to 1/lower), a log effect negated. This is exact
  for every two-group measure, and it flips the entry's benefit.
* **outcome** -- when the entry's benefit (after any swap) is the other side, its outcome is
  counted the other way round (deaths rather than survivors): 2x2 events and non-events
  change places, means are negated, a reported odds ratio is inverted (the odds ratio of the
  complementary event is exactly 1/OR), a correlation is negated. A reported RR or HR, and
  ROM, cannot be recoded so (the risk ratio of survival is not 1/RR of death): such an entry
  is a :class:`DirectionConflict`, as is an entry whose comparison names neither group.
* an entry whose record gives no structured direction is taken to point the analysis's way,
  and a warning (a note of the analysis) lists such entries.

Without an orientation nothing is changed, but entries that contradict each other (one says
``benefit: higher``, another ``lower``; or one's experimental group is another's control)
are a :class:`DirectionConflict` too: they cannot be pooled as they are, and the analysis
must say which way it pools. The row's ``source`` notes every change.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from metaevidence.evidence.records import (
    BinaryArm,
    BinaryData,
    Comparison,
    ContinuousArm,
    ContinuousData,
    CorrelationData,
    LogSEData,
    OutcomeEntry,
    PairedData,
    PairedMeasurement,
    RatioCIData,
)

__all__ = [
    "BENEFITS",
    "Orientation",
    "DirectionConflict",
    "DirectionWarning",
    "orient_rows",
    "check_agreement",
]

#: Values of ``direction.benefit`` (record and analysis spec).
BENEFITS = ("higher", "lower")

_ORIENTED_KINDS = ("binary", "continuous", "paired", "ratio_ci", "log_se", "correlation")
#: Measures whose outcome can be counted the other way round (the complement, or a reversed scale).
_RECODABLE = ("OR", "RD", "PETO", "AS", "MD", "SMD", "SMDH", "COR", "ZCOR")
#: Paired measures of a difference of means: a reversed scale negates both means.
_PAIRED_RECODABLE = ("MC", "SMCC", "SMCR", "SMCRH", "SMCRP", "SMCRPH")


@dataclass(frozen=True, slots=True)
class Orientation:
    """The direction an analysis pools in.

    ``benefit``: "higher" (an effect above no effect favours the experimental group) or
    "lower". ``experimental``: names of the analysis's experimental group as the records'
    comparisons give them (compared ignoring case and surrounding spaces); empty: the arms are
    taken as recorded.
    """

    benefit: str
    experimental: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.benefit not in BENEFITS:
            raise ValueError(f"benefit must be 'higher' or 'lower'; got {self.benefit!r}")


class DirectionConflict(ValueError):
    """An entry whose direction cannot be reconciled with the analysis (or with the others).

    ``study``, ``path`` (the record file), ``index`` (the entry's position in ``outcomes``) and
    ``field`` (``"outcomes[2].direction"``) locate it; ``line`` is the line of that field in
    the record file (None when it cannot be read).
    """

    def __init__(self, entry: OutcomeEntry, path: Path | None, field: str, detail: str):
        self.study, self.index, self.path, self.field = entry.study_id, entry.index, path, field
        self.line = _line(path, entry.index, field.split(".", 1)[1]) if path is not None else None
        #: the message without its "study 'id': field" lead (for a problem located at the field)
        self.detail = detail
        super().__init__(f"study {entry.study_id!r}: {field} {detail}")


class DirectionWarning(UserWarning):
    """Entries pooled in the analysis's direction without a record saying it is theirs."""


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _arms_swapped(entry: OutcomeEntry, want: Orientation, path) -> bool:
    if not want.experimental or entry.comparison is None:
        return False
    c = entry.comparison
    if any(_same(c.experimental, name) for name in want.experimental):
        return False
    if any(_same(c.control, name) for name in want.experimental):
        return True
    raise DirectionConflict(
        entry,
        path,
        f"outcomes[{entry.index}].comparison",
        f"names neither group as the analysis's experimental group ({' or '.join(repr(n) for n in want.experimental)}): "
        f"experimental {c.experimental!r}, control {c.control!r}; add its name to the analysis's "
        "direction.experimental, or correct the record",
    )


def _swap(entry: OutcomeEntry) -> OutcomeEntry:
    d = entry.data
    if isinstance(d, (BinaryData, ContinuousData, PairedData)):
        data = replace(d, experimental=d.control, control=d.experimental)
    elif isinstance(d, RatioCIData):
        data = replace(d, estimate=1 / d.estimate, lower=1 / d.upper, upper=1 / d.lower)
    elif isinstance(d, LogSEData):
        data = replace(d, log_estimate=-d.log_estimate)
    else:  # pragma: no cover - correlations have no comparison
        data = d
    c = entry.comparison
    comparison = Comparison(experimental=c.control, control=c.experimental) if c is not None else None
    return replace(entry, data=data, comparison=comparison)


def _recode(entry: OutcomeEntry, measure: str, benefit: str, path) -> OutcomeEntry:
    d = entry.data
    native = getattr(d, "measure", measure)
    if isinstance(d, BinaryData) and measure in ("OR", "RR", "RD", "PETO", "AS"):
        data = replace(
            d,
            experimental=BinaryArm(d.experimental.total - d.experimental.events, d.experimental.total),
            control=BinaryArm(d.control.total - d.control.events, d.control.total),
        )
    elif isinstance(d, ContinuousData) and measure in _RECODABLE:
        data = replace(
            d,
            experimental=ContinuousArm(-d.experimental.mean, d.experimental.sd, d.experimental.n),
            control=ContinuousArm(-d.control.mean, d.control.sd, d.control.n),
        )
    elif isinstance(d, PairedData) and measure in _PAIRED_RECODABLE:
        data = replace(
            d,
            experimental=PairedMeasurement(-d.experimental.mean, d.experimental.sd),
            control=PairedMeasurement(-d.control.mean, d.control.sd),
        )
    elif isinstance(d, RatioCIData) and native == "OR":
        data = replace(d, estimate=1 / d.estimate, lower=1 / d.upper, upper=1 / d.lower)
    elif isinstance(d, LogSEData) and native == "OR":
        data = replace(d, log_estimate=-d.log_estimate)
    elif isinstance(d, CorrelationData):
        data = replace(d, r=-d.r)
    else:
        what = native if isinstance(d, (RatioCIData, LogSEData)) else measure
        raise DirectionConflict(
            entry,
            path,
            f"outcomes[{entry.index}].direction",
            f"says benefit {benefit!r} for its experimental group, the other way from the analysis, and "
            f"a {what} cannot be turned round by counting the outcome the other way (a {what} of the complementary "
            "outcome is not its inverse): record the study's result for the outcome as the analysis "
            "counts it, or leave the entry out of this analysis",
        )
    return replace(entry, data=data)


def _orient(entry: OutcomeEntry, measure: str, want: Orientation, path) -> tuple[OutcomeEntry, str | None]:
    """The entry pointing the analysis's way, and the note of what was done (None: nothing)."""
    notes = []
    benefit = entry.benefit
    if _arms_swapped(entry, want, path):
        c = entry.comparison
        entry = _swap(entry)
        notes.append(
            f"arms swapped (the record's experimental group, {c.experimental}, is the analysis's control)"
        )
    if benefit is not None and benefit != want.benefit:
        entry = _recode(entry, measure, benefit, path)
        notes.append(
            f"outcome counted the other way (the record's benefit is {benefit}, the analysis's {want.benefit})"
        )
    if not notes:
        return entry, None
    if len(notes) == 2 and measure != "RR":
        # e.g. an OR of death, isolated vs integrated = the OR of survival, integrated vs isolated
        tail = "; the two cancel: the effect is pooled as recorded"
    else:
        tail = "; the effect is inverted" if measure != "RR" or len(notes) == 1 and "arms" in notes[0] else ""
    return entry, "direction: " + "; ".join(notes) + tail


def orient_rows(rows, measure: str, want: Orientation):
    """``rows`` ((Study, OutcomeEntry) pairs) oriented the analysis's way.

    Returns the new rows and ``{row index: note}`` for each row changed; warns
    (:class:`DirectionWarning`) naming the entries whose record states no direction.
    Raises :class:`DirectionConflict` for the first entry that cannot be oriented.
    """
    out, notes, unstated = [], {}, []
    for i, (study, entry) in enumerate(rows):
        if entry.kind not in _ORIENTED_KINDS:
            out.append((study, entry))
            continue
        oriented, note = _orient(entry, measure, want, study.path)
        if note is not None:
            notes[i] = note
        if entry.benefit is None:
            unstated.append(study.id)
        out.append((study, oriented))
    if unstated:
        warnings.warn(
            f"{len(unstated)} of {len(out)} entries state no direction (direction.benefit in the record) "
            f"and are pooled as pointing the analysis's way (benefit {want.benefit}): " + ", ".join(unstated),
            DirectionWarning,
            stacklevel=2,
        )
    return out, notes


def check_agreement(rows) -> None:
    """Without an orientation: :class:`DirectionConflict` when entries point different ways."""
    first: dict[str, tuple] = {}
    compared: list[OutcomeEntry] = []
    for study, entry in rows:
        if entry.kind not in _ORIENTED_KINDS:
            continue
        if entry.benefit is not None:
            seen = first.setdefault("benefit", (study, entry))
            if seen[1].benefit != entry.benefit:
                raise DirectionConflict(
                    entry,
                    study.path,
                    f"outcomes[{entry.index}].direction",
                    f"says benefit {entry.benefit!r} but {seen[1].study_id!r} says {seen[1].benefit!r}: "
                    "their effects point different ways; say which way the analysis pools with direction: "
                    "{benefit: higher or lower} in the analysis spec (the entries are then oriented "
                    "to it), or correct the record",
                )
        c = entry.comparison
        if c is None:
            continue
        for other in compared:
            o = other.comparison
            if _same(o.experimental, c.control) and _same(o.control, c.experimental):
                raise DirectionConflict(
                    entry,
                    study.path,
                    f"outcomes[{entry.index}].comparison",
                    f"has the groups of {other.study_id!r} the other way round (experimental {c.experimental!r}, control "
                    f"{c.control!r}): say which group is experimental with direction: {{experimental: "
                    f"{o.experimental}, benefit: ...}} in the analysis spec (the arms are then swapped "
                    "to it), or correct the record",
                )
        compared.append(entry)


def _line(path: Path, index: int, field: str) -> int | None:
    """Line of ``field`` (``direction``, ``comparison``) of ``outcomes[index]`` in a record file."""
    from metaevidence._schema.yamlload import YMap, YSeq, read_yaml

    try:
        tree, _problems = read_yaml(path)
    except OSError:
        return None
    if not isinstance(tree, YMap):
        return None
    seq = tree.get("outcomes")
    if not isinstance(seq, YSeq) or index >= len(seq.items):
        return tree.line
    item = seq.items[index]
    node = item.get(field) if isinstance(item, YMap) else None
    return (node or item).line
