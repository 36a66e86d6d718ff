"""What ``metaevidence import`` and ``metaevidence export`` do; cli.py only parses and prints.

:func:`import_file` chooses the importer from the file: a RevMan 5 file (``.rm5``), a RevMan
CSV export (its ``Comparison Number`` header) or a RevMan Web export (``.zip``); RIS
(``.ris``) and BibTeX (``.bib``) references; otherwise a CSV or Excel table of studies.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from metaevidence.io.sheets import DataImportError
from metaevidence.io.tabular import ImportResult

__all__ = ["import_file", "detect_format", "parse_map_option"]


def detect_format(path: str | Path) -> str:
    """``revman``, ``ris``, ``bibtex`` or ``table`` for a file to import."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".rm5", ".zip"):
        return "revman"
    if suffix == ".ris":
        return "ris"
    if suffix in (".bib", ".bibtex"):
        return "bibtex"
    if suffix == ".csv":
        try:
            with open(path, encoding="utf-8-sig", errors="replace") as fh:
                head = fh.readline()
        except OSError:
            return "table"
        if head.startswith("Comparison Number,Outcome Number"):
            return "revman"
    return "table"


def parse_map_option(items: list[str] | None) -> dict[str, str]:
    """``["ai=Deaths A", "n1i=N A"]`` -> ``{"ai": "Deaths A", "n1i": "N A"}``."""
    out = {}
    for item in items or ():
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise DataImportError([f"--map expects FIELD=COLUMN (e.g. ai='Deaths, aspirin'); got {item!r}"])
        out[field.strip()] = column.strip()
    return out


def import_file(
    path: str | Path,
    studies_dir: str | Path = "studies",
    analyses_dir: str | Path | None = "analyses",
    *,
    mapping: dict[str, str] | None = None,
    mapping_file: str | Path | None = None,
    sheet: str | None = None,
    partial: bool = False,
    date: _dt.date | None = None,
    **options,
) -> ImportResult:
    """Import any supported file; see :mod:`metaevidence.io` and ``docs/import-*.md``."""
    path = Path(path)
    if not path.is_file():
        raise DataImportError([f"{path}: no such file"])
    kind = detect_format(path)
    options = {k: v for k, v in options.items() if v is not None}
    if kind == "revman":
        from metaevidence.io.revman_import import import_revman

        return import_revman(path, studies_dir, analyses_dir, partial=partial, date=date,
                             by=options.get("by", "metaevidence import"))  # fmt: skip
    if kind in ("ris", "bibtex"):
        from metaevidence.io.references import import_references

        return import_references(path, studies_dir, partial=partial, date=date,
                                 by=options.get("by", "metaevidence import"))  # fmt: skip
    from metaevidence.io.tabular import import_table, read_mapping

    columns = dict(read_mapping(mapping_file)) if mapping_file else {}
    columns.update(mapping or {})
    return import_table(path, studies_dir, mapping=columns, sheet=sheet, analyses_dir=analyses_dir,
                        partial=partial, date=date, **options)  # fmt: skip
