"""The study-record schema, written once, as data in the schema language.

:data:`STUDY` describes a study record (``studies/<id>.yaml``): every field with its type,
allowed values, ranges, whether it is required, and the cross-field rules (events not
above the total, a confidence interval that contains its estimate, a derivation for every
derived number, ...). Everything else is derived from it, so nothing can drift:
:func:`check_study` validates a record (through :mod:`metaevidence._schema.validate`),
:func:`json_schema` is the published JSON Schema (Draft 2020-12, ``metaevidence schema``)
and :func:`field_reference` writes the field tables of ``docs/records.md``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from metaevidence._schema import types as _types
from metaevidence._schema.jsonschema import schema_document
from metaevidence._schema.rules import (
    AtLeastOne,
    ForbiddenIf,
    RequiredIf,
    Together,
    When,
)
from metaevidence._schema.types import (
    Boolean,
    Date,
    Either,
    Field,
    Integer,
    ListOf,
    MapOf,
    Record,
    Scalar,
    Text,
)
from metaevidence._schema.validate import check
from metaevidence._schema.yamlload import YMap, YNode, YScalar
from metaevidence.errors import RecordProblem
from metaevidence.evidence.effect_data import (
    _FREE,
    _TEXT_OR_INT,
    COMPARISON,
    DATA,
    DATA_KINDS,
    REPORTED_RATIOS,
)
from metaevidence.evidence.robtools import check_risk_of_bias

__all__ = [
    "STUDY",
    "DATA_KINDS",
    "REPORTED_RATIOS",
    "DESIGNS",
    "SLUG",
    "JUDGEMENTS",
    "check_study",
    "field_reference",
    "json_schema",
    "json_schema_text",
    "shipped_json_schema",
    "SCHEMA_FILE",
    "SCHEMA_ID",
]


# --------------------------------------------------------------------------- vocabularies

SLUG = Text(
    pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
    shape="lower-case letters, digits and single hyphens (e.g. holt-lunstad-2010)",
    hints=((r"[A-Z]", "use lower case"), (r"[ _]", "use hyphens, not spaces or underscores")),
)

DESIGNS = (
    "rct",
    "cluster-rct",
    "quasi-experimental",
    "non-randomised-controlled",
    "cohort",
    "case-control",
    "cross-sectional",
    "before-after",
    "case-series",
    "qualitative",
    "economic-evaluation",
    "systematic-review",
    "meta-analysis",
    "perspective",
    "other",
    "not-reported",
)

JUDGEMENTS = (
    "low",
    "some-concerns",
    "moderate",
    "high",
    "very-high",
    "serious",
    "critical",
    "unclear",
    "no-information",
)


# --------------------------------------------------------------------------- the record

CITATION = Record(
    "citation",
    "Where the study was published. Give a DOI when the paper has one; a citation read from "
    "another source's table (e.g. Holt-Lunstad 2010 Table 1) gives that text in as_cited.",
    (
        Field("authors", ListOf(_FREE), doc="author names as printed, 'Surname Initials' (as many as known)"),
        Field("title", _FREE, required=False, doc="title of the paper"),
        Field("journal", _FREE, required=False, doc="journal, book or report series"),
        Field("year", Integer(minimum=1800, maximum=2100), doc="year of publication"),
        Field("volume", _TEXT_OR_INT, required=False, doc="volume"),
        Field("issue", _TEXT_OR_INT, required=False, doc="issue"),
        Field("pages", _TEXT_OR_INT, required=False, doc="pages or article number, e.g. 542-555 or e1000316"),
        Field(
            "doi",
            Text(
                pattern=r"^10\.\d{4,9}/\S+$",
                shape="a DOI such as 10.1371/journal.pmed.1000316",
                hints=(
                    (r"(?i)^(doi:|https?://)", "write the bare DOI, without 'doi:' or 'https://doi.org/'"),
                ),
            ),
            required=False,
            doc="digital object identifier, bare (10.xxxx/...)",
        ),
        Field(
            "pmid",
            Either((Integer(minimum=1), Text(pattern=r"^[0-9]+$", shape="digits"))),
            required=False,
            doc="PubMed id",
        ),
        Field(
            "pmcid",
            Text(pattern=r"^PMC[0-9]+$", shape="PMC followed by digits, e.g. PMC2910600"),
            required=False,
            doc="PubMed Central id",
        ),
        Field(
            "url",
            Text(pattern=r"^https?://\S+$", shape="an http(s) URL"),
            required=False,
            doc="web address when there is no DOI",
        ),
        Field(
            "other",
            _FREE,
            required=False,
            doc="another identifier, e.g. 'Cochrane Database Syst Rev CD005032'",
        ),
        Field(
            "as_cited",
            _FREE,
            required=False,
            doc="the citation exactly as given by the source the record was read from, "
            "e.g. 'Ahern et al., 1990' (Holt-Lunstad 2010 Table 1)",
        ),
    ),
    (AtLeastOne(("doi", "pmid", "pmcid", "url", "other", "as_cited"), what="an identifier"),),
)


PROVENANCE = Record(
    "provenance",
    "Where the numbers of an outcome entry were read and how sure we are of them.",
    (
        Field("source", _FREE, doc="citation of where the numbers were read"),
        Field("locator", _FREE, doc="table, figure, page or section in that source"),
        Field(
            "confidence",
            Text(choices=("primary", "secondary", "derived")),
            doc="primary: read in the paper itself; secondary: reported by another source "
            "about the paper; derived: computed by us from reported figures",
        ),
        Field(
            "derivation",
            _FREE,
            required=False,
            doc="how derived numbers were computed (required when derived)",
        ),
        Field(
            "approximate",
            Boolean(),
            required=False,
            doc="true when the numbers are approximate (e.g. rounded reconstructions)",
        ),
        Field("notes", _FREE, required=False, doc="anything else a reader should know"),
    ),
    (
        RequiredIf("derivation", When("confidence", ("derived",)), "say how the numbers were derived"),
        ForbiddenIf(
            "derivation",
            When("confidence", ("primary", "secondary")),
            "a derivation belongs to derived numbers only (set confidence: derived)",
        ),
    ),
)

DIRECTION = Record(
    "direction",
    "Which way the entry's effect (experimental versus control, as recorded) points. An "
    "analysis with a direction orients every entry to it: arms swapped, or the outcome "
    "counted the other way, with a note (docs/analyses.md).",
    (
        Field(
            "benefit",
            Text(choices=("higher", "lower")),
            doc="which side of no effect favours the experimental group: higher (OR > 1, MD > 0 "
            "is good for it: a desirable event such as survival, or a scale where higher is better) "
            "or lower (an event such as death, a scale where lower is better)",
        ),
        Field("note", _FREE, required=False, doc="the direction in words, e.g. 'OR > 1 = better survival'"),
    ),
)

_ATTR_KEY = Text(pattern=r"^[a-z][a-z0-9_]*$", shape="a snake_case name such as mean_age")

_EFFECT_KINDS = ("binary", "continuous", "paired", "ratio_ci", "log_se", "summary")

OUTCOME = Record(
    "outcome_entry",
    "One outcome of the study with its effect data and provenance.",
    (
        Field("outcome", SLUG, doc="outcome id shared across studies, e.g. mortality"),
        Field("label", _FREE, required=False, doc="human-readable outcome name"),
        Field("subgroup", _FREE, required=False, doc="the subgroup or measure this entry is restricted to"),
        Field(
            "comparison",
            COMPARISON,
            required=False,
            doc="experimental vs control (required unless kind is correlation or none)",
        ),
        Field(
            "timepoint",
            _FREE,
            required=False,
            doc="when the outcome was measured, e.g. '12 months' (required unless kind is none)",
        ),
        Field(
            "direction",
            Either((_FREE, DIRECTION)),
            required=False,
            doc="which way the effect points: structured, {benefit: higher or lower, note: ...} "
            "(read by analyses, which orient entries to their own direction), or prose only, "
            "e.g. 'OR > 1 = better survival' (a note that nothing reads)",
        ),
        Field(
            "attributes",
            MapOf(_ATTR_KEY, Scalar()),
            required=False,
            doc="free study characteristics for subgroups and meta-regression (mean_age, location, ...)",
        ),
        Field("data", DATA, doc="the effect data"),
        Field("provenance", PROVENANCE, doc="where the numbers come from"),
        Field(
            "shared_control",
            Text(choices=("split",)),
            required=False,
            doc="a multi-arm trial: this entry's control group is shared with the study's other "
            "comparisons of this outcome and timepoint; split: divide its events and total (or "
            "its n) between them (Cochrane Handbook 23.3.4; docs/records.md)",
        ),
        Field("notes", _FREE, required=False, doc="anything else"),
    ),
    (
        RequiredIf(
            "comparison",
            When("data.kind", _EFFECT_KINDS),
            "say which group is experimental and which control",
        ),
        RequiredIf(
            "timepoint",
            When("data.kind", (*_EFFECT_KINDS, "correlation")),
            "say when the outcome was measured",
        ),
    ),
)

EXTRACTION = Record(
    "extraction",
    "The state of the extraction: who, when, and what is still missing.",
    (
        Field(
            "status",
            Text(choices=("complete", "partial")),
            doc="complete, or partial (then list what is missing)",
        ),
        Field(
            "missing",
            ListOf(_FREE),
            required=False,
            doc="what is still to be extracted (required when partial)",
        ),
        Field("by", _FREE, doc="who extracted the record"),
        Field("date", Date(), doc="when (YYYY-MM-DD)"),
    ),
    (
        RequiredIf("missing", When("status", ("partial",)), "list what is still to be extracted"),
        ForbiddenIf("missing", When("status", ("complete",)), "a complete extraction has nothing missing"),
    ),
)

ROB_PROVENANCE = Record(
    "rob_provenance",
    "Where a risk-of-bias judgement comes from: a published assessment, or the reviewers of this project.",
    (
        Field("source", _FREE, doc="who made the judgement and where it is published, e.g. a review's table"),
        Field("locator", _FREE, required=False, doc="table, figure, page or section in that source"),
        Field("assessor", _FREE, required=False, doc="who made the judgement, when not the source's authors"),
    ),
)

ROB_DOMAIN = Record(
    "rob_domain",
    "One risk-of-bias domain judgement.",
    (
        Field(
            "domain",
            _FREE,
            doc="domain id or name as the tool gives it (checked for RoB 2, ROBINS-I, ROBINS-E, RoB 1)",
        ),
        Field("judgement", Text(choices=JUDGEMENTS), doc="the judgement (each tool allows only its own)"),
        Field("support", _FREE, required=False, doc="the reason for the judgement"),
        Field(
            "signalling",
            MapOf(Text(pattern=r"^[1-5]\.[1-9]$", shape="a question id such as '1.2' (quoted)"), Scalar()),
            required=False,
            doc="RoB 2: answers to the domain's signalling questions by id ('1.1': PY), each Y, PY, PN, "
            "N, NI or NA; the tool's algorithm then suggests a judgement, compared with this one",
        ),
        Field(
            "effect",
            Text(choices=("assignment", "adherence")),
            required=False,
            doc="RoB 2 domain 2: the effect of interest (default assignment), which sets its questions",
        ),
        Field(
            "provenance",
            ROB_PROVENANCE,
            required=False,
            doc="where it comes from (default: the assessment's)",
        ),
    ),
)

ROB_RESULT = Record(
    "rob_result",
    "A risk-of-bias assessment of one outcome result (RoB 2 judges a result, not a study).",
    (
        Field("outcome", SLUG, doc="the outcome id of the entry assessed"),
        Field("subgroup", _FREE, required=False, doc="the entry's subgroup, when the study has several"),
        Field("timepoint", _FREE, required=False, doc="the entry's timepoint, when the study has several"),
        Field("domains", ListOf(ROB_DOMAIN), doc="domain judgements"),
        Field(
            "overall",
            Text(choices=JUDGEMENTS),
            required=False,
            doc="the reviewer's overall judgement (none: shown as not assessed)",
        ),
        Field("support", _FREE, required=False, doc="the reason for the overall judgement"),
        Field(
            "provenance",
            ROB_PROVENANCE,
            required=False,
            doc="where it comes from (default: the assessment's)",
        ),
    ),
)

RISK_OF_BIAS = Record(
    "risk_of_bias",
    "Risk-of-bias assessment (optional): per study, and per outcome result under results.",
    (
        Field(
            "tool",
            _FREE,
            doc="RoB 2, ROBINS-I, ROBINS-E or RoB 1 (checked), or another, e.g. Newcastle-Ottawa",
        ),
        Field("domains", ListOf(ROB_DOMAIN), required=False, doc="study-level domain judgements"),
        Field("overall", Text(choices=JUDGEMENTS), required=False, doc="study-level overall judgement"),
        Field("results", ListOf(ROB_RESULT), required=False, doc="judgements of single outcome results"),
        Field("provenance", ROB_PROVENANCE, required=False, doc="where the judgements come from"),
    ),
    (
        RequiredIf(
            "domains", When("results", absent=True), "give study-level domains or per-result judgements"
        ),
        RequiredIf(
            "overall", When("results", absent=True), "give study-level overall or per-result judgements"
        ),
        Together("domains", "overall", "a study-level assessment has domains and an overall judgement"),
    ),
)

STUDY = Record(
    "study",
    "One study record (studies/<id>.yaml). Across files: the id equals the file name, ids are "
    "unique, and related ids name existing records.",
    (
        Field("id", SLUG, doc="the study id; equal to the file name without .yaml, e.g. ahern-1990"),
        Field("citation", CITATION, doc="the publication"),
        Field("design", Text(choices=DESIGNS), doc="study design"),
        Field("population", _FREE, doc="who was studied"),
        Field("setting", _FREE, required=False, doc="where (countries, services)"),
        Field(
            "related", ListOf(SLUG), required=False, doc="ids of related records (same trial, other papers)"
        ),
        Field(
            "outcomes",
            ListOf(OUTCOME, unique_by=("outcome", "subgroup", "timepoint")),
            doc="the outcome entries; outcome + subgroup + timepoint must not repeat",
        ),
        Field("extraction", EXTRACTION, doc="extraction status"),
        Field("risk_of_bias", RISK_OF_BIAS, required=False, doc="risk-of-bias judgements"),
        Field("notes", _FREE, required=False, doc="anything else a reader should know"),
    ),
)


# --------------------------------------------------------------------------- checks and views


def check_study(tree: YNode, path: Path) -> tuple[list[RecordProblem], dict | None]:
    """Check a study record: the schema, plus its id against the file name."""
    problems, value = check(tree, STUDY, path=path)
    tool_problems = check_risk_of_bias(tree, path)
    if tool_problems:
        problems.extend(tool_problems)
        value = None
    if isinstance(tree, YMap):
        id_node = tree.get("id")
        if isinstance(id_node, YScalar) and isinstance(id_node.value, str) and id_node.value != path.stem:
            if not any(p.field == "id" for p in problems):
                problems.append(
                    RecordProblem(
                        path,
                        id_node.line,
                        "id",
                        f"must equal the file name without .yaml ('{path.stem}'); got '{id_node.value}': "
                        "rename the file or fix the id",
                    )
                )
                value = None
    return problems, value


def field_reference(root: Record = STUDY) -> str:
    """Markdown tables of every record and field of the study record (docs/records.md)."""
    return _types.field_reference(root)


#: File name of the shipped schema inside the package ``metaevidence.evidence``.
SCHEMA_FILE = "study-record.schema.json"
SCHEMA_ID = "https://metaevidence.readthedocs.io/schema/study-record.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a study record, as a dict (Draft 2020-12)."""
    return schema_document(
        STUDY,
        title="metaevidence study record",
        schema_id=SCHEMA_ID,
        checks=(
            "id equals the file name without .yaml; ids are unique across files; "
            "related names existing study ids",
        ),
    )


def json_schema_text() -> str:
    """The JSON Schema as text, exactly as shipped (2-space indent, trailing newline)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_json_schema() -> str:
    """The text of the schema file shipped with the package."""
    return resources.files("metaevidence.evidence").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
