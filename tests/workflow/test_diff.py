"""metaevidence diff: studies added/corrected, the change in each analysis, conclusions, influence."""

from __future__ import annotations

import io

import pytest

from metaevidence.cli import main
from metaevidence.errors import RecordError
from metaevidence.workflow.commands import diff_command
from metaevidence.workflow.compare import evidence_diff
from metaevidence.workflow.diff import FieldChange, diff_documents, diff_records
from metaevidence.workflow.gitrev import GitError
from metaevidence.workflow.run import Paths
from tests.reference_data import assert_close
from tests.tolerances import ITERATIVE

from .conftest import commit_all, spec, study, write_yaml


def _paths(root):
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def _diff(root, since=None, fmt="text") -> tuple[int, str]:
    out = io.StringIO()
    rc = diff_command(_paths(root), since=since, fmt=fmt, out=out)
    return rc, out.getvalue()


@pytest.fixture
def committed(review):
    assert (
        main(
            [
                "run",
                "-q",
                "--studies",
                str(review / "studies"),
                "--analyses",
                str(review / "analyses"),
                "--results",
                str(review / "results"),
                "--figures",
                str(review / "figures"),
            ]
        )
        == 0
    )
    commit_all(review, "first results")
    return review


def _add_fox(root):
    write_yaml(root / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 40, 100, 20, 100))


def test_adding_a_study_names_it_and_the_change_in_the_pooled_or(committed):
    before = evidence_diff(_paths(committed))
    assert not before.changed and before.analyses[0].status == "unchanged"
    _add_fox(committed)
    d = evidence_diff(_paths(committed))
    assert [(c.id, c.status) for c in d.studies] == [("fox-2020", "added")]
    a = d.analyses[0]
    assert a.status == "changed" and a.studies == (("+", "fox-2020", "Fox and Other 2020"),)
    assert a.before["pooled"]["k"] == 5 and a.after["pooled"]["k"] == 6
    assert a.conclusion == ("the confidence interval now includes no effect (1)",)
    # undoing the one change restores the previous estimate exactly: the influence is the whole change
    (fox,) = a.moved
    assert fox.study == "fox-2020" and fox.change == "added"
    assert_close(fox.without, a.before["pooled"]["estimate"], ITERATIVE, what="estimate without fox")
    assert_close(fox.shift, a.after["pooled"]["estimate"] - a.before["pooled"]["estimate"], ITERATIVE)
    rc, text = _diff(committed)
    assert rc == 0
    assert text.startswith("Evidence since HEAD (")
    assert "1 study changed: 1 added\n  + fox-2020 (added)\n" in text
    assert "mortality: Treatment and mortality -- changed\n  studies: +fox-2020\n" in text
    assert "  OR      0.64          0.78          +0.14\n" in text
    assert "  95% CI  0.52 to 0.80  0.39 to 1.55\n" in text
    assert "  I²      0.0%          72.9%         +72.9\n" in text
    assert "  k       5             6             +1\n" in text
    assert "  CONCLUSION CHANGED: the confidence interval now includes no effect (1)\n" in text
    assert (
        "  moved the estimate most: adding Fox and Other 2020 moved the OR from 0.64 to 0.78 (+0.14)\n"
        in text
    )
    # running does not change what diff reports: it compares with the committed results
    assert (
        main(
            [
                "run",
                "-q",
                "--studies",
                str(committed / "studies"),
                "--analyses",
                str(committed / "analyses"),
                "--results",
                str(committed / "results"),
                "--figures",
                str(committed / "figures"),
            ]
        )
        == 0
    )
    assert _diff(committed)[1] == text


def test_correcting_a_number_shows_the_correction(committed):
    path = committed / "studies" / "adams-2001.yaml"
    path.write_text(path.read_text().replace("events: 12", "events: 15"), encoding="utf-8")
    rc, text = _diff(committed)
    assert (
        "1 study changed: 1 corrected\n  ~ adams-2001 (corrected)\n"
        "      outcomes[0].data.experimental.events: 12 -> 15\n" in text
    )
    assert "studies: ~adams-2001" in text
    assert (
        "moved the estimate most: correcting Adams and Other 2001 moved the OR from 0.64 to 0.67 (+0.02)"
        in text
    )
    assert "conclusion unchanged" in text
    rc, md = _diff(committed, fmt="markdown")
    assert md.startswith("### Evidence update since `HEAD (")
    assert "| ~ | `adams-2001` | corrected: `outcomes[0].data.experimental.events`: 12 -> 15 |" in md
    assert "| OR | 0.64 | 0.67 | +0.02 |" in md
    assert "Conclusion unchanged." in md


def test_since_a_revision_and_removed_studies(committed):
    _add_fox(committed)
    main(
        [
            "run",
            "-q",
            "--studies",
            str(committed / "studies"),
            "--analyses",
            str(committed / "analyses"),
            "--results",
            str(committed / "results"),
            "--figures",
            str(committed / "figures"),
        ]
    )
    commit_all(committed, "fox")
    (committed / "studies" / "evans-2016.yaml").unlink()
    d = evidence_diff(_paths(committed), since="HEAD~1")
    assert d.since.startswith("HEAD~1 (")
    assert [(c.id, c.status) for c in d.studies] == [("evans-2016", "removed"), ("fox-2020", "added")]
    a = d.analyses[0]
    assert a.studies == (("-", "evans-2016", "Evans and Other 2016"), ("+", "fox-2020", "Fox and Other 2020"))
    assert [i.study for i in a.moved] == ["fox-2020", "evans-2016"]  # fox moved it far more
    assert evidence_diff(_paths(committed)).analyses[0].studies == (
        ("-", "evans-2016", "Evans and Other 2016"),
    )
    with pytest.raises(
        GitError,
        match=r"'nope' is not a commit of the repository .* \(give a branch, tag or "
        r"commit, e.g. HEAD~1 or main\)",
    ):
        evidence_diff(_paths(committed), since="nope")


def test_without_git_compares_with_results_on_disk(review):
    assert (
        main(
            [
                "run",
                "-q",
                "--studies",
                str(review / "studies"),
                "--analyses",
                str(review / "analyses"),
                "--results",
                str(review / "results"),
                "--figures",
                str(review / "figures"),
            ]
        )
        == 0
    )
    path = review / "studies" / "adams-2001.yaml"
    path.write_text(path.read_text().replace("events: 12", "events: 15"), encoding="utf-8")
    _add_fox(review)
    d = evidence_diff(_paths(review))
    assert d.since == f"the results on disk ({review / 'results'})"
    assert [(c.id, c.status, c.fields) for c in d.studies] == [
        ("adams-2001", "corrected", ()),
        ("fox-2020", "added", ()),
    ]
    assert d.analyses[0].studies == (
        ("~", "adams-2001", "Adams and Other 2001"),
        ("+", "fox-2020", "Fox and Other 2020"),
    )
    with pytest.raises(GitError, match="--since HEAD needs a git repository"):
        evidence_diff(_paths(review), since="HEAD")


def test_new_removed_and_failing_analyses(committed):
    write_yaml(committed / "analyses" / "rr.yaml", spec("rr", measure="RR"))
    write_yaml(
        committed / "analyses" / "bad.yaml", spec("bad", studies={"outcome": "mortality", "design": "cohort"})
    )
    (committed / "analyses" / "mortality.yaml").unlink()
    rc, text = _diff(committed)
    assert rc == 1  # an analysis cannot be computed now
    assert "bad: bad -- could not be computed\n  error: analysis 'bad': no study record" in text
    assert (
        "mortality: Treatment and mortality -- analysis removed (its spec is gone)\n  OR 0.64 (95% CI" in text
    )
    assert (
        "rr: Treatment and mortality -- new analysis\n  RR 0.70 (95% CI 0.59 to 0.84), k = 5, I² = 0.0%"
        in text
    )


def test_a_broken_record_is_an_error(committed):
    path = committed / "studies" / "adams-2001.yaml"
    path.write_text(path.read_text().replace("events: 12", "events: -1"), encoding="utf-8")
    with pytest.raises(RecordError, match=r"adams-2001.yaml:\d+: outcomes\[0\].data.experimental.events"):
        evidence_diff(_paths(committed))


# --------------------------------------------------------------------------- on documents


def _doc(estimate, lo, hi, rows, *, settings=None):
    return {
        "analysis": {"id": "x", "title": "X", "question": "?", "kind": "meta-analysis"},
        "settings": settings or {"tau2": "REML"},
        "measure": {"name": "OR", "effect": "OR", "description": "log odds ratio", "transform": "exp"},
        "pooled": {
            "estimate": estimate,
            "ci_lower": lo,
            "ci_upper": hi,
            "pi_lower": None,
            "pi_upper": None,
            "k": len(rows),
            "level": 0.95,
            "method": "REML",
        },
        "heterogeneity": {"tau2": 0.0, "i2": 0.0},
        "studies": {
            "included": [{"id": r, "label": r.title(), "yi": 0.1, "vi": 0.01} for r in rows],
            "excluded": [],
        },
        "inputs": {"studies": {}},
    }


def test_direction_change_and_settings_change_on_documents():
    before = {"x": _doc(0.2, 0.1, 0.3, ["a", "b"])}
    after = {"x": _doc(-0.1, -0.3, 0.1, ["a", "b"], settings={"tau2": "DL"})}
    (d,) = diff_documents(before, after)
    assert d.status == "changed" and d.studies == ()
    assert d.settings == (FieldChange("tau2", "REML", "DL"),)
    assert d.conclusion == (
        "the confidence interval now includes no effect (1)",
        "the pooled estimate changed direction (1.22 -> 0.90)",
    )
    assert str(d.settings[0]) == "tau2: 'REML' -> 'DL'"
    (same,) = diff_documents(before, before)
    assert same.status == "unchanged" and same.conclusion == ()


def test_one_study_has_no_heterogeneity_to_compare():
    # before: "I²  0.0%  76.2%  +76.2" when a second study joined the first
    from metaevidence.workflow.diff import comparison_rows

    (d,) = diff_documents({"x": _doc(0.2, 0.1, 0.3, ["a"])}, {"x": _doc(0.1, 0.0, 0.2, ["a", "b"])})
    rows = {r[0]: r[1:] for r in comparison_rows(d)}
    assert rows["tau²"] == ("--", "0.0000", "") and rows["I²"] == ("--", "0.0%", "")
    assert rows["k"] == ("1", "2", "+1")


def test_record_field_changes():
    old = b"id: a\nnotes: one\nlist: [1, 2, 3]\nmap: {x: 1}\n"
    new = b"id: a\nlist: [1, 5]\nmap: {x: 1, y: true}\nextra: 2020-01-02\n"
    (c,) = diff_records({"a": ("h1", old)}, {"a": ("h2", new)})
    assert c.status == "corrected" and c.symbol == "~"
    assert [str(f) for f in c.fields] == [
        "notes: 'one' -> (none)",
        "list[1]: 2 -> 5",
        "list[2]: 3 -> (none)",
        "map.y: (none) -> true",
        "extra: (none) -> 2020-01-02",
    ]
    assert diff_records({"a": ("h", old)}, {"a": ("h", old)}) == ()
