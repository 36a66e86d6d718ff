"""The site: every page there, links relative, downloads complete, same bytes every build."""

from __future__ import annotations

import csv
import io
import json
import math
import re

import pytest

from metaevidence.cli import main
from metaevidence.site.build import MARKER, build_site
from metaevidence.site.model import SiteError, load_review
from metaevidence.workflow.run import Paths

from .conftest import run_review


def test_pages_and_downloads_of_a_small_review(small, tmp_path):
    out = tmp_path / "site"
    report = build_site(small, out)
    assert set(report.pages) == {
        "index.html",
        "summary-of-findings.html",
        "analyses/mortality.html",
        *(f"studies/{p.stem}.html" for p in small.studies.glob("*.yaml")),
    }
    for rel in (
        "assets/style.css",
        "assets/site.js",
        "downloads/metaevidence-review.docx",
        "downloads/mortality/mortality.json",
        "downloads/mortality/mortality-studies.csv",
        "downloads/mortality/forest.svg",
        "downloads/mortality/forest.png",
        MARKER,
    ):
        assert (out / rel).is_file(), rel
    assert (out / "downloads/mortality/mortality.json").read_bytes() == (
        small.results / "mortality.json"
    ).read_bytes()
    doc = json.loads((small.results / "mortality.json").read_text())
    rows = list(csv.DictReader(io.StringIO((out / "downloads/mortality/mortality-studies.csv").read_text())))
    assert [r["id"] for r in rows] == [r["id"] for r in doc["studies"]["included"]]
    assert [float(r["yi (log odds ratio)"]) for r in rows] == [r["yi"] for r in doc["studies"]["included"]]
    assert [int(r["participants"]) for r in rows] == [
        int(r["data"]["n1i"] + r["data"]["n2i"]) for r in doc["studies"]["included"]
    ]


def test_index_shows_each_analysis_with_its_numbers(small, tmp_path):
    build_site(small, tmp_path / "site")
    html = (tmp_path / "site" / "index.html").read_text()
    doc = json.loads((small.results / "mortality.json").read_text())
    p = doc["pooled"]["presentation"]
    total = sum(int(r["data"]["n1i"] + r["data"]["n2i"]) for r in doc["studies"]["included"])
    assert f"OR {p['estimate']:.2f} (95% CI {p['ci_lower']:.2f} to {p['ci_upper']:.2f})" in html
    assert f">{total:,}<" in html
    assert "Does treatment reduce deaths?" in html
    assert 'href="analyses/mortality.html"' in html
    assert (
        "unknown (not in a git repository)" in html
    )  # the review in tmp_path is outside git: said, not guessed


def test_analysis_page_inlines_figures_with_alt_text_and_links_studies(small, tmp_path):
    build_site(small, tmp_path / "site")
    html = (tmp_path / "site" / "analyses" / "mortality.html").read_text()
    assert html.count("<svg") == 1 and 'role="img"' in html
    desc = re.search(r'<desc id="fig0-desc">([^<]*)</desc>', html).group(1)
    assert desc.startswith("Forest plot of 5 studies, pooled OR ")
    first = json.loads((small.results / "mortality.json").read_text())["studies"]["included"][0]
    assert f"{first['label']}: OR {math.exp(first['yi']):.2f} (" in desc
    for sid in ("adams-2001", "evans-2016"):
        assert f'href="../studies/{sid}.html"' in html
    assert 'id="study-table"' in html and 'aria-sort="none"' in html
    assert "Result</h3>" in html  # the report in words


def test_no_network_reference_in_any_page(small, tmp_path):
    build_site(small, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        text = page.read_text()
        for attr in re.findall(r'(?:src|href)="([^"]+)"', text):
            assert not re.match(r"^(https?:)?//", attr), (page, attr)


def test_study_page_shows_every_number_with_its_source_and_the_gaps(small, tmp_path):
    build_site(small, tmp_path / "site")
    html = (tmp_path / "site" / "studies" / "adams-2001.html").read_text()
    for field, value in (("experimental.events", 12), ("experimental.total", 100), ("control.events", 20)):
        assert f"<code>{field}</code></th><td>{value}</td><td>Table 2; adams-2001 paper</td>" in html
    assert "None recorded." in html  # complete record: no gaps
    assert 'href="../analyses/mortality.html"' in html


def test_the_repository_site_shows_gaps_and_every_result(repo_site):
    from .conftest import REPO

    results = sorted(p.stem for p in (REPO / "results").glob("*.json"))
    assert sorted(p.stem for p in (repo_site / "analyses").glob("*.html")) == results
    ahern = (repo_site / "studies" / "ahern-1990.html").read_text()
    assert "study design (not given in Holt-Lunstad 2010 Table 1)" in ahern
    assert "<code>log_estimate</code></th><td>0.27</td>" in ahern


def test_same_bytes_every_build_and_stale_files_removed(small, tmp_path):
    out = tmp_path / "site"
    first = build_site(small, out)
    snapshot = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "analyses" / "gone.html").write_text("old page")
    again = build_site(small, out)
    assert again.written == 0 and again.removed == 1 and first.written == len(snapshot)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot


def test_refuses_a_folder_it_did_not_make(small, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(SiteError, match=r"is not empty and was not made by `metaevidence site`"):
        build_site(small, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_no_results_is_one_clear_error(tmp_path, capsys):
    assert main(["site", "--results", str(tmp_path / "none"), "--out", str(tmp_path / "s")]) == 1
    assert "holds no results (*.json): run `metaevidence run` first" in capsys.readouterr().err


def test_certainty_and_summary_of_findings_when_present(tmp_path):
    paths = run_review(tmp_path / "review", figures=())
    doc_path = paths.results / "mortality.json"
    doc = json.loads(doc_path.read_text())
    doc["certainty"] = {  # the shape review/certainty.py writes (docs/certainty.md)
        "level": "moderate",
        "status": "assessed",
        "start": "randomised",
        "domains": {
            "imprecision": {"judgement": 1, "reason": "few events", "signals": {"i2_percent": 12.34}}
        },
        "footnotes": ["Imprecision: few events."],
    }
    doc_path.write_text(json.dumps(doc))
    (paths.results / "summary-of-findings.md").write_text(
        "# Summary of findings\n\n| outcome | effect | certainty |\n|---|---|---|\n| mortality | OR 0.6 | moderate |\n"
    )
    build_site(paths, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert 'href="summary-of-findings.html"' in index and '<td data-label="Certainty">moderate</td>' in index
    sof = (tmp_path / "site" / "summary-of-findings.html").read_text()
    assert "<td>mortality</td><td>OR 0.6</td><td>moderate</td>" in sof
    page = (tmp_path / "site" / "analyses" / "mortality.html").read_text()
    assert "<dt>imprecision</dt><dd>1 -- few events; signals: i2 percent 12.3</dd>" in page


def test_without_certainty_the_pages_say_not_assessed(small, tmp_path):
    build_site(small, tmp_path / "site")
    # run writes a summary of findings for every analysis; without judgements it says so
    sof = (tmp_path / "site" / "summary-of-findings.html").read_text()
    assert "not assessed" in sof.lower()
    assert (
        "<dt>Certainty</dt><dd>not assessed</dd>"
        in (tmp_path / "site" / "analyses" / "mortality.html").read_text()
    )


def test_run_site_builds_after_running(tmp_path, monkeypatch, capsys):
    from tests.workflow.conftest import make_review, spec

    root = make_review(tmp_path / "r", specs=[spec()])
    monkeypatch.chdir(root)
    assert main(["run", "--site", "-q"]) == 0
    assert "site: 8 pages in site" in capsys.readouterr().out
    assert (root / "site" / "index.html").is_file()
    assert load_review(Paths.of()).analyses[0].id == "mortality"


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_text_colours_meet_wcag_aaa_contrast():
    from importlib import resources

    css = resources.files("metaevidence.site").joinpath("static", "style.css").read_text()
    colours = dict(re.findall(r"--(\w+):\s*(#[0-9a-f]{6})", css))
    for fg in ("text", "muted", "link"):
        for bg in ("#ffffff", colours["band"]):
            a, b = sorted((_luminance(colours[fg]), _luminance(bg)), reverse=True)
            assert (a + 0.05) / (b + 0.05) >= 7.0, (fg, bg)
