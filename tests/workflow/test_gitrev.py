"""Reading files at a git revision."""

from __future__ import annotations

import pytest

from metaevidence.workflow.gitrev import GitError, GitTree, find_repository

from .conftest import commit_all, git


def test_files_and_bytes_at_a_revision(tmp_path):
    (tmp_path / "studies").mkdir()
    (tmp_path / "studies" / "a.yaml").write_bytes(b"id: a\n")
    (tmp_path / "studies" / ".hidden.yaml").write_bytes(b"x")
    (tmp_path / "studies" / "sub").mkdir()
    (tmp_path / "studies" / "sub" / "b.yaml").write_bytes(b"id: b\n")
    assert find_repository(tmp_path) is None
    commit_all(tmp_path, "one")
    (tmp_path / "studies" / "a.yaml").write_bytes(b"id: a\nchanged: true\n")
    commit_all(tmp_path, "two")
    repo = find_repository(tmp_path / "studies")
    assert repo == tmp_path.resolve()
    old = GitTree(repo, "HEAD~1")
    assert old.files(tmp_path / "studies", ".yaml") == {"a.yaml": "studies/a.yaml"}
    assert old.read("studies/a.yaml") == b"id: a\n"
    assert GitTree(repo, "HEAD").read("studies/a.yaml") == b"id: a\nchanged: true\n"
    assert old.files(tmp_path / "results", ".json") == {}
    assert len(old.commit) == 40 and old.commit == git(tmp_path, "rev-parse", "HEAD~1").strip()


def test_errors(tmp_path):
    commit_all_path = tmp_path / "r"
    commit_all_path.mkdir()
    (commit_all_path / "f").write_text("x")
    commit_all(commit_all_path)
    repo = find_repository(commit_all_path)
    with pytest.raises(GitError, match=r"'HEAD~5' is not a commit of the repository"):
        GitTree(repo, "HEAD~5")
    with pytest.raises(GitError, match=r"a revision cannot start with '-'; got '--all'"):
        GitTree(repo, "--all")
    with pytest.raises(GitError, match=r"is outside the repository"):
        GitTree(repo, "HEAD").files(tmp_path, ".yaml")
