"""Property tests: mutate valid records at random; loading either succeeds (and then every
invariant of the format holds) or raises RecordError whose every problem has a file and a
line -- never any other exception."""

from __future__ import annotations

import copy
import datetime as dt
import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from metaevidence.errors import RecordError
from metaevidence.evidence import load_evidence
from metaevidence.evidence.records import (
    BinaryData,
    ContinuousData,
    CorrelationData,
    LogSEData,
    RatioCIData,
    SummaryData,
)
from metaevidence.evidence.schema import REPORTED_RATIOS

from .conftest import DATA, STUDIES, dump, record

SEEDS = {
    p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
    for p in (
        STUDIES / "martinelli-2020.yaml",
        STUDIES / "holt-lunstad-2010.yaml",
        STUDIES / "ahern-1990.yaml",
        STUDIES / "kelly-2020.yaml",
        STUDIES / "litt-2007.yaml",
    )
}
for _seed in SEEDS.values():
    _seed.pop("related", None)  # alone in a folder, the related records do not exist
BASES = [record("doe-2020", kinds=tuple(DATA)), *SEEDS.values()]

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.dates(min_value=dt.date(1000, 1, 1)),
    st.sampled_from(
        ["", "  ", "yes", "no", "1,5", "\u22121", "10.1/x", "derived", "partial", "binary", "OR", "-"]
    ),
)
values = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=6), scalars, max_size=3)
)


def paths(obj, prefix=()):
    """Every path (tuple of keys/indices) to a node below obj."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.append(prefix + (k,))
            out += paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.append(prefix + (i,))
            out += paths(v, prefix + (i,))
    return out


def parent_of(obj, path):
    for part in path[:-1]:
        obj = obj[part]
    return obj


@st.composite
def mutated(draw):
    rec = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        all_paths = paths(rec)
        if not all_paths:
            break
        path = draw(st.sampled_from(all_paths))
        parent, key = parent_of(rec, path), path[-1]
        op = draw(st.sampled_from(["drop", "retype", "perturb", "rename", "add", "duplicate"]))
        if op == "drop":
            del parent[key]
        elif op == "retype":
            parent[key] = draw(values)
        elif op == "perturb":
            v = parent[key]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                parent[key] = draw(st.sampled_from([-v, v * 10, v + 1, v - 1, 0, v / 3, -1e-9, 1e300]))
            else:
                parent[key] = draw(values)
        elif op == "rename" and isinstance(parent, dict):
            k2 = draw(st.sampled_from([key[:-1], key + "s", key.upper(), key.replace("_", "-"), "x" + key]))
            if k2 and k2 not in parent:
                parent[k2] = parent.pop(key)
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(values)
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return rec


def corrupt(text: str, data) -> bytes:
    raw = text.encode("utf-8")
    op = data.draw(st.sampled_from(["insert", "delete", "truncate", "tab", "bytes", "dupline", "indent"]))
    pos = data.draw(st.integers(0, len(raw)))
    if op == "insert":
        return (
            raw[:pos]
            + data.draw(
                st.sampled_from(
                    [
                        b":",
                        b"- ",
                        b"[",
                        b"{",
                        b"&a ",
                        b"*a",
                        b"!!",
                        b"'",
                        b'"',
                        b"\n",
                        b"#",
                        b"? ",
                        b"<<: ",
                        b"---\n",
                        b"%",
                    ]
                )
            )
            + raw[pos:]
        )
    if op == "delete":
        return raw[:pos] + raw[pos + data.draw(st.integers(1, 40)) :]
    if op == "truncate":
        return raw[:pos]
    if op == "tab":
        line_start = raw.rfind(b"\n", 0, pos) + 1
        return raw[:line_start] + b"\t" + raw[line_start:]
    if op == "bytes":
        return raw[:pos] + data.draw(st.binary(min_size=1, max_size=4)) + raw[pos:]
    lines = raw.split(b"\n")
    i = data.draw(st.integers(0, len(lines) - 1))
    if op == "dupline":
        lines.insert(i, lines[i])
    else:
        lines[i] = b"  " + lines[i]
    return b"\n".join(lines)


def check_outcome(folder: Path) -> None:
    try:
        evidence = load_evidence(folder)
    except RecordError as exc:
        event("record error")
        assert exc.problems
        for p in exc.problems:
            assert p.path is not None and Path(p.path).parent == folder, p
            assert isinstance(p.line, int) and p.line >= 1, p
            assert isinstance(p.message, str) and p.message, p
        return
    event("loaded")
    evidence.to_frame()
    for study in evidence:
        assert study.id == study.path.stem
        if study.extraction.status == "partial":
            assert study.extraction.missing
        for e in study.outcomes:
            assert (e.provenance.derivation is not None) == (e.provenance.confidence == "derived")
            d = e.data
            if isinstance(d, BinaryData):
                for arm in (d.experimental, d.control):
                    assert type(arm.events) is int and type(arm.total) is int and 0 <= arm.events <= arm.total
            elif isinstance(d, ContinuousData):
                assert d.experimental.sd > 0 and d.control.sd > 0 and d.experimental.n >= 1
            elif isinstance(d, RatioCIData):
                assert 0 < d.lower <= d.estimate <= d.upper and d.lower < d.upper and 0 < d.level < 1
            elif isinstance(d, LogSEData):
                assert d.se > 0 and math.isfinite(d.log_estimate)
            elif isinstance(d, CorrelationData):
                assert -1 < d.r < 1 and d.n >= 1
            elif isinstance(d, SummaryData):
                if d.measure in REPORTED_RATIOS:
                    assert d.estimate > 0
                if d.lower is not None:
                    assert d.lower <= d.estimate <= d.upper and d.level is not None


def _folder_with(files: dict[str, bytes]):
    tmp = tempfile.TemporaryDirectory()
    folder = Path(tmp.name) / "studies"
    folder.mkdir()
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
    return tmp, folder


@SETTINGS
@given(rec=mutated())
def test_mutated_records_load_or_raise_record_error(rec):
    name = (
        rec["id"]
        if isinstance(rec.get("id"), str) and rec["id"].isascii() and "/" not in rec["id"] and rec["id"]
        else "x"
    )
    tmp, folder = _folder_with(
        {f"{name}.yaml": dump(rec).encode("utf-8"), "doe-2021.yaml": dump(record("doe-2021")).encode("utf-8")}
    )
    with tmp:
        check_outcome(folder)


@SETTINGS
@given(base=st.sampled_from(BASES), data=st.data())
def test_corrupted_yaml_loads_or_raises_record_error(base, data):
    raw = corrupt(dump(base), data)
    tmp, folder = _folder_with({f"{base['id']}.yaml": raw})
    with tmp:
        check_outcome(folder)


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_loads_or_raises_record_error(text):
    tmp, folder = _folder_with({"x.yaml": text.encode("utf-8", errors="surrogatepass")})
    with tmp:
        check_outcome(folder)


def test_unmutated_bases_are_valid():
    for base in BASES:
        tmp, folder = _folder_with({f"{base['id']}.yaml": dump(base).encode("utf-8")})
        with tmp:
            assert load_evidence(folder).ids == (base["id"],)
