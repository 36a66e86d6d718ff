"""The review ledger in ``validate`` and ``run``: checks, the PRISMA 2020 diagram, the exclusion table.

The ledger is ``review.yaml`` in the folder that holds ``studies/`` (see
:mod:`metaevidence.review.ledger`). ``metaevidence validate`` adds its problems to the
records' (:func:`ledger_problems`); ``metaevidence run`` draws ``figures/prisma/prisma.svg``
and ``.png`` and writes ``results/prisma.md`` (the counts and the table of exclusion reasons)
with :func:`publish_prisma`, whose stamp (the last line of ``prisma.md``: the ledger's hash,
the software versions, each file's hash) lets ``run --check`` (:func:`prisma_status`) call
them stale after ``review.yaml`` changed, exactly when ``run`` would redraw them. Without a
ledger both do nothing.
"""

from __future__ import annotations

from pathlib import Path

from metaevidence._fileio import atomic_write
from metaevidence.errors import RecordProblem

__all__ = [
    "ledger_path",
    "ledger_problems",
    "prisma_outputs",
    "prisma_status",
    "publish_prisma",
    "prisma_outcome",
]


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
            "![PRISMA 2020 flow diagram](../figures/prisma/prisma.png)", "",
            "The diagram as [SVG](../figures/prisma/prisma.svg).", "",
            f"Studies included: {len(ledger.included_studies)}; records screened: "
            f"{'not recorded' if m.screened is None else m.screened}.", "",
            "## Reports excluded, with reasons", "", exclusion_table(ledger)]  # fmt: skip
    if ledger.notes:
        text += ["## Notes", "", ledger.notes.strip(), ""]
    return {"prisma.svg": figure_bytes(fig, "svg"), "prisma.png": figure_bytes(fig, "png", dpi=150),
            "prisma.md": "\n".join(text).encode("utf-8")}  # fmt: skip


STAMP = "<!-- metaevidence prisma stamp: "


def _stamp(ledger_bytes: bytes, outputs: dict[str, bytes]) -> dict:
    """What the diagram was drawn from and with, and the hash of every file it wrote."""
    from metaevidence.workflow.run import _stamped
    from metaevidence.workflow.store import sha256_hex, software_versions

    return {
        "ledger": sha256_hex(ledger_bytes),
        "files": {name: sha256_hex(data) for name, data in sorted(outputs.items())},
        "software": _stamped(software_versions()),
    }


def _stamped_md(body: bytes, stamp: dict) -> bytes:
    import json

    return body + (STAMP + json.dumps(stamp, sort_keys=True, separators=(",", ":")) + " -->\n").encode()


def _read_stamp(md: bytes) -> tuple[bytes, dict | None]:
    """(body, stamp) of a written ``results/prisma.md``; stamp None when it has none."""
    import json

    text = md.decode("utf-8", errors="replace")
    at = text.rfind(STAMP)
    if at < 0:
        return md, None
    try:
        stamp = json.loads(text[at + len(STAMP) :].strip().removesuffix("-->"))
    except ValueError:
        return md, None
    return text[:at].encode("utf-8"), stamp if isinstance(stamp, dict) else None


def _targets(paths) -> dict[str, Path]:
    return {"prisma.svg": paths.figures / "prisma" / "prisma.svg",
            "prisma.png": paths.figures / "prisma" / "prisma.png",
            "prisma.md": paths.results / "prisma.md"}  # fmt: skip


def prisma_status(paths) -> tuple[str, list[str]]:
    """("current" | "stale" | "missing" | "failed" | "none", reasons) of the PRISMA outputs.

    The stamp at the end of ``results/prisma.md`` records the hash of the ``review.yaml`` it
    was drawn from, the software versions and the hash of each file; the outputs are stale when
    the ledger or the versions changed or a file does not hold what was written ("none": the
    review has no ledger).
    """
    from metaevidence.workflow.run import _version_reasons
    from metaevidence.workflow.store import sha256_hex

    path = ledger_path(paths.studies)
    if not path.is_file():
        return "none", []
    problems = ledger_problems(paths.studies)
    if problems:
        return "failed", [f"{len(problems)} problem(s) in the review ledger: {problems[0]}"]
    targets = _targets(paths)
    try:
        md = targets["prisma.md"].read_bytes()
    except OSError:
        return "missing", [f"{targets['prisma.md']} does not exist: run `metaevidence run`"]
    body, stamp = _read_stamp(md)
    if stamp is None:
        return "stale", [f"{targets['prisma.md']} records no stamp (drawn by an earlier version)"]
    reasons = []
    if stamp.get("ledger") != sha256_hex(path.read_bytes()):
        reasons.append(f"{Path(paths.studies).parent / 'review.yaml'} changed since the diagram was drawn")
    reasons += _version_reasons(stamp.get("software"))
    files = stamp.get("files") if isinstance(stamp.get("files"), dict) else {}
    for name, target in targets.items():
        try:
            data = body if name == "prisma.md" else target.read_bytes()
        except OSError:
            reasons.append(f"{target} is missing")
            continue
        if files.get(name) != sha256_hex(data):
            reasons.append(f"{target} does not match the stamp in {targets['prisma.md']}")
    return ("stale" if reasons else "current"), reasons


def publish_prisma(paths, *, force: bool = False) -> tuple[str, list[str]]:
    """Draw and write the diagram and table of the review's ledger (``metaevidence run``) unless
    :func:`prisma_status` calls them current; returns (status, reasons) as ``run`` reports them:
    "updated", "unchanged" (``--force``: the files already held these bytes), "current",
    "failed" or "none".

    ``--force`` does not draw again what this code already drew from this ledger: the local
    cache (:mod:`metaevidence.evidence.cache`, entry ``prisma``) records the files' hashes that
    these inputs gave, as it does for the summary-of-findings figure.
    """
    status, reasons = prisma_status(paths)
    if status in ("none", "failed") or (status == "current" and not force):
        return status, reasons
    drawn = _Drawn(paths)
    if status == "current" and drawn.on_disk(_targets(paths)):
        return "unchanged", []
    outputs = prisma_outputs(paths.studies)
    outputs["prisma.md"] = _stamped_md(
        outputs["prisma.md"], _stamp(ledger_path(paths.studies).read_bytes(), outputs)
    )
    targets = _targets(paths)
    same = all(_holds(target, outputs[name]) for name, target in targets.items())
    for name, target in targets.items():
        if not same:
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, outputs[name])  # the stamped table last: a cut-off run reads as stale
    drawn.save(outputs)
    if same:
        return "unchanged", []
    return "updated", reasons or (["drawn again (--force)"] if status == "current" else ["no diagram yet"])


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


class _Drawn:
    """What the cache says this code drew from these inputs: the ledger's bytes, the record
    ids it is checked against, the software versions; the key of the cache's ``prisma`` entry.
    """

    def __init__(self, paths) -> None:
        import hashlib
        import json

        from metaevidence.evidence.cache import Cache
        from metaevidence.workflow.run import _stamped
        from metaevidence.workflow.store import sha256_hex, software_versions

        self.cache = Cache(paths.cache)
        made_of = [
            sha256_hex(ledger_path(paths.studies).read_bytes()),
            _study_ids(paths.studies),
            _stamped(software_versions()),
        ]
        self.key = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()

    def on_disk(self, targets: dict[str, Path]) -> bool:
        """Whether the files hold what these inputs gave when this code last drew them."""
        from metaevidence.workflow.store import sha256_hex

        known = self.cache.load("prisma").get(self.key)
        if not isinstance(known, dict):
            return False
        try:
            return all(known.get(name) == sha256_hex(path.read_bytes()) for name, path in targets.items())
        except OSError:
            return False

    def save(self, outputs: dict[str, bytes]) -> None:
        from metaevidence.workflow.store import sha256_hex

        self.cache.save("prisma", {self.key: {name: sha256_hex(data) for name, data in outputs.items()}})


def prisma_outcome(paths, *, check: bool, force: bool = False):
    """The PRISMA line of a run or ``--check`` report: an ``Outcome`` with id ``prisma``, or None
    without a ledger. ``run`` redraws exactly what ``--check`` calls stale or missing.
    """
    from metaevidence.workflow.run import Outcome

    status, reasons = prisma_status(paths) if check else publish_prisma(paths, force=force)
    if status == "none":
        return None
    detail = "; ".join(reasons) if reasons and status != "current" else "up to date"
    return Outcome("prisma", status, detail, why=tuple(reasons) if status in ("stale", "updated") else ())
