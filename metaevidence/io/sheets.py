"""Reading CSV and Excel files as rows of cells that know where they came from.

:func:`read_table` returns a :class:`Table`: the header, and one :class:`Row` per data row
whose cells can be located as ``file.csv:8:events_1`` (the line of the CSV file and the
column's header) or ``file.xlsx:Sheet1!D7`` (the sheet and the cell reference), the two forms
every import message uses. A file that is not a spreadsheet is refused with a message that
says what it looks like.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from metaevidence.errors import MetaevidenceError

__all__ = ["DataImportError", "Table", "Row", "read_table", "column_letter"]

#: Largest file an import reads (a spreadsheet of studies is small).
MAX_BYTES = 20_000_000


class DataImportError(MetaevidenceError, ValueError):
    """A file could not be imported; the message lists every problem, one per line."""

    def __init__(self, problems: list[str] | tuple[str, ...], head: str = ""):
        self.problems = tuple(problems)
        n = len(self.problems)
        head = head or f"{n} problem{'s' if n != 1 else ''}; nothing was written"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in self.problems))


def column_letter(index: int) -> str:
    """Excel's column letters for a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its cells by header, and where it is in the file."""

    file: str
    sheet: str | None
    number: int  # CSV line number or Excel row number (1-based, header included)
    cells: dict[str, object]
    columns: dict[str, int]  # header -> 0-based column index

    def where(self, column: str | None = None) -> str:
        """``file.csv:8:events_1``, ``file.xlsx:Sheet1!D7``, or the row alone without a column."""
        if self.sheet is None:
            return f"{self.file}:{self.number}" + (f":{column}" if column else "")
        if column is None:
            return f"{self.file}:{self.sheet}!{self.number}:{self.number}"
        return f"{self.file}:{self.sheet}!{column_letter(self.columns[column])}{self.number}"

    def locator(self) -> str:
        """The row in words, for provenance: ``row 8`` or ``sheet Sheet1, row 7``."""
        if self.sheet is None:
            return f"line {self.number}"
        return f"sheet {self.sheet}, row {self.number}"


@dataclass(frozen=True, slots=True)
class Table:
    """The header and rows of one sheet (or CSV file)."""

    file: str
    sheet: str | None
    header: tuple[str, ...]
    rows: tuple[Row, ...]


def _sniff(path: Path, raw: bytes) -> str:
    if raw.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile:
            return "a damaged zip archive"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "a zip archive that is not an Excel workbook"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old binary Excel (.xls) or other OLE file: save it as .xlsx or .csv"
    if raw.startswith(b"%PDF"):
        return "a PDF document"
    if raw[:5].lstrip().startswith(b"<?xml") or raw.lstrip()[:1] == b"<":
        return "an XML or HTML document"
    if b"\x00" in raw[:4096]:
        return "a binary file"
    return "csv"


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Read a ``.csv`` or ``.xlsx`` file into a :class:`Table`.

    Parameters
    ----------
    path : str or Path
        The file. Its content decides how it is read (a CSV that is really a PDF is refused).
    sheet : str, optional
        The worksheet of a workbook (default: the first).

    Raises
    ------
    DataImportError
        When the file cannot be read or is not a spreadsheet.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataImportError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    if len(raw) > MAX_BYTES:
        raise DataImportError([f"{path}: {len(raw):,} bytes is more than a table of studies should be"])
    what = _sniff(path, raw)
    if what == "xlsx":
        return _read_xlsx(path, raw, sheet)
    if what != "csv":
        raise DataImportError(
            [f"{path}: is not a spreadsheet: it looks like {what}; give a .csv or .xlsx file"]
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise DataImportError([f"{path}: is named like an Excel workbook but is not one (no zip container)"])
    return _read_csv(path, raw)


def _read_csv(path: Path, raw: bytes) -> Table:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if not text.strip():
        raise DataImportError([f"{path}: is empty; a header row and one row per study are expected"])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = list(csv.reader(io.StringIO(text, newline=""), dialect))
    header = tuple(h.strip() for h in lines[0])
    _check_header(path, header)
    columns = {h: i for i, h in enumerate(header) if h}
    rows = []
    for number, values in enumerate(lines[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        cells = {h: (values[i].strip() if i < len(values) else "") for h, i in columns.items()}
        rows.append(Row(path.name, None, number, cells, columns))
    return Table(path.name, None, header, tuple(rows))


def _read_xlsx(path: Path, raw: bytes, sheet: str | None) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise DataImportError([f"{path}: cannot be read as an Excel workbook: {exc}"]) from None
    names = book.sheetnames
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise DataImportError([f"{path}: has no sheet {sheet!r}; sheets: {', '.join(names)}"])
    values = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    book.close()
    if not values or not any(v is not None for v in values[0]):
        raise DataImportError([f"{path}:{sheet}!1:1: the first row must be the header; it is empty"])
    header = tuple("" if v is None else str(v).strip() for v in values[0])
    _check_header(path, header)
    columns = {h: i for i, h in enumerate(header) if h}
    rows = []
    for number, vals in enumerate(values[1:], start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals):
            continue
        cells = {h: (vals[i] if i < len(vals) else None) for h, i in columns.items()}
        cells = {h: ("" if v is None else v.strip() if isinstance(v, str) else v) for h, v in cells.items()}
        rows.append(Row(path.name, sheet, number, cells, columns))
    return Table(path.name, sheet, header, tuple(rows))


def _check_header(path: Path, header: tuple[str, ...]) -> None:
    seen: dict[str, int] = {}
    problems = []
    for i, h in enumerate(header):
        if h and h in seen:
            problems.append(
                f"{path}: header has the column {h!r} twice (columns {column_letter(seen[h])} "
                f"and {column_letter(i)}); rename one"
            )
        seen.setdefault(h, i)
    if problems:
        raise DataImportError(problems)
