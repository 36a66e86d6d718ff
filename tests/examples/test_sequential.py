"""examples/sequential.py: the tutorials state what the trial sequential analysis computes.

The streptokinase tutorial (section 7) and the magnesium example each state, per model, the
trial at which the conventional test was first significant, the trial at which the monitoring
boundary was first crossed, and the verdict now; these are recomputed here.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

import metaevidence as me

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _script():
    spec = importlib.util.spec_from_file_location("tsa_examples", EXAMPLES / "sequential.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tsa = _script()

STATED = re.compile(
    r"- (common|random) effects?: conventional test first significant at \*\*(.+?)\*\*; monitoring "
    r"boundary first crossed at \*\*(.+?)\*\*; verdict now: \*\*(.+?)\*\*"
)


@pytest.mark.parametrize(
    ("folder", "loader", "name"),
    [("streptokinase", me.datasets.load_lau1992, "trial"), ("magnesium", me.datasets.load_li2007, "study")],
)
def test_the_tutorial_states_what_the_analysis_computes(folder, loader, name):
    text = (EXAMPLES / folder / "README.md").read_text(encoding="utf-8")
    stated = {m[0]: m[1:] for m in STATED.findall(text)}
    assert set(stated) == {"common", "random"}
    for model, (conventional, crossed, verdict) in stated.items():
        res, _ = tsa.looks(loader(), name, model)
        a = tsa.answer(res)
        assert a["first_conventional"] == conventional
        assert (a["first_crossing"] or "none") == crossed
        assert a["verdict"] == verdict
        assert (
            f"{folder}-tsa-{model}.png" in text
            and (EXAMPLES / folder / f"{folder}-tsa-{model}.png").is_file()
        )


def test_magnesium_early_significance_did_not_cross():
    res, _ = tsa.looks(me.datasets.load_li2007(), "study", "common")
    early = [k for k, lab in enumerate(res.labels) if int(lab.rsplit(" ", 1)[1]) <= 1991]
    assert all(abs(res.z[k]) >= res.conventional for k in early[2:])  # "significant" from Smith 1986
    assert all(abs(res.z[k]) < res.upper[k] for k in early)  # ... but never beyond the boundary
