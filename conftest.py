"""Set-up for the examples in the package's docstrings (run by ``--doctest-modules``).

Every docstring example runs with ``me`` (the package), ``np``, ``bcg`` (the 13 BCG
vaccine trials), ``es`` (their log risk ratios, with ``year`` and ``ablat`` as study
information) and ``res`` (the REML fit) defined, in a fresh working folder that holds
this repository's ``studies/`` and ``analyses/``, so examples that write files write
nowhere that matters.

Under ``CI`` the property-based tests (hypothesis) draw their examples deterministically,
so a clean clone gives the same verdict on every run; elsewhere they explore at random.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent

if os.environ.get("CI"):
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _docstring_examples(request, doctest_namespace, tmp_path, monkeypatch):
    if not isinstance(request.node, pytest.DoctestItem):
        return
    import numpy as np

    import metaevidence as me

    bcg = me.datasets.load_bcg()
    es = me.effect_sizes(
        "RR",
        ai=bcg.tpos,
        bi=bcg.tneg,
        ci=bcg.cpos,
        di=bcg.cneg,
        labels=bcg.author + " " + bcg.year.astype(str),
        study_info={"year": bcg.year, "ablat": bcg.ablat},
    )
    doctest_namespace.update(me=me, np=np, bcg=bcg, es=es, res=me.meta_analysis(es))
    for folder in ("studies", "analyses"):
        os.symlink(REPO / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
