"""metaevidence: living systematic reviews and meta-analysis in Python.

Curated study records (``studies/*.yaml``) feed random-effects meta-analysis that
matches R's metafor to the printed digit, with RevMan-style forest plots and reports
that re-run with one command whenever the evidence changes.

>>> import metaevidence as me
>>> es = me.effect_sizes("OR", ai=[4, 6], bi=[119, 300], ci=[11, 29], di=[128, 274])
>>> res = me.meta_analysis(es, method="REML", test="knha")

Names are resolved lazily (PEP 562), so ``import metaevidence`` stays cheap: pandas is
imported by the first call that needs a DataFrame and matplotlib only when a plot is
drawn.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # effect sizes
    "effect_sizes": "metaevidence.effects",
    "EffectSizes": "metaevidence.effects",
    "MEASURES": "metaevidence.effects",
    "convert": "metaevidence.effects",
    # pooling
    "meta_analysis": "metaevidence.models",
    "meta_analysis_batch": "metaevidence.models",
    "mantel_haenszel": "metaevidence.models",
    "peto": "metaevidence.models",
    "heterogeneity_ci": "metaevidence.models",
    "MetaAnalysis": "metaevidence.results",
    "MetaAnalysisBatch": "metaevidence.results",
    "HeterogeneityCI": "metaevidence.results",
    # sensitivity
    "leave_one_out": "metaevidence.sensitivity",
    "cumulative": "metaevidence.sensitivity",
    "influence": "metaevidence.sensitivity",
    "gosh": "metaevidence.sensitivity",
    "Influence": "metaevidence.sensitivity",
    "Gosh": "metaevidence.sensitivity",
    # heterogeneity models
    "meta_regression": "metaevidence.regression",
    "permutation_test": "metaevidence.regression",
    "MetaRegression": "metaevidence.regression",
    "subgroup_analysis": "metaevidence.subgroups",
    "SubgroupAnalysis": "metaevidence.subgroups",
    # small-study effects
    "egger_test": "metaevidence.bias",
    "rank_test": "metaevidence.bias",
    "peters_test": "metaevidence.bias",
    "trim_and_fill": "metaevidence.bias",
    "fail_safe_n": "metaevidence.bias",
    # evidence base
    "load_evidence": "metaevidence.evidence",
    "EvidenceBase": "metaevidence.evidence",
    # plots
    "forest_table": "metaevidence.plots",
    "forest_plot": "metaevidence.plots",
    "funnel_plot": "metaevidence.plots",
    "baujat_plot": "metaevidence.plots",
    "gosh_plot": "metaevidence.plots",
    "bubble_plot": "metaevidence.plots",
    # errors and warnings
    "MetaevidenceError": "metaevidence.errors",
    "RecordError": "metaevidence.errors",
    "SpecError": "metaevidence.errors",
    "ConvergenceWarning": "metaevidence.errors",
    "SmallSampleWarning": "metaevidence.errors",
    # subpackages
    "datasets": "metaevidence.datasets",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'metaevidence' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if name == module_name.rsplit(".", 1)[-1] and not hasattr(module, name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
