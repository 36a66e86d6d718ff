"""peto() and mantel_haenszel() refusals that follow metafor."""

from __future__ import annotations

import pytest

import metaevidence as me


def test_peto_refuses_when_an_outcome_never_occurs():
    # metafor 3.8-1: rma.peto(ai=c(0,0), bi=c(10,12), ci=c(0,0), di=c(11,9)) stops with "One of
    # the two outcomes never occurred in any of the tables. Peto's method cannot be used."
    with pytest.raises(ValueError, match=r"peto: no event in any of the tables: .* cannot be used"):
        me.peto(ai=[0, 0], bi=[10, 12], ci=[0, 0], di=[11, 9])
    with pytest.raises(ValueError, match=r"peto: no non-event in any of the tables"):
        me.peto(ai=[5, 3], bi=[0, 0], ci=[4, 2], di=[0, 0])
