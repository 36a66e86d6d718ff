"""Result objects for the plot tests, built field by field from metafor fits.

Plots never compute statistics, so their tests draw results whose every number comes from
metafor (``tests/reference/plots.json``, written by ``tests/reference/R/plots.R``).
``MetaAnalysis`` is the real dataclass of ``metaevidence.results`` and ``EffectSizes`` the
real one of ``metaevidence.effects`` (built from the fixture's per-arm data with
``effect_sizes`` and checked against metafor's yi/vi); ``SubgroupAnalysis`` and
``MetaAnalysisBatch`` are stand-ins carrying exactly the contract's field names
(docs/developing.md) until those types land on main.
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from metaevidence.effects import effect_sizes
from metaevidence.results import MetaAnalysis
from tests.reference_data import as_array, load_reference
from tests.tolerances import CLOSED_FORM


@lru_cache(maxsize=None)
def _cases() -> dict:
    return load_reference("plots")["cases"]


def effects_from(case: dict, group_labels=None):
    """The real EffectSizes of the case's per-arm data (checked against metafor's yi, vi)."""
    info = {name: (np.array(values) if isinstance(values[0], str) else as_array(values))
            for name, values in (case["study_info"] or {}).items()}
    es = effect_sizes(case["measure"], **{name: as_array(v) for name, v in case["data"].items()},
                      labels=list(case["labels"]), study_info=info, group_labels=group_labels,
                      drop00="drop00" in case["call"])
    np.testing.assert_allclose(es.yi, as_array(case["yi"]), rtol=CLOSED_FORM, equal_nan=True)
    np.testing.assert_allclose(es.vi, as_array(case["vi"]), rtol=CLOSED_FORM, equal_nan=True)
    return es


def analysis_from(case: dict, group_labels=None, with_effects: bool = True) -> MetaAnalysis:
    """A real MetaAnalysis holding one metafor fit of the fixture."""
    return MetaAnalysis(
        estimate=case["estimate"], se=case["se"], statistic=case["statistic"],
        p_value=case["p_value"], ci_lower=case["ci_lower"], ci_upper=case["ci_upper"],
        df=case["df"], pi_lower=case["pi_lower"], pi_upper=case["pi_upper"],
        tau2=case["tau2"], tau2_se=case["tau2_se"], tau=case["tau"], i2=case["i2"],
        h2=case["h2"], q=case["q"], q_df=int(case["q_df"]), q_p_value=case["q_p_value"],
        k=int(case["k"]), yi=as_array(case["yi"]), vi=as_array(case["vi"]),
        weights=as_array(case["weights"]), included=np.array(case["included"], dtype=bool),
        labels=tuple(case["labels"]), measure=case["measure"], method=case["method"],
        test=case["test"], level=case["level"], pi_method="metafor", converged=True,
        iterations=0,
        effects=effects_from(case, group_labels) if with_effects else None,
    )


def case(name: str) -> dict:
    return _cases()[name]


def analysis(name: str, **kwargs) -> MetaAnalysis:
    return analysis_from(case(name), **kwargs)


def bcg(**kwargs) -> MetaAnalysis:
    return analysis("bcg-OR-REML-knha", group_labels=("BCG vaccine", "Control"), **kwargs)


def bcg_common() -> MetaAnalysis:
    return analysis("bcg-OR-EE", group_labels=("BCG vaccine", "Control"))


def subgroups(name: str = "bcg-OR-REML-alloc", group_labels=("BCG vaccine", "Control")) -> SimpleNamespace:
    c = case(name)
    return SimpleNamespace(
        groups=tuple(c["groups"]),
        subgroups=tuple(analysis_from(c["subgroups"][g], group_labels) for g in c["groups"]),
        overall=analysis_from(c["overall"], group_labels),
        group_of=tuple(c["group_of"]),
        q_between=c["q_between"], q_between_df=int(c["q_between_df"]),
        q_between_p_value=c["q_between_p_value"], tau2_common=False,
    )


def batch(name: str, parent=None) -> SimpleNamespace:
    c = case(name)
    arrays = {f: as_array(c[f]) for f in ("estimate", "se", "statistic", "p_value", "ci_lower",
                                          "ci_upper", "tau2", "i2", "h2", "q", "q_p_value", "k", "df")}
    return SimpleNamespace(
        **arrays, mask=np.array(c["mask"], dtype=bool), row_labels=tuple(c["row_labels"]),
        kind=c["kind"], parent=parent, measure=parent.measure if parent else "OR",
        method=parent.method if parent else "REML", test=c["test"], level=c["level"],
    )


def leave_one_out() -> SimpleNamespace:
    return batch("bcg-OR-REML-knha-l1o", parent=bcg())


def cumulative() -> SimpleNamespace:
    return batch("lau-OR-REML-cumul",
                 parent=analysis_from(case("lau-OR-REML-cumul")["parent"], ("Streptokinase", "Control")))
