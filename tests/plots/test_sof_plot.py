"""The summary-of-findings figure: cells wrapped to their measured column width."""

from __future__ import annotations

from pathlib import Path

from metaevidence.plots.layout import layout_problems, text_extents
from metaevidence.plots.sof import sof_table_plot
from metaevidence.workflow.findings import _FOOTNOTE, summary_rows

RESULTS = Path(__file__).resolve().parents[2] / "results"


def test_the_repositorys_table_has_no_text_running_into_the_next_column():
    rows, _ = summary_rows(RESULTS)
    assert len(rows) >= 8
    fig = sof_table_plot(rows, footnote=_FOOTNOTE)
    assert layout_problems(fig) == {"overlapping": [], "outside": []}


def test_wide_letters_wrap_by_measured_width_not_by_character_count():
    row = {
        "outcome": "WWWW MMMM WWWW MMMM WWWW MMMM WWWW MMMM WWWW MMMM",
        "participants": 120,
        "studies": 2,
        "certainty_text": "not assessed",
        "relative": "OR 1.50 (1.10 to 2.05)",
        "absolute": None,
    }
    fig = sof_table_plot([row])
    assert layout_problems(fig) == {"overlapping": [], "outside": []}
    outcome = next(e for e in text_extents(fig) if e.text.startswith("WWWW"))
    assert outcome.text.count("\n") >= 2  # 49 characters of wide letters need three lines
