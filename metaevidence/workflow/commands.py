"""What the workflow commands of the CLI do: ``run`` (and ``run --check``), ``show``, ``diff``.

``metaevidence/cli.py`` parses the arguments and calls these; each returns the exit status
and prints through the given streams, so tests call them without a subprocess.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from metaevidence.workflow.run import Paths, RunReport, check_results, load_document, run_analyses

__all__ = ["run_command", "show_command", "diff_command", "Progress"]


class Progress:
    """Progress lines on a stream (stderr): on a terminal each analysis's line is updated in
    place ("computing" -> "updated"); otherwise only finished lines are written.
    """

    def __init__(self, stream: TextIO, *, quiet: bool = False):
        self.stream = stream
        self.quiet = quiet
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.pending = False

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        transient = message.endswith(": computing") or message.startswith("checking ")
        if self.tty:
            self.stream.write(("\r\x1b[K" if self.pending else "") + message + ("" if transient else "\n"))
            self.pending = transient
            self.stream.flush()
        elif not transient:
            self.stream.write(message + "\n")

    def close(self) -> None:
        if self.pending and not self.quiet:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self.pending = False


def _print_problems(report: RunReport, err: TextIO) -> None:
    for p in report.problems:
        print(p, file=err)
    for o in report.outcomes:
        for p in o.problems:
            print(p, file=err)
        if o.status == "failed" and not o.problems:
            print(f"{o.id}: {o.detail}", file=err)


def run_command(
    paths: Paths,
    ids: Sequence[str] = (),
    *,
    check: bool = False,
    quiet: bool = False,
    force: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """``metaevidence run [ID ...] [--check] [--force] [--quiet]``; returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    progress = Progress(err, quiet=quiet)
    try:
        if check:
            report = check_results(paths, list(ids) or None, progress=progress, force=force)
        else:
            report = run_analyses(paths, list(ids) or None, progress=progress, force=force)
    finally:
        progress.close()
    _print_problems(report, err)
    out.write(report.summary())
    if check and not report.ok and not report.problems:
        out.write("the results are stale: run `metaevidence run` and commit results/ and figures/\n")
    return 0 if report.ok else 1


def show_command(paths: Paths, analysis_id: str, *, out: TextIO | None = None) -> int:
    """``metaevidence show ID``: the report of an analysis, from its stored results."""
    from metaevidence.workflow.report import render_report

    out = out or sys.stdout
    out.write(render_report(load_document(paths.store(), analysis_id)))
    return 0


def diff_command(
    paths: Paths,
    *,
    since: str | None = None,
    fmt: str = "text",
    out: TextIO | None = None,
    only: tuple[str, ...] = (),
) -> int:
    """``metaevidence diff [ID ...] [--since REV] [--format text|markdown]``; 1 when an analysis failed now."""
    from metaevidence.workflow.compare import evidence_diff
    from metaevidence.workflow.diff import restrict

    out = out or sys.stdout
    diff = evidence_diff(paths, since)
    if only:
        diff = restrict(diff, only)
    out.write(diff.markdown() if fmt == "markdown" else diff.text())
    return 1 if any(a.status == "failed" for a in diff.analyses) else 0
