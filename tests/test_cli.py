"""The command line: validate, studies, new-study, schema (evidence commands)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from metaevidence.cli import main
from metaevidence.evidence.schema import json_schema
from tests.evidence.conftest import STUDIES, dump, record, write


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def line_of(path: Path, text: str) -> int:
    hits = [i + 1 for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines()) if text in ln]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def test_validate_reports_ten_planted_mistakes_across_three_files_in_one_run(tmp_path, capsys):
    folder = tmp_path / "studies"
    folder.mkdir()
    # file A: four mistakes
    a = record("alpha-2020", kinds=("binary", "ratio_ci"))
    a["design"] = "rtc"  # 1 not a design
    a["citation"]["doi"] = "doi:10.1371/x"  # 2 DOI shape
    a["outcomes"][0]["data"]["experimental"]["events"] = 120  # 3 events > total
    a["outcomes"][1]["data"]["estimate"] = 2.0  # 4 estimate outside its CI
    pa = write(folder, a)
    # file B: four mistakes
    b = record("beta-2019", kinds=("continuous",))
    b["id"] = "beta-2018"  # 5 id != file name
    b["outcomes"][0]["provenance"]["confidence"] = "derived"  # 6 derived without derivation
    b["populaton"] = b.pop("population")  # 7 unknown key (typo)
    b["outcomes"][0]["data"]["control"]["sd"] = 0  # 8 SD <= 0
    pb = write(folder, b, name="beta-2019")
    # file C: two mistakes, one of them at the YAML level
    c = dump(record("gamma-2021")).replace(
        "  year: 2020\n", "  year: 2020\n  year: 2021\n"
    )  # 9 duplicate key
    c = c.replace("date: 2026-11-27", "date: 2026-13-01")  # 10 impossible date
    pc = folder / "gamma-2021.yaml"
    pc.write_text(c, encoding="utf-8")

    code, out, err = run(
        capsys, "validate", "--studies", str(folder), "--analyses", str(tmp_path / "analyses")
    )
    assert code == 1 and err == ""
    lines = out.splitlines()
    expected = [
        f"{pa}:{line_of(pa, 'doi:')}: citation.doi must be a DOI such as 10.1371/journal.pmed.1000316; "
        "got 'doi:10.1371/x'; write the bare DOI, without 'doi:' or 'https://doi.org/'",
        f"{pa}:{line_of(pa, 'design: rtc')}: design must be one of: ",
        f"{pa}:{line_of(pa, 'events: 120')}: outcomes[0].data.experimental.events must be between 0 and total (100); got 120",
        f"{pa}:{line_of(pa, 'estimate: 2.0')}: outcomes[1].data.estimate must lie within its confidence interval [0.64, 1.0]; got 2.0",
        f"{pb}:1: id must equal the file name without .yaml ('beta-2019'); got 'beta-2018'",
        f"{pb}:{line_of(pb, 'populaton')}: populaton is not a field of study (did you mean 'population'?)",
        f"{pb}:{line_of(pb, 'sd: 0')}: outcomes[0].data.control.sd must be a number > 0; got 0",
        f"{pb}:{line_of(pb, 'source:')}: outcomes[0].provenance.derivation is required when confidence is derived",
        f"{pc}:{line_of(pc, 'year: 2021')}: duplicate key 'year' (first given on line {line_of(pc, 'year: 2020')})",
        f"{pc}:{line_of(pc, 'date: 2026-13-01')}: extraction.date must be an ISO date YYYY-MM-DD; got '2026-13-01'",
    ]
    assert len(lines) == 11, out
    for want in expected:
        assert sum(ln.startswith(want) for ln in lines[:10]) == 1, want
    assert lines[10] == (
        "10 problems in 3 files; checked 3 study records; no analyses folder "
        f"({tmp_path / 'analyses'}/): no specs to check"
    )


def test_validate_clean_seed_records(capsys):
    code, out, err = run(capsys, "validate", "--studies", str(STUDIES))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("no problems: ")
    # then what the records still list as missing: a total, and one line per record that lists something
    n_listing = sum(1 for p in STUDIES.glob("*.yaml") if "\n  missing:\n" in p.read_text(encoding="utf-8"))
    assert lines[1].startswith("still to fill in (extraction.missing): ") and lines[1].endswith(
        f" in {n_listing} records"
    )
    assert len(lines) == 2 + n_listing


def test_studies_lists_the_seed_records(capsys):
    code, out, _ = run(capsys, "studies", "--studies", str(STUDIES))
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["id", "year", "design", "outcomes", "data", "kind", "extraction"]
    row = next(ln for ln in lines if ln.startswith("martinelli-2020"))
    assert row.split()[:5] == ["martinelli-2020", "2020", "cross-sectional", "3", "binary"]
    assert row.endswith("partial (2 missing)")
    assert lines[-1].endswith("studies, 46 outcome entries") or "outcome entries" in lines[-1]


def test_studies_with_bad_records_is_one_message_and_exit_1(tmp_path, capsys):
    folder = tmp_path / "studies"
    folder.mkdir()
    write(folder, record(design="trial"))
    code, out, err = run(capsys, "studies", "--studies", str(folder))
    assert code == 1 and out == ""
    assert err.startswith("error: 1 problem in the records:\n") and "design must be one of" in err


def test_new_study(tmp_path, capsys):
    folder = tmp_path / "studies"
    folder.mkdir()
    code, out, err = run(capsys, "new-study", "smith-2024", "--studies", str(folder))
    assert (
        code == 0
        and out == f"wrote {folder / 'smith-2024.yaml'}: fill it in, then run `metaevidence validate`\n"
    )
    assert yaml.safe_load((folder / "smith-2024.yaml").read_text())["id"] == "smith-2024"
    code, out, err = run(capsys, "new-study", "smith-2024", "--studies", str(folder))
    assert code == 1 and "already exists; it was left unchanged" in err
    code, out, err = run(capsys, "new-study", "Smith 2024", "--studies", str(folder))
    assert code == 1 and err.startswith("error: study id must be lower-case letters")
    code, out, err = run(capsys, "new-study", "x-1", "--studies", str(tmp_path / "nope"))
    assert code == 1 and "does not exist" in err


def test_schema_prints_the_json_schema(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0 and json.loads(out) == json_schema()


def test_validate_never_shows_a_traceback_for_broken_files(tmp_path):
    folder = tmp_path / "studies"
    folder.mkdir()
    (folder / "a.yaml").write_bytes(b"id: a\ntitle: \xff\xfe\n")
    (folder / "b.yaml").write_text("id: b\n  bad: [indent\n")
    (folder / "c.yaml").write_text("a: &x [1]\nb: *x\n")
    (folder / "d.yaml").write_text("- just\n- a list\n")
    (folder / "e.yaml").write_text("")
    (folder / "f.yaml").write_text("!!python/object/apply:os.system ['echo hi']\n")
    proc = subprocess.run(
        [sys.executable, "-m", "metaevidence", "validate", "--studies", str(folder)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr and "hi\n" not in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("8 problems in 6 files; checked 6 study records")
