"""effect_sizes() from metafor 5's alternative inputs (di, ri, ti, pi, fi) and the measures
MPORM and REH.

Oracle 1: tests/reference/escalc_inputs_v5.json, written by
tests/reference/R/escalc_inputs_v5.R with metafor 5.1-12 (Debian's 3.8-1 has neither ``pi``
nor ``fi``, nor MPORM and REH). Oracle 2: the examples of metafor 5's escalc help page
(the numbers it prints, to its 4 decimals). Oracle 3: each alternative input built from the
primary inputs of the same studies gives the numbers of those primary inputs.
"""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM, DISTRIBUTION

REF = load_reference("escalc_inputs_v5")
CASES = REF["cases"]


def _run(case) -> me.EffectSizes:
    inputs = {k: as_array(v) for k, v in case["inputs"].items()}
    return me.effect_sizes(case["measure"], **inputs, **case["settings"])


def test_fixture_records_metafor_5():
    assert REF["metafor_version"] == "5.1.12"


def test_grid_is_complete():
    inputs = {(c["measure"], next(iter(c["inputs"]))) for c in CASES.values()}
    for m in ("SMD", "RPB", "ZPB", "RBIS", "ZBIS"):
        assert {(m, a) for a in ("m1i", "di", "ti", "pi", "ri")} <= inputs, m
    for m in ("CLESN", "AUCN"):
        assert {(m, a) for a in ("m1i", "di", "ti", "pi", "ai")} <= inputs, m
        assert f"cles-{m}-ai-sd" in CASES
    for m in ("COR", "UCOR", "ZCOR"):
        assert {(m, a) for a in ("ri", "ti", "pi")} <= inputs, m
    assert {("SMCC", a) for a in ("m1i", "di", "ti", "pi")} <= inputs
    for m in ("PCOR", "ZPCOR", "SPCOR", "ZSPCOR"):
        assert {(m, a) for a in ("ti", "pi", "ri")} <= inputs, m
    for m in ("R2", "ZR2"):
        assert {(m, a) for a in ("r2i", "fi", "pi")} <= inputs, m
    assert sum(c["measure"] == "MPORM" for c in CASES.values()) == 6
    assert sum(c["measure"] == "REH" for c in CASES.values()) == 3


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor_5(case_id):
    case = CASES[case_id]
    es = _run(case)
    expected_yi, expected_vi = as_array(case["yi"]), as_array(case["vi"])
    # metafor keeps yi where only vi is missing (MPORM with an infeasible pi); a row is dropped
    absent = np.isnan(expected_yi) | np.isnan(expected_vi)
    assert es.dropped.tolist() == absent.tolist(), case["call"]
    # p-values are turned into t (F) statistics through a quantile function: the two
    # implementations agree to DISTRIBUTION
    rtol = DISTRIBUTION if "pi" in case["inputs"] and case["measure"] != "MPORM" else CLOSED_FORM
    assert_close(
        es.yi, np.where(absent, np.nan, expected_yi), rtol, atol=CANCELLATION_ABS, what=f"{case_id} yi"
    )
    assert_close(es.vi, np.where(absent, np.nan, expected_vi), rtol, what=f"{case_id} vi")


@pytest.mark.parametrize(
    ("measure", "kwargs", "printed"),
    [
        ("SMD", {"pi": [-0.018], "n1i": [20], "n2i": [20]}, -0.7664),
        ("COR", {"pi": [-0.07], "ni": [30]}, -0.3354),
        ("SMCC", {"pi": [-0.018], "ni": [50]}, -0.3408),
        ("PCOR", {"pi": [-0.07], "mi": [5], "ni": [30]}, -0.3610),
    ],
)
def test_help_page_examples(measure, kwargs, printed):
    # metafor 5's escalc help, sections (1a), (2a), (4a) and "Partial and Semi-Partial Correlations"
    es = me.effect_sizes(measure, **kwargs)
    assert abs(float(es.yi[0]) - printed) < 5e-5


@pytest.mark.parametrize(
    ("alternative", "primary"),
    [
        ("twogroup-SMD-ti", "twogroup-SMD-means"),
        ("twogroup-SMD-ri", "twogroup-SMD-means"),
        ("twogroup-RBIS-di", "twogroup-RBIS-means"),
        ("cor-ZCOR-ti", "cor-ZCOR-ri"),
        ("paired-SMCC-ti", "paired-SMCC-means"),
        ("partial-SPCOR-ri", "partial-SPCOR-ti"),
        ("r2-R2-fi", "r2-R2-r2i"),
        ("mporm-ri", "mporm-paired-MPOR"),
        ("mporm-pi", "mporm-paired-MPOR"),
    ],
)
def test_alternative_input_gives_the_primary_numbers(alternative, primary):
    a, p = _run(CASES[alternative]), _run(CASES[primary])
    # MPOR corrects zero cells of the paired table, MPORM those of the marginal table:
    # compare the tables without a zero cell
    rows = [0, 1, 2, 5] if primary == "mporm-paired-MPOR" else slice(None)
    assert_close(a.yi[rows], p.yi[rows], CLOSED_FORM, atol=CANCELLATION_ABS, what="yi")
    assert_close(a.vi[rows], p.vi[rows], CLOSED_FORM, what="vi")


def test_sources_and_data_name_the_inputs_given():
    es = me.effect_sizes("SMD", ti=[2.1, -0.4], n1i=[20, 30], n2i=[22, 31])
    assert es.source == ("t statistic and group sizes",) * 2
    assert sorted(es.data) == ["n1i", "n2i", "ti"]
    es = me.effect_sizes("R2", pi=[0.01], ni=[40], mi=[3])
    assert es.source == ("signed p-value, sample size and predictors",)
    es = me.effect_sizes("MPORM", ai=[30], n1i=[76], ci=[26], n2i=[76], pi=[0.2])
    assert es.source == ("marginal table and proportion of pairs with the event under both",)


def test_a_zero_p_value_drops_the_row_as_metafor():
    es = me.effect_sizes("COR", pi=[0.0, 0.04], ni=[50, 50])
    assert es.dropped.tolist() == [True, False]


def test_reh_takes_no_zero_cell_correction():
    es = me.effect_sizes("REH", ai=[0, 7], bi=[10, 8], ci=[5, 9])
    assert es.dropped.tolist() == [True, False] and not es.corrected.any()
    assert me.MEASURES["REH"].default_add == 0.0


@pytest.mark.parametrize(
    ("measure", "kwargs", "match"),
    [
        ("SMD", {"pi": [1.5], "n1i": [20], "n2i": [20]}, r"pi must be a two-sided p-value in \[-1, 1\]"),
        ("SMD", {"ri": [1.0], "n1i": [20], "n2i": [20]}, "ri must be a point-biserial correlation strictly"),
        ("SMD", {"ti": [1.0], "n1i": [1], "n2i": [1]}, r"n1i \+ n2i must be at least 3"),
        ("COR", {"ti": [1.0], "ni": [2]}, "ni must be at least 3 for COR from ti"),
        ("R2", {"fi": [-1.0], "ni": [30], "mi": [2]}, "fi must be a non-negative F statistic"),
        ("R2", {"pi": [0.2], "ni": [3], "mi": [2]}, r"ni must be at least mi \+ 2"),
        ("PCOR", {"ri": [-1.0], "ni": [30], "mi": [2]}, "ri must be a correlation strictly between"),
        (
            "MPORM",
            {"ai": [3], "bi": [4], "ci": [2], "di": [5], "ri": [1.2]},
            "ri must be a correlation between",
        ),
        ("MPORM", {"ai": [3], "bi": [4], "ci": [2], "di": [5], "pi": [-0.1]}, "pi must be a proportion"),
        ("MPORM", {"ai": [9], "n1i": [4], "ci": [2], "n2i": [5], "ri": [0.1]}, "ai must be at most n1i"),
        ("REH", {"ai": [-1], "bi": [4], "ci": [2]}, "ai must be a non-negative count"),
    ],
)
def test_bad_alternative_inputs_are_refused_with_the_row(measure, kwargs, match):
    with pytest.raises(ValueError, match=match):
        me.effect_sizes(measure, **kwargs)


def test_mixing_input_kinds_in_one_call_is_refused():
    with pytest.raises(ValueError, match="takes one of these sets of data columns"):
        me.effect_sizes("SMD", ti=[2.0], di=[0.5], n1i=[20], n2i=[20])
