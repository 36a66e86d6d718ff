"""Mantel-Haenszel person-time pooling and the Breslow-Day / Cochran tests against
metafor::rma.mh (tests/reference/R/mh_more.R)."""

import numpy as np
import pytest

import metaevidence as me
from tests.core.rma_cases import check, fixture
from tests.reference_data import as_array
from tests.tolerances import CLOSED_FORM, DISTRIBUTION

CASES = fixture("mh_more")["cases"]
RATES = sorted(k for k in CASES if "-IR" in k)
TABLES = sorted(k for k in CASES if k.endswith("-OR"))


@pytest.mark.parametrize("case_id", RATES)
def test_person_time_matches_rma_mh(case_id):
    c = CASES[case_id]
    res = me.mantel_haenszel_rates(
        as_array(c["x1i"]),
        as_array(c["t1i"]),
        as_array(c["x2i"]),
        as_array(c["t2i"]),
        measure=c["measure"],
        level=c["level"],
    )
    assert res.k == c["k"] and res.method == "MH"
    check(res.estimate, c["estimate"], CLOSED_FORM, f"{case_id} estimate")
    check(res.se, c["se"], CLOSED_FORM, f"{case_id} se")
    half = c["ci_upper"] - c["ci_lower"]
    check(res.ci_lower, c["ci_lower"], DISTRIBUTION, f"{case_id} ci", scale=half)
    check(res.ci_upper, c["ci_upper"], DISTRIBUTION, f"{case_id} ci", scale=half)
    check(res.p_value, c["p_value"], DISTRIBUTION, f"{case_id} p")
    check(res.q, c["q"], CLOSED_FORM, f"{case_id} Q")
    check(res.q_p_value, c["q_p_value"], DISTRIBUTION, f"{case_id} Qp")
    check(res.i2, c["i2"], CLOSED_FORM, f"{case_id} I2", atol=1e-12)
    check(res.yi, c["yi"], CLOSED_FORM, f"{case_id} yi")
    check(res.weights, c["weights"], CLOSED_FORM, f"{case_id} weights")
    check(res.cmh, np.nan if c["cmh"] is None else c["cmh"], CLOSED_FORM, f"{case_id} MH test")
    check(
        res.cmh_p_value,
        np.nan if c["cmh_p_value"] is None else c["cmh_p_value"],
        DISTRIBUTION,
        f"{case_id} MHp",
    )


@pytest.mark.parametrize("case_id", TABLES)
def test_breslow_day_and_cochran_match_rma_mh(case_id):
    c = CASES[case_id]
    res = me.mantel_haenszel(
        ai=as_array(c["ai"]), bi=as_array(c["bi"]), ci=as_array(c["ci"]), di=as_array(c["di"])
    )
    check(res.breslow_day, c["breslow_day"], CLOSED_FORM, f"{case_id} BD")
    check(res.breslow_day_p_value, c["breslow_day_p_value"], DISTRIBUTION, f"{case_id} BDp")
    check(res.tarone, c["tarone"], CLOSED_FORM, f"{case_id} TA")
    check(res.cochran, c["cochran"], CLOSED_FORM, f"{case_id} CO")
    check(res.cochran_p_value, c["cochran_p_value"], DISTRIBUTION, f"{case_id} COp")
    check(res.cmh, c["cmh"], CLOSED_FORM, f"{case_id} MH")


def test_rates_errors():
    with pytest.raises(ValueError, match="measure must be 'IRR' or 'IRD'"):
        me.mantel_haenszel_rates([1], [10.0], [2], [10.0], measure="RR")
    with pytest.raises(ValueError, match="t1i must be positive person-times; got 0 for study 2"):
        me.mantel_haenszel_rates([1, 2], [10.0, 0.0], [2, 3], [10.0, 5.0])
    with pytest.raises(ValueError, match="one value per study"):
        me.mantel_haenszel_rates([1, 2], [10.0], [2, 3], [10.0, 5.0])
