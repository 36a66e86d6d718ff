"""Multi-arm trials whose comparisons share one control group (Cochrane Handbook 23.3.4).

A trial of drug A, drug B and placebo gives two comparisons with placebo; entered as two
outcome entries (A vs placebo, B vs placebo) with the placebo arm in each, both pooled in
one analysis would count the placebo participants twice (a "unit-of-analysis error",
Cochrane Handbook for Systematic Reviews of Interventions, version 6.4, section 23.3.4).

Two entries of one study *share a control* when they are for the same outcome and
timepoint, name the same control group (``comparison.control``) and give the same control
arm data. The reviewer says what to do, in the record, on each such entry:

``shared_control: split``
    Split the shared group between the comparisons (Handbook 23.3.4): for 2x2 counts its
    events and total are divided by the number of comparisons sharing it; for means and
    SDs its n is divided and mean and SD are unchanged. The comparisons then enter the
    analysis as separate rows, each row's source saying "shared control split in m".

Without it the analysis refuses to pool the entries together, naming the record file and
line and the two remedies: split the control, or combine the experimental arms into one
entry (Handbook Table 6.5.a gives the formulas for combining two groups' means and SDs;
events and totals simply add).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from metaevidence.evidence.records import (
    BinaryArm,
    BinaryData,
    ContinuousArm,
    ContinuousData,
    OutcomeEntry,
    Study,
)

__all__ = ["SharedControl", "SPLIT", "shared_controls", "split_shared_controls"]

#: The record value that asks for the shared control group to be split.
SPLIT = "split"


class SharedControl(ValueError):
    """Entries of one study that share a control group would be pooled together, unsplit."""


def _control(entry: OutcomeEntry):
    d = entry.data
    if not isinstance(d, BinaryData | ContinuousData) or entry.comparison is None:
        return None
    return (entry.outcome, entry.timepoint, entry.comparison.control, type(d).__name__, d.control)


def shared_controls(rows: list[tuple[Study, OutcomeEntry]], usable: list[bool]) -> list[list[int]]:
    """Groups (row indices, two or more) of usable rows of one study sharing a control arm."""
    groups: dict[tuple, list[int]] = {}
    for i, ((study, entry), ok) in enumerate(zip(rows, usable)):
        key = _control(entry)
        if ok and key is not None:
            groups.setdefault((study.id, *key), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _entry_line(path: Path, index: int) -> int | None:
    from metaevidence._schema.yamlload import YMap, YSeq, read_yaml

    tree, _problems = read_yaml(path)
    outcomes = tree.get("outcomes") if isinstance(tree, YMap) else None
    if isinstance(outcomes, YSeq) and 0 <= index < len(outcomes.items):
        return outcomes.items[index].line
    return None


def _refusal(rows: list[tuple[Study, OutcomeEntry]], group: list[int]) -> SharedControl:
    study, first = rows[group[0]]
    entries = [rows[i][1] for i in group]
    line = _entry_line(study.path, first.index)
    where = f"{study.path}:{line}" if line is not None else str(study.path)
    listed = " and ".join(f"outcomes[{e.index}] ({e.comparison.experimental})" for e in entries)
    return SharedControl(
        f"study {study.id!r} ({where}), whose {listed} share the control group "
        f"'{first.comparison.control}' ({type(first.data).__name__.removesuffix('Data').lower()} "
        "data identical): pooled together they would count its participants twice (Cochrane "
        "Handbook 23.3.4); split it with shared_control: split on each of these entries, or "
        "combine the experimental arms into one entry (Handbook Table 6.5.a), or select one"
    )


def _split(entry: OutcomeEntry, m: int) -> OutcomeEntry:
    d = entry.data
    if isinstance(d, BinaryData):
        c = d.control
        arm = BinaryArm(events=c.events / m, total=c.total / m)  # type: ignore[arg-type]
    else:
        c = d.control
        arm = ContinuousArm(mean=c.mean, sd=c.sd, n=c.n / m)  # type: ignore[arg-type]
    return replace(entry, data=replace(d, control=arm))


def split_shared_controls(
    rows: list[tuple[Study, OutcomeEntry]], usable: list[bool]
) -> tuple[list[tuple[Study, OutcomeEntry]], dict[int, int]]:
    """Rows with each declared shared control split; {row index: comparisons sharing it}.

    Raises
    ------
    SharedControl
        When entries sharing a control would be pooled together and not every one of them
        says ``shared_control: split``.
    """
    out, split = list(rows), {}
    for group in shared_controls(rows, usable):
        if not all(rows[i][1].shared_control == SPLIT for i in group):
            raise _refusal(rows, group)
        for i in group:
            out[i] = (rows[i][0], _split(rows[i][1], len(group)))
            split[i] = len(group)
    return out, split
