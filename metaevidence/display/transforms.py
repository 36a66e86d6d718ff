"""Presentation transforms: the one place where ``transform=`` becomes a back-transformation.

Every number of a result is computed and stored on the analysis scale (log odds ratios,
Fisher's z, logit proportions); summaries, forest tables and figures show it back-transformed
at presentation only. Every ``summary(transform=...)``, :func:`~metaevidence.plots.forest_table`,
:func:`~metaevidence.plots.forest_plot`, :func:`~metaevidence.plots.funnel_plot`, the
diagnostic plots and the workflow's reports resolve ``transform`` here:

========  =============================================  ====================  ==========
value     shows                                          metafor               no effect
========  =============================================  ====================  ==========
None      the analysis scale (identity)                  (no ``transf``)       0
"exp"     exp(y): ratios from log ratios                 ``transf = exp``      1
"tanh"    tanh(y): correlations r from Fisher's z        ``transf.ztor``       0
"expit"   1 / (1 + exp(-y)): proportions from logits     ``transf.ilogit``     none
"auto"    the measure's own back-transformation          --                    --
========  =============================================  ====================  ==========

"auto" reads the measure registry (:data:`metaevidence.stats.effects.MEASURES`, field
``transform``): OR, RR, PETO, ROM, IRR, HR and PLN -> "exp", ZCOR -> "tanh", PLO -> "expit";
measures already on their presentation scale (MD, SMD, RD, COR, PR, GEN, ...) -> None.
A proportion has no "no effect" value, so "expit" has none (no reference line).

Scalars are transformed with :mod:`math` (an overflowing exp gives ``inf``; NaN stays NaN),
arrays with numpy; both agree with R's ``exp``, ``tanh`` and ``plogis`` to a few ulps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "TRANSFORMS",
    "ALLOWED",
    "RATIO_MEASURES",
    "Presentation",
    "presentation",
    "auto_transform",
    "check_transform",
]

#: The back-transformations (besides None, the identity).
TRANSFORMS: tuple[str, ...] = ("exp", "tanh", "expit")
#: Every accepted ``transform=`` value.
ALLOWED: tuple[str | None, ...] = (None, *TRANSFORMS, "auto")

#: metafor's matched-pairs ratio measures (in the registry now, and in published results):
#: "auto" shows them exponentiated too.
_OTHER_RATIOS = frozenset({"MPOR", "MPRR", "MPORC", "MPPETO"})
#: Ratio measures: pooled as log ratios, shown exponentiated on a log axis whose no-effect
#: line is at 1 (the registry's comparative "exp" measures and metafor's other ratios).
RATIO_MEASURES = (
    frozenset({"OR", "RR", "PETO", "IRR", "ROM", "ROMC", "VR", "CVR", "HR", "D2ORN", "D2ORL"}) | _OTHER_RATIOS
)


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _expit(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    if x < 0:
        e = math.exp(x)
        return e / (1.0 + e)
    return x  # NaN


def _expit_array(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _logit_array(p: Any) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(p) - np.log1p(-p)


def _ignoring(f: Callable) -> Callable:
    def g(x: Any) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return f(np.asarray(x, dtype=float))

    return g


def _identity_array(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


# name -> (scalar, array, inverse (link) on arrays, axis of the link, no-effect value)
_FUNCTIONS: dict[str | None, tuple[Callable, Callable, Callable, str | None, float | None]] = {
    None: (float, _identity_array, _identity_array, None, 0.0),
    "exp": (_exp, _ignoring(np.exp), _ignoring(np.log), "log", 1.0),
    "tanh": (math.tanh, _ignoring(np.tanh), _ignoring(np.arctanh), "atanh", 0.0),
    "expit": (_expit, _expit_array, _logit_array, "logit", None),
}


def check_transform(transform: Any) -> None:
    """Raise ValueError unless ``transform`` is one of :data:`ALLOWED`."""
    if not (transform is None or (isinstance(transform, str) and transform in ALLOWED)):
        allowed = ", ".join("None" if a is None else repr(a) for a in ALLOWED)
        raise ValueError(f"transform must be one of {allowed}; got {transform!r}")


def auto_transform(measure: str | None) -> str | None:
    """The measure's own back-transformation: the registry's ``transform`` ("exp" for
    OR/RR/..., "tanh" for ZCOR, "expit" for PLO), "exp" for metafor's other ratio measures
    (CVR, VR, MPOR, ...), None for every other measure.
    """
    from metaevidence.core.effects.measures import MEASURES

    if measure in MEASURES:
        return MEASURES[measure].transform
    return "exp" if measure in _OTHER_RATIOS else None


@dataclass(frozen=True, slots=True)
class Presentation:
    """A resolved presentation transform: how numbers of one measure are shown.

    Attributes
    ----------
    name : {None, "exp", "tanh", "expit"}
        The back-transformation (None: the analysis scale).
    measure : str or None
        The measure it was resolved for.
    own : bool
        ``name`` is the measure's own back-transformation (``auto_transform(measure)``), so
        the numbers are on the measure's natural scale (OR, r, proportion).
    label : str
        Name of the scale shown, for text: the registry's presentation name when ``own``
        ("OR", "r", "proportion"), else the measure's name ("GEN", "SMD").
    null : float or None
        The no-effect value on the shown scale (image of 0): 1 for "exp", 0 for "tanh" and
        the identity; None for "expit" (a proportion has none).
    axis : {None, "log", "atanh", "logit"}
        How a figure places shown values so that the analysis scale is linear: on a log,
        Fisher-z or logit axis; None for a linear axis.
    """

    name: str | None
    measure: str | None
    own: bool
    label: str
    null: float | None
    axis: str | None

    @property
    def identity(self) -> bool:
        """True when nothing is back-transformed."""
        return self.name is None

    def scalar(self, x: float) -> float:
        """One analysis-scale number on the shown scale (math; overflow gives inf, NaN stays)."""
        return _FUNCTIONS[self.name][0](float(x))

    def array(self, x: Any) -> np.ndarray:
        """Analysis-scale numbers (array_like, any shape) on the shown scale."""
        return _FUNCTIONS[self.name][1](x)

    def link(self, x: Any) -> np.ndarray:
        """The inverse: shown numbers back on the analysis scale (log, atanh, logit)."""
        return _FUNCTIONS[self.name][2](x)


def presentation(transform: str | None, measure: str | None = None) -> Presentation:
    """Resolve ``transform`` for ``measure``.

    Parameters
    ----------
    transform : {None, "exp", "tanh", "expit", "auto"}
        None shows the analysis scale; "auto" the measure's own back-transformation
        (:func:`auto_transform`).
    measure : str, optional
        metafor's measure name of the numbers ("OR", "ZCOR", "PLO", "GEN", ...).

    Returns
    -------
    Presentation

    Raises
    ------
    ValueError
        For any other ``transform``, listing the allowed values.

    Example
    -------
    >>> p = presentation("auto", "ZCOR")
    >>> p.name, p.label, round(p.scalar(0.5), 6)
    ('tanh', 'r', 0.462117)
    """
    check_transform(transform)
    from metaevidence.core.effects.measures import MEASURES

    own_name = auto_transform(measure)
    name = own_name if transform == "auto" else transform
    own = name is not None and name == own_name
    if own and measure in MEASURES:
        label = MEASURES[measure].effect
    else:
        label = str(measure) if measure is not None else "effect"
    _, _, _, axis, null = _FUNCTIONS[name]
    return Presentation(name, measure, own, label, null, axis)
