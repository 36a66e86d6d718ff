"""The analysis-spec format (``analyses/<id>.yaml``), written once, as data.

:data:`ANALYSIS` describes an analysis spec with the same spec types as the study-record
schema (:mod:`metaevidence.evidence.schema`), so the same machinery serves both:

* :func:`metaevidence._schema.validate.check` walks a spec against it and reports every
  problem with file, line and field;
* :func:`metaevidence._schema.jsonschema.schema_document` turns it into the published JSON
  Schema (``analysis-spec.schema.json``, ``metaevidence schema --analysis``);
* :func:`metaevidence.evidence.schema.field_reference` turns it into the field tables of
  ``docs/analyses.md``.

The defaults live here too (:data:`DEFAULTS`, :func:`default_figures`), next to the fields
they belong to; :mod:`metaevidence.workflow.spec` applies them, and every default is written
into ``results/<id>.json``. They follow the current Cochrane Handbook (chapter 10.10.4):
REML for tau^2, the Hartung-Knapp(-Sidik-Jonkman) confidence interval, and a prediction
interval shown with every random-effects result.
"""

from __future__ import annotations

from metaevidence._schema.rules import ForbiddenIf, Ordered, RequiredIf, Together, ValueForbiddenIf, When
from metaevidence._schema.types import (
    Boolean,
    Either,
    Field,
    Integer,
    ListOf,
    MapOf,
    Number,
    Record,
    Scalar,
    Text,
)
from metaevidence.core.effects import measures as _registry
from metaevidence.evidence.schema import DESIGNS, SLUG
from metaevidence.review.certainty import CERTAINTY
from metaevidence.workflow.bias import BIAS, BIAS_OPTIONS
from metaevidence.workflow.sequential import SEQUENTIAL

__all__ = [
    "ANALYSIS",
    "KINDS",
    "MEASURES",
    "RATIO_MEASURES",
    "POOLING",
    "TAU2_METHODS",
    "CI_METHODS",
    "ZERO_CELL_RULES",
    "PI_METHODS",
    "FIGURES",
    "FIGURE_FORMATS",
    "REPORTED_RATIOS",
    "DATA_KINDS",
    "CUMULATIVE_ORDERS",
    "HIGH_RISK",
    "DEFAULTS",
    "default_figures",
    "SCHEMA_FILE",
    "json_schema",
    "json_schema_text",
    "shipped_json_schema",
]

#: Kinds of analysis: a meta-analysis pools; an overview shows published summaries side by side.

KINDS = ("meta-analysis", "overview")

#: Effect measures an analysis can pool (metafor's names). Ratios are pooled as logs.
MEASURES = ("OR", "RR", "RD", "HR", "MD", "SMD", "SMDH", "ROM", "COR", "ZCOR")
#: ... and the paired (pre-post) measures, from entries of kind ``paired``.
MEASURES += ("MC", "SMCC", "SMCR", "SMCRH", "SMCRP", "SMCRPH", "ROMC")
RATIO_MEASURES = tuple(m for m in MEASURES if m in _registry.RATIO_MEASURES)

#: Pooling methods, and the metafor function each corresponds to.
POOLING = ("inverse-variance", "mantel-haenszel", "peto", "glmm")

#: GLMMs of ``pooling: glmm`` (metafor ``rma.glmm(model=)``; metaevidence.glmm_meta_analysis).
GLMM_MODELS = ("UM.FS", "UM.RS", "CM.AL", "CM.EL")

#: tau^2 estimators (metafor's ``method=`` spellings; EE/FE is the common-effect model).
TAU2_METHODS = ("REML", "DL", "ML", "PM", "HE", "SJ", "HS", "EB", "EE", "FE", "HSk", "PMM", "SJIT", "DLIT")

#: Confidence-interval methods (metafor's ``test=``): z, Hartung-Knapp, HK with the ad hoc rule.
CI_METHODS = ("knha", "z", "adhoc")

#: Prediction-interval methods (metaevidence.meta_analysis ``pi_method=``).
PI_METHODS = ("hts", "metafor")

#: Zero-cell rules (metafor's ``to=``).
ZERO_CELL_RULES = ("only0", "all", "if0all", "none")

#: Figures a spec can ask for.
FIGURES = ("forest", "funnel", "cumulative", "leave-one-out")
FIGURES += ("labbe", "radial", "qq", "tau2-profile", "drapery")  # workflow/diagnostic_figures.py
FIGURES += ("baujat", "gosh")  # drawn only when listed (they refit an inverse-variance model)
FIGURE_FORMATS = ("svg", "png", "pdf")

#: Data kinds of study-record outcome entries (for ``studies.kind``).
DATA_KINDS = ("binary", "continuous", "paired", "ratio_ci", "log_se", "correlation", "summary", "none")

#: Orders for the cumulative analysis besides a record field path.
CUMULATIVE_ORDERS = ("year", "precision")

#: Overall risk-of-bias judgements counted as high risk.
HIGH_RISK = ("high", "serious", "critical")

#: Every default, by dotted spec field (what ``results/<id>.json`` records when omitted).
DEFAULTS = {
    "kind": "meta-analysis",
    "pooling": "inverse-variance",
    "tau2": "REML",
    "ci_method": "knha",
    "level": 0.95,
    "prediction_interval": True,
    "prediction_interval_method": "hts",
    "heterogeneity_ci": True,
    "convert": False,
    "rom_correction": False,
    "labels": "citation",
    "zero_cells.add": 0.5,
    "zero_cells.to": "only0",
    "zero_cells.drop00": False,  # True with mantel-haenszel/peto pooling (metafor's rma.mh/rma.peto)
    "subgroups.common_tau2": False,
    "sensitivity.leave_one_out": True,
    "sensitivity.cumulative": True,
    "sensitivity.cumulative_order": "year",
    "sensitivity.exclude_high_risk_of_bias": True,
    "figures.formats": ("svg", "png"),
    "figures.forest.sort": "given",
    "figures.forest.data_columns": "auto",
    "figures.forest.beneficial": False,
    "figures.forest.layout": "revman",
    "figures.funnel.contours": False,
    "figures.gosh.max_subsets": 10_000,
    "figures.gosh.seed": 1,
    "figures.gosh.x": "estimate",
    "figures.gosh.y": "i2",
}

#: The most subset fits a GOSH figure may ask for (metafor's own default limit, 10^6).
GOSH_MAX_SUBSETS = 1_000_000


def default_figures(kind: str, *, leave_one_out: bool, cumulative: bool) -> tuple[str, ...]:
    """Figures drawn when ``figures.draw`` is not given.

    An overview draws its forest plot of published summaries; a meta-analysis draws the
    forest and funnel plots and a forest plot of each sensitivity analysis it runs.
    """
    if kind == "overview":
        return ("forest",)
    out = ["forest", "funnel"]
    if cumulative:
        out.append("cumulative")
    if leave_one_out:
        out.append("leave-one-out")
    return tuple(out)


def _one_or_more(spec: Text) -> Either:
    return Either((spec, ListOf(spec)))


_FREE = Text()
_PATH = Text(
    pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_][a-z0-9_]*)*$",
    shape="a dotted record field such as citation.year or outcomes.attributes.mean_age",
)
_LEVEL = Number(
    minimum=0,
    maximum=1,
    exclusive_minimum=True,
    exclusive_maximum=True,
    example="e.g. 0.95 for a 95% interval",
)

RANGE = Record(
    "range",
    "A range of values for a `where` condition; either bound may be left out.",
    (
        Field("min", Number(), required=False, doc="smallest value kept (inclusive)"),
        Field("max", Number(), required=False, doc="largest value kept (inclusive)"),
    ),
)

EXCLUSION = Record(
    "exclusion",
    "A study left out of the synthesis on purpose, with the reason (shown in the report).",
    (
        Field("id", SLUG, doc="the study id"),
        Field("reason", _FREE, doc="why it is left out, e.g. 'same cohort as smith-2004'"),
    ),
)

SELECTION = Record(
    "selection",
    "Which outcome entries of which studies enter the analysis. Filters combine with AND; "
    "studies whose outcome entries do not fit the analysis (another measure, no effect data) "
    "are listed in the report as not in the synthesis, with the reason.",
    (
        Field("outcome", SLUG, doc="the outcome id shared across study records, e.g. mortality"),
        Field("ids", ListOf(SLUG), required=False, doc="only these studies (default: all)"),
        Field("exclude", ListOf(EXCLUSION), required=False, doc="studies left out, each with its reason"),
        Field("design", _one_or_more(Text(choices=DESIGNS)), required=False, doc="only these study designs"),
        Field(
            "status",
            _one_or_more(Text(choices=("complete", "partial"))),
            required=False,
            doc="only studies whose extraction is complete (or partial)",
        ),
        Field(
            "kind",
            _one_or_more(Text(choices=DATA_KINDS)),
            required=False,
            doc="only outcome entries with these data kinds",
        ),
        Field(
            "where",
            MapOf(_PATH, Either((Scalar(), ListOf(Scalar()), RANGE))),
            required=False,
            doc="any record field by its dotted path: a value (equal), a list (one of) or "
            "{min, max} (a range); null matches an absent field. Paths under outcomes. "
            "filter outcome entries, e.g. outcomes.subgroup, outcomes.attributes.location",
        ),
    ),
)

ZERO_CELLS = Record(
    "zero_cells",
    "What to do with 2x2 tables that have a zero cell (metafor's add, to, drop00).",
    (
        Field(
            "add",
            Either((Number(minimum=0), Text(choices=("TACC",)))),
            required=False,
            doc="the constant added (default 0.5), or TACC: the treatment-arm continuity correction "
            "(Sweeting et al. 2004; OR and RR), each group's cells getting its share of the two "
            "groups' total instead of 0.5",
        ),
        Field(
            "to",
            Text(choices=ZERO_CELL_RULES),
            required=False,
            doc="which tables get it: only0 (tables with a zero; default), all, if0all "
            "(all tables when any has a zero), none",
        ),
        Field(
            "drop00",
            Boolean(),
            required=False,
            doc="drop studies with no events (or only events) in both arms (default false; true "
            "with mantel-haenszel and peto pooling, as metafor's rma.mh and rma.peto)",
        ),
    ),
)

SUBGROUPS = Record(
    "subgroups",
    "A subgroup analysis: the pooled result within each value of a variable and the test "
    "for subgroup differences.",
    (
        Field(
            "by",
            _PATH,
            doc="the variable: a record field (design, citation.year) or an "
            "outcome field (outcomes.subgroup, outcomes.attributes.location)",
        ),
        Field(
            "common_tau2",
            Boolean(),
            required=False,
            doc="assume one tau^2 across subgroups (default false: a separate tau^2 in each)",
        ),
    ),
)

MODEL = Record(
    "model",
    "How effects depend on each other. Default: one independent effect per study.",
    (
        Field(
            "nested",
            ListOf(Text(choices=("study",))),
            doc="effects nested in these clusters, outermost first: [study] admits several "
            "outcome entries per study and pools them in a three-level model (metafor rma.mv, "
            "random = ~ 1 | study/effect)",
        ),
    ),
)

SENSITIVITY = Record(
    "sensitivity",
    "Sensitivity analyses run with the main analysis (all on by default).",
    (
        Field(
            "leave_one_out",
            Boolean(),
            required=False,
            doc="re-pool leaving out each study in turn (default true)",
        ),
        Field(
            "cumulative",
            Boolean(),
            required=False,
            doc="cumulative meta-analysis, adding studies in cumulative_order (default true)",
        ),
        Field(
            "cumulative_order",
            Text(),
            required=False,
            doc="year (publication year, the default), precision (most precise first) or a "
            "record field path such as outcomes.attributes.follow_up_years",
        ),
        Field(
            "exclude_high_risk_of_bias",
            Boolean(),
            required=False,
            doc="re-pool without studies whose overall risk of bias is high, serious or "
            "critical (default true; studies without an assessment stay in)",
        ),
    ),
)

FOREST = Record(
    "forest_options",
    "Options of the forest plots (main, cumulative and leave-one-out). The prediction "
    "interval is drawn when the analysis reports one.",
    (
        Field(
            "sort",
            Text(choices=("given", "year", "effect", "weight")),
            required=False,
            doc="row order of the main forest plot: given (default: by study id), year, "
            "effect, weight (largest first)",
        ),
        Field(
            "data_columns",
            Text(choices=("auto", "arms", "generic", "none")),
            required=False,
            doc="per-study columns: auto (default: per-arm data when every study has them), "
            "arms, generic (estimate and SE), none",
        ),
        Field(
            "beneficial",
            Boolean(),
            required=False,
            doc="the outcome is desirable (survival, abstinence): effects above no effect "
            "favour the experimental group (default false)",
        ),
        Field("title", _FREE, required=False, doc="a title above the plot (default none)"),
        Field(
            "effect_label",
            _FREE,
            required=False,
            doc="name of the effect in the header and axis (default from the measure)",
        ),
        Field(
            "note",
            _FREE,
            required=False,
            doc="a note printed under each forest plot, e.g. how complete the extraction is (default none)",
        ),
        Field(
            "layout",
            Text(choices=("revman", "jama", "bmj")),
            required=False,
            doc="revman (default: RevMan 5's), jama or bmj (the R package meta's JAMA and BMJ layouts)",
        ),
        Field(
            "columns",
            ListOf(Text()),
            required=False,
            doc="extra study columns after the labels (metafor's ilab, meta's leftcols): record "
            "fields such as citation.year or outcomes.attributes.dose (default none)",
        ),
    ),
)

FUNNEL = Record(
    "funnel_options",
    "Options of the funnel plot.",
    (
        Field(
            "contours",
            Boolean(),
            required=False,
            doc="contour-enhanced: shade the 90/95/99% significance regions (default false)",
        ),
    ),
)

GOSH = Record(
    "gosh_options",
    "Options of the GOSH figure (Olkin et al. 2012): the model refitted to subsets of the "
    "studies. With at most max_subsets subsets (2^k - 1) every subset is fitted, otherwise "
    "max_subsets distinct random subsets drawn with the given seed, so the figure is the same "
    "on every run.",
    (
        Field(
            "max_subsets",
            Integer(minimum=1, maximum=GOSH_MAX_SUBSETS),
            required=False,
            doc="fit every subset up to this many, else a random sample of this many "
            "(default 10000; at most 1000000, metafor's limit)",
        ),
        Field("seed", Integer(minimum=0), required=False, doc="seed of the random subsets (default 1)"),
        Field(
            "x",
            Text(choices=("estimate", "i2", "h2", "tau2", "qe")),
            required=False,
            doc="quantity on the x axis (default estimate, back-transformed as the analysis reports it)",
        ),
        Field(
            "y",
            Text(choices=("estimate", "i2", "h2", "tau2", "qe")),
            required=False,
            doc="quantity on the y axis (default i2)",
        ),
    ),
)

FIGURES_SPEC = Record(
    "figures",
    "Which figures to draw (under figures/<id>/) and their options.",
    (
        Field(
            "draw",
            ListOf(Text(choices=FIGURES), min_items=0),
            required=False,
            doc="the figures to draw; [] draws none. Default: forest and funnel, plus the "
            "cumulative and leave-one-out forest plots when those analyses run "
            "(an overview: forest). Diagnostic figures on request: labbe (L'Abbe), radial (Galbraith), "
            "qq (normal Q-Q of standardized residuals), tau2-profile, drapery (p-value functions)",
        ),
        Field(
            "formats",
            ListOf(Text(choices=FIGURE_FORMATS)),
            required=False,
            doc="file formats written (default [svg, png]; pdf too, for a journal or a word processor)",
        ),
        Field("forest", FOREST, required=False, doc="forest-plot options"),
        Field("funnel", FUNNEL, required=False, doc="funnel-plot options"),
        Field("gosh", GOSH, required=False, doc="GOSH-figure options"),
    ),
)

REFERENCE = Record(
    "reference",
    "A published result of the same analysis to compare with (e.g. the review being updated). "
    "Numbers on the presentation scale (ratios not logged).",
    (
        Field("source", _FREE, doc="where it was published, e.g. 'Holt-Lunstad 2010, abstract'"),
        Field("estimate", Number(), doc="the published pooled estimate"),
        Field("lower", Number(), required=False, doc="lower confidence limit"),
        Field("upper", Number(), required=False, doc="upper confidence limit"),
        Field("level", _LEVEL, required=False, doc="level of the interval (default 0.95)"),
        Field("k", Integer(minimum=1), required=False, doc="number of studies it pooled"),
        Field("tau2", Number(minimum=0), required=False, doc="its tau^2, if published"),
        Field("i2", Number(minimum=0, maximum=100), required=False, doc="its I^2 (%), if published"),
    ),
    (
        Together("lower", "upper", "a confidence interval needs both bounds"),
        ForbiddenIf("level", When("lower", absent=True), "a level belongs to an interval"),
        Ordered("lower", "estimate", "upper"),
    ),
)

#: Ratios a study record may report (kinds ratio_ci, log_se), for ``treat_as``.
REPORTED_RATIOS = ("OR", "RR", "HR")

DIRECTION = Record(
    "analysis_direction",
    "Which way the analysis pools: every entry is oriented to it before pooling -- arms "
    "swapped where a record's experimental group is this analysis's control, the outcome "
    "counted the other way where a record's direction.benefit is the other side -- with a "
    "note in the row's source and the report; an entry that cannot be oriented stops the "
    "analysis (and `metaevidence validate`) at its record's line.",
    (
        Field(
            "benefit",
            Text(choices=("higher", "lower")),
            doc="which side of no effect favours the experimental group in the pooled result: "
            "higher (e.g. OR of survival > 1) or lower (e.g. OR of death < 1); also the default "
            "of figures.forest.beneficial",
        ),
        Field(
            "experimental",
            _one_or_more(_FREE),
            required=False,
            doc="the analysis's experimental group as the records' comparison.experimental names it "
            "(one name or a list; case is ignored); a record naming it as its control has its arms "
            "swapped, one naming neither is refused. Default: the arms as recorded",
        ),
    ),
)

_OVERVIEW = When("kind", ("overview",))
_NOT_IN_OVERVIEW = "an overview shows published summaries and never pools them"
_COMMON = When("pooling", ("mantel-haenszel", "peto"))
_COMMON_REASON = "Mantel-Haenszel and Peto pooling are common-effect methods"
_GLMM = When("pooling", ("glmm",))
_GLMM_REASON = "GLMM pooling (rma.glmm) has a z interval, no prediction interval or tau^2 interval"

ANALYSIS = Record(
    "analysis",
    "One analysis spec (analyses/<id>.yaml). The id equals the file name; every omitted "
    "setting takes its documented default, and results/<id>.json records them all.",
    (
        Field("id", SLUG, doc="the analysis id; equal to the file name without .yaml"),
        Field("title", _FREE, doc="a short title, e.g. 'Social relationships and mortality'"),
        Field("question", _FREE, doc="the question the analysis answers, in words"),
        Field(
            "kind",
            Text(choices=KINDS),
            required=False,
            doc="meta-analysis (default) pools; overview shows published summary entries "
            "side by side, never pooled",
        ),
        Field("studies", SELECTION, doc="which studies and outcome"),
        Field(
            "measure",
            Text(choices=MEASURES),
            required=False,
            doc="the effect measure (required for a meta-analysis; for an overview, keep "
            "only summaries with this measure)",
        ),
        Field(
            "pooling",
            Text(choices=POOLING),
            required=False,
            doc="inverse-variance (default; metafor rma), mantel-haenszel (rma.mh), peto (rma.peto) "
            "or glmm (rma.glmm, odds ratios from 2x2 counts; tau2 ML (default) or EE)",
        ),
        Field(
            "glmm_model",
            Text(choices=GLMM_MODELS),
            required=False,
            doc="with pooling: glmm, the model (metafor rma.glmm model=): UM.FS (default; fixed "
            "study effects), UM.RS (random study effects), CM.AL (conditional, approximate likelihood) "
            "or CM.EL (conditional, exact likelihood)",
        ),
        Field(
            "tau2",
            Text(choices=TAU2_METHODS),
            required=False,
            doc="tau^2 estimator (default REML; EE or FE for a common-effect model)",
        ),
        Field(
            "ci_method",
            Text(choices=CI_METHODS),
            required=False,
            doc="confidence interval of the pooled effect: knha (Hartung-Knapp, default), z, "
            "adhoc (Hartung-Knapp, never narrower than z)",
        ),
        Field(
            "level", _LEVEL, required=False, doc="level of confidence and prediction intervals (default 0.95)"
        ),
        Field(
            "prediction_interval",
            Boolean(),
            required=False,
            doc="report and draw the prediction interval (default true)",
        ),
        Field(
            "prediction_interval_method",
            Text(choices=PI_METHODS),
            required=False,
            doc="hts (default): t on k - 2 df (Higgins, Thompson & Spiegelhalter 2009; Cochrane "
            "Handbook 10.10.4.3); metafor: as metafor's predict() (t on k - 1 df under knha)",
        ),
        Field(
            "heterogeneity_ci",
            Boolean(),
            required=False,
            doc="Q-profile confidence intervals for tau^2 and I^2 (default true)",
        ),
        Field(
            "convert",
            Boolean(),
            required=False,
            doc="allow explicit conversions between measures (SMD <-> OR, r -> SMD, HR as RR) "
            "for entries whose own measure differs (default false: they are left out, with the reason)",
        ),
        Field(
            "treat_as",
            MapOf(Text(choices=REPORTED_RATIOS), Text(choices=REPORTED_RATIOS)),
            required=False,
            doc="reported ratios pooled as the analysis's measure without conversion, e.g. "
            "{HR: OR}: generic inverse-variance pooling of log ratios, an assumption (reasonable "
            "when the outcome is rare) written into the report and under the forest plot; each "
            "such row keeps its own measure (reported_measure, and its label is marked '(HR)'). "
            "Default: none (such entries are left out, with the reason)",
        ),
        Field(
            "direction",
            DIRECTION,
            required=False,
            doc="which way the analysis pools; entries are oriented to it (default: none, and "
            "entries whose directions disagree stop the analysis)",
        ),
        Field(
            "rom_correction",
            Boolean(),
            required=False,
            doc="for ROM: apply the second-order bias correction of current metafor (default false)",
        ),
        Field(
            "labels",
            Text(choices=("citation", "id")),
            required=False,
            doc="how studies are named in tables and figures: citation (default, e.g. "
            "'Ahern et al., 1990') or id",
        ),
        Field("zero_cells", ZERO_CELLS, required=False, doc="zero-cell policy for 2x2 tables"),
        Field("subgroups", SUBGROUPS, required=False, doc="a subgroup analysis (default none)"),
        Field("sensitivity", SENSITIVITY, required=False, doc="sensitivity analyses"),
        Field(
            "bias",
            BIAS,
            required=False,
            doc="small-study effect and publication-bias methods run on the main analysis when "
            "it has at least 10 studies: egger, peters, harbord, rank_test, trim_and_fill, "
            "selection_model, pet_peese, tes, henmi_copas, fail_safe_n (default none)",
        ),
        Field("bias_options", BIAS_OPTIONS, required=False, doc="options of the methods listed in bias"),
        Field(
            "sequential",
            SEQUENTIAL,
            required=False,
            doc="trial sequential analysis (default none; secondary)",
        ),
        Field("model", MODEL, required=False, doc="dependent effects (default: one effect per study)"),
        Field("figures", FIGURES_SPEC, required=False, doc="figures and their options"),
        Field(
            "reference", REFERENCE, required=False, doc="a published result to compare with (default none)"
        ),
        Field("certainty", CERTAINTY, required=False, doc="GRADE judgements and summary-of-findings options"),
        Field(
            "interpretation",
            _FREE,
            required=False,
            doc="what the evidence can and cannot support, in words; shown first in "
            "results/<id>.md, under 'What this evidence can and cannot support'",
        ),
        Field(
            "notes",
            _FREE,
            required=False,
            doc="anything else a reader should know; shown in results/<id>.md under 'Notes'",
        ),
    ),
    (
        RequiredIf("measure", When("kind", absent=True), "say which effect measure to pool"),
        RequiredIf("measure", When("kind", ("meta-analysis",)), "say which effect measure to pool"),
        *(
            ForbiddenIf(name, _OVERVIEW, _NOT_IN_OVERVIEW)
            for name in (
                "pooling",
                "tau2",
                "ci_method",
                "prediction_interval",
                "prediction_interval_method",
                "heterogeneity_ci",
                "convert",
                "treat_as",
                "direction",
                "rom_correction",
                "zero_cells",
                "subgroups",
                "sensitivity",
                "bias",
                "bias_options",
                "reference",
                "sequential",
                "model",
            )
        ),
        ForbiddenIf("model", _COMMON, _COMMON_REASON + " for one effect per study"),
        ForbiddenIf("tau2", _COMMON, _COMMON_REASON + " without tau^2"),
        ForbiddenIf("ci_method", _COMMON, _COMMON_REASON + " with a z interval"),
        ForbiddenIf("prediction_interval", _COMMON, _COMMON_REASON + " without a prediction interval"),
        ForbiddenIf("prediction_interval_method", _COMMON, _COMMON_REASON + " without a prediction interval"),
        ForbiddenIf("heterogeneity_ci", _COMMON, _COMMON_REASON + " without tau^2"),
        *(
            ForbiddenIf(name, _GLMM, _GLMM_REASON)
            for name in ("ci_method", "prediction_interval", "prediction_interval_method", "heterogeneity_ci")
        ),
        *(
            ForbiddenIf(name, _GLMM, "GLMM pooling fits 2x2 counts of independent studies")
            for name in ("treat_as", "subgroups", "model")
        ),
        ValueForbiddenIf(
            "zero_cells.add",
            "TACC",
            When("measure", tuple(m for m in MEASURES if m not in ("OR", "RR"))),
            "the treatment-arm continuity correction applies to odds and risk ratios",
        ),
        ValueForbiddenIf(
            "zero_cells.add",
            "TACC",
            When("pooling", ("peto",)),
            "Peto's method uses no continuity correction",
        ),
        ForbiddenIf(
            "treat_as",
            _COMMON,
            "Mantel-Haenszel and Peto pooling use 2x2 counts; a reported ratio is pooled by inverse variance",
        ),
        ForbiddenIf(
            "subgroups",
            _COMMON,
            "subgroup analyses pool with inverse-variance weights (use "
            "pooling: inverse-variance, with tau2: EE for a common-effect model)",
        ),
    ),
)


# --------------------------------------------------------------------------- JSON Schema

#: File name of the shipped JSON Schema inside the package ``metaevidence.workflow``.
SCHEMA_FILE = "analysis-spec.schema.json"
SCHEMA_ID = "https://metaevidence.readthedocs.io/schema/analysis-spec.schema.json"


def json_schema() -> dict:
    """The JSON Schema (Draft 2020-12) of an analysis spec, derived from :data:`ANALYSIS`."""
    from metaevidence._schema.jsonschema import schema_document

    return schema_document(
        ANALYSIS,
        title="metaevidence analysis spec",
        schema_id=SCHEMA_ID,
        comment="Also checked by `metaevidence validate`: id equals the file name without .yaml; "
        "where, subgroups.by and cumulative_order name fields of the study-record format; "
        "figures.draw matches the sensitivity analyses that run; measure fits the pooling "
        "method; treat_as maps other ratios to the measure; direction.benefit agrees with "
        "figures.forest.beneficial; reference numbers of a ratio are > 0; the outcome and study ids exist.",
    )


def json_schema_text() -> str:
    """The JSON Schema as text, exactly as shipped (2-space indent, trailing newline)."""
    import json

    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_json_schema() -> str:
    """The text of the analysis-spec schema file shipped with the package."""
    from importlib import resources

    return resources.files("metaevidence.workflow").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
