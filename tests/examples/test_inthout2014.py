"""examples/inthout2014: the script runs, writes its tables, and the tutorial's checks hold.

A reduced run (fewer replications) checks the script end to end; the committed tables
are checked against what the tutorial says of them, and the exact case (equal trial
sizes: the HKSJ test is an exact t test) is checked to be at 5% within MC error.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "inthout2014"
TABLES = Path(__file__).resolve().parents[2] / "docs" / "simulation-inthout2014-tables.md"


def _script():
    spec = importlib.util.spec_from_file_location("inthout2014", EXAMPLE / "inthout2014.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _committed_tables() -> dict[int, np.ndarray]:
    """Table number -> array (I^2 rows x [k=2 DL, k=2 HKSJ, ...]) from the committed Markdown."""
    out, current = {}, None
    for line in TABLES.read_text(encoding="utf-8").splitlines():
        m = re.match(r"## Table (\d+):", line)
        if m:
            current = int(m.group(1))
            out[current] = []
        elif current and re.match(r"\| \d+ \|", line):
            out[current].append([float(x) for x in line.strip("|").split("|")[1:]])
    return {n: np.array(rows) for n, rows in out.items()}


def test_script_runs_and_writes_the_tables(tmp_path, monkeypatch):
    mod = _script()
    monkeypatch.setattr(sys, "argv", ["inthout2014.py", "--reps", "100", "--out", str(tmp_path)])
    mod.main()
    text = (tmp_path / "simulation-inthout2014-tables.md").read_text(encoding="utf-8")
    assert text.count("## Table") == 4
    assert (tmp_path / "inthout2014-type1.png").stat().st_size > 10_000


def test_committed_tables_say_what_the_tutorial_says():
    t = _committed_tables()
    assert sorted(t) == [1, 2, 3, 4] and all(a.shape == (5, 12) for a in t.values())
    dl = {n: a[:, 0::2] for n, a in t.items()}
    hksj = {n: a[:, 1::2] for n, a in t.items()}
    se5 = 100 * np.sqrt(0.05 * 0.95 / 10_000)
    # equal sizes: HKSJ is an exact t test -> 5% within ~2.5 MC SE in every cell
    assert np.all(np.abs(hksj[1] - 5.0) < 2.5 * se5)
    # DL over 30% for few trials of unequal size; HKSJ at most 10.7%
    assert max(dl[n].max() for n in (2, 3, 4)) == 31.4
    assert max(hksj[n].max() for n in (2, 3, 4)) == 10.7
    # with k = 2 the three unequal patterns are one scenario: independent runs agree
    for row in range(5):
        vals = [dl[n][row, 0] for n in (2, 3, 4)]
        assert max(vals) - min(vals) < 6 * 100 * np.sqrt(0.3 * 0.7 / 10_000)
