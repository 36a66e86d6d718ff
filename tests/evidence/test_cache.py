"""The local cache of parsed records (evidence/cache.py): it changes nothing, and a damaged
cache is ignored (never an error)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from metaevidence.evidence import scan_studies
from metaevidence.evidence.cache import Cache, from_json, to_json

REPO_STUDIES = Path(__file__).resolve().parents[2] / "studies"


@pytest.fixture()
def review(tmp_path):
    shutil.copytree(REPO_STUDIES, tmp_path / "studies")
    return tmp_path


def _scan(review, cache):
    evidence, problems, n = scan_studies(review / "studies", cache=cache)
    assert problems == [] and evidence is not None
    return evidence


def test_cached_records_equal_parsed_ones(review):
    plain = _scan(review, None)
    cache = review / ".metaevidence-cache"
    first = _scan(review, cache)  # fills the cache
    assert (cache / "records.json").is_file() and (cache / ".gitignore").read_text().endswith("*\n")
    second = _scan(review, cache)  # served from it
    assert len(Cache(cache).load("records")) == len(plain.studies) == 29
    for a, b, c in zip(plain.studies, first.studies, second.studies, strict=True):
        assert a == b == c
        assert a.record == c.record and list(a.record) == list(c.record)  # values and key order


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"",  # empty
        lambda b: b"\x00\xff garbage",  # not JSON
        lambda b: b.replace(b'"events": ', b'"events": 1', 1),  # a number changed: checksum fails
        lambda b: b.split(b"\n", 1)[0] + b"\n[]",  # header of another body
    ],
)
def test_a_damaged_cache_is_ignored(review, damage):
    plain = _scan(review, None)
    cache = review / ".metaevidence-cache"
    _scan(review, cache)
    path = cache / "records.json"
    path.write_bytes(damage(path.read_bytes()))
    assert _scan(review, cache).studies == plain.studies
    assert len(Cache(cache).load("records")) == 29  # and it was rebuilt


def test_a_wrong_entry_with_a_valid_checksum_is_not_fatal(review):
    """An entry of the wrong shape (written by hand, checksum recomputed) is parsed again."""
    cache = Cache(review / ".metaevidence-cache")
    _scan(review, cache.folder)
    entries = cache.load("records")
    for entry in entries.values():
        entry["plain"] = {"id": 1}
        entry["dates"] = [["nowhere"]]
    cache.save("records", entries)
    assert _scan(review, cache.folder).studies == _scan(review, None).studies


def test_an_edited_record_is_parsed_again(review):
    cache = review / ".metaevidence-cache"
    _scan(review, cache)
    path = sorted((review / "studies").glob("*.yaml"))[0]
    path.write_text(path.read_text().replace("\nid: ", "\nid:  ", 1))  # same content, new bytes
    text = path.read_text()
    path.write_text(text + "notes: edited after caching\n" if "\nnotes:" not in text else text)
    assert _scan(review, cache) == _scan(review, None)


def test_dates_round_trip_and_odd_values_are_not_cached():
    value = {"a": [1, 2.5, None, True, {"d": dt.date(2020, 1, 2)}], "b": "x"}
    encoded, dates = to_json(value)
    assert dates == [["a", 4, "d"]] and encoded["a"][4]["d"] == "2020-01-02"
    assert from_json(encoded, dates) == value
    assert encoded["a"][4]["d"] == "2020-01-02"  # the cached value is not changed
    assert to_json({"t": dt.datetime(2020, 1, 2)}) is None
    assert to_json({1: "non-string key"}) is None
