"""Figures of a run: drawn as the spec asks, byte-stable, hashed in the results, kept in step."""

from __future__ import annotations

import io
import json
import math

from metaevidence.workflow.canonical import numbers_agree
from metaevidence.workflow.commands import run_command
from metaevidence.workflow.run import Paths, check_results
from metaevidence.workflow.store import sha256_hex
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM

from .conftest import make_review, snapshot, spec, write_yaml


def _paths(root):
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def _run(root) -> int:
    return run_command(_paths(root), (), quiet=True, out=io.StringIO(), err=io.StringIO())


FIGURES = {
    "draw": ["forest", "funnel", "cumulative", "leave-one-out"],
    "formats": ["svg"],
    "forest": {"sort": "year", "beneficial": False, "title": "Deaths"},
}


def test_forest_with_subgroups(tmp_path):
    from .conftest import make_bcg_review

    root = make_bcg_review(
        tmp_path,
        specs=[
            spec(
                "bcg",
                studies={"outcome": "tuberculosis"},
                subgroups={"by": "outcomes.attributes.alloc"},
                figures={"draw": ["forest"], "formats": ["svg"]},
            )
        ],
    )
    assert _run(root) == 0
    svg = (root / "figures" / "bcg" / "forest.svg").read_bytes()
    assert b"Test for subgroup differences" in svg and b"systematic" in svg


def test_figures_are_written_hashed_and_byte_stable(tmp_path):
    root = make_review(tmp_path, specs=[spec("m", figures=FIGURES)])
    assert _run(root) == 0
    figs = snapshot(root / "figures")
    sof = ["summary-of-findings.png", "summary-of-findings.svg"]  # the table over every analysis
    assert sorted(figs) == ["m/cumulative.svg", "m/forest.svg", "m/funnel.svg", "m/leave-one-out.svg", *sof]
    doc = json.loads((root / "results" / "m.json").read_text(encoding="utf-8"))
    assert [(f["name"], f["file"], f["format"]) for f in doc["figures"]] == [
        ("forest", "forest.svg", "svg"),
        ("funnel", "funnel.svg", "svg"),
        ("cumulative", "cumulative.svg", "svg"),
        ("leave-one-out", "leave-one-out.svg", "svg"),
    ]
    for f in doc["figures"]:
        assert f["sha256"] == sha256_hex(figs[f"m/{f['file']}"])
    assert b"Deaths" in figs["m/forest.svg"]
    report = (root / "results" / "m.md").read_text(encoding="utf-8")
    assert "![forest plot](../figures/m/forest.svg)" in report  # only SVG written: the SVG embedded
    assert "[PNG]" not in report and ".png)" not in report.replace("summary-of-findings.png", "")
    assert _referenced(report) == {f"m/{f['file']}" for f in doc["figures"]}  # each one written
    assert _run(root) == 0
    assert snapshot(root / "figures") == figs


def _referenced(report: str) -> set[str]:
    """The figure files a report links or embeds, relative to figures/."""
    import re

    return set(re.findall(r"\]\(\.\./figures/([^)]+)\)", report))


def test_the_report_embeds_the_png_of_the_default_formats_and_links_the_svg(tmp_path):
    root = make_review(tmp_path, specs=[spec("m", figures={"draw": ["forest", "funnel"]})])
    assert _run(root) == 0  # figures: {formats: ...} defaults to [svg, png]
    doc = json.loads((root / "results" / "m.json").read_text(encoding="utf-8"))
    assert {f["format"] for f in doc["figures"]} == {"svg", "png"}
    report = (root / "results" / "m.md").read_text(encoding="utf-8")
    assert "![forest plot](../figures/m/forest.png)" in report  # pandoc and Word embed a PNG
    assert "The forest plot as [SVG](../figures/m/forest.svg)." in report
    written = set(snapshot(root / "figures"))
    assert _referenced(report) == {f"m/{f['file']}" for f in doc["figures"]} <= written


def test_figures_follow_the_spec_and_check_notices_tampering(tmp_path):
    root = make_review(tmp_path, specs=[spec("m", figures=FIGURES)])
    assert _run(root) == 0
    (root / "figures" / "m" / "funnel.svg").write_bytes(b"<svg/>")
    (root / "figures" / "m" / "extra.svg").write_bytes(b"<svg/>")
    (out,) = check_results(_paths(root)).outcomes
    assert out.status == "stale"
    assert "funnel.svg does not match its results" in out.detail
    assert "holds figures its results do not list: extra.svg" in out.detail
    write_yaml(root / "analyses" / "m.yaml", spec("m", figures={**FIGURES, "draw": ["forest"]}))
    (root / "figures" / "m" / "funnel.png").write_bytes(b"left by an interrupted run")
    assert _run(root) == 0
    assert sorted(snapshot(root / "figures")) == [  # files it never wrote stay
        "m/extra.svg",
        "m/forest.svg",
        "summary-of-findings.png",
        "summary-of-findings.svg",
    ]
    write_yaml(root / "analyses" / "m.yaml", spec("m"))  # figures: {draw: []}
    (root / "figures" / "m" / "extra.svg").unlink()
    assert _run(root) == 0
    assert not (root / "figures" / "m").exists()


def test_overview_draws_the_published_summaries(tmp_path):
    root = make_review(tmp_path, specs=[])
    summary = {
        "kind": "summary",
        "measure": "OR",
        "estimate": 0.7,
        "lower": 0.55,
        "upper": 0.9,
        "level": 0.95,
        "k": 12,
        "model": "random-effects",
    }
    rec = {
        "id": "smith-2019",
        "design": "meta-analysis",
        "population": "trials",
        "citation": {"authors": ["Smith A"], "year": 2019, "doi": "10.1000/smith"},
        "outcomes": [
            {
                "outcome": "mortality",
                "label": "all trials",
                "comparison": {"experimental": "t", "control": "c"},
                "timepoint": "end",
                "data": summary,
                "provenance": {"source": "Smith 2019", "locator": "abstract", "confidence": "primary"},
            },
            {
                "outcome": "mortality",
                "subgroup": "low risk of bias",
                "comparison": {"experimental": "t", "control": "c"},
                "timepoint": "end",
                "data": {**summary, "estimate": 0.8, "lower": 0.6, "upper": 1.07, "k": 5},
                "provenance": {"source": "Smith 2019", "locator": "Table 3", "confidence": "primary"},
            },
            {
                "outcome": "mortality",
                "subgroup": "no interval",
                "comparison": {"experimental": "t", "control": "c"},
                "timepoint": "end",
                "data": {"kind": "summary", "measure": "OR", "estimate": 0.75, "model": "not-reported"},
                "provenance": {"source": "Smith 2019", "locator": "text", "confidence": "primary"},
            },
        ],
        "extraction": {"status": "complete", "by": "t", "date": "2026-11-27"},
    }
    write_yaml(root / "studies" / "smith-2019.yaml", rec)
    write_yaml(
        root / "analyses" / "o.yaml",
        {
            "id": "o",
            "kind": "overview",
            "title": "Overview",
            "question": "What did reviews find?",
            "studies": {"outcome": "mortality"},
            "figures": {"formats": ["svg"]},
        },
    )
    assert _run(root) == 0
    doc = json.loads((root / "results" / "o.json").read_text(encoding="utf-8"))
    assert doc["pooled"] is None and doc["sensitivity"] is None
    assert [(r["id"], r["subgroup"], r["estimate"]) for r in doc["studies"]["included"]] == [
        ("smith-2019", None, 0.7),
        ("smith-2019", "low risk of bias", 0.8),
        ("smith-2019", "no interval", 0.75),
    ]
    assert len(doc["studies"]["excluded"]) == 5  # the five trials: not published summaries
    assert doc["studies"]["excluded"][0]["reason"] == (
        "not a published summary (binary data): an overview shows published pooled results only"
    )
    svg = (root / "figures" / "o" / "forest.svg").read_bytes()
    assert b"low risk of bias" in svg and b"no interval" not in svg  # no interval: in the table only
    assert b"Published, 95% CI" in svg and b"Each row is a published pooled result" in svg
    assert b"Random" not in svg and b"REML" not in svg and b"Tau" not in svg
    # one source: its rows are named by what they are, the groups by the records' comparison
    assert b"Smith 2019: low risk" not in svg and b"Favours t" in svg
    report = (root / "results" / "o.md").read_text(encoding="utf-8")
    assert "Shown side by side and never pooled" in report
    assert (
        "| Smith 2019 | low risk of bias | end | OR 0.80 (95% CI 0.60 to 1.07) | 5 | -- | random-effects |"
        in report
    )


def test_subgroup_forest_shows_the_reports_prediction_interval_and_the_note(tmp_path):
    from metaevidence.plots.labels import format_interval

    from .conftest import make_bcg_review

    note = "Partial extraction: 13 of 148 trials"
    root = make_bcg_review(
        tmp_path,
        specs=[
            spec(
                "bcg",
                studies={"outcome": "tuberculosis"},
                subgroups={"by": "outcomes.attributes.alloc"},
                figures={"draw": ["forest"], "formats": ["svg"], "forest": {"note": note}},
            )
        ],
    )
    assert _run(root) == 0
    doc = json.loads((root / "results" / "bcg.json").read_text(encoding="utf-8"))
    p = doc["pooled"]["presentation"]
    assert doc["pooled"]["pi_method"] == "hts"
    svg = (root / "figures" / "bcg" / "forest.svg").read_text(encoding="utf-8")
    # the total's prediction interval is the main fit's (t on k - 2 df), as in the report
    assert format_interval(p["pi_lower"], p["pi_upper"]) in svg
    assert note in svg


def test_overview_rows_alike_are_told_apart_by_timepoint_and_unusable_entries_say_why(tmp_path):
    root = make_review(tmp_path, specs=[])
    rows = [
        {
            "outcome": "days",
            "subgroup": "AA vs other",
            "comparison": {"experimental": "AA", "control": "other"},
            "timepoint": f"{m} months",
            "data": {
                "kind": "summary",
                "measure": "MD",
                "estimate": est,
                "lower": est - 5,
                "upper": est + 5,
                "level": 0.95,
                "model": "random-effects",
            },
            "provenance": {"source": "Review", "locator": "text", "confidence": "primary"},
        }
        for m, est in ((12, 3.0), (24, 12.9))
    ]
    write_yaml(
        root / "studies" / "kelly-2020.yaml",
        {
            "id": "kelly-2020",
            "design": "systematic-review",
            "population": "adults",
            "citation": {"authors": ["Kelly J"], "year": 2020, "doi": "10.1000/kelly"},
            "outcomes": rows,
            "extraction": {
                "status": "partial",
                "missing": ["per-study data"],
                "by": "t",
                "date": "2026-11-27",
            },
        },
    )
    write_yaml(
        root / "studies" / "litt-2009.yaml",
        {
            "id": "litt-2009",
            "design": "rct",
            "population": "adults",
            "citation": {"authors": ["Litt M"], "year": 2009, "doi": "10.1000/litt"},
            "outcomes": [
                {
                    "outcome": "days",
                    "data": {"kind": "none", "reason": "no arm-level numbers available"},
                    "provenance": {"source": "Litt 2009", "locator": "abstract", "confidence": "primary"},
                }
            ],
            "extraction": {
                "status": "partial",
                "missing": ["arm-level data"],
                "by": "t",
                "date": "2026-11-27",
            },
        },
    )
    write_yaml(
        root / "analyses" / "o.yaml",
        {
            "id": "o",
            "kind": "overview",
            "title": "Overview",
            "question": "What did reviews find?",
            "studies": {"outcome": "days"},
            "figures": {"formats": ["svg"]},
        },
    )
    assert _run(root) == 0
    svg = (root / "figures" / "o" / "forest.svg").read_bytes()
    assert b"AA vs other, 12 months" in svg and b"AA vs other, 24 months" in svg
    assert b"Favours AA" in svg
    report = (root / "results" / "o.md").read_text(encoding="utf-8")
    assert "| Litt 2009 | no extractable effect: no arm-level numbers available |" in report
    assert "| Kelly 2020 | AA vs other | 24 months | MD 12.90 (95% CI 7.90 to 17.90) |" in report


def _correlation_review(root, specs):
    """Five of Molloy 2014's correlations (conscientiousness and adherence) as records."""
    from metaevidence.datasets import load_molloy2014

    d = load_molloy2014().head(5)
    for i, row in enumerate(d.itertuples(index=False)):
        sid = f"study-{i + 1}"
        write_yaml(
            root / "studies" / f"{sid}.yaml",
            {
                "id": sid,
                "design": "cross-sectional",
                "population": "patients",
                "citation": {"authors": [row.authors], "year": int(row.year), "doi": f"10.1000/{sid}"},
                "outcomes": [
                    {
                        "outcome": "adherence",
                        "timepoint": "baseline",
                        "data": {"kind": "correlation", "r": float(row.ri), "n": int(row.ni)},
                        "provenance": {
                            "source": "Molloy 2014",
                            "locator": "Table 1",
                            "confidence": "primary",
                        },
                    }
                ],
                "extraction": {"status": "complete", "by": "t", "date": "2026-11-27"},
            },
        )
    for s in specs:
        write_yaml(root / "analyses" / f"{s['id']}.yaml", s)
    return root


def test_a_correlation_analysis_is_shown_in_r_in_report_and_figure(tmp_path):
    from metaevidence.display.text import fmt_ci, fmt_effect

    root = _correlation_review(
        tmp_path,
        [
            spec(
                "c",
                studies={"outcome": "adherence"},
                measure="ZCOR",
                figures={"draw": ["forest", "funnel"], "formats": ["svg"]},
            )
        ],
    )
    assert _run(root) == 0
    doc = json.loads((root / "results" / "c.json").read_text(encoding="utf-8"))
    p = doc["pooled"]
    assert doc["measure"]["transform"] == "tanh"
    # both sides are published numbers: tanh of the rounded estimate, rounded, agrees within
    # the canonical tolerance (not to the bit: each is rounded to 12 digits on its own)
    assert numbers_agree(p["presentation"]["estimate"], math.tanh(p["estimate"]))
    report = (root / "results" / "c.md").read_text(encoding="utf-8")
    assert f"**{fmt_effect(p['estimate'], 'tanh')}**" in report
    assert fmt_ci(p["ci_lower"], p["ci_upper"], "tanh") in report
    # the figures show the same r as the report, on a Fisher's z axis
    for name in ("forest", "funnel"):
        svg = (root / "figures" / "c" / f"{name}.svg").read_bytes()
        assert b"Correlation (r; pooled on Fisher" in svg
    forest = (root / "figures" / "c" / "forest.svg").read_bytes()
    lower, upper = fmt_ci(p["ci_lower"], p["ci_upper"], "tanh").split(" to ")
    assert f">{fmt_effect(p['estimate'], 'tanh')}</text>".encode() in forest  # SVG text is text
    assert f">[{lower}, {upper}]</text>".encode() in forest


def test_an_overview_of_correlations_shows_the_published_r(tmp_path):
    from metaevidence.workflow.secondary import summaries_batch

    rows = [
        {
            "measure": "ZCOR",
            "estimate": 0.3,
            "lower": 0.2,
            "upper": 0.4,
            "level": 0.95,
            "k": 7,
            "label": "Smith 2019",
            "subgroup": None,
            "entry_label": None,
            "timepoint": None,
        }
    ]
    batch = summaries_batch(rows)
    # published on the natural scale (r): the batch holds Fisher's z, the figure shows r again
    # np.arctanh in the batch vs math.atanh here: equal within CLOSED_FORM, not to the bit
    assert_close([batch.estimate[0], batch.ci_upper[0]], [math.atanh(0.3), math.atanh(0.4)], CLOSED_FORM)
    from metaevidence.plots import forest_table

    table = forest_table(batch, published=True)
    assert_close(
        table.loc[table.kind == "step", ["estimate", "ci_lower", "ci_upper"]].to_numpy().ravel(),
        [0.3, 0.2, 0.4],
        CLOSED_FORM,
    )
