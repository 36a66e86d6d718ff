"""What an analysis spec's schema cannot check: paths, consistency, and the ids of the evidence.

:func:`semantic_problems` runs after the schema (:mod:`metaevidence._schema.validate`) on the
same YAML tree, so each problem carries the file, the line and the field; ``line_of`` finds the
line of a dotted field (or of its nearest parent) for the other checks of the workflow.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metaevidence._schema.yamlload import YMap, YNode, YSeq, to_plain
from metaevidence.errors import RecordProblem
from metaevidence.workflow.bias import check_bias
from metaevidence.workflow.schema import CUMULATIVE_ORDERS, DEFAULTS, RATIO_MEASURES

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.evidence.base import EvidenceBase

__all__ = ["semantic_problems", "line_of"]


def _node(tree: YNode | None, dotted: str) -> YNode | None:
    cur = tree
    for part in dotted.split("."):
        cur = cur.get(part) if isinstance(cur, YMap) else None
    return cur


def line_of(tree: YNode, dotted: str) -> int:
    """Line of the node at ``dotted``, or of its nearest existing parent."""
    parts = dotted.split(".")
    while parts:
        node = _node(tree, ".".join(parts))
        if node is not None:
            return node.line
        parts.pop()
    return tree.line


def semantic_problems(
    tree: YMap, path: Path, evidence: EvidenceBase | None, schema_problems: list[RecordProblem]
) -> list[RecordProblem]:
    """What the schema cannot check: paths, consistency, and (with evidence) ids.

    Runs on the plain tree even when the schema found problems (so one pass reports
    everything), skipping values of the wrong type and fields already reported.
    """
    checks = _Checks(tree, path, {p.field for p in schema_problems})
    checks.identity()
    checks.field_paths()
    checks.pooling()
    checks.figures()
    checks.repeated_studies()
    checks.reference()
    checks.ratios_and_direction()
    checks.placeholders()
    check_bias(checks)
    if evidence is not None:
        checks.against(evidence)
    return checks.problems


class _Checks:
    """The spec's checks beyond the schema, one method per concern, gathering problems."""

    def __init__(self, tree: YMap, path: Path, reported: set[str]):
        self.tree, self.path, self.reported = tree, path, reported
        self.plain = _Plain(to_plain(tree))
        self.problems: list[RecordProblem] = []
        self.kind = self.plain.text("kind") or DEFAULTS["kind"]
        self.measure = self.plain.text("measure")

    def report(self, dotted: str, message: str) -> None:
        if dotted not in self.reported:
            self.problems.append(RecordProblem(self.path, line_of(self.tree, dotted), dotted, message))

    def report_item(self, key: str, i: int, message: str) -> None:
        dotted = f"studies.{key}[{i}]" + ("" if key == "ids" else ".id")
        line = _item_line(self.tree, f"studies.{key}", i)
        self.problems.append(RecordProblem(self.path, line, dotted, message))

    def identity(self) -> None:
        sid = self.plain.text("id")
        if sid is not None and sid != self.path.stem:
            self.report(
                "id",
                f"must equal the file name without .yaml ('{self.path.stem}'); got '{sid}': "
                "rename the file or fix the id",
            )

    def field_path(self, dotted: str, value: str, allowed: str = "", item: int | None = None) -> None:
        from metaevidence.evidence.base import check_path

        try:
            check_path(value)
        except ValueError as exc:
            close = re.search(r"did you mean ('[^']+')", str(exc))
            hint = f" (did you mean {close.group(1)}?)" if close else ""
            message = (
                f"must be {allowed}a field of the study-record format, e.g. citation.year "
                f"or outcomes.attributes.mean_age (docs/records.md); got '{value}'{hint}"
            )
            if item is None:
                self.report(dotted, message)
            else:  # a list item: its own line
                line = _item_line(self.tree, dotted, item)
                self.problems.append(RecordProblem(self.path, line, f"{dotted}[{item}]", message))

    def field_paths(self) -> None:
        for key in self.plain.mapping("studies.where"):
            self.field_path(f"studies.where.{key}", key)
        by = self.plain.text("subgroups.by")
        if by is not None:
            self.field_path("subgroups.by", by)
        order = self.plain.text("sensitivity.cumulative_order")
        if order is not None and order not in CUMULATIVE_ORDERS:
            self.field_path("sensitivity.cumulative_order", order, f"{', '.join(CUMULATIVE_ORDERS)} or ")
        for i, column in enumerate(self.plain.list("figures.forest.columns")):
            if isinstance(column, str):
                self.field_path("figures.forest.columns", column, item=i)

    def pooling(self) -> None:
        pooling, measure = self.plain.text("pooling") or DEFAULTS["pooling"], self.measure
        if pooling == "peto" and measure not in (None, "OR"):
            self.report("measure", f"must be OR when pooling is peto (the Peto odds ratio); got '{measure}'")
        if pooling == "mantel-haenszel" and measure not in (None, "OR", "RR", "RD"):
            self.report(
                "measure",
                f"must be OR, RR or RD when pooling is mantel-haenszel (2x2 tables); got '{measure}'",
            )
        self.glmm(pooling, measure)

    def glmm(self, pooling: str, measure: str | None) -> None:
        if pooling != "glmm":
            if self.plain.text("glmm_model") is not None:
                self.report("glmm_model", f"applies only with pooling: glmm; got pooling '{pooling}'")
            return
        if measure not in (None, "OR"):
            self.report("measure", f"must be OR when pooling is glmm (rma.glmm odds ratios); got '{measure}'")
        tau2 = self.plain.text("tau2")
        if tau2 is not None and tau2 not in ("ML", "EE"):
            self.report(
                "tau2",
                f"must be ML (random effects, the default) or EE (equal effects) when pooling is glmm; got '{tau2}'",
            )

    def figures(self) -> None:
        draw = [d for d in self.plain.list("figures.draw") if isinstance(d, str)]
        if not draw:
            return
        if self.kind == "overview":
            extra = [d for d in draw if d != "forest"]
            if extra:
                self.report(
                    "figures.draw",
                    "may only hold forest for an overview (a forest plot of "
                    f"published summaries); got {', '.join(extra)}",
                )
        else:
            for name, key in (("cumulative", "cumulative"), ("leave-one-out", "leave_one_out")):
                on = self.plain.get(f"sensitivity.{key}")
                if name in draw and (on is False or (on is None and not DEFAULTS[f"sensitivity.{key}"])):
                    self.report(
                        "figures.draw",
                        f"draws {name}, but sensitivity.{key} is false: "
                        f"turn the analysis on or remove {name} from draw",
                    )
        refits = [d for d in draw if d in ("baujat", "gosh")]
        if refits and self.kind != "overview":
            pooling = self.plain.text("pooling") or DEFAULTS["pooling"]
            nested = self.plain.get("model.nested")
            why = (
                f"pooling is {pooling}"
                if pooling != "inverse-variance"
                else "model.nested is set"
                if nested
                else None
            )
            if why:
                self.report(
                    "figures.draw",
                    f"draws {' and '.join(refits)}, which refit an inverse-variance model of "
                    f"independent effects, but {why}: remove {' and '.join(refits)} from draw "
                    "or pool with inverse-variance",
                )
        for i, name in enumerate(draw):
            if name in draw[:i]:
                self.report("figures.draw", f"lists {name} twice; list each figure once")
                break

    def _listed(self, key: str) -> Iterator[tuple[int, str]]:
        for i, item in enumerate(self.plain.list(f"studies.{key}")):
            sid = item if key == "ids" else (item.get("id") if isinstance(item, dict) else None)
            if isinstance(sid, str):
                yield i, sid

    def repeated_studies(self) -> None:
        # a study listed twice is most likely a typo for another one
        for key in ("ids", "exclude"):
            seen: dict[str, int] = {}
            for i, sid in self._listed(key):
                if sid in seen:
                    self.report_item(
                        key, i, f"repeats '{sid}' (studies.{key}[{seen[sid]}]); list each study once"
                    )
                else:
                    seen[sid] = i

    def placeholders(self) -> None:
        from metaevidence.workflow.placeholders import PROSE_FIELDS, template_problems

        for dotted in PROSE_FIELDS:
            text = self.plain.get(dotted)
            if isinstance(text, str):
                for message in template_problems(text):
                    self.report(dotted, message)

    def reference(self) -> None:
        if self.measure not in RATIO_MEASURES:
            return
        for name in ("estimate", "lower", "upper"):
            value = self.plain.number(f"reference.{name}")
            if value is not None and value <= 0:
                self.report(
                    f"reference.{name}",
                    f"must be > 0 when measure is {self.measure}: give the "
                    f"reference ratio on its natural scale, not logged; "
                    f"got {value!r}",
                )

    def ratios_and_direction(self) -> None:
        treat_as = self.plain.mapping("treat_as")
        for reported, target in treat_as.items():
            if not isinstance(target, str) or f"treat_as.{reported}" in self.reported:
                continue
            if self.measure not in ("OR", "RR", "HR"):
                self.report(
                    "treat_as",
                    f"pools reported ratios as the analysis's ratio measure; measure is "
                    f"'{self.measure}', not OR, RR or HR",
                )
                return
            if reported == self.measure:
                self.report(f"treat_as.{reported}", f"maps {reported} to itself; list only other measures")
            elif target != self.measure:
                self.report(
                    f"treat_as.{reported}",
                    f"must be the analysis's measure ({self.measure}): a {reported} row is pooled as "
                    f"{self.measure}; got '{target}'",
                )
        benefit = self.plain.text("direction.benefit")
        beneficial = self.plain.get("figures.forest.beneficial")
        if benefit is not None and isinstance(beneficial, bool) and beneficial != (benefit == "higher"):
            self.report(
                "figures.forest.beneficial",
                f"is {str(beneficial).lower()}, but direction.benefit is {benefit}: effects "
                f"{'above' if benefit == 'higher' else 'below'} no effect favour the experimental "
                "group; remove figures.forest.beneficial (it follows the direction) or correct one",
            )

    def against(self, evidence: EvidenceBase) -> None:
        outcome = self.plain.text("studies.outcome")
        if outcome is not None and outcome not in evidence.outcome_ids:
            self.report(
                "studies.outcome",
                f"must be an outcome id used by the study records; got "
                f"'{outcome}'{_close(outcome, evidence.outcome_ids)}"
                + (
                    ""
                    if evidence.outcome_ids
                    else " (there are no study records yet: add one with metaevidence new-study ID)"
                ),
            )
        for key in ("ids", "exclude"):
            for i, sid in self._listed(key):
                if sid not in evidence:
                    self.report_item(
                        key,
                        i,
                        f"must be the id of a study record; got '{sid}', which is not"
                        f"{_close(sid, evidence.ids)}",
                    )


class _Plain:
    """Typed, forgiving lookups in a plain tree that may not have passed the schema."""

    __slots__ = ("root",)

    def __init__(self, root: Any):
        self.root = root

    def get(self, dotted: str) -> Any:
        cur = self.root
        for part in dotted.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return None
            cur = cur[part]
        return cur

    def text(self, dotted: str) -> str | None:
        value = self.get(dotted)
        return value if isinstance(value, str) else None

    def number(self, dotted: str) -> float | None:
        value = self.get(dotted)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def list(self, dotted: str) -> list:
        value = self.get(dotted)
        return value if isinstance(value, list) else []

    def mapping(self, dotted: str) -> dict:
        value = self.get(dotted)
        return value if isinstance(value, dict) else {}


def _item_line(tree: YMap, dotted: str, index: int) -> int:
    node = _node(tree, dotted)
    if isinstance(node, YSeq) and index < len(node.items):
        return node.items[index].line
    return line_of(tree, dotted)


def _close(value: str, known) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
