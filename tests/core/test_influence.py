"""core/influence.py against metafor influence.rma.uni and baujat()."""

import numpy as np
import pytest

from metaevidence.core import influence as I
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ILL_CONDITIONED, ITERATIVE

CASES = load_reference("influence")["cases"]


def test_fixture_grid_is_complete():
    expected = {f"bcg-{m}-z" for m in ("REML", "DL", "EE", "ML", "PM", "HE", "SJ")}
    expected |= {
        "bcg-REML-knha",
        "bcg-DL-knha",
        "bcg-ablat-REML-z",
        "bcg-ablat+year-DL-z",
        "bcg-ablat-REML-knha",
        "hackshaw1998-REML-z",
        "raudenbush1985-weeks-REML-z",
        "normand1999-REML-z",
        "normand1999-EE-z",
        "bcg-tau2fixed-z",
    }
    assert set(CASES) == expected


def _fixed(case):
    return case["tau2"] if case["tau2_fixed"] else None


def _tol(cid, case):
    if "year" in cid:
        return ILL_CONDITIONED
    return ITERATIVE if case["method"] in ("REML", "ML", "PM") else CLOSED_FORM


@pytest.mark.parametrize("cid", sorted(CASES))
def test_influence_matches_metafor(cid):
    c = CASES[cid]
    inf = I.influence_measures(
        c["yi"], c["vi"], np.array(c["X"]), method=c["method"], test=c["test"], tau2=_fixed(c)
    )
    tol = _tol(cid, c)
    for ours, theirs in [
        ("rstudent", "rstudent"),
        ("dffits", "dffits"),
        ("cook_d", "cook_d"),
        ("cov_r", "cov_r"),
        ("hat", "hat"),
        ("weight", "weight"),
        ("qe_del", "QE_del"),
        ("dfbetas", "dfbetas"),
    ]:
        assert_close(getattr(inf, ours), c[theirs], tol, what=theirs)
    assert_close(inf.tau2_del, c["tau2_del"], tol, atol=1e-9, what="tau2.del")
    np.testing.assert_array_equal(inf.is_influential, c["is_infl"])


@pytest.mark.parametrize("cid", sorted(CASES))
def test_baujat_matches_metafor(cid):
    c = CASES[cid]
    x, y = I.baujat_coordinates(
        c["yi"], c["vi"], np.array(c["X"]), method=c["method"], test=c["test"], tau2=_fixed(c)
    )
    tol = _tol(cid, c)
    assert_close(x, c["baujat_x"], tol, what="baujat x")
    assert_close(y, c["baujat_y"], tol, what="baujat y")


def test_some_fixture_flags_a_study():
    # the criteria must be exercised on both outcomes somewhere in the grid
    flags = np.concatenate([CASES[c]["is_infl"] for c in CASES])
    assert flags.any() and not flags.all()


def test_influential_cutoffs():
    k, p = 10, 2
    base = dict(dffits=np.zeros(4), cook_d=np.zeros(4), hat=np.full(4, 0.1), dfbetas=np.zeros((4, 2)))
    base["dffits"][0] = 3 * np.sqrt(p / (k - p)) + 1e-9
    base["cook_d"][1] = 1.3863  # chi2(2) median is 2 log 2 = 1.386294...
    base["hat"][2] = 3 * p / k + 1e-9
    base["dfbetas"][3, 1] = -1.000001
    flags = I.influential(**base, k=k, p=p)
    assert flags.tolist() == [True, True, True, True]
    base = dict(dffits=np.zeros(1), cook_d=np.array([1.3862]), hat=np.array([0.6]), dfbetas=np.ones((1, 2)))
    assert I.influential(**base, k=k, p=p).tolist() == [False]
