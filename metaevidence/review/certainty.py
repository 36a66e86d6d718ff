"""Certainty of the evidence (GRADE) per analysis: the reviewer judges, the tool shows signals.

GRADE (Guyatt et al. 2008, BMJ 336:924; GRADE Handbook 2013, section 5) starts the body of
evidence at **high** for randomised trials and **low** for observational studies, and moves it
down one or two levels for each of risk of bias, inconsistency, indirectness, imprecision and
publication bias, and (observational evidence only) up for a large effect, a dose-response
gradient, or plausible confounding that would reduce the effect. The result is high, moderate,
low or very low.

Every downgrade and upgrade here is the **reviewer's**, written in the analysis spec
(``certainty:``) with its reason. This module never judges: it computes the *signals* GRADE
asks reviewers to consider (share of weight from high-risk studies; I², τ², the prediction
interval and whether it crosses the null or the decision threshold; whether the confidence
interval crosses the null or the minimal important difference, and the participants against
the optimal information size; small-study tests only when k >= 10; the size of a ratio
effect), shows them beside each judgement, and flags where a signal and a judgement disagree.
Without the reviewer's judgements the level stays "not assessed", with the reason.
"""

from __future__ import annotations

import math
from typing import Any

from metaevidence._schema.rules import RequiredIf, When
from metaevidence._schema.types import Field, Integer, Number, Record, Text

__all__ = ["CERTAINTY", "DOWNGRADE_DOMAINS", "UPGRADE_DOMAINS", "LEVELS", "certainty_block", "ois"]

DOWNGRADE_DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
UPGRADE_DOMAINS = ("large_effect", "dose_response", "opposing_confounding")
#: Levels from the top; index = 4 - points.
LEVELS = ("high", "moderate", "low", "very low")
_FREE = Text()


def _judgement(move: str, levels_doc: str, record: str, what: str, reason_doc: str) -> Record:
    """The record of one domain's judgement: levels to move (0-2) and, when moved, why."""
    return Record(
        record,
        f"The reviewer's judgement of one GRADE {what}.",
        (
            Field(move, Integer(minimum=0, maximum=2), doc=levels_doc),
            Field("reason", _FREE, required=False, doc=reason_doc),
        ),
        tuple(
            RequiredIf("reason", When(move, (n,)), f"GRADE asks for the reason of every {move}")
            for n in (1, 2)
        ),
    )


_DOWN = _judgement(
    "downgrade",
    "levels to rate down: 0, 1 (serious) or 2 (very serious)",
    "grade_downgrade",
    "domain",
    "why (required when downgrading); becomes a footnote",
)
_UP = _judgement(
    "upgrade",
    "levels to rate up: 0, 1 or 2 (2 only for a very large effect)",
    "grade_upgrade",
    "upgrading domain (observational evidence)",
    "why (required when upgrading)",
)
_PUBLISHED = Record(
    "published_certainty",
    "A certainty rating a source states (e.g. a Cochrane review's own GRADE rating): the source's, not ours.",
    (
        Field(
            "level", Text(choices=("high", "moderate", "low", "very-low")), doc="the rating the source gives"
        ),
        Field("source", _FREE, doc="who rated it, where"),
        Field("locator", _FREE, doc="table, page or section"),
    ),
)
_BASELINE = Record(
    "baseline_risk",
    "The assumed control-group risk of the summary-of-findings table.",
    (
        Field(
            "risk",
            Number(minimum=0, maximum=1, exclusive_minimum=True, exclusive_maximum=True),
            doc="a proportion in (0, 1)",
        ),
        Field("source", _FREE, doc="where it comes from (a cohort, a trial's control group, ...)"),
    ),
)
CERTAINTY = Record(
    "certainty",
    "GRADE certainty of the evidence (the reviewer's judgements) and summary-of-findings options.",
    (
        Field(
            "evidence",
            Text(choices=("randomised", "observational")),
            required=False,
            doc="the starting level: randomised (high) or observational (low); default from the study designs",
        ),
        *(
            Field(d, _DOWN, required=False, doc=f"the reviewer's {d.replace('_', ' ')} judgement")
            for d in DOWNGRADE_DOMAINS
        ),
        *(
            Field(
                d,
                _UP,
                required=False,
                doc=f"the reviewer's {d.replace('_', ' ')} judgement (observational only)",
            )
            for d in UPGRADE_DOMAINS
        ),
        Field(
            "published", _PUBLISHED, required=False, doc="a rating a source states, recorded as the source's"
        ),
        Field(
            "outcome", _FREE, required=False, doc="the outcome as the SoF table names it (default: the title)"
        ),
        Field(
            "baseline_risk",
            _BASELINE,
            required=False,
            doc="assumed control risk (default: median control-group risk of the studies)",
        ),
        Field(
            "mid",
            Number(minimum=0, exclusive_minimum=True),
            required=False,
            doc="minimal important difference, on the presentation scale (ratio: e.g. 1.25; MD: units)",
        ),
        Field("threshold", Number(), required=False, doc="a decision threshold on the presentation scale"),
        Field(
            "ois_relative_change",
            Number(minimum=0, maximum=1, exclusive_minimum=True, exclusive_maximum=True),
            required=False,
            doc="relative risk change for the optimal information size (default 0.25)",
        ),
        Field("comment", _FREE, required=False, doc="a comment for the SoF table"),
    ),
)

_RANDOMISED = ("rct", "randomised", "randomized", "cluster-rct", "crossover", "quasi-randomised")


def ois(control_risk: float, relative_change: float = 0.25, alpha: float = 0.05, power: float = 0.8) -> float:
    """Optimal information size (total participants) for a binary outcome.

    The sample size of one trial with two equal arms detecting a relative change of
    ``relative_change`` from ``control_risk`` (two-sided ``alpha``, ``power``): GRADE guidelines 6
    (Guyatt et al. 2011, J Clin Epidemiol 64:1283, section 4.2) with the usual two-proportion
    formula n = (z_a + z_b)^2 (p1 q1 + p2 q2) / (p1 - p2)^2 per arm.
    """
    p1 = control_risk
    p2 = control_risk * (1.0 - relative_change)
    from scipy.special import ndtri  # not scipy.stats: its import costs a no-change run a second

    z = ndtri(1 - alpha / 2) + ndtri(power)
    return float(2.0 * z * z) * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2


def _crosses(lo: float | None, hi: float | None, value: float | None) -> bool | None:
    if lo is None or hi is None or value is None:
        return None
    return lo < value < hi


def _signals(doc: dict, rob: dict, fit, cert: dict, baseline: dict | None) -> dict[str, Any]:
    pooled, het = doc.get("pooled"), doc.get("heterogeneity")
    transform = (doc.get("measure") or {}).get("transform")
    null = 1.0 if transform == "exp" else 0.0
    sig: dict[str, Any] = {d: {} for d in DOWNGRADE_DOMAINS + ("large_effect",)}
    sig["risk_of_bias"] = {
        "high_risk_weight_percent": rob.get("high_risk_weight"),
        "weight_by_overall_percent": rob.get("weight_by_overall"),
        "not_assessed": len(rob.get("not_assessed", [])),
        "studies": len(rob.get("studies", [])),
    }
    sig["indirectness"] = {
        "note": "not computable: population, intervention, comparator and outcome are the reviewer's call"
    }
    if not pooled:
        return sig
    p = pooled.get("presentation") or pooled
    threshold = cert.get("threshold")
    sig["inconsistency"] = {
        "i2_percent": het.get("i2") if het else None,
        "tau2": het.get("tau2") if het else None,
        "q_p_value": het.get("q_p_value") if het else None,
    }
    if p.get("pi_lower") is not None:  # common-effect models have none
        sig["inconsistency"].update(
            prediction_interval=[p.get("pi_lower"), p.get("pi_upper")],
            pi_crosses_null=_crosses(p.get("pi_lower"), p.get("pi_upper"), null),
            pi_crosses_threshold=_crosses(p.get("pi_lower"), p.get("pi_upper"), threshold),
        )
    mid = cert.get("mid")
    mids = None if mid is None else ((mid, 1.0 / mid) if transform == "exp" else (null + mid, null - mid))
    participants = _participants(doc)
    imp = {
        "ci": [p.get("ci_lower"), p.get("ci_upper")],
        "ci_crosses_null": _crosses(p.get("ci_lower"), p.get("ci_upper"), null),
        "ci_crosses_mid": None
        if mids is None
        else any(_crosses(p.get("ci_lower"), p.get("ci_upper"), m) for m in mids),
        "ci_crosses_threshold": _crosses(p.get("ci_lower"), p.get("ci_upper"), threshold),
        "participants": participants,
        "optimal_information_size": None,
    }
    if baseline is not None and participants is not None and transform == "exp":
        change = cert.get("ois_relative_change", 0.25)
        size = ois(baseline["risk"], change)
        imp.update(
            optimal_information_size=math.ceil(size),
            ois_assumptions=f"control risk {baseline['risk']:g} ({baseline['basis']}), relative change {change:g}, alpha 0.05, power 0.8",
            meets_ois=bool(participants >= size),
        )
    sig["imprecision"] = imp
    k = pooled.get("k") or 0
    if k >= 10 and fit is not None:
        from metaevidence.stats.bias import egger_test

        t = egger_test(fit)
        sig["publication_bias"] = {
            "k": k,
            "egger_p_value": float(t.p_value),
            "test": "Egger regression (sei)",
        }
    else:
        sig["publication_bias"] = {"k": k, "note": f"small-study tests not run: they need k >= 10 (k = {k})"}
    est = p.get("estimate")
    if transform == "exp" and est:
        sig["large_effect"] = {
            "estimate": est,
            "large": est >= 2 or est <= 0.5,
            "very_large": est >= 5 or est <= 0.2,
        }
    return sig


def _participants(doc: dict) -> int | None:
    total = 0
    for r in doc.get("studies", {}).get("included", []):
        d = r.get("data") or {}
        if d.get("n1i") is not None and d.get("n2i") is not None:
            total += d["n1i"] + d["n2i"]
        elif d.get("ai") is not None:
            total += sum(d[c] for c in ("ai", "bi", "ci", "di"))
        else:
            return None
    return int(round(total)) if total else None


def _flags(cert: dict, sig: dict) -> list[str]:
    def down(d: str) -> int | None:
        j = cert.get(d)
        return None if j is None else j["downgrade"]

    out = []
    hr = sig["risk_of_bias"].get("high_risk_weight_percent")
    if down("risk_of_bias") == 0 and hr is not None and hr > 50:
        out.append(f"risk of bias: not downgraded, but {hr:.0f}% of the weight is from high-risk studies")
    if down("risk_of_bias") == 0 and sig["risk_of_bias"]["not_assessed"]:
        out.append(
            f"risk of bias: not downgraded, but {sig['risk_of_bias']['not_assessed']} studies are not assessed"
        )
    inc = sig.get("inconsistency", {})
    if down("inconsistency") == 0 and ((inc.get("i2_percent") or 0) > 75 or inc.get("pi_crosses_null")):
        out.append("inconsistency: not downgraded, but I² > 75% or the prediction interval crosses the null")
    imp = sig.get("imprecision", {})
    if down("imprecision") == 0 and (
        imp.get("ci_crosses_null") or imp.get("ci_crosses_mid") or imp.get("meets_ois") is False
    ):
        out.append(
            "imprecision: not downgraded, but the CI crosses the null or the MID, or the OIS is not met"
        )
    pb = sig.get("publication_bias", {})
    if down("publication_bias") == 0 and pb.get("egger_p_value") is not None and pb["egger_p_value"] < 0.10:
        out.append(
            f"publication bias: not downgraded, but Egger's test p = {pb['egger_p_value']:.3f} (< 0.10)"
        )
    return out


def _start(cert: dict, designs: list[str]) -> str | None:
    if cert.get("evidence"):
        return cert["evidence"]
    if designs and all(d in _RANDOMISED for d in designs):
        return "randomised"
    return "observational" if designs else None


def certainty_block(
    spec_certainty: dict | None, doc: dict, rob: dict, fit, designs: list[str], baseline: dict | None
) -> dict[str, Any]:
    """The ``certainty`` block of ``results/<id>.json``: level, domains, signals, footnotes, flags."""
    cert = dict(spec_certainty or {})
    sig = _signals(doc, rob, fit, cert, baseline)
    start = _start(cert, designs)
    domains, footnotes, missing = {}, [], []
    points = {"randomised": 4, "observational": 2}.get(start or "", None)
    for d in DOWNGRADE_DOMAINS:
        j = cert.get(d)
        domains[d] = {
            "judgement": None if j is None else j["downgrade"],
            "reason": None if j is None else j.get("reason"),
            "signals": sig.get(d, {}),
        }
        if j is None:
            missing.append(d.replace("_", " "))
        elif points is not None:
            points -= j["downgrade"]
            if j.get("reason"):
                footnotes.append(f"{d.replace('_', ' ').capitalize()}: {j['reason']}")
    for d in UPGRADE_DOMAINS:
        j = cert.get(d)
        domains[d] = {
            "judgement": None if j is None else j["upgrade"],
            "reason": None if j is None else j.get("reason"),
            "signals": sig.get(d, {}),
        }
        if j and j["upgrade"] and points is not None:
            if start == "observational":
                points += j["upgrade"]
                footnotes.append(f"{d.replace('_', ' ').capitalize()} (upgraded): {j['reason']}")
            else:
                footnotes.append(
                    f"{d.replace('_', ' ')}: upgrading applies to observational evidence only; ignored"
                )
    level, status = None, "assessed"
    if doc.get("pooled") is None:
        start = None
        status = (
            "not assessed here: an overview of published pooled results, whose certainty is the source "
            "reviews' own rating (certainty.published, with its locator) -- not re-judged by this project"
        )
    elif start is None:
        status = "not assessed: the starting level is unknown (give certainty.evidence)"
    elif missing:
        why = (
            "no certainty judgements in the spec"
            if not spec_certainty
            else "no judgement for " + ", ".join(missing)
        )
        if rob.get("not_assessed"):
            why += f"; {len(rob['not_assessed'])} of {len(rob.get('studies', []))} studies have no risk-of-bias assessment"
        status = f"not assessed: {why}"
    else:
        level = LEVELS[4 - max(1, min(4, points))]
    published = cert.get("published")
    return {
        "level": level,
        "status": status,
        "start": start,
        "domains": domains,
        "footnotes": footnotes,
        "flags": _flags(cert, sig),
        "published": None
        if published is None
        else {**published, "note": "the source's own rating, not this project's"},
    }
