"""The public surface is exactly what __all__ says, and every name resolves."""

import importlib
import subprocess
import sys

import metaevidence as me

EXPECTED = {
    "import_file",
    "import_table",
    "import_revman",
    "read_revman",
    "import_references",
    "DataImportError",
    "to_pymare",
    "from_pymare",
    "read_ledger",
    "prisma_flow",
    "__version__",
    "effect_sizes",
    "EffectSizes",
    "MEASURES",
    "convert",
    "means_from_medians",
    "MeansFromMedians",
    "meta_analysis",
    "meta_analysis_batch",
    "mantel_haenszel",
    "glmm_meta_analysis",
    "peto",
    "heterogeneity_ci",
    "linear_combinations",
    "predict_at",
    "predictive_probability",
    "heteroscedasticity_test",
    "rstandard",
    "rstudent",
    "MetaAnalysis",
    "MetaAnalysisBatch",
    "HeterogeneityCI",
    "leave_one_out",
    "cumulative",
    "influence",
    "gosh",
    "Influence",
    "Gosh",
    "meta_regression",
    "multilevel_meta_analysis",
    "MultilevelMetaAnalysis",
    "robust",
    "RobustInference",
    "rve",
    "RobustVarianceEstimation",
    "multivariate_meta_analysis",
    "MultivariateMetaAnalysis",
    "vcalc",
    "permutation_test",
    "MetaRegression",
    "profile_likelihood_ci",
    "excess_significance",
    "henmi_copas",
    "HenmiCopas",
    "ExcessSignificance",
    "pet_peese",
    "PetPeese",
    "selection_model",
    "SelectionModel",
    "fit_statistics",
    "likelihood_ratio_test",
    "FitStatistics",
    "LikelihoodRatioTest",
    "subgroup_analysis",
    "SubgroupAnalysis",
    "simulate",
    "Simulation",
    "egger_test",
    "rank_test",
    "peters_test",
    "harbord_test",
    "trim_and_fill",
    "fail_safe_n",
    "mantel_haenszel_rates",
    "trial_sequential_analysis",
    "required_information_size",
    "SequentialAnalysis",
    "InformationSize",
    "sequential_plot",
    "traffic_light_plot",
    "rob_summary_plot",
    "sof_table_plot",
    "load_evidence",
    "EvidenceBase",
    "forest_table",
    "forest_plot",
    "funnel_plot",
    "baujat_plot",
    "gosh_plot",
    "bubble_plot",
    "labbe_plot",
    "labbe_data",
    "radial_plot",
    "radial_data",
    "qq_plot",
    "qq_data",
    "profile_plot",
    "profile_data",
    "drapery_plot",
    "drapery_data",
    "MetaevidenceError",
    "RecordError",
    "SpecError",
    "ConvergenceWarning",
    "SmallSampleWarning",
    "LargeEffectWarning",
    "datasets",
}


def test_all_is_exactly_the_public_api():
    assert set(me.__all__) == EXPECTED
    assert len(me.__all__) == len(EXPECTED)


def test_every_public_name_resolves():
    for name in me.__all__:
        assert getattr(me, name) is not None, name


def test_unknown_attribute_is_an_attribute_error():
    try:
        me.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_import_is_light():
    """Importing the package must not pull in pandas or matplotlib."""
    code = "import sys, metaevidence; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_core_imports_only_numpy_scipy_and_stdlib():
    import ast
    import pathlib

    core = pathlib.Path(importlib.import_module("metaevidence.core").__file__).parent
    allowed = {"numpy", "scipy", "metaevidence", "__future__"}
    stdlib = set(sys.stdlib_module_names)
    for path in core.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                assert root in allowed or root in stdlib, f"{path.name} imports {root}"
            if isinstance(node, ast.ImportFrom) and node.level == 0 and roots == ["metaevidence"]:
                # within the package: the core and the (stdlib-only) error classes
                assert node.module.startswith(("metaevidence.core", "metaevidence.errors")), (
                    f"{path.name} imports {node.module}"
                )
