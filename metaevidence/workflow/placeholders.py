"""Placeholders in a spec's prose, filled by the run: text that does not go stale.

A spec's ``title``, ``notes``, ``interpretation`` and its forest plot's ``title`` and ``note``
may name numbers of the result in braces, e.g. ``title: "Social ties and survival: {k}
studies, {participants} participants"``; ``metaevidence run`` fills them in from the
analysis's results, so the report, the forest plot and the site say what the current
evidence says. ``{{`` and ``}}`` are literal braces. The placeholders (:data:`PLACEHOLDERS`):

==================  ==========================================================
``{k}``             studies (rows) pooled
``{participants}``  participants in the pooled studies (as the report counts them;
                    "not reported" when a study does not give its n)
``{measure}``       the effect measure as shown, e.g. OR
``{estimate}``      the pooled estimate, presentation scale, 2 decimals: 1.50
``{ci}``            its confidence interval: 1.42 to 1.59
``{pi}``            the prediction interval (-- when there is none)
``{level}``         the confidence level: 95%
``{i2}``            I²: 12.3%
``{tau2}``          tau²: 0.0123
==================  ==========================================================

:func:`template_problems` checks a text (``validate`` reports each problem with the file, the
line and the field); :func:`fill` fills it from a results document; :func:`prose` is what
readers of a results document use (the filled text, else the spec's text).
:func:`states_a_count` finds prose that states a number of studies without ``{k}`` (for
``metaevidence diff``'s reminder when k changed).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from metaevidence.display.text import DASH, fmt_ci, fmt_effect, fmt_i2, fmt_tau2, level_pct

__all__ = [
    "PLACEHOLDERS",
    "PROSE_FIELDS",
    "template_problems",
    "fill",
    "fill_document",
    "prose",
    "states_a_count",
]

#: The placeholders a spec's prose may use, with what each becomes.
PLACEHOLDERS = {
    "k": "studies pooled",
    "participants": "participants in the pooled studies",
    "measure": "the effect measure, e.g. OR",
    "estimate": "the pooled estimate (presentation scale)",
    "ci": "its confidence interval, e.g. 1.42 to 1.59",
    "pi": "the prediction interval",
    "level": "the confidence level, e.g. 95%",
    "i2": "I², e.g. 12.3%",
    "tau2": "tau², e.g. 0.0123",
}

#: The spec fields whose text may hold placeholders (dotted paths into the spec).
PROSE_FIELDS = ("title", "interpretation", "notes", "figures.forest.title", "figures.forest.note")

_FORMATTER = string.Formatter()


def template_problems(text: str) -> list[str]:
    """What is wrong with the placeholders of ``text`` ([] when nothing)."""
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError as exc:  # "Single '}' encountered in format string" and the like
        return [
            f"has a brace that opens or closes no placeholder ({exc}); write literal braces as "
            "{{ and }}, placeholders as {k}"
        ]
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    out = []
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            out.append(
                f"has an unknown placeholder {shown}; allowed: {known} (literal braces: {{{{ and }}}})"
            )
        elif spec or conversion:
            out.append(
                f"placeholder {{{name}}} takes no format (got '{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}'); numbers are formatted as in the report"
            )
    return out


def has_placeholders(text: str | None) -> bool:
    """Whether ``text`` uses a placeholder or an escaped brace (so filling changes it)."""
    if not text or ("{" not in text and "}" not in text):
        return False
    try:
        return any(
            name is not None or "{" in lit or "}" in lit for lit, name, _s, _c in _FORMATTER.parse(text)
        )
    except ValueError:
        return False


def row_participants(row: dict, record: Any) -> int | None:
    """Participants of a study row: from its 2x2 or group sizes, else its record's entry (n)."""
    d = row.get("data") or {}
    if d.get("n1i") is not None and d.get("n2i") is not None:
        return int(d["n1i"] + d["n2i"])
    if d.get("ni") is not None:
        return int(d["ni"])
    outcomes = (record or {}).get("outcomes") or []
    entry = row.get("entry")
    data = outcomes[entry].get("data") if isinstance(entry, int) and 0 <= entry < len(outcomes) else None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("n"), int | float):
        return int(data["n"])
    arms = [data.get(arm) for arm in ("experimental", "control")]
    sizes = [a.get("total", a.get("n")) if isinstance(a, dict) else None for a in arms]
    return int(sum(sizes)) if all(isinstance(n, int | float) for n in sizes) else None


def _participants(doc: dict, records: Mapping[str, Any]) -> str:
    rows = doc["studies"]["included"]
    known = [row_participants(r, records.get(r["id"])) for r in rows]
    if not rows or any(n is None for n in known):
        return "not reported"
    return f"{sum(n for n in known if n is not None):,}"


def values(doc: dict, records: Mapping[str, Any]) -> dict[str, str]:
    """What each placeholder becomes for the results document ``doc`` (``records``: id -> plain record)."""
    p, h = doc.get("pooled") or {}, doc.get("heterogeneity") or {}
    t = doc["measure"]["transform"]
    single = p.get("k") == 1
    return {
        "k": str(p.get("k", len(doc["studies"]["included"]))),
        "participants": _participants(doc, records),
        "measure": doc["measure"]["effect"],
        "estimate": fmt_effect(p.get("estimate"), t),
        "ci": fmt_ci(p.get("ci_lower"), p.get("ci_upper"), t),
        "pi": fmt_ci(p.get("pi_lower"), p.get("pi_upper"), t),
        "level": level_pct(p["level"]) if p.get("level") is not None else DASH,
        "i2": DASH if single else fmt_i2(h.get("i2")),
        "tau2": DASH if single else fmt_tau2(h.get("tau2")),
    }


def fill(text: str, vals: dict[str, str]) -> str:
    """``text`` with its placeholders replaced by ``vals`` (checked by :func:`template_problems`)."""
    return text.format_map(vals)


def setting(doc: dict, dotted: str) -> Any:
    """The spec's own value of ``dotted`` in a results document (``settings``), None when absent."""
    return _get(doc.get("settings") or {}, dotted)


def _get(settings: dict, dotted: str) -> Any:
    cur: Any = settings
    for part in dotted.split("."):
        cur = cur.get(part) if isinstance(cur, dict) else None
    return cur


def fill_document(doc: dict, records: Mapping[str, Any]) -> dict[str, str]:
    """The filled prose of ``doc`` ({field: text}) for the fields that use placeholders.

    The spec's own text stays in ``doc["settings"]`` (so ``diff`` compares the spec, not
    the numbers); the filled title is also ``doc["analysis"]["title"]``.
    """
    if doc.get("pooled") is None:
        return {}
    out = {}
    vals = values(doc, records)
    for dotted in PROSE_FIELDS:
        text = _get(doc["settings"], dotted)
        if isinstance(text, str) and has_placeholders(text) and not template_problems(text):
            out[dotted] = fill(text, vals)
    return out


def prose(doc: dict, dotted: str) -> str | None:
    """The text of the prose field ``dotted`` as the reader sees it: filled, else as written."""
    filled = (doc.get("prose") or {}).get(dotted)
    return filled if filled is not None else _get(doc.get("settings") or {}, dotted)


_COUNT = re.compile(
    r"\b(\d[\d,]*)\s+(?:of\s+(?:the\s+)?\d[\d,]*\s+)?(?:[\w-]+\s+){0,4}(studies|trials|cohorts|RCTs)\b|\bk\s*=\s*\d+",
    re.IGNORECASE,
)


def states_a_count(text: str | None, k: int | None = None) -> str | None:
    """The first phrase of ``text`` that states a number of studies (not through ``{k}``), or None.

    With ``k``, only a phrase whose number is ``k`` ("21 of 148 studies", "k = 21"): a
    subgroup's "k = 2" is not the analysis's count.
    """
    if not text:
        return None
    for m in _COUNT.finditer(text):
        number = int(re.search(r"\d[\d,]*", m.group(0)).group(0).replace(",", ""))
        if k is None or number == k:
            return m.group(0)
    return None
