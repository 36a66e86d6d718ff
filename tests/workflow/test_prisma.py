"""The PRISMA outputs in ``run`` and ``run --check``: a stamp in results/prisma.md (the ledger's
hash, the software versions, each file's hash) makes ``--check`` call the diagram stale exactly
when ``run`` would redraw it."""

from __future__ import annotations

import io

from metaevidence.workflow.commands import run_command
from metaevidence.workflow.run import Paths

from .conftest import TRIALS, snapshot

LEDGER = """\
identification:
  databases:
    - {source: MEDLINE, date: 2026-01-10, hits: 40}
  duplicates_removed: 5
  automation_removed: 0
  other_removed: 0
  screened: 35
  screened_excluded: 25
  reports_sought: 10
  reports_not_retrieved: 1
  reports_assessed: 9
  reports_excluded:
    - {reason: wrong population, n: 4}
included:
  studies: [%s]
  reports: 5
"""


def cmd(review, *args):
    out, err = io.StringIO(), io.StringIO()
    paths = Paths.of(*(review / f for f in ("studies", "analyses", "results", "figures")))
    status = run_command(
        paths, (), check="--check" in args, force="--force" in args, quiet=True, out=out, err=err
    )
    return status, out.getvalue()


def prisma_line(out: str) -> str:
    (line,) = [ln for ln in out.splitlines() if ln.startswith("PRISMA flow (review.yaml)")]
    return line


def test_check_reports_a_stale_diagram_exactly_when_run_redraws_it(review):
    (review / "review.yaml").write_text(LEDGER % ", ".join(t[0] for t in TRIALS))
    status, out = cmd(review, "--check")
    assert status == 1 and "  MISSING  " in prisma_line(out) and "prisma.md does not exist" in out
    status, out = cmd(review)
    assert status == 0 and prisma_line(out).startswith("PRISMA flow (review.yaml)  updated")
    drawn = snapshot(review / "figures" / "prisma") | {"md": (review / "results" / "prisma.md").read_bytes()}
    assert set(drawn) == {"prisma.svg", "prisma.png", "md"}
    status, out = cmd(review, "--check")
    assert status == 0 and prisma_line(out) == "PRISMA flow (review.yaml)  current  up to date"
    status, out = cmd(review)  # current: nothing redrawn
    assert status == 0 and prisma_line(out) == "PRISMA flow (review.yaml)  current  up to date"

    # the ledger changes (a count corrected): --check says so, run redraws, --check is content again
    (review / "review.yaml").write_text(
        (LEDGER % ", ".join(t[0] for t in TRIALS))
        .replace("hits: 40", "hits: 41")
        .replace("duplicates_removed: 5", "duplicates_removed: 6")
    )
    status, out = cmd(review, "--check")
    assert status == 1 and "STALE" in prisma_line(out)
    assert "review.yaml changed since the diagram was drawn" in prisma_line(out)
    assert snapshot(review / "figures" / "prisma") == {
        k: v for k, v in drawn.items() if k != "md"
    }  # --check wrote nothing
    status, out = cmd(review)
    assert status == 0 and "updated" in prisma_line(out)
    assert snapshot(review / "figures" / "prisma")["prisma.svg"] != drawn["prisma.svg"]
    assert cmd(review, "--check")[0] == 0


def test_a_hand_edited_or_deleted_figure_is_stale(review):
    (review / "review.yaml").write_text(LEDGER % ", ".join(t[0] for t in TRIALS))
    assert cmd(review)[0] == 0
    svg = review / "figures" / "prisma" / "prisma.svg"
    svg.write_bytes(svg.read_bytes() + b"\n")
    status, out = cmd(review, "--check")
    assert status == 1 and "prisma.svg does not match the stamp in" in prisma_line(out)
    svg.unlink()
    assert "prisma.svg is missing" in prisma_line(cmd(review, "--check")[1])
    assert cmd(review)[0] == 0 and cmd(review, "--check")[0] == 0


def test_a_ledger_with_problems_fails_run_and_check_alike(review):
    (review / "review.yaml").write_text(LEDGER % "adams-2001")  # four records not listed
    for args in ((), ("--check",)):
        status, out = cmd(review, *args)
        assert status == 1 and "FAILED  1 problem(s) in the review ledger" in prisma_line(out), out
        assert "must list every record in studies/; missing: baker-2004" in prisma_line(out)
    assert not (review / "figures" / "prisma").exists()


def test_without_a_ledger_there_is_no_prisma_line(review):
    assert cmd(review)[0] == 0
    assert "PRISMA" not in cmd(review, "--check")[1] and not (review / "results" / "prisma.md").exists()


def test_force_does_not_redraw_what_this_code_drew_from_this_ledger(review, monkeypatch):
    import metaevidence.plots.prisma as plots_prisma

    (review / "review.yaml").write_text(LEDGER % ", ".join(t[0] for t in TRIALS))
    assert cmd(review)[0] == 0  # drawn, and the cache records what this ledger gave
    drawn = snapshot(review / "figures" / "prisma") | {"md": (review / "results" / "prisma.md").read_bytes()}
    calls = []
    real = plots_prisma.prisma_flow
    monkeypatch.setattr(plots_prisma, "prisma_flow", lambda ledger: calls.append(1) or real(ledger))
    status, out = cmd(review, "--force")
    assert status == 0 and prisma_line(out) == "PRISMA flow (review.yaml)  unchanged  up to date"
    assert calls == []  # not drawn again
    # without the cache (a fresh clone): --force draws again, finds the same bytes, rewrites nothing
    for p in (review / ".metaevidence-cache").iterdir():
        p.unlink()
    status, out = cmd(review, "--force")
    assert status == 0 and prisma_line(out) == "PRISMA flow (review.yaml)  unchanged  up to date"
    assert calls == [1]
    assert (
        snapshot(review / "figures" / "prisma") | {"md": (review / "results" / "prisma.md").read_bytes()}
        == drawn
    )
    # the ledger changed: drawn again whatever the cache holds
    ledger = LEDGER % ", ".join(t[0] for t in TRIALS)
    (review / "review.yaml").write_text(
        ledger.replace("hits: 40", "hits: 41").replace("duplicates_removed: 5", "duplicates_removed: 6")
    )
    status, out = cmd(review, "--force")
    assert status == 0 and "updated" in prisma_line(out) and calls == [1, 1]
    assert cmd(review, "--check")[0] == 0


def test_the_table_embeds_the_png_and_links_the_svg(review):
    (review / "review.yaml").write_text(LEDGER % ", ".join(t[0] for t in TRIALS))
    assert cmd(review)[0] == 0
    md = (review / "results" / "prisma.md").read_text(encoding="utf-8")
    assert "![PRISMA 2020 flow diagram](../figures/prisma/prisma.png)" in md
    assert "The diagram as [SVG](../figures/prisma/prisma.svg)." in md
    assert set(snapshot(review / "figures" / "prisma")) == {"prisma.svg", "prisma.png"}
