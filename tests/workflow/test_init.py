"""metaevidence init: a new review's folders and first files, never overwriting."""

from __future__ import annotations

from metaevidence.cli import main


def test_init_writes_a_review_that_guides_its_first_steps(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "rev", "--title", "Peer support and relapse", "--outcome", "relapse"]) == 0
    out = capsys.readouterr().out
    assert "wrote rev/analyses/relapse.yaml" in out and "next: metaevidence new-study" in out
    assert (tmp_path / "rev" / "studies").is_dir()
    assert "# Peer support and relapse" in (tmp_path / "rev" / "README.md").read_text()
    monkeypatch.chdir(tmp_path / "rev")
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "analyses/relapse.yaml:8: studies.outcome must be an outcome id used by the study records" in out
    assert "there are no study records yet: add one with metaevidence new-study ID" in out
    assert main(["new-study", "smith-2024"]) == 0
    assert (tmp_path / "rev" / "studies" / "smith-2024.yaml").exists()


def test_init_keeps_what_exists(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("mine\n")
    assert main(["init"]) == 0
    assert "kept README.md (it exists; left unchanged)" in capsys.readouterr().out
    assert (tmp_path / "README.md").read_text() == "mine\n"


def test_init_refuses_a_bad_outcome_id_and_new_study_points_to_init(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--outcome", "Relapse Rate"]) == 1
    assert "outcome must be lower-case letters" in capsys.readouterr().err
    assert not (tmp_path / "analyses").exists()
    assert main(["new-study", "smith-2024"]) == 1
    assert "start a review here with metaevidence init" in capsys.readouterr().err
