"""Loading metafor fixtures (tests/reference/*.json) and comparing with named tolerances."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).parent / "reference"


def _decode(obj):
    if isinstance(obj, dict):
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    if obj == "NaN":
        return math.nan
    if obj == "Infinity":
        return math.inf
    if obj == "-Infinity":
        return -math.inf
    return obj


def load_reference(name: str) -> dict:
    """The parsed fixture ``tests/reference/<name>.json`` (NaN/Inf decoded; null kept as None)."""
    with open(REFERENCE_DIR / f"{name}.json", encoding="utf-8") as fh:
        return _decode(json.load(fh))


def as_array(values) -> np.ndarray:
    """A fixture vector as a float array (JSON null -> NaN)."""
    if not isinstance(values, list):
        values = [values]
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def assert_close(actual, expected, rtol: float, *, atol: float = 0.0, what: str = "") -> None:
    """Elementwise ``|a - e| <= atol + rtol * |e|``, NaN matching NaN; names the quantity."""
    a = np.asarray(actual, dtype=float)
    e = (
        as_array(expected)
        if isinstance(expected, list)
        else np.asarray(math.nan if expected is None else expected, dtype=float)
    )
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
