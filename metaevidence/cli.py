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
