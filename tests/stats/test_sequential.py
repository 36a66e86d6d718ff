"""trial_sequential_analysis and required_information_size (metaevidence.stats.sequential)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import metaevidence as me
from metaevidence.core import sequential as seq


def test_required_information_size_echoes_its_assumptions():
    size = me.required_information_size(control_risk=0.1, rrr=0.2, adjustment="D2", heterogeneity=0.25)
    z = stats.norm.isf(0.025) + stats.norm.isf(0.2)
    assert size.unadjusted == pytest.approx(4 * z**2 * 0.09 * 0.91 / 0.02**2, rel=1e-12)
    assert size.required == pytest.approx(size.unadjusted / 0.75, rel=1e-12)
    assert (size.outcome, size.control_risk, size.rrr, size.alpha, size.beta) == (
        "binary",
        0.1,
        0.2,
        0.05,
        0.2,
    )
    cont = me.required_information_size(difference=0.3)
    assert cont.outcome == "continuous" and cont.sd == 1.0 and cont.adjustment == "none"
    assert cont.required == pytest.approx(4 * z**2 / 0.09, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"control_risk": 0.1}, "needs both"),
        ({"control_risk": 0.1, "rrr": 0.2, "difference": 1.0}, "not both"),
        ({}, "give control_risk and rrr"),
        ({"difference": 1.0, "adjustment": "tau"}, "adjustment must be"),
        ({"difference": 1.0, "adjustment": "I2", "heterogeneity": 1.0}, r"\[0, 1\)"),
        ({"difference": 1.0, "alpha": 0.0}, "alpha and beta"),
    ],
)
def test_required_information_size_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        me.required_information_size(**kwargs)


def test_boundaries_are_ld98_two_sided_symmetric():
    # each side spends the O'Brien-Fleming-type function at alpha/2 (ld98, RTSA, TSA program)
    res = me.trial_sequential_analysis([0.5, 1.0, 2.5], [100, 330, 1000], required_information=1000)
    np.testing.assert_allclose(res.upper, [6.9913, 3.7308, 1.9605], atol=1.5e-4)
    np.testing.assert_array_equal(res.lower, -res.upper)
    np.testing.assert_allclose(res.fractions, [0.1, 0.33, 1.0])
    assert res.conventional == pytest.approx(stats.norm.isf(0.025))
    assert res.verdict == "effect" and res.first_crossing == 2 and res.first_conventional == 2


def test_verdicts_and_adjusted_ci():
    ris = 6428.0
    kw = {"required_information": ris, "futility": True, "lower_is_better": True}
    early = me.trial_sequential_analysis([-2.3, -2.5], [400, 900], **kw)
    assert early.verdict == "not-yet" and early.first_conventional == 0 and early.first_crossing is None
    assert early.information_needed == pytest.approx(ris - 900)
    firm = me.trial_sequential_analysis([-2.3, -2.5, -3.9], [400, 900, 4000], estimate=-0.3, se=0.077, **kw)
    assert firm.verdict == "benefit" and firm.first_crossing == 2
    assert firm.adjusted_ci_lower == pytest.approx(-0.3 - firm.upper[-1] * 0.077)
    assert firm.adjusted_ci_upper - firm.adjusted_ci_lower > 2 * 1.959964 * 0.077  # wider than naive
    harm = me.trial_sequential_analysis([3.9], [4000], **kw)
    assert harm.verdict == "harm"
    null = me.trial_sequential_analysis([-0.2, 0.1], [3000, 5500], **kw)
    assert null.verdict == "futility" and np.isfinite(null.futility[-1])
    reached = me.trial_sequential_analysis([-1.0, -1.2], [3000, 7000], required_information=ris)
    assert reached.verdict == "futility" and reached.information_needed == 0
    back = me.trial_sequential_analysis([-4.5, -0.5], [3000, 9000], required_information=ris)
    assert back.first_crossing == 0 and back.verdict == "futility"  # crossed, then came back


def test_looks_past_full_information_keep_the_final_boundary():
    res = me.trial_sequential_analysis([1, 1, 1, 1], [500, 1100, 1500, 3000], required_information=1000)
    assert res.upper[2] == res.upper[3] == res.upper[1]


def test_user_spending_and_pocock():
    t = np.array([0.25, 0.5, 1.0])
    pocock = me.trial_sequential_analysis([0, 0, 0], t * 800, required_information=800, spending="pocock")
    user = me.trial_sequential_analysis(
        [0, 0, 0], t * 800, required_information=800, spending=lambda s: np.log1p((np.e - 1) * s)
    )
    np.testing.assert_allclose(pocock.upper, user.upper, rtol=1e-12)
    assert user.spending == "user"
    ref = seq.efficacy_boundaries(t, lambda s: 2 * seq.pocock_spending(s, 0.025), sides=2)
    np.testing.assert_allclose(pocock.upper, ref, rtol=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="same length"):
        me.trial_sequential_analysis([1.0, 2.0], [100], required_information=1000)
    with pytest.raises(ValueError, match="strictly increasing"):
        me.trial_sequential_analysis([1.0, 2.0], [100, 100], required_information=1000)
    with pytest.raises(ValueError, match="required_information must be positive"):
        me.trial_sequential_analysis([1.0], [100], required_information=0)
    with pytest.raises(ValueError, match="spending must be one of"):
        me.trial_sequential_analysis([1.0], [100], required_information=1000, spending="haybittle")


def test_engine_type_one_error_stays_at_alpha():
    # A seeded batch on the engine: 20,000 simulated reviews of 8 trials (50 to 800
    # participants, fixed per look so that one set of boundaries serves every review) under
    # no effect, log RR ~ N(0, 4/N_i); cumulative common-effect fits of every review in one
    # batched call; a review whose cumulative Z ever crosses the monitoring boundary is a
    # false positive. Binomial SE at 0.05 is 0.0015; the naive repeated test at 1.96
    # inflates the rate.
    rng = np.random.default_rng(18)
    reps, k = 20_000, 8
    n = np.array([60.0, 120, 90, 400, 250, 800, 150, 500])
    vi = np.broadcast_to(4 / n, (reps, k))
    yi = rng.standard_normal((reps, k)) * np.sqrt(vi)
    mask = np.tril(np.ones((k, k), dtype=bool))  # look j uses trials 0..j
    batch = me.meta_analysis_batch(yi[:, None, :], vi[:, None, :], mask=mask[None], method="EE")
    z = np.asarray(batch.estimate) / np.asarray(batch.se)
    res = me.trial_sequential_analysis(z[0], np.cumsum(n), required_information=n.sum())
    crossed = np.mean((np.abs(z) >= res.upper).any(axis=1))
    naive = np.mean((np.abs(z) >= res.conventional).any(axis=1))
    assert abs(crossed - 0.05) < 4 * np.sqrt(0.05 * 0.95 / reps)
    assert naive > 0.1


def test_summary_to_frame_and_to_dict():
    res = me.trial_sequential_analysis(
        [-2.3, -2.5, -3.9],
        [400, 900, 4000],
        required_information=me.required_information_size(control_risk=0.1, rrr=0.2),
        futility=True,
        estimate=-0.3,
        se=0.077,
        labels=["1990", "1995", "2001"],
        lower_is_better=True,
    )
    text = str(res)
    assert text == str(res.summary()) and text.startswith("Trial sequential analysis")
    assert "Required information size: 6,428 participants" in text
    assert "Verdict: benefit" in text and "first look beyond the monitoring boundary: 2001" in text
    assert f"{res.upper[0]:.4f}" in text and "futility" in text
    assert f"[{np.exp(res.adjusted_ci_lower):.4f}, {np.exp(res.adjusted_ci_upper):.4f}]" in str(
        res.summary(transform="exp")
    )
    assert "<table>" in res._repr_html_()
    assert repr(res).startswith("SequentialAnalysis(k=3, required_information=6428")
    df = res.to_frame()
    assert list(df.columns) == [
        "label",
        "information",
        "fraction",
        "z",
        "upper",
        "lower",
        "futility",
        "crossed",
    ]
    np.testing.assert_array_equal(df["upper"].to_numpy(), res.upper)  # raw floats, not rounded
    assert df["crossed"].tolist() == [False, False, True]
    d = res.to_dict()
    assert (
        d["verdict"] == "benefit"
        and d["z"] == [-2.3, -2.5, -3.9]
        and d["size"]["required"] == res.required_information
    )
    import json

    json.dumps(d)  # plain data
