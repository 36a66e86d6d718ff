"""What the evidence commands of the CLI do: ``validate``, ``studies``, ``new-study``, ``schema``.

``metaevidence/cli.py`` only parses arguments and prints; the work is here, testable
without a subprocess.

Analysis specs belong to a higher layer (:mod:`metaevidence.workflow`), so :func:`validate_all`
is given their checker (``check_specs(analyses_dir, evidence)``, returning a list of
:class:`~metaevidence.errors.RecordProblem`; ``evidence`` is the loaded :class:`EvidenceBase`,
or None when the studies had problems): ``metaevidence validate`` passes
:func:`metaevidence.workflow.spec.validate_specs` through
:func:`metaevidence.workflow.spec.validate_review`. Without one, only the studies are checked
and the summary says so.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from metaevidence.errors import RecordProblem
from metaevidence.evidence.base import EvidenceBase, scan_studies
from metaevidence.evidence.schema import SLUG

__all__ = ["ValidationReport", "validate_all", "studies_table", "missing_table", "new_study", "template_text"]

#: The checker of a folder of analysis specs: ``check(analyses_dir, evidence) -> problems``.
SpecChecker = Callable[[Path, EvidenceBase | None], list[RecordProblem]]


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of :func:`validate_all`.

    Attributes
    ----------
    problems : tuple of RecordProblem
        Every problem in studies and (when checked) analyses, studies first.
    n_study_files : int
        Study record files read.
    n_outcomes : int or None
        Outcome entries in the evidence base (None when the studies had problems).
    analyses_checked : bool
        Whether analysis specs were validated.
    analyses_note : str
        What was done about analyses, for the summary line.
    evidence : EvidenceBase or None
        The evidence base, when the studies were clean.
    studies_dir : Path or None
        The folder of study records that was read (to say so when it does not exist).
    """

    problems: tuple[RecordProblem, ...]
    n_study_files: int
    n_outcomes: int | None
    analyses_checked: bool
    analyses_note: str
    evidence: EvidenceBase | None
    studies_dir: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def outside_a_review(self) -> bool:
        """True when the studies folder does not exist: :meth:`summary` then says it all."""
        return self.studies_dir is not None and not self.studies_dir.is_dir()

    def summary(self) -> str:
        """One line: what was checked and how many problems were found."""
        if self.outside_a_review:
            return _not_a_review(self.studies_dir, len(self.problems))
        files = {str(p.path) for p in self.problems}
        n = len(self.problems)
        studies = f"{self.n_study_files} study record{'s' if self.n_study_files != 1 else ''}"
        if self.n_outcomes is not None:
            studies += f" ({self.n_outcomes} outcome entr{'ies' if self.n_outcomes != 1 else 'y'})"
        if n:
            head = f"{n} problem{'s' if n != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}"
            return f"{head}; checked {studies}; {self.analyses_note}"
        return f"no problems: {studies}; {self.analyses_note}"


def _not_a_review(studies_dir: Path, n: int) -> str:
    """The summary when there is no studies folder: where we looked and what to do."""
    where = studies_dir.absolute().parent
    return (
        f"{n} problem{'s' if n != 1 else ''}: {where} is not a review folder (it has no {studies_dir.name}/ folder of "
        f"study records: looked for {studies_dir.absolute()}); run metaevidence validate in the review's folder (the one holding "
        "studies/ and analyses/), pass --studies DIR, or start a review here with metaevidence init"
    )


def validate_all(
    studies_dir: str | Path = "studies",
    analyses_dir: str | Path | None = "analyses",
    *,
    check_specs: SpecChecker | None = None,
) -> ValidationReport:
    """Validate every study record and (given their checker) every analysis spec.

    Parameters
    ----------
    studies_dir : str or Path
        Folder of study records.
    analyses_dir : str or Path or None
        Folder of analysis specs; None skips them.
    check_specs : callable, optional
        ``check_specs(analyses_dir, evidence)``: the problems of the specs in
        ``analyses_dir`` (:func:`metaevidence.workflow.spec.validate_specs`); without it the
        specs are not checked.

    Returns
    -------
    ValidationReport
        Never raises for bad records or specs: everything is in ``problems``.
    """
    evidence, problems, n_files = scan_studies(studies_dir)
    n_outcomes = len(evidence.outcomes) if evidence is not None else None
    if analyses_dir is None:
        checked, spec_problems, note = False, [], "analyses not checked (none given)"
    elif check_specs is None:
        checked, spec_problems, note = False, [], "analyses not checked (no spec checker given)"
    else:
        checked, spec_problems, note = _check_analyses(Path(analyses_dir), evidence, check_specs)
    return ValidationReport(
        tuple(problems) + tuple(spec_problems),
        n_files,
        n_outcomes,
        checked,
        note,
        evidence,
        Path(studies_dir),
    )


def _check_analyses(
    analyses_dir: Path, evidence: EvidenceBase | None, check_specs: SpecChecker
) -> tuple[bool, list[RecordProblem], str]:
    problems = list(check_specs(analyses_dir, evidence))
    if not analyses_dir.exists():
        return True, problems, f"no analyses folder ({analyses_dir}/): no specs to check"
    n = sum(1 for p in analyses_dir.glob("*.yaml") if not p.name.startswith("."))
    return True, problems, f"{n} analysis spec{'s' if n != 1 else ''} in {analyses_dir}/ checked"


def _short(item: str, width: int = 48) -> str:
    """The name of a missing item: its text up to the first explanation (':' or ' (')."""
    head = re.split(r":\s| \(", item.strip(), maxsplit=1)[0].strip() or item.strip()
    return head if len(head) <= width else head[: width - 3].rstrip() + "..."


def missing_table(evidence: EvidenceBase, width: int = 110) -> str:
    """What is still to fill in: per record, the short names of its ``extraction.missing`` items.

    One line per record that lists something (imports list the full citation, the design and
    the population a table cannot give), then a total; "" when nothing is missing.
    """
    rows = [
        (s.id, [_short(m) for m in s.extraction.missing]) for s in evidence.studies if s.extraction.missing
    ]
    if not rows:
        return ""
    total = sum(len(items) for _sid, items in rows)
    pad = max(len(sid) for sid, _items in rows)
    lines = [
        f"still to fill in (extraction.missing): {total} item{'s' if total != 1 else ''} in "
        f"{len(rows)} record{'s' if len(rows) != 1 else ''}"
    ]
    for sid, items in rows:
        line = f"  {sid.ljust(pad)}  " + "; ".join(items)
        if len(line) > width:
            shown = f"  {sid.ljust(pad)}  "
            for i, item in enumerate(items):
                more = f" (+{len(items) - i} more)"
                if len(shown) + len(item) + 2 + len(more) > width and i:
                    shown = shown.rstrip("; ") + more
                    break
                shown += item + "; "
            line = shown.rstrip("; ")
        lines.append(line)
    return "\n".join(lines) + "\n"


def studies_table(evidence: EvidenceBase) -> str:
    """The evidence base as a text table: id, year, design, outcomes, data kind, extraction."""
    header = ("id", "year", "design", "outcomes", "data kind", "extraction")
    rows = []
    for s in evidence.studies:
        kinds = list(dict.fromkeys(e.kind for e in s.outcomes))
        status = s.extraction.status
        if status == "partial":
            status += f" ({len(s.extraction.missing)} missing)"
        rows.append((s.id, str(s.year), s.design, str(len(s.outcomes)), ", ".join(kinds), status))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {1, 3}

    def fmt(row) -> str:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        return "  ".join(cells).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths), *map(fmt, rows)]
    n_entries = sum(len(s.outcomes) for s in evidence.studies)
    lines.append(
        f"{len(rows)} stud{'ies' if len(rows) != 1 else 'y'}, {n_entries} outcome "
        f"entr{'ies' if n_entries != 1 else 'y'}"
    )
    return "\n".join(lines) + "\n"


def template_text(study_id: str, *, today: _dt.date | None = None) -> str:
    """The commented template record for ``study_id``."""
    text = (
        resources.files("metaevidence.evidence").joinpath("templates/study.yaml").read_text(encoding="utf-8")
    )
    return text.replace("__ID__", study_id).replace("__DATE__", (today or _dt.date.today()).isoformat())


def new_study(study_id: str, studies_dir: str | Path = "studies", *, today: _dt.date | None = None) -> Path:
    """Write a commented template record ``<studies_dir>/<study_id>.yaml`` and return its path.

    Raises
    ------
    ValueError
        When ``study_id`` is not an id (lower-case letters, digits, single hyphens).
    FileExistsError
        When the record already exists (it is never overwritten).
    FileNotFoundError
        When ``studies_dir`` does not exist.
    """
    if not isinstance(study_id, str) or not re.fullmatch(SLUG.pattern, study_id):
        raise ValueError(
            f"study id must be {SLUG.shape}, conventionally the first author's surname "
            f"and the year (e.g. martinelli-2020); got {study_id!r}"
        )
    folder = Path(studies_dir)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"studies folder {str(folder)!r} does not exist in {Path.cwd()}: run "
            f"metaevidence in the review's folder (the one holding studies/ and "
            f"analyses/), pass --studies DIR, or start a review here with metaevidence init"
        )
    target = folder / f"{study_id}.yaml"
    try:
        with open(target, "x", encoding="utf-8") as fh:
            fh.write(template_text(study_id, today=today))
    except FileExistsError:
        raise FileExistsError(
            f"{target} already exists; it was left unchanged (edit it, or choose another id)"
        ) from None
    return target
