"""Multiple-testing adjustments against metafor 5 (tests/reference/R/adjust_v5.R):
linear_combinations(adjust=) as anova(X=, adjust=), predict_at(adjust=True) as
predict(newmods=, adjust=TRUE), and core.multiplicity.adjust_p."""

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core.multiplicity import ADJUST_METHODS, adjust_p, resolve_method
from tests.reference_data import assert_close, load_reference
from tests.tolerances import ITERATIVE

CASES = load_reference("adjust_v5")["cases"]


def _fit(c):
    data = {"ablat": c["ablat"], "year": c["year"]}
    return me.meta_regression(c["yi"], c["vi"], "~ ablat + year", data=data, test=c["test"])


def test_the_grid_of_cases_is_complete():
    adjusts = {c["adjust"] for c in CASES.values() if "adjust" in c}
    assert adjusts == {"bonferroni", "holm", "hochberg", "BH", "BY"}
    assert {c["test"] for c in CASES.values()} == {"z", "knha"}


@pytest.mark.parametrize("case_id", sorted(k for k in CASES if k.startswith("anova")))
def test_adjusted_p_values_match_metafor(case_id):
    c = CASES[case_id]
    lc = me.linear_combinations(_fit(c), np.asarray(c["X"], float), adjust=c["adjust"])
    assert lc.adjust == c["adjust"]
    assert_close(lc.estimate, c["estimate"], ITERATIVE, what="Xb")
    # tau^2 (REML) is iterative: the p-values move with it
    assert_close(lc.p_value, c["pval"], ITERATIVE, what=f"{case_id}: adjusted p")


@pytest.mark.parametrize("case_id", sorted(k for k in CASES if k.startswith("predict")))
def test_bonferroni_intervals_match_metafor(case_id):
    c = CASES[case_id]
    pred = me.predict_at(_fit(c), np.asarray(c["newmods"], float), adjust=True)
    for name, ours in (
        ("pred", pred.estimate),
        ("ci_lb", pred.ci_lower),
        ("ci_ub", pred.ci_upper),
        ("pi_lb", pred.pi_lower),
        ("pi_ub", pred.pi_upper),
    ):
        assert_close(ours, c[name], ITERATIVE, what=name)
    assert pred.level == pytest.approx(1 - 0.05 / 3)


def test_prefixes_and_flags_resolve_as_metafor():
    assert resolve_method("bonf", "t") == "bonferroni" and resolve_method(True, "t") == "bonferroni"
    assert resolve_method(None, "t") == resolve_method(False, "t") == "none"
    assert resolve_method("hol", "t") == "holm" and resolve_method("hoch", "t") == "hochberg"
    with pytest.raises(ValueError, match="adjust must be True, False or one of bonferroni, holm"):
        resolve_method("ho", "t")  # holm or hochberg: ambiguous
    with pytest.raises(ValueError, match="got 'sidak'"):
        resolve_method("sidak", "t")


def test_adjusted_p_values_are_ordered_and_capped():
    rng = np.random.default_rng(3)
    p = rng.uniform(0, 0.2, 25)
    for method in ADJUST_METHODS:
        adj = adjust_p(p, method)
        assert np.all(adj >= p - 1e-15) and np.all(adj <= 1)
        order = np.argsort(p)
        assert np.all(np.diff(adj[order]) >= -1e-15)  # monotone in p
    assert np.array_equal(adjust_p(p, "fdr"), adjust_p(p, "BH"))


def test_predict_adjust_must_be_a_flag():
    c = CASES["predict-z-adjust"]
    with pytest.raises(TypeError, match="adjust must be True or False"):
        me.predict_at(_fit(c), np.asarray(c["newmods"], float), adjust="holm")
