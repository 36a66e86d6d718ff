"""Input handling of the measure families added to :func:`metaevidence.effect_sizes` after the
first round: paired designs, variability ratios, single-group log measures, single-group
incidence rates, association measures and Cronbach's alpha (the measure facts are in
:mod:`metaevidence.core.effects.measures`; the formulas in :mod:`metaevidence.core.effects`).

:func:`compute` validates the columns row by row with the one message shape of
:mod:`metaevidence.stats._effect_inputs` and returns its ``Computed``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from metaevidence.core.effects import association as _assoc
from metaevidence.core.effects import continuous as _cont
from metaevidence.core.effects import correlations as _corr
from metaevidence.core.effects import counts as _bin
from metaevidence.core.effects import matched as _matched
from metaevidence.core.effects import paired as _paired
from metaevidence.core.effects import rates as _rates
from metaevidence.core.effects import reliability as _rel
from metaevidence.core.effects import single_group as _single
from metaevidence.core.effects import smd_or as _smd_or
from metaevidence.core.effects import stochastic as _stoch
from metaevidence.core.effects import variability as _var
from metaevidence.core.effects.measures import Measure

#: Measures whose inputs this module handles.
HANDLED = frozenset(
    "MC SMCC SMCR SMCRH ROMC VR CVR MNLN CVLN SDLN IR IRLN IRS IRFT PHI YUQ YUY PCOR ZPCOR ARAW AHW ABT "
    "SMD1 D2ORN D2ORL OR2DN OR2DL MPRD MPRR MPOR MPORC MPPETO UCOR "
    "SMD1H SMCRP SMCRPH VRC CVRC ZPHI RTET ZTET RPB ZPB RBIS ZBIS SPCOR ZSPCOR R2 ZR2 SMN PBIT CLES AUC CLESN AUCN CLESCN AUCCN".split()
)

#: Fisher's z measures computed from another measure's estimate and variance (delta method).
FISHER_Z_OF = {"ZPHI": "PHI", "ZTET": "RTET", "ZPB": "RPB", "ZBIS": "RBIS", "ZSPCOR": "SPCOR"}
#: Measures whose estimate metafor 5 bias-corrects by default (``correct``).
CORRECTABLE = frozenset("ROM ROMC CVR CVRC VR VRC SMCRP SMCRPH SMN".split())

#: vtype values each measure accepts (metafor's spellings); measures not listed take "LS" only.
VTYPES = {
    "MD": ("LS", "HO"),
    "SMD": _cont.SMD_VTYPES,
    "SMD1": _cont.SMD_VTYPES,
    "COR": ("LS", "AV", "H0"),
    "UCOR": ("LS", "AV", "UB"),
    "VR": ("LS", "LS2"),
    "CVR": ("LS", "LS2"),
    "VRC": ("LS", "LS2"),
    "CVRC": ("LS", "LS2"),
    "ROM": _cont.ROM_VTYPES,
    "PHI": ("LS", "CS", "ST"),
    "ZPHI": ("LS", "CS", "ST"),
    "RPB": ("LS", "ST", "CS"),
    "ZPB": ("LS", "ST", "CS"),
    "R2": ("LS", "LS2", "AV", "AV2"),
    "CLES": ("LS", "LS2"),
    "AUC": ("LS", "LS2"),
    "CLESN": ("LS", "HO"),
    "AUCN": ("LS", "HO"),
}


def check_vtype(measure: str, vtype: str) -> None:
    """Raise the one-shape message when ``vtype`` is not one ``measure`` accepts."""
    allowed = VTYPES.get(measure, ("LS",))
    if vtype not in allowed:
        raise ValueError(
            f"effect_sizes(measure={measure!r}): vtype must be one of {', '.join(map(repr, allowed))}; "
            f"got {vtype!r}"
        )


def compute(info: Measure, kind, c, check, missing, *, add, to, vtype, legacy, correct=None):
    """yi, vi, corrected and dropped masks, data and sources for a measure in HANDLED.

    ``correct`` None means metafor's default of the version followed: True (5.x), or
    False with ``legacy`` (3.8-1 had no ROM/ROMC/CVRC correction; CVR and VR keep their SD
    correction there, as 3.8-1 computed it).
    """
    from metaevidence.stats._effect_inputs import _finish

    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    name = info.name
    # the 5.0-1 corrections (ROM, ROMC, CVR's and CVRC's means) are off by default in legacy
    # mode; the corrections every version applies (SMN, SMCRP, SMCRPH, VR's and CVR's SDs) on
    fix = (not legacy or name not in ("ROMC", "CVRC")) if correct is None else bool(correct)
    if name in FISHER_Z_OF:
        from metaevidence.core.effects.measures import MEASURES

        out = compute(
            MEASURES[FISHER_Z_OF[name]],
            kind,
            c,
            check,
            missing,
            add=add,
            to=to,
            vtype=vtype,
            legacy=legacy,
            correct=correct,
        )
        yi, vi = _corr.fisher_z_of(out.yi, out.vi)
        base = out.source[0].split(";")[0] if out.source else ""
        return _finish(yi, vi, out.corrected, missing, drop, out.data, base, "", add)
    if info.family == "paired":
        yi, vi, base = _paired_rows(name, c, check, legacy, fix, vtype)
    elif name in ("RPB", "RBIS", "SMD1H"):
        yi, vi, base = _group_statistics_rows(name, c, check, vtype, legacy)
    elif info.family == "stochastic":
        yi, vi, base = _stochastic_rows(name, c, check, vtype)
    elif name in ("SPCOR", "R2", "ZR2"):
        yi, vi, base = _regression_rows(name, c, check, vtype)
    elif name in ("SMD1", "D2ORN", "D2ORL"):
        yi, vi, base = _two_group_rows(name, kind, c, check, vtype)
    elif name == "UCOR":
        check.require(np.abs(c["ri"]) <= 1, "ri", "a correlation between -1 and 1", c["ri"])
        check.require(c["ni"] >= 1, "ni", "at least 1", c["ni"])
        yi, vi = _assoc.unbiased_correlation(c["ri"], c["ni"], vtype=vtype)
        base = "correlation and sample size"
    elif info.family == "matched":
        for col in kind:
            check.require(c[col] >= 0, col, "a non-negative count", c[col])
        cells, corrected = _bin.zero_cell_correction(
            tuple(c[k] for k in ("ai", "bi", "ci", "di")), add=add, to=to, exclude=missing
        )
        formula: Callable[..., Any] = {
            "MPRD": _matched.matched_risk_difference,
            "MPRR": _matched.matched_log_risk_ratio,
            "MPOR": _matched.matched_log_odds_ratio,
            "MPORC": _matched.conditional_log_odds_ratio,
            "MPPETO": _matched.conditional_peto_log_odds_ratio,
        }[name]
        yi, vi = formula(*cells)
        base = "paired 2x2 counts"
    elif info.family == "variability":
        yi, vi, base = _variability_rows(name, c, check, fix, legacy, vtype)
    elif info.family in ("mean", "incidence"):
        yi, vi, corrected, base = _single_group_rows(name, info.family, kind, c, check, missing, add, to, fix)
    elif name in ("PCOR", "ZPCOR"):
        yi, vi, base = _partial_rows(name, c, check, legacy)
    elif info.family == "association":
        yi, vi, corrected, c = _two_by_two(name, kind, c, check, missing, add, to, vtype)
        base = "2x2 counts"
    else:  # reliability
        check.require((c["ai"] < 1) & np.isfinite(c["ai"]), "ai", "an alpha below 1", c["ai"])
        check.require(c["mi"] >= 2, "mi", "at least 2 items", c["mi"])
        check.require(c["ni"] >= 3, "ni", "at least 3", c["ni"])
        formula = {
            "ARAW": _rel.alpha_raw,
            "AHW": _rel.alpha_hakstian_whalen,
            "ABT": _rel.alpha_bonett,
        }[name]
        yi, vi = formula(c["ai"], c["mi"], c["ni"])
        base = "alpha, items and sample size"
    return _finish(yi, vi, corrected, missing, drop, c, base, "", add)


def _variability_rows(name, c, check, fix, legacy, vtype="LS"):
    for g in ("1", "2"):
        check.require(c[f"sd{g}i"] > 0, f"sd{g}i", "a positive standard deviation", c[f"sd{g}i"])
        check.require(c[f"n{g}i"] >= 2, f"n{g}i", f"at least 2 for {name}", c[f"n{g}i"])
        if name == "CVR":
            check.require(c[f"m{g}i"] > 0, f"m{g}i", "positive for CVR (a ratio-scale mean)", c[f"m{g}i"])
    if name == "VR":
        yi, vi = _var.log_variability_ratio(
            c["sd1i"], c["n1i"], c["sd2i"], c["n2i"], correct=fix, vtype=vtype
        )
        return yi, vi, "SDs and group sizes"
    args = tuple(c[k] for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
    yi, vi = _var.log_cv_ratio(*args, correct=fix, legacy=legacy, vtype=vtype)
    return yi, vi, "means, SDs and group sizes"


def _stochastic_rows(name, c, check, vtype):
    for g in ("1", "2"):
        check.require(c[f"n{g}i"] >= 2, f"n{g}i", f"at least 2 for {name}", c[f"n{g}i"])
    if name in ("CLES", "AUC"):
        check.require((c["ai"] >= 0) & (c["ai"] <= 1), "ai", f"a {name} value between 0 and 1", c["ai"])
        ties = c.get("mi")
        if ties is not None:
            known = np.where(np.isnan(ties), 0.0, ties)
            check.require((known >= 0) & (known <= 1), "mi", "a proportion of tied pairs in [0, 1]", ties)
        yi, vi = _stoch.common_language_effect_size(c["ai"], c["n1i"], c["n2i"], vtype=vtype, ties=ties)
        return yi, vi, f"reported {name}{', ties' if ties is not None else ''} and group sizes"
    for g in ("1", "2"):
        check.require(c[f"sd{g}i"] > 0, f"sd{g}i", "a positive standard deviation", c[f"sd{g}i"])
    args = tuple(c[k] for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
    yi, vi = _stoch.binormal_common_language_effect_size(*args, vtype="HO" if vtype == "HO" else "LS")
    return yi, vi, "means, SDs and group sizes (binormal model)"


def _partial_rows(name, c, check, legacy):
    check.require(c["ni"] - c["mi"] >= 4, "ni", "at least mi + 4 (the residual df must exceed 3)", c["ni"])
    check.require(c["mi"] >= 1, "mi", "at least 1 (the focal predictor counts)", c["mi"])
    formula = _assoc.partial_correlation if name == "PCOR" else _assoc.fisher_z_partial_correlation
    yi, vi = formula(c["ti"], c["ni"], c["mi"], legacy=legacy)
    return yi, vi, "t statistic, sample size and number of predictors"


def _paired_rows(name, c, check, legacy, fix, vtype="LS"):
    if "sd2i" not in c:  # SMCR standardizes by sd1i alone and may be given without sd2i
        c = {**c, "sd2i": np.full(c["sd1i"].shape, np.nan)}
    for g in ("1", "2") if np.isfinite(c["sd2i"]).any() or name != "SMCR" else ("1",):
        check.require(c[f"sd{g}i"] > 0, f"sd{g}i", "a positive standard deviation", c[f"sd{g}i"])
        if name in ("ROMC", "CVRC"):
            check.require(c[f"m{g}i"] > 0, f"m{g}i", f"positive for {name} (a ratio-scale mean)", c[f"m{g}i"])
    check.require(np.abs(c["ri"]) <= 1, "ri", "a correlation between -1 and 1", c["ri"])
    minimum = {"MC": 1, "ROMC": 1, "VRC": 2, "CVRC": 2, "CLESCN": 2, "AUCCN": 2}.get(name, 3)
    check.require(c["ni"] >= minimum, "ni", f"at least {minimum} for {name}", c["ni"])
    if name == "VRC":
        yi, vi = _paired.log_variability_ratio_paired(c["sd1i"], c["sd2i"], c["ni"], c["ri"], vtype=vtype)
        return yi, vi, "paired SDs, pairs and correlation"
    args = tuple(c[k] for k in ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"))
    if name in ("CLESCN", "AUCCN"):
        yi, vi = _stoch.binormal_common_language_effect_size_paired(*args)
    elif name == "SMCRH":
        yi, vi = _paired.standardized_mean_change_raw_sd_heteroscedastic(*args, legacy=legacy)
    elif name == "CVRC":
        yi, vi = _paired.log_cv_ratio_paired(*args, correct=fix, vtype=vtype)
    elif name in ("ROMC", "SMCRP", "SMCRPH"):
        yi, vi = {
            "ROMC": _paired.log_ratio_of_means_paired,
            "SMCRP": _paired.standardized_mean_change_pooled_sd,
            "SMCRPH": _paired.standardized_mean_change_pooled_sd_heteroscedastic,
        }[name](*args, correct=fix)
    else:
        yi, vi = {
            "MC": _paired.mean_change,
            "SMCC": _paired.standardized_mean_change_change_sd,
            "SMCR": _paired.standardized_mean_change_raw_sd,
        }[name](*args)
    return yi, vi, "paired means, SDs, pairs and correlation"


def _group_statistics_rows(name, c, check, vtype, legacy):
    for g in ("1", "2"):
        check.require(c[f"sd{g}i"] > 0, f"sd{g}i", "a positive standard deviation", c[f"sd{g}i"])
        check.require(c[f"n{g}i"] >= 2, f"n{g}i", f"at least 2 for {name}", c[f"n{g}i"])
    args = tuple(c[k] for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
    if name == "SMD1H":
        yi, vi = _cont.standardized_mean_difference_control_sd_heteroscedastic(*args, legacy=legacy)
        return yi, vi, "means, SDs and group sizes"
    if name == "RPB":
        yi, vi = _corr.point_biserial(*args, sampling="CS" if vtype == "CS" else "ST")
    else:
        yi, vi = _corr.biserial(*args)
    return yi, vi, "means, SDs and group sizes, as a correlation with group membership"


def _regression_rows(name, c, check, vtype):
    check.require((c["r2i"] >= 0) & (c["r2i"] <= 1), "r2i", "an R^2 between 0 and 1", c["r2i"])
    check.require(c["mi"] >= 1, "mi", "at least 1 predictor", c["mi"])
    check.require(c["ni"] - c["mi"] >= 2, "ni", "at least mi + 2 (a residual df of 1 or more)", c["ni"])
    if name == "SPCOR":
        yi, vi = _corr.semipartial_correlation(c["ti"], c["ni"], c["mi"], c["r2i"])
        return yi, vi, "t statistic, sample size, predictors and R^2"
    if name == "R2":
        yi, vi = _corr.r_squared(c["r2i"], c["ni"], c["mi"], vtype=vtype)
    else:
        yi, vi = _corr.fisher_z_r_squared(c["r2i"], c["ni"])
    return yi, vi, "R^2, sample size and predictors"


def _two_by_two(name, kind, c, check, missing, add, to, vtype):
    for col in kind:
        check.require(c[col] >= 0, col, "a non-negative count", c[col])
    if "n1i" in kind:
        check.require(c["ai"] <= c["n1i"], "ai", "at most n1i", c["ai"])
        check.require(c["ci"] <= c["n2i"], "ci", "at most n2i", c["ci"])
        c["bi"], c["di"] = c["n1i"] - c["ai"], c["n2i"] - c["ci"]
    else:
        c["n1i"], c["n2i"] = c["ai"] + c["bi"], c["ci"] + c["di"]
    cells, corrected = _bin.zero_cell_correction(
        (c["ai"], c["bi"], c["ci"], c["di"]), add=add, to=to, exclude=missing
    )
    if name == "PHI":
        yi, vi = _assoc.phi_coefficient(*cells, sampling="ST" if vtype == "ST" else "CS")
    elif name == "RTET":
        yi, vi = _corr.tetrachoric(*cells)
    elif name == "PBIT":
        yi, vi = _smd_or.probit_risk_difference(*cells)
    elif name in ("OR2DN", "OR2DL"):
        yi, vi = _smd_or.log_odds_ratio_to_smd(*cells, distribution=name[-1])
    else:
        yi, vi = (_assoc.yule_q if name == "YUQ" else _assoc.yule_y)(*cells)
    return yi, vi, corrected, {k: c[k] for k in ("ai", "bi", "ci", "di", "n1i", "n2i")}


def _two_group_rows(name, kind, c, check, vtype="LS"):
    for g in ("1", "2"):
        check.require(c[f"n{g}i"] >= 1, f"n{g}i", "at least 1", c[f"n{g}i"])
        if f"sd{g}i" in kind:
            check.require(c[f"sd{g}i"] > 0, f"sd{g}i", "a positive standard deviation", c[f"sd{g}i"])
    if name == "SMD1":
        check.require(
            c["n2i"] >= 2, "n2i", "at least 2 for SMD1 (the standardizing SD needs n2i - 1 >= 1)", c["n2i"]
        )
        yi, vi = _cont.standardized_mean_difference_control_sd(
            c["m1i"], c["sd2i"], c["n1i"], c["m2i"], c["n2i"], vtype=vtype
        )
        return yi, vi, "means, SD of group 2 and group sizes"
    total = c["n1i"] + c["n2i"]
    check.require(
        total >= 3, "n1i + n2i", f"at least 3 for {name} (the pooled SD needs n1i + n2i - 2 >= 1)", total
    )
    args = tuple(c[k] for k in ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"))
    yi, vi = _smd_or.smd_to_log_odds_ratio(*args, distribution=name[-1])
    return yi, vi, "means, SDs and group sizes, converted to a log odds ratio"


def _single_group_rows(name, family, kind, c, check, missing, add, to, fix=True):
    corrected = np.zeros(missing.size, dtype=bool)
    if name == "SMN":
        check.require(c["sdi"] > 0, "sdi", "a positive standard deviation", c["sdi"])
        check.require(c["ni"] >= 2, "ni", "at least 2 for SMN", c["ni"])
        yi, vi = _single.standardized_mean(c["mi"], c["sdi"], c["ni"], correct=fix)
        return yi, vi, corrected, "mean, SD and sample size"
    if family == "mean":
        check.require(c["sdi"] > 0, "sdi", "a positive standard deviation", c["sdi"])
        minimum = 1 if name == "MNLN" else 2
        check.require(c["ni"] >= minimum, "ni", f"at least {minimum} for {name}", c["ni"])
        if name != "SDLN":
            check.require(c["mi"] > 0, "mi", f"positive for {name} (a ratio-scale mean)", c["mi"])
        if name == "SDLN":
            yi, vi = _single.log_standard_deviation(c["sdi"], c["ni"])
        else:
            formula = _single.log_mean if name == "MNLN" else _single.log_coefficient_of_variation
            yi, vi = formula(c["mi"], c["sdi"], c["ni"])
        return yi, vi, corrected, "mean, SD and sample size" if "mi" in kind else "SD and sample size"
    check.require(c["xi"] >= 0, "xi", "a non-negative count", c["xi"])
    check.require(c["ti"] > 0, "ti", "positive person-time", c["ti"])
    (x,), corrected = _bin.zero_cell_correction((c["xi"],), add=add, to=to, exclude=missing)
    formula = {
        "IR": _rates.rate,
        "IRLN": _rates.log_rate,
        "IRS": _rates.sqrt_rate,
        "IRFT": _rates.freeman_tukey_rate,
    }[name]
    yi, vi = formula(x, c["ti"])
    return yi, vi, corrected, "events and person-time"
