"""The results store: canonical JSON, atomic writes, staging folders, publish order."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest

from metaevidence import _fileio
from metaevidence._fileio import STAGING_PREFIX, Staging, atomic_write, remove_stale_staging
from metaevidence.workflow import store
from metaevidence.workflow.store import (
    FORMAT,
    ResultStore,
    StoreError,
    canonical_json,
    json_ready,
    parse_result,
    sha256_hex,
    software_versions,
)


def test_canonical_json_is_sorted_12_significant_digits_and_ends_with_newline():
    value = {"b": 0.1 + 0.2, "a": [1, 2.5, None], "c": {"z": True, "y": "é", "x": [{"w": 4.563208281918451}]}}
    text = canonical_json(value).decode("utf-8")
    assert text == (
        '{\n  "a": [\n    1,\n    2.5,\n    null\n  ],\n  "b": 0.3,\n'
        '  "c": {\n    "x": [\n      {\n        "w": 4.56320828192\n      }\n    ],\n'
        '    "y": "é",\n    "z": true\n  }\n}\n'
    )
    # every float, however deep: the two values the issue saw on two CPUs give the same bytes
    assert canonical_json({"q": [4.56320828191845]}) == canonical_json({"q": [4.563208281918451]})


def test_json_ready_converts_numpy_and_non_finite():
    out = json_ready(
        {
            "x": np.float64(1.25),
            "n": np.int64(3),
            "b": np.bool_(True),
            "arr": np.array([1.0, np.nan, np.inf]),
            "t": (1, 2),
            "p": Path("a/b"),
        }
    )
    assert out == {"x": 1.25, "n": 3, "b": True, "arr": [1.0, None, None], "t": [1, 2], "p": "a/b"}
    assert type(out["n"]) is int and type(out["b"]) is bool
    assert json_ready(-math.inf) is None
    with pytest.raises(TypeError, match=r"JSON object keys must be text; got 1 \(int\)"):
        json_ready({1: 2})
    with pytest.raises(TypeError, match=r"cannot write object to a results file"):
        json_ready(object())


def test_sha256_and_versions():
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    v = software_versions()
    assert set(v) == {"python", "metaevidence", "numpy", "scipy", "pandas", "matplotlib", "PyYAML"}
    assert v["numpy"] == np.__version__
    assert software_versions() == v


def test_atomic_write_replaces_and_skips_identical(tmp_path):
    target = tmp_path / "x.json"
    assert atomic_write(target, b"one") is True
    assert target.read_bytes() == b"one"
    before = target.stat().st_mtime_ns
    assert atomic_write(target, b"one") is False
    assert target.stat().st_mtime_ns == before
    assert atomic_write(target, b"two") is True and target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]  # no temporary left
    mode = target.stat().st_mode & 0o777
    assert mode == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_atomic_write_failure_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    target.write_bytes(b"old")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_fileio.os, "replace", boom)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_atomic_write_across_file_systems_falls_back_to_the_target_folder(tmp_path, monkeypatch):
    staging = tmp_path / "staging"
    staging.mkdir()
    target = tmp_path / "out" / "x.json"
    target.parent.mkdir()
    real = os.replace

    def cross_device(src, dst):
        if Path(src).parent == staging:
            raise OSError(18, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr(_fileio.os, "replace", cross_device)
    assert atomic_write(target, b"data", staging=staging)
    assert target.read_bytes() == b"data"
    assert list(staging.iterdir()) == [] and [p.name for p in target.parent.iterdir()] == ["x.json"]


def test_staging_folder_is_removed_and_stale_ones_cleaned(tmp_path):
    dead = tmp_path / f"{STAGING_PREFIX}999999999"
    dead.mkdir()
    (dead / "junk").write_bytes(b"x")
    other = tmp_path / f"{STAGING_PREFIX}notapid"
    other.mkdir()
    with Staging(tmp_path) as folder:
        assert folder.is_dir() and folder.name == f"{STAGING_PREFIX}{os.getpid()}"
        assert not dead.exists() and other.exists()
    assert not folder.exists()
    assert remove_stale_staging(tmp_path / "missing") == []


def test_publish_order_figures_report_json_and_stale_figures_removed(tmp_path, monkeypatch):
    st = ResultStore(tmp_path / "results", tmp_path / "figures")
    order = []
    real = store.atomic_write

    def spy(path, data, *, staging=None):
        order.append(Path(path).relative_to(tmp_path).as_posix())
        return real(path, data, staging=staging)

    monkeypatch.setattr(store, "atomic_write", spy)
    out = st.publish("a", b"{}", b"# A\n", {"forest.svg": b"<svg/>", "funnel.svg": b"<svg/>"})
    assert order == ["figures/a/forest.svg", "figures/a/funnel.svg", "results/a.md", "results/a.json"]
    assert out.changed and len(out.written) == 4
    out = st.publish(
        "a",
        b"{}",
        b"# A\n",
        {"forest.svg": b"<svg/>"},
        previous_figures=("forest.svg", "funnel.svg", "never-written.png"),
    )
    assert out.written == () and [p.name for p in out.removed] == ["funnel.svg"]
    assert sorted(p.name for p in (tmp_path / "figures" / "a").iterdir()) == ["forest.svg"]
    out = st.publish("a", b"{}", b"# A\n", {}, previous_figures=("forest.svg",))
    assert not (tmp_path / "figures" / "a").exists()
    assert st.ids() == ["a"]


def test_reading_results(tmp_path):
    st = ResultStore(tmp_path / "results", tmp_path / "figures")
    assert st.ids() == [] and st.read("a") is None
    (tmp_path / "results").mkdir()
    st.json_path("a").write_bytes(canonical_json({"format": FORMAT, "x": 1}))
    assert st.read("a") == {"format": FORMAT, "x": 1}
    st.json_path("b").write_bytes(b"{not json")
    with pytest.raises(StoreError, match=r"b\.json is not valid JSON .*re-run `metaevidence run`"):
        st.read("b")
    with pytest.raises(
        StoreError,
        match=r"is not a metaevidence result of format 'metaevidence-result/1'; "
        r"got format 'other'",
    ):
        parse_result(b'{"format": "other"}')


def test_staging_folder_that_cannot_be_created(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(
        StoreError,
        match=r"cannot create the staging folder .* for writing results: .*; "
        r"nothing was written",
    ):
        with Staging(tmp_path / "file"):
            pass
