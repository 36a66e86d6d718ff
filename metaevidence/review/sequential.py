"""The verdicts of sequential monitoring in words: for the figure, the report and ``diff``.

:func:`metaevidence.trial_sequential_analysis` (stats) decides the verdict code at the last
look -- "benefit", "harm", "effect", "futility" or "not-yet"; this module says it in words a
guideline panel understands: :func:`verdict_text` (one sentence for a result),
:func:`verdict_sentence` (the same from the stored numbers of ``results/<id>.json``) and
:func:`sequential_changes` (what an update changed, for ``diff``). A secondary display beside
the conventional result, never a replacement for it (docs/sequential.md).
"""

from __future__ import annotations

from typing import Any

__all__ = ["STATES", "verdict_text", "verdict_sentence", "sequential_changes"]

#: Each verdict code as a state of the evidence ("now <state>").
STATES = {
    "benefit": "firm evidence of benefit",
    "harm": "firm evidence of harm",
    "effect": "firm evidence of an effect",
    "futility": "firm evidence of no effect of the anticipated size",
    "not-yet": "not yet firm evidence",
}


def verdict_sentence(verdict: str, needed: float, fraction: float) -> str:
    """The sentence for a verdict code, the participants still needed and the fraction reached."""
    pct = f"{100 * fraction:.0f}%"
    if verdict in ("benefit", "harm", "effect"):
        what = {"benefit": "benefit", "harm": "harm", "effect": "an effect"}[verdict]
        return (
            f"Firm evidence of {what}: the cumulative Z curve crossed the sequential monitoring "
            f"boundary (information reached: {pct} of the required information size)."
        )
    if verdict == "futility":
        return (
            "Firm evidence of no effect of the anticipated size: the cumulative Z curve is inside "
            f"the futility boundaries (information reached: {pct} of the required information size)."
        )
    return (
        f"Not yet firm: no monitoring boundary crossed; {pct} of the required information size "
        f"reached, about {needed:,.0f} more participants needed."
    )


def verdict_text(result: Any) -> str:
    """The verdict of a :class:`~metaevidence.SequentialAnalysis` in one plain sentence."""
    return verdict_sentence(result.verdict, result.information_needed, float(result.fractions[-1]))


def sequential_changes(before: dict | None, after: dict | None) -> tuple[str, ...]:
    """What the sequential analysis says about an update, in words (for ``diff``).

    ``before`` and ``after`` are results documents. One sentence when the verdict changed (a
    boundary was crossed, the curve came back, or the required information was reached), else
    one saying it is unchanged; () when the analysis has no ``sequential`` block now.
    """
    a = (after or {}).get("sequential")
    if not a:
        return ()
    b = (before or {}).get("sequential")
    cur = a["current"]
    where = (
        f"Z = {cur['z']:.2f} against a monitoring boundary of \u00b1{cur['boundary']:.2f}, "
        f"{100 * cur['fraction']:.0f}% of the required {a['information_size']['required']:,.0f} participants"
        if cur.get("boundary") is not None
        else f"Z = {cur['z']:.2f}, {100 * cur['fraction']:.0f}% of the required "
        f"{a['information_size']['required']:,.0f} participants (too early for a boundary)"
    )
    now = STATES[a["verdict"]]
    if b and b.get("verdict") == a["verdict"]:
        extra = ""
        if a["verdict"] == "not-yet":
            extra = f"; about {a['information_needed']:,.0f} more participants needed"
        return (f"unchanged: {now} ({where}{extra})",)
    was = f"; before this update: {STATES[b['verdict']]}" if b else ""
    if a["verdict"] in ("benefit", "harm", "effect"):
        head = f"this update crosses the monitoring boundary: {now}"
    elif b and b.get("verdict") in ("benefit", "harm", "effect"):
        head = f"the cumulative Z curve is back inside the monitoring boundaries: {now}"
    else:
        head = f"now {now}"
    return (f"{head} ({where}){was}",)
