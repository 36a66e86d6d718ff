"""Names and RevMan-style number formats of the figures."""

import math

import pytest

from metaevidence.plots import labels as lab


@pytest.mark.parametrize(
    "p, text",
    [
        (1e-28, "P < 0.00001"),
        (9.9e-6, "P < 0.00001"),
        (1.3e-5, "P < 0.0001"),  # RevMan: Z = 4.36 -> "P < 0.0001"
        (0.00052, "P = 0.0005"),
        (0.00179, "P = 0.002"),
        (0.0063, "P = 0.006"),
        (0.0096, "P = 0.01"),  # rounds up to the next power of ten: one decimal fewer
        (0.000999, "P = 0.001"),
        (0.04, "P = 0.04"),
        (0.39, "P = 0.39"),
        (1.0, "P = 1.00"),
        (math.nan, "P not available"),
    ],
)
def test_format_p_follows_revman(p, text):
    assert lab.format_p(p) == text


def test_p_cells_drop_the_p():
    assert lab.format_p_cell(0.131) == "0.13"
    assert lab.format_p_cell(6.6e-5) == "< 0.0001"
    assert lab.format_p_cell(math.nan) == ""


def test_numbers_use_a_true_minus_and_fixed_decimals():
    assert lab.format_effect(-0.3414) == "\u22120.34"
    assert lab.format_effect(-0.001) == "0.00"  # no "-0.00"
    assert lab.format_interval(0.121, 1.2619) == "[0.12, 1.26]"
    assert lab.format_weight(4.980074) == "5.0%"
    assert lab.format_weight(math.nan) == ""
    assert lab.format_number(123456.0) == "1.23e+5"
    assert lab.format_number(math.inf) == "\u221e"
    assert lab.format_number(math.nan) == ""


@pytest.mark.parametrize(
    "x, text",
    [
        (4.0, "4"),
        (13536.0, "13536"),
        (12.5, "12.5"),
        (0.0534, "0.0534"),
        (1234.56, "1235"),
        (-3.0, "\u22123"),
        (math.nan, ""),
    ],
)
def test_format_value_prints_inputs_as_entered(x, text):
    assert lab.format_value(x) == text


def test_tau2_and_i2():
    assert lab.format_tau2(0.3377) == "0.34"
    assert lab.format_tau2(0.0) == "0.00"
    assert lab.format_tau2(0.00026) == "< 0.01"
    assert lab.format_i2(92.07) == "92%"
    assert lab.format_i2(0.4) == "0%"


def test_heterogeneity_line():
    assert lab.heterogeneity_text(0.3377, 163.1649, 12, 1.19e-28, 92.07) == (
        "Tau\u00b2 = 0.34; Chi\u00b2 = 163.16, df = 12 (P < 0.00001); I\u00b2 = 92%"
    )
    assert lab.heterogeneity_text(math.nan, 163.1649, 12, 1.19e-28, 92.07) == (
        "Chi\u00b2 = 163.16, df = 12 (P < 0.00001); I\u00b2 = 92%"
    )
    assert lab.heterogeneity_text(0.0003, 5.0, 4, 0.29, 20.0).startswith("Tau\u00b2 < 0.01; ")
    assert lab.heterogeneity_text(0.0, 0.0, 0, math.nan, 0.0) == "Not applicable"


def test_overall_effect_line_says_z_or_t():
    assert lab.overall_effect_text(-3.97, math.nan, 7.2e-5, "z") == "Z = 3.97 (P < 0.0001)"
    assert lab.overall_effect_text(-3.9907, 12.0, 0.00179, "knha") == "t = 3.99, df = 12 (P = 0.002)"
    assert lab.overall_effect_text(2.0, 11.5, 0.07, "adhoc") == "t = 2.00, df = 11.50 (P = 0.07)"
    assert lab.subgroup_differences_text(1.6444, 2.0, 0.4395) == "Chi\u00b2 = 1.64, df = 2 (P = 0.44)"


def test_names_tags_and_axis_labels():
    assert lab.effect_name("OR", transform="exp") == "Odds Ratio"
    assert lab.effect_name("OR", transform=None) == "log[Odds Ratio]"
    assert lab.effect_name("MD", transform=None) == "Mean Difference"
    assert lab.effect_name("GEN", transform="exp") == "exp[Effect]"
    assert lab.effect_name("GEN", transform="exp", override="Hazard Ratio") == "Hazard Ratio"
    assert lab.model_tag("REML", 0.95) == "IV, Random, 95% CI"
    assert lab.model_tag("MH", 0.9) == "M-H, Fixed, 90% CI"
    assert lab.model_tag("PETO", 0.95) == "Peto, Fixed, 95% CI"
    assert lab.model_tag("EE", 0.95) == "IV, Fixed, 95% CI"
    assert lab.axis_label("OR", "REML", "knha", transform="exp") == (
        "Odds ratio (log scale)",
        "random effects, REML, Hartung-Knapp",
    )
    assert lab.axis_label("SMD", "DL", "z", transform=None) == (
        "Std. mean difference",
        "random effects, DerSimonian-Laird",
    )
    assert lab.axis_label("RR", "MH", "z", transform="exp")[1] == "common effect, Mantel-Haenszel"
    assert lab.model_description("PM", "adhoc") == "random effects, Paule-Mandel, Hartung-Knapp (ad hoc)"


def test_names_and_axis_labels_of_correlations_and_proportions():
    # the measure's own back-transformation names what is shown and how it was pooled
    assert lab.effect_name("ZCOR", transform="tanh") == "Correlation"
    assert lab.effect_name("ZCOR", transform=None) == "Fisher's z"
    assert lab.effect_name("PLO", transform="expit") == "Proportion"
    assert lab.effect_name("PLO", transform=None) == "Logit Proportion"
    assert lab.effect_name("PLN", transform="exp") == "Proportion"
    assert lab.effect_name("GEN", transform="tanh") == "tanh[Effect]"
    assert lab.axis_label("ZCOR", "REML", "z", transform="tanh")[0] == (
        "Correlation (r; pooled on Fisher's z)"
    )
    assert lab.axis_label("PLO", "REML", "z", transform="expit")[0] == (
        "Proportion (pooled on the logit scale)"
    )
    assert lab.axis_label("PLN", "DL", "z", transform="exp")[0] == "Proportion (log scale)"
    assert lab.axis_label("GEN", "DL", "z", transform="tanh")[0] == "tanh[Effect] (atanh scale)"
    assert lab.axis_label("GEN", "DL", "z", transform="expit")[0] == "expit[Effect] (logit scale)"
    assert lab.axis_label("ZCOR", "DL", "z", transform="tanh", override="Adherence")[0] == (
        "Adherence (r; pooled on Fisher's z)"
    )
    # short notes (diagnostic figures) name the axis's scale only
    assert lab.axis_note("ZCOR", "tanh", short=True) == " (Fisher's z scale)"
    assert lab.axis_note("PLO", "expit", short=True) == " (logit scale)"
    assert lab.axis_note("OR", "exp", short=True) == " (log scale)"
    assert lab.axis_note("GEN", "tanh", short=True) == " (atanh scale)"
    assert lab.axis_note("OR", None, short=True) == ""


def test_resolve_transform():
    assert lab.resolve_transform("auto", "OR").name == "exp"
    assert lab.resolve_transform("auto", "SMD").name is None
    assert lab.resolve_transform("auto", "ZCOR").name == "tanh"
    assert lab.resolve_transform("auto", "PLO").name == "expit"
    assert lab.resolve_transform("auto", "CVR").name == "exp"  # a ratio outside the registry
    assert lab.resolve_transform("exp", "GEN").name == "exp"
    assert lab.resolve_transform(None, "RR").name is None
    with pytest.raises(
        ValueError, match="transform must be one of None, 'exp', 'tanh', 'expit', 'auto'; got 'sqrt'"
    ):
        lab.resolve_transform("sqrt", "OR")
