"""The ``metaevidence`` command line: parse arguments, call the library, print, exit.

Every subcommand is a function ``_cmd_<name>(args) -> int``. User mistakes arrive as
:class:`~metaevidence.errors.MetaevidenceError` (or ``ValueError``/``OSError`` from a
bad path) and are printed as one clear message with exit status 1 -- never as a
traceback. Exit status 2 is argparse's, for a malformed command line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from metaevidence import __version__
from metaevidence.errors import MetaevidenceError

Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metaevidence",
        description="Living systematic reviews: validate study records, run analyses, "
        "and see what each new study changed.",
    )
    parser.add_argument("--version", action="version", version=f"metaevidence {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for register in _REGISTRARS:
        register(sub)
    return parser


_REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = []


# --------------------------------------------------------------------------- evidence commands
# validate / studies / new-study / schema; the work is in metaevidence.evidence.commands.


def _register_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check every study record (and analysis spec); list every problem")
    p.add_argument(
        "--studies", default="studies", metavar="DIR", help="study records folder (default: studies)"
    )
    p.add_argument(
        "--analyses", default="analyses", metavar="DIR", help="analysis specs folder (default: analyses)"
    )
    p.set_defaults(handler=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from metaevidence.workflow.spec import validate_review

    report = validate_review(args.studies, args.analyses)
    from metaevidence.workflow.prisma import ledger_problems  # review.yaml beside studies/

    ledger = ledger_problems(args.studies)
    # outside a review folder the summary alone says where we looked and what to do
    for problem in () if report.outside_a_review else (*report.problems, *ledger):
        print(problem)
    print(report.summary() + (f"; {len(ledger)} problem(s) in the review ledger" if ledger else ""))
    if report.evidence is not None:  # what each record still lists as missing, and a total
        from metaevidence.evidence.commands import missing_table

        print(missing_table(report.evidence), end="")
    return 0 if report.ok and not ledger else 1


def _register_studies(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("studies", help="list the evidence base as a table")
    p.add_argument(
        "--studies", default="studies", metavar="DIR", help="study records folder (default: studies)"
    )
    p.set_defaults(handler=_cmd_studies)


def _cmd_studies(args: argparse.Namespace) -> int:
    from metaevidence.evidence import load_evidence
    from metaevidence.evidence.commands import studies_table

    print(studies_table(load_evidence(args.studies)), end="")
    return 0


def _register_new_study(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new-study", help="write a commented template study record to fill in")
    p.add_argument("id", help="study id, e.g. martinelli-2020 (first author, year)")
    p.add_argument(
        "--studies", default="studies", metavar="DIR", help="study records folder (default: studies)"
    )
    p.set_defaults(handler=_cmd_new_study)


def _cmd_new_study(args: argparse.Namespace) -> int:
    from metaevidence.evidence.commands import new_study

    try:
        path = new_study(args.id, args.studies)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path}: fill it in, then run `metaevidence validate`")
    return 0


def _register_schema(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of study records (for editors)")
    p.add_argument("--analysis", action="store_true", help="the schema of analysis specs instead")
    p.set_defaults(handler=_cmd_schema)


def _cmd_schema(args: argparse.Namespace) -> int:
    from metaevidence.evidence.schema import json_schema_text

    if getattr(args, "analysis", False):
        from metaevidence.workflow.schema import json_schema_text
    print(json_schema_text(), end="")
    return 0


_REGISTRARS += [_register_validate, _register_studies, _register_new_study, _register_schema]


# --------------------------------------------------------------------------- workflow commands
# run / show / diff; the work is in metaevidence.workflow.commands.


def _review_folders(
    p: argparse.ArgumentParser, *, studies: bool = True, analyses: bool = True, figures: bool = True
) -> None:
    if studies:
        p.add_argument(
            "--studies", default="studies", metavar="DIR", help="study records folder (default: studies)"
        )
    if analyses:
        p.add_argument(
            "--analyses", default="analyses", metavar="DIR", help="analysis specs folder (default: analyses)"
        )
    p.add_argument("--results", default="results", metavar="DIR", help="results folder (default: results)")
    if figures:
        p.add_argument(
            "--figures", default="figures", metavar="DIR", help="figures folder (default: figures)"
        )


def _paths(args: argparse.Namespace):
    from metaevidence.workflow.run import Paths

    return Paths.of(
        getattr(args, "studies", "studies"),
        getattr(args, "analyses", "analyses"),
        args.results,
        getattr(args, "figures", "figures"),
    )


def _register_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="run the analyses into results/ and figures/ (or --check that they are current)"
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="analyses to run (default: every spec in analyses/)")
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the stored results are stale (for CI)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="recompute every analysis, even those whose inputs and versions are unchanged "
        "(with --check: compare the recomputed numbers with the committed ones)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    p.add_argument(
        "--site", action="store_true", help="then build the web site and Word report (as `metaevidence site`)"
    )
    _review_folders(p)
    p.set_defaults(handler=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    from metaevidence.workflow.commands import run_command

    status = run_command(_paths(args), args.ids, check=args.check, quiet=args.quiet, force=args.force)
    if args.site and not args.check and status == 0:
        from metaevidence.site.commands import site_command

        status = site_command(_paths(args), "site")
    return status


def _register_show(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="print the report of an analysis (from results/)")
    p.add_argument("id", metavar="ID", help="the analysis id")
    _review_folders(p, studies=False, analyses=False, figures=False)
    p.set_defaults(handler=_cmd_show)


def _cmd_show(args: argparse.Namespace) -> int:
    from metaevidence.workflow.commands import show_command

    return show_command(_paths(args), args.id)


def _register_diff(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff", help="what changed in the evidence and its conclusions since the committed results"
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="only these analyses (default: all)")
    p.add_argument(
        "--since",
        metavar="REV",
        help="compare with this git revision (default: HEAD, or results/ on disk outside git)",
    )
    p.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text (default) or markdown (for a pull-request comment)",
    )
    _review_folders(p, figures=False)
    p.set_defaults(handler=_cmd_diff)


def _cmd_diff(args: argparse.Namespace) -> int:
    from metaevidence.workflow.commands import diff_command

    return diff_command(_paths(args), since=args.since, fmt=args.format, only=tuple(args.ids))


_REGISTRARS += [_register_run, _register_show, _register_diff]


def _register_init(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="start a review: studies/, analyses/ with a first spec, a README")
    p.add_argument("folder", nargs="?", default=".", help="the review's folder (default: here)")
    p.add_argument("--title", default="A living systematic review", help="the review's title")
    p.add_argument("--outcome", default="primary-outcome", help="outcome id of the first analysis")
    p.set_defaults(handler=_cmd_init)


def _cmd_init(args: argparse.Namespace) -> int:
    from metaevidence.workflow.init import init_review

    written, kept = init_review(args.folder, title=args.title, outcome=args.outcome)
    for path in written:
        print(f"wrote {path}")
    for path in kept:
        print(f"kept {path} (it exists; left unchanged)")
    print("next: metaevidence new-study ID (one record per study), then metaevidence validate")
    return 0


_REGISTRARS += [_register_init]


# --------------------------------------------------------------------------- site
# the published face: metaevidence.site (a layer above workflow).


def _register_site(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "site", help="build the static web site and the Word report of the review from results/"
    )
    p.add_argument("--out", default="site", metavar="DIR", help="site folder (default: site)")
    _review_folders(p, analyses=False)
    p.set_defaults(handler=_cmd_site)


def _cmd_site(args: argparse.Namespace) -> int:
    from metaevidence.site.commands import site_command

    return site_command(_paths(args), args.out)


_REGISTRARS += [_register_site]


# --------------------------------------------------------------------------- simulation studies
# simulate; the work is in metaevidence.workflow.simulation.


def _register_simulate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("simulate", help="run a simulation study from a YAML spec; write tables and plots")
    p.add_argument(
        "spec", metavar="SPEC.yaml", help="the simulation spec (scenarios, methods, reps, seed, ...)"
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: <spec stem>-results next to the spec)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(handler=_cmd_simulate)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from metaevidence.workflow.simulation import run_simulation_spec

    out, sim = run_simulation_spec(args.spec, args.out, progress=not args.quiet)
    n = sim.reps * len(sim.scenarios)
    print(
        f"{n:,} meta-analyses x {len(sim.methods)} methods in {sim.seconds:.1f} s ({sim.backend}); wrote {out}"
    )
    return 0


_REGISTRARS += [_register_simulate]


# --------------------------------------------------------------------------- import / export
# the work is in metaevidence.io.commands and metaevidence.io.export.


def _register_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import", help="study records from a CSV/Excel table, a RevMan file, or RIS/BibTeX references"
    )
    p.add_argument("file", help=".csv, .xlsx, .rm5, RevMan CSV or Web .zip, .ris, .bib")
    p.add_argument(
        "--outcome", metavar="ID", help="outcome id of the rows (tables without an outcome column)"
    )
    p.add_argument("--measure", help="effect measure of the analysis spec (and of yi/vi columns: OR, RR, HR)")
    p.add_argument(
        "--kind", choices=("binary", "continuous", "paired", "log_se", "correlation"), help="the data kind"
    )
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN", help="column of a field (repeatable)")
    p.add_argument("--mapping", metavar="FILE", help="a YAML mapping file (columns: {field: column})")
    p.add_argument("--sheet", help="worksheet of an Excel file (default: the first)")
    p.add_argument("--experimental", help="name of the experimental group (default 'experimental')")
    p.add_argument("--control", help="name of the control group (default 'control')")
    p.add_argument("--timepoint", help="timepoint of the rows (default 'not reported')")
    p.add_argument("--by", help="extraction.by of the new records (default 'metaevidence import')")
    p.add_argument("--no-analysis", action="store_true", help="write no analysis spec")
    p.add_argument("--partial", action="store_true", help="write the good rows and list the others")
    _review_folders(p, studies=True, analyses=True, figures=False)
    p.set_defaults(handler=_cmd_import)


def _cmd_import(args: argparse.Namespace) -> int:
    from metaevidence.io.commands import import_file, parse_map_option

    result = import_file(
        args.file,
        args.studies,
        None if args.no_analysis else args.analyses,
        mapping=parse_map_option(args.map),
        mapping_file=args.mapping,
        sheet=args.sheet,
        partial=args.partial,
        **{
            k: getattr(args, k)
            for k in ("outcome", "measure", "kind", "experimental", "control", "timepoint", "by")
        },
    )
    for path in result.written:
        print(f"wrote {path}")
    for note in result.notes:
        print(f"note: {note}")
    if result.problems:
        print(f"{len(result.problems)} row(s) not imported:", file=sys.stderr)
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
    print("next: fill in what each record lists under extraction.missing, then `metaevidence validate`")
    return 0


def _register_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="the evidence base or an analysis's study rows as CSV, or a RevMan file"
    )
    p.add_argument("what", choices=("studies", "analysis"), help="the evidence base, or one analysis")
    p.add_argument("id", nargs="?", metavar="ID", help="the analysis id (with `analysis`)")
    p.add_argument("--format", choices=("metafor", "revman-csv", "rm5"), default="metafor")
    p.add_argument("-o", "--output", metavar="FILE", required=True, help="the file to write")
    _review_folders(p, studies=True, analyses=True, figures=False)
    p.set_defaults(handler=_cmd_export)


def _cmd_export(args: argparse.Namespace) -> int:
    from metaevidence.workflow.exporting import export_command

    path = export_command(args.what, args.id, args.format, args.output, args.studies, args.analyses)
    print(f"wrote {path}")
    return 0


_REGISTRARS += [_register_import, _register_export]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Command = args.handler
    try:
        return handler(args)
    except MetaevidenceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; published results were left as they were", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `metaevidence studies | head`: the reader has all it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
