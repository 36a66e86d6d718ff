"""Reading files as they were at a git revision (for ``metaevidence diff --since REV``).

Only plumbing commands are used (``rev-parse``, ``ls-tree``, ``cat-file``), with the
output read as bytes, so nothing depends on the user's git configuration or locale. A
missing ``git`` executable, a folder outside any repository and an unknown revision each
raise :class:`GitError` with a message saying what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from metaevidence.errors import MetaevidenceError

__all__ = ["GitError", "GitTree", "file_revisions", "find_repository", "path_log"]


class GitError(MetaevidenceError):
    """A git revision or repository could not be read."""


def _git(cwd: Path, *args: str) -> bytes:
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed (or not on PATH); it is needed to compare with a revision")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    proc = subprocess.run([exe, *args], cwd=cwd, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return proc.stdout


def find_repository(folder: str | Path) -> Path | None:
    """The top folder of the git work tree holding ``folder``, or None (no repository, no git)."""
    folder = Path(folder).resolve()
    while not folder.exists():
        folder = folder.parent
    try:
        out = _git(folder, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode("utf-8").strip())


class GitTree:
    """The files of one revision of a repository.

    Parameters
    ----------
    repository : Path
        The work tree's top folder (:func:`find_repository`).
    rev : str
        Any revision git understands: ``HEAD``, ``main``, ``v1.2``, ``HEAD~3``, a hash.
    """

    def __init__(self, repository: str | Path, rev: str):
        self.repository = Path(repository)
        self.rev = rev
        if rev.startswith("-"):
            raise GitError(f"a revision cannot start with '-'; got {rev!r}")
        try:
            self.commit = (
                _git(self.repository, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
                .decode()
                .strip()
            )
        except GitError:
            raise GitError(
                f"{rev!r} is not a commit of the repository {self.repository} "
                "(give a branch, tag or commit, e.g. HEAD~1 or main)"
            ) from None

    def _relative(self, path: str | Path) -> str:
        try:
            rel = Path(path).resolve().relative_to(self.repository.resolve())
        except ValueError:
            raise GitError(f"{path} is outside the repository {self.repository}") from None
        return rel.as_posix()

    def files(self, folder: str | Path, suffix: str) -> dict[str, str]:
        """File name -> repository path of the files directly in ``folder`` ending in ``suffix``."""
        rel = self._relative(folder)
        prefix = "" if rel == "." else rel + "/"
        out = _git(self.repository, "ls-tree", "-z", "--name-only", self.commit, "--", prefix or ".")
        found = {}
        for name in out.decode("utf-8").split("\0"):
            if not name:
                continue
            base = name[len(prefix) :] if name.startswith(prefix) else name
            if "/" in base or not base.endswith(suffix) or base.startswith("."):
                continue
            found[base] = name
        return dict(sorted(found.items()))

    def read(self, repo_path: str) -> bytes:
        """The bytes of a file at this revision."""
        return _git(self.repository, "cat-file", "blob", f"{self.commit}:{repo_path}")


def path_log(repository: str | Path, path: str | Path, limit: int | None = 50) -> list[tuple[str, str, str]]:
    """(commit, ISO date, subject) of the commits that changed ``path``, newest first (at most
    ``limit``; None for all); [] when git or the repository has none.
    """
    repository = Path(repository)
    try:
        rel = Path(path).resolve().relative_to(repository.resolve()).as_posix()
    except ValueError:
        return []
    try:
        count = [] if limit is None else [f"-{int(limit)}"]
        out = _git(repository, "log", *count, "--format=%H%x00%cs%x00%s", "--", rel)
    except GitError:  # e.g. a repository without commits
        return []
    rows = []
    for line in out.decode("utf-8", "replace").splitlines():
        if line.strip():
            commit, date, subject = line.split("\0", 2)
            rows.append((commit, date, subject))
    return rows


def file_revisions(repository: str | Path, path: str | Path) -> list[str]:
    """The commits that changed ``path`` (a file in the work tree), oldest first; [] when git
    or the repository has none (used for the looks of a sequential analysis).
    """
    return [commit for commit, _date, _subject in reversed(path_log(repository, path, limit=None))]
