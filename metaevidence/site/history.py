"""When an analysis's published result last changed, and which studies changed it.

The history of a living review is the git history of ``results/``: the last commit that
changed ``results/<id>.json`` is the last update, and comparing that version with the one
before it (:func:`metaevidence.workflow.diff.diff_documents`, the engine of
``metaevidence diff``) says which studies were added, removed or corrected and how the
numbers moved. A result that differs from the committed one is "not yet committed" and is
compared with the committed version. Outside a repository (or without git) the history is
unknown, and the page says so rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from metaevidence.workflow.diff import comparison_rows, diff_documents
from metaevidence.workflow.gitrev import GitError, GitTree, find_repository, path_log
from metaevidence.workflow.store import StoreError, parse_result

__all__ = ["LastChange", "last_change"]


@dataclass(frozen=True, slots=True)
class LastChange:
    """The last update of one analysis (``known`` is False outside git)."""

    known: bool
    date: str = ""
    commit: str = ""
    subject: str = ""
    first: bool = False  # the first published version: nothing to compare with
    uncommitted: bool = False
    studies: tuple[tuple[str, str, str], ...] = ()  # (symbol + - ~, study id, label)
    conclusion: tuple[str, ...] = ()
    rows: tuple[tuple[str, str, str, str], ...] = ()  # (quantity, before, after, change)
    settings: tuple[str, ...] = field(default=())

    @property
    def by(self) -> str:
        """Which studies made the change, in words."""
        if not self.known:
            return "unknown (not in a git repository)"
        if self.first:
            return "first published"
        words = {"+": "added", "-": "removed", "~": "corrected"}
        parts = [f"{label} {words[s]}" for s, _id, label in self.studies]
        if parts:
            return "; ".join(parts)
        if self.settings:
            return "analysis settings changed"
        return "recomputed; no study changed"


def _read(tree: GitTree, rel: str) -> dict | None:
    try:
        return parse_result(tree.read(rel))
    except (GitError, StoreError):
        return None


def _compare(aid: str, before: dict, after: dict, meta: dict) -> LastChange | None:
    """The change from ``before`` to ``after``, or None when no study and no number moved."""
    (d,) = diff_documents({aid: before}, {aid: after})
    rows = tuple(comparison_rows(d))
    if not d.studies and all(b == a for _q, b, a, _c in rows):
        return None
    return LastChange(
        True,
        studies=tuple(d.studies),
        conclusion=tuple(d.conclusion),
        rows=rows,
        settings=tuple(str(s) for s in d.settings),
        **meta,
    )


def last_change(json_path: Path, current: dict, *, depth: int = 50) -> LastChange:
    """The last update of the result stored at ``json_path`` (whose document is ``current``).

    The last update is the newest version whose studies or numbers differ from the version
    before it: a commit that only re-rendered a figure or added a setting's default is
    passed over, so "last changed" names the studies that changed the evidence. Up to
    ``depth`` commits of the file are read; beyond them (or at its first version) the
    result counts as first published.
    """
    repo = find_repository(json_path.parent)
    if repo is None:
        return LastChange(False)
    rel = json_path.resolve().relative_to(repo.resolve()).as_posix()
    aid = current["analysis"]["id"]
    try:
        head = _read(GitTree(repo, "HEAD"), rel)
    except GitError:  # a repository without commits
        head = None
    if head != current:
        if head is None:
            return LastChange(True, first=True, uncommitted=True)
        found = _compare(aid, head, current, {"uncommitted": True})
        if found is not None:
            return found
    log = path_log(repo, json_path, depth)
    after = head
    for n, (commit, date, subject) in enumerate(log):
        meta = {"date": date, "commit": commit[:12], "subject": subject}
        before = _read(GitTree(repo, log[n + 1][0]), rel) if n + 1 < len(log) else None
        if before is None or after is None:
            return LastChange(True, first=True, **meta)
        found = _compare(aid, before, after, meta)
        if found is not None:
            return found
        after = before
    return LastChange(False) if not log else LastChange(True, first=True, **meta)
