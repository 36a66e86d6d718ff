"""The validator: every problem, with line, dotted field path, what is allowed and what was found."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from metaevidence._schema.types import Either, Integer, ListOf, MapOf, Scalar, Text
from metaevidence._schema.validate import check
from metaevidence._schema.yamlload import parse_yaml
from metaevidence.evidence.schema import check_study
from tests.evidence.conftest import DATA, dump, record

PATH = Path("studies/doe-2020.yaml")


def problems_of(rec_or_text, path=PATH):
    text = rec_or_text if isinstance(rec_or_text, str) else dump(rec_or_text)
    tree, problems = parse_yaml(text, path)
    assert problems == []
    found, _value = check_study(tree, path)
    return [(p.field, p.message) for p in found]


def lines_of(text, path=PATH):
    tree, _ = parse_yaml(text, path)
    return [str(p) for p in check_study(tree, path)[0]]


@pytest.mark.parametrize("kind", list(DATA))
def test_a_valid_record_of_every_kind(kind):
    assert problems_of(record(kinds=(kind,))) == []


def test_all_kinds_in_one_record_and_plain_value():
    rec = record(kinds=tuple(DATA))
    tree, _ = parse_yaml(dump(rec))
    problems, value = check_study(tree, PATH)
    assert problems == []
    assert value["outcomes"][2]["data"]["measure"] == "HR"
    assert [o["data"]["kind"] for o in value["outcomes"]] == list(DATA)


def test_id_must_equal_file_name():
    assert problems_of(record("doe-2021")) == [
        (
            "id",
            "must equal the file name without .yaml ('doe-2020'); got 'doe-2021': rename the file or fix the id",
        )
    ]


def test_not_a_mapping():
    assert problems_of("- a\n- b\n") == [("", "must be a mapping (study); got a list")]


def test_unknown_key_with_did_you_mean():
    rec = record()
    rec["citation"]["jornal"] = rec["citation"].pop("journal")
    [(field, message)] = problems_of(rec)
    assert field == "citation.jornal"
    assert message.startswith(
        "is not a field of citation (did you mean 'journal'?); allowed: authors, title, journal"
    )


def test_missing_required_field_names_what_is_needed():
    rec = record()
    del rec["outcomes"][0]["data"]["control"]["total"]
    assert problems_of(rec) == [
        ("outcomes[0].data.control.total", "is required: an integer ≥ 1 (participants in the arm)")
    ]


def test_line_numbers_point_at_the_value():
    text = dump(record())
    text = text.replace("events: 20", "events: -3")
    line = next(i + 1 for i, ln in enumerate(text.splitlines()) if "events: -3" in ln)
    assert lines_of(text) == [
        f"studies/doe-2020.yaml:{line}: outcomes[0].data.control.events must be an integer ≥ 0; got -3"
    ]


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            ("data", "experimental", "events"),
            12.0,
            "must be an integer ≥ 0; got 12.0 (write it without a decimal point)",
        ),
        (("data", "experimental", "events"), 2.5, "must be an integer ≥ 0; got 2.5"),
        (("data", "experimental", "events"), "12", "must be an integer ≥ 0; got '12' (remove the quotes)"),
        (("data", "experimental", "events"), True, "must be an integer ≥ 0; got true"),
        (("data", "experimental", "events"), -1, "must be an integer ≥ 0; got -1"),
        (("data", "experimental", "total"), 0, "must be an integer ≥ 1; got 0"),
        (("data", "experimental", "events"), 101, "must be between 0 and total (100); got 101"),
        (("data", "experimental", "events"), [1], "must be an integer ≥ 0; got a list"),
        (("timepoint",), 12, "must be text; got 12 (put it in quotes to make it text)"),
        (
            ("timepoint",),
            False,
            "must be text; got false (YAML reads yes/no/on/off/true/false as booleans: put the text in quotes)",
        ),
        (("timepoint",), "  ", "must be text; got '  ' (empty text)"),
        (
            ("provenance", "confidence"),
            "primery",
            "must be one of: primary, secondary, derived; got 'primery' (did you mean 'primary'?)",
        ),
        (
            ("provenance", "confidence"),
            "Primary",
            "must be one of: primary, secondary, derived; got 'Primary' (did you mean 'primary'?)",
        ),
        (
            ("outcome",),
            "Mortality rate",
            "must be lower-case letters, digits and single hyphens (e.g. holt-lunstad-2010); "
            "got 'Mortality rate'; use lower case; use hyphens, not spaces or underscores",
        ),
        (
            ("data", "kind"),
            "binray",
            "must be one of: binary, continuous, paired, ratio_ci, log_se, correlation, summary, none; "
            "got 'binray' (did you mean 'binary'?)",
        ),
        (
            ("comparison",),
            "treated vs untreated",
            "must be a mapping (comparison); got 'treated vs untreated'",
        ),
        (
            ("attributes",),
            {"Mean age": 50},
            "is not a valid name: names must be a snake_case name such as mean_age; got 'Mean age'",
        ),
        (("attributes",), {"mean_age": [50]}, "must be text, a number, true/false or null; got a list"),
        (
            ("attributes",),
            {"mean_age": float("nan")},
            "must be text, a number, true/false or null; got .nan (numbers must be finite)",
        ),
    ],
)
def test_field_messages(path, value, message):
    rec = record()
    target = rec["outcomes"][0]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    found = problems_of(rec)
    assert len(found) == 1, found
    field, got = found[0]
    assert field.startswith("outcomes[0]." + ".".join(path[:1]))
    assert message in got


@pytest.mark.parametrize(
    "kind, key, value, message",
    [
        ("continuous", ("experimental", "sd"), 0, "must be a number > 0; got 0"),
        ("continuous", ("experimental", "sd"), -1.5, "must be a number > 0; got -1.5"),
        ("continuous", ("experimental", "n"), 0, "must be an integer ≥ 1; got 0"),
        (
            "continuous",
            ("experimental", "mean"),
            "1,5",
            "must be a finite number; got '1,5' (use a point as the decimal separator)",
        ),
        (
            "continuous",
            ("experimental", "mean"),
            "\u22124.36",
            "(the minus sign must be '-', not '\u2212' or a dash)",
        ),
        ("continuous", ("experimental", "mean"), "45%", "(give the number without '%')"),
        (
            "continuous",
            ("experimental", "mean"),
            float("inf"),
            "must be a finite number; got .inf (numbers must be finite)",
        ),
        ("ratio_ci", ("lower",), 0.9, "must lie within its confidence interval [0.9, 1.0]; got 0.8"),
        ("ratio_ci", ("upper",), 0.5, "must be below upper (0.5); got 0.64"),
        ("ratio_ci", ("upper",), 0.64, "must be below upper (0.64); got 0.64"),
        ("ratio_ci", ("estimate",), 0, "must be a number > 0; got 0"),
        ("ratio_ci", ("level",), 95, "must be a number > 0 and < 1 (e.g. 0.95 for a 95% interval); got 95"),
        ("ratio_ci", ("measure",), "SMD", "must be one of: OR, RR, HR; got 'SMD'"),
        ("ratio_ci", ("adjusted",), "yes please", "must be true or false; got 'yes please'"),
        ("log_se", ("se",), 0, "must be a number > 0; got 0"),
        ("log_se", ("se",), -0.1, "must be a number > 0; got -0.1"),
        ("correlation", ("r",), 1, "must be a number > -1 and < 1; got 1"),
        ("correlation", ("r",), -1.2, "must be a number > -1 and < 1; got -1.2"),
        ("correlation", ("n",), 0, "must be an integer ≥ 1; got 0"),
        ("summary", ("k",), 0, "must be an integer ≥ 1; got 0"),
        ("summary", ("model",), "random", "got 'random' (did you mean 'random-effects'?)"),
        (
            "summary",
            ("estimate",),
            -0.2,
            "must be > 0 when measure is OR: ratios are given on their natural scale, not logged; got -0.2",
        ),
        ("summary", ("estimate",), 1.7, "must lie within its confidence interval [1.42, 1.59]; got 1.7"),
    ],
)
def test_data_messages(kind, key, value, message):
    rec = record(kinds=(kind,))
    target = rec["outcomes"][0]["data"]
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    found = problems_of(rec)
    assert len(found) == 1, found
    assert found[0][0].startswith("outcomes[0].data.")
    assert message in found[0][1]


def test_summary_without_interval_is_valid_and_level_needs_interval():
    rec = record(kinds=("summary",))
    data = rec["outcomes"][0]["data"]
    for k in ("lower", "upper", "level", "k", "n"):
        del data[k]
    assert problems_of(rec) == []
    data["level"] = 0.95
    assert problems_of(rec) == [
        (
            "outcomes[0].data.level",
            "must not be given when lower is not given: a level belongs to an interval; got 0.95",
        )
    ]


def test_summary_half_an_interval():
    rec = record(kinds=("summary",))
    del rec["outcomes"][0]["data"]["upper"]
    assert problems_of(rec) == [
        ("outcomes[0].data.upper", "is required when lower is given: a confidence interval needs both bounds")
    ]


def test_summary_md_may_be_negative():
    rec = record(kinds=("summary",))
    rec["outcomes"][0]["data"].update(measure="MD", estimate=-1.0, lower=-4.36, upper=2.0)
    assert problems_of(rec) == []


def test_adjusted_for_only_with_adjusted():
    rec = record(kinds=("ratio_ci",))
    rec["outcomes"][0]["data"]["adjusted"] = False
    assert problems_of(rec) == [
        (
            "outcomes[0].data.adjusted_for",
            "must not be given when adjusted is false: list "
            "covariates only for an adjusted ratio; got 'age, sex'",
        )
    ]


def test_derived_needs_derivation_and_derivation_needs_derived():
    rec = record()
    rec["outcomes"][0]["provenance"]["confidence"] = "derived"
    assert problems_of(rec) == [
        (
            "outcomes[0].provenance.derivation",
            "is required when confidence is derived: say how the numbers were derived",
        )
    ]
    rec["outcomes"][0]["provenance"].update(confidence="secondary", derivation="by hand")
    assert problems_of(rec) == [
        (
            "outcomes[0].provenance.derivation",
            "must not be given when confidence is secondary: "
            "a derivation belongs to derived numbers only (set confidence: derived); got 'by hand'",
        )
    ]


def test_partial_needs_missing_and_complete_forbids_it():
    rec = record()
    rec["extraction"]["status"] = "partial"
    assert problems_of(rec) == [
        ("extraction.missing", "is required when status is partial: list what is still to be extracted")
    ]
    rec["extraction"].update(status="complete", missing=["a", "b"])
    assert problems_of(rec) == [
        (
            "extraction.missing",
            "must not be given when status is complete: a complete "
            "extraction has nothing missing; got [a, b]",
        )
    ]


@pytest.mark.parametrize(
    "value, message",
    [
        ("27/11/2026", "must be an ISO date YYYY-MM-DD; got '27/11/2026'"),
        ("2026-02-30", "must be an ISO date YYYY-MM-DD; got '2026-02-30' (no such date)"),
        (20261127, "must be an ISO date YYYY-MM-DD; got 20261127"),
    ],
)
def test_dates(value, message):
    rec = record()
    rec["extraction"]["date"] = value
    assert problems_of(rec) == [("extraction.date", message)]


def test_quoted_iso_date_is_accepted():
    rec = record()
    rec["extraction"]["date"] = "2026-11-27"
    assert problems_of(rec) == []


@pytest.mark.parametrize(
    "doi, hint",
    [
        ("10.1371/journal.pmed.1000316", None),
        ("https://doi.org/10.1371/x", "write the bare DOI, without 'doi:' or 'https://doi.org/'"),
        ("doi:10.1371/x", "write the bare DOI"),
        ("10.13/x", ""),
        ("11.1371/x", ""),
    ],
)
def test_doi_shape(doi, hint):
    rec = record()
    rec["citation"]["doi"] = doi
    found = problems_of(rec)
    if hint is None:
        assert found == []
    else:
        assert found[0][0] == "citation.doi"
        assert found[0][1].startswith(f"must be a DOI such as 10.1371/journal.pmed.1000316; got '{doi}'")
        assert hint in found[0][1]


def test_citation_needs_an_identifier():
    rec = record()
    del rec["citation"]["doi"]
    assert problems_of(rec) == [
        ("citation", "needs an identifier: at least one of doi, pmid, pmcid, url, other, as_cited; got none")
    ]
    rec["citation"]["pmid"] = 17663609
    assert problems_of(rec) == []
    rec["citation"]["pmid"] = "17663609"
    assert problems_of(rec) == []
    rec["citation"]["pmid"] = "PMID 1"
    assert problems_of(rec) == [("citation.pmid", "must be an integer ≥ 1 or digits; got 'PMID 1'")]


def test_comparison_and_timepoint_required_by_kind():
    rec = record(kinds=("binary", "none", "correlation"))
    for i, o in enumerate(rec["outcomes"]):
        del o["comparison"], o["timepoint"]
        o["outcome"] = f"outcome-{i}"
    assert problems_of(rec) == [
        (
            "outcomes[0].comparison",
            "is required when data.kind is binary: say which group is experimental and which control",
        ),
        ("outcomes[0].timepoint", "is required when data.kind is binary: say when the outcome was measured"),
        (
            "outcomes[2].timepoint",
            "is required when data.kind is correlation: say when the outcome was measured",
        ),
    ]


def test_repeated_outcome_entries():
    rec = record(kinds=("binary", "log_se"))
    rec["outcomes"][1]["timepoint"] = rec["outcomes"][0]["timepoint"]
    [(field, message)] = problems_of(rec)
    assert field == "outcomes[1]"
    assert message.startswith("repeats outcomes[0] (line ")
    assert message.endswith(
        "outcome 'mortality', subgroup (none), timepoint '1 months'; each entry needs a "
        "different outcome, subgroup, timepoint"
    )
    rec["outcomes"][1]["subgroup"] = "women"
    assert problems_of(rec) == []


def test_null_values_say_fill_in():
    text = dump(record()).replace("population: adults", "population:").replace("title: A trial", "title:")
    assert problems_of(text) == [
        (
            "citation.title",
            "must be text (title of the paper); got nothing (null): fill it in or delete the line",
        ),
        ("population", "must be text (who was studied); got nothing (null): fill it in"),
    ]


def test_a_field_with_its_own_example_gets_only_that_one():
    # before: "must be lower-case letters, digits and single hyphens (e.g. holt-lunstad-2010)
    # (outcome id shared across studies, e.g. mortality)": a study id as the outcome's example
    text = dump(record()).replace("- outcome: mortality", "- outcome:")
    [(field, message)] = problems_of(text)
    assert field == "outcomes[0].outcome"
    assert message == (
        "must be lower-case letters, digits and single hyphens (outcome id shared across "
        "studies, e.g. mortality); got nothing (null): fill it in"
    )
    rec = record(kinds=("ratio_ci",))
    del rec["outcomes"][0]["data"]["level"]
    assert problems_of(rec) == [
        ("outcomes[0].data.level", "is required: a number > 0 and < 1 (confidence level, e.g. 0.95)")
    ]


def test_empty_lists_and_tagged_without_kind():
    rec = record()
    rec["outcomes"] = []
    rec["citation"]["authors"] = []
    assert problems_of(rec) == [
        ("citation.authors", "must be a list of text (at least 1); got an empty list"),
        ("outcomes", "must be a list of outcome_entry (at least 1); got an empty list"),
    ]
    rec = record()
    del rec["outcomes"][0]["data"]["kind"]
    assert problems_of(rec) == [
        (
            "outcomes[0].data.kind",
            "is required: one of binary, continuous, paired, ratio_ci, log_se, correlation, summary, none",
        )
    ]


def test_every_problem_in_one_pass():
    rec = record(kinds=("binary", "ratio_ci", "summary"))
    rec["design"] = "trial"
    rec["citation"]["year"] = "2020a"
    o0, o1, o2 = rec["outcomes"]
    o0["data"]["experimental"]["events"] = 500
    o0["data"]["control"]["totl"] = 5
    o1["data"]["level"] = 1.5
    o2["provenance"]["confidence"] = "derived"
    del o2["data"]["model"]
    fields = [f for f, _ in problems_of(rec)]
    assert fields == [
        "citation.year",
        "design",
        "outcomes[0].data.experimental.events",
        "outcomes[0].data.control.totl",
        "outcomes[1].data.level",
        "outcomes[2].data.model",
        "outcomes[2].provenance.derivation",
    ]


def test_generic_check_on_other_specs():
    tree, _ = parse_yaml("a: [1, x]\n")
    problems, value = check(tree.get("a"), ListOf(Integer(minimum=0)), path=None, field="a")
    assert value is None and [str(p) for p in problems] == [
        "<record>:1: a[1] must be an integer ≥ 0; got 'x'"
    ]
    problems, value = check(tree, MapOf(Text(pattern="^[a-z]$"), ListOf(Scalar())), path=None)
    assert problems == [] and value == {"a": [1, "x"]}
    problems, value = check(tree, MapOf(Text(pattern="^[a-z]$"), Scalar()), path=None)
    assert value is None and [str(p) for p in problems] == [
        "<record>:1: a must be text, a number, true/false or null; got a list"
    ]
    tree, _ = parse_yaml("v: 3\n")
    problems, value = check(tree.get("v"), Either((Text(), Integer())), path=None, field="v")
    assert problems == [] and value == 3


def test_record_does_not_mutate_input():
    rec = record()
    before = copy.deepcopy(rec)
    problems_of(rec)
    assert rec == before


def test_misspelt_required_field_is_one_problem_not_two():
    rec = record()
    rec["outcomes"][0]["provenance"]["confidnce"] = rec["outcomes"][0]["provenance"].pop("confidence")
    assert problems_of(rec) == [
        (
            "outcomes[0].provenance.confidnce",
            "is not a field of provenance (did you mean "
            "'confidence'?); allowed: source, locator, confidence, derivation, approximate, notes",
        )
    ]
