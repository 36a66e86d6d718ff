"""``metaevidence run`` with its local cache (.metaevidence-cache/): the same bytes with and
without it, and a corrupted cache is harmless."""

from __future__ import annotations

import shutil

from metaevidence.workflow.commands import run_command
from metaevidence.workflow.findings import SOF_NAME

from .conftest import snapshot
from .test_run import _paths, _run, _status


def _outputs(root):
    return {
        **snapshot(root / "results"),
        **{f"figures/{k}": v for k, v in snapshot(root / "figures").items()},
    }


def test_the_cache_changes_no_byte_and_a_corrupt_cache_is_ignored(review):
    (review / "figures").mkdir()
    rc, out, err = _run(review)
    assert rc == 0, out + err
    cache = review / ".metaevidence-cache"
    assert (cache / "records.json").is_file()
    with_cache = _outputs(review)
    shutil.rmtree(cache)
    rc, out, _ = _run(review, "--force")
    assert rc == 0 and _status(out) == {"mortality": "unchanged"}
    assert _outputs(review) == with_cache
    for f in cache.glob("*.json"):
        f.write_bytes(f.read_bytes()[:-7] + b"\x00broken")
    for args in ((), ("--force",)):
        rc, out, err = _run(review, *args)
        assert rc == 0 and err.count("\n") <= 2, out + err
        assert _outputs(review) == with_cache
    rc, out, _ = _run(review, check=True)
    assert rc == 0 and _status(out) == {"mortality": "current"}


def test_the_summary_of_findings_figure_is_redrawn_when_its_file_changed(review, monkeypatch):
    from metaevidence.workflow import findings

    (review / "figures").mkdir()
    assert _run(review)[0] == 0
    sof = review / "figures" / f"{SOF_NAME}.svg"
    if not sof.exists():  # the review has no summary-of-findings rows: nothing to draw
        assert not list((review / "results").glob(f"{SOF_NAME}.*"))
        return
    good = sof.read_bytes()
    drawn = []
    real = findings._Drawn.record
    monkeypatch.setattr(
        findings._Drawn, "record", lambda self, fmt, data: (drawn.append(fmt), real(self, fmt, data))
    )
    assert _run(review)[0] == 0 and drawn == []  # cache: the files hold these rows' figure
    sof.write_bytes(b"edited")
    assert _run(review)[0] == 0 and drawn == ["svg", "png"] and sof.read_bytes() == good
    assert run_command  # (the CLI entry is the same function)
    assert _paths(review).cache == review / ".metaevidence-cache"
