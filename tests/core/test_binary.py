"""Mantel-Haenszel and Peto numerics on raw arrays (the public faces are tested against
rma.mh/rma.peto in tests/test_models.py): batching, masks, zero cells, hand formulas."""

import numpy as np
import pytest
from scipy import stats

from metaevidence.core import binary as B
from tests.core.rma_cases import fixture
from tests.reference_data import as_array
from tests.tolerances import CLOSED_FORM, DISTRIBUTION

CASES = fixture("rma_mh")["cases"]


def _counts(case_id):
    c = CASES[case_id]
    return tuple(as_array(c[k]) for k in ("ai", "bi", "ci", "di"))


def test_mh_odds_ratio_hand_formula_two_tables():
    """Two tables by hand: OR_MH = (sum ad/n) / (sum bc/n)."""
    a, b, c, d = np.array([3, 4.0]), np.array([7, 6.0]), np.array([4, 3.0]), np.array([6, 7.0])
    res = B.mh_odds_ratio(B.tables(a, b, c, d))
    expected = np.log((3 * 6 / 20 + 4 * 7 / 20) / (7 * 4 / 20 + 6 * 3 / 20))
    assert float(res.estimate) == pytest.approx(expected, abs=1e-15)
    np.testing.assert_allclose(res.weights, [28 / 46 * 100, 18 / 46 * 100], rtol=1e-14)


@pytest.mark.parametrize(
    "fn,measure", [(B.mh_odds_ratio, "OR"), (B.mh_risk_ratio, "RR"), (B.mh_risk_difference, "RD")]
)
def test_batch_of_masks_equals_subsets(fn, measure):
    a, b, c, d = _counts(f"bcg-MH-{measure}")
    k = a.size
    mask = ~np.eye(k, dtype=bool)
    batch = fn(B.tables(a, b, c, d, mask))
    assert batch.estimate.shape == (k,)
    for i in (0, 4, k - 1):
        keep = mask[i]
        alone = fn(B.tables(a[keep], b[keep], c[keep], d[keep]))
        assert batch.estimate[i] == pytest.approx(float(alone.estimate), rel=CLOSED_FORM)
        assert batch.se[i] == pytest.approx(float(alone.se), rel=CLOSED_FORM)
        assert np.isnan(batch.weights[i, i])


def test_missing_and_empty_tables_are_excluded():
    a, b, c, d = _counts("bcg-MH-OR")
    a2 = np.append(a, np.nan)
    b2, c2, d2 = (np.append(x, 5.0) for x in (b, c, d))
    full = B.mh_odds_ratio(B.tables(a, b, c, d))
    with_missing = B.mh_odds_ratio(B.tables(a2, b2, c2, d2))
    assert float(with_missing.estimate) == float(full.estimate)
    assert int(with_missing.k) == a.size and np.isnan(with_missing.weights[-1])
    empty = B.tables(np.append(a, 0), np.append(b, 0), np.append(c, 0), np.append(d, 0))
    assert not empty.used[-1]


def test_peto_and_cmh_against_hand_hypergeometric_moments():
    a, b, c, d = _counts("bcg-PETO")
    n1, n2 = a + b, c + d
    n, m1, m2 = n1 + n2, a + c, b + d
    e = n1 * m1 / n
    v = n1 * n2 * m1 * m2 / (n**2 * (n - 1))
    t = B.tables(a, b, c, d)
    peto = B.peto_odds_ratio(t)
    assert float(peto.estimate) == pytest.approx((a - e).sum() / v.sum(), rel=CLOSED_FORM)
    stat, p = B.cmh_test(t, correct=False)
    assert float(stat) == pytest.approx((a - e).sum() ** 2 / v.sum(), rel=CLOSED_FORM)
    assert float(p) == pytest.approx(stats.chi2.sf(float(stat), 1), rel=DISTRIBUTION)
    q, df = B.peto_q(t)
    assert int(df) == a.size - 1
    assert float(q) == pytest.approx(((a - e) ** 2 / v).sum() - (a - e).sum() ** 2 / v.sum(), rel=CLOSED_FORM)


def test_tarone_expected_counts_reproduce_the_common_odds_ratio():
    a, b, c, d = _counts("lau1992-MH-OR")
    t = B.tables(a, b, c, d)
    psi = np.exp(float(B.mh_odds_ratio(t).estimate))
    ahat = B._expected_a(t, np.array(psi))
    m1 = a + c
    inform = (m1 > 0) & (b + d > 0)
    odds = ahat * (c + d - m1 + ahat) / ((a + b - ahat) * (m1 - ahat))
    np.testing.assert_allclose(odds[inform], psi, rtol=1e-9)


def test_fit_binary_batch_with_pooling_correction_matches_fixture():
    c = CASES["zero-cells-MH-OR-pair"]
    a, b, cc, d = _counts("zero-cells-MH-OR-pair")
    from metaevidence.stats.effects import effect_sizes

    es = effect_sizes("OR", ai=a, bi=b, ci=cc, di=d, add=0.5, to="only0", drop00=True)
    out = B.fit_binary(
        np.stack([a, a]),
        b,
        cc,
        d,
        yi=es.yi,
        vi=es.vi,
        method="MH",
        measure="OR",
        add=0.5,
        to="only0",
        drop00=True,
    )
    for i in range(2):
        assert out["estimate"][i] == pytest.approx(c["estimate"], rel=CLOSED_FORM)
        assert out["tarone"][i] == pytest.approx(c["tarone"], rel=DISTRIBUTION)
    np.testing.assert_array_equal(out["included"][0], ~np.isnan(as_array(c["weights"])))


def test_invalid_counts_message():
    with pytest.raises(
        ValueError,
        match=r"bi must be a non-negative finite count in every "
        r"table used; got -2.0 at table 1",
    ):
        B.tables([1, 2], [3, -2], [1, 1], [4, 4])
    # a masked-out table may hold anything
    t = B.tables([1, 2], [3, -2], [1, 1], [4, 4], mask=[True, False])
    assert t.used.tolist() == [True, False]
