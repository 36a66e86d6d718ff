"""What changed in the evidence and its conclusions: ``metaevidence diff``.

:func:`diff_documents` compares two sets of results documents (before: the committed
results, or those of a git revision; after: the analyses re-computed from the working
tree) and :func:`diff_records` compares the study records behind them. The outcome, an
:class:`EvidenceDiff`, says

* which studies were added, removed or corrected (by content hash), and which fields of a
  corrected record changed (``outcomes[0].data.experimental.events: 12 -> 15``);
* for each analysis: the pooled estimate, its confidence and prediction intervals, tau^2
  and I^2 before and after, on the presentation scale (odds ratios, not log odds ratios);
* whether the conclusion changed: the confidence interval now excludes (or includes) no
  effect, or the estimate changed direction;
* which changed study moved the estimate most: for each study added, removed or corrected,
  the analysis is re-pooled with that one change undone (added: left out; removed: put
  back; corrected: its previous effect restored), and the study whose undoing moves the
  estimate furthest is named, with by how much (a leave-one-out style influence).

It renders as plain text (:meth:`EvidenceDiff.text`) or Markdown for a pull-request
comment (:meth:`EvidenceDiff.markdown`).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from metaevidence._schema.yamlload import parse_yaml, to_plain
from metaevidence.core.options import COMMON_EFFECT_METHODS
from metaevidence.display.text import (
    DASH,
    NULL_VALUE,
    fmt,
    fmt_ci,
    fmt_effect,
    fmt_i2,
    fmt_signed,
    fmt_tau2,
    level_pct,
    plural,
    present,
)
from metaevidence.errors import MetaevidenceError
from metaevidence.workflow.report import conclusion
from metaevidence.workflow.sequential import sequential_changes

__all__ = [
    "FieldChange",
    "StudyChange",
    "Influence",
    "AnalysisDiff",
    "EvidenceDiff",
    "diff_records",
    "diff_documents",
    "record_fields",
    "unanalysed",
    "restrict",
]

_MISSING = object()


# --------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field of a study record: dotted path, old and new value (None when absent)."""

    path: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.path}: {_show(self.before)} -> {_show(self.after)}"


@dataclass(frozen=True, slots=True)
class StudyChange:
    """A study record added, removed or corrected (content hash changed)."""

    id: str
    status: str  # "added" | "removed" | "corrected"
    before_sha256: str | None
    after_sha256: str | None
    fields: tuple[FieldChange, ...] = ()

    @property
    def symbol(self) -> str:
        return {"added": "+", "removed": "-", "corrected": "~"}[self.status]


@dataclass(frozen=True, slots=True)
class Influence:
    """How far undoing one study's change moves an analysis's pooled estimate.

    ``without`` is the pooled estimate (analysis scale) with the change undone; ``shift``
    is ``after - without`` (how much this change moved the estimate).
    """

    study: str
    label: str
    change: str  # "added" | "removed" | "corrected"
    without: float | None
    shift: float | None


@dataclass(frozen=True, slots=True)
class AnalysisDiff:
    """How one analysis changed.

    ``status`` is "new", "removed", "changed" or "unchanged"; ``before``/``after`` are the
    results documents (None when absent). ``studies`` lists the rows added (+), removed (-)
    and changed (~) in the synthesis; ``moved`` the influence of each changed study,
    largest first; ``conclusion`` the conclusion changes in words; ``settings`` the changed
    settings as (path, before, after).
    """

    id: str
    title: str
    status: str
    before: dict | None
    after: dict | None
    studies: tuple[tuple[str, str, str], ...] = ()  # (symbol, key, label)
    settings: tuple[FieldChange, ...] = ()
    conclusion: tuple[str, ...] = ()
    moved: tuple[Influence, ...] = ()
    error: str | None = None
    sequential: tuple[str, ...] = ()  # trial sequential analysis, in words (secondary)
    stale: tuple[str, ...] = ()  # prose that states a number of studies while k changed


@dataclass(frozen=True, slots=True)
class EvidenceDiff:
    """Everything ``metaevidence diff`` reports; see the module docstring."""

    since: str
    studies: tuple[StudyChange, ...]
    analyses: tuple[AnalysisDiff, ...]
    #: (study id, why) for each added study that no analysis selects (see :func:`unanalysed`)
    unanalysed: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.studies) or any(a.status != "unchanged" for a in self.analyses)

    def text(self) -> str:
        from metaevidence.workflow.diffrender import render_text

        return render_text(self)

    def markdown(self) -> str:
        from metaevidence.workflow.diffrender import render_markdown

        return render_markdown(self)


# --------------------------------------------------------------------------- records


def record_fields(raw: bytes | None) -> Any:
    """A study record file as plain data for comparison (None when unreadable)."""
    if raw is None:
        return None
    tree, _problems = parse_yaml(raw)
    return to_plain(tree) if tree is not None else None


def _field_changes(before: Any, after: Any, path: str = "") -> list[FieldChange]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in list(dict.fromkeys([*before, *after])):
            sub = f"{path}.{key}" if path else key
            out += _field_changes(before.get(key, _MISSING), after.get(key, _MISSING), sub)
        return out
    if isinstance(before, list) and isinstance(after, list):
        out = []
        for i in range(max(len(before), len(after))):
            out += _field_changes(
                before[i] if i < len(before) else _MISSING,
                after[i] if i < len(after) else _MISSING,
                f"{path}[{i}]",
            )
        return out
    if _same(before, after):
        return []
    return [FieldChange(path, None if before is _MISSING else before, None if after is _MISSING else after)]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
            if len(value) <= 3
            else f"{{{len(value)} fields}}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]" if len(value) <= 3 else f"[{len(value)} items]"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return str(value)


def diff_records(
    before: Mapping[str, tuple[str, bytes | None]], after: Mapping[str, tuple[str, bytes | None]]
) -> tuple[StudyChange, ...]:
    """Studies added, removed and corrected between two evidence states.

    Parameters
    ----------
    before, after : mapping of study id to (sha256, file bytes or None)
        The records of each state; bytes may be None when only the hash is known (then a
        correction is reported without its fields).
    """
    out = []
    for sid in sorted(set(before) | set(after)):
        b, a = before.get(sid), after.get(sid)
        if b is None:
            out.append(StudyChange(sid, "added", None, a[0]))
        elif a is None:
            out.append(StudyChange(sid, "removed", b[0], None))
        elif b[0] != a[0]:
            fields: tuple[FieldChange, ...] = ()
            if b[1] is not None and a[1] is not None:
                fields = tuple(_field_changes(record_fields(b[1]), record_fields(a[1])))
            out.append(StudyChange(sid, "corrected", b[0], a[0], fields))
    return tuple(out)


def unanalysed(
    studies: tuple[StudyChange, ...],
    outcomes: Mapping[str, tuple[str, ...]],
    after: Mapping[str, dict],
    failed: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str], ...]:
    """The added studies that no analysis selects, each with the reason in words.

    Parameters
    ----------
    studies : the study changes (:func:`diff_records`); only "added" ones are considered
    outcomes : mapping of study id to the outcome ids of its entries
    after : the results documents computed now (their ``inputs.studies`` are the studies
        each analysis selected, and ``settings.studies.outcome`` the outcome it selects)
    failed : analyses that could not be computed now (the study may be in one of them)
    """
    used = {sid for doc in after.values() for sid in doc.get("inputs", {}).get("studies", {})}
    by_outcome: dict[str, list[str]] = {}
    for aid, doc in sorted(after.items()):
        selected = (doc.get("settings", {}).get("studies") or {}).get("outcome")
        if selected is not None:
            by_outcome.setdefault(selected, []).append(aid)
    out = []
    for c in studies:
        if c.status != "added" or c.id in used:
            continue
        own = outcomes.get(c.id, ())
        chosen = sorted({aid for o in own for aid in by_outcome.get(o, ())})
        names = ", ".join(f"'{o}'" for o in own) or "(none)"
        if chosen:
            why = (
                f"its outcome {names} is selected by {', '.join(chosen)}, whose other filters "
                "(studies.ids, design, status, kind, where) leave it out"
            )
        else:
            word = "outcome" if len(own) == 1 else "outcomes"
            known = ", ".join(sorted(by_outcome)) or "none"
            why = f"its {word} {names} {'is' if len(own) == 1 else 'are'} not selected by any spec (the specs select: {known})"
        if failed:
            why += (
                f"; {plural(len(failed), 'analysis', 'analyses')} could not be computed now and may select it"
            )
        out.append((c.id, why))
    return tuple(out)


def restrict(diff: EvidenceDiff, ids: tuple[str, ...] | list[str]) -> EvidenceDiff:
    """The part of ``diff`` about the analyses ``ids`` (``metaevidence diff ID``).

    Only the study changes of studies those analyses selected, before or after, are kept.

    Raises
    ------
    MetaevidenceError
        When an id names no analysis of either state (with the ids that exist).
    """
    known = {a.id: a for a in diff.analyses}
    for aid in ids:
        if aid not in known:
            close = difflib.get_close_matches(aid, sorted(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise MetaevidenceError(
                f"no analysis '{aid}' to compare{hint}; analyses: {', '.join(sorted(known)) or 'none'}"
            )
    kept = tuple(known[aid] for aid in dict.fromkeys(ids))
    sids = {
        sid
        for a in kept
        for doc in (a.before, a.after)
        if doc is not None
        for sid in [*doc.get("inputs", {}).get("studies", {}), *(r["id"] for r in doc["studies"]["included"])]
    }
    return replace(diff, studies=tuple(c for c in diff.studies if c.id in sids), analyses=kept, unanalysed=())


# --------------------------------------------------------------------------- analyses


Refit = Callable[[dict, list[dict]], "float | None"]


def _rows(doc: dict | None) -> dict[tuple, dict]:
    if doc is None:
        return {}
    return {(r["id"], r.get("subgroup"), r.get("timepoint")): r for r in doc["studies"]["included"]}


#: The fields of a study row that carry its meaning (labels, weights and order do not).
_ROW_FIELDS = ("yi", "vi", "data", "estimate", "lower", "upper", "level", "k", "n", "measure", "model")


def _meaning(value: Any) -> Any:
    """A row field without its empty entries: a column another study brought in is not a change."""
    if isinstance(value, dict):
        return {k: _meaning(v) for k, v in value.items() if v is not None}
    return value


def _row_changed(a: dict, b: dict) -> bool:
    return any(_meaning(a.get(k)) != _meaning(b.get(k)) for k in _ROW_FIELDS)


def _conclusions(before: dict, after: dict) -> tuple[str, ...]:
    pb, pa = before.get("pooled"), after.get("pooled")
    if pb is None or pa is None:
        return ()
    t = after["measure"]["transform"]
    null = fmt(NULL_VALUE[t], 0)
    out = []
    cb, ca = conclusion(pb), conclusion(pa)
    if cb != ca and "unknown" not in (cb, ca):
        if ca == "excludes":
            out.append(f"the confidence interval now excludes no effect ({null})")
        else:
            out.append(f"the confidence interval now includes no effect ({null})")
    sb, sa = _sign(pb["estimate"]), _sign(pa["estimate"])
    if sb and sa and sb != sa:
        out.append(
            "the pooled estimate changed direction "
            f"({fmt_effect(pb['estimate'], t)} -> {fmt_effect(pa['estimate'], t)})"
        )
    return tuple(out)


def _sign(x: float | None) -> int:
    if x is None or x == 0 or (isinstance(x, float) and math.isnan(x)):
        return 0
    return 1 if x > 0 else -1


def _settings_changes(before: dict, after: dict) -> tuple[FieldChange, ...]:
    return tuple(_field_changes(before.get("settings"), after.get("settings")))


def _influences(before: dict, after: dict, refit: Refit | None) -> tuple[Influence, ...]:
    if refit is None or after.get("pooled") is None or before.get("pooled") is None:
        return ()
    rb, ra = _rows(before), _rows(after)
    est = after["pooled"]["estimate"]
    out = []
    for key in sorted(set(rb) | set(ra), key=lambda k: tuple("" if x is None else x for x in k)):
        b, a = rb.get(key), ra.get(key)
        if a is not None and b is not None and not _row_changed(a, b):
            continue
        rows = dict(ra)
        if b is None:
            change, label = "added", a["label"]
            del rows[key]
        elif a is None:
            change, label = "removed", b["label"]
            rows[key] = b
        else:
            change, label = "corrected", a["label"]
            rows[key] = b
        try:
            without = refit(after, list(rows.values()))
        except Exception:  # noqa: BLE001 - an impossible refit (e.g. k = 0) just gives no influence
            without = None
        shift = None if without is None or est is None else est - without
        out.append(Influence(key[0], label, change, without, shift))
    out.sort(key=lambda i: (-(abs(i.shift) if i.shift is not None else -1.0), i.study))
    return tuple(out)


def diff_documents(
    before: Mapping[str, dict],
    after: Mapping[str, dict],
    *,
    errors: Mapping[str, str] | None = None,
    refit: Refit | None = None,
) -> tuple[AnalysisDiff, ...]:
    """Compare results documents by analysis id.

    Parameters
    ----------
    before, after : mapping of analysis id to results document
    errors : mapping of analysis id to message, optional
        Analyses that could not be computed now (reported, with their previous result).
    refit : callable, optional
        ``refit(doc, rows) -> estimate``: re-pools ``rows`` (included-study rows of a
        results document) with ``doc``'s settings; used to name the study that moved the
        estimate most. Without it, no influence is computed.
    """
    errors = dict(errors or {})
    out = []
    for aid in sorted(set(before) | set(after) | set(errors)):
        b, a = before.get(aid), after.get(aid)
        title = (a or b or {}).get("analysis", {}).get("title", aid)
        if aid in errors:
            out.append(AnalysisDiff(aid, title, "failed", b, None, error=errors[aid]))
            continue
        if b is None:
            out.append(AnalysisDiff(aid, title, "new", None, a))
            continue
        if a is None:
            out.append(AnalysisDiff(aid, title, "removed", b, None))
            continue
        rb, ra = _rows(b), _rows(a)
        studies = []
        for key in sorted(set(rb) | set(ra), key=lambda k: tuple("" if x is None else x for x in k)):
            if key not in rb:
                studies.append(("+", key[0], ra[key]["label"]))
            elif key not in ra:
                studies.append(("-", key[0], rb[key]["label"]))
            elif _row_changed(rb[key], ra[key]):
                studies.append(("~", key[0], ra[key]["label"]))
        settings = _settings_changes(b, a)
        numbers_changed = _numbers(b) != _numbers(a)
        status = "changed" if (studies or settings or numbers_changed) else "unchanged"
        moved = _influences(b, a, refit) if studies else ()
        out.append(
            AnalysisDiff(
                aid,
                title,
                status,
                b,
                a,
                tuple(studies),
                settings,
                _conclusions(b, a),
                moved,
                sequential=sequential_changes(b, a),
                stale=stale_prose(b, a),
            )
        )
    return tuple(out)


def stale_prose(before: dict, after: dict) -> tuple[str, ...]:
    """Reminders for prose (title, notes, interpretation, forest title and note) written
    without placeholders that states a number of studies, when the analysis's k changed.
    """
    from metaevidence.workflow.placeholders import PROSE_FIELDS, has_placeholders, setting, states_a_count

    kb, ka = ((d.get("pooled") or {}).get("k") for d in (before, after))
    if kb is None or ka is None or kb == ka:
        return ()
    out = []
    for dotted in PROSE_FIELDS:
        text = setting(after, dotted)  # as written in the spec
        phrase = None if has_placeholders(text) else states_a_count(text, kb)
        if phrase is not None:
            out.append(
                f"k changed from {kb} to {ka} but the spec's {dotted} still states '{phrase}': "
                "update it, or write {k} there for the run to fill (docs/analyses.md, placeholders)"
            )
    return tuple(out)


def _numbers(doc: dict) -> tuple:
    p, h = doc.get("pooled") or {}, doc.get("heterogeneity") or {}
    return (
        tuple(p.get(k) for k in ("estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper", "k")),
        tuple(h.get(k) for k in ("tau2", "i2")),
        tuple(
            (r["id"], r.get("estimate"), r.get("lower"), r.get("upper")) for r in doc["studies"]["included"]
        ),
    )


# --------------------------------------------------------------------------- numbers for rendering


def comparison_rows(d: AnalysisDiff) -> list[tuple[str, str, str, str]]:
    """(quantity, before, after, change) rows on the presentation scale, for rendering."""
    b, a = d.before, d.after
    doc = a or b
    if doc is None or doc.get("pooled") is None or (b is not None and b.get("pooled") is None):
        return []
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    lvl = level_pct(doc["pooled"]["level"])

    def pooled(x: dict | None, key: str) -> float | None:
        return None if x is None or x.get("pooled") is None else x["pooled"].get(key)

    def het(x: dict | None, key: str) -> float | None:
        # one study has no heterogeneity: shown as a dash, not as "0.0%"
        if x is None or x.get("heterogeneity") is None or pooled(x, "k") == 1:
            return None
        return x["heterogeneity"].get(key)

    def change(vb: float | None, va: float | None, digits: int = 2, scale: bool = True) -> str:
        if vb is None or va is None:
            return ""
        if scale:
            vb, va = present(vb, t), present(va, t)
        return fmt_signed(va - vb, digits)

    def ci(x: dict | None, lo: str, hi: str) -> str:
        if x is None:
            return DASH
        return fmt_ci(pooled(x, lo), pooled(x, hi), t)

    rows = [
        (eff, *effect_change(pooled(b, "estimate"), pooled(a, "estimate"), t)),
        (f"{lvl} CI", ci(b, "ci_lower", "ci_upper"), ci(a, "ci_lower", "ci_upper"), ""),
    ]
    common = doc["pooled"]["method"] in COMMON_EFFECT_METHODS
    if not common:
        rows.append((f"{lvl} PI", ci(b, "pi_lower", "pi_upper"), ci(a, "pi_lower", "pi_upper"), ""))
        rows.append(
            (
                "tau²",
                fmt_tau2(het(b, "tau2")),
                fmt_tau2(het(a, "tau2")),
                change(het(b, "tau2"), het(a, "tau2"), 4, scale=False),
            )
        )
    rows.append(
        ("I²", fmt_i2(het(b, "i2")), fmt_i2(het(a, "i2")), change(het(b, "i2"), het(a, "i2"), 1, scale=False))
    )
    kb, ka = pooled(b, "k"), pooled(a, "k")
    rows.append(
        (
            "k",
            DASH if kb is None else str(kb),
            DASH if ka is None else str(ka),
            "" if kb is None or ka is None or ka == kb else f"{ka - kb:+d}",
        )
    )
    return rows


def influence_text(d: AnalysisDiff, i: Influence) -> str:
    """The "adding smith-2024 moved the OR from 1.40 to 1.45 (+0.05)"."""
    doc = d.after
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    verb = {"added": "adding", "removed": "removing", "corrected": "correcting"}[i.change]
    if i.without is None:
        return f"{verb} {i.label}: influence could not be computed"
    before, after, delta = effect_change(i.without, doc["pooled"]["estimate"], t)
    if float(delta) == 0:
        return f"{verb} {i.label} left the {eff} at {after} (it moved it by less than 0.005)"
    return f"{verb} {i.label} moved the {eff} from {before} to {after} ({delta})"


def effect_change(before: float | None, after: float | None, transform: str | None) -> tuple[str, str, str]:
    """(before, after, change) on the presentation scale, with the digits that tell them apart.

    Two decimals, or three or four when the two round to the same two decimals but the change
    does not (never "from 1.37 to 1.37 (+0.01)"); the change is "" when either is missing.
    """
    if before is None or after is None:
        return fmt_effect(before, transform), fmt_effect(after, transform), ""
    delta = present(after, transform) - present(before, transform)
    digits = 2
    while digits < 4 and fmt_effect(before, transform, digits) == fmt_effect(after, transform, digits):
        if abs(delta) < 0.5 * 10**-digits:
            break  # no change at this precision: shown as such
        digits += 1
    return (
        fmt_effect(before, transform, digits),
        fmt_effect(after, transform, digits),
        fmt_signed(delta, digits),
    )


def summary_counts(diff: EvidenceDiff) -> str:
    """The "2 studies added, 1 corrected, none removed"."""
    counts = {s: sum(1 for c in diff.studies if c.status == s) for s in ("added", "corrected", "removed")}
    parts = [
        f"{counts['added']} added" if counts["added"] else None,
        f"{counts['corrected']} corrected" if counts["corrected"] else None,
        f"{counts['removed']} removed" if counts["removed"] else None,
    ]
    parts = [p for p in parts if p]
    if not parts:
        return "no study added, corrected or removed"
    n = sum(counts.values())
    return f"{plural(n, 'study', 'studies')} changed: " + ", ".join(parts)
