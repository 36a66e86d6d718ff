"""The repository's own living review: its records are valid and its published state is current.

CI fails here when a study record or analysis spec changed without `metaevidence run`, when
a results file or figure was edited by hand, or when README's "The evidence so far" was not
regenerated (`python scripts/readme_evidence.py`).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from metaevidence.cli import main
from metaevidence.workflow.readme import END, START, evidence_section, replace_section

ROOT = Path(__file__).resolve().parents[2]


def metaevidence(*args: str) -> tuple[int, str]:
    """``metaevidence ARGS`` in the repository root: exit status and output."""
    out = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(list(args))
    return status, out.getvalue()


def test_validate_is_clean_on_the_repository():
    status, out = metaevidence("validate")
    assert status == 0 and out.startswith("no problems:"), out


def test_committed_results_are_current():
    status, out = metaevidence("run", "--check", "--quiet")
    assert status == 0, "run `metaevidence run` and commit results/ and figures/:\n" + out
    specs = sorted(p.stem for p in (ROOT / "analyses").glob("*.yaml"))
    assert len(specs) >= 8 and all(f"{aid}  " in out for aid in specs)
    assert out.rstrip().endswith(f"{len(specs)} analyses: {len(specs)} current")


def test_readme_evidence_section_is_generated_from_the_committed_results():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert replace_section(text, evidence_section(ROOT / "results")) == text, (
        "regenerate: python scripts/readme_evidence.py"
    )
    section = text[text.index(START) : text.index(END)]
    assert "not a replication" in section and "(results/social-relationships-mortality.md)" in section
