"""The same results on every machine: canonical numbers, the tolerance that keeps committed files,
run and run --check agreeing (and saying why), only stale analyses recomputed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from metaevidence.stats.fit import meta_analysis
from metaevidence.workflow import run as run_module
from metaevidence.workflow.canonical import (
    ABSOLUTE_TOLERANCE,
    RELATIVE_TOLERANCE,
    canonical_float,
    canonical_numbers,
    differences,
    numbers_agree,
    settle,
)
from metaevidence.workflow.commands import run_command
from metaevidence.workflow.run import Paths, check_results, run_analyses

from .conftest import make_review, snapshot, spec, study, write_yaml


def _paths(root: Path) -> Paths:
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def _json(root: Path) -> Path:
    return root / "results" / "mortality.json"


def _plant(root: Path, change) -> bytes:
    """Edit the committed results JSON in place (``change(doc)``); its new bytes."""
    doc = json.loads(_json(root).read_text(encoding="utf-8"))
    change(doc)
    data = (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    _json(root).write_bytes(data)
    return data


# --------------------------------------------------------------------------- the canonical form


def test_canonical_float_rounds_to_12_significant_digits():
    assert canonical_float(4.563208281918451) == canonical_float(4.56320828191845) == 4.56320828192
    assert canonical_float(0.010307834283659334) == canonical_float(0.010307834283659167)
    assert canonical_float(-0.0) == 0.0 and str(canonical_float(-0.0)) == "0.0"
    assert canonical_float(1e-300) == 1e-300 and canonical_float(123456789012345.0) == 123456789012000.0
    assert np.isnan(canonical_float(float("nan"))) and canonical_float(float("inf")) == float("inf")


def test_numbers_agree_within_the_documented_tolerance():
    assert numbers_agree(1.0, 1.0 + 0.5 * RELATIVE_TOLERANCE)
    assert not numbers_agree(1.0, 1.0 + 3 * RELATIVE_TOLERANCE)
    assert numbers_agree(0.0, 0.5 * ABSOLUTE_TOLERANCE)  # near zero, noise is absolute
    assert not numbers_agree(0.0, 1e-11)


def test_settle_keeps_committed_values_that_agree_and_new_ones_that_do_not():
    old = {"a": 0.1234567890125, "b": [1.0, 2.0], "c": "x", "d": [1.0]}
    new = {"a": 0.1234567890124999, "b": [1.0, 2.5], "c": "x", "d": [1.0, 2.0]}
    assert settle(old, new) == {"a": 0.1234567890125, "b": [1.0, 2.5], "c": "x", "d": [1.0, 2.0]}
    assert list(differences(old, new)) == [("b[1]", 2.0, 2.5), ("d", "[1 items]", "[2 items]")]


def test_figures_are_drawn_from_canonical_copies_and_the_api_keeps_full_precision():
    res = meta_analysis(yi=[0.1, 0.3, 0.35, 0.6], vi=[0.01, 0.02, 0.015, 0.03])
    canon = canonical_numbers(res)
    assert canon.estimate == canonical_float(res.estimate) and canon.estimate != res.estimate
    assert np.array_equal(canon.weights, [canonical_float(w) for w in res.weights])
    assert canon.labels == res.labels and canon.k == res.k and canon.method == res.method
    assert repr(res.estimate) != repr(canon.estimate)  # the API's own object is untouched


# --------------------------------------------------------------------------- run and --check


def _run(root: Path, *args: str, check: bool = False) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = run_command(_paths(root), [], check=check, force="--force" in args, quiet=True, out=out, err=err)
    return rc, out.getvalue() + err.getvalue()


def test_a_result_differing_only_below_canonical_precision_is_left_untouched(tmp_path):
    root = make_review(tmp_path / "r")
    assert _run(root)[0] == 0
    canonical = _json(root).read_bytes()
    # what another CPU's kernels would give: every float moved in its 15th digit
    assert _plant(root, lambda doc: _nudge(doc, 1 + 3e-15)) != canonical
    before = snapshot(root)
    for args in ((), ("--force",)):
        rc, out = _run(root, *args)
        assert rc == 0, out
        assert ("unchanged" if args else "current") in out
        assert snapshot(root) == before  # the planted bytes are still there
        rc, out = _run(root, *args, check=True)
        assert rc == 0 and "mortality  current" in out, out


def test_a_real_change_is_reported_by_both_with_the_field_and_the_size(tmp_path):
    root = make_review(tmp_path / "r")
    _run(root)

    def change(doc):
        doc["pooled"]["estimate"] += 1e-6

    _plant(root, change)
    before = snapshot(root)
    rc, out = _run(root, "--force", check=True)
    assert rc == 1 and "STALE" in out
    assert "pooled.estimate" in out and "relative difference 2.3e-06" in out, out
    assert snapshot(root) == before  # --check writes nothing
    rc, out = _run(root, "--force")
    assert rc == 0 and "mortality was updated: 1 number(s) or field(s) differ: pooled.estimate" in out
    assert "relative difference 2.3e-06" in out
    assert _run(root, "--force", check=True)[0] == 0


def test_run_says_why_and_recomputes_only_stale_analyses(tmp_path, monkeypatch):
    root = make_review(
        tmp_path / "r",
        specs=[
            spec("mortality"),
            spec("recent", studies={"outcome": "mortality", "ids": ["davis-2012", "evans-2016"]}),
        ],
    )
    _run(root)
    computed = []
    real = run_module.produce
    monkeypatch.setattr(run_module, "produce", lambda s, *a, **k: computed.append(s.id) or real(s, *a, **k))
    write_yaml(root / "studies" / "adams-2001.yaml", study("adams-2001", 2001, 13, 100, 20, 98))
    rc, check_out = _run(root, check=True)
    assert rc == 1 and "mortality" in check_out and "study records changed: adams-2001" in check_out
    assert "recent     current" in check_out
    report = run_analyses(_paths(root))
    by_id = {o.id: o for o in report.outcomes}
    assert computed == ["mortality"]  # recent uses neither the changed record nor anything new
    assert by_id["recent"].status == "current" and by_id["mortality"].status == "updated"
    why = "; ".join(by_id["mortality"].why)
    assert why.startswith("study records changed: adams-2001; ")
    assert "pooled.estimate" in why and "relative difference" in why
    assert "mortality was updated: study records changed: adams-2001" in report.summary()
    computed.clear()
    run_analyses(_paths(root), force=True)
    assert computed == ["mortality", "recent"]


def test_a_version_difference_is_said_as_such(tmp_path, monkeypatch):
    root = make_review(tmp_path / "r")
    _run(root)
    doc = json.loads(_json(root).read_text(encoding="utf-8"))
    have = doc["software"]["numpy"]
    monkeypatch.setattr(run_module, "software_versions", lambda: {**doc["software"], "numpy": "0.0.1"})
    (out,) = check_results(_paths(root)).outcomes
    assert out.status == "stale"
    assert out.detail == (
        f"software versions differ (not the evidence): computed with numpy {have}; installed here: "
        "numpy 0.0.1 -- the pinned environment is `pip install -c constraints.txt -e .` (README)"
    )
    assert "study records" not in out.detail and "spec" not in out.detail.split("--")[0]
    # only the Python version differs: not stamped, so current (the pinned environment cannot pin it)
    monkeypatch.setattr(run_module, "software_versions", lambda: {**doc["software"], "python": "3.99.0"})
    assert check_results(_paths(root)).outcomes[0].status == "current"


def _nudge(value, factor):
    if isinstance(value, float):
        return value * factor
    if isinstance(value, dict):
        for k, v in value.items():
            value[k] = _nudge(v, factor)
    if isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = _nudge(v, factor)
    return value
