"""cumulative(..., collapse=True) against metafor 5's cumul(collapse = TRUE)."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE

CASES = load_reference("cumul_collapse")["cases"]


def _fit(cid, c):
    if cid.endswith("MH"):
        es = me.effect_sizes("RR", ai=c["ai"], bi=c["bi"], ci=c["ci"], di=c["di"])
        return me.mantel_haenszel(es)
    method, test = cid.split("-")[2:4]
    return me.meta_analysis(c["yi"], c["vi"], method=method, test=test)


@pytest.mark.parametrize("cid", sorted(CASES))
def test_collapsed_steps_match_metafor(cid):
    c = CASES[cid]
    res = _fit(cid, c)
    cum = me.cumulative(res, order=c["order"], collapse=True)
    assert [int(n) for n in cum.k] == c["k"]
    assert list(cum.row_labels) == [f"up to {int(y)}" for y in c["slab"]]
    tol = CLOSED_FORM if cid.split("-")[2] in ("EE", "DL", "MH") else ITERATIVE
    assert_close(cum.estimate, c["estimate"], tol)
    assert_close(cum.se, c["se"], tol)
    assert_close(cum.ci_lower, c["ci_lb"], tol)
    if c.get("tau2") is not None:
        assert_close(cum.tau2, c["tau2"], tol)


def test_collapse_needs_an_order_and_nan_keys_are_one_last_step():
    res = me.meta_analysis([0.1, 0.4, -0.2, 0.3, 0.5], [0.02, 0.03, 0.05, 0.04, 0.03])
    with pytest.raises(ValueError, match="give order="):
        me.cumulative(res, collapse=True)
    cum = me.cumulative(res, order=[2001, np.nan, 2001, 1999, np.nan], collapse=True)
    assert list(cum.row_labels) == ["up to 1999", "up to 2001", "up to no value"]
    assert [int(n) for n in cum.k] == [1, 3, 5]
