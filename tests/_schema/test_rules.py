"""Cross-field rules: checks, words and their JSON Schema form."""

from __future__ import annotations

import pytest

from metaevidence._schema.rules import (
    AtLeastOne,
    ForbiddenIf,
    NotGreater,
    Ordered,
    PositiveWhen,
    RequiredIf,
    Together,
    When,
)


def finder(values: dict):
    def find(dotted):
        cur = values
        for part in dotted.split("."):
            if not isinstance(cur, dict) or part not in cur or cur[part] is None:
                return False, None
            cur = cur[part]
        return True, cur

    return find


def test_when_conditions():
    find = finder({"confidence": "derived", "data": {"kind": "binary"}, "adjusted": True, "n": 1})
    assert When("confidence", ("derived",)).holds(find)
    assert When("data.kind", ("binary", "none")).holds(find)
    assert not When("data.kind", ("none",)).holds(find)
    assert When("n").holds(find) and not When("m").holds(find) and When("m", absent=True).holds(find)
    # exact types: true is not 1 and 1 is not true
    assert not When("adjusted", (1,)).holds(find) and not When("n", (True,)).holds(find)
    assert When("data.kind", ("binary", "none")).describe() == "data.kind is one of binary, none"
    assert When("data.kind", ("binary", "none")).describe(find) == "data.kind is binary"
    assert When("adjusted", (False,)).describe() == "adjusted is false"


def test_when_to_json_nests_dotted_paths():
    assert When("data.kind", ("binary",)).to_json() == {
        "properties": {"data": {"properties": {"kind": {"enum": ["binary"]}}, "required": ["kind"]}},
        "required": ["data"],
    }
    assert When("lower").to_json() == {"required": ["lower"]}
    assert When("lower", absent=True).to_json() == {"not": {"required": ["lower"]}}


def test_required_if():
    rule = RequiredIf("derivation", When("confidence", ("derived",)), "say how")
    assert rule.check({}, finder({"confidence": "derived"})) == [
        ("derivation", "is required when confidence is derived: say how")
    ]
    assert rule.check({}, finder({"confidence": "derived", "derivation": "x"})) == []
    assert rule.check({}, finder({"confidence": "primary"})) == []
    assert rule.to_json() == {
        "if": {"properties": {"confidence": {"enum": ["derived"]}}, "required": ["confidence"]},
        "then": {"required": ["derivation"]},
    }
    assert rule.describe() == "derivation is required when confidence is derived"


def test_forbidden_if():
    rule = ForbiddenIf("missing", When("status", ("complete",)), "nothing is missing")
    assert rule.check({}, finder({"status": "complete", "missing": ["a"]})) == [
        ("missing", "must not be given when status is complete: nothing is missing; got [a]")
    ]
    assert rule.check({}, finder({"status": "partial", "missing": ["a"]})) == []
    assert rule.to_json()["then"] == {"not": {"required": ["missing"]}}


def test_together():
    rule = Together("lower", "upper", "both bounds")
    assert rule.check({}, finder({"lower": 1})) == [("upper", "is required when lower is given: both bounds")]
    assert rule.check({}, finder({"upper": 1})) == [("lower", "is required when upper is given: both bounds")]
    assert rule.check({}, finder({})) == [] and rule.check({}, finder({"lower": 1, "upper": 2})) == []
    assert rule.to_json() == {"dependentRequired": {"lower": ["upper"], "upper": ["lower"]}}


def test_at_least_one():
    rule = AtLeastOne(("doi", "pmid"), "an identifier")
    assert rule.check({}, finder({})) == [(None, "needs an identifier: at least one of doi, pmid; got none")]
    assert rule.check({}, finder({"pmid": 1})) == []
    assert rule.to_json() == {"anyOf": [{"required": ["doi"]}, {"required": ["pmid"]}]}


def test_not_greater_uses_only_valid_values():
    rule = NotGreater("events", "total")
    assert rule.check({"events": 5, "total": 4}, finder({})) == [
        ("events", "must be between 0 and total (4); got 5")
    ]
    assert rule.check({"events": 4, "total": 4}, finder({})) == []
    assert rule.check({"events": 5}, finder({})) == []  # total invalid: nothing to compare
    assert rule.to_json() is None and rule.describe() == "events ≤ total"


@pytest.mark.parametrize(
    "ok, expected",
    [
        ({"lower": 1.0, "estimate": 1.5, "upper": 2.0}, []),
        ({"lower": 1.5, "estimate": 1.5, "upper": 2.0}, []),  # rounded bounds may touch the estimate
        ({"lower": 2.0, "estimate": 1.5, "upper": 1.0}, [("lower", "must be below upper (1.0); got 2.0")]),
        (
            {"lower": 1.0, "estimate": 2.5, "upper": 2.0},
            [("estimate", "must lie within its confidence interval [1.0, 2.0]; got 2.5")],
        ),
        ({"estimate": 2.5, "upper": 2.0}, []),
    ],
)
def test_ordered(ok, expected):
    assert Ordered("lower", "estimate", "upper").check(ok, finder({})) == expected


def test_positive_when():
    rule = PositiveWhen(("estimate", "lower"), When("measure", ("OR",)), "natural scale")
    assert rule.check({"estimate": -1, "lower": 0.5}, finder({"measure": "OR"})) == [
        ("estimate", "must be > 0 when measure is OR: natural scale; got -1")
    ]
    assert rule.check({"estimate": -1}, finder({"measure": "MD"})) == []
    assert rule.to_json()["then"] == {
        "properties": {"estimate": {"exclusiveMinimum": 0}, "lower": {"exclusiveMinimum": 0}}
    }
