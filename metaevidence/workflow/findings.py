"""``results/summary-of-findings.md`` and ``figures/summary-of-findings.{svg,png}``: one table over
every published analysis, made from the ``summary_of_findings`` and ``certainty`` blocks of
``results/<id>.json`` (so it always matches the published results; a failed analysis keeps its
previous row). Written atomically; the same bytes on every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

from metaevidence._fileio import atomic_write

__all__ = ["SOF_NAME", "summary_rows", "write_summary_of_findings"]

SOF_NAME = "summary-of-findings"


def summary_rows(results: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """SoF rows and footnotes of every results/<id>.json that has them, in id order."""
    rows, notes = [], {}
    for p in sorted(results.glob("*.json")):
        if p.name.startswith("."):
            continue
        doc = json.loads(p.read_text(encoding="utf-8"))
        row = doc.get("summary_of_findings")
        if row is None:
            continue
        rows.append(row)
        notes[row["analysis"]] = list((doc.get("certainty") or {}).get("footnotes", []))
    return rows, notes


def write_summary_of_findings(
    results: Path, figures: Path, formats=("svg", "png"), *, cache: Path | None = None
) -> list[Path]:
    """Write the summary-of-findings table (markdown and figure); returns the paths written.

    With ``cache`` (:mod:`metaevidence.evidence.cache`), the figure is not drawn again when
    the cache says these rows, with these package versions, gave the bytes its files hold
    (same bytes either way); ``run --force`` passes no cache and so always redraws it.
    """
    from metaevidence.review.sof import sof_markdown

    rows, notes = summary_rows(results)
    if not rows:
        return []
    md = results / f"{SOF_NAME}.md"
    atomic_write(md, sof_markdown(rows, notes).encode("utf-8"))
    written = [md]
    if not figures.is_dir():  # no analysis draws figures: no table figure either
        return written
    paths = {fmt: figures / f"{SOF_NAME}.{fmt}" for fmt in formats}
    drawn = _Drawn(cache, rows, notes, formats)
    if drawn.on_disk(paths):
        return written + list(paths.values())
    from metaevidence.plots import figure_bytes
    from metaevidence.plots.sof import sof_table_plot

    fig = sof_table_plot(rows, footnote=_FOOTNOTE)
    for fmt, path in paths.items():
        data = figure_bytes(fig, fmt)
        atomic_write(path, data)
        drawn.record(fmt, data)
        written.append(path)
    drawn.save()
    return written


_FOOTNOTE = (
    "Certainty: the reviewer's GRADE judgements from each spec; "
    "'not assessed' = no judgements yet. Footnotes: results/summary-of-findings.md."
)


class _Drawn:
    """The sha256 of each figure file these rows gave when last drawn (the cache's
    ``summary-of-findings`` entry), keyed by the rows, footnotes and formats.
    """

    def __init__(self, cache: Path | None, rows, notes, formats) -> None:
        import hashlib

        from metaevidence.evidence.cache import Cache

        self.cache = None if cache is None else Cache(cache)
        from metaevidence.workflow.store import software_versions

        # the package and matplotlib versions too: a new release may draw the same rows differently
        made_of = json.dumps(
            [rows, notes, _FOOTNOTE, list(formats), software_versions()], sort_keys=True, default=str
        )
        self.key = hashlib.sha256(made_of.encode()).hexdigest()
        self.hashes: dict[str, str] = {}

    def on_disk(self, paths: dict[str, Path]) -> bool:
        from metaevidence.workflow.store import sha256_hex

        if self.cache is None:
            return False
        known = self.cache.load(SOF_NAME).get(self.key)
        if not isinstance(known, dict):
            return False
        for fmt, path in paths.items():
            try:
                if known.get(fmt) != sha256_hex(path.read_bytes()):
                    return False
            except OSError:
                return False
        return True

    def record(self, fmt: str, data: bytes) -> None:
        from metaevidence.workflow.store import sha256_hex

        self.hashes[fmt] = sha256_hex(data)

    def save(self) -> None:
        if self.cache is not None:
            self.cache.save(SOF_NAME, {self.key: self.hashes})
