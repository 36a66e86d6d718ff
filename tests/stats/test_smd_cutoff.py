"""The flag for unusually large standardized mean differences against metafor 5.1's
escalc(cutoff=) (tests/reference/R/smd_cutoff_v5.R): which inputs warn, and the estimates."""

import warnings

import numpy as np
import pytest

import metaevidence as me
from metaevidence.stats.effects import LARGE_EFFECT_MEASURES
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM

CASES = load_reference("smd_cutoff_v5")["cases"]


def test_the_grid_of_cases_is_complete():
    assert {c["measure"] for c in CASES.values() if c["warned"]} == set(LARGE_EFFECT_MEASURES)
    assert any(not c["warned"] for c in CASES.values() if c["measure"] == "SMD")
    assert any(c["cutoff"] is not None for c in CASES.values())


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_warns_exactly_when_metafor_does(case_id):
    c = CASES[case_id]
    kw = {} if c["cutoff"] is None else {"cutoff": c["cutoff"]}
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        es = me.effect_sizes(c["measure"], **{k: np.asarray(v) for k, v in c["inputs"].items()}, **kw)
    flagged = [w for w in log if issubclass(w.category, me.LargeEffectWarning)]
    assert bool(flagged) == c["warned"]
    assert_close(es.yi, c["yi"], CLOSED_FORM)
    assert_close(es.vi, c["vi"], CLOSED_FORM)  # SMCR here without sd2i, as metafor takes it
    if flagged:
        text = str(flagged[0].message)
        assert f"effect_sizes(measure='{c['measure']}')" in text and "row 0 ('Study 1'" in text
        assert "standard errors entered in place of SDs" in text


def test_cutoff_none_skips_and_a_bad_cutoff_is_refused():
    c = CASES["SMD-above"]
    inputs = {k: np.asarray(v) for k, v in c["inputs"].items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        me.effect_sizes("SMD", **inputs, cutoff=None)
    with pytest.warns(me.LargeEffectWarning, match=r"1 value\(s\) unusually large \(\|yi\| > 2\)"):
        me.effect_sizes("SMD", **inputs)
    with pytest.raises(ValueError, match="cutoff must be a positive number or None; got -1"):
        me.effect_sizes("SMD", **inputs, cutoff=-1)
