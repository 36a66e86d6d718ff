"""EffectSizes as a result type: construction, display, subsetting, concatenation, convert()."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM

BCG = dict(ai=[4, 6, 3], bi=[119, 300, 228], ci=[11, 29, 11], di=[128, 274, 209])


def test_frozen_read_only_and_sized():
    es = me.effect_sizes("OR", **BCG, labels=["A", "B", "C"])
    assert len(es) == 3 and es.labels == ("A", "B", "C")
    with pytest.raises(dataclasses.FrozenInstanceError):
        es.measure = "RR"
    with pytest.raises(ValueError, match="read-only"):
        es.yi[0] = 0.0
    assert repr(es) == "EffectSizes(measure='OR', n=3, corrected=0, dropped=0)"
    assert_close(es.sei, np.sqrt(es.vi), rtol=0)


def test_bare_construction_fills_the_rest():
    es = me.EffectSizes(yi=[0.1, np.nan], vi=[0.04, 0.02])
    assert es.measure == "GEN" and es.labels == ("Study 1", "Study 2")
    assert es.dropped.tolist() == [False, True] and np.isnan(es.vi[1])
    assert es.source == ("yi and vi", "yi and vi")
    with pytest.raises(ValueError, match="unknown measure 'XX'"):
        me.EffectSizes(yi=[0.1], vi=[0.1], measure="XX")
    with pytest.raises(ValueError, match=r"yi and vi must have the same length; got 2 and 1"):
        me.EffectSizes(yi=[0.1, 0.2], vi=[0.1])
    with pytest.raises(ValueError, match=r"study_info keys must differ .*; got yi"):
        me.EffectSizes(yi=[0.1], vi=[0.1], study_info={"yi": [1]})
    with pytest.raises(ValueError, match=r"group_labels must be two names"):
        me.EffectSizes(yi=[0.1], vi=[0.1], group_labels=("a",))


def test_data_is_completed_under_metafor_names():
    es = me.effect_sizes("RR", ai=[4], n1i=[123], ci=[11], n2i=[139])
    assert {k: float(v[0]) for k, v in es.data.items()} == {
        "ai": 4,
        "bi": 119,
        "ci": 11,
        "di": 128,
        "n1i": 123,
        "n2i": 139,
    }
    prop = me.effect_sizes("PR", xi=[3], mi=[7])
    assert float(prop.data["ni"][0]) == 10


def test_to_frame_has_raw_values_masks_and_info():
    es = me.effect_sizes(
        "OR",
        ai=[0, 6],
        bi=[10, 300],
        ci=[0, 29],
        di=[12, 274],
        drop00=True,
        study_info={"year": [1948, 1949]},
        labels=["A", "B"],
    )
    frame = es.to_frame()
    assert list(frame.columns) == [
        "label",
        "yi",
        "vi",
        "sei",
        "source",
        "corrected",
        "dropped",
        "ai",
        "bi",
        "ci",
        "di",
        "n1i",
        "n2i",
        "year",
    ]
    assert frame["dropped"].tolist() == [True, False]
    assert frame["year"].tolist() == [1948, 1949]
    assert frame["yi"].iloc[1] == es.yi[1]


def test_summary_shows_corrected_and_dropped_rows():
    es = me.effect_sizes(
        "OR",
        ai=[0, 6, 0],
        bi=[10, 300, 10],
        ci=[3, 29, 0],
        di=[12, 274, 12],
        drop00=True,
        labels=["Zero", "Ferguson", "Double zero"],
        group_labels=("BCG", "Control"),
    )
    text = str(es.summary())
    assert "log odds ratio (OR), 3 studies, 1 corrected, 1 dropped" in text
    assert "Zero cells: add=0.5, to='only0', drop00=True" in text
    assert "Groups: BCG vs Control" in text
    assert "2x2 counts; 0.5 added (zero cells)" in text
    assert "Double zero" in text and "dropped: no events (or only events) in both groups" in text
    html = es.summary(transform="exp", level=0.9)._repr_html_()
    assert html.startswith("<table><caption>") and "<th>OR</th>" in html and "90% CI" in html
    # display only: the exp(yi) shown is the number, rounded
    assert f"{math.exp(es.yi[1]):.4f}" in html
    with pytest.raises(
        ValueError,
        match=r"transform must be one of None, 'exp', 'tanh', 'expit', "
        r"'auto'; got 'log'",
    ):
        es.summary(transform="log")


def test_subset_by_mask_and_by_positions():
    es = me.effect_sizes("OR", **BCG, labels=["A", "B", "C"], study_info={"year": [1, 2, 3]})
    sub = es.subset(np.array([True, False, True]))
    assert sub.labels == ("A", "C") and sub.study_info["year"].tolist() == [1, 3]
    assert sub.data["ai"].tolist() == [4, 3]
    reordered = es.subset([2, 0])
    assert reordered.labels == ("C", "A") and reordered.yi[0] == es.yi[2]
    with pytest.raises(ValueError, match=r"a boolean mask must have one value per row \(3\)"):
        es.subset(np.array([True, False]))
    with pytest.raises(ValueError, match=r"row positions must be in \[-3, 2\]; got 5"):
        es.subset([5])
    with pytest.raises(TypeError, match="boolean mask or integer positions"):
        es.subset([0.5])


def test_concat_keeps_per_row_source_and_unites_columns():
    counts = me.effect_sizes(
        "OR", ai=[4], bi=[119], ci=[11], di=[128], labels=["counts"], study_info={"id": ["aronson-1948"]}
    )
    ci = me.effect_sizes(
        "OR",
        estimate=[1.5],
        ci_lower=[1.42],
        ci_upper=[1.59],
        labels=["reported"],
        study_info={"year": [2010]},
    )
    logse = me.effect_sizes("OR", yi=[0.2], sei=[0.1], labels=["log"])
    both = me.EffectSizes.concat([counts, ci, logse])
    assert both.labels == ("counts", "reported", "log")
    assert both.source == ("2x2 counts", "reported OR with 95% CI", "reported log odds ratio and SE")
    assert np.isnan(both.data["ai"][1]) and both.data["estimate"][1] == 1.5
    assert both.study_info["id"].tolist() == ["aronson-1948", None, None]
    assert both.study_info["year"][1] == 2010 and np.isnan(both.study_info["year"][0])
    assert both.yi.tolist() == [counts.yi[0], ci.yi[0], 0.2]
    # back to study order
    assert both.subset([2, 0, 1]).labels == ("log", "counts", "reported")


def test_concat_refuses_mixed_measures_and_policies():
    a = me.effect_sizes("OR", **BCG)
    with pytest.raises(
        ValueError,
        match=r"same measure; part 0 is OR, part 1 is RR "
        r"\(use convert\(\) first\)",
    ):
        me.EffectSizes.concat([a, me.effect_sizes("RR", **BCG)])
    with pytest.raises(
        ValueError,
        match=r"same zero-cell policy; part 0 has add=0.5, "
        r"to='only0', drop00=False, part 1 has add=1.0",
    ):
        me.EffectSizes.concat([a, me.effect_sizes("OR", **BCG, add=1)])
    with pytest.raises(ValueError, match="at least one EffectSizes"):
        me.EffectSizes.concat([])
    with pytest.raises(TypeError, match="part 1 must be an EffectSizes; got list"):
        me.EffectSizes.concat([a, [1]])


def test_reported_ratio_with_ci_by_hand():
    es = me.effect_sizes("OR", estimate=[1.50], ci_lower=[1.42], ci_upper=[1.59], level=95)
    z = 1.959963984540054  # qnorm(0.975)
    assert_close(es.yi, [math.log(1.5)], rtol=CLOSED_FORM)
    assert_close(es.vi, [((math.log(1.59) - math.log(1.42)) / (2 * z)) ** 2], rtol=CLOSED_FORM)


def test_reported_estimate_with_p_value_by_hand():
    # z = 1.959964 for p = 0.05 exactly: SE = |log 1.5| / 1.959964
    es = me.effect_sizes("RR", estimate=[1.5], pval=[0.05])
    assert_close(es.vi, [(math.log(1.5) / 1.959963984540054) ** 2], rtol=CLOSED_FORM)
    assert es.source == ("reported RR with p-value",)
    md = me.effect_sizes("MD", estimate=[-2.0], pval=[0.05])
    assert_close(md.vi, [(2.0 / 1.959963984540054) ** 2], rtol=CLOSED_FORM)


def test_rom_bias_correction_by_hand():
    # u1 = 2^2/(4 * 10^2) = 0.01, u2 = 1^2/(4 * 5^2) = 0.01: yi = log 2 + (u1 - u2)/2; the
    # correction leaves the variance u1 + u2 = 0.02 (metafor 5); vtype="LS2" adds
    # (u1^2 + u2^2)/2: 0.0201
    kw = dict(m1i=[10.0], sd1i=[2.0], n1i=[4], m2i=[5.0], sd2i=[1.0], n2i=[4])
    plain = me.effect_sizes("ROM", **kw)
    fixed = me.effect_sizes("ROM", **kw, correct=True)
    assert_close(plain.vi, [0.02], rtol=CLOSED_FORM)
    assert_close(fixed.yi, [math.log(2)], rtol=CLOSED_FORM)
    assert_close(fixed.vi, [0.02], rtol=CLOSED_FORM)
    assert_close(me.effect_sizes("ROM", **kw, correct=True, vtype="LS2").vi, [0.0201], rtol=CLOSED_FORM)
    assert fixed.source[0] == "means, SDs and group sizes, bias-corrected (Lajeunesse 2015)"
    # equal means, unequal precision: u1 = 9/(5*4) = 0.45, u2 = 4/(20*4) = 0.05, so
    # yi = 0 + (0.45 - 0.05)/2 = 0.2 and, with vtype="LS2", vi = 0.5 + (0.2025 + 0.0025)/2
    kw = dict(m1i=[2.0], sd1i=[3.0], n1i=[5], m2i=[2.0], sd2i=[2.0], n2i=[20])
    fixed = me.effect_sizes("ROM", **kw, correct=True, vtype="LS2")
    assert_close(fixed.yi, [0.2], rtol=CLOSED_FORM)
    assert_close(fixed.vi, [0.6025], rtol=CLOSED_FORM)


def test_convert_smd_and_log_odds_ratio():
    smd = me.effect_sizes("SMD", yi=[0.5, -0.2], vi=[0.04, 0.01])
    lor = me.convert(smd, "OR")
    assert lor.measure == "OR"
    assert_close(lor.yi, np.array([0.5, -0.2]) * math.pi / math.sqrt(3), rtol=CLOSED_FORM)
    assert_close(lor.vi, np.array([0.04, 0.01]) * math.pi**2 / 3, rtol=CLOSED_FORM)
    assert all(s.startswith("converted: SMD -> OR (Hasselblad-Hedges") for s in lor.source)
    back = me.convert(lor, "SMD")
    assert_close(back.yi, smd.yi, rtol=CLOSED_FORM)
    assert_close(back.vi, smd.vi, rtol=CLOSED_FORM)
    assert me.convert(smd, "SMD") is smd


def test_convert_correlation_and_smd_with_group_sizes():
    cor = me.effect_sizes("COR", ri=[0.3, 0.3], ni=[40, 40])
    d = me.convert(cor, "SMD", n1i=[20, 10], n2i=[20, 30])
    a2 = (40**2) / (10 * 30)
    assert_close(d.yi, [2 * 0.3 / math.sqrt(0.91), math.sqrt(a2) * 0.3 / math.sqrt(0.91)], rtol=CLOSED_FORM)
    assert "a from group sizes" in d.source[0]
    equal = me.convert(cor, "SMD")
    assert "equal groups assumed (a = 4)" in equal.source[0]
    assert_close(equal.vi, 4 * cor.vi / 0.91**3, rtol=CLOSED_FORM)
    back = me.convert(d, "COR")  # uses the group sizes now stored in d.data
    assert_close(back.yi, cor.yi, rtol=CLOSED_FORM)
    assert_close(back.vi, cor.vi, rtol=CLOSED_FORM)
    z = me.effect_sizes("ZCOR", ri=[0.3], ni=[40])
    via_z = me.convert(z, "SMD")
    assert_close(via_z.yi, equal.yi[:1], rtol=CLOSED_FORM)
    assert_close(via_z.vi, [4 * (0.91**2 / 37) / 0.91**3], rtol=CLOSED_FORM)


def test_convert_hazard_ratio_only_when_asked():
    hr = me.effect_sizes("HR", estimate=[0.8], ci_lower=[0.66], ci_upper=[0.97])
    with pytest.raises(ValueError, match=r"same measure; part 0 is RR, part 1 is HR"):
        me.EffectSizes.concat([me.effect_sizes("RR", **BCG), hr])
    rr = me.convert(hr, "RR")
    assert rr.measure == "RR" and rr.yi[0] == hr.yi[0] and rr.vi[0] == hr.vi[0]
    assert rr.source[0].startswith("converted: HR -> RR (hazard ratio treated as a risk ratio")


def test_convert_refuses_unsupported_pairs():
    with pytest.raises(
        ValueError,
        match=r"convert: no conversion from RR to SMD; supported: "
        r"SMD -> OR, OR -> SMD, COR -> SMD, ZCOR -> SMD, "
        r"SMD -> COR, HR -> RR",
    ):
        me.convert(me.effect_sizes("RR", **BCG), "SMD")
    with pytest.raises(TypeError, match="convert takes an EffectSizes; got list"):
        me.convert([1.0], "OR")


def test_convert_marks_undefined_rows():
    cor = me.effect_sizes("COR", ri=[1.0, 0.2], ni=[10, 10])
    d = me.convert(cor, "SMD")
    assert d.dropped.tolist() == [True, False]
    assert d.source[0].endswith("dropped: conversion undefined for this value")


def test_reported_sources_say_what_was_reported():
    z = me.effect_sizes("ZCOR", yi=[0.3], sei=[0.1])
    assert z.source == ("reported Fisher's z transformed correlation and SE",)
    r = me.effect_sizes("ZCOR", estimate=[0.3], ci_lower=[0.1], ci_upper=[0.48])
    assert r.source == ("reported r with 95% CI",)
    assert_close(r.yi, [math.atanh(0.3)], rtol=CLOSED_FORM)
    lrr = me.effect_sizes("RR", yi=[0.2], pval=[0.01])
    assert lrr.source == ("reported log risk ratio with p-value",)
    gen = me.effect_sizes("GEN", yi=[0.2], vi=[0.01])
    assert gen.source == ("reported generic effect size and variance",)


def test_level_per_study_as_fraction_or_percentage():
    es = me.effect_sizes("OR", estimate=[1.5, 1.5], ci_lower=[1.2, 1.2], ci_upper=[1.9, 1.9], level=[95, 0.9])
    assert es.source == ("reported OR with 95% CI", "reported OR with 90% CI")
    z95, z90 = 1.959963984540054, 1.6448536269514722
    assert_close(
        es.vi * np.array([z95, z90]) ** 2, [((math.log(1.9) - math.log(1.2)) / 2) ** 2] * 2, rtol=CLOSED_FORM
    )
