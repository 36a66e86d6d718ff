"""The ``sequential:`` option of an analysis spec: trial sequential analysis in the living review.

A secondary display beside the conventional result (docs/sequential.md). This module holds
the option's schema (:data:`SEQUENTIAL`, hooked into the spec schema), its parsed form
(:class:`SequentialSpec`) and :func:`sequential_rows`, which computes the looks, the
boundaries and the verdict for ``results/<id>.json``.

The looks are

- ``studies`` (default): the studies in the analysis's cumulative order (``year`` unless
  ``sensitivity.cumulative_order`` says otherwise), one look per study, each look the
  analysis's own model refitted on the studies so far;
- ``updates``: the review's history, one look per committed revision of ``results/<id>.json``
  that has a ``sequential`` block (its current look), then this run. Without a git history
  (no repository, nothing committed yet) the looks fall back to ``studies``, with a note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from metaevidence._schema.rules import AtLeastOne, ForbiddenIf, Together, When
from metaevidence._schema.types import Boolean, Field, Number, Record, Text
from metaevidence.review.sequential import sequential_changes, verdict_text

__all__ = [
    "SEQUENTIAL",
    "SequentialSpec",
    "parse_sequential",
    "sequential_rows",
    "history_looks",
    "sequential_changes",  # the wording lives in review/sequential.py
]

SEQUENTIAL = Record(
    "sequential",
    "Trial sequential analysis (optional, secondary to the conventional result): Lan-DeMets "
    "monitoring boundaries for the cumulative Z curve, the required information size and a "
    "verdict. See docs/sequential.md.",
    (
        Field(
            "control_risk",
            Number(minimum=0, maximum=1, exclusive_minimum=True, exclusive_maximum=True),
            required=False,
            doc="binary outcome: anticipated control-group event proportion (e.g. 0.10)",
        ),
        Field(
            "rrr",
            Number(minimum=-1, maximum=1, exclusive_minimum=True, exclusive_maximum=True),
            required=False,
            doc="binary outcome: anticipated relative risk reduction (e.g. 0.20 for 20%)",
        ),
        Field(
            "difference",
            Number(),
            required=False,
            doc="continuous outcome: anticipated mean difference (or SMD, with sd 1)",
        ),
        Field(
            "sd",
            Number(minimum=0, exclusive_minimum=True),
            required=False,
            doc="continuous outcome: standard deviation (default 1, for an SMD)",
        ),
        Field(
            "alpha",
            Number(minimum=0, maximum=0.5, exclusive_minimum=True),
            required=False,
            doc="two-sided type I error (default 0.05)",
        ),
        Field(
            "beta",
            Number(minimum=0, maximum=0.5, exclusive_minimum=True),
            required=False,
            doc="type II error, 1 - power (default 0.20)",
        ),
        Field(
            "spending",
            Text(choices=("obrien-fleming", "pocock")),
            required=False,
            doc="Lan-DeMets alpha-spending function: obrien-fleming (default) or pocock",
        ),
        Field(
            "heterogeneity",
            Text(choices=("D2", "I2", "none")),
            required=False,
            doc="adjust the required information size for heterogeneity by the diversity D2 "
            "(default) or I2 of the current analysis, or not at all",
        ),
        Field(
            "futility",
            Boolean(),
            required=False,
            doc="draw beta-spending futility boundaries (default true)",
        ),
        Field(
            "looks",
            Text(choices=("studies", "updates")),
            required=False,
            doc="studies (default: one look per study in cumulative order) or updates "
            "(one look per committed revision of results/<id>.json)",
        ),
        Field(
            "benefit",
            Text(choices=("lower", "higher")),
            required=False,
            doc="which direction of the effect is a benefit (e.g. lower for an OR of death); "
            "without it the verdict says 'an effect'",
        ),
    ),
    (
        Together("control_risk", "rrr", "a binary required information size needs both"),
        AtLeastOne(("control_risk", "difference"), "the anticipated effect"),
        ForbiddenIf("difference", When("control_risk"), "give a binary or a continuous effect, not both"),
    ),
)


@dataclass(frozen=True, slots=True)
class SequentialSpec:
    """The parsed ``sequential:`` option (defaults filled in)."""

    control_risk: float | None = None
    rrr: float | None = None
    difference: float | None = None
    sd: float = 1.0
    alpha: float = 0.05
    beta: float = 0.2
    spending: str = "obrien-fleming"
    heterogeneity: str = "D2"
    futility: bool = True
    looks: str = "studies"
    benefit: str | None = None


def parse_sequential(plain: dict | None) -> SequentialSpec | None:
    """A :class:`SequentialSpec` from the validated mapping (None when the option is absent)."""
    if plain is None:
        return None
    return SequentialSpec(
        **{k: (float(v) if isinstance(v, int) and not isinstance(v, bool) else v) for k, v in plain.items()}
    )


def _participants(row: dict) -> float | None:
    d = row.get("data") or {}
    if "n1i" in d and "n2i" in d and d["n1i"] is not None and d["n2i"] is not None:
        return float(d["n1i"]) + float(d["n2i"])
    if "ni" in d and d["ni"] is not None:
        return float(d["ni"])
    return None


def history_looks(results_file: Path) -> list[dict]:
    """The current look of every committed revision of ``results_file`` with a ``sequential``
    block, oldest first (``label`` is the short commit hash); [] without a history.
    """
    from metaevidence.workflow.gitrev import GitError, GitTree, file_revisions, find_repository

    repo = find_repository(results_file.parent)
    if repo is None:
        return []
    revs = file_revisions(repo, results_file)
    rel = results_file.resolve().relative_to(repo.resolve()).as_posix() if revs else ""
    looks = []
    for rev in revs:
        try:
            doc = json.loads(GitTree(repo, rev).read(rel))
        except (GitError, ValueError):
            continue
        block = doc.get("sequential") or {}
        cur = block.get("current")
        if cur and cur.get("participants") and cur.get("z") is not None:
            looks.append({"label": rev[:7], "participants": cur["participants"], "z": cur["z"]})
    return looks


def _required(s: SequentialSpec, fit: Any):
    from metaevidence.core.sequential import diversity
    from metaevidence.stats.sequential import required_information_size

    inc = np.asarray(fit.included, dtype=bool)
    tau2 = float(getattr(fit, "tau2", 0.0) or 0.0)
    if s.heterogeneity == "D2":
        het = diversity(np.asarray(fit.vi)[inc], tau2) if fit.k >= 2 else 0.0
    elif s.heterogeneity == "I2":
        het = float(fit.i2) / 100 if fit.k >= 2 else 0.0
    else:
        het = 0.0
    return required_information_size(
        control_risk=s.control_risk,
        rrr=s.rrr,
        difference=s.difference,
        sd=s.sd,
        alpha=s.alpha,
        beta=s.beta,
        adjustment=s.heterogeneity,
        heterogeneity=min(max(het, 0.0), 0.99),
    )


def sequential_rows(spec, fit, ids, evidence, entries, included, results_file: Path | None = None):
    """The :class:`~metaevidence.stats.sequential.SequentialAnalysis` and its results block."""
    import metaevidence as me
    from metaevidence.stats.sequential import trial_sequential_analysis
    from metaevidence.workflow.secondary import cumulative_order

    s = spec.sequential
    size = _required(s, fit)
    n_of = {r["id"]: _participants(r) for r in included}
    missing = sorted(i for i, n in n_of.items() if n is None)
    if missing:
        raise ValueError(
            f"sequential analysis needs the number of participants of every study; "
            f"not known for {', '.join(missing)}"
        )
    order = cumulative_order(spec, fit, ids, evidence, entries)
    keys = np.full(len(ids), len(ids), dtype=float)
    keys[order] = np.arange(len(order))
    batch = me.cumulative(fit, order=keys)
    z_studies = np.asarray(batch.estimate) / np.asarray(batch.se)
    n_studies = np.cumsum([n_of[ids[i]] for i in order])
    labels = [f"{fit.labels[i]}" for i in order]
    note = None
    looks_used = "studies"
    z, n = z_studies, n_studies
    if s.looks == "updates":
        past = history_looks(results_file) if results_file is not None else []
        past = [p for p in past if p["participants"] < n_studies[-1]]
        if past:
            looks_used = "updates"
            labels = [p["label"] for p in past] + ["this run"]
            z = np.array([p["z"] for p in past] + [z_studies[-1]])
            n = np.array([p["participants"] for p in past] + [n_studies[-1]])
        else:
            note = "no committed history of this analysis with a sequential block yet: looks are the studies"
    # repeated information (a study with no participants recorded twice) cannot be a new look
    keep = np.concatenate([np.diff(n) > 0, [True]])
    z, n, labels = z[keep], n[keep], [lab for lab, k in zip(labels, keep, strict=True) if k]
    res = trial_sequential_analysis(
        z,
        n,
        required_information=size,
        alpha=s.alpha,
        beta=s.beta,
        spending=s.spending,
        futility=s.futility,
        estimate=float(fit.estimate),
        se=float(fit.se),
        labels=labels,
        lower_is_better=None if s.benefit is None else s.benefit == "lower",
    )
    return res, _document(res, s, looks_used, note)


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _document(res, s: SequentialSpec, looks: str, note: str | None) -> dict[str, Any]:
    size = res.size
    looks_rows = [
        {
            "label": res.labels[k],
            "participants": _num(res.information[k]),
            "fraction": _num(res.fractions[k]),
            "z": _num(res.z[k]),
            "boundary": _num(res.upper[k]),
            "futility": None if res.futility is None else _num(res.futility[k]),
        }
        for k in range(res.z.size)
    ]
    first = res.first_crossing
    conv = res.first_conventional
    return {
        "assumptions": {
            "outcome": size.outcome,
            "control_risk": size.control_risk,
            "rrr": size.rrr,
            "difference": size.difference,
            "sd": size.sd,
            "alpha": size.alpha,
            "beta": size.beta,
            "spending": res.spending,
            "sides": 2,
            "heterogeneity": size.adjustment,
            "heterogeneity_value": size.heterogeneity,
            "futility": s.futility,
            "looks": looks,
            "benefit": s.benefit,
        },
        "information_size": {"unadjusted": size.unadjusted, "required": size.required},
        "looks": looks_rows,
        "current": looks_rows[-1],
        "conventional_boundary": res.conventional,
        "first_conventional": None if conv is None else res.labels[conv],
        "first_crossing": None if first is None else res.labels[first],
        "adjusted_ci": {"lower": _num(res.adjusted_ci_lower), "upper": _num(res.adjusted_ci_upper)},
        "verdict": res.verdict,
        "verdict_text": verdict_text(res),
        "information_needed": res.information_needed,
        "note": note,
    }


def sequential_report(doc: dict) -> list[str]:
    """The report section (results/<id>.md) of a ``sequential`` block; [] without one."""
    block = doc.get("sequential")
    if not block:
        return []
    a, size, cur = block["assumptions"], block["information_size"], block["current"]
    if a["outcome"] == "binary":
        effect = f"control event proportion {100 * a['control_risk']:g}%, relative risk reduction {100 * a['rrr']:g}%"
    else:
        effect = f"mean difference {a['difference']:g} (SD {a['sd']:g})"
    het = {"none": "no heterogeneity adjustment", "D2": "adjusted by D²", "I2": "adjusted by I²"}[
        a["heterogeneity"]
    ]
    out = [
        "## Sequential monitoring (secondary; trial sequential analysis)",
        "",
        "Not the main result: the conventional analysis above is (docs/sequential.md).",
        "",
        f"**{block['verdict_text']}**",
        "",
        f"- Assumptions: {effect}; alpha {100 * a['alpha']:g}% (two-sided), power "
        f"{100 * (1 - a['beta']):g}%; {a['spending']} alpha spending (Lan-DeMets).",
        f"- Required information size: {size['required']:,.0f} participants ({het}: "
        f"{100 * a['heterogeneity_value']:.1f}%; unadjusted {size['unadjusted']:,.0f}).",
        f"- Now: {cur['participants']:,.0f} participants ({100 * cur['fraction']:.0f}%), Z = {cur['z']:.2f}"
        + (f", monitoring boundary ±{cur['boundary']:.2f}." if cur.get("boundary") is not None else "."),
        f"- First conventionally significant look: {block['first_conventional'] or 'none'}; first "
        f"look beyond the monitoring boundary: {block['first_crossing'] or 'none'}.",
    ]
    ci = block["adjusted_ci"]
    if ci["lower"] is not None and ci["upper"] is not None:
        from metaevidence.display.text import present

        t = (doc.get("measure") or {}).get("transform")
        lo, hi = present(ci["lower"], t), present(ci["upper"], t)
        out.append(f"- TSA-adjusted {100 * (1 - a['alpha']):g}% confidence interval: {lo:.2f} to {hi:.2f}.")
    if block.get("note"):
        out.append(f"- Note: {block['note']}.")
    return [*out, ""]
