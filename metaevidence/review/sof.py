"""Summary-of-findings tables (GRADEpro's layout) and the absolute-effect arithmetic.

Per outcome: participants (studies), certainty (⊕ symbols and words), relative effect (95% CI),
the assumed risk with the control and the corresponding risk with the intervention per 1000,
and footnotes. The assumed control risk (ACR) is the spec's ``certainty.baseline_risk`` or, when
none is given, the median control-group risk of the included studies (the table says which).

Corresponding risk (CR) from a relative effect and ACR (Cochrane Handbook 5.1, sections
11.5.5 and 12.5.4; for the hazard ratio, proportional hazards over the follow-up, so that
survival with the intervention is the control survival to the power HR: Cochrane Handbook v6.2,
chapter 14, and Skoetz et al. 2020, GRADE guidelines 27, J Clin Epidemiol 118:124-131):

- RR: CR = RR x ACR
- OR: CR = OR x ACR / (1 - ACR + OR x ACR)
- HR: CR = 1 - exp(HR x ln(1 - ACR))
- RD: CR = ACR + RD

Each limit of the confidence interval is converted the same way (the functions are monotone).
"""

from __future__ import annotations

import math
from statistics import median
from typing import Any

__all__ = ["corresponding_risk", "per_1000", "baseline_risk", "sof_row", "sof_markdown", "CERTAINTY_SYMBOLS"]

CERTAINTY_SYMBOLS = {
    "high": "⊕⊕⊕⊕ High",
    "moderate": "⊕⊕⊕◯ Moderate",
    "low": "⊕⊕◯◯ Low",
    "very low": "⊕◯◯◯ Very low",
}


def corresponding_risk(measure: str, effect: float, acr: float) -> float:
    """The intervention-group risk implied by a relative (or RD) effect at control risk ``acr``.

    ``effect`` is on the natural scale (an RR of 0.75, not its log). Raises ValueError for an
    ``acr`` outside (0, 1) or a measure without an absolute translation.
    """
    if not 0.0 < acr < 1.0:
        raise ValueError(f"the assumed control risk must be in (0, 1); got {acr}")
    if measure == "RR":
        return effect * acr
    if measure in ("OR", "PETO"):
        return effect * acr / (1.0 - acr + effect * acr)
    if measure == "HR":
        return 1.0 - math.exp(effect * math.log(1.0 - acr))
    if measure == "RD":
        return acr + effect
    raise ValueError(f"no absolute effect for measure {measure}: use RR, OR, HR or RD")


def per_1000(risk: float) -> int:
    """A risk as a whole number per 1000 (half away from zero, as GRADEpro rounds)."""
    x = risk * 1000.0
    return int(math.floor(abs(x) + 0.5)) * (1 if x >= 0 else -1)


def baseline_risk(spec_baseline: dict | None, included: list[dict]) -> dict | None:
    """The assumed control risk and where it comes from, or None if neither is available."""
    if spec_baseline is not None:
        return {
            "risk": float(spec_baseline["risk"]),
            "basis": "from the spec",
            "source": spec_baseline["source"],
        }
    risks = []
    for r in included:
        d = r.get("data") or {}
        if d.get("ci") is not None and d.get("di") is not None and d["ci"] + d["di"] > 0:
            risks.append(d["ci"] / (d["ci"] + d["di"]))
    if not risks:
        return None
    return {
        "risk": float(median(risks)),
        "basis": f"median control-group risk of the {len(risks)} included studies",
        "source": None,
    }


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _absolute(measure: str, p: dict, acr: float) -> dict[str, Any]:
    cr = [corresponding_risk(measure, p[k], acr) for k in ("estimate", "ci_lower", "ci_upper")]
    diff = [per_1000(c - acr) for c in cr]
    return {
        "assumed_per_1000": per_1000(acr),
        "corresponding_per_1000": per_1000(cr[0]),
        "corresponding_ci_per_1000": sorted([per_1000(cr[1]), per_1000(cr[2])]),
        "difference_per_1000": diff[0],
        "difference_ci_per_1000": sorted(diff[1:]),
    }


def sof_row(doc: dict, certainty: dict, baseline: dict | None, outcome: str | None = None) -> dict[str, Any]:
    """One summary-of-findings row of an analysis's results document."""
    pooled = doc.get("pooled")
    measure = (doc.get("measure") or {}).get("name")
    included = doc.get("studies", {}).get("included", [])
    row: dict[str, Any] = {
        "analysis": doc["analysis"]["id"],
        "outcome": outcome or doc["analysis"]["title"],
        "studies": len(included),
        "participants": certainty["domains"]["imprecision"]["signals"].get("participants"),
        "certainty": certainty["level"],
        "certainty_text": CERTAINTY_SYMBOLS.get(certainty["level"], "not assessed"),
        "measure": measure,
        "relative": None,
        "absolute": None,
        "baseline": baseline,
        "continuous_note": None,
    }
    if pooled is None:
        row["note"] = f"{len(included)} published pooled results: see results/{row['analysis']}.md"
        if len(included) == 1 and included[0].get("estimate") is not None:
            s = included[0]
            row["relative"] = (
                f"{s['measure']} {_fmt(s['estimate'])} ({_fmt(s.get('lower'))} to {_fmt(s.get('upper'))})"
            )
            row["note"] = "a published pooled result (not re-analysed here)"
        return row
    p = pooled.get("presentation") or pooled
    ci = f"{_fmt(p['ci_lower'])} to {_fmt(p['ci_upper'])}"
    if measure in ("RR", "OR", "HR", "PETO", "RD"):
        row["relative"] = f"{'OR' if measure == 'PETO' else measure} {_fmt(p['estimate'])} ({ci})"
        if baseline is not None:
            row["absolute"] = _absolute(measure, p, baseline["risk"])
    elif measure == "MD":
        row["relative"] = None
        row["continuous_note"] = f"MD {_fmt(p['estimate'])} ({ci}) in the outcome's units"
    elif measure in ("SMD", "SMDH"):
        row["continuous_note"] = (
            f"SMD {_fmt(p['estimate'])} ({ci}); as a rule of thumb 0.2 small, 0.5 moderate, 0.8 large "
            "(Cochrane Handbook 5.1, 12.6.2); re-express in a familiar scale's units where possible"
        )
    else:
        row["continuous_note"] = f"{measure} {_fmt(p['estimate'])} ({ci})"
    return row


def difference_text(d: int, lo: int, hi: int) -> str:
    """GRADEpro's wording: '11 fewer per 1000 (from 18 fewer to 5 fewer)'."""

    def word(x: int) -> str:
        return f"{abs(x)} {'more' if x > 0 else 'fewer'}" if x else "0 fewer"

    return f"{word(d)} per 1000 (from {word(lo)} to {word(hi)})"


def _absolute_cells(row: dict) -> tuple[str, str]:
    a = row.get("absolute")
    if a is None:
        if row.get("relative") is None and not row.get("continuous_note"):
            return "-", "-"
        if row.get("continuous_note"):
            return "-", row["continuous_note"]
        return "-", "not computed: no baseline risk (give certainty.baseline_risk)" if row["measure"] in (
            "RR",
            "OR",
            "HR",
            "RD",
            "PETO",
        ) else "-"
    d, (lo, hi) = a["difference_per_1000"], a["difference_ci_per_1000"]
    lo_c, hi_c = a["corresponding_ci_per_1000"]
    return (
        f"{a['assumed_per_1000']} per 1000",
        f"{a['corresponding_per_1000']} per 1000 ({lo_c} to {hi_c}); {difference_text(d, lo, hi)}",
    )


def sof_markdown(rows: list[dict], footnotes: dict[str, list[str]]) -> str:
    """``results/summary-of-findings.md``: one table over every analysis, then the footnotes."""
    lines = [
        "# Summary of findings",
        "",
        "Generated by `metaevidence run` from `results/<id>.json`; do not edit by hand. GRADEpro's layout: ",
        "the certainty is the reviewer's judgement from the spec (`certainty:`), never the tool's; "
        '"not assessed" means the judgements are not (yet) in the spec.',
        "",
        "| Outcome | № of participants (studies) | Certainty of the evidence (GRADE) | Relative effect (95% CI) "
        "| Risk with control | Risk with intervention (difference) | Notes |",
        "|---|---|---|---|---|---|---|",
    ]
    marks: list[str] = []
    for row in rows:
        notes = footnotes.get(row["analysis"], [])
        refs = []
        for n in notes:
            if n not in marks:
                marks.append(n)
            refs.append(str(marks.index(n) + 1))
        sup = f" <sup>{','.join(refs)}</sup>" if refs else ""
        n = row["participants"]
        people = f"{n} ({row['studies']})" if n is not None else f"not known ({row['studies']})"
        assumed, corr = _absolute_cells(row)
        base = row.get("baseline")
        basis = (
            ""
            if not base or row.get("absolute") is None
            else f"assumed risk: {base['basis']}" + (f" ({base['source']})" if base.get("source") else "")
        )
        lines.append(
            f"| {row['outcome']} (`{row['analysis']}`) | {people} | {row['certainty_text']}{sup} "
            f"| {row['relative'] or '-'} | {assumed} | {corr} | {'; '.join(x for x in (basis, row.get('note') or '') if x) or '-'} |"
        )
    lines += ["", "## Footnotes", ""]
    lines += [f"{i}. {text}" for i, text in enumerate(marks, 1)] or ["None."]
    return "\n".join(lines) + "\n"


def _signal_text(signals: dict) -> str:
    parts = []
    for key, value in signals.items():
        if value is None or value == {} or key == "studies":
            continue
        if isinstance(value, float):
            value = f"{value:.3g}"
        elif isinstance(value, list):
            value = " to ".join("-" if v is None else f"{v:.3g}" for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v:.0f}%" for k, v in value.items())
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts) or "-"


def certainty_section(doc: dict) -> list[str]:
    """The "Risk of bias and certainty of the evidence" section of ``results/<id>.md``."""
    c, rob = doc.get("certainty"), doc.get("risk_of_bias")
    if c is None or rob is None:
        return []
    level = CERTAINTY_SYMBOLS.get(c["level"], "not assessed")
    out = ["## Risk of bias and certainty of the evidence (GRADE)", ""]
    tool = rob["tool"] or "none"
    assessed = sum(1 for s in rob["studies"] if s["assessed"])
    out += [f"Risk of bias: {assessed} of {len(rob['studies'])} studies assessed (tool: {tool}).", ""]
    # the tool's rules (overall; RoB 2 signalling questions per domain) against the reviewer's
    # judgements: flagged, the reviewer's judgement kept
    out += [f"- Risk of bias, the tool's rule differs: {d}" for d in rob.get("disagreements", ())]
    out += [""] if rob.get("disagreements") else []
    out += [
        f"Certainty: **{level}**"
        + ("" if c["level"] else f" -- {c['status'].removeprefix('not assessed: ')}")
        + ".",
        "",
    ]
    out += ["| domain | reviewer's judgement | reason | signals (computed) |", "|---|---|---|---|"]
    from metaevidence.review.certainty import DOWNGRADE_DOMAINS, UPGRADE_DOMAINS

    for name in (*DOWNGRADE_DOMAINS, *UPGRADE_DOMAINS):
        d = c["domains"][name]
        j = "not judged" if d["judgement"] is None else str(d["judgement"])
        out.append(
            f"| {name.replace('_', ' ')} | {j} | {d['reason'] or '-'} | {_signal_text(d['signals'])} |"
        )
    out.append("")
    out += [f"- Flag: {f}" for f in c["flags"]]
    out += [f"- {f}" for f in c["footnotes"]]
    return out + [""]
