"""Number formatting shared by the reports (``results/<id>.md``), ``show`` and ``diff``.

Display never changes numbers: these functions only turn the full-precision values of a
results document into text. Effects are shown on the presentation scale (ratios
exponentiated, Fisher's z as r) with two decimals, as RevMan prints them; tau^2 with four,
I^2 with one, p-values with three (or "< 0.001"). Missing numbers (None, NaN) show as "--".
All formatting is locale-independent and deterministic.
"""

from __future__ import annotations

import math
from typing import Any

from metaevidence.display.transforms import TRANSFORMS as _TRANSFORMS
from metaevidence.display.transforms import presentation

__all__ = [
    "DASH",
    "present",
    "fmt",
    "fmt_effect",
    "fmt_ci",
    "fmt_p",
    "fmt_tau2",
    "fmt_i2",
    "fmt_signed",
    "z_quantile",
    "study_ci",
    "level_pct",
    "TRANSFORMS",
    "NULL_VALUE",
    "plural",
]

DASH = "--"

#: Back-transformations for presentation (the package's presentation transforms, on
#: Python floats): "exp", "tanh", "expit" and None (the identity).
TRANSFORMS = {name: presentation(name).scalar for name in (None, *_TRANSFORMS)}

#: The value of "no effect" on the presentation scale, by transform (None for "expit":
#: a proportion has none).
NULL_VALUE = {name: presentation(name).null for name in (None, *_TRANSFORMS)}


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def present(x: float | None, transform: str | None) -> float | None:
    """``x`` (analysis scale) on the presentation scale; None stays None."""
    if _missing(x):
        return None
    return TRANSFORMS[transform](x)


def fmt(x: float | None, digits: int = 2) -> str:
    """A number with ``digits`` decimals; "--" when missing; "-0.00" shown as "0.00"."""
    if _missing(x):
        return DASH
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fmt_signed(x: float | None, digits: int = 2) -> str:
    """A change with its sign: "+0.12", "-0.03", "0.00"."""
    text = fmt(x, digits)
    return text if text == DASH or text.startswith("-") or float(text) == 0 else "+" + text


def fmt_effect(x: float | None, transform: str | None, digits: int = 2) -> str:
    """An effect given on the analysis scale, shown on the presentation scale."""
    return fmt(present(x, transform), digits)


def fmt_ci(lower: float | None, upper: float | None, transform: str | None, digits: int = 2) -> str:
    """An interval given on the analysis scale: "1.30 to 1.62" (presentation scale)."""
    if _missing(lower) and _missing(upper):
        return DASH
    return f"{fmt_effect(lower, transform, digits)} to {fmt_effect(upper, transform, digits)}"


def fmt_p(p: float | None) -> str:
    """A p-value: "p = 0.034", "p < 0.001"."""
    if _missing(p):
        return f"p = {DASH}"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def fmt_tau2(x: float | None) -> str:
    return fmt(x, 4)


def fmt_i2(x: float | None) -> str:
    return DASH if _missing(x) else f"{fmt(x, 1)}%"


def level_pct(level: float) -> str:
    """0.95 -> "95%", 0.9 -> "90%", 0.975 -> "97.5%"."""
    pct = round(level * 100, 10)
    return f"{pct:g}%"


def z_quantile(level: float) -> float:
    """The two-sided standard-normal quantile for ``level`` (1.959963984540054 for 0.95, as R's qnorm)."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + level / 2))


def study_ci(yi: float | None, vi: float | None, level: float) -> tuple[float | None, float | None]:
    """A study's Wald interval ``yi -/+ z sqrt(vi)`` on the analysis scale."""
    if _missing(yi) or _missing(vi):
        return None, None
    half = z_quantile(level) * math.sqrt(vi)
    return yi - half, yi + half


def plural(n: int, word: str, many: str | None = None) -> str:
    """The "1 study", "3 studies"."""
    if n == 1:
        return f"{n} {word}"
    if many is None:
        many = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n} {many}"
