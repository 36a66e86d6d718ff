"""The README's "evidence so far" section, generated from results/ (metaevidence.workflow.readme)."""

from __future__ import annotations

import io

import pytest

from metaevidence.workflow.commands import run_command
from metaevidence.workflow.readme import END, START, evidence_section, lead_sentence, replace_section
from metaevidence.workflow.run import Paths

from .conftest import make_review, spec


def test_lead_sentence():
    assert (
        lead_sentence("**A partial re-analysis, not a replication.** This pools ...")
        == "A partial re-analysis, not a replication."
    )
    assert lead_sentence("One study.  Cross-sectional,\n  approximate.") == "One study."
    assert lead_sentence("no full stop") == "no full stop"
    assert lead_sentence(None) == "" and lead_sentence("  ") == ""


def test_section_lists_each_analysis_with_its_headline_and_lead(tmp_path):
    root = make_review(
        tmp_path,
        specs=[
            spec("b-mortality", interpretation="**Five small trials.** More to come."),
            spec("a-mortality", title="Common effect", tau2="EE", ci_method="z"),
        ],
    )
    paths = Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")
    assert run_command(paths, (), quiet=True, out=io.StringIO(), err=io.StringIO()) == 0
    text = evidence_section(root / "results")
    lines = text.splitlines()
    assert lines[0].startswith("Generated from `results/` (2 analyses;")
    # in id order; numbers as the run's own headline; the lead of the interpretation in italics
    assert lines[2].startswith("- [Common effect](results/a-mortality.md): OR ")
    assert lines[2].endswith(", k = 5, I² = 0.0%.")  # no lead: no interpretation
    assert lines[3].startswith("- [Treatment and mortality](results/b-mortality.md): OR ")
    assert lines[3].endswith("%. *Five small trials.*")
    assert (
        evidence_section(tmp_path / "nothing")
        == "No analyses have been run yet (`metaevidence run` writes `results/`).\n"
    )


def test_replace_section_touches_only_the_marked_text():
    readme = f"# Title\n\nbefore\n{START}\nold\n{END}\nafter\n"
    assert (
        replace_section(readme, "new\nlines\n") == f"# Title\n\nbefore\n{START}\nnew\nlines\n{END}\nafter\n"
    )
    for broken in ("no markers", f"{END}\n{START}", f"{START}{START}{END}"):
        with pytest.raises(
            ValueError, match="the README must hold the markers .* once each, in that order; found"
        ):
            replace_section(broken, "x")
