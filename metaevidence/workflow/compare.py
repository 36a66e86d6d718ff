"""Putting ``metaevidence diff`` together: the two states to compare, and the comparison.

*After* is the working tree: the study records and specs as they are now, every analysis
computed in memory (no figures, nothing written). *Before* is

* with ``since`` (any git revision): the results and study records at that revision;
* without ``since``, inside a git repository: the committed results (``HEAD``);
* outside a git repository: the results in ``results/`` as they are on disk (the study
  records' previous content is then unknown: corrected records are named by hash, without
  their fields).
"""

from __future__ import annotations

from pathlib import Path

from metaevidence.errors import MetaevidenceError, RecordError
from metaevidence.workflow.canonical import round_floats
from metaevidence.workflow.diff import EvidenceDiff, diff_documents, diff_records, unanalysed
from metaevidence.workflow.gitrev import GitError, GitTree, find_repository
from metaevidence.workflow.run import Paths
from metaevidence.workflow.store import StoreError, json_ready, parse_result, sha256_hex

__all__ = ["current_documents", "evidence_diff"]


def current_documents(paths: Paths):
    """(evidence, {id: document}, {id: error}) for the working tree; raises RecordError for broken records."""
    from metaevidence.evidence.base import scan_studies
    from metaevidence.workflow.compute import compute
    from metaevidence.workflow.spec import scan_specs

    evidence, problems, _n = scan_studies(paths.studies)
    if evidence is None:
        raise RecordError(problems)
    specs, spec_problems, _n = scan_specs(paths.analyses, evidence=evidence)
    errors: dict[str, str] = {}
    for p in spec_problems:
        if p.path is not None and p.path.suffix == ".yaml":
            errors.setdefault(p.path.stem, f"the spec has problems; first: {p}")
    docs = {}
    for spec in specs:
        try:
            # in the canonical form of the stored results, so that noise is not a change
            docs[spec.id] = round_floats(json_ready(compute(spec, evidence).document))
        except MetaevidenceError as exc:
            errors[spec.id] = str(exc)
    return evidence, docs, errors


def _disk_documents(results: Path) -> dict[str, dict]:
    out = {}
    if results.is_dir():
        for p in sorted(results.glob("*.json")):
            if not p.name.startswith("."):
                out[p.stem] = parse_result(p.read_bytes(), p)
    return out


def evidence_diff(paths: Paths, since: str | None = None) -> EvidenceDiff:
    """What changed since ``since`` (see the module docstring)."""
    from metaevidence.workflow.compute import refit_estimate

    evidence, after_docs, errors = current_documents(paths)
    repo = find_repository(paths.results.parent if not paths.results.exists() else paths.results)
    if since is not None and repo is None:
        raise GitError(f"--since {since} needs a git repository, and {paths.results} is not in one")
    tree = None
    if repo is not None:
        try:
            tree = GitTree(repo, since or "HEAD")
        except GitError:
            if since is not None:
                raise
            tree = None  # a repository without commits yet: compare with the files on disk
    if tree is not None:
        before_docs = {}
        for name, repo_path in tree.files(paths.results, ".json").items():
            try:
                before_docs[name[:-5]] = parse_result(tree.read(repo_path), Path(f"{tree.rev}:{repo_path}"))
            except StoreError:
                continue  # not a results file at that revision: treated as absent
        before_records = {}
        for name, repo_path in tree.files(paths.studies, ".yaml").items():
            raw = tree.read(repo_path)
            before_records[name[:-5]] = (sha256_hex(raw), raw)
        after_records = {s.id: (s.sha256, s.path.read_bytes()) for s in evidence.studies}
        label = f"{tree.rev} ({tree.commit[:7]})"
    else:
        before_docs = _disk_documents(paths.results)
        before_records = {
            sid: (sha, None)
            for doc in before_docs.values()
            for sid, sha in doc.get("inputs", {}).get("studies", {}).items()
        }
        known = set(before_records) | {sid for doc in after_docs.values() for sid in doc["inputs"]["studies"]}
        after_records = {s.id: (s.sha256, None) for s in evidence.studies if s.id in known}
        label = f"the results on disk ({paths.results})"
    studies = diff_records(before_records, after_records)
    analyses = diff_documents(before_docs, after_docs, errors=errors, refit=refit_estimate)
    outcomes = {s.id: tuple(dict.fromkeys(e.outcome for e in s.outcomes)) for s in evidence.studies}
    return EvidenceDiff(label, studies, analyses, unanalysed(studies, outcomes, after_docs, errors))
