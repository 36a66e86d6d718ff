"""Harbord's modified test against metafor (regtest on Peto effects) and lm() on Z/sqrt(V)."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM

CASES = load_reference("harbord")["cases"]


@pytest.mark.parametrize("cid", sorted(CASES))
def test_harbord_test_matches_metafor_and_lm(cid):
    c = CASES[cid]
    es = me.effect_sizes("OR", ai=c["ai"], n1i=c["n1i"], ci=c["ci"], n2i=c["n2i"])
    r = me.harbord_test(me.meta_analysis(es, method="EE"))
    assert_close(r.statistic, c["zval"], CLOSED_FORM)
    assert_close(r.p_value, c["pval"], CLOSED_FORM)
    assert r.df == c["dfs"] and r.kind == "Harbord"
    # the intercept of Z/sqrt(V) on sqrt(V) is the coefficient of sei in the weighted form
    assert_close(r.coefficients[1], c["lm_intercept"], CLOSED_FORM)
    assert_close(r.se[1], c["lm_intercept_se"], CLOSED_FORM)
    assert_close(r.coefficients[0], c["lm_slope"], CLOSED_FORM)


def test_harbord_test_reads_counts_from_the_analysis_and_refuses_a_study_without_events():
    c = CASES["harbord-bcg"]
    es = me.effect_sizes("RR", ai=c["ai"], n1i=c["n1i"], ci=c["ci"], n2i=c["n2i"])
    r = me.harbord_test(me.meta_analysis(es))  # the counts, not the RRs, are used
    assert_close(r.statistic, c["zval"], CLOSED_FORM)
    ai, ci = np.array(c["ai"]), np.array(c["ci"])
    ai[0] = ci[0] = 0
    es = me.effect_sizes("OR", ai=ai, n1i=c["n1i"], ci=ci, n2i=c["n2i"])
    with pytest.raises(ValueError, match="at least one event and one non-event"):
        me.harbord_test(me.meta_analysis(es))
