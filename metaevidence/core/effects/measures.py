"""The measure registry: what each effect measure is, which inputs give it, how it is shown.

One entry per metafor measure name (``MEASURES["OR"]``): its description, presentation
name, family, accepted data columns, the link of a reported estimate and the
back-transformation for display. Every layer reads measure facts from here (the input
checks of :func:`metaevidence.effect_sizes`, the presentation transforms, the plots'
labels), so a fact about a measure is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "Measure",
    "MEASURES",
    "RATIO_MEASURES",
    "DATA_COLUMNS",
    "MEANS_COLUMNS",
    "REPORTED_COLUMNS",
    "lookup",
]


@dataclass(frozen=True, slots=True)
class Measure:
    """What a measure is and which inputs give it.

    Attributes
    ----------
    name : str
        metafor's name (``"OR"``).
    description : str
        What ``yi`` is, on the analysis scale ("log odds ratio").
    effect : str
        Short name of the effect on the presentation scale ("OR"), for column headers.
    family : str
        ``"binary"``, ``"continuous"``, ``"correlation"``, ``"proportion"``, ``"mean"``,
        ``"rate"``, ``"paired"`` (one group measured twice), ``"variability"``,
        ``"incidence"`` (single-group rates), ``"association"``, ``"reliability"``,
        ``"matched"`` (paired 2x2 tables), ``"stochastic"`` (CLES/AUC), ``"genotype"``
        (genotype counts) or
        ``"reported"`` (only reported statistics give it).
    columns : tuple of tuple of str
        The accepted sets of data columns (metafor names); empty for ``"reported"``.
    link : str or None
        How a reported estimate maps to the analysis scale: ``"log"``, ``"logit"``,
        ``"atanh"``, ``"identity"``; ``None`` when estimates on the natural scale are
        not accepted (``AS PAS PFT``: give ``yi`` and ``sei`` instead).
    transform : str or None
        Back-transformation for presentation: ``"exp"`` (log scales), ``"tanh"``
        (Fisher's z), ``"expit"`` (logit); ``None`` where ``yi`` is already on its
        presentation scale.
    default_add : float
        metafor's default zero-cell constant (0.5; 0 for ``AS PAS PFT IRS IRFT IRSD PHI ZPHI RTET ZTET REH``).
    """

    name: str
    description: str
    effect: str
    family: str
    columns: tuple[tuple[str, ...], ...]
    link: str | None
    transform: str | None
    default_add: float = 0.5


_TWO_BY_TWO = (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))
MEANS_COLUMNS = (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),)
_PROPORTION = (("xi", "ni"), ("xi", "mi"))
_RATES = (("x1i", "t1i", "x2i", "t2i"),)
_PAIRED = (("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"),)
_RATE1 = (("xi", "ti"),)
_PCOR = (("ti", "ni", "mi"),)
_ALPHA = (("ai", "mi", "ni"),)
_PAIRS = (("ai", "bi", "ci", "di"),)
_SPCOR = (("ti", "ni", "mi", "r2i"),)
_R2 = (("r2i", "ni", "mi"),)
# metafor 5's alternative inputs (its escalc help page): Cohen's d (di), a point-biserial
# correlation (ri), a t statistic (ti) or a signed two-sided p-value (pi) with the group
# sizes; for correlations, t or p; for R^2, an F statistic (fi) or its p-value
_D_INPUTS = (("di", "n1i", "n2i"), ("ti", "n1i", "n2i"), ("pi", "n1i", "n2i"), ("ri", "n1i", "n2i"))
_TWO_GROUP = MEANS_COLUMNS + _D_INPUTS
# CLESN/AUCN: d, t or p (equal variances), or the binormal CLES itself (ai), with the SDs if known
_BINORMAL = MEANS_COLUMNS + _D_INPUTS[:3] + (("ai", "n1i", "n2i"), ("ai", "sd1i", "n1i", "sd2i", "n2i"))
_COR = (("ri", "ni"), ("ti", "ni"), ("pi", "ni"))
_PCOR_ALL = _PCOR + (("pi", "ni", "mi"), ("ri", "ni", "mi"))
_SPCOR_ALL = _SPCOR + (("pi", "ni", "mi", "r2i"), ("ri", "ni", "mi", "r2i"))
_R2_ALL = _R2 + (("fi", "ni", "mi"), ("pi", "ni", "mi"))
_MARGINS = tuple(
    cells + (extra,)
    for extra in ("ri", "pi")
    for cells in (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i"))
)


def _m(name, description, effect, family, columns, link, transform, default_add=0.5):
    return name, Measure(name, description, effect, family, columns, link, transform, default_add)


#: Every measure ``effect_sizes`` computes, by metafor name (read-only).
MEASURES: Mapping[str, Measure] = MappingProxyType(
    dict(
        [
            _m("OR", "log odds ratio", "OR", "binary", _TWO_BY_TWO, "log", "exp"),
            _m("RR", "log risk ratio", "RR", "binary", _TWO_BY_TWO, "log", "exp"),
            _m("RD", "risk difference", "RD", "binary", _TWO_BY_TWO, "identity", None),
            _m("PETO", "log Peto odds ratio", "Peto OR", "binary", _TWO_BY_TWO, "log", "exp"),
            _m("AS", "arcsine square-root risk difference", "AS", "binary", _TWO_BY_TWO, None, None, 0.0),
            _m("MD", "mean difference", "MD", "continuous", MEANS_COLUMNS, "identity", None),
            _m(
                "SMD",
                "standardized mean difference (Hedges' g)",
                "SMD",
                "continuous",
                _TWO_GROUP,
                "identity",
                None,
            ),
            _m(
                "SMDH",
                "standardized mean difference, heteroscedastic (Bonett)",
                "SMDH",
                "continuous",
                MEANS_COLUMNS,
                "identity",
                None,
            ),
            _m("ROM", "log ratio of means", "ROM", "continuous", MEANS_COLUMNS, "log", "exp"),
            _m("COR", "correlation coefficient", "r", "correlation", _COR, "identity", None),
            _m(
                "ZCOR",
                "Fisher's z transformed correlation",
                "r",
                "correlation",
                _COR,
                "atanh",
                "tanh",
            ),
            _m("PR", "proportion", "proportion", "proportion", _PROPORTION, "identity", None),
            _m("PLN", "log proportion", "proportion", "proportion", _PROPORTION, "log", "exp"),
            _m("PLO", "logit proportion", "proportion", "proportion", _PROPORTION, "logit", "expit"),
            _m("PAS", "arcsine square-root proportion", "PAS", "proportion", _PROPORTION, None, None, 0.0),
            _m(
                "PFT",
                "Freeman-Tukey double arcsine proportion",
                "PFT",
                "proportion",
                _PROPORTION,
                None,
                None,
                0.0,
            ),
            _m("MN", "mean", "mean", "mean", (("mi", "sdi", "ni"),), "identity", None),
            _m("IRR", "log incidence rate ratio", "IRR", "rate", _RATES, "log", "exp"),
            _m("IRD", "incidence rate difference", "IRD", "rate", _RATES, "identity", None),
            _m("MC", "raw mean change", "MC", "paired", _PAIRED, "identity", None),
            _m(
                "SMCC",
                "standardized mean change, change-score standardization",
                "SMCC",
                "paired",
                _PAIRED + (("di", "ni"), ("ti", "ni"), ("pi", "ni")),
                "identity",
                None,
            ),
            _m(
                "SMCR",
                "standardized mean change, raw-score standardization",
                "SMCR",
                "paired",
                _PAIRED + (("m1i", "m2i", "sd1i", "ni", "ri"),),  # sd2i is not used (metafor needs none)
                "identity",
                None,
            ),
            _m(
                "SMCRH",
                "standardized mean change, raw-score standardization, heteroscedastic",
                "SMCRH",
                "paired",
                _PAIRED,
                "identity",
                None,
            ),
            _m("ROMC", "log ratio of means, paired", "ROM", "paired", _PAIRED, "log", "exp"),
            _m(
                "VR",
                "log variability ratio",
                "VR",
                "variability",
                (("sd1i", "n1i", "sd2i", "n2i"), MEANS_COLUMNS[0]),
                "log",
                "exp",
            ),
            _m(
                "CVR", "log coefficient of variation ratio", "CVR", "variability", MEANS_COLUMNS, "log", "exp"
            ),
            _m("MNLN", "log mean", "mean", "mean", (("mi", "sdi", "ni"),), "log", "exp"),
            _m("CVLN", "log coefficient of variation", "CV", "mean", (("mi", "sdi", "ni"),), "log", "exp"),
            _m(
                "SDLN",
                "log standard deviation",
                "SD",
                "mean",
                (("sdi", "ni"), ("mi", "sdi", "ni")),
                "log",
                "exp",
            ),
            _m("IR", "incidence rate", "rate", "incidence", _RATE1, "identity", None),
            _m("IRLN", "log incidence rate", "rate", "incidence", _RATE1, "log", "exp"),
            _m("IRS", "square-root incidence rate", "IRS", "incidence", _RATE1, None, None, 0.0),
            _m("IRFT", "Freeman-Tukey incidence rate", "IRFT", "incidence", _RATE1, None, None, 0.0),
            _m("PHI", "phi coefficient", "phi", "association", _TWO_BY_TWO, "identity", None, 0.0),
            _m("YUQ", "Yule's Q", "Q", "association", _TWO_BY_TWO, "identity", None),
            _m("YUY", "Yule's Y", "Y", "association", _TWO_BY_TWO, "identity", None),
            _m("PCOR", "partial correlation", "r", "association", _PCOR_ALL, "identity", None),
            _m(
                "ZPCOR",
                "Fisher's z transformed partial correlation",
                "r",
                "association",
                _PCOR_ALL,
                "atanh",
                "tanh",
            ),
            _m("ARAW", "Cronbach's alpha", "alpha", "reliability", _ALPHA, "identity", None),
            _m("AHW", "Hakstian-Whalen transformed alpha", "AHW", "reliability", _ALPHA, None, None),
            _m("ABT", "Bonett transformed alpha", "ABT", "reliability", _ALPHA, None, None),
            _m(
                "SMD1",
                "standardized mean difference, SD of group 2 (Glass, corrected)",
                "SMD1",
                "continuous",
                (("m1i", "sd2i", "n1i", "m2i", "n2i"), MEANS_COLUMNS[0]),
                "identity",
                None,
            ),
            _m("D2ORN", "log odds ratio from SMD (normal)", "OR", "continuous", MEANS_COLUMNS, "log", "exp"),
            _m(
                "D2ORL", "log odds ratio from SMD (logistic)", "OR", "continuous", MEANS_COLUMNS, "log", "exp"
            ),
            _m(
                "OR2DN",
                "SMD from log odds ratio (normal)",
                "SMD",
                "association",
                _TWO_BY_TWO,
                "identity",
                None,
            ),
            _m(
                "OR2DL",
                "SMD from log odds ratio (logistic)",
                "SMD",
                "association",
                _TWO_BY_TWO,
                "identity",
                None,
            ),
            _m("MPRD", "matched-pairs risk difference", "RD", "matched", _PAIRS, "identity", None),
            _m("MPRR", "matched-pairs log risk ratio", "RR", "matched", _PAIRS, "log", "exp"),
            _m("MPOR", "matched-pairs marginal log odds ratio", "OR", "matched", _PAIRS, "log", "exp"),
            _m("MPORC", "matched-pairs conditional log odds ratio", "OR", "matched", _PAIRS, "log", "exp"),
            _m("MPPETO", "matched-pairs Peto log odds ratio", "OR", "matched", _PAIRS, "log", "exp"),
            _m(
                "UCOR",
                "unbiased correlation (Olkin-Pratt)",
                "r",
                "association",
                _COR,
                "identity",
                None,
            ),
            _m(
                "SMD1H",
                "standardized mean difference, SD of group 2, heteroscedastic",
                "SMD1H",
                "continuous",
                MEANS_COLUMNS,
                "identity",
                None,
            ),
            _m(
                "SMCRP",
                "standardized mean change, pooled raw-score SDs",
                "SMCRP",
                "paired",
                _PAIRED,
                "identity",
                None,
            ),
            _m(
                "SMCRPH",
                "standardized mean change, pooled raw-score SDs, heteroscedastic",
                "SMCRPH",
                "paired",
                _PAIRED,
                "identity",
                None,
            ),
            _m(
                "VRC",
                "log variability ratio, paired",
                "VR",
                "paired",
                (("sd1i", "sd2i", "ni", "ri"), _PAIRED[0]),
                "log",
                "exp",
            ),
            _m("CVRC", "log coefficient of variation ratio, paired", "CVR", "paired", _PAIRED, "log", "exp"),
            _m(
                "ZPHI",
                "Fisher's z transformed phi coefficient",
                "phi",
                "association",
                _TWO_BY_TWO,
                "atanh",
                "tanh",
                0.0,
            ),
            _m("RTET", "tetrachoric correlation", "r", "association", _TWO_BY_TWO, "identity", None, 0.0),
            _m(
                "ZTET",
                "Fisher's z transformed tetrachoric correlation",
                "r",
                "association",
                _TWO_BY_TWO,
                "atanh",
                "tanh",
                0.0,
            ),
            _m("RPB", "point-biserial correlation", "r", "association", _TWO_GROUP, "identity", None),
            _m(
                "ZPB",
                "Fisher's z transformed point-biserial correlation",
                "r",
                "association",
                _TWO_GROUP,
                "atanh",
                "tanh",
            ),
            _m("RBIS", "biserial correlation", "r", "association", _TWO_GROUP, "identity", None),
            _m(
                "ZBIS",
                "Fisher's z transformed biserial correlation",
                "r",
                "association",
                _TWO_GROUP,
                "atanh",
                "tanh",
            ),
            _m("SPCOR", "semi-partial correlation", "r", "association", _SPCOR_ALL, "identity", None),
            _m(
                "ZSPCOR",
                "Fisher's z transformed semi-partial correlation",
                "r",
                "association",
                _SPCOR_ALL,
                "atanh",
                "tanh",
            ),
            _m("R2", "coefficient of determination", "R2", "association", _R2_ALL, "identity", None),
            _m(
                "ZR2",
                "Fisher's z transformed multiple correlation",
                "ZR2",
                "association",
                _R2_ALL,
                None,
                None,
            ),
            _m(
                "SMN",
                "single-group standardized mean",
                "SMN",
                "mean",
                (("mi", "sdi", "ni"),),
                "identity",
                None,
            ),
            _m(
                "PBIT",
                "probit transformed risk difference (SMD)",
                "SMD",
                "association",
                _TWO_BY_TWO,
                "identity",
                None,
            ),
            _m("PRZ", "probit transformed proportion", "PRZ", "proportion", _PROPORTION, None, None),
            _m(
                "IRSD",
                "square-root transformed incidence rate difference",
                "IRSD",
                "rate",
                _RATES,
                None,
                None,
                0.0,
            ),
            _m(
                "CLES",
                "common language effect size (AUC)",
                "CLES",
                "stochastic",
                (("ai", "n1i", "n2i"), ("ai", "n1i", "n2i", "mi")),
                "identity",
                None,
            ),
            _m(
                "AUC",
                "common language effect size (AUC)",
                "AUC",
                "stochastic",
                (("ai", "n1i", "n2i"), ("ai", "n1i", "n2i", "mi")),
                "identity",
                None,
            ),
            _m(
                "CLESN",
                "common language effect size (AUC), binormal",
                "CLES",
                "stochastic",
                _BINORMAL,
                "identity",
                None,
            ),
            _m(
                "AUCN",
                "common language effect size (AUC), binormal",
                "AUC",
                "stochastic",
                _BINORMAL,
                "identity",
                None,
            ),
            _m(
                "CLESCN",
                "common language effect size (AUC), paired binormal",
                "CLES",
                "paired",
                _PAIRED,
                "identity",
                None,
            ),
            _m(
                "AUCCN",
                "common language effect size (AUC), paired binormal",
                "AUC",
                "paired",
                _PAIRED,
                "identity",
                None,
            ),
            _m(
                "MPORM",
                "matched-pairs marginal log odds ratio, from the marginal table",
                "OR",
                "matched",
                _MARGINS,
                "log",
                "exp",
            ),
            _m(
                "REH",
                "log relative excess heterozygosity",
                "REH",
                "genotype",
                (("ai", "bi", "ci"),),
                "log",
                "exp",
                0.0,
            ),
            _m("HR", "log hazard ratio", "HR", "reported", (), "log", "exp"),
            _m("GEN", "generic effect size", "effect", "reported", (), "identity", None),
        ]
    )
)

#: Families of measures of one group (a proportion, mean, rate): no comparison, no ratio.
SINGLE_GROUP_FAMILIES = frozenset({"proportion", "mean", "incidence"})
#: Ratio measures: pooled as log ratios, shown exponentiated on a log axis whose no-effect
#: line is at 1 -- every comparative measure of the registry on a log link (not the
#: single-group log measures PLN, MNLN, CVLN, SDLN, IRLN).
RATIO_MEASURES: frozenset[str] = frozenset(
    m.name for m in MEASURES.values() if m.link == "log" and m.family not in SINGLE_GROUP_FAMILIES
)

#: Measures analysed on the log scale: every log-linked measure of the registry (the ratios
#: and the single-group log measures).
LOG_MEASURES: frozenset[str] = frozenset(m.name for m in MEASURES.values() if m.link == "log")

DATA_COLUMNS = (
    "ai",
    "bi",
    "ci",
    "di",
    "n1i",
    "n2i",
    "m1i",
    "sd1i",
    "m2i",
    "sd2i",
    "ri",
    "ni",
    "xi",
    "mi",
    "sdi",
    "x1i",
    "t1i",
    "x2i",
    "t2i",
    "ti",
    "r2i",
    "pi",
    "fi",
)
REPORTED_COLUMNS = ("estimate", "ci_lower", "ci_upper", "pval", "yi", "vi", "sei")


def lookup(measure: str) -> Measure:
    """The registry entry of ``measure``, or a ValueError listing the known ones."""
    if not isinstance(measure, str) or measure not in MEASURES:
        hint = (
            f" (did you mean {measure.upper()!r}?)"
            if isinstance(measure, str) and measure.upper() in MEASURES
            else ""
        )
        raise ValueError(f"unknown measure {measure!r}{hint}; known measures: {', '.join(sorted(MEASURES))}")
    return MEASURES[measure]
