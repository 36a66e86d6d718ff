"""The effect data of an outcome entry, in the schema language: one record per data kind.

``kind`` selects the fields (:data:`DATA`, a tagged union): 2x2 counts (``binary``), means
and SDs (``continuous``), paired (pre-post or matched) means, SDs and their correlation
(``paired``), a reported ratio with its interval (``ratio_ci``), an estimate
with its SE (``log_se``), a correlation, a published summary, or ``none``. The study
record (:mod:`metaevidence.evidence.schema`) composes them; also the arms and the comparison.
"""

from __future__ import annotations

from metaevidence._schema.rules import (
    ForbiddenIf,
    NotGreater,
    Ordered,
    PositiveWhen,
    RequiredIf,
    Together,
    When,
)
from metaevidence._schema.types import (
    Boolean,
    Either,
    Field,
    Integer,
    Number,
    Record,
    Tagged,
    Text,
)

__all__ = ["DATA", "DATA_KINDS", "REPORTED_RATIOS", "SUMMARY_MEASURES", "COMPARISON"]

#: Measures on the ratio scale: estimates and bounds are positive, analysed as logs.
#: The ratios a study record may report with a confidence interval (kind ratio_ci).
REPORTED_RATIOS = ("OR", "RR", "HR")
SUMMARY_MEASURES = (*REPORTED_RATIOS, "RD", "MD", "SMD", "COR", "ZCOR")

_FREE = Text()
_POSITIVE = Number(minimum=0, exclusive_minimum=True)
_LEVEL = Number(
    minimum=0,
    maximum=1,
    exclusive_minimum=True,
    exclusive_maximum=True,
    example="e.g. 0.95 for a 95% interval",
)
_COUNT_N = Integer(minimum=1)
_TEXT_OR_INT = Either((Text(), Integer(minimum=0)))


COMPARISON = Record(
    "comparison",
    "Which group is experimental (or exposed) and which is the control: the effect is "
    "experimental versus control.",
    (
        Field("experimental", _FREE, doc="the experimental/exposed group"),
        Field("control", _FREE, doc="the control/comparison group"),
    ),
)

BINARY_ARM = Record(
    "binary_arm",
    "Events and participants in one arm.",
    (
        Field("events", Integer(minimum=0), doc="participants with the event"),
        Field("total", Integer(minimum=1), doc="participants in the arm"),
    ),
    (NotGreater("events", "total"),),
)

CONTINUOUS_ARM = Record(
    "continuous_arm",
    "Mean, standard deviation and number of participants in one arm.",
    (
        Field("mean", Number(), doc="mean"),
        Field("sd", _POSITIVE, doc="standard deviation (not the standard error)"),
        Field("n", _COUNT_N, doc="participants analysed"),
    ),
)

_KIND = Field("kind", Text(), doc="the kind of effect data")


def _kind(kind: str) -> Field:
    return Field("kind", Text(choices=(kind,)), doc="the kind of effect data")


DATA_BINARY = Record(
    "data_binary",
    "Events and totals per arm (a 2x2 table).",
    (
        _kind("binary"),
        Field("experimental", BINARY_ARM, doc="the experimental arm"),
        Field("control", BINARY_ARM, doc="the control arm"),
    ),
)

DATA_CONTINUOUS = Record(
    "data_continuous",
    "Mean, SD and n per arm.",
    (
        _kind("continuous"),
        Field("experimental", CONTINUOUS_ARM, doc="the experimental arm"),
        Field("control", CONTINUOUS_ARM, doc="the control arm"),
        Field("unit", _FREE, required=False, doc="unit of measurement, e.g. '% days abstinent'"),
    ),
)

PAIRED_MEASUREMENT = Record(
    "paired_measurement",
    "Mean and standard deviation of one of the two paired measurements.",
    (
        Field("mean", Number(), doc="mean"),
        Field("sd", _POSITIVE, doc="standard deviation (not the standard error)"),
    ),
)

DATA_PAIRED = Record(
    "data_paired",
    "One group measured twice (pre-post, cross-over) or matched pairs: the mean and SD of each "
    "measurement, the number of pairs and the correlation between the two measurements (the "
    "paired measures MC, SMCC, SMCR, ... need it). For a pre-post design, experimental is the "
    "measurement after (or under) the intervention and control the baseline; the change is "
    "experimental minus control.",
    (
        _kind("paired"),
        Field("experimental", PAIRED_MEASUREMENT, doc="the measurement after or under the intervention"),
        Field("control", PAIRED_MEASUREMENT, doc="the baseline (or comparison) measurement"),
        Field("n", _COUNT_N, doc="participants (or pairs) measured both times"),
        Field(
            "r",
            Number(minimum=-1, maximum=1),
            doc="correlation between the two measurements (reported, or imputed: say so in provenance)",
        ),
        Field("unit", _FREE, required=False, doc="unit of measurement"),
    ),
)

_RATIO_MEASURE = Text(choices=REPORTED_RATIOS)

DATA_RATIO_CI = Record(
    "data_ratio_ci",
    "A reported ratio (OR, RR or HR) with its confidence interval, on the ratio scale.",
    (
        _kind("ratio_ci"),
        Field("measure", _RATIO_MEASURE, doc="OR, RR or HR"),
        Field("estimate", _POSITIVE, doc="the ratio as reported (not logged)"),
        Field("lower", _POSITIVE, doc="lower confidence limit"),
        Field("upper", _POSITIVE, doc="upper confidence limit"),
        Field("level", _LEVEL, doc="confidence level, e.g. 0.95"),
        Field("adjusted", Boolean(), doc="whether the ratio is adjusted for covariates"),
        Field("adjusted_for", _FREE, required=False, doc="the covariates adjusted for"),
        Field("n", _COUNT_N, required=False, doc="participants analysed"),
    ),
    (
        Ordered("lower", "estimate", "upper"),
        ForbiddenIf("adjusted_for", When("adjusted", (False,)), "list covariates only for an adjusted ratio"),
    ),
)

DATA_LOG_SE = Record(
    "data_log_se",
    "A log effect (natural log of an OR, RR or HR) with its standard error.",
    (
        _kind("log_se"),
        Field("measure", _RATIO_MEASURE, doc="the ratio whose natural log is given: OR, RR or HR"),
        Field("log_estimate", Number(), doc="natural log of the ratio, e.g. 0.27 for OR 1.31"),
        Field("se", _POSITIVE, doc="standard error of log_estimate"),
        Field("n", _COUNT_N, required=False, doc="participants analysed"),
    ),
)

DATA_CORRELATION = Record(
    "data_correlation",
    "A correlation coefficient with its sample size.",
    (
        _kind("correlation"),
        Field(
            "r",
            Number(minimum=-1, maximum=1, exclusive_minimum=True, exclusive_maximum=True),
            doc="correlation coefficient",
        ),
        Field("n", _COUNT_N, doc="sample size"),
    ),
)

DATA_SUMMARY = Record(
    "data_summary",
    "A published pooled result (from a meta-analysis or review). Shown in overviews; never "
    "pooled together with primary studies. A result published without an interval is "
    "recorded without lower/upper: it can be listed but not plotted with an interval.",
    (
        _kind("summary"),
        Field("measure", Text(choices=SUMMARY_MEASURES), doc="effect measure of the pooled result"),
        Field("estimate", Number(), doc="pooled estimate on the natural (not log) scale"),
        Field("lower", Number(), required=False, doc="lower confidence limit"),
        Field("upper", Number(), required=False, doc="upper confidence limit"),
        Field("level", _LEVEL, required=False, doc="confidence level, e.g. 0.95 (required with an interval)"),
        Field("k", Integer(minimum=1), required=False, doc="number of studies pooled"),
        Field("n", _COUNT_N, required=False, doc="participants pooled"),
        Field(
            "model", Text(choices=("random-effects", "common-effect", "not-reported")), doc="pooling model"
        ),
        Field(
            "method", _FREE, required=False, doc="estimation method as published, e.g. 'DerSimonian-Laird'"
        ),
    ),
    (
        Together("lower", "upper", "a confidence interval needs both bounds"),
        RequiredIf("level", When("lower"), "give the level of the interval"),
        ForbiddenIf("level", When("lower", absent=True), "a level belongs to an interval"),
        PositiveWhen(
            ("estimate", "lower", "upper"),
            When("measure", REPORTED_RATIOS),
            "ratios are given on their natural scale, not logged",
        ),
        Ordered("lower", "estimate", "upper"),
    ),
)

DATA_NONE = Record(
    "data_none",
    "No extractable effect; the study shows as 'not in the quantitative synthesis'.",
    (_kind("none"), Field("reason", _FREE, doc="why no effect can be extracted")),
)

DATA = Tagged(
    "data",
    "The effect data; kind selects the fields.",
    "kind",
    (
        ("binary", DATA_BINARY),
        ("continuous", DATA_CONTINUOUS),
        ("paired", DATA_PAIRED),
        ("ratio_ci", DATA_RATIO_CI),
        ("log_se", DATA_LOG_SE),
        ("correlation", DATA_CORRELATION),
        ("summary", DATA_SUMMARY),
        ("none", DATA_NONE),
    ),
)

#: The data kinds, in documentation order.
DATA_KINDS = DATA.kinds
