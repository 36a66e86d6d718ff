"""``metaevidence export``: the evidence base or one analysis's study rows, written atomically.

The formats are in :mod:`metaevidence.io.export`; here the analysis spec is read (for its
outcome, study selection and measure) and the analysis's effect sizes are added to the
metafor-layout rows (``yi_<measure>``, ``vi_<measure>``).
"""

from __future__ import annotations

from pathlib import Path

from metaevidence._fileio import atomic_write
from metaevidence.errors import MetaevidenceError

__all__ = ["export_command"]


def export_command(
    what: str, analysis_id: str | None, fmt: str, output, studies="studies", analyses="analyses"
) -> Path:
    """Write the export; returns the path. Raises MetaevidenceError for a user mistake."""
    from metaevidence.evidence import load_evidence
    from metaevidence.io import export

    evidence = load_evidence(studies)
    outcome, measure, method, random, extra = None, None, "IV", True, None
    if what == "analysis":
        if not analysis_id:
            raise MetaevidenceError(
                "export analysis needs the analysis id: metaevidence export analysis ID -o FILE"
            )
        from metaevidence.workflow.compute import considered
        from metaevidence.workflow.spec import read_spec

        path = Path(analyses) / f"{analysis_id}.yaml"
        if not path.is_file():
            raise MetaevidenceError(f"no analysis spec {path}")
        spec, problems = read_spec(path, evidence=evidence)
        if spec is None:
            raise MetaevidenceError("\n".join(str(p) for p in problems))
        evidence = considered(spec, evidence)
        outcome, measure = spec.studies.outcome, spec.measure
        method = {"mantel-haenszel": "MH", "peto": "PETO"}.get(spec.pooling, "IV")
        random = spec.tau2 not in ("EE", "FE") and method == "IV"
        if fmt == "metafor":
            rows = export.metafor_rows(evidence, outcome)
            try:
                es = evidence.effect_sizes(outcome, measure)
                ids = [str(i) for i in es.study_info.get("study", ())]
                yi = {i: float(y) for i, y in zip(ids, es.yi)}
                vi = {i: float(v) for i, v in zip(ids, es.vi)}
            except (MetaevidenceError, ValueError, KeyError):
                yi = vi = {}
            if yi:
                extra = {
                    f"yi_{measure}": [yi.get(r["id"]) for r in rows],
                    f"vi_{measure}": [vi.get(r["id"]) for r in rows],
                }
    elif analysis_id:
        raise MetaevidenceError("export studies takes no id (did you mean `export analysis ID`?)")
    if fmt == "metafor":
        data = export.metafor_csv(evidence, outcome, extra)
    elif fmt == "revman-csv":
        data = export.revman_csv(
            evidence, outcome, measure=measure, method=method, model="Random" if random else "Fixed"
        )
    else:
        data = export.rm5_document(evidence, outcome, measure=measure, method=method, random=random)
    target = Path(output)
    atomic_write(target, data)
    return target
