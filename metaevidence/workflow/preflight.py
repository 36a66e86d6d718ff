"""What ``metaevidence run`` would stop on, found by ``metaevidence validate`` first.

A spec can be valid on its own and still fail against the evidence: a study with two usable
entries for the outcome (two timepoints), subgroups by a field no selected study has, a
cumulative order by a field no pooled study has. :func:`preflight` computes every analysis
that parsed (numbers only: no figures, nothing written) and reports each such failure as a
:class:`~metaevidence.errors.RecordProblem` at the line of the spec field it is about, in the
spec's own words -- so ``validate`` reports every problem that ``run`` would hit.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path

from metaevidence._schema.yamlload import YMap, read_yaml
from metaevidence.errors import MetaevidenceError, RecordProblem

__all__ = ["preflight"]


def _line(path: Path, field: str | None) -> int:
    """Line of ``field`` (dotted) in the spec file, or of its nearest parent; 1 when unknown."""
    from metaevidence.workflow.spec_checks import line_of as line_in

    tree, _problems = read_yaml(path)
    if not isinstance(tree, YMap):
        return 1
    return line_in(tree, field) if field else tree.line


def preflight(specs: Iterable, evidence) -> list[RecordProblem]:
    """Every problem computing the analyses of ``specs`` from ``evidence`` would hit."""
    from metaevidence.workflow.compute import AnalysisError, compute

    problems = []
    for spec in specs:
        prefix = f"analysis {spec.id!r}: "
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # warnings become notes of the run's report
                compute(spec, evidence)
        except AnalysisError as exc:
            message = str(exc).removeprefix(prefix)
            if exc.record is not None:  # the problem is in a study record: report it at its line
                path, line, field, detail = exc.record
                problems.append(RecordProblem(path, line or 1, field, f"{detail} (analysis {spec.id!r})"))
                continue
            if exc.field:  # the field leads the line already: "file:18: subgroups.by is ..."
                message = message.removeprefix(f"{exc.field} ")
            problems.append(RecordProblem(spec.path, _line(spec.path, exc.field), exc.field or "", message))
        except MetaevidenceError as exc:
            problems.append(RecordProblem(spec.path, 1, "", str(exc).removeprefix(prefix)))
        except Exception as exc:  # noqa: BLE001 - reported, never raised: validate must finish
            problems.append(
                RecordProblem(
                    spec.path,
                    1,
                    "",
                    f"this analysis cannot be computed (internal error {type(exc).__name__}: {exc}); "
                    "please report this",
                )
            )
    return problems
