"""The workflow commands through the CLI entry point (and once through `python -m metaevidence`)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from metaevidence.cli import main
from metaevidence.workflow.commands import Progress
from metaevidence.workflow.schema import json_schema_text

from .conftest import commit_all, spec, study, write_yaml

REPO = Path(__file__).resolve().parents[2]


def test_validate_covers_specs(review, monkeypatch, capsys):
    monkeypatch.chdir(review)
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.endswith(
        "no problems: 5 study records (5 outcome entries); 1 analysis spec in analyses/ checked\n"
    )
    write_yaml(review / "analyses" / "mortality.yaml", spec(tau2="REMl"))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert (
        "analyses/mortality.yaml:9: tau2 must be one of: REML, DL, ML, PM, HE, SJ, HS, EB, EE, FE, HSk, PMM, SJIT, "
        "DLIT; got 'REMl' "
        "(did you mean 'REML'?)" in out
    )


def test_schema_for_analysis_specs(capsys):
    assert main(["schema", "--analysis"]) == 0
    assert capsys.readouterr().out == json_schema_text()
    assert main(["schema"]) == 0
    assert '"title": "metaevidence study record"' in capsys.readouterr().out


def test_diff_through_main(review, monkeypatch, capsys):
    monkeypatch.chdir(review)
    assert main(["run", "-q"]) == 0
    commit_all(review)
    write_yaml(review / "studies" / "fox-2020.yaml", study("fox-2020", 2020, 40, 100, 20, 100))
    capsys.readouterr()
    assert main(["diff", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("### Evidence update since `HEAD (")
    assert "| + | `fox-2020` | added |" in out and "| OR | 0.64 | 0.78 | +0.14 |" in out
    assert main(["diff", "--since", "nope"]) == 1
    assert "error: 'nope' is not a commit of the repository" in capsys.readouterr().err


def test_python_dash_m_end_to_end(review):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "metaevidence", "run"],
        cwd=review,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "[1/1] mortality: updated" in proc.stderr and "1 analysis: 1 updated" in proc.stdout
    doc = json.loads((review / "results" / "mortality.json").read_text(encoding="utf-8"))
    assert doc["pooled"]["k"] == 5
    proc = subprocess.run(
        [sys.executable, "-m", "metaevidence", "run", "--check"],
        cwd=review,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "up to date" in proc.stdout


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_lines():
    plain = io.StringIO()
    p = Progress(plain)
    p("[1/2] a: computing")
    p("[1/2] a: updated (0.1 s)")
    p.close()
    assert plain.getvalue() == "[1/2] a: updated (0.1 s)\n"
    tty = _Tty()
    p = Progress(tty)
    p("[1/2] a: computing")
    p("[1/2] a: updated (0.1 s)")
    p("[2/2] b: computing")
    p.close()
    assert tty.getvalue() == "[1/2] a: computing\r\x1b[K[1/2] a: updated (0.1 s)\n[2/2] b: computing\r\x1b[K"
    quiet = _Tty()
    p = Progress(quiet, quiet=True)
    p("[1/2] a: updated")
    p.close()
    assert quiet.getvalue() == ""


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_outside_a_review_folder_every_command_says_where_to_work(tmp_path, monkeypatch, capsys):
    # before: "studies: studies folder does not exist" and "analyses in analyses checked"
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "validate")
    # before: "1 problem in 1 file; checked 0 study records" named no file and no remedy, and
    # then it followed a first line that said the same thing again: one line says it all
    assert code == 1 and out.splitlines() == [
        f"1 problem: {tmp_path} is not a review folder (it has no studies/ folder of study "
        f"records: looked for {tmp_path / 'studies'}); run metaevidence validate in the review's folder (the one holding studies/ and "
        "analyses/), pass --studies DIR, or start a review here with metaevidence init",
    ]
    code, out, err = _run(capsys, "validate", "--studies", str(tmp_path / "records"))
    assert code == 1 and out.splitlines()[-1].startswith(
        f"1 problem: {tmp_path} is not a review folder (it has no records/ folder"
    )
    for command in (["studies"], ["run"], ["run", "--check"], ["diff"]):
        code, out, err = _run(capsys, *command)
        assert code == 1 and "looked for" in out + err and "Traceback" not in err, command
    code, out, err = _run(capsys, "new-study", "smith-2024")
    assert code == 1 and err == (
        f"error: studies folder 'studies' does not exist in {tmp_path}: run metaevidence "
        "in the review's folder (the one holding studies/ and analyses/), pass "
        "--studies DIR, or start a review here with metaevidence init\n"
    )
