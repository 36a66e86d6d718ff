"""The package's own exceptions and warnings.

Every message follows one shape: what was wrong, where, what is allowed, what was
received -- for example::

    studies/martinelli-2020.yaml:14: outcomes[0].data.experimental.events must be an
    integer between 0 and total (114); got 115

User mistakes raise these (or plain ``ValueError``/``TypeError``); they are never
reported with ``assert`` and the command line never shows a traceback for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MetaevidenceError",
    "RecordError",
    "RecordProblem",
    "SpecError",
    "StoreError",
    "ConvergenceWarning",
    "SmallSampleWarning",
    "LargeEffectWarning",
]


class MetaevidenceError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True, slots=True)
class RecordProblem:
    """One problem found in a study record or analysis spec.

    Attributes
    ----------
    path : Path or None
        The file the problem is in.
    line : int or None
        1-based line number of the offending node, when known.
    field : str
        Dotted path of the field, e.g. ``outcomes[0].data.experimental.events``;
        empty for whole-file problems (YAML syntax, encoding).
    message : str
        What is allowed and what was found.
    """

    path: Path | None
    line: int | None
    field: str
    message: str

    def location(self) -> str:
        where = str(self.path) if self.path is not None else "<record>"
        if self.line is not None:
            where += f":{self.line}"
        return where

    def __str__(self) -> str:
        field = f"{self.field} " if self.field else ""
        return f"{self.location()}: {field}{self.message}"


class RecordError(MetaevidenceError, ValueError):
    """One or more problems in study records; ``problems`` lists them all.

    Validation collects every problem in one pass and raises a single
    ``RecordError`` whose message lists each on its own line.
    """

    def __init__(self, problems: list[RecordProblem] | tuple[RecordProblem, ...]):
        self.problems: tuple[RecordProblem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the records"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


class SpecError(RecordError):
    """One or more problems in analysis specs (``analyses/*.yaml``)."""


class StoreError(MetaevidenceError, OSError):
    """A file the package writes or reads (results, figures, records) could not be written or read."""


class ConvergenceWarning(UserWarning):
    """An iterative estimator stopped before meeting its tolerance.

    The result carrying it is flagged (``converged=False``); the message names the
    analysis, the estimator, the iterations used and what to try instead.
    """


class SmallSampleWarning(UserWarning):
    """A method was applied to fewer studies than guidance recommends
    (e.g. funnel-asymmetry tests with k < 10, Cochrane Handbook section 13.3.5.4).
    """


class LargeEffectWarning(UserWarning):
    """An effect size is implausibly large for its measure, as data-entry slips make them
    (e.g. a standardized mean difference beyond 2: standard errors used as SDs?).
    """
