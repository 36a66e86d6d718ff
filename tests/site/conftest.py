"""Helpers for the site tests: a small reviewed-and-run review, and the repository's own site."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metaevidence.site.build import build_site
from metaevidence.workflow.run import Paths, run_analyses
from tests.workflow.conftest import TRIALS, commit_all, make_review, spec

REPO = Path(__file__).resolve().parents[2]


def run_review(root: Path, *, trials=TRIALS, figures=("forest",)) -> Paths:
    """A small review under ``root``, run into results/ and figures/."""
    make_review(root, trials=trials, specs=[spec(figures={"draw": list(figures), "formats": ["svg", "png"]})])
    paths = Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")
    report = run_analyses(paths)
    assert report.ok, report.summary()
    return paths


@pytest.fixture
def small(tmp_path: Path) -> Paths:
    return run_review(tmp_path / "review")


@pytest.fixture(scope="session")
def repo_site(tmp_path_factory) -> Path:
    """The site of the repository's own committed review (built once per session)."""
    out = tmp_path_factory.mktemp("site") / "site"
    paths = Paths.of(REPO / "studies", REPO / "analyses", REPO / "results", REPO / "figures")
    build_site(paths, out)
    return out


__all__ = ["REPO", "run_review", "commit_all", "shutil"]
