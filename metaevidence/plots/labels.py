"""Words and number formats of the figures: measure names, model descriptions, RevMan-style
numbers.

Display never changes numbers: :func:`~metaevidence.plots.forest_table` keeps raw floats
and these functions only turn them into text, following the conventions of Cochrane's
Review Manager (RevMan 5) forest plots:

* effects and confidence limits with 2 decimals (``0.39 [0.12, 1.26]``), weights with 1
  (``5.0%``), chi-squared and Z/t with 2, I-squared as a whole percentage;
* p-values as ``P < 0.00001``, ``P < 0.0001``, then with as many decimals as the first
  significant digit needs and at least 2 (``P = 0.0003``, ``P = 0.006``, ``P = 0.39``);
* negative numbers with a true minus sign (U+2212).
"""

from __future__ import annotations

import math

import numpy as np

from metaevidence.core.effects.measures import RATIO_MEASURES
from metaevidence.core.pool import COMMON_EFFECT_METHODS
from metaevidence.display.transforms import Presentation, presentation

__all__ = [
    "RATIO_MEASURES",
    "SINGLE_GROUP_MEASURES",
    "NO_GROUP_MEASURES",
    "COMMON_METHODS",
    "is_common",
    "resolve_transform",
    "effect_name",
    "axis_note",
    "model_tag",
    "model_description",
    "axis_label",
    "level_text",
    "format_number",
    "format_effect",
    "format_interval",
    "format_weight",
    "format_value",
    "format_p",
    "format_p_cell",
    "format_tau2",
    "format_i2",
    "heterogeneity_text",
    "overall_effect_text",
    "subgroup_differences_text",
]

MINUS = "\u2212"


#: Single-group measures (proportions, rates, means, ...): no comparison, hence no
#: no-effect line and no "Favours" labels.
SINGLE_GROUP_MEASURES = frozenset(
    {"PR", "PLN", "PLO", "PAS", "PFT", "IR", "IRLN", "IRS", "IRFT", "MN", "MNLN", "CVLN", "SDLN", "SMN"}
)
#: Measures with a no-effect value but no experimental and control groups (a generic
#: effect, a correlation): no default "Favours" labels.
NO_GROUP_MEASURES = frozenset({"GEN", "COR", "UCOR", "ZCOR"})
#: Methods that fit a common-effect (fixed-effect) model.
COMMON_METHODS = frozenset(COMMON_EFFECT_METHODS)

_MEASURE_NAMES = {
    "OR": "Odds Ratio",
    "RR": "Risk Ratio",
    "RD": "Risk Difference",
    "PETO": "Peto Odds Ratio",
    "IRR": "Rate Ratio",
    "IRD": "Rate Difference",
    "IRSD": "Rate Difference (sqrt)",
    "MD": "Mean Difference",
    "SMD": "Std. Mean Difference",
    "SMDH": "Std. Mean Difference",
    "SMD1": "Std. Mean Difference",
    "ROM": "Ratio of Means",
    "HR": "Hazard Ratio",
    "CVR": "CV Ratio",
    "VR": "Variability Ratio",
    "COR": "Correlation",
    "UCOR": "Correlation",
    "ZCOR": "Fisher's z",
    "PR": "Proportion",
    "PLN": "Log Proportion",
    "PLO": "Logit Proportion",
    "IR": "Incidence Rate",
    "IRLN": "Log Incidence Rate",
    "MN": "Mean",
    "MNLN": "Log Mean",
    "MPOR": "Odds Ratio",
    "MPRR": "Risk Ratio",
    "MPORC": "Odds Ratio",
    "MPPETO": "Peto Odds Ratio",
    "GEN": "Effect",
}

#: Names of what a measure's own back-transformation shows, where the measure's name is
#: that of its analysis scale (a ratio measure's name is already its natural scale's).
_NATURAL_NAMES = {"PLN": "Proportion", "PLO": "Proportion", "ZCOR": "Correlation"}

#: What the axis label adds after the effect's name, by transform (the measure's own
#: back-transformation first, another one second).
_AXIS_NOTES = {
    "exp": (" (log scale)", " (log scale)"),
    "tanh": (" (r; pooled on Fisher's z)", " (atanh scale)"),
    "expit": (" (pooled on the logit scale)", " (logit scale)"),
}
#: The same, short (for the crowded axes of the diagnostic figures).
_SHORT_NOTES = {"exp": " (log scale)", "tanh": " (Fisher's z scale)", "expit": " (logit scale)"}

_ESTIMATORS = {
    "DL": "DerSimonian-Laird",
    "REML": "REML",
    "ML": "ML",
    "PM": "Paule-Mandel",
    "PMM": "median-unbiased Paule-Mandel",
    "HE": "Hedges",
    "SJ": "Sidik-Jonkman",
    "HS": "Hunter-Schmidt",
    "HSk": "Hunter-Schmidt (k-corrected)",
    "EB": "empirical Bayes",
    "GENQ": "generalised Q",
    "GENQM": "median-unbiased generalised Q",
}

_COMMON_TAGS = {"MH": "M-H", "PETO": "Peto"}


def is_common(method: str) -> bool:
    """True for common-effect methods ("EE", "FE", "MH", "PETO")."""
    return method in COMMON_METHODS


def resolve_transform(transform: str | None, measure: str) -> Presentation:
    """The presentation transform of a figure (see :mod:`metaevidence.display.transforms`).

    Parameters
    ----------
    transform : {"auto", "exp", "tanh", "expit", None}
        "auto" shows the measure's own back-transformation: ratio measures (OR, RR, ...)
        exponentiated on a log axis, Fisher's z (ZCOR) as r and logits (PLO) as
        proportions on their analysis-scale axes; "exp", "tanh", "expit" always; None
        never (the analysis scale, e.g. log odds ratios on a linear axis).
    measure : str

    Returns
    -------
    Presentation
    """
    return presentation(transform, measure)


def effect_name(measure: str, *, transform: str | None, override: str | None = None) -> str:
    """Title-case name of the plotted effect ("Odds Ratio", "log[Odds Ratio]", "Correlation",
    "exp[Effect]", ...) when shown with the (resolved) ``transform``.
    """
    if override is not None:
        return override
    name = _MEASURE_NAMES.get(measure, measure)
    if transform is None:
        return f"log[{name}]" if measure in RATIO_MEASURES else name
    if measure in RATIO_MEASURES and transform == "exp":
        return name
    if presentation(transform, measure).own and measure in _NATURAL_NAMES:
        return _NATURAL_NAMES[measure]
    return f"{transform}[{name}]"


def axis_note(measure: str, transform: str | None, *, short: bool = False) -> str:
    """What an axis label adds after the effect's name: " (log scale)" for "exp",
    " (r; pooled on Fisher's z)" for correlations from Fisher's z, " (pooled on the logit
    scale)" for proportions from logits; "" on the analysis scale. ``short`` names the
    axis's scale only (" (Fisher's z scale)", " (logit scale)").
    """
    if transform is None:
        return ""
    own, other = _AXIS_NOTES[transform]
    if presentation(transform, measure).own:
        return _SHORT_NOTES[transform] if short else own
    return other


def level_text(level: float) -> str:
    """The "95% CI" for ``level = 0.95``."""
    return f"{round(level * 100, 6):g}% CI"


def model_tag(method: str, level: float, *, glmm_model: str | None = None) -> str:
    """RevMan's column subtitle: "IV, Random, 95% CI", "M-H, Fixed, 95% CI", "GLMM UM.FS, Random, 95% CI"."""
    if glmm_model is not None:
        return f"GLMM {glmm_model}, {'Fixed' if is_common(method) else 'Random'}, {level_text(level)}"
    if is_common(method):
        return f"{_COMMON_TAGS.get(method, 'IV')}, Fixed, {level_text(level)}"
    return f"IV, Random, {level_text(level)}"


def model_description(method: str, test: str) -> str:
    """How the pooled estimate was obtained, e.g. "random effects, REML, Hartung-Knapp"."""
    if method == "MH":
        text = "common effect, Mantel-Haenszel"
    elif method == "PETO":
        text = "common effect, Peto"
    elif is_common(method):
        text = "common effect, inverse variance"
    else:
        text = f"random effects, {_ESTIMATORS.get(method, method)}"
    if test == "knha":
        text += ", Hartung-Knapp"
    elif test == "adhoc":
        text += ", Hartung-Knapp (ad hoc)"
    elif test == "t":
        text += ", t distribution"
    return text


def axis_label(
    measure: str, method: str, test: str, *, transform: str | None, override: str | None = None
) -> tuple[str, str]:
    """The axis label as (what is plotted, how it was pooled).

    Example: ("Odds ratio (log scale)", "random effects, REML, Hartung-Knapp"),
    ("Correlation (r; pooled on Fisher's z)", ...); the figure joins them with an em dash
    on one line, or prints them on two lines when narrow.
    """
    name = effect_name(measure, transform=transform, override=override)
    if override is None:
        first, _, rest = name.partition(" ")
        name = first + (" " + rest.lower() if rest else "")
    return name + axis_note(measure, transform), model_description(method, test)


def _fix_minus(text: str) -> str:
    if text.startswith("-") and float(text) == 0.0:
        text = text[1:]
    return text.replace("-", MINUS)


def format_number(x: float, decimals: int = 2) -> str:
    """``x`` with ``decimals`` decimals and a true minus sign; "" for NaN.

    Very large magnitudes (>= 1e5, e.g. an exponentiated confidence limit of a tiny study)
    use 3 significant digits in scientific notation rather than a long digit string.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)) or np.isnan(x):
        return ""
    if math.isinf(x):
        return ("" if x > 0 else MINUS) + "\u221e"
    if abs(x) >= 1e5:
        return _fix_minus(f"{x:.2e}").replace("e+0", "e+").replace("e" + MINUS + "0", "e" + MINUS)
    return _fix_minus(f"{x:.{decimals}f}")


def format_effect(x: float) -> str:
    """An effect estimate or confidence limit as RevMan prints it (2 decimals)."""
    return format_number(x, 2)


def format_interval(lower: float, upper: float) -> str:
    """The "[0.12, 1.26]"."""
    return f"[{format_effect(lower)}, {format_effect(upper)}]"


def format_weight(w: float) -> str:
    """The "5.0%" (weights are percentages); "" for NaN."""
    if np.isnan(w):
        return ""
    return f"{format_number(w, 1)}%"


def format_value(x: float) -> str:
    """A per-arm input number (events, totals, means, SDs) as entered.

    Whole numbers print without decimals; others with up to 4 significant digits,
    trailing zeros trimmed ("12.5", "0.053", "1235").
    """
    if np.isnan(x):
        return ""
    if float(x).is_integer() and abs(x) < 1e15:
        return _fix_minus(str(int(x)))
    text = np.format_float_positional(float(x), precision=4, unique=True, fractional=False, trim="-")
    return _fix_minus(text)


def format_p(p: float) -> str:
    """RevMan's p-value text: "P < 0.00001", "P < 0.0001", "P = 0.0003", "P = 0.04".

    From 0.0001 up, the p-value is rounded to the decimal of its first significant digit
    (at least 2 decimals); a value that rounds up to the next power of ten is printed
    with one decimal fewer ("P = 0.010" becomes "P = 0.01").
    """
    if p is None or np.isnan(p):
        return "P not available"
    if p < 0.00001:
        return "P < 0.00001"
    if p < 0.0001:
        return "P < 0.0001"
    decimals = max(2, -math.floor(math.log10(p)))
    rounded = round(p, decimals)
    if decimals > 2 and rounded >= 10.0 ** (1 - decimals):
        decimals -= 1
    return f"P = {p:.{decimals}f}"


def format_p_cell(p: float) -> str:
    """A p-value for a table cell headed "P": "0.13", "< 0.0001"; "" for NaN."""
    if p is None or np.isnan(p):
        return ""
    return format_p(p).removeprefix("P ").removeprefix("= ")


def format_tau2(tau2: float) -> str:
    """Tau-squared with 2 decimals ("0.34", "0.00" when exactly 0), "< 0.01" when positive
    but below 0.005 (so that a small non-zero estimate is not printed as zero).
    """
    if 0 < tau2 < 0.005:
        return "< 0.01"
    return format_number(tau2, 2)


def format_i2(i2: float) -> str:
    """I-squared as a whole percentage: "92%"."""
    if np.isnan(i2):
        return ""
    return f"{round(float(i2)):d}%"


def _format_df(df: float) -> str:
    return f"{int(df)}" if float(df).is_integer() else format_number(df, 2)


def heterogeneity_text(tau2: float, chi2: float, df: float, p: float, i2: float) -> str:
    """The text "Tau² = 0.31; Chi² = 152.23, df = 12 (P < 0.00001); I² = 92%".

    ``tau2`` is NaN for common-effect models (then no Tau² part, as RevMan);
    "Not applicable" when there is nothing to test (df < 1).
    """
    if np.isnan(chi2) or np.isnan(df) or df < 1:
        return "Not applicable"
    if np.isnan(tau2):
        parts = ""
    else:
        value = format_tau2(tau2)
        parts = f"Tau\u00b2 {value}; " if value.startswith("<") else f"Tau\u00b2 = {value}; "
    parts += f"Chi\u00b2 = {format_number(chi2, 2)}, df = {_format_df(df)} ({format_p(p)})"
    if not np.isnan(i2):
        parts += f"; I\u00b2 = {format_i2(i2)}"
    return parts


def overall_effect_text(statistic: float, df: float, p: float, test: str) -> str:
    """The text "Z = 3.97 (P < 0.0001)", or "t = 3.99, df = 12 (P = 0.002)" under a t test.

    The statistic is shown as its absolute value, as RevMan does; ``test`` is the
    result's ``test`` ("z", "knha", "adhoc", "t").
    """
    if np.isnan(statistic):
        return "Not applicable"
    if test == "z":
        return f"Z = {format_number(abs(statistic), 2)} ({format_p(p)})"
    return f"t = {format_number(abs(statistic), 2)}, df = {_format_df(df)} ({format_p(p)})"


def subgroup_differences_text(chi2: float, df: float, p: float) -> str:
    """The "Chi² = 1.86, df = 2 (P = 0.39)"."""
    if np.isnan(chi2):
        return "Not applicable"
    return f"Chi\u00b2 = {format_number(chi2, 2)}, df = {_format_df(df)} ({format_p(p)})"
