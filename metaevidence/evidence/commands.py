"""What the evidence commands of the CLI do: ``validate``, ``studies``, ``new-study``, ``schema``.

``metaevidence/cli.py`` only parses arguments and prints; the work is here, testable
without a subprocess.

Analysis specs are validated through a hook: :func:`validate_all` calls
``metaevidence.workflow.spec.validate_specs(analyses_dir)`` (passing ``evidence=`` too when
that function accepts it: the loaded :class:`EvidenceBase`, or None when the studies had
problems) and expects a list of :class:`~metaevidence.errors.RecordProblem`. Until that
module exists, only the studies are checked and the summary says so.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import inspect
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from metaevidence.errors import RecordProblem
from metaevidence.evidence.base import EvidenceBase, scan_studies
from metaevidence.evidence.schema import SLUG

__all__ = ["ValidationReport", "validate_all", "studies_table", "new_study", "template_text"]

SPEC_MODULE = "metaevidence.workflow.spec"


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

    def summary(self) -> str:
        """One line: what was checked and how many problems were found."""
        if self.studies_dir is not None and not self.studies_dir.is_dir():
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
        "study records); run metaevidence validate in the review's folder (the one holding "
        "studies/ and analyses/), pass --studies DIR, or start a review here with metaevidence init"
    )


def validate_all(
    studies_dir: str | Path = "studies", analyses_dir: str | Path | None = "analyses"
) -> ValidationReport:
    """Validate every study record and (when the spec validator exists) every analysis spec.

    Parameters
    ----------
    studies_dir : str or Path
        Folder of study records.
    analyses_dir : str or Path or None
        Folder of analysis specs; None skips them.

    Returns
    -------
    ValidationReport
        Never raises for bad records or specs: everything is in ``problems``.
    """
    evidence, problems, n_files = scan_studies(studies_dir)
    n_outcomes = len(evidence.outcomes) if evidence is not None else None
    if analyses_dir is None:
        checked, spec_problems, note = False, [], "analyses not checked (none given)"
    else:
        checked, spec_problems, note = _check_analyses(Path(analyses_dir), evidence)
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
    analyses_dir: Path, evidence: EvidenceBase | None
) -> tuple[bool, list[RecordProblem], str]:
    """THE HOOK for analysis-spec validation (see the module docstring)."""
    try:
        module = importlib.import_module(SPEC_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in (SPEC_MODULE, "metaevidence.workflow"):
            return False, [], f"analyses not checked ({SPEC_MODULE} is not available yet)"
        raise
    validate_specs = getattr(module, "validate_specs", None)
    if validate_specs is None:
        return False, [], f"analyses not checked ({SPEC_MODULE} has no validate_specs)"
    if "evidence" in inspect.signature(validate_specs).parameters:
        problems = list(validate_specs(analyses_dir, evidence=evidence))
    else:
        problems = list(validate_specs(analyses_dir))
    if not analyses_dir.exists():
        return True, problems, f"no analyses folder ({analyses_dir}/): no specs to check"
    n = sum(1 for p in analyses_dir.glob("*.yaml") if not p.name.startswith("."))
    return True, problems, f"{n} analysis spec{'s' if n != 1 else ''} in {analyses_dir}/ checked"


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
