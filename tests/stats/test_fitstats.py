"""fit_statistics() and likelihood_ratio_test() against metafor's fitstats() and
anova(full, reduced) (tests/reference/fitstats.json, metafor 3.8-1; the definitions are
unchanged in 5.x). Likelihoods are closed forms at the fitted tau^2, which is iterative
for ML/REML: ITERATIVE."""

from __future__ import annotations

import pytest

import metaevidence as me
from tests.reference_data import as_array, load_reference
from tests.tolerances import ITERATIVE

REF = load_reference("fitstats")
CASES = REF["cases"]
FITS = sorted(k for k, c in CASES.items() if c["kind"] == "fitstats")
TESTS = sorted(k for k, c in CASES.items() if c["kind"] == "anova")


def _fit(case, method, mods):
    yi, vi, mod = as_array(case["yi"]), as_array(case["vi"]), as_array(case["mod"])
    if mods:
        return me.meta_regression(yi, vi, mod, method=method)
    return me.meta_analysis(yi, vi, method=method)


def test_grid_is_complete():
    assert len(FITS) == 16 and len(TESTS) == 8
    assert {CASES[k]["method"] for k in FITS} == {"ML", "REML", "EE", "DL"}


@pytest.mark.parametrize("case_id", FITS)
def test_fit_statistics_match_metafor(case_id):
    case = CASES[case_id]
    fs = me.fit_statistics(_fit(case, case["method"], case["mods"]))
    for name in ("loglik", "deviance", "aic", "bic", "aicc"):
        got, want = getattr(fs, name), case[name]
        assert got == pytest.approx(want, rel=ITERATIVE, abs=1e-9), (case_id, name, got, want)


@pytest.mark.parametrize("case_id", TESTS)
def test_likelihood_ratio_test_matches_anova(case_id):
    case = CASES[case_id]
    full = _fit(case, case["full"]["method"], case["full"]["mods"])
    reduced = _fit(case, case["reduced"]["method"], case["reduced"]["mods"])
    lrt = me.likelihood_ratio_test(full, reduced)
    assert lrt.statistic == pytest.approx(case["lrt"], rel=ITERATIVE, abs=1e-9)
    assert lrt.p_value == pytest.approx(case["pval"], rel=ITERATIVE, abs=1e-12)
    assert (lrt.full.parameters, lrt.reduced.parameters) == (case["df_full"], case["df_reduced"])
    assert lrt.full.loglik == pytest.approx(case["loglik_full"], rel=ITERATIVE)


def test_lrt_refuses_different_studies_and_non_nested_order():
    case = CASES[TESTS[0]]
    yi, vi = as_array(case["yi"]), as_array(case["vi"])
    a = me.meta_analysis(yi, vi, method="ML")
    b = me.meta_analysis(yi[:-1], vi[:-1], method="EE")
    with pytest.raises(ValueError, match="same studies"):
        me.likelihood_ratio_test(a, b)
    with pytest.raises(ValueError, match=r"more parameters than the reduced one; got 1 \(full\) and 2"):
        me.likelihood_ratio_test(me.meta_analysis(yi, vi, method="EE"), a)


def test_reml_fits_with_different_fixed_effects_carry_a_note():
    case = CASES[TESTS[0]]
    yi, vi, mod = as_array(case["yi"]), as_array(case["vi"]), as_array(case["mod"])
    lrt = me.likelihood_ratio_test(me.meta_regression(yi, vi, mod), me.meta_analysis(yi, vi))
    assert any("refit with ML" in n for n in lrt.notes)
