"""Result objects for the plot tests: the package's own fits, checked against metafor.

Plots never compute statistics, so their tests draw real results -- ``effect_sizes``,
``meta_analysis``, ``leave_one_out``, ``cumulative`` -- of the datasets in
``tests/reference/plots.json`` (written by ``tests/reference/R/plots.R``), and each factory
first checks that the fit equals metafor's (named tolerances), so every number a figure
test reads is metafor's. The subgroup analysis is composed from ``meta_analysis`` fits
with exactly the SubgroupAnalysis contract's field names until ``subgroup_analysis`` lands.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np

from metaevidence.stats.effects import effect_sizes
from metaevidence.stats.fit import meta_analysis
from metaevidence.stats.results import MetaAnalysis
from metaevidence.stats.sensitivity import cumulative as me_cumulative
from metaevidence.stats.sensitivity import leave_one_out as me_leave_one_out
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import CANCELLATION_ABS, CLOSED_FORM, ITERATIVE, ZERO_ABS


@cache
def _cases() -> dict:
    return load_reference("plots")["cases"]


def effects_from(case: dict, group_labels=None):
    """The real EffectSizes of the case's per-arm data (checked against metafor's yi, vi)."""
    info = {
        name: (np.array(values) if isinstance(values[0], str) else as_array(values))
        for name, values in (case["study_info"] or {}).items()
    }
    es = effect_sizes(
        case["measure"],
        **{name: as_array(v) for name, v in case["data"].items()},
        labels=list(case["labels"]),
        study_info=info,
        group_labels=group_labels,
        drop00="drop00" in case["call"],
    )
    np.testing.assert_allclose(es.yi, as_array(case["yi"]), rtol=CLOSED_FORM, equal_nan=True)
    np.testing.assert_allclose(es.vi, as_array(case["vi"]), rtol=CLOSED_FORM, equal_nan=True)
    return es


_FIT_FIELDS = (
    "estimate",
    "se",
    "statistic",
    "p_value",
    "ci_lower",
    "ci_upper",
    "pi_lower",
    "pi_upper",
    "tau2",
    "i2",
    "h2",
    "q",
    "q_p_value",
)


def _agrees_with_metafor(res, c: dict, what: str) -> None:
    """The engine's fit is metafor's (so the figures draw metafor's numbers)."""
    for field in _FIT_FIELDS:
        if field.startswith("pi_") and c["method"] in ("EE", "FE"):
            continue  # a common-effect fit has no prediction interval (metafor prints the CI)
        assert_close(getattr(res, field), c[field], ITERATIVE, atol=ZERO_ABS, what=f"{what}: {field}")
    assert_close(res.weights, c["weights"], ITERATIVE, what=f"{what}: weights")
    assert res.k == c["k"]


def analysis_from(c: dict, group_labels=None, with_effects: bool = True) -> MetaAnalysis:
    """The package's own fit of the case (``meta_analysis``), checked against metafor."""
    settings = {"method": c["method"], "test": c["test"]}
    if with_effects:
        res = meta_analysis(effects_from(c, group_labels), **settings)
    else:
        res = meta_analysis(
            as_array(c["yi"]), as_array(c["vi"]), labels=list(c["labels"]), measure=c["measure"], **settings
        )
    _agrees_with_metafor(res, c, c["call"])
    return res


def case(name: str) -> dict:
    return _cases()[name]


def analysis(name: str, **kwargs) -> MetaAnalysis:
    return analysis_from(case(name), **kwargs)


def bcg(**kwargs) -> MetaAnalysis:
    return analysis("bcg-OR-REML-knha", group_labels=("BCG vaccine", "Control"), **kwargs)


def bcg_common() -> MetaAnalysis:
    return analysis("bcg-OR-EE", group_labels=("BCG vaccine", "Control"))


def subgroups(name: str = "bcg-OR-REML-alloc", group_labels=("BCG vaccine", "Control")) -> SimpleNamespace:
    """Separate REML fits per subgroup, the overall fit, and the test for subgroup
    differences (common-effect Q over the subgroup estimates), all from meta_analysis and
    checked against metafor; shaped as the SubgroupAnalysis contract."""
    c = case(name)
    fits = tuple(analysis_from(c["subgroups"][g], group_labels) for g in c["groups"])
    between = meta_analysis([f.estimate for f in fits], [f.se**2 for f in fits], method="EE")
    assert_close(between.q, c["q_between"], ITERATIVE, what="Q between subgroups")
    return SimpleNamespace(
        groups=tuple(c["groups"]),
        subgroups=fits,
        overall=analysis_from(c["overall"], group_labels),
        group_of=tuple(c["group_of"]),
        q_between=between.q,
        q_between_df=between.q_df,
        q_between_p_value=between.q_p_value,
        tau2_common=False,
    )


def _batch_agrees_with_metafor(batch, c: dict) -> None:
    for field in ("estimate", "se", "statistic", "ci_lower", "ci_upper", "tau2", "i2", "q", "k"):
        assert_close(getattr(batch, field), c[field], ITERATIVE, atol=ZERO_ABS, what=f"{c['call']}: {field}")
    assert_close(batch.p_value, c["p_value"], ITERATIVE, what=f"{c['call']}: p_value")
    np.testing.assert_array_equal(batch.mask, np.array(c["mask"], dtype=bool))


def leave_one_out():
    batch = me_leave_one_out(bcg())
    _batch_agrees_with_metafor(batch, case("bcg-OR-REML-knha-l1o"))
    return batch


def cumulative():
    c = case("lau-OR-REML-cumul")
    batch = me_cumulative(analysis_from(c["parent"], ("Streptokinase", "Control")), order="year")
    _batch_agrees_with_metafor(batch, c)
    return batch


def fields(obj) -> dict:
    """Field values of a result (dataclass or stand-in), to build altered copies in tests."""
    import dataclasses

    if dataclasses.is_dataclass(obj):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    return dict(vars(obj))


#: Holt-Lunstad, Smith & Layton (2010) PLoS Med 7:e1000316, Table 4 (odds ratios by type of
#: measure, 95% CIs; rows share studies), as transcribed in the project's seed evidence; the
#: last row has no k, to show an unreported one.
PUBLISHED_ROWS = (
    ("received social support", 9, 1.22, 0.91, 1.63),
    ("loneliness (inversed)", 8, 1.45, 1.08, 1.94),
    ("complex measures of social integration", 30, 1.91, 1.63, 2.23),
    ("multifaceted measurement", 0, 1.47, 1.34, 1.60),
)


def published():
    """The published results of PUBLISHED_ROWS as one batch (log odds ratios), k 0 = not reported."""
    from metaevidence.stats.results import MetaAnalysisBatch

    n = len(PUBLISHED_ROWS)
    est, lo, hi = (np.log([r[i] for r in PUBLISHED_ROWS]) for i in (2, 3, 4))
    nan = np.full(n, np.nan)
    return MetaAnalysisBatch(
        estimate=est,
        se=nan,
        statistic=nan,
        p_value=nan,
        ci_lower=lo,
        ci_upper=hi,
        df=nan,
        pi_lower=nan,
        pi_upper=nan,
        tau2=nan,
        tau2_se=nan,
        tau=nan,
        i2=nan,
        h2=nan,
        q=nan,
        q_df=np.zeros(n, dtype=int),
        q_p_value=nan,
        k=np.array([r[1] for r in PUBLISHED_ROWS]),
        yi=est[:, None],
        vi=nan[:, None],
        weights=nan[:, None],
        included=np.ones((n, 1), dtype=bool),
        labels=("published result",),
        measure="OR",
        method="REML",
        test="z",
        level=0.95,
        pi_method="metafor",
        converged=np.ones(n, dtype=bool),
        iterations=np.zeros(n, dtype=int),
        mask=np.ones((n, 1), dtype=bool),
        row_labels=tuple(r[0] for r in PUBLISHED_ROWS),
        kind="batch",
    )


@cache
def transformed(name: str) -> MetaAnalysis:
    """A fit of tests/reference/transforms.json (molloy2014 ZCOR, pritz1997 PLO/PLN; metafor's
    back-transformed numbers are checked in tests/test_presentation.py), held to metafor's fit."""
    c = load_reference("transforms")["cases"][name]
    es = effect_sizes(
        c["measure"], **{k: as_array(v) for k, v in c["data"].items()}, labels=list(c["labels"])
    )
    np.testing.assert_allclose(es.yi, as_array(c["yi"]), rtol=CLOSED_FORM, atol=CANCELLATION_ABS)
    res = meta_analysis(es, method=c["method"], test=c["test"])
    for field in ("estimate", "se", "ci_lower", "ci_upper"):
        assert_close(getattr(res, field), c[field], ITERATIVE, what=f"{name}: {field}")
    return res


def molloy() -> MetaAnalysis:
    """16 correlations of conscientiousness and medication adherence (ZCOR, REML)."""
    return transformed("molloy2014-ZCOR-REML-z")


def pritz() -> MetaAnalysis:
    """14 proportions improved by hyperdynamic therapy (PLO, REML)."""
    return transformed("pritz1997-PLO-REML-z")
