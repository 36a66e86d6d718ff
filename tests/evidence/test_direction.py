"""Effect direction as data (issue 20 item 2) and treat_as (item 1) in the evidence bridge.

Records are the synthetic fixtures of tests/evidence/conftest.py (invented numbers). Every
oriented row is checked against the same effect computed directly from the data turned
round by hand, with metaevidence.effect_sizes.
"""

from __future__ import annotations

import copy
import math

import pytest

import metaevidence as me
from metaevidence.errors import RecordError
from metaevidence.evidence import load_evidence
from metaevidence.evidence.direction import DirectionConflict, DirectionWarning, Orientation
from tests.tolerances import CLOSED_FORM

from .conftest import DATA, entry, record, write

# records without a structured direction warn (tested below); the other tests are not about it
pytestmark = pytest.mark.filterwarnings("ignore::metaevidence.evidence.direction.DirectionWarning")

SWAPPED = {"experimental": "untreated", "control": "treated"}


def _study(folder, sid, kind, *, comparison=None, direction=None, data=None):
    rec = record(sid, kinds=(kind,))
    e = rec["outcomes"][0]
    if comparison is not None:
        e["comparison"] = comparison
    if direction is not None:
        e["direction"] = direction
    if data is not None:
        e["data"] = data
    write(folder, rec)


def _es(folder, measure, want=None, **kw):
    return load_evidence(folder).effect_sizes("mortality", measure, direction=want, **kw)


# --------------------------------------------------------------------------- records


def test_prose_direction_stays_valid_and_structured_direction_is_read(studies_dir):
    _study(studies_dir, "a-2001", "binary", direction="OR < 1 = fewer deaths")
    _study(studies_dir, "b-2002", "binary", direction={"benefit": "lower", "note": "OR < 1 = fewer deaths"})
    eb = load_evidence(studies_dir)
    a, b = eb["a-2001"].outcomes[0], eb["b-2002"].outcomes[0]
    assert (a.direction, a.benefit) == ("OR < 1 = fewer deaths", None)
    assert (b.direction, b.benefit) == ("OR < 1 = fewer deaths", "lower")


def test_a_bad_structured_direction_is_reported_at_its_line(studies_dir):
    rec = record("a-2001")
    rec["outcomes"][0]["direction"] = {"benefit": "up"}
    path = write(studies_dir, rec)
    with pytest.raises(RecordError) as info:
        load_evidence(studies_dir)
    (problem,) = info.value.problems
    line = path.read_text().splitlines().index("    benefit: up") + 1
    assert (problem.line, problem.field) == (line, "outcomes[0].direction.benefit")
    assert "must be one of: higher, lower; got 'up'" in problem.message


# --------------------------------------------------------------------------- orienting


@pytest.mark.parametrize("measure", ["OR", "RR", "RD", "PETO"])
def test_binary_arms_named_the_other_way_round_are_swapped(studies_dir, measure):
    _study(studies_dir, "a-2001", "binary")
    _study(studies_dir, "b-2002", "binary", comparison=SWAPPED)
    es = _es(studies_dir, measure, Orientation("lower", ("treated",)))
    d = DATA["binary"]
    direct = me.effect_sizes(
        measure,
        ai=[d["control"]["events"]],
        n1i=[d["control"]["total"]],
        ci=[d["experimental"]["events"]],
        n2i=[d["experimental"]["total"]],
    )
    assert es.yi[1] == pytest.approx(direct.yi[0], rel=CLOSED_FORM)
    assert es.vi[1] == pytest.approx(direct.vi[0], rel=CLOSED_FORM)
    assert es.yi[1] == pytest.approx(-es.yi[0], rel=CLOSED_FORM)
    assert es.source[1].endswith(
        "; direction: arms swapped (the record's experimental group, untreated, is the analysis's control); "
        "the effect is inverted"
    )
    assert "direction" not in es.source[0]
    assert es.group_labels == ("treated", "untreated")


def test_binary_counted_the_other_way_exchanges_events_and_non_events(studies_dir):
    # the record counts survivors (benefit higher); the analysis counts deaths (benefit lower)
    _study(studies_dir, "a-2001", "binary", direction={"benefit": "higher"})
    es = _es(studies_dir, "RR", Orientation("lower"))
    d = DATA["binary"]
    e, c = d["experimental"], d["control"]
    direct = me.effect_sizes(
        "RR", ai=[e["total"] - e["events"]], n1i=[e["total"]], ci=[c["total"] - c["events"]], n2i=[c["total"]]
    )
    assert es.yi[0] == pytest.approx(direct.yi[0], rel=CLOSED_FORM)
    assert es.vi[0] == pytest.approx(direct.vi[0], rel=CLOSED_FORM)
    # the RR of survival is not 1/RR of death: no "inverted" claim
    assert es.source[0].endswith(
        "; direction: outcome counted the other way (the record's benefit is higher, the analysis's lower)"
    )


def test_continuous_swapped_and_recoded(studies_dir):
    _study(studies_dir, "a-2001", "continuous", comparison=SWAPPED, direction={"benefit": "higher"})
    es = _es(studies_dir, "SMD", Orientation("lower", ("treated",)))
    plain = _es(studies_dir, "SMD", None)
    # swapping the arms negates the SMD and counting the scale the other way negates it again
    assert es.yi[0] == pytest.approx(plain.yi[0], rel=CLOSED_FORM)
    assert es.vi[0] == pytest.approx(plain.vi[0], rel=CLOSED_FORM)
    assert "arms swapped" in es.source[0] and "outcome counted the other way" in es.source[0]
    assert es.source[0].endswith("; the two cancel: the effect is pooled as recorded")


def test_a_reported_ratio_is_inverted_with_its_interval(studies_dir):
    _study(studies_dir, "a-2001", "ratio_ci", comparison=SWAPPED)
    es = _es(studies_dir, "HR", Orientation("lower", ("treated",)))
    d = DATA["ratio_ci"]
    direct = me.effect_sizes(
        "HR", estimate=[1 / d["estimate"]], ci_lower=[1 / d["upper"]], ci_upper=[1 / d["lower"]]
    )
    assert es.yi[0] == pytest.approx(-math.log(0.8), rel=CLOSED_FORM)
    assert es.vi[0] == pytest.approx(direct.vi[0], rel=CLOSED_FORM)


def test_a_log_or_of_the_complementary_outcome_is_negated(studies_dir):
    _study(studies_dir, "a-2001", "log_se", direction={"benefit": "higher"})
    es = _es(studies_dir, "OR", Orientation("lower"))
    assert es.yi[0] == pytest.approx(-0.27, rel=CLOSED_FORM) and es.vi[0] == pytest.approx(0.36**2)


@pytest.mark.parametrize(
    "kind, measure, what",
    [("ratio_ci", "HR", "HR"), ("continuous", "ROM", "ROM")],
)
def test_what_cannot_be_counted_the_other_way_is_refused_with_its_place(studies_dir, kind, measure, what):
    _study(studies_dir, "a-2001", kind, direction={"benefit": "higher"})
    with pytest.raises(DirectionConflict) as info:
        _es(studies_dir, measure, Orientation("lower"))
    exc = info.value
    assert (exc.study, exc.field, exc.path.name) == ("a-2001", "outcomes[0].direction", "a-2001.yaml")
    assert exc.line == exc.path.read_text().splitlines().index("    benefit: higher") + 1
    assert f"a {what} cannot be turned round by counting the outcome the other way" in str(exc)


def test_a_comparison_naming_neither_group_is_refused(studies_dir):
    _study(studies_dir, "a-2001", "binary", comparison={"experimental": "exercise", "control": "usual care"})
    with pytest.raises(
        DirectionConflict,
        match=r"outcomes\[0\].comparison names neither group as the analysis's "
        r"experimental group \('treated'\): experimental 'exercise', control 'usual care'",
    ):
        _es(studies_dir, "OR", Orientation("lower", ("treated",)))


def test_entries_without_a_structured_direction_are_assumed_and_named(studies_dir):
    _study(studies_dir, "a-2001", "binary")
    _study(studies_dir, "b-2002", "binary", direction={"benefit": "lower"})
    with pytest.warns(
        DirectionWarning, match=r"1 of 2 entries state no direction .*benefit lower\): a-2001$"
    ):
        es = _es(studies_dir, "OR", Orientation("lower"))
    assert not any("direction:" in s for s in es.source)


def test_without_an_orientation_disagreeing_entries_are_refused(studies_dir):
    _study(studies_dir, "a-2001", "binary", direction={"benefit": "lower"})
    _study(studies_dir, "b-2002", "binary", direction={"benefit": "higher"})
    with pytest.raises(DirectionConflict, match="says benefit 'higher' but 'a-2001' says 'lower'"):
        _es(studies_dir, "OR")


def test_without_an_orientation_agreeing_entries_are_left_as_they_are(studies_dir):
    _study(studies_dir, "a-2001", "binary", direction={"benefit": "lower"})
    _study(studies_dir, "b-2002", "binary", direction="prose only")
    es = _es(studies_dir, "OR")
    assert not any("direction" in s for s in es.source)


# --------------------------------------------------------------------------- treat_as


def test_treat_as_pools_a_reported_hr_as_or_marked_in_label_and_source(studies_dir):
    _study(studies_dir, "a-2001", "log_se")
    _study(studies_dir, "b-2002", "ratio_ci")
    eb = load_evidence(studies_dir)
    plain = eb.effect_sizes("mortality", "OR")
    assert plain.dropped.tolist() == [False, True]
    es = eb.effect_sizes("mortality", "OR", treat_as={"HR": "OR"})
    assert es.measure == "OR" and es.dropped.tolist() == [False, False]
    hr = me.effect_sizes("HR", estimate=[0.8], ci_lower=[0.64], ci_upper=[1.0])
    assert es.yi[1] == hr.yi[0] and es.vi[1] == hr.vi[0]
    assert es.labels == (plain.labels[0], plain.labels[1] + " (HR)")
    assert es.source[1].startswith("reported HR with 95% CI; pooled as OR (treat_as: HR as OR")


@pytest.mark.parametrize(
    "measure, treat_as, message",
    [
        ("SMD", {"HR": "SMD"}, "treat_as pools reported ratios as the analysis's ratio measure"),
        ("OR", {"OR": "OR"}, "treat_as keys must be reported ratio measures other than OR"),
        ("OR", {"HR": "RR"}, r"treat_as\['HR'\] must be the measure pooled \('OR'\); got 'RR'"),
    ],
)
def test_a_treat_as_that_does_not_pool_into_the_measure_is_refused(studies_dir, measure, treat_as, message):
    _study(studies_dir, "a-2001", "binary")
    with pytest.raises(ValueError, match=message):
        load_evidence(studies_dir).effect_sizes("mortality", measure, treat_as=treat_as)


def test_an_orientation_needs_a_known_benefit():
    with pytest.raises(ValueError, match="benefit must be 'higher' or 'lower'; got 'up'"):
        Orientation("up")
    assert copy.copy(Orientation("higher")).experimental == ()
    assert entry("binary")["comparison"]["experimental"] == "treated"
