"""References from a reference manager (RIS with rispy, BibTeX with bibtexparser) as new records.

Each reference becomes a record whose ``citation`` holds its authors, year, title, journal,
volume, issue, pages and identifiers (DOI, PMID, URL); the id is the first author's surname
and the year. A DOI is checked for form (``10.<registrant>/<suffix>``; a ``doi:`` or
``https://doi.org/`` prefix is removed) and a malformed one is reported with its reference.
The records have no outcomes yet (an entry with ``kind: none`` says so) and list the design,
population and effect data as missing: they are the start of an extraction.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from metaevidence.io.sheets import DataImportError
from metaevidence.io.tabular import ImportResult
from metaevidence.io.writing import ImportPlan, slugify

__all__ = ["read_references", "import_references", "clean_doi", "DOI_PATTERN"]

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")


def clean_doi(value: str) -> str:
    """``"https://doi.org/10.1/ABC"`` -> ``"10.1/ABC"``; raises ValueError for a malformed DOI."""
    doi = re.sub(r"(?i)^(doi:\s*|https?://(dx\.)?doi\.org/)", "", str(value).strip())
    if not DOI_PATTERN.match(doi):
        raise ValueError(
            f"a DOI is 10.<4-9 digits>/<suffix>, e.g. 10.1371/journal.pmed.1000316; got {value!r}"
        )
    return doi


def _year(value) -> int | None:
    m = re.search(r"(1[89]\d\d|20\d\d|2100)", str(value or ""))
    return int(m.group(1)) if m else None


def _ris(path: Path, text: str) -> list[dict]:
    import rispy

    try:
        entries = rispy.loads(text)
    except Exception as exc:  # noqa: BLE001 - rispy raises plain exceptions for bad input
        raise DataImportError([f"{path}: is not a readable RIS file: {exc}"]) from None
    out = []
    for i, e in enumerate(entries, start=1):
        pages = "-".join(p for p in (e.get("start_page"), e.get("end_page")) if p)
        out.append({
            "where": f"{path.name}: reference {i}",
            "authors": [_surname_first(a) for a in (e.get("authors") or e.get("first_authors") or [])],
            "year": _year(e.get("year") or e.get("publication_year") or e.get("date")),
            "title": e.get("title") or e.get("primary_title"),
            "journal": e.get("journal_name") or e.get("secondary_title") or e.get("alternate_title1"),
            "volume": e.get("volume"), "issue": e.get("number"), "pages": pages or None,
            "doi": e.get("doi"), "pmid": None, "url": (e.get("urls") or [None])[0],
        })  # fmt: skip
    return out


def _bibtex(path: Path, text: str) -> list[dict]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    problems = [f"{path}: a BibTeX block could not be parsed near line {getattr(b, 'start_line', '?')}"
                for b in library.failed_blocks]  # fmt: skip
    if problems:
        raise DataImportError(problems)
    out = []
    for e in library.entries:
        f = {k.lower(): v for k, v in e.fields_dict.items()}

        def val(key, f=f):
            return f[key].value.strip("{} ") if key in f else None

        authors = [a.strip() for a in re.split(r"\s+and\s+", val("author") or "") if a.strip()]
        out.append({
            "where": f"{path.name}: @{e.entry_type}{{{e.key}}} (line {e.start_line + 1})",
            "authors": [_surname_first(a) for a in authors],
            "year": _year(val("year") or val("date")), "title": val("title"),
            "journal": val("journal") or val("booktitle"), "volume": val("volume"), "issue": val("number"),
            "pages": (val("pages") or "").replace("--", "-") or None, "doi": val("doi"), "pmid": val("pmid"),
            "url": val("url"),
        })  # fmt: skip
    return out


def _surname_first(name: str) -> str:
    """BibTeX ``"Smith, John A."`` or ``"John A. Smith"`` -> ``"Smith JA"``."""
    if "," in name:
        last, first = (p.strip() for p in name.split(",", 1))
    else:
        parts = name.split()
        last, first = parts[-1], " ".join(parts[:-1])
    initials = "".join(w[0] for w in re.split(r"[\s.\-]+", first) if w)
    return f"{last} {initials}".strip()


def read_references(path: str | Path) -> list[dict]:
    """The references of a ``.ris`` or ``.bib`` file as plain dicts (not yet checked)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataImportError([f"{path}: cannot be read as UTF-8 text: {exc}"]) from None
    return _bibtex(path, text) if path.suffix.lower() in (".bib", ".bibtex") else _ris(path, text)


def _citation(ref: dict, problems: list[str]) -> dict | None:
    where = ref["where"]
    if not ref["authors"]:
        problems.append(f"{where}: has no authors; a record needs at least one")
    if ref["year"] is None:
        problems.append(f"{where}: has no year (expected a 4-digit year in PY/Y1/year)")
    cit = {"authors": ref["authors"], "year": ref["year"]}
    for key in ("title", "journal", "volume", "issue", "pages"):
        if ref.get(key):
            cit[key] = str(ref[key])
    if ref.get("doi"):
        try:
            cit["doi"] = clean_doi(ref["doi"])
        except ValueError as exc:
            problems.append(f"{where}: doi {exc}")
    if ref.get("pmid") and str(ref["pmid"]).isdigit():
        cit["pmid"] = int(ref["pmid"])
    if ref.get("url") and re.match(r"^https?://\S+$", str(ref["url"])) and "doi" not in cit:
        cit["url"] = str(ref["url"])
    if not any(k in cit for k in ("doi", "pmid", "url")):
        cit["other"] = f"imported from {where}"
    return None if not ref["authors"] or ref["year"] is None else cit


def import_references(
    path: str | Path,
    studies_dir: str | Path = "studies",
    *,
    partial: bool = False,
    by: str = "metaevidence import",
    date: _dt.date | None = None,
) -> ImportResult:
    """Import RIS or BibTeX references as new study records (citation filled, data to extract).

    Raises
    ------
    DataImportError
        Listing every problem (reference, field, what was expected); nothing is written.
    """
    refs = read_references(path)
    if not refs:
        raise DataImportError([f"{path}: holds no references"])
    plan = ImportPlan(Path(studies_dir))
    date = date or _dt.date.today()
    for ref in refs:
        cit = _citation(ref, plan.problems)
        if cit is None:
            plan.skipped.append(ref["where"])
            continue
        base = slugify(ref["authors"][0].split()[0].rstrip(",")) or "study"
        sid = f"{base}-{cit['year']}"
        n = 1
        while sid in plan.records:
            n += 1
            sid = f"{base}-{cit['year']}-{n}"
        plan.records[sid] = {
            "id": sid,
            "citation": cit,
            "design": "not-reported",
            "population": f"not yet extracted (record created from {Path(path).name})",
            "outcomes": [
                {
                    "outcome": "not-extracted",
                    "data": {"kind": "none", "reason": "effect data not yet extracted"},
                    "provenance": {
                        "source": ref["where"],
                        "locator": "reference only",
                        "confidence": "primary",
                        "notes": "no numbers: the record holds the citation only",
                    },
                }
            ],  # fmt: skip
            "extraction": {
                "status": "partial",
                "missing": ["study design", "population", "the outcomes and their effect data"],
                "by": by,
                "date": date.isoformat(),
            },  # fmt: skip
        }
    problems = tuple(plan.problems)
    if partial:
        plan.problems = []
    written = plan.write()
    return ImportResult(tuple(written), tuple(plan.skipped), problems, tuple(plan.notes))
