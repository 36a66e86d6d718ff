"""Argument handling shared by the statistical verbs.

Arrays or an ``EffectSizes``-like object into checked float arrays and labels (every
verb that takes ``yi, vi``), and for the small-study-effect verbs (bias.py, trimfill.py)
the included rows of a fitted analysis (duck-typed MetaAnalysis / MetaRegression), the
sample sizes some predictors need, and the small-sample warning of the Cochrane
Handbook (13.3.5.4).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.core.pool import TABLE_METHODS
from metaevidence.core.tau2 import canonical_method
from metaevidence.errors import SmallSampleWarning

__all__ = [
    "MIN_STUDIES",
    "small_sample_note",
    "analysis_inputs",
    "sample_sizes",
    "Inputs",
    "unpack",
    "float_array",
    "check_values",
    "study_labels",
]

#: Fewest studies for which funnel-asymmetry tests are advised (Cochrane Handbook 13.3.5.4).
MIN_STUDIES = 10


def small_sample_note(k: int, what: str) -> str | None:
    """Warn (SmallSampleWarning) and return the note when k < MIN_STUDIES, else None."""
    if k >= MIN_STUDIES:
        return None
    note = (
        f"{what} with only {k} studies: tests for funnel plot asymmetry are not advised "
        f"with fewer than {MIN_STUDIES} studies (Cochrane Handbook 13.3.5.4); their "
        f"power is too low to tell chance from real asymmetry"
    )
    warnings.warn(note, SmallSampleWarning, stacklevel=4)
    return note


@dataclass(frozen=True, slots=True)
class Inputs:
    """Included rows and settings of an analysis."""

    yi: np.ndarray
    vi: np.ndarray
    X: np.ndarray | None
    method: str
    test: str
    level: float
    data: Any
    rows: np.ndarray


def analysis_inputs(result, verb: str) -> Inputs:
    """Included rows of a MetaAnalysis / MetaRegression (duck-typed)."""
    needed = ("yi", "vi", "included", "method")
    if not all(hasattr(result, a) for a in needed):
        raise TypeError(f"{verb} needs a fitted MetaAnalysis or MetaRegression; got {type(result).__name__}")
    inc = np.asarray(result.included, bool)
    X = getattr(result, "X", None)
    if X is not None:
        X = np.asarray(X, float)[inc]
        if X.shape[1] == 1:
            X = None
    method = canonical_method(result.method)
    if method in TABLE_METHODS:
        method = "EE"
    effects = getattr(result, "effects", None)
    data = getattr(effects, "data", None) if effects is not None else None
    return Inputs(
        np.asarray(result.yi, float)[inc],
        np.asarray(result.vi, float)[inc],
        X,
        method,
        str(getattr(result, "test", "z")),
        float(getattr(result, "level", 0.95)),
        data,
        np.flatnonzero(inc),
    )


def sample_sizes(inp: Inputs, ni, verb: str) -> np.ndarray:
    if ni is not None:
        ni = np.asarray(ni, float)
        if ni.size == inp.rows.size:
            return ni
        return ni[inp.rows]
    data = inp.data or {}
    if "n1i" in data and "n2i" in data:
        return (np.asarray(data["n1i"], float) + np.asarray(data["n2i"], float))[inp.rows]
    if "ni" in data:
        return np.asarray(data["ni"], float)[inp.rows]
    if all(c in data for c in ("ai", "bi", "ci", "di")):
        total = np.add.reduce([np.asarray(data[c], float) for c in ("ai", "bi", "ci", "di")])
        return total[inp.rows]
    raise ValueError(
        f"{verb}: this predictor needs study sample sizes, but the analysis "
        f"carries none (no n1i/n2i, ni or 2x2 counts); pass ni="
    )


def unpack(yi, vi, labels, measure, where: str):
    """(yi, vi, labels, measure, effects) from arrays or an EffectSizes-like object."""
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        if vi is not None:
            raise TypeError(
                f"{where}: pass either an EffectSizes object or yi and vi arrays; "
                f"got an effect-size object and vi as well"
            )
        es = yi
        y = float_array(es.yi, "yi", where)
        v = float_array(es.vi, "vi", where)
        labels = tuple(getattr(es, "labels", ()) or ()) if labels is None else labels
        measure = getattr(es, "measure", None) or "GEN" if measure is None else measure
        return y, v, labels, measure, es
    if vi is None:
        raise TypeError(
            f"{where}: vi (sampling variances) is required with yi arrays; got "
            f"yi of type {type(yi).__name__} and no vi"
        )
    y = float_array(yi, "yi", where)
    v = float_array(vi, "vi", where)
    return y, v, labels, measure or "GEN", None


def float_array(value, name: str, where: str) -> np.ndarray:
    """``value`` as a float array, or a TypeError naming the argument and the function
    (numpy alone says only "could not convert string to float: 'a'").
    """
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        raise TypeError(
            f"{where}: {name} must be numbers (a sequence or array, NaN for a missing study); got {shown}"
        ) from None


def check_values(y: np.ndarray, v: np.ndarray, labels: tuple[str, ...], where: str) -> None:
    """Every study given (yi and vi not NaN) must have a finite yi and a positive, finite vi."""
    given = ~(np.isnan(y) | np.isnan(v))
    for name, bad, allowed in (
        ("vi", given & ~((v > 0) & np.isfinite(v)), "positive and finite (sampling variances)"),
        ("yi", given & ~np.isfinite(y), "finite"),
    ):
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = (v if name == "vi" else y)[i]
            raise ValueError(
                f"{where}: {name} must be {allowed}; got {name} = {float(value)!r} in "
                f"row {i} (0-based; label {labels[i]!r}); use NaN to leave a study out"
            )


def study_labels(labels, n: int, where: str) -> tuple[str, ...]:
    if labels is None or len(labels) == 0:
        return tuple(f"Study {i + 1}" for i in range(n))
    labels = tuple(str(x) for x in labels)
    if len(labels) != n:
        raise ValueError(f"{where}: labels must have one entry per study ({n}); got {len(labels)}")
    return labels
