"""metaevidence run and run --check on a temporary review: outputs, determinism, atomicity,
failures that cost nothing, and staleness."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from metaevidence.cli import main
from metaevidence.workflow import store as store_module
from metaevidence.workflow.commands import run_command
from metaevidence.workflow.run import Paths, check_results, run_analyses

from .conftest import make_review, snapshot, spec, study, write_yaml


def _paths(root: Path) -> Paths:
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def _status(out: str) -> dict[str, str]:
    """analysis id -> status, read from the summary table."""
    known = {"updated", "unchanged", "current", "FAILED", "STALE", "MISSING", "ORPHAN"}
    rows = [line.split() for line in out.splitlines()]
    return {r[0]: r[1] for r in rows if len(r) > 1 and r[1] in known}


def _run(root: Path, *args: str, check: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    ids = [a for a in args if not a.startswith("-")]
    force = "--force" in args
    rc = run_command(_paths(root), ids, check=check, quiet="--quiet" in args, force=force, out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


def test_run_writes_results_and_a_second_run_changes_no_byte(review):
    rc, out, err = _run(review)
    assert rc == 0, out + err
    assert "mortality  updated  5  OR 0.64 (95% CI 0.52 to 0.80), k = 5, I² = 0.0%" in out
    assert "1 analysis: 1 updated" in out
    assert "[1/1] mortality: updated" in err
    doc = json.loads((review / "results" / "mortality.json").read_text(encoding="utf-8"))
    assert doc["format"] == "metaevidence-result/1"
    assert doc["settings"]["tau2"] == "REML" and doc["settings"]["ci_method"] == "knha"
    assert sorted(doc["inputs"]["studies"]) == [
        "adams-2001",
        "baker-2004",
        "clark-2008",
        "davis-2012",
        "evans-2016",
    ]
    assert set(doc["software"]) >= {"python", "metaevidence", "numpy", "scipy"}
    assert "timestamp" not in json.dumps(doc) and doc["figures"] == []
    report = (review / "results" / "mortality.md").read_text(encoding="utf-8")
    assert report.startswith("# Treatment and mortality\n") and "**0.64** (95% CI 0.52 to 0.80" in report
    before = snapshot(review / "results")
    mtimes = {p: p.stat().st_mtime_ns for p in (review / "results").iterdir()}
    rc, out, _ = _run(review)
    assert rc == 0 and _status(out) == {"mortality": "current"}  # inputs as stamped: not recomputed
    rc, out, _ = _run(review, "--force")
    assert rc == 0 and _status(out) == {"mortality": "unchanged"}  # recomputed: the same bytes
    assert snapshot(review / "results") == before
    assert {p: p.stat().st_mtime_ns for p in (review / "results").iterdir()} == mtimes
    assert sorted(p.name for p in review.iterdir()) == [
        ".metaevidence-cache",
        "analyses",
        "results",
        "studies",
    ]  # no staging left


def test_floats_are_written_to_12_significant_digits(review):
    _run(review)
    text = (review / "results" / "mortality.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    est = doc["pooled"]["estimate"]
    assert repr(est) in text and est == float(f"{est:.12g}") and len(repr(est)) > 12


def test_one_failing_analysis_does_not_stop_the_others_nor_touch_its_outputs(tmp_path):
    root = make_review(tmp_path, specs=[spec("a"), spec("b", measure="RR")])
    assert _run(root)[0] == 0
    b_before = {name: data for name, data in snapshot(root / "results").items() if name.startswith("b.")}
    write_yaml(root / "analyses" / "a.yaml", spec("a", measure="RR"))  # a changes
    write_yaml(
        root / "analyses" / "b.yaml",
        spec("b", measure="RR", studies={"outcome": "mortality", "design": "cohort"}),
    )
    rc, out, err = _run(root)
    assert rc == 1
    assert _status(out) == {"a": "updated", "b": "FAILED"} and "1 updated, 1 failed" in out
    assert (
        "b: analysis 'b': no study record has an entry for outcome 'mortality' that passes the selection "
        "in b.yaml; check studies.outcome and the filters"
    ) in err
    after = snapshot(root / "results")
    assert {n: d for n, d in after.items() if n.startswith("b.")} == b_before
    assert json.loads(after["a.json"])["measure"]["name"] == "RR"


def test_a_spec_with_problems_fails_with_every_problem_listed(tmp_path):
    root = make_review(tmp_path, specs=[spec("a"), spec("b", tau2="REMl", level=95)])
    rc, out, err = _run(root)
    assert rc == 1 and _status(out) == {"a": "updated", "b": "FAILED"}
    assert "2 problem(s) in the spec" in out
    assert "b.yaml:" in err and "tau2 must be one of" in err and "level must be a number > 0 and < 1" in err


def test_a_broken_record_stops_the_run_and_results_stay_byte_for_byte(review):
    assert _run(review)[0] == 0
    results_before = snapshot(review / "results")
    path = review / "studies" / "baker-2004.yaml"
    path.write_text(path.read_text().replace("events: 30", "events: 300"), encoding="utf-8")
    rc, out, err = _run(review)
    assert rc == 1
    assert "baker-2004.yaml:" in err
    assert "outcomes[0].data.experimental.events must be between 0 and total (150); got 300" in err
    assert "1 problem in 1 file: nothing was written" in out
    assert snapshot(review / "results") == results_before
    rc, out, err = _run(review, check=True)
    assert rc == 1 and "nothing was checked" in out


@pytest.mark.parametrize("make_folder", [False, True])
def test_no_analyses_is_not_an_error(tmp_path, make_folder):
    root = make_review(tmp_path, specs=[])
    if not make_folder:
        shutil.rmtree(root / "analyses")
    rc, out, err = _run(root)
    assert rc == 0
    expected = "holds no analysis specs" if make_folder else "does not exist"
    assert f"no analyses to run: {root / 'analyses'} {expected}" in out
    assert not (root / "results").exists()
    assert _run(root, check=True)[0] == 0


def test_run_selected_ids_and_unknown_ids(tmp_path):
    root = make_review(tmp_path, specs=[spec("a"), spec("b")])
    rc, out, _ = _run(root, "b")
    assert rc == 0 and sorted(snapshot(root / "results")) == ["b.json", "b.md"]
    rc, out, err = _run(root, "c")
    assert rc == 1 and "no analysis spec with id 'c' (there are 2: a, b)" in err


def test_quiet_and_progress(review):
    rc, out, err = _run(review, "--quiet")
    assert rc == 0 and err == "" and "1 analysis: 1 updated" in out


def test_check_reports_stale_results_and_writes_nothing(review):
    rc, out, _ = _run(review, check=True)
    assert rc == 1 and _status(out) == {"mortality": "MISSING"}
    assert not (review / "results").exists()
    _run(review)
    rc, out, _ = _run(review, check=True)
    assert rc == 0 and _status(out) == {"mortality": "current"} and "up to date" in out
    write_yaml(review / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 40, 100, 20, 100))
    path = review / "studies" / "adams-2001.yaml"
    path.write_text(path.read_text().replace("events: 12", "events: 15"), encoding="utf-8")
    before = snapshot(review)
    rc, out, _ = _run(review, check=True)
    assert rc == 1
    assert "study records added: fox-2020; study records changed: adams-2001" in out
    assert "the results are stale: run `metaevidence run`" in out
    assert snapshot(review) == before


def test_check_notices_edited_outputs_spec_changes_and_orphans(review):
    _run(review)
    report = review / "results" / "mortality.md"
    report.write_text(report.read_text() + "edited\n", encoding="utf-8")
    write_yaml(review / "analyses" / "mortality.yaml", spec(notes="changed"))
    (review / "results" / "gone.json").write_bytes((review / "results" / "mortality.json").read_bytes())
    report_ = check_results(_paths(review))
    by_id = {o.id: o for o in report_.outcomes}
    assert by_id["mortality"].status == "stale"
    assert (
        "the spec" in by_id["mortality"].detail
        and "mortality.md does not match its results" in by_id["mortality"].detail
    )
    assert by_id["gone"].status == "orphan" and not report_.ok
    run = run_analyses(_paths(review))
    assert {o.id: o.status for o in run.outcomes} == {"mortality": "updated", "gone": "orphan"}
    assert run.ok  # an orphan is reported by run, but only --check fails on it


def test_main_entry_point(review, monkeypatch, capsys):
    monkeypatch.chdir(review)
    assert main(["run", "-q"]) == 0
    assert main(["run", "--check", "-q"]) == 0
    assert main(["show", "mortality"]) == 0
    assert capsys.readouterr().out.count("# Treatment and mortality") == 1
    assert main(["show", "nothing"]) == 1
    assert (
        "error: no results for 'nothing' in results (there are 1: mortality); for a new analysis, run "
        "`metaevidence run` first"
    ) in capsys.readouterr().err
    assert main(["show", "mortalty"]) == 1  # a typo
    assert (
        "no results for 'mortalty' in results (did you mean 'mortality'? there are 1"
        in capsys.readouterr().err
    )
    monkeypatch.chdir(review.parent)  # not in the review's folder
    assert main(["show", "mortality"]) == 1
    assert (
        f"error: no results folder results/ in {review.parent}: work in the review's folder (the one "
        f"holding studies/, analyses/ and results/)"
    ) in capsys.readouterr().err


# --------------------------------------------------------------------------- atomicity


def _new_version(root: Path, tmp_path: Path) -> dict[str, bytes]:
    """The complete outputs of the review after the change, from a separate copy."""
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    assert _run(copy)[0] == 0
    return snapshot(copy / "results")


def _change(root: Path) -> None:
    write_yaml(root / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 40, 100, 20, 100))


def _assert_each_file_old_or_new(folder: Path, old: dict, new: dict) -> None:
    now = snapshot(folder)
    assert set(now) <= set(old) | set(new)
    for name, data in now.items():
        assert data in (old.get(name), new.get(name)), f"{name} is neither the old nor the new version"


def test_an_injected_failure_between_files_leaves_every_file_old_or_new(tmp_path, monkeypatch):
    root = make_review(tmp_path / "r", specs=[spec("a"), spec("b", measure="RR")])
    assert _run(root)[0] == 0
    old = snapshot(root / "results")
    _change(root)
    new = _new_version(root, tmp_path)
    real = store_module.atomic_write
    calls = []

    def failing(path, data, *, staging=None):
        calls.append(path)
        if len(calls) == 3:  # a.md, a.json written; b.md fails
            raise OSError(5, "Input/output error", str(path))
        return real(path, data, staging=staging)

    monkeypatch.setattr(store_module, "atomic_write", failing)
    rc, out, err = _run(root)
    assert rc == 1 and _status(out) == {"a": "updated", "b": "FAILED"}
    assert (
        f"b: could not write {root / 'results' / 'b.md'}: Input/output error; make results/ and "
        f"figures/ writable and run again (until then `run --check` reports it stale)"
    ) in err.splitlines()
    _assert_each_file_old_or_new(root / "results", old, new)
    monkeypatch.setattr(store_module, "atomic_write", real)
    assert snapshot(root / "results")["a.json"] == new["a.json"]
    assert snapshot(root / "results")["b.json"] == old["b.json"]
    rc, out, _ = _run(root, check=True)
    assert rc == 1 and _status(out) == {"a": "current", "b": "STALE"}


KILLER = r"""
import os, signal, sys
sys.path.insert(0, {repo!r})
import metaevidence._fileio as fileio
real = os.replace
count = [0]
def replace(src, dst):
    real(src, dst)
    if ".metaevidence-cache" in str(dst):  # the local cache, not the results
        return
    count[0] += 1
    if count[0] == {after}:
        os.kill(os.getpid(), signal.SIGKILL)
fileio.os.replace = replace
from metaevidence.cli import main
sys.exit(main(["run", "-q"]))
"""


@pytest.mark.parametrize("after", [1, 3])
def test_a_run_killed_while_writing_leaves_results_valid(tmp_path, after):
    import subprocess
    import sys

    root = make_review(tmp_path / "r", specs=[spec("a"), spec("b", measure="RR")])
    assert _run(root)[0] == 0
    old = snapshot(root / "results")
    _change(root)
    new = _new_version(root, tmp_path)
    repo = str(Path(__file__).resolve().parents[2])
    proc = subprocess.run(
        [sys.executable, "-c", KILLER.format(repo=repo, after=after)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr
    _assert_each_file_old_or_new(root / "results", old, new)
    leftovers = [p.name for p in root.iterdir() if p.name.startswith(".metaevidence-tmp-")]
    assert len(leftovers) == 1  # the killed run's staging folder, outside results/
    rc, out, _ = _run(root, check=True)
    assert rc == 1
    assert _run(root)[0] == 0
    assert snapshot(root / "results") == new
    assert not [p for p in root.iterdir() if p.name.startswith(".metaevidence-tmp-")]
