"""Effect sizes moved between measure families under a stated assumption.

The face of :mod:`metaevidence.core.effects.convert`: SMD <-> log OR (Hasselblad & Hedges
1995), correlation <-> SMD (Borenstein et al. 2009, ch. 7) and HR -> RR, each row's
``source`` naming the assumption.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from metaevidence.core.effects import convert as _cv
from metaevidence.core.effects.measures import lookup
from metaevidence.stats.effects import EffectSizes, _vector

__all__ = ["convert"]


_CONVERSIONS = {
    ("SMD", "OR"): "Hasselblad-Hedges logistic approximation, log OR = SMD * pi/sqrt(3)",
    ("OR", "SMD"): "Hasselblad-Hedges logistic approximation, SMD = log OR * sqrt(3)/pi",
    ("COR", "SMD"): "point-biserial r to SMD, d = sqrt(a) r / sqrt(1 - r^2)",
    ("ZCOR", "SMD"): "Fisher z to r (tanh), then point-biserial r to SMD",
    ("SMD", "COR"): "SMD to point-biserial r, r = d / sqrt(d^2 + a)",
    ("HR", "RR"): "hazard ratio treated as a risk ratio (close only when events are rare "
    "and follow-up similar)",
}


def convert(es: EffectSizes, to: str, *, n1i=None, n2i=None) -> EffectSizes:
    """Effect sizes moved to another measure family under a stated assumption.

    Parameters
    ----------
    es : EffectSizes
    to : str
        Target measure. Supported: SMD -> OR and OR -> SMD (Hasselblad & Hedges 1995:
        logistic latent outcome, factor pi/sqrt(3)); COR or ZCOR -> SMD and SMD -> COR
        (Borenstein et al. 2009, ch. 7: a point-biserial correlation); HR -> RR (treats the
        hazard ratio as a risk ratio: only when asked, and reasonable only for rare events
        over similar follow-up). ``to == es.measure`` returns ``es`` unchanged.
    n1i, n2i : array_like (n,), optional
        Group sizes for the r <-> SMD conversions, through
        ``a = (n1i + n2i)^2 / (n1i n2i)``. Omitted, ``es.data["n1i"]``/``["n2i"]`` are used
        where present (SMD from means), and equal groups (``a = 4``) are assumed elsewhere;
        each row's ``source`` says which.

    Returns
    -------
    EffectSizes
        Same rows, labels, masks, data and settings; ``measure=to``; ``source`` of each row
        begins "converted: " and names the assumption.

    Examples
    --------
    >>> es = me.effect_sizes("SMD", m1i=[10.0], sd1i=[2.0], n1i=[20], m2i=[9.0], sd2i=[2.0],
    ...                      n2i=[20])
    >>> convert(es, "OR").source[0]
    'converted: SMD -> OR (Hasselblad-Hedges logistic approximation, log OR = SMD * pi/sqrt(3)); from means, SDs and group sizes'
    """
    if not isinstance(es, EffectSizes):
        raise TypeError(f"convert takes an EffectSizes; got {type(es).__name__}")
    lookup(to)
    if to == es.measure:
        return es
    note = _CONVERSIONS.get((es.measure, to))
    if note is None:
        listing = ", ".join(f"{a} -> {b}" for a, b in _CONVERSIONS)
        raise ValueError(f"convert: no conversion from {es.measure} to {to}; supported: {listing}")
    yi, vi = es.yi, es.vi
    data = dict(es.data)
    notes = [note] * len(es)
    if (es.measure, to) == ("SMD", "OR"):
        yi, vi = _cv.smd_to_log_odds_ratio(yi, vi)
    elif (es.measure, to) == ("OR", "SMD"):
        yi, vi = _cv.log_odds_ratio_to_smd(yi, vi)
    elif to in ("SMD", "COR") and es.measure in ("COR", "ZCOR", "SMD"):
        g1 = data.get("n1i") if n1i is None else _vector("n1i", n1i, len(es))
        g2 = data.get("n2i") if n2i is None else _vector("n2i", n2i, len(es))
        if g1 is not None and g2 is not None and n1i is not None and n2i is not None:
            data["n1i"], data["n2i"] = g1, g2
        known = (
            np.zeros(len(es), dtype=bool)
            if g1 is None or g2 is None
            else np.isfinite(g1) & np.isfinite(g2) & (g1 > 0) & (g2 > 0)
        )
        g1 = np.where(known, g1 if g1 is not None else 1.0, 1.0)
        g2 = np.where(known, g2 if g2 is not None else 1.0, 1.0)
        notes = [
            f"{note}; a from group sizes" if k else f"{note}; equal groups assumed (a = 4)" for k in known
        ]
        if es.measure == "ZCOR":
            yi, vi = _cv.fisher_z_to_correlation(yi, vi)
        conv = _cv.smd_to_correlation if to == "COR" else _cv.correlation_to_smd
        with np.errstate(divide="ignore", invalid="ignore"):
            yi, vi = conv(yi, vi, n1i=g1, n2i=g2)
    undefined = ~es.dropped & ~(np.isfinite(yi) & np.isfinite(vi))
    source = tuple(
        f"converted: {es.measure} -> {to} ({nt}); from {src}"
        + ("; dropped: conversion undefined for this value" if bad else "")
        for nt, src, bad in zip(notes, es.source, undefined)
    )
    return replace(es, yi=yi, vi=vi, measure=to, data=data, source=source)
