"""Turning imported rows into study records and analysis specs, checked, then written at once.

Every importer (spreadsheets, RevMan, references) produces plain record dictionaries. An
:class:`ImportPlan` holds them with the analysis specs to write; :meth:`ImportPlan.check`
dumps each record to YAML and validates the bytes with the same checks as
``metaevidence validate``, and :meth:`ImportPlan.write` writes nothing unless every record
is valid and no file would be overwritten -- then writes each file atomically.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from metaevidence._fileio import atomic_write
from metaevidence._schema.yamlload import parse_yaml
from metaevidence.evidence.schema import check_study
from metaevidence.io.sheets import DataImportError

__all__ = ["ImportPlan", "slugify", "study_id", "dump_yaml", "base_record", "surname_of"]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: dict, comment: str = "") -> bytes:
    """A record or spec as YAML text (key order kept, strings quoted where YAML needs it)."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    head = "".join(f"# {line}\n".replace("# \n", "#\n") for line in comment.splitlines()) if comment else ""
    return (head + text).encode("utf-8")


def slugify(text: str) -> str:
    """Lower-case letters, digits and single hyphens: ``"ISIS-2"`` -> ``"isis-2"``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def study_id(label: str, year: int | None) -> str:
    """The id of a study from its label and year: ``("MRC-1", 1974)`` -> ``"mrc-1-1974"``."""
    slug = slugify(label)
    if year is not None and not re.search(rf"(^|-){year}[a-z]?$", slug):
        slug = f"{slug}-{year}" if slug else str(year)
    return slug


def surname_of(label: str, year: int | None) -> str:
    """The label without a trailing year or 'et al.': ``"Smith et al. 2001"`` -> ``"Smith"``."""
    text = str(label)
    if year is not None:
        text = re.sub(rf"[\s,(]*{year}[a-z]?\)?\s*$", "", text)
    text = re.sub(r"\s+et\.? al\.?,?\s*$", "", text).strip(" ,")
    return text or str(label)


def base_record(
    sid: str,
    label: str,
    year: int,
    *,
    design: str | None,
    population: str | None,
    source: str,
    by: str,
    date: _dt.date,
) -> dict:
    """A record with what an import knows about the study, and what a human must still add."""
    missing = [
        f"full citation (all authors, title, journal, identifier): {source} gives only the "
        f"study label {label!r} and the year"
    ]
    if design is None:
        missing.append(f"study design (not in {source})")
    if population is None:
        missing.append(f"population (not in {source})")
    return {
        "id": sid,
        "citation": {"authors": [surname_of(label, year)], "year": year, "as_cited": str(label)},
        "design": design or "not-reported",
        "population": population or f"not reported in {source}",
        "outcomes": [],
        "extraction": {"status": "partial", "missing": missing, "by": by, "date": date.isoformat()},
    }


@dataclass
class ImportPlan:
    """Records and specs to write; nothing is written until :meth:`write`."""

    studies_dir: Path
    analyses_dir: Path | None = None
    records: dict[str, dict] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    specs: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: existing records with new outcome entries: id -> the file's new bytes (io/merge.py)
    updates: dict[str, bytes] = field(default_factory=dict)

    def record_path(self, sid: str) -> Path:
        return self.studies_dir / f"{sid}.yaml"

    def spec_path(self, aid: str) -> Path:
        assert self.analyses_dir is not None
        return self.analyses_dir / f"{aid}.yaml"

    def check(self) -> list[str]:
        """Every problem: records that do not validate, files that already exist."""
        problems = []
        for sid, record in self.records.items():
            path = self.record_path(sid)
            tree, yaml_problems = parse_yaml(dump_yaml(record), path)
            found = list(yaml_problems)
            if tree is not None:
                found += check_study(tree, path)[0]
            problems += [f"record {sid}: {p.field} {p.message}".replace(":  ", ": ") for p in found]
            if path.exists():
                problems.append(
                    f"{path} already exists; it was left unchanged (remove it, or import with --id-prefix)"
                )
        for sid, data in self.updates.items():
            path = self.record_path(sid)
            tree, yaml_problems = parse_yaml(data, path)
            found = list(yaml_problems) + (check_study(tree, path)[0] if tree is not None else [])
            problems += [f"record {sid} (with the new entries): {p.field} {p.message}" for p in found]
        for aid in self.specs:
            path = self.spec_path(aid)
            if path.exists():
                self.notes.append(f"{path} exists: left unchanged (no analysis spec written)")
        return problems

    def write(self) -> list[Path]:
        """Write every record and spec (atomically, each), or raise with every problem."""
        problems = self.problems + self.check()
        if problems:
            raise DataImportError(problems)
        if not self.studies_dir.is_dir():
            raise DataImportError([f"studies folder {self.studies_dir} does not exist (pass --studies DIR)"])
        written = []
        for sid, record in self.records.items():
            path = self.record_path(sid)
            atomic_write(path, dump_yaml(record, self.comments.get(sid, "")))
            written.append(path)
        for sid, data in self.updates.items():
            atomic_write(self.record_path(sid), data)
            written.append(self.record_path(sid))
        for aid, spec in self.specs.items():
            path = self.spec_path(aid)
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, dump_yaml(spec))
            written.append(path)
        return written
