"""CSV and Excel import: one command each, records that validate, `run` pools them; bad input
(cells, columns, duplicate ids, a file that is not a spreadsheet) is one clear message and
nothing is written."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import openpyxl
import pytest

import metaevidence as me
from metaevidence.cli import main
from metaevidence.datasets import load_egger2001, load_normand1999
from metaevidence.workflow.spec import validate_review as validate_all
from tests.tolerances import CLOSED_FORM

DATE = dt.date(2026, 12, 3)


def review(tmp_path):
    (tmp_path / "studies").mkdir()
    return tmp_path


def cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def written(root):
    return (
        sorted(p.name for p in (root / "studies").glob("*.yaml"))
        + sorted(p.name for p in (root / "analyses").glob("*.yaml"))
        if (root / "analyses").exists()
        else sorted(p.name for p in (root / "studies").glob("*.yaml"))
    )


def trials_csv(root):
    """The first 15 trials of dat.egger2001 (intravenous magnesium), under metafor's names."""
    d = load_egger2001().iloc[:15]
    path = root / "trials.csv"
    d[["study", "year", "ai", "n1i", "ci", "n2i"]].to_csv(path, index=False)
    return path, d


def test_a_csv_of_15_trials_imports_in_one_command_and_run_pools_them(tmp_path, capsys, monkeypatch):
    root = review(tmp_path)
    path, d = trials_csv(root)
    monkeypatch.chdir(root)
    code, out, err = cli(capsys, "import", path, "--outcome", "mortality", "--experimental", "magnesium")
    assert code == 0, err
    assert out.count("wrote studies/") == 15 and "wrote analyses/mortality.yaml" in out
    report = validate_all("studies", "analyses")
    assert report.ok, report.problems
    eb = me.load_evidence("studies")
    morton = eb["morton-1984"]
    assert morton.extraction.status == "partial"
    assert any("full citation" in m for m in morton.extraction.missing)
    assert any("design" in m for m in morton.extraction.missing)
    assert morton.outcomes[0].provenance.locator == "line 2"
    code, out, _ = cli(capsys, "validate")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("no problems: 15 study records")
    # what is left, per record and in total
    assert lines[1] == "still to fill in (extraction.missing): 45 items in 15 records"
    assert any(
        ln.split() == ["morton-1984", "full", "citation;", "study", "design;", "population"] for ln in lines
    )
    assert len(lines) == 17
    assert main(["run", "-q"]) == 0
    doc = json.loads((root / "results" / "mortality.json").read_text())
    # the same 15 trials pooled directly (REML with Hartung-Knapp, the spec defaults)
    es = me.effect_sizes("OR", ai=d.ai, n1i=d.n1i, ci=d.ci, n2i=d.n2i)
    ours = me.meta_analysis(es, method="REML", test="knha")
    assert doc["pooled"]["k"] == 15
    assert doc["pooled"]["estimate"] == pytest.approx(ours.estimate, rel=CLOSED_FORM)
    assert doc["heterogeneity"]["tau2"] == pytest.approx(ours.tau2, rel=CLOSED_FORM)


def test_an_excel_file_of_continuous_outcomes_imports_and_pools(tmp_path, capsys, monkeypatch):
    root = review(tmp_path)
    d = load_normand1999()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Trials"
    sheet.append(["Study", "Year", "Mean 1", "SD 1", "Total 1", "Mean 2", "SD 2", "Total 2"])
    for i, r in enumerate(d.itertuples()):
        sheet.append([r.source, 1990 + i, r.m1i, r.sd1i, r.n1i, r.m2i, r.sd2i, r.n2i])
    book.save(root / "stroke.xlsx")
    monkeypatch.chdir(root)
    code, out, err = cli(capsys, "import", "stroke.xlsx", "--outcome", "length-of-stay", "--measure", "MD")
    assert code == 0, err
    eb = me.load_evidence("studies")
    assert len(eb) == 9
    entry = eb["edinburgh-1990"].outcomes[0]
    assert entry.kind == "continuous" and entry.data.experimental.mean == 55
    assert entry.provenance.locator == "sheet Trials, row 2"
    assert main(["run", "-q"]) == 0
    doc = json.loads((root / "results" / "length-of-stay.json").read_text())
    es = me.effect_sizes("MD", m1i=d.m1i, sd1i=d.sd1i, n1i=d.n1i, m2i=d.m2i, sd2i=d.sd2i, n2i=d.n2i)
    assert doc["pooled"]["estimate"] == pytest.approx(
        me.meta_analysis(es, method="REML", test="knha").estimate, rel=CLOSED_FORM
    )


# pre-post rows constructed for the test (after, baseline, pairs, correlation)
PAIRED_CSV = """study,year,m1i,sd1i,m2i,sd2i,ni,ri
Able,2001,21.5,4.1,25.0,4.4,30,0.62
Baker,2004,19.0,5.0,24.2,5.3,44,0.55
Clark,2009,22.8,3.9,24.1,4.0,25,0.70
"""


def test_a_paired_design_imports_and_pools_with_the_paired_measure(tmp_path, capsys, monkeypatch):
    root = review(tmp_path)
    (root / "prepost.csv").write_text(PAIRED_CSV)
    monkeypatch.chdir(root)
    code, out, err = cli(capsys, "import", "prepost.csv", "--outcome", "craving", "--experimental", "after",
                         "--control", "baseline")  # fmt: skip
    assert code == 0, err
    eb = me.load_evidence("studies")
    d = eb["baker-2004"].outcomes[0].data
    assert eb["baker-2004"].outcomes[0].kind == "paired"
    assert (d.experimental.mean, d.control.sd, d.n, d.r) == (19.0, 5.3, 44, 0.55)
    spec = (root / "analyses" / "craving.yaml").read_text()
    assert "measure: MC" in spec
    assert main(["run", "-q"]) == 0
    doc = json.loads((root / "results" / "craving.json").read_text())
    cols = {"m1i": [21.5, 19.0, 22.8], "sd1i": [4.1, 5.0, 3.9], "m2i": [25.0, 24.2, 24.1], "sd2i": [4.4, 5.3, 4.0],
            "ni": [30, 44, 25], "ri": [0.62, 0.55, 0.70]}  # fmt: skip
    ours = me.meta_analysis(me.effect_sizes("MC", **cols), method="REML", test="knha")
    assert doc["pooled"]["k"] == 3
    assert doc["pooled"]["estimate"] == pytest.approx(ours.estimate, rel=CLOSED_FORM)


def test_paired_and_two_group_columns_together_ask_for_a_kind(tmp_path, capsys):
    root = review(tmp_path)
    path = root / "both.csv"
    path.write_text("study,year,m1i,sd1i,n1i,m2i,sd2i,n2i,ni,ri\nA,2001,1,1,10,2,1,10,10,0.5\n")
    code, out, err = cli(
        capsys, "import", path, "--outcome", "x", "--studies", root / "studies", "--no-analysis"
    )
    assert code == 1 and "Traceback" not in err
    assert "choose one with --kind continuous or --kind paired" in err
    path.write_text("study,year,m1i,sd1i,m2i,sd2i,ni,ri\nA,2001,1,1,2,1,10,1.5\n")
    code, out, err = cli(
        capsys, "import", path, "--outcome", "x", "--studies", root / "studies", "--no-analysis"
    )
    assert code == 1 and "expected a correlation between -1 and 1; got 1.5" in err


def test_bad_cells_are_named_by_file_line_and_column_and_nothing_is_written(tmp_path):
    root = review(tmp_path)
    path = root / "bad.csv"
    path.write_text(
        "study,year,events_1,total_1,events_2,total_2\nA,2001,3,40,5,41\nB,2002,12.5,40,5,41\nC,x,3,2,5,41\n"
    )
    with pytest.raises(me.DataImportError) as exc:
        me.import_table(path, root / "studies", outcome="deaths", date=DATE)
    message = str(exc.value)
    assert "bad.csv:3:events_1: expected a whole number >= 0; got '12.5'" in message
    assert "bad.csv:4:year: expected a whole number >= 1800; got 'x'" in message
    assert "bad.csv:4:events_1: expected events <= the arm's total (2); got 3" in message
    assert "nothing was written" in message
    assert list((root / "studies").iterdir()) == []


def test_partial_writes_the_good_rows_and_lists_the_rest(tmp_path):
    root = review(tmp_path)
    path = root / "bad.csv"
    path.write_text("study,year,ai,n1i,ci,n2i\nA,2001,3,40,5,41\nB,2002,-1,40,5,41\n")
    result = me.import_table(path, root / "studies", outcome="deaths", partial=True, date=DATE)
    assert [p.name for p in result.written] == ["a-2001.yaml"]
    assert result.skipped == ("bad.csv:3",)
    assert result.problems == ("bad.csv:3:ai: expected a whole number >= 0; got '-1'",)


def test_a_bad_excel_cell_is_named_sheet_and_cell(tmp_path):
    root = review(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["study", "year", "m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"])
    sheet.append(["A", 2001, 1.0, 0.5, 10, 2.0, 0.4, 11])
    sheet.append(["B", 2002, 1.0, "n/a", 10, 2.0, -0.4, 11])
    book.save(root / "cont.xlsx")
    with pytest.raises(me.DataImportError) as exc:
        me.import_table(root / "cont.xlsx", root / "studies", outcome="score", date=DATE)
    assert "cont.xlsx:Sheet!D3: expected a number > 0; got 'n/a'" in str(exc.value)
    assert "cont.xlsx:Sheet!G3: expected a number > 0; got -0.4" in str(exc.value)
    assert list((root / "studies").iterdir()) == []


def test_missing_columns_say_what_is_needed(tmp_path, capsys):
    root = review(tmp_path)
    path = root / "few.csv"
    path.write_text("study,year,ai,n1i\nA,2001,3,40\n")
    code, out, err = cli(
        capsys, "import", path, "--outcome", "x", "--studies", root / "studies", "--no-analysis"
    )
    assert code == 1 and "Traceback" not in err
    assert "no set of effect-data columns found" in err and "ai ci n1i n2i" in err
    path.write_text("name_of_trial,ai,n1i,ci,n2i\nA,3,40,4,40\n")
    code, out, err = cli(capsys, "import", path, "--outcome", "x", "--studies", root / "studies")
    assert code == 1 and "no column for the study's study and year" in err and "--map FIELD=COLUMN" in err
    assert list((root / "studies").iterdir()) == []
    # mapped explicitly, the same file imports
    path.write_text("name_of_trial,published,ai,n1i,ci,n2i\nA,2001,3,40,4,40\n")
    code, out, err = cli(capsys, "import", path, "--outcome", "x", "--studies", root / "studies", "--no-analysis",
                         "--map", "study=name_of_trial", "--map", "year=published")  # fmt: skip
    assert code == 0, err
    assert [p.name for p in (root / "studies").iterdir()] == ["a-2001.yaml"]


def test_duplicate_study_ids_are_refused(tmp_path):
    root = review(tmp_path)
    path = root / "dup.csv"
    path.write_text("study,year,ai,n1i,ci,n2i\nSmith,2001,3,40,5,41\nSmith,2001,4,40,6,41\n")
    with pytest.raises(me.DataImportError) as exc:
        me.import_table(path, root / "studies", outcome="deaths", date=DATE)
    assert "dup.csv:3: duplicate study id 'smith-2001' (also dup.csv:2)" in str(exc.value)
    assert list((root / "studies").iterdir()) == []
    # a row for an existing record that is not valid: refused, the record left as it was
    (root / "studies" / "smith-2001.yaml").write_text("id: smith-2001\n")
    path.write_text("study,year,ai,n1i,ci,n2i\nSmith,2001,3,40,5,41\n")
    with pytest.raises(
        me.DataImportError,
        match=r"dup.csv:2: the row's study 'smith-2001' is .*smith-2001.yaml, which is not a valid record \(.*citation is required",
    ):
        me.import_table(path, root / "studies", outcome="deaths", date=DATE)
    assert (root / "studies" / "smith-2001.yaml").read_text() == "id: smith-2001\n"


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("paper.csv", b"%PDF-1.4 binary", "a PDF document"),
        ("table.xlsx", b"study,year\nA,2001\n", "named like an Excel workbook but is not one"),
        ("data.csv", b"PK\x03\x04garbage", "a damaged zip archive"),
        ("blob.csv", b"\x00\x01\x02\x03" * 10, "a binary file"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(tmp_path, capsys, name, content, what):
    root = review(tmp_path)
    (root / name).write_bytes(content)
    code, out, err = cli(capsys, "import", root / name, "--outcome", "x", "--studies", root / "studies")
    assert code == 1 and what in err and "Traceback" not in err
    assert list((root / "studies").iterdir()) == []


def test_round_trip_import_export_import_gives_the_same_records(tmp_path, capsys, monkeypatch):
    root = review(tmp_path)
    path, _d = trials_csv(root)
    monkeypatch.chdir(root)
    assert cli(capsys, "import", path, "--outcome", "mortality", "--no-analysis")[0] == 0
    first = me.load_evidence("studies")
    assert cli(capsys, "export", "studies", "-o", "out.csv")[0] == 0
    (root / "again").mkdir()
    assert cli(capsys, "import", "out.csv", "--studies", "again", "--no-analysis")[0] == 0
    second = me.load_evidence("again")
    assert first.ids == second.ids
    for a, b in zip(first, second):
        assert a.citation == b.citation and a.outcomes[0].data == b.outcomes[0].data
        assert a.outcomes[0].outcome == b.outcomes[0].outcome == "mortality"
    # the RevMan CSV layout reads back the same 2x2 tables
    assert cli(capsys, "export", "studies", "--format", "revman-csv", "-o", "rm.csv")[0] == 0
    (root / "third").mkdir()
    assert cli(capsys, "import", "rm.csv", "--studies", "third", "--no-analysis")[0] == 0
    third = me.load_evidence("third")
    assert [s.outcomes[0].data for s in third] == [s.outcomes[0].data for s in first]
    # and the RevMan 5 file too
    assert cli(capsys, "export", "studies", "--format", "rm5", "-o", "x.rm5")[0] == 0
    (root / "fourth").mkdir()
    assert cli(capsys, "import", "x.rm5", "--studies", "fourth", "--no-analysis")[0] == 0
    assert [s.outcomes[0].data for s in me.load_evidence("fourth")] == [s.outcomes[0].data for s in first]
    assert np.all([s.year for s in third] == [s.year for s in first])


EXISTING = """\
# Smith 2001: transcribed by hand from the paper (Table 2).
id: smith-2001
citation:
  authors: [Smith A, Jones B]
  title: A trial of treatment
  journal: J Test
  year: 2001
  doi: 10.1000/smith-2001
design: rct
population: adults  # as the paper describes them
outcomes:
  - outcome: deaths
    comparison: {experimental: treated, control: untreated}
    timepoint: 12 months
    data:
      kind: binary
      experimental: {events: 3, total: 40}
      control: {events: 5, total: 41}
    provenance: {source: Smith 2001, locator: Table 2, confidence: primary}
    # the 24-month counts are in Table 3

# who did the extraction
extraction: {status: complete, by: tester, date: 2026-11-27}
"""


def test_rows_add_outcome_entries_to_an_existing_record_keeping_its_text(tmp_path, capsys, monkeypatch):
    root = review(tmp_path)
    record = root / "studies" / "smith-2001.yaml"
    record.write_text(EXISTING)
    path = root / "later.csv"
    path.write_text(
        "id,outcome,timepoint,ai,n1i,ci,n2i\n"
        "smith-2001,deaths,24 months,6,40,9,41\n"
        "smith-2001,admissions,12 months,10,40,12,41\n"
    )
    monkeypatch.chdir(root)
    code, out, err = cli(capsys, "import", path.name, "--experimental", "treated", "--control", "untreated")
    assert code == 0, err
    assert "studies/smith-2001.yaml: 2 new outcome entries appended" in out
    text = record.read_text()
    # every line of the record is kept, in order (comments too); the new entries follow the last one
    assert text.startswith(EXISTING.split("\n\n# who")[0] + "\n  - outcome: deaths\n")
    assert text.endswith(
        "\n\n# who did the extraction\nextraction: {status: complete, by: tester, date: 2026-11-27}\n"
    )
    assert all(line in text.splitlines() for line in EXISTING.splitlines())
    eb = me.load_evidence("studies")
    entries = eb["smith-2001"].outcomes
    assert [(e.outcome, e.timepoint) for e in entries] == [
        ("deaths", "12 months"),
        ("deaths", "24 months"),
        ("admissions", "12 months"),
    ]
    assert entries[1].provenance.locator == "line 2" and entries[2].provenance.locator == "line 3"
    assert entries[1].provenance.source == "later.csv"
    assert eb["smith-2001"].design == "rct" and eb["smith-2001"].extraction.status == "complete"
    assert validate_all("studies", "analyses").ok
    assert (root / "analyses" / "deaths.yaml").read_text().count("outcomes.timepoint: 24 months") == 1
    assert main(["run", "-q"]) == 0 and (root / "results" / "deaths.json").is_file()


def test_a_row_duplicating_an_existing_entry_names_both_and_nothing_is_written(tmp_path):
    root = review(tmp_path)
    record = root / "studies" / "smith-2001.yaml"
    record.write_text(EXISTING)
    path = root / "again.csv"
    path.write_text(
        "id,outcome,timepoint,ai,n1i,ci,n2i\n"
        "smith-2001,admissions,12 months,10,40,12,41\n"
        "smith-2001,deaths,12 months,3,40,5,41\n"
    )
    with pytest.raises(me.DataImportError) as exc:
        me.import_table(path, root / "studies", date=DATE)
    (problem,) = exc.value.problems
    assert problem.startswith("again.csv:3: duplicates the entry at ") and (
        "smith-2001.yaml:12 (study 'smith-2001', outcome 'deaths', timepoint '12 months')" in problem
    )
    assert record.read_text() == EXISTING  # all or nothing: the good row was not written either
    # --partial writes the good row and lists the other
    result = me.import_table(path, root / "studies", date=DATE, partial=True)
    assert result.skipped == ("again.csv:3",)
    assert [e.outcome for e in me.load_evidence(root / "studies")["smith-2001"].outcomes] == [
        "deaths",
        "admissions",
    ]


def test_an_inline_outcomes_list_is_rewritten_from_its_content_and_says_so(tmp_path):
    root = review(tmp_path)
    record = root / "studies" / "smith-2001.yaml"
    one = (
        EXISTING.split("outcomes:\n")[0]
        + "outcomes: [{outcome: deaths, comparison: {experimental: treated, control: untreated}, timepoint: 12 months, data: {kind: binary, experimental: {events: 3, total: 40}, control: {events: 5, total: 41}}, provenance: {source: Smith 2001, locator: Table 2, confidence: primary}}]\nextraction: {status: complete, by: tester, date: 2026-11-27}\n"
    )
    record.write_text(one)
    path = root / "later.csv"
    path.write_text("id,outcome,timepoint,ai,n1i,ci,n2i\nsmith-2001,deaths,24 months,6,40,9,41\n")
    result = me.import_table(path, root / "studies", date=DATE)
    assert any("its comments were not kept" in n for n in result.notes)
    eb = me.load_evidence(root / "studies")
    assert [e.timepoint for e in eb["smith-2001"].outcomes] == ["12 months", "24 months"]
    assert list(yaml_keys(record)) == ["id", "citation", "design", "population", "outcomes", "extraction"]


def yaml_keys(path):
    import yaml

    return yaml.safe_load(path.read_text())
