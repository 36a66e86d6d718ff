"""metaevidence: living systematic reviews and meta-analysis in Python.

Curated study records (``studies/*.yaml``) feed random-effects meta-analysis that
matches R's metafor to the printed digit, with RevMan-style forest plots and reports
that re-run with one command whenever the evidence changes.

>>> import metaevidence as me
>>> es = me.effect_sizes("OR", ai=[4, 6], bi=[119, 300], ci=[11, 29], di=[128, 274])
>>> res = me.meta_analysis(es, method="REML", test="knha")

The package is layered; a layer imports only from the layers below it (a test checks
every import): ``core/`` computes (numpy and scipy only), ``display/`` formats,
``stats/`` is the public face of ``core/`` (verbs and frozen results), ``_schema/`` is
the schema language of the YAML formats, ``evidence/`` reads study records, ``io/``
imports and exports, ``review/`` holds the systematic-review layer, ``plots/`` draws,
``workflow/`` runs analysis specs, ``site/`` publishes the results as a web site and a
Word report, and ``cli.py`` is the command line. A concept keeps
one name across layers (``core/influence.py``, ``stats/influence.py``). The public API is
re-exported here, so no module shadows a public function.

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
    "effect_sizes": "metaevidence.stats.effects",
    "EffectSizes": "metaevidence.stats.effects",
    "MEASURES": "metaevidence.stats.effects",
    "convert": "metaevidence.stats.convert",
    "means_from_medians": "metaevidence.stats.fivenum",
    "MeansFromMedians": "metaevidence.stats.fivenum",
    # pooling
    "meta_analysis": "metaevidence.stats.fit",
    "meta_analysis_batch": "metaevidence.stats.fit",
    "mantel_haenszel": "metaevidence.stats.binary",
    "glmm_meta_analysis": "metaevidence.stats.glmm",
    "peto": "metaevidence.stats.binary",
    "heterogeneity_ci": "metaevidence.stats.profile",
    "linear_combinations": "metaevidence.stats.regression_tools",
    "predict_at": "metaevidence.stats.regression_tools",
    "predictive_probability": "metaevidence.stats.regression_tools",
    "heteroscedasticity_test": "metaevidence.stats.hettest",
    "rstandard": "metaevidence.stats.regression_tools",
    "rstudent": "metaevidence.stats.regression_tools",
    "MetaAnalysis": "metaevidence.stats.results",
    "MetaAnalysisBatch": "metaevidence.stats.results",
    "HeterogeneityCI": "metaevidence.stats.profile",
    # sensitivity
    "leave_one_out": "metaevidence.stats.sensitivity",
    "cumulative": "metaevidence.stats.sensitivity",
    "influence": "metaevidence.stats.influence",
    "gosh": "metaevidence.stats.gosh",
    "Influence": "metaevidence.stats.influence",
    "Gosh": "metaevidence.stats.gosh",
    # heterogeneity models
    "meta_regression": "metaevidence.stats.regression",
    "permutation_test": "metaevidence.stats.permute",
    "MetaRegression": "metaevidence.stats.regression",
    "profile_likelihood_ci": "metaevidence.stats.profile_likelihood",
    "excess_significance": "metaevidence.stats.tes",
    "ExcessSignificance": "metaevidence.stats.tes",
    "selection_model": "metaevidence.stats.selection",
    "SelectionModel": "metaevidence.stats.selection",
    "pet_peese": "metaevidence.stats.pet_peese",
    "PetPeese": "metaevidence.stats.pet_peese",
    "henmi_copas": "metaevidence.stats.henmi_copas",
    "HenmiCopas": "metaevidence.stats.henmi_copas",
    "fit_statistics": "metaevidence.stats.fitstats",
    "likelihood_ratio_test": "metaevidence.stats.fitstats",
    "FitStatistics": "metaevidence.stats.fitstats",
    "LikelihoodRatioTest": "metaevidence.stats.fitstats",
    "subgroup_analysis": "metaevidence.stats.subgroups",
    "SubgroupAnalysis": "metaevidence.stats.subgroups",
    # simulation studies
    "simulate": "metaevidence.stats.simulation",
    "Simulation": "metaevidence.stats.simulation",
    # dependent effect sizes
    "multilevel_meta_analysis": "metaevidence.stats.multilevel",
    "MultilevelMetaAnalysis": "metaevidence.stats.multilevel",
    "robust": "metaevidence.stats.robust",
    "RobustInference": "metaevidence.stats.robust",
    "rve": "metaevidence.stats.robust",
    "RobustVarianceEstimation": "metaevidence.stats.robust",
    "multivariate_meta_analysis": "metaevidence.stats.multivariate",
    "MultivariateMetaAnalysis": "metaevidence.stats.multivariate",
    "vcalc": "metaevidence.stats.multivariate",
    # small-study effects
    "egger_test": "metaevidence.stats.bias",
    "rank_test": "metaevidence.stats.bias",
    "peters_test": "metaevidence.stats.bias",
    "harbord_test": "metaevidence.stats.harbord",
    "trim_and_fill": "metaevidence.stats.bias",
    "fail_safe_n": "metaevidence.stats.failsafe",
    "mantel_haenszel_rates": "metaevidence.stats.binary_rates",
    # sequential monitoring (trial sequential analysis)
    "trial_sequential_analysis": "metaevidence.stats.sequential",
    "required_information_size": "metaevidence.stats.sequential",
    "SequentialAnalysis": "metaevidence.stats.sequential",
    "InformationSize": "metaevidence.stats.sequential",
    # evidence base
    "load_evidence": "metaevidence.evidence",
    "EvidenceBase": "metaevidence.evidence",
    # import / export and the review ledger
    "import_file": "metaevidence.io.commands",
    "import_table": "metaevidence.io.tabular",
    "import_revman": "metaevidence.io.revman_import",
    "read_revman": "metaevidence.io.revman",
    "import_references": "metaevidence.io.references",
    "DataImportError": "metaevidence.io.sheets",
    "to_pymare": "metaevidence.io.pymare",
    "from_pymare": "metaevidence.io.pymare",
    "read_ledger": "metaevidence.review.ledger",
    "prisma_flow": "metaevidence.plots.prisma",
    # plots
    "forest_table": "metaevidence.plots",
    "forest_plot": "metaevidence.plots",
    "funnel_plot": "metaevidence.plots",
    "baujat_plot": "metaevidence.plots",
    "gosh_plot": "metaevidence.plots",
    "bubble_plot": "metaevidence.plots",
    "sequential_plot": "metaevidence.plots",
    "traffic_light_plot": "metaevidence.plots",
    "rob_summary_plot": "metaevidence.plots",
    "sof_table_plot": "metaevidence.plots",
    "labbe_plot": "metaevidence.plots.labbe",
    "labbe_data": "metaevidence.plots.labbe",
    "radial_plot": "metaevidence.plots.radial",
    "radial_data": "metaevidence.plots.radial",
    "qq_plot": "metaevidence.plots.qq",
    "qq_data": "metaevidence.plots.qq",
    "profile_plot": "metaevidence.plots.profile",
    "profile_data": "metaevidence.plots.profile",
    "drapery_plot": "metaevidence.plots.drapery",
    "drapery_data": "metaevidence.plots.drapery",
    # errors and warnings
    "MetaevidenceError": "metaevidence.errors",
    "RecordError": "metaevidence.errors",
    "SpecError": "metaevidence.errors",
    "ConvergenceWarning": "metaevidence.errors",
    "SmallSampleWarning": "metaevidence.errors",
    "LargeEffectWarning": "metaevidence.errors",
    # subpackages
    "datasets": "metaevidence.datasets",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'metaevidence' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = (
        module
        if name == module_name.rsplit(".", 1)[-1] and not hasattr(module, name)
        else getattr(module, name)
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
