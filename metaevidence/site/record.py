"""What a study record's page shows: every number with its source and locator, and its gaps.

Read from the record as written (``studies/<id>.yaml``): the citation and design, then per
outcome entry each number of its ``data`` with the entry's provenance (source, locator,
how it was derived), and the gaps -- the record's ``extraction.missing`` list, entries with
no extractable effect (``kind: none`` and its reason), and fields left empty.
"""

from __future__ import annotations

from typing import Any

from metaevidence.site.model import Record

__all__ = ["record_context"]


def _show(value: Any) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items())
    return str(value)


def _flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        out = []
        for k, v in data.items():
            out += _flatten(v, f"{prefix}{k}.")
        return out
    return [(prefix.rstrip("."), data)]


def _outcome(o: dict, gaps: list[str]) -> dict:
    data = o.get("data") or {}
    prov = o.get("provenance") or {}
    title = o.get("label") or o.get("outcome", "outcome")
    if o.get("label") and o.get("outcome"):
        title = f"{o['label']} ({o['outcome']})"
    numbers = [(f, _show(v)) for f, v in _flatten(data) if f not in ("kind",)]
    for f, v in _flatten(data):
        if v is None:
            gaps.append(f"{title}: data.{f} is not reported")
    if data.get("kind") == "none":
        gaps.append(f"{title}: no effect could be extracted ({data.get('reason', 'no reason given')})")
    where = "; ".join(str(prov[k]) for k in ("locator", "source") if prov.get(k)) or "no provenance recorded"
    comparison = o.get("comparison") or {}
    about = [("data kind", _show(data.get("kind")))]
    if comparison:
        about.append(
            ("comparison", f"{comparison.get('experimental', '?')} vs {comparison.get('control', '?')}")
        )
    for k in ("timepoint", "direction", "subgroup"):
        if o.get(k) is not None:
            about.append((k, _show(o[k])))
    if o.get("attributes"):
        about.append(("attributes", _show(o["attributes"])))
    if o.get("risk_of_bias"):
        about.append(("risk of bias", _show(o["risk_of_bias"])))
    return {
        "title": title,
        "about": about,
        "numbers": numbers,
        "where": where,
        "provenance": [(k.replace("_", " "), _show(v)) for k, v in prov.items()],
    }


def record_context(r: Record) -> dict:
    """The template variables of a study record's page."""
    raw = r.raw
    c = raw.get("citation") or {}
    about = []
    if c:
        about.append(("citation", _show({k: v for k, v in c.items() if k != "as_cited"})))
    for k in ("design", "population", "setting", "country", "funding"):
        if raw.get(k) is not None:
            about.append((k, _show(raw[k])))
    if raw.get("related"):
        about.append(("related records", _show(raw["related"])))
    ext = raw.get("extraction") or {}
    if ext:
        about.append(("extraction", _show({k: v for k, v in ext.items() if k not in ("missing",)})))
    gaps = [str(g) for g in ext.get("missing") or ()]
    outcomes = [_outcome(o, gaps) for o in raw.get("outcomes") or () if isinstance(o, dict)]
    return {"label": r.label, "about": about, "outcomes": outcomes, "gaps": gaps}
