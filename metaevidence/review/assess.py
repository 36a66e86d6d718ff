"""One call for the workflow: the risk-of-bias, certainty and summary-of-findings blocks of an analysis."""

from __future__ import annotations

from typing import Any

from metaevidence.review.certainty import certainty_block
from metaevidence.review.rob import risk_of_bias_block
from metaevidence.review.sof import baseline_risk, sof_row

__all__ = ["assess"]


def assess(spec_certainty: dict | None, document: dict, evidence, outcome: str, fit=None) -> dict[str, Any]:
    """``risk_of_bias``, ``certainty`` and ``summary_of_findings`` blocks for ``results/<id>.json``.

    Parameters
    ----------
    spec_certainty : dict or None
        The spec's ``certainty:`` block (the reviewer's judgements and SoF options).
    document : dict
        The analysis's results document so far (studies, pooled, heterogeneity, measure).
    evidence : EvidenceBase
        The records the analysis selected (for their risk-of-bias assessments and designs).
    outcome : str
        The outcome id the analysis pools (per-result assessments are matched on it).
    fit : MetaAnalysis or None
        The fit, for small-study tests (run only when k >= 10).
    """
    cert = spec_certainty or {}
    included = document.get("studies", {}).get("included", [])
    rob = risk_of_bias_block(included, evidence, outcome)
    base = baseline_risk(cert.get("baseline_risk"), included)
    designs = [evidence[r["id"]].design for r in included]
    certainty = certainty_block(spec_certainty, document, rob, fit, designs, base)
    notes = list(certainty["footnotes"])
    if certainty["level"] is None:
        notes.append(f"Certainty {certainty['status']}.")
    if rob["note"]:
        notes.append(f"Risk of bias: {rob['note']}.")
    if certainty["published"]:
        pub = certainty["published"]
        notes.append(
            f"The source rates this evidence {pub['level']} ({pub['source']}, {pub['locator']}): its rating, not ours."
        )
    certainty["footnotes"] = notes
    row = sof_row(document, certainty, base, cert.get("outcome"))
    if cert.get("comment"):
        row["note"] = "; ".join(x for x in (row.get("note"), cert["comment"]) if x)
    return {"risk_of_bias": rob, "certainty": certainty, "summary_of_findings": row}
