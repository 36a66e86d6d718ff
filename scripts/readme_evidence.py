"""Rewrite the "The evidence so far" section of README.md from results/*.json.

    python scripts/readme_evidence.py          # rewrite the section between the markers
    python scripts/readme_evidence.py --check  # exit 1 if the section is not current

Only the text between <!-- evidence-summary:start --> and <!-- evidence-summary:end --> is
touched. Run it after `metaevidence run`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the section is stale")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--results", type=Path, default=ROOT / "results")
    args = parser.parse_args(argv)
    try:
        from metaevidence.workflow.readme import evidence_section, replace_section
    except ImportError:  # a checkout that is not installed: use its package
        sys.path.insert(0, str(ROOT))
        from metaevidence.workflow.readme import evidence_section, replace_section

    text = args.readme.read_text(encoding="utf-8")
    new = replace_section(text, evidence_section(args.results))
    if args.check:
        if new != text:
            print(
                f"{args.readme}: 'The evidence so far' is stale; run python scripts/readme_evidence.py",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
