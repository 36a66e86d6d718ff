"""The last update of an analysis, from the git history of its results."""

from __future__ import annotations

import json

from metaevidence.site.history import last_change
from metaevidence.workflow.run import run_analyses
from tests.workflow.conftest import TRIALS, commit_all

from .conftest import run_review


def _doc(paths):
    return json.loads((paths.results / "mortality.json").read_text())


def test_names_the_added_study_and_passes_over_commits_that_changed_no_number(tmp_path):
    root = tmp_path / "review"
    paths = run_review(root, trials=TRIALS[:4], figures=())
    commit_all(root, "four trials")
    assert last_change(paths.results / "mortality.json", _doc(paths)).first

    from tests.workflow.conftest import study, write_yaml

    write_yaml(paths.studies / "evans-2016.yaml", study(*TRIALS[4]))
    run_analyses(paths)
    change = last_change(paths.results / "mortality.json", _doc(paths))
    assert change.uncommitted and change.studies == (("+", "evans-2016", "Evans and Other 2016"),)
    assert change.by == "Evans and Other 2016 added"
    commit_all(root, "add Evans 2016")
    # a later commit that changes the results file but no study and no number
    doc = _doc(paths)
    doc["notes"] = ["a note"]
    (paths.results / "mortality.json").write_text(json.dumps(doc, indent=1))
    commit_all(root, "a note")
    change = last_change(paths.results / "mortality.json", _doc(paths))
    assert not change.uncommitted and change.subject == "add Evans 2016"
    assert change.studies == (("+", "evans-2016", "Evans and Other 2016"),)
    rows = {q: (b, a) for q, b, a, _c in change.rows}
    assert rows["k"] == ("4", "5")


def test_outside_git_the_history_is_unknown(small):
    change = last_change(small.results / "mortality.json", _doc(small))
    assert not change.known and change.by == "unknown (not in a git repository)"
