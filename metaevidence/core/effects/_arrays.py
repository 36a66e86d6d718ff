"""The one input conversion of the effect-size formulas: each argument as a float array."""

from __future__ import annotations

import numpy as np


def floats(*xs):
    """Each argument as a float ndarray, in order (a tuple)."""
    return tuple(np.asarray(x, dtype=float) for x in xs)
