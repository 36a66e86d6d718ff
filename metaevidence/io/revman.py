"""Reading RevMan reviews: RevMan 5 files (``.rm5``), RevMan CSV exports, RevMan Web data packages.

All three are read into one :class:`Review`: the studies, and per analysis (comparison x
outcome) the data type, effect measure, statistical method (MH, IV, Peto), model (fixed or
random), group and graph labels, the study rows (2x2 counts, means/SDs/ns or a generic
inverse-variance estimate and SE, with the subgroup) and the results RevMan stored for each
study and for the total (effect, CI, weight, Chi², df, I², tau², Z, P). Risk-of-bias items
of a ``.rm5`` file are read too. :mod:`metaevidence.io.revman_import` turns a Review into
records and analysis specs; the stored results are the oracle the tests compare with.

``.rm5`` is XML; it is parsed with :mod:`defusedxml` (no entities, no external references).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from metaevidence.io.sheets import DataImportError

__all__ = ["Review", "Analysis", "StudyRow", "read_revman", "MEASURE_NAMES"]

#: RevMan Web's spelled-out measures -> RevMan 5's codes.
MEASURE_NAMES = {
    "odds ratio": "OR",
    "risk ratio": "RR",
    "risk difference": "RD",
    "mean difference": "MD",
    "std. mean difference": "SMD",
    "standardized mean difference": "SMD",
    "standardised mean difference": "SMD",
    "peto odds ratio": "PETO_OR",
    "hazard ratio": "HR",
}
_TYPES = {"dic": "dichotomous", "dichotomous": "dichotomous", "con": "continuous", "continuous": "continuous",
          "iv": "iv", "giv": "iv", "generic inverse variance": "iv", "o-e": "o-e"}  # fmt: skip


@dataclass
class StudyRow:
    """One study in one analysis: its data and what RevMan computed for it."""

    study: str  # key into Review.studies
    subgroup: str | None
    data: dict  # events_1, total_1, ... / mean_1, sd_1, total_1, ... / estimate, se
    stored: dict  # effect, ci_start, ci_end, se, var, weight (as RevMan stored them)
    order: int | None = None


@dataclass
class Analysis:
    """One analysis (an outcome within a comparison) with its settings and stored totals."""

    comparison: int
    comparison_name: str
    number: int
    name: str
    data_type: str  # dichotomous, continuous, iv
    measure: str  # OR, RR, RD, MD, SMD, PETO_OR, ...
    method: str  # MH, IV, PETO
    random: bool
    label_1: str = "Experimental"
    label_2: str = "Control"
    graph_1: str = ""
    graph_2: str = ""
    ci_level: float = 0.95
    rows: list[StudyRow] = field(default_factory=list)
    stored: dict = field(default_factory=dict)  # effect, ci_start, ci_end, chi2, df, i2, tau2, z, p_z
    log_data: bool = True

    @property
    def code(self) -> str:
        """RevMan's analysis number, e.g. ``1.2``."""
        return f"{self.comparison}.{self.number}"


@dataclass
class Review:
    """What a RevMan file holds that an import needs."""

    source: str
    title: str
    studies: dict[str, tuple[str, int | None]]  # key -> (name, year)
    analyses: list[Analysis]
    rob: dict[str, list[tuple[str, str, str]]] = field(
        default_factory=dict
    )  # study -> (domain, result, support)


def _f(value) -> float | None:
    if value is None:
        return None
    text = str(value).strip().rstrip("%")
    if text in ("", "#N/A"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _i(value) -> int | None:
    x = _f(value)
    return None if x is None else int(round(x))


def read_revman(path: str | Path) -> Review:
    """Read a ``.rm5`` file, a RevMan CSV export or a RevMan Web data package (``.zip``).

    Raises
    ------
    DataImportError
        When the file is not one of these, with what it looks like.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataImportError([f"{path}: cannot be read: {exc.strerror or exc}"]) from None
    if raw.startswith(b"PK\x03\x04"):
        return _read_package(path, raw)
    if raw.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        return _read_rm5(path, raw)
    return _read_csv_export(path, raw.decode("utf-8-sig", errors="replace"))


# --------------------------------------------------------------------------- RevMan 5 (.rm5)

_DATA = {
    "DICH_OUTCOME": ("dichotomous", "DICH"),
    "CONT_OUTCOME": ("continuous", "CONT"),
    "IV_OUTCOME": ("iv", "IV"),
}
_STORED_ROW = {"EFFECT_SIZE": "effect", "CI_START": "ci_start", "CI_END": "ci_end", "SE": "se", "VAR": "var", "WEIGHT": "weight"}  # fmt: skip
_STORED_TOTAL = {"EFFECT_SIZE": "effect", "CI_START": "ci_start", "CI_END": "ci_end", "CHI2": "chi2", "DF": "df", "I2": "i2", "TAU2": "tau2", "Z": "z", "P_Z": "p_z", "P_CHI2": "p_chi2", "WEIGHT": "weight"}  # fmt: skip


def _read_rm5(path: Path, raw: bytes) -> Review:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise DataImportError([f"{path}: is not a readable RevMan 5 file: {exc}"]) from None
    if root.tag != "COCHRANE_REVIEW":
        raise DataImportError(
            [f"{path}: is XML but not a RevMan 5 review (root <{root.tag}>, not <COCHRANE_REVIEW>)"]
        )
    title = (root.findtext("COVER_SHEET/TITLE") or path.stem).strip()
    studies = {}
    for s in root.iter("STUDY"):
        studies[s.get("ID")] = (s.get("NAME") or s.get("ID"), _i(s.get("YEAR")))
    analyses = []
    for cmp in root.iter("COMPARISON"):
        cno, cname = _i(cmp.get("NO")) or 0, (cmp.findtext("NAME") or "").strip()
        for out in cmp:
            if out.tag not in _DATA:
                continue
            dtype, prefix = _DATA[out.tag]
            a = Analysis(
                comparison=cno,
                comparison_name=cname,
                number=_i(out.get("NO")) or 0,
                name=(out.findtext("NAME") or "").strip(),
                data_type=dtype,
                measure=out.get("EFFECT_MEASURE") or "",
                method=out.get("METHOD") or "IV",
                random=out.get("RANDOM") == "YES",
                label_1=(out.findtext("GROUP_LABEL_1") or "Experimental").strip(),
                label_2=(out.findtext("GROUP_LABEL_2") or "Control").strip(),
                graph_1=(out.findtext("GRAPH_LABEL_1") or "").strip(),
                graph_2=(out.findtext("GRAPH_LABEL_2") or "").strip(),
                ci_level=(_f(out.get("CI_STUDY")) or 95) / 100,
                stored=_stored(out, _STORED_TOTAL),
                log_data=out.get("LOG_DATA", "YES") == "YES",
            )
            for sub in out.iter(f"{prefix}_SUBGROUP"):
                name = (sub.findtext("NAME") or "").strip() or None
                a.rows += [_rm5_row(d, dtype, name) for d in sub.iter(f"{prefix}_DATA")]
            if not a.rows:
                a.rows = [_rm5_row(d, dtype, None) for d in out.iter(f"{prefix}_DATA")]
            analyses.append(a)
    return Review(path.name, title, studies, analyses, _rm5_rob(root))


def _stored(el, names) -> dict:
    return {key: v for attr, key in names.items() if (v := _f(el.get(attr))) is not None}


def _rm5_row(d, dtype: str, subgroup: str | None) -> StudyRow:
    if dtype == "dichotomous":
        data = {k: _i(d.get(k.upper())) for k in ("events_1", "total_1", "events_2", "total_2")}
    elif dtype == "continuous":
        data = {k: (_i if k.startswith("total") else _f)(d.get(k.upper())) for k in
                ("mean_1", "sd_1", "total_1", "mean_2", "sd_2", "total_2")}  # fmt: skip
    else:
        data = {"estimate": _f(d.get("EFFECT_SIZE")), "se": _f(d.get("SE"))}
    stored = (
        _stored(d, _STORED_ROW)
        if dtype != "iv"
        else _stored(d, {"WEIGHT": "weight", "CI_START": "ci_start", "CI_END": "ci_end"})
    )
    return StudyRow(d.get("STUDY_ID"), subgroup, data, stored, _i(d.get("ORDER")))


_ROB = {"YES": "low", "NO": "high", "UNKNOWN": "unclear", "LOW": "low", "HIGH": "high", "UNCLEAR": "unclear"}


def _rm5_rob(root) -> dict[str, list[tuple[str, str, str]]]:
    rob: dict[str, list[tuple[str, str, str]]] = {}
    for item in root.iter("QUALITY_ITEM"):
        name = (item.findtext("NAME") or "").strip()
        for entry in item.iter("QUALITY_ITEM_DATA_ENTRY"):
            result = _ROB.get((entry.get("RESULT") or "").upper(), "no-information")
            support = (
                " ".join("".join(entry.find("DESCRIPTION").itertext()).split())
                if entry.find("DESCRIPTION") is not None
                else ""
            )
            rob.setdefault(entry.get("STUDY_ID"), []).append((name, result, support))
    return rob


# --------------------------------------------------------------------------- RevMan CSV export


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _read_csv_export(path: Path, text: str) -> Review:
    rows = _rows(text)
    need = {"Comparison Number", "Outcome Number", "Name", "Data Type"}
    if not rows or not need <= set(rows[0]):
        have = ", ".join(list(rows[0])[:8]) if rows else "nothing"
        raise DataImportError(
            [
                f"{path}: is not a RevMan CSV export (expected the columns {', '.join(sorted(need))}; found {have})"
            ]
        )
    studies: dict[str, tuple[str, int | None]] = {}
    analyses: list[Analysis] = []
    cmp_names: dict[int, str] = {}
    current: Analysis | None = None
    subgroup: str | None = None
    for number, r in enumerate(rows, start=2):
        cno, ono = _i(r["Comparison Number"]) or 0, _i(r["Outcome Number"]) or 0
        if ono == 0:
            cmp_names[cno] = r["Name"].strip()
            continue
        if r["Data Type"].strip():
            current = Analysis(
                comparison=cno,
                comparison_name=cmp_names.get(cno, ""),
                number=ono,
                name=r["Name"].strip(),
                data_type=_TYPES.get(r["Data Type"].strip().lower(), r["Data Type"].strip()),
                measure=r["Effect Measure"].strip(),
                method=r["Statistical Method"].strip() or "IV",
                random=r["Analysis Model"].strip().lower().startswith("random"),
                label_1=r.get("Group Label 1", "").strip() or "Experimental",
                label_2=r.get("Group Label 2", "").strip() or "Control",
                graph_1=r.get("Left Graph Label", "").strip(),
                graph_2=r.get("Right Graph Label", "").strip(),
                stored=_csv_total(r),
            )
            analyses.append(current)
            subgroup = None
            continue
        if current is None:
            raise DataImportError([f"{path}:{number}: a study row before any outcome row"])
        if not (r.get("Year of study", "").strip() or r.get("User defined order", "").strip()):
            subgroup = r["Name"].strip()
            continue
        name, year = r["Name"].strip(), _i(r.get("Year of study"))
        key = f"{name} ({year})"  # two studies may share a name (Shechter 1989, Shechter 1990)
        studies.setdefault(key, (name, year))
        current.rows.append(StudyRow(key, subgroup, _csv_data(r, current.data_type), _csv_stored(r),
                                     _i(r.get("User defined order"))))  # fmt: skip
    return Review(path.name, cmp_names.get(1, path.stem), studies, analyses)


def _csv_total(r: dict) -> dict:
    names = {"Effect Estimate": "effect", "CI Start": "ci_start", "CI End": "ci_end", "Q": "chi2", "df": "df",
             "I²(Q)": "i2", "Tau²": "tau2", "Z": "z", "P(Z)": "p_z", "P(Q)": "p_chi2", "Weight": "weight"}  # fmt: skip
    return {key: v for col, key in names.items() if (v := _f(r.get(col))) is not None}


def _csv_stored(r: dict) -> dict:
    names = {
        "Effect Estimate": "effect",
        "SE": "se",
        "CI Start": "ci_start",
        "CI End": "ci_end",
        "Weight": "weight",
    }
    return {key: v for col, key in names.items() if (v := _f(r.get(col))) is not None}


def _csv_data(r: dict, dtype: str) -> dict:
    if dtype == "dichotomous":
        return {"events_1": _i(r["Events 1"]), "total_1": _i(r["Total 1"]),
                "events_2": _i(r["Events 2"]), "total_2": _i(r["Total 2"])}  # fmt: skip
    if dtype == "continuous":
        return {"mean_1": _f(r["Mean 1"]), "sd_1": _f(r["SD 1"]), "total_1": _i(r["Total 1"]),
                "mean_2": _f(r["Mean 2"]), "sd_2": _f(r["SD 2"]), "total_2": _i(r["Total 2"])}  # fmt: skip
    return {"estimate": _f(r.get("Effect Estimate")), "se": _f(r.get("SE"))}


# --------------------------------------------------------------------------- RevMan Web data package


def _read_package(path: Path, raw: bytes) -> Review:
    """A RevMan Web export (.zip): the data package, possibly nested in the export's zip."""
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise DataImportError([f"{path}: is a damaged zip archive: {exc}"]) from None
    names = z.namelist()
    inner = [n for n in names if n.endswith("-data.zip")]
    if inner and not any(n.endswith("data-rows.csv") for n in names):
        return _read_package(path, z.read(inner[0]))
    rows_name = next((n for n in names if n.endswith("data-rows.csv")), None)
    settings_name = next((n for n in names if n.endswith("overall-estimates-and-settings.csv")), None)
    if rows_name is None or settings_name is None:
        raise DataImportError(
            [
                f"{path}: is a zip archive but not a RevMan Web data package (no *data-rows.csv and "
                "*overall-estimates-and-settings.csv)"
            ]  # fmt: skip
        )
    analyses: dict[tuple[int, int], Analysis] = {}
    title = ""
    for r in _rows(z.read(settings_name).decode("utf-8-sig")):
        key = (_i(r["Analysis group"]) or 0, _i(r["Analysis number"]) or 0)
        title = title or r.get("Analysis group name", "")
        analyses[key] = Analysis(
            comparison=key[0],
            comparison_name=r.get("Analysis group name", "").strip(),
            number=key[1],
            name=r["Analysis name"].strip(),
            data_type=_TYPES.get(r["Data type"].strip().lower(), r["Data type"].strip().lower()),
            measure=MEASURE_NAMES.get(r["Effect measure"].strip().lower(), r["Effect measure"].strip()),
            method=r["Statistical method"].strip() or "IV",
            random=r["Analysis model"].strip().lower().startswith("random"),
            label_1=r.get("Experimental group label", "").strip() or "Experimental",
            label_2=r.get("Control group label", "").strip() or "Control",
            ci_level=(_f(r.get("Study CI")) or 95) / 100,
            log_data=r.get("Log-scale data", "").strip().lower() == "true",
            stored=_package_total(r),
        )
    studies: dict[str, tuple[str, int | None]] = {}
    for r in _rows(z.read(rows_name).decode("utf-8-sig")):
        a = analyses.get((_i(r["Analysis group"]) or 0, _i(r["Analysis number"]) or 0))
        if a is None:
            continue
        name, year = r["Study"].strip(), _i(r.get("Study year"))
        key = f"{name} ({year})"
        studies.setdefault(key, (name, year))
        if a.data_type == "dichotomous":
            data = {"events_1": _i(r["Experimental cases"]), "total_1": _i(r["Experimental N"]),
                    "events_2": _i(r["Control cases"]), "total_2": _i(r["Control N"])}  # fmt: skip
        elif a.data_type == "continuous":
            data = {"mean_1": _f(r["Experimental mean"]), "sd_1": _f(r["Experimental SD"]),
                    "total_1": _i(r["Experimental N"]), "mean_2": _f(r["Control mean"]),
                    "sd_2": _f(r["Control SD"]), "total_2": _i(r["Control N"])}  # fmt: skip
        else:
            data = {"estimate": _f(r["GIV Mean"]), "se": _f(r["GIV SE"])}
        stored = {k: v for col, k in (("Weight", "weight"), ("Mean", "effect"), ("CI start", "ci_start"),
                                      ("CI end", "ci_end")) if (v := _f(r.get(col))) is not None}  # fmt: skip
        if not stored.get("weight"):
            stored = {}  # RevMan Web writes zeros for results it did not compute
        a.rows.append(StudyRow(key, r.get("Subgroup", "").strip() or None, data, stored))
    return Review(path.name, title or path.stem, studies, list(analyses.values()))


def _package_total(r: dict) -> dict:
    names = {"Mean": "effect", "CI start": "ci_start", "CI end": "ci_end", "Heterogeneity Chi²": "chi2",
             "Heterogeneity df": "df", "Heterogeneity I²": "i2", "Heterogeneity Tau²": "tau2",
             "Effect Z": "z", "Effect P": "p_z", "Heterogeneity P": "p_chi2"}  # fmt: skip
    out = {key: v for col, key in names.items() if (v := _f(r.get(col))) is not None}
    return out if out.get("effect") or out.get("chi2") else {}
