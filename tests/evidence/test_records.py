"""Typed record objects built from validated records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from metaevidence.evidence.records import (
    BinaryData,
    Citation,
    ContinuousData,
    CorrelationData,
    LogSEData,
    NoEffectData,
    PairedData,
    RatioCIData,
    SummaryData,
    build_study,
    lookup,
)

from .conftest import DATA, record


def built(rec):
    return build_study(rec, path=Path("x.yaml"), sha256="0" * 64)


def test_every_kind_becomes_its_type():
    study = built(record(kinds=tuple(DATA)))
    types = [type(e.data) for e in study.outcomes]
    assert types == [
        BinaryData,
        ContinuousData,
        RatioCIData,
        LogSEData,
        CorrelationData,
        SummaryData,
        NoEffectData,
        PairedData,
    ]
    assert [e.kind for e in study.outcomes] == list(DATA)
    p = study.outcomes[7].data
    assert (p.experimental.mean, p.control.sd, p.n, p.r) == (26.0, 4.5, 60, 0.7)
    b = study.outcomes[0].data
    assert (b.experimental.events, b.experimental.total, b.control.events, b.control.total) == (
        12,
        100,
        20,
        98,
    )
    c = study.outcomes[1].data
    assert (c.experimental.mean, c.control.sd, c.unit) == (10.5, 3.0, "points")
    s = study.outcomes[5].data
    assert s.has_interval and s.k == 148 and s.model == "random-effects"
    assert study.outcomes[6].data.reason == "no arm-level numbers reported"


def test_study_fields_and_dotted_lookup():
    study = built(record(kinds=("binary", "log_se")))
    assert study.id == "doe-2020" and study.year == 2020 and study.design == "rct"
    assert study.extraction.date == dt.date(2026, 11, 27) and study.extraction.missing == ()
    assert study.field("citation.year") == 2020
    assert study.field("citation.nope", "default") == "default"
    assert study.outcomes[1].field("data.se") == 0.36
    assert study.outcomes[0].key == ("mortality", None, "1 months")
    assert study.outcomes[0].comparison.experimental == "treated"
    assert study.outcomes[0].study_id == "doe-2020" and study.outcomes[1].index == 1
    assert lookup({"a": {"b": 1}}, "a.b") == 1 and lookup({"a": 1}, "a.b") is None


def test_objects_are_frozen_and_records_read_only():
    study = built(record())
    with pytest.raises(dataclasses.FrozenInstanceError):
        study.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        study.record["id"] = "other"  # type: ignore[index]
    with pytest.raises(TypeError):
        study.outcomes[0].attributes["x"] = 1  # type: ignore[index]
    assert isinstance(study.record["outcomes"], tuple)


@pytest.mark.parametrize(
    "authors, as_cited, expected",
    [
        (("Holt-Lunstad J", "Smith TB", "Layton JB"), None, "Holt-Lunstad et al. 2010"),
        (("van de Mheen D", "Best D"), None, "van de Mheen and Best 2010"),
        (("Blazer",), None, "Blazer 2010"),
        (("Ahern",), "Ahern et al., 1990", "Ahern et al., 1990"),
    ],
)
def test_short_citation(authors, as_cited, expected):
    assert Citation(authors=authors, year=2010, as_cited=as_cited).short() == expected


def _schema_records():
    from metaevidence._schema.types import Either, ListOf, MapOf, Record, Tagged
    from metaevidence.evidence.schema import STUDY

    seen: dict[str, Record] = {}

    def walk(spec):
        if isinstance(spec, Record) and spec.name not in seen:
            seen[spec.name] = spec
            for f in spec.fields:
                walk(f.spec)
        elif isinstance(spec, Tagged):
            for _kind, variant in spec.variants:
                walk(variant)
        elif isinstance(spec, ListOf):
            walk(spec.item)
        elif isinstance(spec, MapOf):
            walk(spec.values)
        elif isinstance(spec, Either):
            for option in spec.options:
                walk(option)

    walk(STUDY)
    return seen


def test_each_record_class_has_exactly_the_fields_the_schema_declares():
    # a field added to the schema but not to its class (or the reverse) fails here, not in a user's run
    import dataclasses

    from metaevidence.evidence import records

    schema = _schema_records()
    assert set(records._CLASSES) <= set(schema)
    for name, cls in records._CLASSES.items():
        declared = {f.name for f in schema[name].fields} - {"kind"}
        fields = {f.name for f in dataclasses.fields(cls)} - set(records.EXTRA_FIELDS.get(cls, ()))
        assert fields == declared, (name, fields ^ declared)
