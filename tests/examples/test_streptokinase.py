"""examples/streptokinase: the walkthrough measures what its tutorial says.

The core loop runs for the years up to the last conclusive one (figures off, in process: a
few seconds); the tutorial's stated years, its excerpts and its files are checked against
what the walkthrough does and wrote.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "streptokinase"
README = (EXAMPLE / "README.md").read_text(encoding="utf-8")
TRANSCRIPT = (EXAMPLE / "transcript.md").read_text(encoding="utf-8")


def _walkthrough():
    spec = importlib.util.spec_from_file_location("streptokinase_walkthrough", EXAMPLE / "walkthrough.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


wt = _walkthrough()


def stated_years(text: str) -> dict[str, int]:
    """The first conclusive year of each analysis as the text states it."""
    found = dict(
        re.findall(r"- `(streptokinase-\w+)`: the 95% CI first excludes OR = 1 in \*\*(\d{4})\*\*", text)
    )
    return {aid: int(year) for aid, year in found.items()}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    years = stated_years(README)
    return wt.walk(tmp_path_factory.mktemp("review"), until=max(years.values()), figures=False)


def test_the_tutorial_states_the_years_the_walkthrough_measures(measured):
    years = stated_years(README)
    assert set(years) == {aid for aid, _, _ in wt.ANALYSES}
    assert years == stated_years(TRANSCRIPT)
    for aid, year in years.items():
        assert measured.first_conclusive(aid) == year
    # the text of the tutorial says the same
    assert "## 4. 1973: the common-effect analysis becomes conclusive" in README
    assert years == {"streptokinase-common": 1973, "streptokinase-random": 1979}


def test_the_transcript_table_is_what_the_walkthrough_computes(measured):
    rows = [line for line in wt.summary(measured).splitlines() if re.match(r"\| \d{4} \|", line)]
    assert [int(r[2:6]) for r in rows] == [1959, 1963, 1969, 1971, 1973, 1974, 1975, 1976, 1977, 1979]
    for row in rows:
        assert row in TRANSCRIPT and row in README


def test_the_tutorial_quotes_the_transcript_and_the_walkthrough_files():
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        assert block.strip() in TRANSCRIPT
    yaml_blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", README, re.S)]
    record, random, common = yaml_blocks
    assert record == wt.study_record("Fletcher", 1959, 1, 12, 4, 11)
    specs = {
        aid: wt.analysis_spec(aid, title, settings, figures=True) for aid, title, settings in wt.ANALYSES
    }
    assert random == specs["streptokinase-random"] and common == specs["streptokinase-common"]
    for aid, _, _ in wt.ANALYSES:
        assert f"({aid}-cumulative.png)" in README and (EXAMPLE / f"{aid}-cumulative.png").is_file()
