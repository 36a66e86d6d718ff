"""Input handling behind :func:`metaevidence.effect_sizes` (the measure facts are in
:mod:`metaevidence.core.effects.measures`).

Turns keyword columns into validated float arrays (one message shape for every mistake:
what was wrong, where, what is allowed, what was received) and computes ``yi``/``vi`` row by
row through the formulas of :mod:`metaevidence.core`. Rows are numbered from 0 in messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.core.effects import continuous as _cont
from metaevidence.core.effects import convert as _cv
from metaevidence.core.effects import counts as _bin
from metaevidence.core.effects import single_group as _single
from metaevidence.core.effects.measures import MEANS_COLUMNS, Measure
from metaevidence.stats import _effect_conversions as _conversions
from metaevidence.stats import _effect_families as _families

_REPORTED_KINDS = (
    ("estimate", "ci_lower", "ci_upper"),
    ("estimate", "pval"),
    ("yi", "pval"),
    ("yi", "sei"),
    ("yi", "vi"),
)

_LINKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "log": np.log,
    "logit": lambda p: np.log(p / (1 - p)),
    "atanh": np.arctanh,
    "identity": lambda x: x,
}
_NATURAL_RANGE = {
    "log": ("a positive ratio", lambda x: x > 0),
    "logit": ("a proportion strictly between 0 and 1", lambda x: (x > 0) & (x < 1)),
    "atanh": ("a correlation strictly between -1 and 1", lambda x: np.abs(x) < 1),
    "identity": ("a finite number", lambda x: np.isfinite(x)),
}


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


class RowChecker:
    """Raises the package's one-shape message for the first offending row."""

    def __init__(self, measure: str, labels: tuple[str, ...], usable: np.ndarray):
        self.measure, self.labels, self.usable = measure, labels, usable

    def where(self, i: int) -> str:
        return f"row {i} (0-based; label {self.labels[i]!r})"

    def require(self, ok, what: str, allowed: str, shown: np.ndarray) -> None:
        bad = self.usable & ~np.asarray(ok, dtype=bool)
        if bad.any():
            rows = np.flatnonzero(bad)
            more = f" (and {rows.size - 1} more row{'s' if rows.size > 2 else ''})" if rows.size > 1 else ""
            i = int(rows[0])
            raise ValueError(
                f"effect_sizes(measure={self.measure!r}): {what} must be {allowed}; "
                f"got {_fmt(shown[i])} in {self.where(i)}{more}"
            )


def as_columns(given: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Columns as 1-D float arrays of one length; None/NaN stay NaN (missing), inf raises."""
    out: dict[str, np.ndarray] = {}
    for name, value in given.items():
        try:
            arr = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name} must be numbers (a sequence or array); got {type(value).__name__} {value!r:.60}"
            ) from None
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if arr.ndim != 1:
            raise ValueError(
                f"{name} must be one-dimensional (one value per study); got an array of shape {arr.shape}"
            )
        out[name] = arr
    lengths = {name: arr.size for name, arr in out.items()}
    if len(set(lengths.values())) > 1:
        listing = ", ".join(f"{n} has {k}" for n, k in lengths.items())
        raise ValueError(f"all data columns must have the same length (one value per study); got {listing}")
    for name, arr in out.items():
        inf = np.isinf(arr)
        if inf.any():
            i = int(np.flatnonzero(inf)[0])
            raise ValueError(
                f"{name} must be finite (NaN or None marks a missing value); got "
                f"{arr[i]} in row {i} (0-based)"
            )
    return out


def data_kind(info: Measure, given: set[str]) -> tuple[str, ...]:
    """The one accepted column set that ``given`` is, or a ValueError saying what is."""
    accepted = list(info.columns) + (
        [] if info.link is None else [k for k in _REPORTED_KINDS if k[0] == "estimate"]
    )
    accepted += [k for k in _REPORTED_KINDS if k[0] == "yi"]
    for kind in accepted:
        if set(kind) == given:
            return kind
    options = "; ".join(", ".join(kind) for kind in accepted)
    raise ValueError(
        f"effect_sizes(measure={info.name!r}) takes one of these sets of data "
        f"columns: {options}; got {', '.join(sorted(given)) or 'none'}"
    )


def fraction_level(level: np.ndarray) -> np.ndarray:
    """Confidence levels as fractions: 0.95 stays, 95 becomes 0.95 (metafor accepts both)."""
    level = np.asarray(level, dtype=float)
    ok = ((level > 0) & (level < 1)) | ((level > 1) & (level < 100))
    if not np.all(ok | np.isnan(level)):
        bad = level[~(ok | np.isnan(level))].ravel()[0]
        raise ValueError(
            f"level must be a confidence level, a fraction in (0, 1) such as 0.95 "
            f"or a percentage in (1, 100) such as 95; got {_fmt(bad)}"
        )
    return np.where(level > 1, level / 100, level)


@dataclass(frozen=True, slots=True)
class Computed:
    """Output of :func:`compute`: everything ``EffectSizes`` needs but the labels."""

    yi: np.ndarray
    vi: np.ndarray
    corrected: np.ndarray
    dropped: np.ndarray
    data: dict[str, np.ndarray]
    source: tuple[str, ...]
    add: float | str


def compute(
    info: Measure,
    kind: tuple[str, ...],
    cols: dict[str, np.ndarray],
    labels: tuple[str, ...],
    *,
    add: float | str,
    to: str,
    drop00: bool,
    correct: bool | None,
    vtype: str = "LS",
    legacy: bool = False,
) -> Computed:
    """Validate the columns row by row and compute yi, vi, masks, data and sources."""
    needed = kind + (("level",) if "ci_lower" in kind else ())
    if info.name == "ROM" and vtype in ("AV", "AVHO"):  # the average CV stands in for missing SDs
        needed = tuple(c for c in needed if c not in ("sd1i", "sd2i"))
    if info.name in ("CLES", "AUC"):  # an unknown proportion of ties is no adjustment (metafor)
        needed = tuple(c for c in needed if c != "mi")
    missing = np.logical_or.reduce([np.isnan(cols[c]) for c in needed])
    check = RowChecker(info.name, labels, ~missing)
    if kind[0] in ("estimate", "yi"):
        return _reported(info, kind, cols, check, missing, add)
    if info.name in _conversions.NATIVE:
        yi, vi, corrected, c, base = _conversions.compute_native(
            info, kind, dict(cols), check, missing, add=add, to=to
        )
        return _finish(yi, vi, corrected, missing, np.zeros_like(missing), c, base, "", add)
    if _conversions.alternative(info, kind):
        primary, c, base, forced = _conversions.to_primary(info, kind, dict(cols), check, missing)
        out = compute(
            info,
            primary,
            c,
            labels,
            add=add,
            to=to,
            drop00=drop00,
            correct=correct,
            vtype=forced or vtype,
            legacy=legacy,
        )
        return _conversions.relabel(out, base, cols)
    if info.name in _families.HANDLED:
        return _families.compute(
            info,
            kind,
            dict(cols),
            check,
            missing,
            add=add,
            to=to,
            vtype=vtype,
            legacy=legacy,
            correct=correct,
        )
    if correct is None:  # metafor's default: corrected in 5.x, not in 3.8-1 (legacy)
        correct = not legacy
    o = _Options(add, to, drop00, correct, vtype, legacy)
    family = _FAMILIES[info.family if info.family in _FAMILIES else "mean"]
    yi, vi, corrected, drop, c, base, drop_note = family(info, kind, dict(cols), check, missing, o)
    return _finish(yi, vi, corrected, missing, drop, c, base, drop_note, add)


@dataclass(frozen=True, slots=True)
class _Options:
    """The computing options of one call (zero cells, corrections, variance type)."""

    add: float | str
    to: str
    drop00: bool
    correct: bool
    vtype: str
    legacy: bool


#: What a family's computation gives: yi, vi, corrected, dropped, data, source, drop note.
_Family = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict, str, str]


def _binary(info: Measure, kind, c: dict, check: RowChecker, missing, o: _Options) -> _Family:
    """2x2 counts: OR, RR, RD, PETO, AS (zero cells corrected as asked)."""
    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    for name in kind:
        check.require(c[name] >= 0, name, "a non-negative count", c[name])
    if "n1i" in kind:
        check.require(c["ai"] <= c["n1i"], "ai", "at most n1i (events cannot exceed the group size)", c["ai"])
        check.require(c["ci"] <= c["n2i"], "ci", "at most n2i (events cannot exceed the group size)", c["ci"])
        c["bi"], c["di"] = c["n1i"] - c["ai"], c["n2i"] - c["ci"]
    else:
        c["n1i"], c["n2i"] = c["ai"] + c["bi"], c["ci"] + c["di"]
    check.require(c["n1i"] >= 1, "n1i", "at least 1 (group 1 needs someone in it)", c["n1i"])
    check.require(c["n2i"] >= 1, "n2i", "at least 1 (group 2 needs someone in it)", c["n2i"])
    cells = (c["ai"], c["bi"], c["ci"], c["di"])
    if o.drop00:
        drop = _bin.double_zero_2x2(*cells) & ~missing
    cells, corrected = _bin.zero_cell_correction(cells, add=o.add, to=o.to, exclude=drop | missing)
    formula: Callable[..., Any] = {
        "OR": _bin.log_odds_ratio,
        "RR": _bin.log_risk_ratio,
        "RD": _bin.risk_difference,
        "PETO": _bin.log_peto_odds_ratio,
        "AS": _bin.arcsine_risk_difference,
    }[info.name]
    yi, vi = formula(*cells)
    base, drop_note = "2x2 counts", "no events (or only events) in both groups (drop00)"
    c = {k: c[k] for k in ("ai", "bi", "ci", "di", "n1i", "n2i")}
    return yi, vi, corrected, drop, c, base, drop_note


def _rate(info: Measure, kind, c: dict, check: RowChecker, missing, o: _Options) -> _Family:
    """Events over person-time: IRR, IRD, IRSD."""
    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    for name in ("x1i", "x2i"):
        check.require(c[name] >= 0, name, "a non-negative count", c[name])
    for name in ("t1i", "t2i"):
        check.require(c[name] > 0, name, "positive person-time", c[name])
    if o.drop00:
        drop = _bin.double_zero_rates(c["x1i"], c["x2i"]) & ~missing
    (x1, x2), corrected = _bin.zero_cell_correction(
        (c["x1i"], c["x2i"]), add=o.add, to=o.to, exclude=drop | missing
    )
    formula = {
        "IRR": _bin.log_rate_ratio,
        "IRD": _bin.rate_difference,
        "IRSD": _bin.sqrt_rate_difference,
    }[info.name]
    yi, vi = formula(x1, c["t1i"], x2, c["t2i"])
    base, drop_note = "events and person-time", "no events in either group (drop00)"
    return yi, vi, corrected, drop, c, base, drop_note


def _proportion(info: Measure, kind, c: dict, check: RowChecker, missing, o: _Options) -> _Family:
    """One group's events and size: PR, PLN, PLO, PAS, PFT, PRZ."""
    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    check.require(c["xi"] >= 0, "xi", "a non-negative count", c["xi"])
    if "ni" in kind:
        check.require(c["ni"] >= 1, "ni", "at least 1", c["ni"])
        check.require(c["xi"] <= c["ni"], "xi", "at most ni (events cannot exceed the group size)", c["xi"])
        c["mi"] = c["ni"] - c["xi"]
    else:
        check.require(c["mi"] >= 0, "mi", "a non-negative count", c["mi"])
        c["ni"] = c["xi"] + c["mi"]
        check.require(c["ni"] >= 1, "xi + mi", "at least 1", c["ni"])
    (x, m), corrected = _bin.zero_cell_correction((c["xi"], c["mi"]), add=o.add, to=o.to, exclude=missing)
    single: Callable[..., tuple[np.ndarray, np.ndarray]] = {
        "PR": _single.proportion,
        "PLN": _single.log_proportion,
        "PLO": _single.logit_proportion,
        "PAS": _single.arcsine_proportion,
        "PFT": _single.freeman_tukey_proportion,
        "PRZ": _single.probit_proportion,
    }[info.name]
    yi, vi = single(x, x + m)
    base, drop_note = "events and group size", ""
    c = {k: c[k] for k in ("xi", "mi", "ni")}
    return yi, vi, corrected, drop, c, base, drop_note


def _continuous(info: Measure, kind, c: dict, check: RowChecker, missing, o: _Options) -> _Family:
    """Two groups' means, SDs and sizes: MD, SMD, SMDH, ROM."""
    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    minimum = 2 if info.name == "SMDH" else 1
    average_cv = info.name == "ROM" and o.vtype in ("AV", "AVHO")
    for g in ("1", "2"):
        sd = c[f"sd{g}i"]
        if average_cv:  # a missing SD is allowed: the variance uses the studies' average CV
            check.require(np.isnan(sd) | (sd > 0), f"sd{g}i", "a positive standard deviation or missing", sd)
        else:
            check.require(sd > 0, f"sd{g}i", "a positive standard deviation", sd)
        check.require(
            c[f"n{g}i"] >= minimum,
            f"n{g}i",
            f"at least {minimum}" + (" for SMDH (its variance divides by n - 1)" if minimum == 2 else ""),
            c[f"n{g}i"],
        )
        if info.name == "ROM":
            check.require(
                c[f"m{g}i"] > 0,
                f"m{g}i",
                "positive for ROM (a ratio of means needs a ratio-scale outcome)",
                c[f"m{g}i"],
            )
    if info.name == "SMD":
        total = c["n1i"] + c["n2i"]
        check.require(
            total >= 4,
            "n1i + n2i",
            "at least 4 for SMD (the bias correction needs n1i + n2i - 2 >= 2)",
            total,
        )
    args = tuple(c[k] for k in MEANS_COLUMNS[0])
    if info.name == "ROM":
        yi, vi = _cont.log_ratio_of_means(*args, correct=o.correct, vtype=o.vtype)
    elif info.name == "SMDH":
        yi, vi = _cont.standardized_mean_difference_heteroscedastic(*args, legacy=o.legacy)
    else:
        formula = _cont.mean_difference if info.name == "MD" else _cont.standardized_mean_difference
        yi, vi = formula(*args, vtype=o.vtype)
    base, drop_note = "means, SDs and group sizes", ""
    if average_cv:
        no_sd = ~missing & (np.isnan(c["sd1i"]) | np.isnan(c["sd2i"]))
        if o.correct:  # the bias correction needs the study's own SDs (metafor drops it too)
            drop = no_sd
            drop_note = "an SD is missing, which the bias correction needs (correct=False keeps the study)"
        base += ", variance from the average CV (Nakagawa et al. 2023)"
    if info.name == "ROM" and o.correct:
        base += ", bias-corrected (Lajeunesse 2015)"
    if o.vtype != "LS":
        base += f" (vtype {o.vtype})"
    return yi, vi, corrected, drop, c, base, drop_note


def _correlation(info: Measure, kind, c: dict, check: RowChecker, missing, o: _Options) -> _Family:
    """A correlation and its sample size: COR, ZCOR."""
    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    inside = np.abs(c["ri"]) < 1 if info.name == "ZCOR" else np.abs(c["ri"]) <= 1
    check.require(
        inside,
        "ri",
        "a correlation "
        + ("strictly between -1 and 1 for ZCOR" if info.name == "ZCOR" else "between -1 and 1"),
        c["ri"],
    )
    check.require(
        c["ni"] >= 4,
        "ni",
        f"at least 4 for {info.name} (metafor gives no sampling variance for ni <= 3)",
        c["ni"],
    )
    if info.name == "COR":
        yi, vi = _cont.correlation(c["ri"], c["ni"], vtype=o.vtype)
    else:
        yi, vi = _cont.fisher_z(c["ri"], c["ni"])
    base, drop_note = "correlation and sample size", ""
    return yi, vi, corrected, drop, c, base, drop_note


def _mean(info: Measure, kind, c: dict, check: RowChecker, missing, o: _Options) -> _Family:
    """One group's mean, SD and size: MN."""
    n = missing.size
    corrected = np.zeros(n, dtype=bool)
    drop = np.zeros(n, dtype=bool)
    check.require(c["sdi"] > 0, "sdi", "a positive standard deviation", c["sdi"])
    check.require(c["ni"] >= 1, "ni", "at least 1", c["ni"])
    yi, vi = _single.mean(c["mi"], c["sdi"], c["ni"])
    base, drop_note = "mean, SD and sample size", ""
    return yi, vi, corrected, drop, c, base, drop_note


_FAMILIES: dict[str, Callable[..., _Family]] = {
    "binary": _binary,
    "rate": _rate,
    "proportion": _proportion,
    "continuous": _continuous,
    "correlation": _correlation,
    "mean": _mean,
}


def _finish(yi, vi, corrected, missing, drop, data, base, drop_note, add) -> Computed:
    bad = ~(np.isfinite(yi) & np.isfinite(vi))
    dropped = missing | drop | bad
    yi = np.where(dropped, np.nan, yi)
    vi = np.where(dropped, np.nan, vi)
    source = []
    for i in range(yi.size):
        if missing[i]:
            source.append(f"{base}; dropped: missing data")
        elif drop[i]:
            source.append(f"{base}; dropped: {drop_note}")
        elif bad[i]:
            source.append(
                f"{base}; dropped: not computable from these values (a zero cell without a correction, or a negative variance estimate?)"
            )
        else:
            source.append(base)
    return Computed(yi, vi, corrected & ~dropped, dropped, data, tuple(source), add)


def _reported(info, kind, cols, check, missing, add) -> Computed:
    c = dict(cols)
    link = info.link or "identity"
    g = _LINKS[link]
    if kind[0] == "estimate":
        allowed, inside = _NATURAL_RANGE[link]
        names = ("estimate", "ci_lower", "ci_upper") if "ci_lower" in kind else ("estimate",)
        for name in names:
            check.require(inside(c[name]), name, f"{allowed} for {info.name}", c[name])
        estimate = g(c["estimate"])
    else:
        estimate = c["yi"]
    if "ci_lower" in kind:
        check.require(c["ci_lower"] < c["ci_upper"], "ci_lower", "below ci_upper", c["ci_lower"])
        check.require(
            (c["ci_lower"] <= c["estimate"]) & (c["estimate"] <= c["ci_upper"]),
            "estimate",
            "inside its confidence interval [ci_lower, ci_upper]",
            c["estimate"],
        )
        level = fraction_level(c["level"])
        c["level"] = level
        sei = _cv.se_from_ci(g(c["ci_lower"]), g(c["ci_upper"]), level=level)
        base = [f"reported {info.effect} with {100 * v:g}% CI" for v in level]
    elif "pval" in kind:
        check.require(
            (c["pval"] > 0) & (c["pval"] < 1),
            "pval",
            "a two-sided p-value strictly between 0 and 1",
            c["pval"],
        )
        check.require(
            estimate != 0,
            "estimate" if "estimate" in kind else "yi",
            "non-null (a p-value gives no standard error for an estimate of no effect)",
            c[kind[0]],
        )
        sei = _cv.se_from_p_value(estimate, c["pval"])
        what = info.effect if kind[0] == "estimate" else info.description
        base = [f"reported {what} with p-value"] * estimate.size
    elif "sei" in kind:
        check.require(c["sei"] > 0, "sei", "a positive standard error", c["sei"])
        sei = c["sei"]
        base = [f"reported {info.description} and SE"] * estimate.size
    else:
        check.require(c["vi"] > 0, "vi", "a positive sampling variance", c["vi"])
        sei = np.sqrt(c["vi"])
        base = [f"reported {info.description} and variance"] * estimate.size
    yi, vi = np.asarray(estimate, dtype=float), np.asarray(sei, dtype=float) ** 2
    bad = ~(np.isfinite(yi) & np.isfinite(vi))
    dropped = missing | bad
    source = tuple(f"{b}; dropped: missing data" if missing[i] else b for i, b in enumerate(base))
    n = yi.size
    return Computed(
        np.where(dropped, np.nan, yi),
        np.where(dropped, np.nan, vi),
        np.zeros(n, dtype=bool),
        dropped,
        c,
        source,
        add,
    )


#: Names users bring from papers and other tools, and the argument they mean.
_ARGUMENT_ALIASES = {
    "lower": "ci_lower",
    "upper": "ci_upper",
    "lcl": "ci_lower",
    "ucl": "ci_upper",
    "ci_lb": "ci_lower",
    "ci_ub": "ci_upper",
    "se": "sei",
    "p": "pval",
    "pvalue": "pval",
}


def unknown_arguments(unknown: Mapping[str, Any], known: list[str]) -> None:
    """A TypeError naming each unknown argument of effect_sizes and the one probably meant."""
    import difflib

    parts = []
    for name in unknown:
        meant = _ARGUMENT_ALIASES.get(name.lower()) or next(
            iter(difflib.get_close_matches(name, known, n=1)), None
        )
        parts.append(f"{name!r}" + (f" (did you mean {meant!r}?)" if meant else ""))
    raise TypeError(
        f"effect_sizes() got unknown argument(s) {', '.join(parts)}; a reported ratio is given as "
        "estimate=, ci_lower=, ci_upper= (or yi= with sei=/vi=/pval=)"
    )
