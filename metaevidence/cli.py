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
    p.add_argument("--studies", default="studies", metavar="DIR", help="study records folder (default: studies)")
    p.add_argument("--analyses", default="analyses", metavar="DIR", help="analysis specs folder (default: analyses)")
    p.set_defaults(handler=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from metaevidence.evidence.commands import validate_all

    report = validate_all(args.studies, args.analyses)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    return 0 if report.ok else 1


def _register_studies(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("studies", help="list the evidence base as a table")
    p.add_argument("--studies", default="studies", metavar="DIR", help="study records folder (default: studies)")
    p.set_defaults(handler=_cmd_studies)


def _cmd_studies(args: argparse.Namespace) -> int:
    from metaevidence.evidence import load_evidence
    from metaevidence.evidence.commands import studies_table

    print(studies_table(load_evidence(args.studies)), end="")
    return 0


def _register_new_study(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new-study", help="write a commented template study record to fill in")
    p.add_argument("id", help="study id, e.g. martinelli-2020 (first author, year)")
    p.add_argument("--studies", default="studies", metavar="DIR", help="study records folder (default: studies)")
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
    p.set_defaults(handler=_cmd_schema)


def _cmd_schema(args: argparse.Namespace) -> int:
    from metaevidence.evidence.jsonschema import json_schema_text

    print(json_schema_text(), end="")
    return 0


_REGISTRARS += [_register_validate, _register_studies, _register_new_study, _register_schema]


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
