"""Shared access to the rma/profile fixtures for the engine's tests.

Tolerance policy (tests/tolerances.py):

* closed-form estimators (EE, FE, DL, HE, HS, SJ): ``CLOSED_FORM`` for every quantity that
  is plain arithmetic (estimate, SE, tau^2, se(tau^2), Q, I^2, H^2, weights) and
  ``DISTRIBUTION`` for those through a quantile or tail function (p-values, interval
  bounds, statistics under a t test);
* iterative estimators (ML, REML, EB, PM): ``ITERATIVE`` for everything (metafor stops
  Fisher scoring at an absolute change of 1e-12 in tau^2, which is a relative 1e-8 for
  the tiny tau^2 of greenland1992);
* interval bounds are compared on the scale of the interval
  (``|a - e| <= rtol * (|e| + half-width)``), since a bound near 0 is the difference of two
  larger numbers;
* a reference tau^2 below ``ZERO_ABS`` is a boundary value (metafor's Fisher scoring may
  stop at 3e-13 instead of 0); it and the I^2/H^2 derived from it are compared absolutely.
"""

from __future__ import annotations

import numpy as np

from tests.reference_data import as_array, load_reference
from tests.tolerances import CLOSED_FORM, DISTRIBUTION, ITERATIVE, ZERO_ABS

METHODS = ("EE", "FE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM")
ITERATIVE_METHODS = ("ML", "REML", "EB", "PM")
TESTS = ("z", "knha", "adhoc")

_cache: dict = {}


def fixture(name: str) -> dict:
    if name not in _cache:
        _cache[name] = load_reference(name)
    return _cache[name]


def datasets() -> dict:
    """dataset id -> {"yi": array, "vi": array, "labels": list, "call": str}."""
    out = {}
    for key, d in fixture("rma_datasets")["cases"].items():
        labels = d["labels"] if isinstance(d["labels"], list) else [d["labels"]]
        out[key] = {"yi": as_array(d["yi"]), "vi": as_array(d["vi"]), "labels": labels, "call": d["call"]}
    return out


def rma_cases() -> dict:
    return fixture("rma")["cases"]


def tolerances(method: str) -> tuple[float, float]:
    """(arithmetic tolerance, distribution tolerance) for a method."""
    if method in ITERATIVE_METHODS:
        return ITERATIVE, ITERATIVE
    return CLOSED_FORM, DISTRIBUTION


def check(actual, expected, rtol: float, what: str, *, scale=None, atol: float = 0.0) -> float:
    """Assert ``|a - e| <= atol + rtol * (|e| + scale)`` elementwise (NaN matches NaN);
    return the largest relative difference seen (for reporting)."""
    a = np.asarray(actual, dtype=float)
    e = (
        as_array(expected)
        if isinstance(expected, list)
        else np.asarray(np.nan if expected is None else expected, dtype=float)
    )
    a, e = np.broadcast_arrays(a, e)
    nan_a, nan_e = np.isnan(a), np.isnan(e)
    assert np.array_equal(nan_a, nan_e), f"{what}: NaN pattern differs: {a} vs {e}"
    ok = ~nan_e
    bound = np.abs(e[ok]) + (0.0 if scale is None else np.broadcast_to(scale, e.shape)[ok])
    diff = np.abs(a[ok] - e[ok])
    assert np.all(diff <= atol + rtol * bound), (
        f"{what}: {a[ok]} vs metafor {e[ok]} (rtol {rtol:g}, atol {atol:g})"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(bound > 0, diff / bound, 0.0)
    return float(rel.max()) if rel.size else 0.0


def zero_atol(case: dict, quantity: str) -> float:
    """Absolute slack for quantities at the tau^2 = 0 boundary (see module docstring)."""
    tau2 = case["tau2"]
    if tau2 is None or not (0.0 < tau2 < ZERO_ABS):
        return 0.0
    if quantity == "tau2":
        return ZERO_ABS
    vt = case["vt"] or 1.0
    if quantity == "i2":
        return 100.0 * ZERO_ABS / vt
    if quantity in ("h2",):
        return ZERO_ABS / vt
    return 0.0
