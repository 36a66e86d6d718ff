"""Risk of bias beside the forest plot, a traffic-light plot, the GRADE signals and a SoF table,
for the aspirin-after-myocardial-infarction trials of a real RevMan 5 file.

Source: ``Fleiss1993.rm5`` (shared/data/revman; a RevMan 5 review file distributed with the R
package meta, inst/extdata; trial data from Fleiss JL (1993), Stat Methods Med Res 2:121-145).
The file's own risk-of-bias table (``QUALITY_ITEMS``, Cochrane RoB 1 items of RevMan 5.0) is
read as it is: it judges one item, "Allocation concealment?" (``QIT-02``), as UNKNOWN (RevMan's
"unclear risk") for every trial, and leaves the other five items empty. Empty items stay
**not assessed** -- they are never shown as low risk -- and no judgement is added.

The walkthrough writes the review as study records and an analysis spec in a temporary folder,
runs ``metaevidence run`` on it (Mantel-Haenszel odds ratio, common effect, as the RevMan file's
analysis CMP-001.01), and copies the figures, the certainty block and the summary-of-findings
table here. The spec gives no GRADE judgements (nobody has published any for this teaching
file): the certainty shows the signals the tool computes and stays "not assessed".

Usage (from the repository root)::

    python examples/aspirin-rob/walkthrough.py
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import defusedxml.ElementTree as ET
import yaml

HERE = Path(__file__).resolve().parent
RM5 = HERE.parents[1].parent / "shared" / "data" / "revman" / "Fleiss1993.rm5"
RESULT = {"YES": "low", "NO": "high", "UNKNOWN": "unclear"}  # RevMan 5.0 answers -> RoB 1 judgements
ITEMS = {  # RevMan 5.0 item names -> RoB 1 domain ids (metaevidence.evidence.robtools)
    "Adequate sequence generation?": "sequence-generation",
    "Allocation concealment?": "allocation-concealment",
    "Blinding?": "blinding",
    "Incomplete outcome data addressed?": "incomplete-data",
    "Free of selective reporting?": "selective-reporting",
    "Free of other bias?": "other-bias",
}


def _rm5(path: Path = RM5):
    root = ET.parse(path).getroot()
    studies = {s.get("ID"): (s.get("NAME"), int(s.get("YEAR"))) for s in root.iter("STUDY")}
    outcome = next(o for o in root.iter("DICH_OUTCOME") if o.get("ID") == "CMP-001.01")
    rows = [d.attrib for d in outcome.iter("DICH_DATA")]
    rob: dict[str, list[dict]] = {}
    for item in root.iter("QUALITY_ITEM"):
        name = item.findtext("NAME")
        for entry in item.iter("QUALITY_ITEM_DATA_ENTRY"):
            rob.setdefault(entry.get("STUDY_ID"), []).append(
                {
                    "domain": ITEMS[name],
                    "judgement": RESULT[entry.get("RESULT")],
                    "provenance": {
                        "source": "Fleiss1993.rm5 (RevMan 5 file distributed with R package meta)",
                        "locator": f"QUALITY_ITEMS, {item.get('ID')} '{name}', RESULT={entry.get('RESULT')}",
                    },
                }
            )
    return studies, rows, outcome.findtext("NAME"), rob


def _slug(name: str, year: int) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") + f"-{year}"


def write_review(root: Path) -> None:
    studies, rows, outcome_name, rob = _rm5()
    (root / "studies").mkdir(parents=True)
    (root / "analyses").mkdir()
    for r in rows:
        name, year = studies[r["STUDY_ID"]]
        rec = {
            "id": _slug(name, year),
            "citation": {
                "authors": [f"{name} trial"],
                "year": year,
                "as_cited": f"{name} {year}",
            },
            "design": "rct",
            "population": "people after myocardial infarction",
            "outcomes": [
                {
                    "outcome": "death",
                    "label": outcome_name,
                    "comparison": {"experimental": "aspirin", "control": "placebo"},
                    "timepoint": "end of follow-up (not stated in the file)",
                    "data": {
                        "kind": "binary",
                        "experimental": {"events": int(r["EVENTS_1"]), "total": int(r["TOTAL_1"])},
                        "control": {"events": int(r["EVENTS_2"]), "total": int(r["TOTAL_2"])},
                    },
                    "provenance": {
                        "source": "Fleiss1993.rm5 (Fleiss 1993, Stat Methods Med Res 2:121-145)",
                        "locator": f"DICH_OUTCOME CMP-001.01, DICH_DATA {r['STUDY_ID']}",
                        "confidence": "secondary",
                    },
                }
            ],
            "notes": f"Trial as listed in Fleiss1993.rm5 (study {r['STUDY_ID']}); no reference details in the file.",
            "extraction": {
                "status": "complete",
                "by": "examples/aspirin-rob/walkthrough.py",
                "date": "2026-12-03",
            },
        }
        if r["STUDY_ID"] in rob:
            # the file gives item judgements only; RoB 1 has no overall item, so none is recorded
            rec["risk_of_bias"] = {
                "tool": "RoB 1",
                "results": [{"outcome": "death", "domains": rob[r["STUDY_ID"]]}],
                "provenance": {"source": "Fleiss1993.rm5", "locator": "QUALITY_ITEMS"},
            }
        (root / "studies" / f"{rec['id']}.yaml").write_text(
            yaml.safe_dump(rec, sort_keys=False), encoding="utf-8"
        )
    spec = {
        "id": "aspirin-death",
        "title": "Aspirin after myocardial infarction: death",
        "question": "Does aspirin after myocardial infarction reduce deaths?",
        "studies": {"outcome": "death"},
        "measure": "OR",
        "pooling": "mantel-haenszel",
        "figures": {"draw": ["forest"], "formats": ["png"], "forest": {"sort": "year"}},
        "certainty": {"outcome": "Death (Fleiss 1993 aspirin trials)"},
    }
    (root / "analyses" / "aspirin-death.yaml").write_text(
        yaml.safe_dump(spec, sort_keys=False), encoding="utf-8"
    )


def main() -> None:
    from metaevidence.workflow.run import Paths, run_analyses

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_review(root)
        paths = Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")
        report = run_analyses(paths)
        assert report.ok, report.summary()
        for f in (root / "figures" / "aspirin-death").glob("*.png"):
            shutil.copy(f, HERE / f"aspirin-{f.name}")
        shutil.copy(root / "figures" / "summary-of-findings.png", HERE / "aspirin-summary-of-findings.png")
        shutil.copy(root / "results" / "summary-of-findings.md", HERE / "summary-of-findings.md")
        doc = json.loads((root / "results" / "aspirin-death.json").read_text(encoding="utf-8"))
        keep = {k: doc[k] for k in ("pooled", "risk_of_bias", "certainty", "summary_of_findings")}
        (HERE / "aspirin-death.json").write_text(
            json.dumps(keep, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
