"""leave_one_out and cumulative against metafor::leave1out / metafor::cumul
(tests/reference/R/sensitivity.R)."""

import warnings

import numpy as np
import pytest

import metaevidence as me
from metaevidence.errors import ConvergenceWarning
from metaevidence.stats.sensitivity import refit_masks
from tests.core.rma_cases import check, datasets, fixture, tolerances
from tests.reference_data import as_array
from tests.tolerances import ZERO_ABS

DATA = datasets()
CASES = fixture("sensitivity")["cases"]


def _parent(case):
    if case["method"] in ("MH", "PETO"):
        counts = {k: as_array(case[k]) for k in ("ai", "bi", "ci", "di")}
        if case["method"] == "MH":
            return me.mantel_haenszel(measure=case["measure"], **counts)
        return me.peto(**counts)
    d = DATA[case["dataset"]]
    return me.meta_analysis(d["yi"], d["vi"], method=case["method"], test=case["test"], labels=d["labels"])


def test_case_grid_is_complete():
    fits = [
        "bcg-RR-REML-z",
        "bcg-RR-DL-knha",
        "bcg-RR-PM-adhoc",
        "bcg-RR-EE-z",
        "collins1985a-OR-REML-z",
        "lau1992-OR-REML-knha",
        "bcg-MH-OR",
        "bcg-MH-RD",
        "bcg-PETO",
    ]
    assert set(CASES) == {f"{f}-{kind}" for f in fits for kind in ("leave1out", "cumul")}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor(case_id):
    case = CASES[case_id]
    parent = _parent(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        if case["kind"] == "leave-one-out":
            batch = me.leave_one_out(parent)
        else:
            batch = me.cumulative(parent, order=case.get("order"))
    assert batch.kind == case["kind"] and batch.parent is parent
    rows = batch.order if batch.order is not None else np.flatnonzero(parent.included)
    assert [str(i + 1) for i in rows] == case["rows"]
    arith, dist = tolerances(case["method"] if case["method"] in ("REML", "PM") else "DL")
    tau2_ref = as_array(case["tau2"])
    boundary = (tau2_ref > 0) & (tau2_ref < ZERO_ABS)  # Fisher scoring stopped at ~1e-13
    atol = np.where(boundary, ZERO_ABS, 0.0)
    check(batch.estimate, case["estimate"], arith, f"{case_id} estimate", scale=batch.se)
    check(batch.se, case["se"], arith, f"{case_id} se")
    check(batch.p_value, case["p_value"], dist, f"{case_id} p")
    half = (batch.ci_upper - batch.ci_lower) / 2
    check(batch.ci_lower, case["ci_lower"], dist, f"{case_id} ci.lb", scale=half)
    check(batch.ci_upper, case["ci_upper"], dist, f"{case_id} ci.ub", scale=half)
    check(batch.q, case["q"], arith, f"{case_id} Q")
    check(batch.q_p_value, case["q_p_value"], dist, f"{case_id} Qp")
    check(batch.i2, case["i2"], arith, f"{case_id} I2", atol=np.where(boundary, 1e-8, 0.0))
    check(batch.h2, case["h2"], arith, f"{case_id} H2", atol=atol)
    if parent.random_effects:
        check(batch.tau2, tau2_ref, arith, f"{case_id} tau2", atol=atol)
    else:  # metafor leaves tau^2 out for common effects
        assert np.all(batch.tau2 == 0) and np.all(np.isnan(tau2_ref))


def test_leave_one_out_rows_and_labels():
    d = DATA["collins1985a-OR"]
    res = me.meta_analysis(d["yi"], d["vi"], labels=d["labels"])
    loo = me.leave_one_out(res)
    assert len(loo) == res.k == 25
    assert loo.row_labels[0] == f"omitting {d['labels'][0]}"
    assert not loo.mask[0, 0] and not loo.included[:, 5].any()
    assert np.all(loo.k == 24)
    frame = loo.to_frame()
    assert list(frame.index[:1]) == [f"omitting {d['labels'][0]}"]


def test_cumulative_order_by_study_attribute_and_errors():
    ai = [4, 6, 3, 62, 33]
    bi = [119, 300, 228, 13536, 5036]
    ci = [11, 29, 11, 248, 47]
    di = [128, 274, 209, 12619, 5761]
    es = me.effect_sizes(
        "RR", ai=ai, bi=bi, ci=ci, di=di, study_info={"year": [1948, 1949, 1960, 1949, 1950]}
    )
    res = me.meta_analysis(es)
    cum = me.cumulative(res, order="year")
    assert cum.order.tolist() == [0, 1, 3, 4, 2]  # stable on the 1949 tie
    assert cum.k.tolist() == [1, 2, 3, 4, 5]
    assert cum.estimate[-1] == pytest.approx(res.estimate, rel=1e-12)
    with pytest.raises(
        ValueError,
        match=r"order='grade' is not a study attribute of the "
        r"effect sizes; available: \['year'\]",
    ):
        me.cumulative(res, order="grade")
    with pytest.raises(
        ValueError,
        match=r"order must have one sort key per study \(5\); "
        r"got shape \(2,\)",
    ):
        me.cumulative(res, order=[1, 2])
    with pytest.raises(TypeError, match=r"cumulative: expected a MetaAnalysis; got str"):
        me.cumulative("res")


def test_refit_masks_keeps_fixed_tau2_and_settings():
    d = DATA["bcg-RR"]
    res = me.meta_analysis(d["yi"], d["vi"], tau2=0.2, test="knha", pi_method="hts")
    sub = refit_masks(res, np.ones((2, d["yi"].size), dtype=bool))
    assert sub.tau2_fixed and np.all(sub.tau2 == 0.2)
    assert sub.test == "knha" and sub.pi_method == "hts"
    assert sub.estimate[0] == pytest.approx(res.estimate, rel=1e-12)
    assert sub.pi_lower[1] == pytest.approx(res.pi_lower, rel=1e-12)
    with pytest.raises(ValueError, match=r"mask must have shape \(\.\.\., 13\)"):
        refit_masks(res, np.ones((2, 3), dtype=bool))


def test_batch_row_is_a_meta_analysis():
    d = DATA["bcg-RR"]
    res = me.meta_analysis(d["yi"], d["vi"], labels=d["labels"])
    loo = me.leave_one_out(res)
    row = loo[2]
    assert isinstance(row, me.MetaAnalysis) and row.k == 12 and not row.included[2]
    alone = me.meta_analysis(np.delete(d["yi"], 2), np.delete(d["vi"], 2))
    assert row.estimate == pytest.approx(alone.estimate, rel=1e-10)
    mh = me.leave_one_out(_parent(CASES["bcg-MH-OR-leave1out"]))
    assert np.isfinite(mh[0].cmh) and mh[0].method == "MH"
    with pytest.raises(IndexError, match=r"a batch of shape \(13,\) needs 1 indices"):
        loo[1, 2]


def test_leave_one_out_of_a_single_study_is_refused():
    import pytest

    import metaevidence as me

    with pytest.raises(ValueError, match=r"leave_one_out: needs a fit of at least 2 studies .*got k = 1"):
        me.leave_one_out(me.meta_analysis([0.1], [0.1]))
