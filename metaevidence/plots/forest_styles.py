"""The layouts of a forest plot: RevMan 5 (the default), JAMA and BMJ, as the R package meta
offers them (``forest.meta(layout = "RevMan5" / "JAMA" / "BMJ")``).

A :class:`ForestStyle` says what the rows print and how numbers read; the measured layout
(:mod:`.forest_layout`) places whatever it is given. What each layout shows, from meta's
documentation (``forest.meta``, sections "Forest plots in RevMan5 layout" and "... in JAMA
layout"; ``settings.meta``, the "BMJ" and "JAMA" settings):

* ``"revman"``: every column left of the graph (per-arm data, weight, "estimate [lower,
  upper]"), the model named above the graph ("IV, Random, 95% CI"), tests for the overall
  effect and for subgroup differences, heterogeneity with Tau², Chi², df, P and I².
* ``"jama"``: "Source" heads the labels; no per-arm data and no weights (unless asked for);
  one column "Odds Ratio (95% CI)" printed as "1.57 (1.28-1.92)"; the "Favors ..." labels in
  bold above the graph and the measure with its CI level under the axis; no Tau² (Q, df, P
  and I² only); P-values without a leading zero, to 3 decimals for 0.001 <= p <= 0.01 and 2
  above ("P = .04", "P < .001"); no empty rows.
* ``"bmj"``: per-arm data in one column per group ("events/total", or "mean (SD), n"); a
  weight column; "1.57 (1.28 to 1.92)"; "Test for heterogeneity" with Tau², Chi², df, P
  and I²; P-values to 2 decimals ("P = 0.04", "P < 0.001").

What is not reproduced: meta's colours (JAMA's dark-blue squares and light-blue diamonds;
the figures keep the package's colour-blind-safe palette) and fonts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.plots import labels as lab

__all__ = ["LAYOUTS", "ForestStyle", "forest_style"]

#: Accepted ``layout`` values of :func:`~metaevidence.plots.forest_plot` (any letter case).
LAYOUTS: tuple[str, ...] = ("revman", "jama", "bmj")


def _p_jama(p: float) -> str:
    """JAMA's P-value: no leading zero; 3 decimals up to 0.01, 2 above; "P < .001"."""
    if p is None or np.isnan(p):
        return "P not available"
    if p < 0.001:
        return "P < .001"
    decimals = 3 if p <= 0.01 else 2
    text = f"{p:.{decimals}f}"
    if float(text) >= 1.0:
        return "P > .99"
    return f"P = {text.lstrip('0')}"


def _p_bmj(p: float) -> str:
    """BMJ's P-value: 2 decimals ("P = 0.04"), "P < 0.001" below 0.001, 3 decimals below 0.01."""
    if p is None or np.isnan(p):
        return "P not available"
    if p < 0.001:
        return "P < 0.001"
    decimals = 3 if p < 0.01 else 2
    text = f"{p:.{decimals}f}"
    return "P > 0.99" if float(text) >= 1.0 else f"P = {text}"


@dataclass(frozen=True, slots=True)
class ForestStyle:
    """How one layout prints a forest plot's texts (see the module docstring)."""

    name: str
    label_header: str = "Study"
    weights: bool = True
    arms: str = "separate"  # "separate" (RevMan), "combined" (BMJ), "none" (JAMA by default)
    tau2: bool = True
    favours_on_top: bool = False
    blank_rows: bool = True
    heterogeneity_label: str = "Heterogeneity"

    # ---- numbers -----------------------------------------------------------------
    def p(self, p: float) -> str:
        """A P-value as this layout prints it ("P = 0.04", "P = .04", ...)."""
        if self.name == "jama":
            return _p_jama(p)
        if self.name == "bmj":
            return _p_bmj(p)
        return lab.format_p(p)

    def interval(self, lower: float, upper: float) -> str:
        """The interval text: "[0.70, 1.42]" (RevMan), "(0.70-1.42)" (JAMA; "(-0.20 to 1.42)" when a bound is
        negative, since a hyphen would read as a minus sign), "(0.70 to 1.42)" (BMJ).
        """
        lo, hi = lab.format_effect(lower), lab.format_effect(upper)
        if self.name == "revman":
            return f"[{lo}, {hi}]"
        if self.name == "jama" and not (lower < 0 or upper < 0):
            return f"({lo}-{hi})"
        return f"({lo} to {hi})"

    def ci_headers(self, effect: str, tag: str, level: float) -> tuple[str, str]:
        """The two header rows over the estimate column: RevMan's ("Odds Ratio", "IV, Random,
        95% CI"); JAMA's and BMJ's ("", "Odds Ratio (95% CI)").
        """
        if self.name == "revman":
            return effect, tag
        return "", f"{effect} ({lab.level_text(level)})"

    # ---- the text rows -------------------------------------------------------------
    def heterogeneity(self, tau2: float, chi2: float, df: float, p: float, i2: float) -> str:
        if self.name == "revman":
            return lab.heterogeneity_text(tau2, chi2, df, p, i2)
        if np.isnan(chi2) or np.isnan(df) or df < 1:
            return "Not applicable"
        parts = ""
        if self.tau2 and not np.isnan(tau2):
            value = lab.format_tau2(tau2)
            parts = f"Tau\u00b2 {value}; " if value.startswith("<") else f"Tau\u00b2 = {value}; "
        stat = "Chi\u00b2" if self.name == "bmj" else "Q"
        parts += f"{stat} = {lab.format_number(chi2, 2)}, df = {_df(df)} ({self.p(p)})"
        if not np.isnan(i2):
            parts += f"; I\u00b2 = {lab.format_i2(i2)}"
        return parts

    def overall_effect(self, statistic: float, df: float, p: float, test: str) -> str:
        if self.name == "revman":
            return lab.overall_effect_text(statistic, df, p, test)
        if np.isnan(statistic):
            return "Not applicable"
        value = lab.format_number(abs(statistic), 2)
        if test == "z":
            return f"Z = {value} ({self.p(p)})"
        return f"t = {value}, df = {_df(df)} ({self.p(p)})"

    def subgroup_differences(self, chi2: float, df: float, p: float) -> str:
        if self.name == "revman":
            return lab.subgroup_differences_text(chi2, df, p)
        if np.isnan(chi2):
            return "Not applicable"
        return f"Chi\u00b2 = {lab.format_number(chi2, 2)}, df = {_df(df)} ({self.p(p)})"

    def spanning_text(self, row) -> str:
        """The one-line text of a heterogeneity, overall-effect or subgroup-differences row."""
        if row.kind == "heterogeneity":
            label = self.heterogeneity_label if row.label == "Heterogeneity" else row.label
            return f"{label}: {self.heterogeneity(row.tau2, row.chi2, row.df, row.p_value, row.i2)}"
        if row.kind == "overall_effect":
            return f"{row.label}: {self.overall_effect(row.statistic, row.df, row.p_value, row.test)}"
        return f"{row.label}: {self.subgroup_differences(row.chi2, row.df, row.p_value)}"


def _df(df: float) -> str:
    return str(int(df)) if float(df).is_integer() else lab.format_number(df, 2)


_STYLES = {
    "revman": ForestStyle("revman"),
    "jama": ForestStyle(
        "jama",
        label_header="Source",
        weights=False,
        arms="none",
        tau2=False,
        favours_on_top=True,
        blank_rows=False,
    ),
    "bmj": ForestStyle("bmj", arms="combined", heterogeneity_label="Test for heterogeneity"),
}


def forest_style(layout: str) -> ForestStyle:
    """The :class:`ForestStyle` of ``layout`` ("revman", "jama" or "bmj", any letter case;
    meta's "RevMan5" is accepted for "revman").
    """
    key = layout.lower() if isinstance(layout, str) else layout
    key = "revman" if key == "revman5" else key
    if key not in _STYLES:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)} (any letter case); got {layout!r}")
    return _STYLES[key]
