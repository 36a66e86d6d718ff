"""metafor 5's alternative inputs of :func:`metaevidence.effect_sizes` and the measures MPORM
and REH (the measure facts, including which column sets each measure takes, are in
:mod:`metaevidence.core.effects.measures`).

An alternative input is turned into the measure's primary inputs, which then go through the
usual computation, as metafor's escalc documents it:

- two groups (SMD, RPB, ZPB, RBIS, ZBIS, CLESN, AUCN): Cohen's d ``di``; a t statistic of
  the two-sample t-test ``ti`` (:math:`d = t\\sqrt{1/n_1 + 1/n_2}`); a signed two-sided
  p-value ``pi`` (t on :math:`n_1 + n_2 - 2` df, with the sign of ``pi``); a point-biserial
  correlation ``ri`` (:math:`d = r\\sqrt{h}/\\sqrt{1 - r^2}`, :math:`h = m/n_1 + m/n_2`,
  :math:`m = n_1 + n_2 - 2`); d is then the mean difference of two groups with SD 1;
- CLESN, AUCN also from the binormal CLES itself ``ai`` (with ``n1i n2i``, and ``sd1i sd2i``
  if known; without them equal variances are assumed);
- correlations (COR, UCOR, ZCOR): ``ti`` (:math:`r = t/\\sqrt{t^2 + n - 2}`) or ``pi`` (t on
  n - 2 df);
- standardized mean change SMCC: the d of the change scores ``di``, the paired t statistic
  ``ti`` (:math:`d = t/\\sqrt{n}`) or ``pi`` (t on n - 1 df);
- partial and semi-partial correlations: ``pi`` (t on n - m - 1 df) or the correlation itself
  ``ri`` (:math:`t = r\\sqrt{df}/\\sqrt{1 - r^2}`, for SPCOR :math:`t = r\\sqrt{df}/\\sqrt{1 -
  R^2}`);
- R2 and ZR2: the omnibus F statistic ``fi`` (:math:`R^2 = mF/(mF + df)`) or its p-value ``pi``.

One column set per call (metafor can mix inputs row by row; here each call takes one).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import stats

from metaevidence.core.effects import genotype as _genotype
from metaevidence.core.effects import matched as _matched
from metaevidence.core.effects.counts import zero_cell_correction
from metaevidence.core.effects.measures import Measure

#: Measures computed here from their own inputs.
NATIVE = frozenset({"MPORM", "REH"})

_TWO_GROUP = frozenset("SMD RPB ZPB RBIS ZBIS CLESN AUCN".split())
_CORRELATION = frozenset("COR UCOR ZCOR".split())
_PARTIAL = frozenset("PCOR ZPCOR SPCOR ZSPCOR".split())
_NOTES = {
    "di": "Cohen's d",
    "ti": "t statistic",
    "pi": "signed p-value",
    "ri": "correlation",
    "fi": "F statistic",
}


def alternative(info: Measure, kind: tuple[str, ...]) -> bool:
    """Whether ``kind`` is one of metafor 5's alternative inputs of ``info`` (the alternative
    column comes first in each of the registry's alternative sets).
    """
    return kind[0] in _ALTERNATIVES.get(info.name, ())


_ALTERNATIVES = {
    **{m: ("di", "ti", "pi", "ri") for m in _TWO_GROUP},
    "CLESN": ("di", "ti", "pi", "ai"),
    "AUCN": ("di", "ti", "pi", "ai"),
    **{m: ("ti", "pi") for m in _CORRELATION},
    "SMCC": ("di", "ti", "pi"),
    **{m: ("pi", "ri") for m in _PARTIAL},
    "R2": ("fi", "pi"),
    "ZR2": ("fi", "pi"),
}


def to_primary(info: Measure, kind, c: dict, check, missing) -> tuple[tuple[str, ...], dict, str, str | None]:
    """(primary kind, primary columns, what the rows were computed from, vtype to use)."""
    name = info.name
    if kind[0] == "ai":  # CLESN/AUCN: the binormal CLES value itself
        return _from_cles(kind, c, check)
    given = next(k for k in ("di", "ti", "pi", "fi", "ri") if k in kind)
    if name in _TWO_GROUP:
        n1, n2 = c["n1i"], c["n2i"]
        for g, n in (("n1i", n1), ("n2i", n2)):
            check.require(n >= 1, g, "at least 1", n)
        check.require(n1 + n2 >= 3, "n1i + n2i", "at least 3 (the t-test needs df >= 1)", n1 + n2)
        d = _d_two_group(given, c, check, n1, n2)
        primary = {"m1i": d, "sd1i": np.ones_like(d), "n1i": n1, "m2i": np.zeros_like(d)}
        primary.update(sd2i=np.ones_like(d), n2i=n2)
        vtype = "HO" if name in ("CLESN", "AUCN") else None  # metafor: d assumes equal variances
        base = f"{_NOTES[given]} and group sizes"
        return ("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"), primary, base, vtype
    if name in _CORRELATION:
        check.require(c["ni"] >= 3, "ni", f"at least 3 for {name} from {given} (df = ni - 2)", c["ni"])
        t = _t(given, c, check, c["ni"] - 2)
        return (
            ("ri", "ni"),
            {"ri": t / np.sqrt(t**2 + c["ni"] - 2), "ni": c["ni"]},
            f"{_NOTES[given]} and sample size",
            None,
        )
    if name == "SMCC":
        check.require(c["ni"] >= 2, "ni", f"at least 2 for SMCC from {given} (df = ni - 1)", c["ni"])
        d = c["di"] if given == "di" else _t(given, c, check, c["ni"] - 1) / np.sqrt(c["ni"])
        one = np.ones_like(d)
        primary = {"m1i": d, "m2i": 0 * d, "sd1i": one, "sd2i": one, "ni": c["ni"], "ri": 0.5 * one}
        return ("m1i", "m2i", "sd1i", "sd2i", "ni", "ri"), primary, f"{_NOTES[given]} and sample size", None
    if name in _PARTIAL:
        df = c["ni"] - c["mi"] - 1
        check.require(df >= 1, "ni", "at least mi + 2 (a residual df of 1 or more)", c["ni"])
        if given == "ri":
            check.require(np.abs(c["ri"]) < 1, "ri", "a correlation strictly between -1 and 1", c["ri"])
            scale = 1 - (c["r2i"] if "r2i" in kind else c["ri"] ** 2)
            check.require(scale > 0, "r2i", "below 1", c.get("r2i", c["ri"]))
            t = c["ri"] * np.sqrt(df) / np.sqrt(scale)
        else:
            t = _t(given, c, check, df)
        primary = {"ti": t, "ni": c["ni"], "mi": c["mi"]}
        if "r2i" in kind:
            primary["r2i"] = c["r2i"]
        return tuple(primary), primary, f"{_NOTES[given]}, sample size and predictors", None
    # R2, ZR2: the F statistic of the omnibus test
    m, df = c["mi"], c["ni"] - c["mi"] - 1
    check.require(m >= 1, "mi", "at least 1 predictor", m)
    check.require(df >= 1, "ni", "at least mi + 2 (a residual df of 1 or more)", c["ni"])
    if given == "fi":
        check.require(c["fi"] >= 0, "fi", "a non-negative F statistic", c["fi"])
        f = c["fi"]
    else:
        check.require((c["pi"] >= 0) & (c["pi"] <= 1), "pi", "a p-value between 0 and 1", c["pi"])
    # under H0, R^2 = mF / (mF + df) ~ Beta(m/2, df/2): the quantile gives R^2 directly
    r2 = m * f / (m * f + df) if given == "fi" else stats.beta.isf(c["pi"], m / 2, df / 2)
    primary = {"r2i": r2, "ni": c["ni"], "mi": m}
    return ("r2i", "ni", "mi"), primary, f"{_NOTES[given]}, sample size and predictors", None


def _from_cles(kind, c, check):
    """Means and SDs whose binormal CLES is ``ai``: :math:`\\Phi^{-1}(\\text{CLES})\\sqrt{
    \\sigma_1^2 + \\sigma_2^2}` apart, with the SDs given (metafor's default variance) or, without
    them, SDs 1 and equal variances assumed (``vtype="HO"``), as metafor.
    """
    check.require((c["ai"] > 0) & (c["ai"] < 1), "ai", "a CLES strictly between 0 and 1", c["ai"])
    for g in ("n1i", "n2i"):
        check.require(c[g] >= 2, g, "at least 2 for CLESN/AUCN", c[g])
    sds = "sd1i" in kind
    s1 = c["sd1i"] if sds else np.ones_like(c["ai"])
    s2 = c["sd2i"] if sds else np.ones_like(c["ai"])
    if sds:
        for g, sd in (("sd1i", s1), ("sd2i", s2)):
            check.require(sd > 0, g, "a positive standard deviation", sd)
    diff = stats.norm.ppf(c["ai"]) * np.sqrt(s1**2 + s2**2)
    primary = {"m1i": diff, "sd1i": s1, "n1i": c["n1i"], "m2i": 0 * diff, "sd2i": s2, "n2i": c["n2i"]}
    base = "reported CLES" + (", SDs" if sds else "") + " and group sizes (binormal model)"
    return tuple(primary), primary, base, None if sds else "HO"


def _t(given, c, check, df):
    """The t statistic given (``ti``) or from a signed two-sided p-value (``pi``)."""
    if given == "ti":
        return c["ti"]
    p = c["pi"]
    check.require(np.abs(p) <= 1, "pi", "a two-sided p-value in [-1, 1], negative for a negative effect", p)
    with np.errstate(invalid="ignore", divide="ignore"):  # p = 0: t infinite, the row dropped
        return np.sign(p) * stats.t.isf(np.abs(p) / 2, df)


def _d_two_group(given, c, check, n1, n2):
    if given == "di":
        return c["di"]
    if given == "ri":
        r = c["ri"]
        check.require(np.abs(r) < 1, "ri", "a point-biserial correlation strictly between -1 and 1", r)
        m = n1 + n2 - 2
        return r * np.sqrt(m / n1 + m / n2) / np.sqrt(1 - r**2)
    return _t(given, c, check, n1 + n2 - 2) * np.sqrt(1 / n1 + 1 / n2)


def relabel(out, base: str, given: dict):
    """``out`` (computed from the primary inputs) with the user's inputs as its data and
    sources that say what the rows were computed from.
    """
    source = tuple(base + (s[s.index(";") :] if ";" in s else "") for s in out.source)
    return dataclasses.replace(out, data=dict(given), source=source)


def compute_native(info: Measure, kind, c: dict, check, missing, *, add: float | str, to: str):
    """yi, vi, the corrected mask, the data and the base source of MPORM and REH."""
    for col in ("ai", "bi", "ci", "di", "n1i", "n2i"):
        if col in kind:
            check.require(c[col] >= 0, col, "a non-negative count", c[col])
    if info.name == "REH":
        yi, vi = _genotype.log_relative_excess_heterozygosity(c["ai"], c["bi"], c["ci"])
        return yi, vi, np.zeros(missing.size, dtype=bool), c, "genotype counts"
    if "n1i" in kind:
        check.require(c["ai"] <= c["n1i"], "ai", "at most n1i", c["ai"])
        check.require(c["ci"] <= c["n2i"], "ci", "at most n2i", c["ci"])
        c["bi"], c["di"] = c["n1i"] - c["ai"], c["n2i"] - c["ci"]
    cells = (c["ai"], c["bi"], c["ci"], c["di"])
    if "pi" in kind:
        check.require((c["pi"] >= 0) & (c["pi"] <= 1), "pi", "a proportion between 0 and 1", c["pi"])
        r = _matched.phi_from_concordant_proportion(c["ai"], c["bi"], c["ci"], c["di"], c["pi"])
        base = "marginal table and proportion of pairs with the event under both"
    else:
        check.require(np.abs(c["ri"]) <= 1, "ri", "a correlation between -1 and 1", c["ri"])
        r, base = c["ri"], "marginal table and phi coefficient"
    (a, b, cc, d), corrected = zero_cell_correction(cells, add=add, to=to, exclude=missing)
    yi, vi = _matched.marginal_table_log_odds_ratio(a, b, cc, d, r)
    return yi, vi, corrected, c, base
