"""The work behind the evidence commands: validate_all (given the analysis-spec checker),
studies_table, new_study and the template."""

from __future__ import annotations

import datetime as dt

import pytest

from metaevidence._schema.yamlload import parse_yaml
from metaevidence.errors import RecordProblem
from metaevidence.evidence import load_evidence
from metaevidence.evidence.commands import new_study, studies_table, template_text, validate_all
from metaevidence.evidence.schema import check_study

from .conftest import record, write


def test_validate_all_clean_without_spec_checker(studies_dir):
    write(studies_dir, record(kinds=("binary", "log_se")))
    report = validate_all(studies_dir, studies_dir.parent / "analyses")
    assert report.ok and report.problems == () and not report.analyses_checked
    assert report.evidence is not None and report.n_outcomes == 2
    assert report.summary() == (
        "no problems: 1 study record (2 outcome entries); analyses not checked (no spec checker given)"
    )


def test_validate_all_counts_problems_and_files(studies_dir):
    write(studies_dir, record("doe-2020", design="trial"))
    write(studies_dir, record("roe-2020", population=""))
    write(studies_dir, record("poe-2020"))
    report = validate_all(studies_dir, None)
    assert not report.ok and len(report.problems) == 2 and report.evidence is None
    assert (
        report.summary()
        == "2 problems in 2 files; checked 3 study records; analyses not checked (none given)"
    )


def test_the_spec_checker_is_given_the_folder_and_the_evidence(studies_dir):
    seen = {}

    def check_specs(folder, evidence):
        seen["args"] = (folder, evidence)
        return [RecordProblem(folder / "a.yaml", 3, "measure", "must be one of: OR; got 'XX'")]

    write(studies_dir, record())
    analyses = studies_dir.parent / "analyses"
    report = validate_all(studies_dir, analyses, check_specs=check_specs)
    assert report.analyses_checked and len(report.problems) == 1
    assert seen["args"][0] == analyses and seen["args"][1] is report.evidence
    assert report.summary() == (
        "1 problem in 1 file; checked 1 study record (1 outcome entry); no analyses "
        f"folder ({analyses}/): no specs to check"
    )
    analyses.mkdir()
    (analyses / "a.yaml").write_text("id: a\n", encoding="utf-8")
    report = validate_all(studies_dir, analyses, check_specs=check_specs)
    assert report.summary().endswith(f"; 1 analysis spec in {analyses}/ checked")
    assert validate_all(studies_dir, analyses, check_specs=lambda folder, evidence: []).ok


def test_studies_table(studies_dir):
    write(studies_dir, record("doe-2020", kinds=("binary", "log_se")))
    write(
        studies_dir,
        record(
            "roe-2018",
            kinds=("none",),
            design="cohort",
            extraction={"status": "partial", "missing": ["all"], "by": "x", "date": "2026-01-02"},
        ),
    )
    table = studies_table(load_evidence(studies_dir))
    assert table.splitlines() == [
        "id        year  design  outcomes  data kind       extraction",
        "--------  ----  ------  --------  --------------  -------------------",
        "doe-2020  2020  rct            2  binary, log_se  complete",
        "roe-2018  2020  cohort         1  none            partial (1 missing)",
        "2 studies, 3 outcome entries",
    ]


def test_new_study_writes_a_template_that_lists_what_to_fill_in(studies_dir):
    path = new_study("smith-2024", studies_dir, today=dt.date(2026, 11, 27))
    assert path == studies_dir / "smith-2024.yaml"
    text = path.read_text(encoding="utf-8")
    assert "id: smith-2024 " in text and "date: 2026-11-27" in text
    tree, problems = parse_yaml(text, path)
    assert problems == []
    found = sorted(p.field for p in check_study(tree, path)[0])
    assert found == sorted(
        [
            "citation",
            "citation.authors[0]",
            "citation.title",
            "citation.journal",
            "citation.year",
            "citation.doi",
            "design",
            "population",
            "setting",
            "outcomes[0].outcome",
            "outcomes[0].comparison.experimental",
            "outcomes[0].comparison.control",
            "outcomes[0].timepoint",
            "outcomes[0].data.experimental.events",
            "outcomes[0].data.experimental.total",
            "outcomes[0].data.control.events",
            "outcomes[0].data.control.total",
            "outcomes[0].provenance.source",
            "outcomes[0].provenance.locator",
            "outcomes[0].provenance.confidence",
            "extraction.by",
        ]
    )


def test_filled_template_is_valid(studies_dir):
    text = template_text("smith-2024", today=dt.date(2026, 11, 27))
    fills = {
        "    -\n": "    - Smith AB\n",
        "  title:\n": "  title: A trial\n",
        "  journal:\n": "  journal: J\n",
        "  year:  ": "  year: 2024",
        "  doi:  ": "  doi: 10.1000/x.1",
        "design:  ": "design: rct",
        "population:  ": "population: adults",
        "setting:  ": "setting: UK",
        "  - outcome:  ": "  - outcome: abstinence",
        "      experimental:  ": "      experimental: peer support",
        "      control:  ": "      control: usual care",
        "    timepoint:  ": "    timepoint: 12 months",
        "{events: , total: }": "{events: 5, total: 10}",
        "      source:  ": "      source: Smith 2024",
        "      locator:  ": "      locator: Table 2",
        "      confidence:  ": "      confidence: primary",
        "  by:  ": "  by: A Reviewer",
    }
    for old, new in fills.items():
        assert old in text, old
        text = text.replace(old, new)
    (studies_dir / "smith-2024.yaml").write_text(text, encoding="utf-8")
    study = load_evidence(studies_dir)["smith-2024"]
    assert study.extraction.status == "partial" and study.outcomes[0].data.control.events == 5


@pytest.mark.parametrize("bad", ["Smith-2024", "smith_2024", "smith 2024", "", "-smith", "smith--2024"])
def test_new_study_refuses_bad_ids(studies_dir, bad):
    with pytest.raises(
        ValueError, match=r"study id must be lower-case letters, digits and single hyphens .*; got"
    ):
        new_study(bad, studies_dir)


def test_new_study_never_overwrites(studies_dir):
    path = new_study("smith-2024", studies_dir)
    path.write_text("mine")
    with pytest.raises(FileExistsError, match="smith-2024.yaml already exists; it was left unchanged"):
        new_study("smith-2024", studies_dir)
    assert path.read_text() == "mine"


def test_new_study_needs_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="studies folder .* does not exist"):
        new_study("smith-2024", tmp_path / "nope")
