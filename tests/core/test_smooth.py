"""Friedman's SuperSmoother (core/smooth.py) against R's stats::supsmu on seeded inputs
(tests/reference/R/supsmu.R): cross-validated and fixed spans, bass, ties, weights,
unsorted input, envelope-shaped data and degenerate x."""

import numpy as np
import pytest

from metaevidence.core.smooth import SPANS, supsmu
from tests.reference_data import assert_close, load_reference
from tests.tolerances import SUPSMU

REF = load_reference("supsmu")["cases"]


def test_the_grid_of_cases_is_complete():
    calls = [c["call"] for c in REF.values()]
    assert sum("bass = 5" in c for c in calls) >= 8 and sum("bass = 10" in c for c in calls) >= 8
    assert any("wt = wt" in c for c in calls) and any("span = 0.4" in c for c in calls)
    assert {"ties-n60", "unsorted-n40", "constant-x", "envelope-k30"} <= set(REF)


@pytest.mark.parametrize("case_id", sorted(REF))
def test_supsmu_matches_r(case_id):
    c = REF[case_id]
    kw = {"bass": float(c["bass"]), "span": c["span"] if c["span"] == "cv" else float(c["span"])}
    if c.get("wt") is not None:
        kw["wt"] = np.asarray(c["wt"])
    fx, fy = supsmu(np.asarray(c["x"], float), np.asarray(c["y"], float), **kw)
    np.testing.assert_array_equal(fx, np.asarray(c["fit_x"], float))
    assert_close(fy, c["fit_y"], SUPSMU, atol=SUPSMU, what=case_id)


def test_the_spans_are_single_precision_as_r_holds_them():
    assert SPANS[2] == 0.5 and SPANS[0] == float(np.float32(0.05)) != 0.05


def test_bass_smooths_more():
    c = REF["sine-n250"]
    x, y = np.asarray(c["x"]), np.asarray(c["y"])
    rough = [np.abs(np.diff(supsmu(x, y, bass=b)[1], 2)).sum() for b in (0, 5, 10)]
    assert rough[0] > rough[1] > rough[2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": [1, 2], "y": [1, 2, 3]}, r"vectors of one length; got shapes \(2,\), \(3,\)"),
        ({"x": [], "y": []}, "x and y are empty"),
        ({"x": [1, np.nan], "y": [1, 2]}, "must be finite"),
        ({"x": [1, 2], "y": [1, 2], "wt": [1, -1]}, "wt non-negative"),
        ({"x": [1, 2], "y": [1, 2], "span": 0}, r"span must be 'cv' or a number in \(0, 1\]; got 0"),
        ({"x": [1, 2], "y": [1, 2], "span": "wide"}, "span must be 'cv' or a number"),
        ({"x": [1, 2], "y": [1, 2], "bass": 12}, r"bass must be in \[0, 10\]; got 12"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    x, y = kwargs.pop("x"), kwargs.pop("y")
    with pytest.raises(ValueError, match=message):
        supsmu(np.asarray(x, float), np.asarray(y, float), **kwargs)
