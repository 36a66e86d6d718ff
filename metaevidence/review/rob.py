"""Risk of bias of the studies in an analysis: per study and domain, "not assessed" explicit.

The tools' domains and judgements are data in :mod:`metaevidence.evidence.robtools`. Here:

- :func:`suggested_overall` -- the overall judgement the tool's own rule suggests from the
  domain judgements (RoB 2: low only if every domain is low, high if any is high, otherwise
  some concerns -- Sterne et al. 2019, BMJ 366:l4898, table 2; ROBINS-I and ROBINS-E: the most
  severe domain; RoB 1: the Cochrane Handbook 5.1 table 8.7.a summary), compared with the
  reviewer's overall judgement (RoB 2 lets a reviewer judge "high" for several "some concerns";
  any other difference is flagged, never changed);
- :func:`assessment_of` -- the judgements for one outcome result: a per-result assessment
  (``risk_of_bias.results``) if the record has one, else the study-level one, else none; with
  RoB 2 signalling answers, each domain's judgement suggested by the tool's algorithm
  (:mod:`metaevidence.review.rob2`) beside the reviewer's, a disagreement flagged, never changed;
- :func:`risk_of_bias_block` -- the ``risk_of_bias`` block of ``results/<id>.json``.

A study without an assessment is ``"not-assessed"`` in every domain: never low risk.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from metaevidence.evidence.robtools import NOT_ASSESSED, TOOLS, Tool, domain_id, tool_of
from metaevidence.review.rob2 import signalling_check

__all__ = ["NOT_ASSESSED", "HIGH", "severity", "suggested_overall", "assessment_of", "risk_of_bias_block"]

#: Judgements that count as high risk of bias (weight shares, the sensitivity analysis).
HIGH = ("high", "serious", "critical", "very-high")
_SEVERITY = {
    "low": 0,
    "some-concerns": 1,
    "moderate": 1,
    "unclear": 1,
    "no-information": 1,
    "high": 2,
    "serious": 2,
    "very-high": 3,
    "critical": 3,
}


def severity(judgement: str | None) -> int | None:
    """0 low, 1 some concerns/moderate/unclear/no information, 2 high/serious, 3 critical/very high."""
    return _SEVERITY.get(judgement) if judgement else None


def suggested_overall(tool: Tool, judgements: dict[str, str]) -> str | None:
    """The overall judgement the tool's rule suggests from complete domain judgements, else None.

    None when a domain of the tool has no judgement (the rule needs them all).
    """
    if any(judgements.get(d) in (None, NOT_ASSESSED) for d, _ in tool.domains if _required(tool, d)):
        return None
    values = [judgements[d] for d, _ in tool.domains if _required(tool, d)]
    if tool.name == "RoB 2" or tool.name == "RoB 1":
        middle = "some-concerns" if tool.name == "RoB 2" else "unclear"
        if any(v == "high" for v in values):
            return "high"
        return "low" if all(v == "low" for v in values) else middle
    if tool.name == "ROBINS-I" and any(v == "no-information" for v in values):
        if not any(v in ("serious", "critical") for v in values):
            return "no-information"
        values = [v for v in values if v != "no-information"]
    return max(values, key=lambda v: _SEVERITY[v])


def _required(tool: Tool, did: str) -> bool:
    # RoB 1 in RevMan 5.0 has one "blinding" item, later versions two; either form is complete
    if tool.name != "RoB 1":
        return True
    return did not in ("blinding", "blinding-participants", "blinding-outcome")


def _agrees(
    tool: Tool, reviewer: str | None, suggested: str | None, judgements: dict[str, str]
) -> bool | None:
    if reviewer is None or suggested is None:
        return None
    if reviewer == suggested:
        return True
    # RoB 2: "some concerns in multiple domains in a way that substantially lowers confidence" -> high
    multiple = sum(v == "some-concerns" for v in judgements.values()) >= 2
    return tool.name == "RoB 2" and reviewer == "high" and suggested == "some-concerns" and multiple


def _matches(result: dict, outcome: str, subgroup: str | None, timepoint: str | None) -> bool:
    if result.get("outcome") != outcome:
        return False
    return all(result.get(k) in (None, v) for k, v in (("subgroup", subgroup), ("timepoint", timepoint)))


def _domains(tool: Tool | None, items) -> tuple[dict[str, str], dict[str, dict]]:
    judged, detail = {}, {}
    for d in items:
        get = d.get if isinstance(d, Mapping) else (lambda k, _d=d: getattr(_d, k, None))
        did = domain_id(tool, get("domain")) if tool else get("domain")
        did = did or get("domain")
        judged[did] = get("judgement")
        detail[did] = {
            "support": get("support"),
            "provenance": get("provenance"),
            "signalling": get("signalling"),
            "effect": get("effect"),
        }
    return judged, detail


def _signalling(tool: Tool | None, judged: dict[str, str], detail: dict[str, dict]) -> dict[str, dict]:
    """RoB 2 domains with signalling answers: the algorithm's suggestion beside the judgement."""
    if tool is None or tool.name != "RoB 2":
        return {}
    return {
        d: signalling_check(d, judged.get(d), v["signalling"], v["effect"])
        for d, v in detail.items()
        if v["signalling"]
    }


def assessment_of(study, outcome: str, subgroup: str | None = None, timepoint: str | None = None) -> dict:
    """The judgements of one outcome result of ``study`` (a :class:`~metaevidence.evidence.Study`).

    Returns a plain dict: ``assessed`` (bool), ``level`` ("result", "study" or None), ``tool``,
    ``domains`` {domain id: judgement or "not-assessed"}, ``support`` {id: text}, ``overall``
    (the reviewer's), ``suggested`` (the tool's rule), ``agrees`` and ``provenance``.
    """
    rob = study.risk_of_bias
    if rob is None:
        return {"assessed": False, "level": None, "tool": None, "domains": {}, "overall": NOT_ASSESSED}
    tool = tool_of(rob.tool)
    result = next((r for r in rob.results if _matches(r, outcome, subgroup, timepoint)), None)
    if result is not None:
        items, overall, level = result.get("domains", ()), result.get("overall"), "result"
        provenance = result.get("provenance") or rob.provenance
    elif rob.overall is not None:
        items, overall, level, provenance = rob.domains, rob.overall, "study", rob.provenance
    else:
        return {"assessed": False, "level": None, "tool": rob.tool, "domains": {}, "overall": NOT_ASSESSED}
    judged, detail = _domains(tool, items)
    names = [d for d, _ in tool.domains] if tool else list(judged)
    domains = {d: judged.get(d) or NOT_ASSESSED for d in names}
    suggested = suggested_overall(tool, judged) if tool else None
    return {
        "assessed": True,
        "level": level,
        "tool": tool.name if tool else rob.tool,
        "domains": domains,
        "support": {d: v["support"] for d, v in detail.items() if v["support"]},
        "signalling": _signalling(tool, judged, detail),
        "overall": overall or NOT_ASSESSED,
        "suggested": suggested,
        "agrees": _agrees(tool, overall, suggested, judged) if tool else None,  # None: nothing to compare
        "provenance": dict(provenance) if provenance else None,
    }


def risk_of_bias_block(rows: list[dict], evidence, outcome: str) -> dict[str, Any]:
    """The ``risk_of_bias`` block of an analysis from its included rows (id, label, weight, ...).

    Weights are percentages of the pooled weight (None for an overview). The block names the
    tool used by most assessed studies (the plot's columns), lists every study with its
    judgements ("not-assessed" where there are none) and sums weight by overall judgement.
    """
    studies, tools = [], Counter()
    for r in rows:
        a = assessment_of(evidence[r["id"]], outcome, r.get("subgroup"), r.get("timepoint"))
        if a["assessed"] and a["tool"]:
            tools[a["tool"]] += 1
        studies.append({"id": r["id"], "label": r.get("label", r["id"]), "weight": r.get("weight"), **a})
    tool = tools.most_common(1)[0][0] if tools else None
    known = TOOLS.get(tool) if tool else None
    domains = [{"id": d, "name": n} for d, n in known.domains] if known else []
    if tool == "RoB 1":  # RevMan 5.0 has one blinding item, later versions two: show the form used
        used = {d for s in studies for d, j in s.get("domains", {}).items() if j != NOT_ASSESSED}
        drop = (
            {"blinding"}
            if used & {"blinding-participants", "blinding-outcome"} or "blinding" not in used
            else {
                "blinding-participants",
                "blinding-outcome",
            }
        )
        domains = [d for d in domains if d["id"] not in drop]
        for s in studies:
            s["domains"] = {d: j for d, j in s.get("domains", {}).items() if d not in drop}
    weights = [s["weight"] for s in studies if s["weight"] is not None]
    total = sum(weights) if weights else 0.0
    share: dict[str, float] = {}
    if total > 0:
        for s in studies:
            share[s["overall"]] = share.get(s["overall"], 0.0) + 100.0 * (s["weight"] or 0.0) / total
    not_assessed = [s["id"] for s in studies if not s["assessed"]]
    return {
        "tool": tool,
        "tool_reference": known.reference if known else None,
        "domains": domains,
        "studies": studies,
        "not_assessed": not_assessed,
        "weight_by_overall": {k: share[k] for k in sorted(share)},
        # None when no study has an overall judgement: 0% would read as "no high-risk studies"
        "high_risk_weight": sum(v for k, v in share.items() if k in HIGH)
        if any(k != NOT_ASSESSED for k in share)
        else None,
        "disagreements": [
            f"{s['id']}: the reviewer's overall '{s['overall']}' differs from the {s['tool']} rule's "
            f"'{s['suggested']}'"
            for s in studies
            if s.get("agrees") is False
        ]
        + [
            f"{s['id']}: the reviewer's '{s['domains'].get(d)}' for the RoB 2 domain '{d}' "
            f"differs from the '{c['suggested']}' its signalling answers suggest"
            for s in studies
            for d, c in s.get("signalling", {}).items()
            if c["agrees"] is False
        ],
        "note": None
        if not not_assessed
        else f"{len(not_assessed)} of {len(studies)} studies have no risk-of-bias assessment in their "
        "records: shown as not assessed, never as low risk",
    }
