"""The canonical form of published numbers: the same evidence gives the same bytes on every machine.

The last bits of a float are not a property of the evidence: OpenBLAS picks its dot-product
kernels (and so its summation order) by CPU, and numpy dispatches ``exp``, ``log``,
``arctanh``, ... to SIMD code where the CPU has it. Measured on this project's results,
values computed on different kernels differ by up to 2e-14 relative (a prediction bound
near zero, after cancellation); typically by 1 ulp (2e-16).

So every float that is published -- in ``results/<id>.json`` and in the result objects a
figure is drawn from -- is written in canonical form: rounded to :data:`SIGNIFICANT_DIGITS`
(12) significant digits. That is far below any precision a report shows (2 to 4 digits)
or a reference comparison needs (metafor agreement is checked to 1e-10 relative at best),
and far above the noise (12 digits resolve 1e-12 relative; the noise is 100 times smaller).

Rounding alone cannot remove every difference: a value that sits on a rounding boundary
(``0.1234567890125``) rounds up on one machine and down on another. So a run also compares
what it computed with the committed result: two numbers *agree* when they differ by at most
:data:`RELATIVE_TOLERANCE` of the larger plus :data:`ABSOLUTE_TOLERANCE` (for values near
zero, whose noise is absolute), and :func:`settle` keeps the committed value of every
number that agrees, so a run that changes nothing real leaves the committed file untouched.

The full-precision numbers stay in the Python API (``meta_analysis(...)`` and friends
return them unrounded); only what is published is canonical.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = [
    "SIGNIFICANT_DIGITS",
    "RELATIVE_TOLERANCE",
    "ABSOLUTE_TOLERANCE",
    "canonical_float",
    "round_floats",
    "canonical_numbers",
    "numbers_agree",
    "settle",
    "differences",
    "describe",
]

#: Significant digits of every published float.
SIGNIFICANT_DIGITS = 12
#: Two published numbers agree when ``|a - b| <= RELATIVE_TOLERANCE * max(|a|, |b|) +
#: ABSOLUTE_TOLERANCE``: 100 times one unit of the 12th digit would allow for rounding on either
#: side of a boundary; 1e-10 is also the tightest tolerance against metafor (tests/tolerances.py).
RELATIVE_TOLERANCE = 1e-10
#: Absolute floor for values near zero (e.g. a prediction bound after cancellation, whose
#: noise is ~1e-16 absolute, not relative).
ABSOLUTE_TOLERANCE = 1e-13


def canonical_float(x: float) -> float:
    """``x`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits (correctly rounded).

    Non-finite values are returned as they are; ``-0.0`` becomes ``0.0``.
    """
    x = float(x)
    if not math.isfinite(x):
        return x
    if x == 0.0:
        return 0.0
    return float(f"{x:.{SIGNIFICANT_DIGITS}g}")


def round_floats(value: Any) -> Any:
    """Plain JSON data (dicts, lists, str, int, float, bool, None) with every float canonical."""
    if isinstance(value, float):
        return canonical_float(value)
    if isinstance(value, dict):
        return {k: round_floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [round_floats(v) for v in value]
    return value


def canonical_numbers(value: Any) -> Any:
    """A copy of a result object with every float in canonical form (for drawing figures).

    Works through frozen dataclasses (``dataclasses.replace``), mappings, tuples, lists,
    numpy arrays and scalars; everything else (text, ints, bools, pandas objects) is
    returned as it is.
    """
    import numpy as np

    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, np.floating):
        return type(value)(canonical_float(value))
    if isinstance(value, float):
        return canonical_float(value)
    if isinstance(value, np.ndarray):
        return _canonical_array(value) if value.dtype.kind == "f" else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: canonical_numbers(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(canonical_numbers(v) for v in value)
    if isinstance(value, list):
        return [canonical_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: canonical_numbers(v) for k, v in value.items()}
    return value


def _canonical_array(a: Any) -> Any:
    """A float array with every element canonical (each distinct value rounded once)."""
    import numpy as np

    if a.size == 0:
        return a
    values, where = np.unique(a, return_inverse=True)
    rounded = np.array([canonical_float(v) for v in values.tolist()], dtype=a.dtype)
    out = rounded[where].reshape(a.shape)
    if not a.flags.writeable:
        out.flags.writeable = False
    return out


def numbers_agree(a: float, b: float) -> bool:
    """Whether two published numbers agree within the documented tolerance."""
    return abs(a - b) <= RELATIVE_TOLERANCE * max(abs(a), abs(b)) + ABSOLUTE_TOLERANCE


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def settle(previous: Any, new: Any) -> Any:
    """``new`` with every number that agrees with ``previous`` (same place in the document)
    replaced by the previous value, so that noise never changes a committed file.

    Both are plain JSON data; places present in only one of them keep ``new``'s value.
    """
    if isinstance(new, float) and _is_number(previous) and isinstance(previous, float):
        return previous if numbers_agree(previous, new) else new
    if isinstance(new, dict) and isinstance(previous, dict):
        return {k: settle(previous[k], v) if k in previous else v for k, v in new.items()}
    if isinstance(new, list) and isinstance(previous, list) and len(new) == len(previous):
        return [settle(p, v) for p, v in zip(previous, new)]
    return new


def differences(previous: Any, new: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every place where two documents differ beyond the tolerance: (path, previous, new).

    Paths read like ``pooled.estimate`` or ``studies.included[3].weight``; a list whose length
    changed is one difference (``[n items]``), as is a key present in only one document.
    """
    if _is_number(previous) and _is_number(new):
        if not numbers_agree(previous, new):
            yield path, previous, new
        return
    if isinstance(previous, Mapping) and isinstance(new, Mapping):
        for k in sorted(set(previous) | set(new)):
            where = f"{path}.{k}" if path else k
            if k not in previous or k not in new:
                yield where, previous.get(k, "(none)"), new.get(k, "(none)")
            else:
                yield from differences(previous[k], new[k], where)
        return
    if isinstance(previous, list) and isinstance(new, list):
        if len(previous) != len(new):
            yield path, f"[{len(previous)} items]", f"[{len(new)} items]"
            return
        for i, (p, v) in enumerate(zip(previous, new)):
            yield from differences(p, v, f"{path}[{i}]")
        return
    if previous != new:
        yield path, previous, new


def describe(diffs: list[tuple[str, Any, Any]], limit: int = 3) -> str:
    """The differences in one line: ``pooled.estimate 0.4512 -> 0.4613 (relative 2.2e-02), ...``."""
    parts = []
    first = ("pooled.", "heterogeneity.")  # the headline numbers before the rest
    diffs = sorted(diffs, key=lambda d: next((i for i, p in enumerate(first) if d[0].startswith(p)), 2))
    for where, old, new in diffs[:limit]:
        if _is_number(old) and _is_number(new):
            size = abs(new - old) / max(abs(old), abs(new))
            shown = (canonical_float(x) if isinstance(x, float) else x for x in (old, new))
            parts.append("{} {!r} -> {!r} (relative difference {:.1e})".format(where, *shown, size))
        else:
            parts.append(f"{where} {_short(old)} -> {_short(new)}")
    more = f", and {len(diffs) - limit} more" if len(diffs) > limit else ""
    return f"{len(diffs)} number(s) or field(s) differ: " + ", ".join(parts) + more


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
