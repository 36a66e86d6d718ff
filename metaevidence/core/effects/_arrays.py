"""The one input conversion of the effect-size formulas: each argument as a float array."""

from __future__ import annotations

import numpy as np


def floats(*xs):
    """Each argument as a float ndarray, in order (a tuple)."""
    return tuple(np.asarray(x, dtype=float) for x in xs)


def weighted_mean(x, w, ok=None):
    """``sum w x / sum w`` over the last axis (the studies), where ``ok`` (default: where
    ``x`` is not NaN), kept as a length-1 axis: the study average the ``"AV"`` variances
    plug in.
    """
    if ok is None:
        ok = ~np.isnan(x)
    return np.sum(np.where(ok, w * x, 0.0), axis=-1, keepdims=True) / np.sum(
        np.where(ok, w, 0.0), axis=-1, keepdims=True
    )
