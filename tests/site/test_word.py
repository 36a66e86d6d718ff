"""The Word report: summary of findings first, then each analysis's result, forest plot and studies."""

from __future__ import annotations

import io
import json

import docx

from metaevidence.site.build import build_site
from metaevidence.site.model import load_review
from metaevidence.site.word import build_docx

from .conftest import REPO


def test_annex_order_and_content(small, tmp_path):
    build_site(small, tmp_path / "site")
    d = docx.Document(str(tmp_path / "site" / "downloads" / "metaevidence-review.docx"))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[:5] == [
        "Evidence annex",
        "Summary of findings",
        "Footnotes",
        "1. Treatment and mortality",
        "Result",
    ]
    assert headings.index("Studies") > headings.index("Result")
    doc = json.loads((small.results / "mortality.json").read_text())
    p = doc["pooled"]["presentation"]
    text = "\n".join(par.text for par in d.paragraphs)
    assert (
        f"the odds ratio was {p['estimate']:.2f} (95% CI {p['ci_lower']:.2f} to {p['ci_upper']:.2f}" in text
    )
    assert len(d.inline_shapes) == 1  # the forest plot
    # [0] is the summary of findings (every run writes one), [2] the result table
    overview, studies = d.tables[1], d.tables[3]
    assert overview.rows[0].cells[0].text == "Outcome (analysis)"
    assert overview.rows[1].cells[5].text == "not assessed"
    assert [r.cells[0].text for r in studies.rows[1:]] == [r["label"] for r in doc["studies"]["included"]]


def test_same_bytes_every_time_for_the_repository():
    from metaevidence.workflow.run import Paths

    paths = Paths.of(REPO / "studies", REPO / "analyses", REPO / "results", REPO / "figures")
    review = load_review(paths)
    first = build_docx(review, paths)
    assert build_docx(review, paths) == first
    d = docx.Document(io.BytesIO(first))
    titles = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert titles[0] == "Summary of findings"
    assert titles[1:] == [f"{n}. {a.title}" for n, a in enumerate(review.analyses, 1)]
    kinds = [a.kind for a in review.analyses]
    assert kinds == sorted(kinds, key=lambda k: k == "overview")  # syntheses before published overviews
