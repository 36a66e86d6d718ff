"""pet_peese() against metafor rma(mods = ~ sqrt(vi) / ~ vi) and base R lm(weights = 1/vi)
(tests/reference/pet_peese.json, metafor 3.8-1); the conditional rule applied to them."""

from __future__ import annotations

import contextlib
import math
import warnings

import pytest
from scipy import stats

import metaevidence as me
from metaevidence.stats.pet_peese import pet_peese
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE

CASES = load_reference("pet_peese")["cases"]


def _fit(c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", me.SmallSampleWarning)
        return me.meta_analysis(c["yi"], c["vi"], method=c["method"], test=c["test"])


def _quiet(c):
    return pytest.warns(me.SmallSampleWarning) if len(c["yi"]) < 10 else contextlib.nullcontext()


@pytest.mark.parametrize("cid", sorted(CASES))
def test_intercepts_match_reference(cid):
    c = CASES[cid]
    with _quiet(c):
        r = pet_peese(_fit(c), model=c["model"])
    tol = ITERATIVE if c["method"] == "REML" and c["model"] == "rma" else CLOSED_FORM
    for name in ("pet", "peese"):
        ref = c[name]
        assert_close(getattr(r, f"{name}_estimate"), ref["est"], tol, what=f"{name} est")
        assert_close(getattr(r, f"{name}_se"), ref["se"], tol, what=f"{name} se")
        assert_close(getattr(r, f"{name}_statistic"), ref["stat"], tol, what=f"{name} stat")
        assert_close(getattr(r, f"{name}_p_value"), ref["pval"], max(tol, DISTRIBUTION), what=f"{name} p")
        assert_close(getattr(r, f"{name}_ci_lower"), ref["ci_lb"], tol, atol=1e-12, what=f"{name} ci_lb")
        assert_close(getattr(r, f"{name}_ci_upper"), ref["ci_ub"], tol, atol=1e-12, what=f"{name} ci_ub")
    assert_close(r.df, c["pet"]["df"], 0)
    pick = "peese" if c["pet"]["pval"] < 0.05 else "pet"
    assert r.chosen == pick.upper()
    assert r.estimate == getattr(r, f"{pick}_estimate")


def test_both_branches_of_the_rule_are_exercised():
    chosen = {("PEESE" if c["pet"]["pval"] < 0.05 else "PET") for c in CASES.values()}
    assert chosen == {"PET", "PEESE"}


def test_one_sided_rule_halves_the_p_value_in_its_direction():
    c = CASES["bcg-lm"]
    two = pet_peese(_fit(c))
    stat, df = c["pet"]["stat"], c["pet"]["df"]
    for alt, expected in (("greater", stats.t.sf(stat, df)), ("less", stats.t.cdf(stat, df))):
        r = pet_peese(_fit(c), alternative=alt)
        assert_close(r.pet_p_value, expected, DISTRIBUTION)
        assert r.chosen == ("PEESE" if expected < 0.05 else "PET")
    assert_close(two.pet_p_value, c["pet"]["pval"], DISTRIBUTION)
    assert not math.isnan(two.df)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"model": "glm"}, "model must be"), ({"alternative": "up"}, "alternative"), ({"alpha": 1.5}, "alpha")],
)
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pet_peese(_fit(CASES["bcg-lm"]), **kwargs)


def test_moderators_are_refused():
    c = CASES["bcg-lm"]
    fit = me.meta_regression(c["yi"], c["vi"], {"x": list(range(len(c["yi"])))})
    with pytest.raises(ValueError, match="moderators"):
        pet_peese(fit)


def test_summary_states_both_fits_and_the_choice():
    c = CASES["hackshaw1998-rma-REML-z"]
    r = pet_peese(_fit(c), model="rma")
    text = str(r)
    assert text.startswith("PET-PEESE (k = 37; meta-regression (tau^2: REML, test: z))")
    assert f"conditional PET-PEESE (PET test at alpha = 0.05): {r.chosen}" in text
    assert "PET: intercept" in text and "PEESE: intercept" in text
