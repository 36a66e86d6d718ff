"""Loading a folder of records into an EvidenceBase; lookups, filters and hashes."""

from __future__ import annotations

import hashlib

import pytest

from metaevidence.errors import RecordError
from metaevidence.evidence import EvidenceBase, load_evidence, scan_studies

from .conftest import record, write


@pytest.fixture
def evidence(studies_dir):
    write(studies_dir, record("doe-2020", kinds=("binary", "log_se")))
    write(
        studies_dir,
        record(
            "roe-2018",
            kinds=("ratio_ci",),
            design="cohort",
            extraction={"status": "partial", "missing": ["SDs"], "by": "x", "date": "2026-01-02"},
        ),
    )
    rec = record("poe-2001", kinds=("summary", "none"), related=["doe-2020"])
    rec["outcomes"][0]["attributes"] = {"cause_of_death": "CVD", "mean_age": 60}
    rec["outcomes"][1]["outcome"] = "abstinence"
    write(studies_dir, rec)
    return load_evidence(studies_dir)


def test_load_sorts_and_looks_up(evidence, studies_dir):
    assert isinstance(evidence, EvidenceBase) and evidence.root == studies_dir
    assert evidence.ids == ("doe-2020", "poe-2001", "roe-2018") and len(evidence) == 3
    assert [s.id for s in evidence] == list(evidence.ids)
    assert "doe-2020" in evidence and "nope" not in evidence
    assert evidence["roe-2018"].design == "cohort"
    assert evidence.study("roe-2018") is evidence["roe-2018"]
    assert len(evidence.outcomes) == 5
    assert evidence.outcome_ids == ("abstinence", "mortality")
    assert [e.study_id for e in evidence.outcome("mortality")] == [
        "doe-2020",
        "doe-2020",
        "poe-2001",
        "roe-2018",
    ]


def test_unknown_ids_say_what_is_close(evidence):
    with pytest.raises(KeyError, match=r"no study id 'doe-2021'; did you mean 'doe-2020'"):
        evidence["doe-2021"]
    with pytest.raises(KeyError, match=r"no outcome id 'mortalty'; did you mean 'mortality'"):
        evidence.outcome("mortalty")
    with pytest.raises(KeyError, match=r"no study id 'zzz' \(there are 3\)"):
        evidence.study("zzz")


def test_hashes_are_sha256_of_the_file_bytes(evidence, studies_dir):
    for sid, digest in evidence.hashes.items():
        assert digest == hashlib.sha256((studies_dir / f"{sid}.yaml").read_bytes()).hexdigest()
        assert evidence[sid].sha256 == digest


def test_select_by_study_fields(evidence):
    assert evidence.select(design="cohort").ids == ("roe-2018",)
    assert evidence.select(design=["cohort", "rct"]).ids == evidence.ids
    assert evidence.select(status="partial").ids == ("roe-2018",)
    assert evidence.select(ids=["poe-2001"]).ids == ("poe-2001",)
    assert evidence.select(where={"extraction.status": "complete"}).ids == ("doe-2020", "poe-2001")
    assert evidence.select(where={"related": lambda r: r is not None and "doe-2020" in r}).ids == (
        "poe-2001",
    )
    assert evidence.select(where={"citation.year": [2019, 2020]}).ids == evidence.ids


def test_select_by_entry_fields_keeps_matching_entries(evidence):
    mort = evidence.select(outcome="mortality")
    assert mort.ids == evidence.ids
    assert [e.outcome for e in mort["poe-2001"].outcomes] == ["mortality"]
    ab = evidence.select(outcome="abstinence")
    assert ab.ids == ("poe-2001",)
    assert evidence.select(kind=["log_se", "ratio_ci"]).ids == ("doe-2020", "roe-2018")
    assert evidence.select(kind="log_se")["doe-2020"].outcomes[0].kind == "log_se"
    cvd = evidence.select(where={"outcomes.attributes.cause_of_death": "CVD"})
    assert cvd.ids == ("poe-2001",) and len(cvd.outcomes) == 1
    old = evidence.select(where={"outcomes.attributes.mean_age": lambda a: a is not None and a >= 60})
    assert old.ids == ("poe-2001",)
    assert evidence.select(where={"outcomes.data.measure": "HR"}).ids == ("roe-2018",)
    # the original is untouched
    assert len(evidence["poe-2001"].outcomes) == 2


def test_select_equality_does_not_confuse_true_and_1(evidence):
    assert evidence.select(where={"outcomes.data.adjusted": True}).ids == ("roe-2018",)
    assert evidence.select(where={"outcomes.data.adjusted": 1}).ids == ()


def test_select_errors(evidence):
    with pytest.raises(
        ValueError,
        match=r"'citation.yaer' is not a field of the study-record format "
        r"\(docs/records.md\); did you mean 'citation.year'",
    ):
        evidence.select(where={"citation.yaer": 2000})
    with pytest.raises(
        ValueError, match=r"'outcomes.attributes.' is not a field.*did you mean 'outcomes.attributes'"
    ):
        evidence.select(where={"outcomes.attributes.": 1})
    with pytest.raises(KeyError, match="no study id 'nope'"):
        evidence.select(ids=["nope"])
    with pytest.raises(
        TypeError, match=r"select\(design=...\) must be a string or an iterable of strings; got int"
    ):
        evidence.select(design=3)
    with pytest.raises(TypeError, match="a field path must be a string"):
        evidence.select(where={3: 1})


def test_filter(evidence):
    assert evidence.filter(lambda s: s.year > 2019).ids == ("doe-2020", "poe-2001", "roe-2018")
    assert evidence.filter(lambda s: s.design == "cohort").ids == ("roe-2018",)


def test_empty_folder_is_an_empty_evidence_base(studies_dir):
    evidence = load_evidence(studies_dir)
    assert len(evidence) == 0 and evidence.outcomes == () and evidence.to_frame().empty


def test_missing_folder_and_file_instead_of_folder(tmp_path):
    with pytest.raises(RecordError, match=r"nowhere: studies folder does not exist"):
        load_evidence(tmp_path / "nowhere")
    (tmp_path / "f.yaml").write_text("id: f\n")
    with pytest.raises(RecordError, match="is not a folder"):
        load_evidence(tmp_path / "f.yaml")


def test_every_problem_in_every_file_in_one_error(studies_dir):
    write(studies_dir, record("doe-2020"))
    bad = record("roe-2018")
    bad["design"] = "trial"
    bad["outcomes"][0]["data"]["experimental"]["events"] = 101
    write(studies_dir, bad)
    (studies_dir / "empty.yaml").write_text("")
    (studies_dir / "old.yml").write_text("id: old\n")
    with pytest.raises(RecordError) as info:
        load_evidence(studies_dir)
    found = [(p.path.name, p.field) for p in info.value.problems]
    assert found == [
        ("empty.yaml", ""),
        ("old.yml", ""),
        ("roe-2018.yaml", "design"),
        ("roe-2018.yaml", "outcomes[0].data.experimental.events"),
    ]
    assert all(p.line is not None for p in info.value.problems if p.path.suffix == ".yaml")
    assert str(info.value).startswith("4 problems in the records:\n  ")
    assert "study records use the .yaml extension: rename it to old.yaml" in str(info.value)


def test_records_in_a_subfolder_are_reported_not_silently_skipped(studies_dir):
    write(studies_dir, record("doe-2020"))
    (studies_dir / "trials").mkdir()
    write(studies_dir / "trials", record("roe-2018"))
    (studies_dir / "empty-folder").mkdir()  # nothing in it: nothing to say
    with pytest.raises(RecordError) as info:
        load_evidence(studies_dir)
    [problem] = info.value.problems
    assert problem.path == studies_dir / "trials"
    assert problem.message == (
        f"holds study records (roe-2018.yaml) but subfolders are not read: move them into {studies_dir}/"
    )


def test_duplicate_ids_and_missing_related(studies_dir):
    write(studies_dir, record("doe-2020", related=["roe-2019"]))
    write(studies_dir, record("doe-2020"), name="zzz-copy")
    evidence, problems, n = scan_studies(studies_dir)
    assert evidence is None and n == 2
    messages = [str(p).replace(str(studies_dir) + "/", "") for p in problems]
    assert messages == [
        f"doe-2020.yaml:{_line(studies_dir / 'doe-2020.yaml', 'roe-2019')}: related[0] must be the id of a study "
        f"record in {studies_dir}; got 'roe-2019', which is not (did you mean 'doe-2020'?)",
        "zzz-copy.yaml:1: id 'doe-2020' is already the id of doe-2020.yaml:1; ids must be unique",
        "zzz-copy.yaml:1: id must equal the file name without .yaml ('zzz-copy'); got 'doe-2020': rename the file or fix the id",
    ]


def _line(path, text):
    return next(i + 1 for i, ln in enumerate(path.read_text().splitlines()) if text in ln)


def test_hidden_files_are_ignored(studies_dir):
    write(studies_dir, record("doe-2020"))
    (studies_dir / ".draft.yaml").write_text(": : :")
    assert load_evidence(studies_dir).ids == ("doe-2020",)
