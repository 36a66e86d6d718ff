"""Every input mistake gets one ValueError/TypeError naming the argument, the row (0-based,
with its label), what is allowed and what was received."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me

BCG = dict(ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])
LABELS = ["Aronson", "Ferguson", "Rosenthal"]
MEANS = dict(
    m1i=[55.0, 27.0], sd1i=[47.0, 7.0], n1i=[155, 31], m2i=[75.0, 29.0], sd2i=[64.0, 4.0], n2i=[156, 32]
)


def test_unknown_measure_lists_the_known_ones():
    with pytest.raises(
        ValueError,
        match=r"unknown measure 'LOR'; known measures: ABT, AHW, ARAW, AS, AUC, AUCCN, AUCN, CLES, CLESCN, CLESN, COR, CVLN, CVR, CVRC, D2ORL, "
        r"D2ORN, GEN, HR, IR, IRD, IRFT, IRLN, IRR, IRS, IRSD, MC, MD, MN, MNLN, MPOR, MPORC, MPORM, MPPETO, ",
    ):
        me.effect_sizes("LOR", **BCG)
    with pytest.raises(ValueError, match=r"unknown measure 'or' \(did you mean 'OR'\?\); known"):
        me.effect_sizes("or", **BCG)


def test_negative_count_names_argument_and_row():
    with pytest.raises(
        ValueError,
        match=r"measure='OR'\): ci must be a non-negative count; "
        r"got -1 in row 1 \(0-based; label 'Ferguson'\)",
    ):
        me.effect_sizes("OR", **{**BCG, "ci": [11, -1, 11]}, labels=LABELS)


def test_more_bad_rows_are_counted():
    with pytest.raises(ValueError, match=r"got -1 in row 0 .*\(and 2 more rows\)"):
        me.effect_sizes("RR", **{**BCG, "bi": [-1, -2, -3]})


def test_events_above_total():
    with pytest.raises(
        ValueError,
        match=r"ai must be at most n1i \(events cannot exceed the "
        r"group size\); got 13 in row 0 \(0-based; label "
        r"'Study 1'\)",
    ):
        me.effect_sizes("RD", ai=[13], n1i=[12], ci=[4], n2i=[11])
    with pytest.raises(ValueError, match=r"xi must be at most ni .*got 18 in row 1"):
        me.effect_sizes("PLO", xi=[16, 18], ni=[17, 17])


def test_empty_group():
    with pytest.raises(
        ValueError,
        match=r"n2i must be at least 1 \(group 2 needs someone in "
        r"it\); got 0 in row 0",
    ):
        me.effect_sizes("OR", ai=[1], bi=[3], ci=[0], di=[0])


@pytest.mark.parametrize("column", ["sd1i", "sd2i"])
def test_sd_must_be_positive(column):
    bad = {**MEANS, column: [47.0, 0.0]}
    with pytest.raises(
        ValueError,
        match=rf"{column} must be a positive standard deviation; got "
        r"0 in row 1",
    ):
        me.effect_sizes("SMD", **bad)
    with pytest.raises(ValueError, match=r"sdi must be a positive standard deviation; got -2"):
        me.effect_sizes("MN", mi=[1.0], sdi=[-2.0], ni=[10])


def test_sample_size_minimums():
    with pytest.raises(ValueError, match=r"n1i must be at least 1; got 0 in row 0"):
        me.effect_sizes("MD", **{**MEANS, "n1i": [0, 31]})
    with pytest.raises(
        ValueError,
        match=r"n2i must be at least 2 for SMDH \(its variance "
        r"divides by n - 1\); got 1 in row 1",
    ):
        me.effect_sizes("SMDH", **{**MEANS, "n2i": [156, 1]})
    with pytest.raises(
        ValueError,
        match=r"n1i \+ n2i must be at least 4 for SMD .*; got 3 in "
        r"row 0",
    ):
        me.effect_sizes("SMD", m1i=[1.0], sd1i=[1.0], n1i=[1], m2i=[2.0], sd2i=[1.0], n2i=[2])
    with pytest.raises(
        ValueError,
        match=r"ni must be at least 4 for COR \(metafor gives no "
        r"sampling variance for ni <= 3\); got 3 in row 0",
    ):
        me.effect_sizes("COR", ri=[0.2], ni=[3])
    with pytest.raises(ValueError, match=r"ni must be at least 4 for ZCOR .*got 2"):
        me.effect_sizes("ZCOR", ri=[0.2], ni=[2])
    with pytest.raises(ValueError, match=r"ni must be at least 1; got 0"):
        me.effect_sizes("PR", xi=[0], ni=[0])


def test_correlation_range():
    with pytest.raises(ValueError, match=r"ri must be a correlation between -1 and 1; got 1.2"):
        me.effect_sizes("COR", ri=[1.2], ni=[10])
    with pytest.raises(
        ValueError,
        match=r"ri must be a correlation strictly between -1 and 1 "
        r"for ZCOR; got 1 in row 0",
    ):
        me.effect_sizes("ZCOR", ri=[1.0], ni=[10])


def test_rom_needs_positive_means_and_rates_positive_time():
    with pytest.raises(ValueError, match=r"m2i must be positive for ROM .*; got -5 in row 0"):
        me.effect_sizes("ROM", m1i=[2.0], sd1i=[1.0], n1i=[8], m2i=[-5.0], sd2i=[2.0], n2i=[9])
    with pytest.raises(ValueError, match=r"t2i must be positive person-time; got 0 in row 0"):
        me.effect_sizes("IRR", x1i=[1], t1i=[10.0], x2i=[2], t2i=[0.0])


def test_ci_must_contain_estimate():
    with pytest.raises(
        ValueError,
        match=r"estimate must be inside its confidence interval "
        r"\[ci_lower, ci_upper\]; got 1.7 in row 1 \(0-based; "
        r"label 'B'\)",
    ):
        me.effect_sizes(
            "OR", estimate=[1.5, 1.7], ci_lower=[1.42, 1.1], ci_upper=[1.59, 1.6], labels=["A", "B"]
        )
    with pytest.raises(ValueError, match=r"ci_lower must be below ci_upper; got 2 in row 0"):
        me.effect_sizes("MD", estimate=[2.0], ci_lower=[2.0], ci_upper=[2.0])


def test_ratio_must_be_positive():
    with pytest.raises(
        ValueError,
        match=r"estimate must be a positive ratio for HR; got 0 in "
        r"row 0",
    ):
        me.effect_sizes("HR", estimate=[0.0], pval=[0.03])
    with pytest.raises(ValueError, match=r"ci_lower must be a positive ratio for RR; got -0.1"):
        me.effect_sizes("RR", estimate=[0.5], ci_lower=[-0.1], ci_upper=[0.9])


def test_pvalue_range_and_null_estimate():
    with pytest.raises(
        ValueError,
        match=r"pval must be a two-sided p-value strictly between 0 "
        r"and 1; got 1 in row 0",
    ):
        me.effect_sizes("RR", yi=[0.1], pval=[1.0])
    with pytest.raises(
        ValueError,
        match=r"yi must be non-null \(a p-value gives no standard "
        r"error for an estimate of no effect\); got 0",
    ):
        me.effect_sizes("RR", yi=[0.0], pval=[0.5])
    with pytest.raises(ValueError, match=r"estimate must be non-null .*got 1"):
        me.effect_sizes("OR", estimate=[1.0], pval=[0.5])


def test_se_and_variance_positive():
    with pytest.raises(ValueError, match=r"sei must be a positive standard error; got 0"):
        me.effect_sizes("GEN", yi=[0.2], sei=[0.0])
    with pytest.raises(ValueError, match=r"vi must be a positive sampling variance; got -0.1"):
        me.effect_sizes("GEN", yi=[0.2], vi=[-0.1])


def test_level_range():
    with pytest.raises(
        ValueError,
        match=r"level must be a confidence level, a fraction in "
        r"\(0, 1\) such as 0.95 or a percentage in \(1, 100\) "
        r"such as 95; got 1",
    ):
        me.effect_sizes("OR", estimate=[1.5], ci_lower=[1.2], ci_upper=[1.8], level=1)


def test_columns_of_different_lengths():
    with pytest.raises(
        ValueError,
        match=r"all data columns must have the same length \(one "
        r"value per study\); got ai has 3, bi has 3, ci has 2, "
        r"di has 3",
    ):
        me.effect_sizes("OR", **{**BCG, "ci": [11, 29]})
    with pytest.raises(ValueError, match=r"labels must have one entry per study \(3.*\); got 2"):
        me.effect_sizes("OR", **BCG, labels=["a", "b"])


def test_non_finite_numbers():
    with pytest.raises(
        ValueError,
        match=r"di must be finite \(NaN or None marks a missing "
        r"value\); got inf in row 2 \(0-based\)",
    ):
        me.effect_sizes("OR", **{**BCG, "di": [128, 274, np.inf]})
    with pytest.raises(ValueError, match=r"sei must be finite .*got -inf in row 0"):
        me.effect_sizes("GEN", yi=[0.1], sei=[-np.inf])


def test_non_numbers_and_shapes():
    with pytest.raises(TypeError, match=r"ai must be numbers \(a sequence or array\); got list"):
        me.effect_sizes("OR", **{**BCG, "ai": ["four", 6, 3]})
    with pytest.raises(
        ValueError,
        match=r"ai must be one-dimensional \(one value per study\); "
        r"got an array of shape \(1, 3\)",
    ):
        me.effect_sizes("OR", **{**BCG, "ai": [[4, 6, 3]]})


def test_wrong_or_mixed_columns_say_what_is_accepted():
    with pytest.raises(
        ValueError,
        match=r"effect_sizes\(measure='OR'\) takes one of these sets "
        r"of data columns: ai, bi, ci, di; ai, n1i, ci, n2i; "
        r"estimate, ci_lower, ci_upper; .*got ai, bi, ci, di, "
        r"estimate",
    ):
        me.effect_sizes("OR", **BCG, estimate=[1.0, 1.0, 1.0])
    with pytest.raises(
        ValueError,
        match=r"measure='HR'\) takes one of these sets of data "
        r"columns: estimate, ci_lower, ci_upper; estimate, pval; "
        r"yi, pval; yi, sei; yi, vi; got ai, bi, ci, di",
    ):
        me.effect_sizes("HR", **BCG)
    with pytest.raises(
        ValueError,
        match=r"measure='PFT'\) takes one of these sets of data "
        r"columns: xi, ni; xi, mi; yi, pval; yi, sei; yi, vi; "
        r"got ci_lower, ci_upper, estimate",
    ):
        me.effect_sizes("PFT", estimate=[0.5], ci_lower=[0.4], ci_upper=[0.6])
    with pytest.raises(ValueError, match=r"got none"):
        me.effect_sizes("MD")


def test_zero_cell_settings():
    with pytest.raises(
        ValueError,
        match=r"to must be one of 'only0', 'all', 'if0all', 'none'; "
        r"got 'always'",
    ):
        me.effect_sizes("OR", **BCG, to="always")
    with pytest.raises(
        ValueError,
        match=r"add must be a non-negative number \(metafor's add\) or 'TACC'; "
        r"got -0.5",
    ):
        me.effect_sizes("OR", **BCG, add=-0.5)


def test_missing_values_drop_the_row_instead():
    es = me.effect_sizes("OR", **{**BCG, "ci": [11, None, np.nan]}, labels=LABELS)
    assert es.dropped.tolist() == [False, True, True]
    assert np.isnan(es.yi[1:]).all() and np.isnan(es.vi[1:]).all()
    assert es.source[1] == "2x2 counts; dropped: missing data"


def test_an_unknown_argument_names_the_one_meant():
    import metaevidence as me

    with pytest.raises(
        TypeError, match=r"unknown argument\(s\) 'lower' \(did you mean 'ci_lower'\?\), 'upper' "
    ):
        me.effect_sizes("HR", estimate=[1.2], lower=[1.0], upper=[1.5])
    with pytest.raises(TypeError, match=r"'ai_' \(did you mean 'ai'\?\)"):
        me.effect_sizes("OR", ai_=[1], bi=[2], ci=[3], di=[4])
