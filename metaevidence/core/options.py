"""One checker for the named options of every verb (``method``, ``test``, ``pi_method``, ...).

:func:`choose` returns the value when it is allowed, and otherwise raises the package's one
message shape: what was wrong, what is allowed, what was received, and -- for a near miss --
which allowed value was probably meant ("reml" -> 'REML', "hk" -> 'knha').
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

__all__ = ["ALIASES", "choose", "IV_COMMON_METHODS", "TABLE_METHODS", "COMMON_EFFECT_METHODS"]

# (here, not in core.pool, so that reading a result's method costs no scipy import)
#: Inverse-variance common-effect methods (metafor's spellings: equal effects, fixed effects).
IV_COMMON_METHODS = ("EE", "FE")
#: Methods that pool 2x2 tables directly (Mantel-Haenszel, Peto): common-effect too.
TABLE_METHODS = ("MH", "PETO")
#: Every common-effect method: no tau^2, no prediction interval.
COMMON_EFFECT_METHODS = IV_COMMON_METHODS + TABLE_METHODS

#: Spellings of other tools (R meta, RevMan, Stata, papers), by option: what each one means here.
ALIASES: Mapping[str, Mapping[str, str]] = {
    "test": {
        "hk": "knha",
        "hksj": "knha",
        "hakn": "knha",
        "hartung-knapp": "knha",
        "khna": "knha",
        "t": "knha",
        "normal": "z",
        "wald": "z",
    },
    "method": {"fixed": "EE", "common": "EE", "random": "REML", "dersimonian-laird": "DL"},
}


def _hint(name: str, value: object, allowed: Sequence[str]) -> str:
    if not isinstance(value, str):
        return ""
    for spelled in (value.upper(), value.lower()):
        if spelled in allowed:
            return f" (did you mean {spelled!r}?)"
    meant = ALIASES.get(name, {}).get(value.lower())
    if meant in allowed:
        return f" (did you mean {meant!r}?)"
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def choose(name: str, value: object, allowed: Sequence[str], *, where: str = "", spelling: str = "") -> str:
    """``value`` if it is one of ``allowed``, else a ValueError saying what is allowed.

    Parameters
    ----------
    name : str
        The option's name as the user wrote it (``"test"``).
    value : object
        What the user passed.
    allowed : sequence of str
        The allowed values, in the order the message lists them.
    where : str, optional
        The verb, as a prefix of the message (``"meta_regression"``).
    spelling : str, optional
        A note after the list (``" (metafor spelling)"``).

    Examples
    --------
    >>> choose("test", "knha", ("z", "knha", "adhoc"))
    'knha'
    >>> choose("test", "hk", ("z", "knha", "adhoc"))
    Traceback (most recent call last):
    ...
    ValueError: test must be one of z, knha, adhoc; got 'hk' (did you mean 'knha'?)
    """
    if isinstance(value, str) and value in allowed:
        return value
    prefix = f"{where}: " if where else ""
    raise ValueError(
        f"{prefix}{name} must be one of {', '.join(allowed)}{spelling}; got {value!r}{_hint(name, value, allowed)}"
    )
