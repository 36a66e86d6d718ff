"""Set-up for the examples in the package's docstrings (run by ``--doctest-modules``).

Every docstring example runs with ``me`` (the package), ``np``, ``bcg`` (the 13 BCG
vaccine trials), ``es`` (their log risk ratios, with ``year`` and ``ablat`` as study
information) and ``res`` (the REML fit) defined, in a fresh working folder that holds
this repository's ``studies/`` and ``analyses/``, so examples that write files write
nowhere that matters.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent


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
