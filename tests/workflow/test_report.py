"""The Markdown report made from a results document (results/<id>.md, metaevidence show)."""

from __future__ import annotations

import pytest

from metaevidence.evidence import load_evidence
from metaevidence.workflow.compute import compute
from metaevidence.workflow.report import conclusion, headline, render_report
from metaevidence.workflow.spec import read_spec
from metaevidence.workflow.store import canonical_json, parse_result

from .conftest import make_bcg_review, spec, write_yaml


@pytest.fixture(scope="module")
def bcg(tmp_path_factory):
    return load_evidence(make_bcg_review(tmp_path_factory.mktemp("bcg")) / "studies")


def _doc(tmp_path, evidence, **extra) -> dict:
    s = spec("bcg", **{"studies": {"outcome": "tuberculosis"}, **extra})
    doc = compute(read_spec(write_yaml(tmp_path / "bcg.yaml", s))[0], evidence).document
    doc = {**doc, "figures": [], "software": {"python": "3", "metaevidence": "0"}}
    return parse_result(canonical_json(doc))  # as read back from results/<id>.json


def test_random_effects_report_in_words_and_numbers(tmp_path, bcg):
    ref = {"source": "Colditz 1994", "estimate": 0.49, "lower": 0.34, "upper": 0.70, "k": 13}
    doc = _doc(
        tmp_path,
        bcg,
        reference=ref,
        studies={
            "outcome": "tuberculosis",
            "exclude": [{"id": "tpt-madras-1980", "reason": "a re-analysis is pending"}],
        },
    )
    text = render_report(doc)
    assert text == render_report(doc)  # same document, same bytes
    assert text.startswith("# Treatment and mortality\n\n*Does treatment reduce deaths?*\n\n## Result\n\n")
    assert (
        "Pooling 12 studies (random-effects inverse-variance model, restricted maximum likelihood (REML) "
        "estimator of tau², Hartung-Knapp (t) confidence interval), the odds ratio was **0.44** (95% CI 0.29 to 0.66; t = -4.40, df = 11, p = 0.001)."
    ) in text
    assert (
        "The pooled odds ratio is below 1 (no effect) and its 95% confidence interval excludes no effect."
        in text
    )
    assert "| 95% prediction interval | 0.12 to 1.57 |" in text
    assert "| tau² | 0.2942 [0.0999, 1.1917] |\n| I² | 86.8% [69.0%, 96.4%] |" in text
    assert "## Studies in the synthesis (12)" in text
    assert "| Aronson and Other 1948 | 1948 | 0.39 (0.12 to 1.26) |" in text
    assert (
        "## Studies not in the synthesis (1)\n\n| study | reason |\n|---|---|\n"
        "| Tpt and Other 1980 | excluded by the analysis: a re-analysis is pending |" in text
    )
    assert "### Leaving out one study at a time" in text and "### Cumulative meta-analysis (by year)" in text
    assert (
        "### Excluding studies at high risk of bias\n\nWithout 2 studies at high risk of bias "
        "(frimodt-moller-1973, stein-1953), the odds ratio was 0.41 (95% CI 0.25 to 0.68; k = 10). 12 of 12 studies "
        "have a risk-of-bias assessment." in text
    )
    assert "## Comparison with the published result\n\n| | this analysis | published (Colditz 1994) |" in text
    assert (
        "The published estimate lies inside this analysis's 95% confidence interval; the two intervals "
        "overlap. Both intervals agree on whether there is an effect." in text
    )
    assert "## How this was computed" in text and "sha256 `" in text
    assert headline(doc) == "OR 0.44 (95% CI 0.29 to 0.66), k = 12, I² = 86.8%"


def test_common_effect_report_has_no_tau2_or_prediction_interval(tmp_path, bcg):
    doc = _doc(tmp_path, bcg, pooling="mantel-haenszel")
    text = render_report(doc)
    assert "Pooling 13 studies (Mantel-Haenszel common-effect model), the odds ratio was **0.62**" in text
    assert "prediction interval" not in text and "tau²" not in text
    assert "| heterogeneity | Q = " in text
    assert "z = " in text and "t = " not in text
    assert headline(doc).startswith("OR 0.62 (95% CI 0.57 to 0.68), k = 13")


def test_reference_outside_and_conclusions(tmp_path, bcg):
    doc = _doc(tmp_path, bcg, reference={"source": "old review", "estimate": 1.1, "lower": 0.9, "upper": 1.3})
    c = doc["reference"]["comparison"]
    assert c["published_in_ci"] is False and c["intervals_overlap"] is False and c["same_conclusion"] is False
    assert c["ratio"] == pytest.approx(doc["pooled"]["presentation"]["estimate"] / 1.1, rel=1e-15)
    text = render_report(doc)
    assert (
        "outside this analysis's 95% confidence interval; the two intervals do not overlap. The intervals "
        "disagree on whether there is an effect." in text
    )
    assert conclusion({"ci_lower": -0.1, "ci_upper": 0.2}) == "includes"
    assert conclusion({"ci_lower": 0.1, "ci_upper": 0.2}) == "excludes"
    assert conclusion({"ci_lower": None, "ci_upper": 0.2}) == "unknown"


def test_subgroups_section(tmp_path, bcg):
    text = render_report(_doc(tmp_path, bcg, subgroups={"by": "outcomes.attributes.alloc"}))
    assert (
        "## Subgroups by `outcomes.attributes.alloc`\n\nEach subgroup pooled with its own tau².\n\n"
        "| subgroup | k | OR (95% CI) | tau² | I² |\n|---|---|---|---|---|\n"
        "| alternate | 2 | 0.54 (0.01 to 58.20) | 0.2421 | 88.7% |\n"
        "| random | 7 | 0.37 (0.20 to 0.70) | 0.4131 | 90.2% |\n"
        "| systematic | 4 | 0.65 (0.20 to 2.12) | 0.4200 | 86.8% |\n\n"
        "Test for subgroup differences: Q = 1.76, df = 2, p = 0.414.\n"
    ) in text


def test_interpretation_comes_first_and_notes_last(tmp_path, bcg):
    doc = _doc(
        tmp_path,
        bcg,
        interpretation="Trials of the 1940s-70s.\n\nNot about **adults** today.",
        notes="Counts from the 1994 review.",
    )
    text = render_report(doc)
    assert text.startswith(
        "# Treatment and mortality\n\n*Does treatment reduce deaths?*\n\n"
        "## What this evidence can and cannot support\n\nTrials of the 1940s-70s.\n\n"
        "Not about **adults** today.\n\n## Result\n\n"
    )
    assert "\n## Notes\n\nCounts from the 1994 review.\n\n## How this was computed" in text
    plain = render_report(_doc(tmp_path, bcg))
    assert "## What this evidence" not in plain and "## Notes" not in plain


def test_one_study_is_reported_as_one_study_not_a_pooled_result(tmp_path, bcg):
    doc = _doc(
        tmp_path,
        bcg,
        tau2="EE",
        ci_method="z",
        studies={"outcome": "tuberculosis", "ids": ["aronson-1948"]},
        reference={"source": "Colditz 1994", "estimate": 0.49, "lower": 0.34, "upper": 0.70, "k": 13},
    )
    text = render_report(doc)
    # Aronson 1948: 4/123 vs 11/139, OR = 4 x 128 / (119 x 11) = 0.391, Woolf SE 0.598, z = -1.57
    assert (
        "One study, so nothing was pooled: its odds ratio was **0.39** (95% CI 0.12 to 1.26; z = -1.57, "
        "p = 0.116: the study's own estimate and normal-theory interval, as no model can be fitted to "
        "one study)."
    ) in text
    assert "| heterogeneity | not applicable (one study) |" in text and "Pooling" not in text
    assert "I²" not in headline(doc) and headline(doc).endswith("k = 1")
    assert (
        "The published result pooled 13 studies, this analysis 1: they are different syntheses, and "
        "agreement between them is not a replication."
    ) in text
