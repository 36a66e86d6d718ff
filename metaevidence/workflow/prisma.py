"""The review ledger in ``validate`` and ``run``: checks, the PRISMA 2020 diagram, the exclusion table.

The ledger is ``review.yaml`` in the folder that holds ``studies/`` (see
:mod:`metaevidence.review.ledger`). ``metaevidence validate`` adds its problems to the
records' (:func:`ledger_problems`); ``metaevidence run`` draws ``figures/prisma/prisma.svg``
and ``.png`` and writes ``results/prisma.md`` (the counts and the table of exclusion reasons)
with :func:`publish_prisma`. Without a ledger both do nothing.
"""

from __future__ import annotations

from pathlib import Path

from metaevidence._fileio import atomic_write
from metaevidence.errors import RecordProblem

__all__ = ["ledger_path", "ledger_problems", "prisma_outputs", "publish_prisma"]


def ledger_path(studies: str | Path) -> Path:
    """Where the ledger of a review with records in ``studies`` lives."""
    return Path(studies).resolve().parent / "review.yaml"


def _study_ids(studies: str | Path) -> list[str]:
    folder = Path(studies)
    return (
        sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith(".")) if folder.is_dir() else []
    )


def ledger_problems(studies: str | Path) -> list[RecordProblem]:
    """Problems of the ledger beside ``studies`` (none when there is no ledger)."""
    from metaevidence.review.ledger import check_ledger

    path = ledger_path(studies)
    if not path.is_file():
        return []
    shown = Path(studies).parent / "review.yaml"
    return [RecordProblem(shown, p.line, p.field, p.message) for p in check_ledger(path, _study_ids(studies))]


def prisma_outputs(studies: str | Path) -> dict[str, bytes]:
    """``{"prisma.svg": ..., "prisma.png": ..., "prisma.md": ...}`` or {} without a valid ledger."""
    path = ledger_path(studies)
    if not path.is_file() or ledger_problems(studies):
        return {}
    from metaevidence.plots.output import figure_bytes  # (not imported by a review without a ledger)
    from metaevidence.plots.prisma import exclusion_table, prisma_flow
    from metaevidence.review.ledger import read_ledger

    ledger, _problems = read_ledger(path)
    fig = prisma_flow(ledger)
    m = ledger.main
    text = [f"# PRISMA 2020 flow{': ' + ledger.title if ledger.title else ''}", "",
            "From `review.yaml`; 'not recorded' marks a count the ledger does not have.", "",
            "![PRISMA 2020 flow diagram](../figures/prisma/prisma.svg)", "",
            f"Studies included: {len(ledger.included_studies)}; records screened: "
            f"{'not recorded' if m.screened is None else m.screened}.", "",
            "## Reports excluded, with reasons", "", exclusion_table(ledger)]  # fmt: skip
    if ledger.notes:
        text += ["## Notes", "", ledger.notes.strip(), ""]
    return {"prisma.svg": figure_bytes(fig, "svg"), "prisma.png": figure_bytes(fig, "png", dpi=150),
            "prisma.md": "\n".join(text).encode("utf-8")}  # fmt: skip


def publish_prisma(paths) -> list[Path]:
    """Write the diagram and table of the review's ledger (``metaevidence run``); returns the paths."""
    outputs = prisma_outputs(paths.studies)
    written = []
    for name, data in outputs.items():
        target = paths.results / name if name.endswith(".md") else paths.figures / "prisma" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
        written.append(target)
    return written
