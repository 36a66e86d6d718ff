"""pooling: glmm in analysis specs: validation with file:line, and the numbers end to end
(the 13 BCG trials as study records) against metafor::rma.glmm (tests/reference/rma_glmm.json)."""

from __future__ import annotations

import re

import pytest

from metaevidence.workflow.compute import compute, refit_estimate
from metaevidence.workflow.spec import read_spec
from tests.reference_data import assert_close, load_reference
from tests.tolerances import GLMM_AGQ, GLMM_GLM_SE

from .conftest import spec, write_yaml
from .test_compute import bcg  # noqa: F401  (the BCG review fixture)

REF = load_reference("rma_glmm")["cases"]


def _spec(tmp_path, **extra):
    s = spec("bcg", **{"studies": {"outcome": "tuberculosis"}, "pooling": "glmm", **extra})
    return read_spec(write_yaml(tmp_path / "analyses" / "bcg.yaml", s))[0]


def test_glmm_defaults_to_um_fs_ml(tmp_path, bcg):  # noqa: F811
    s = _spec(tmp_path)
    assert (s.glmm_model, s.tau2, s.ci_method, s.zero_cells.drop00) == ("UM.FS", "ML", "z", True)
    doc = compute(s, bcg).document
    ref = REF["bcg-UM.FS-ML"]["polished"]
    assert doc["settings"]["glmm_model"] == "UM.FS" and doc["settings"]["pooling"] == "glmm"
    assert_close(doc["pooled"]["estimate"], ref["estimate"], GLMM_AGQ, what="estimate")
    assert_close(doc["pooled"]["se"], ref["se"], GLMM_AGQ, what="se")
    assert_close(doc["heterogeneity"]["tau2"], ref["tau2"], GLMM_AGQ, what="tau2")
    assert_close(doc["heterogeneity"]["q"], REF["bcg-UM.FS-ML"]["QE_Wld"], 1e-9, what="QE.Wld")
    assert doc["pooled"]["k"] == 13
    est = refit_estimate(doc, doc["studies"]["included"])
    assert_close(est, doc["pooled"]["estimate"], 1e-9, what="refit")


def test_glmm_conditional_equal_effects(tmp_path, bcg):  # noqa: F811
    doc = compute(_spec(tmp_path, glmm_model="CM.AL", tau2="EE"), bcg).document
    ref = REF["bcg-CM.AL-EE"]
    assert_close(doc["pooled"]["estimate"], ref["estimate"], 1e-9, what="estimate")
    assert_close(doc["pooled"]["se"], ref["se"], GLMM_GLM_SE, what="se")
    assert doc["heterogeneity"]["tau2"] == 0.0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"tau2": "REML"}, r"^\d+: tau2: must be ML \(random effects, the default\) or EE .*got 'REML'$"),
        ({"measure": "RR"}, r"^\d+: measure: must be OR when pooling is glmm .*got 'RR'$"),
        ({"glmm_model": "CM.ELL"}, r"^\d+: glmm_model: .*UM\.FS.*CM\.EL.*got 'CM\.ELL'"),
        ({"ci_method": "knha"}, r"^\d+: ci_method: .*GLMM pooling"),
        (
            {"pooling": "inverse-variance", "glmm_model": "UM.RS"},
            r"^\d+: glmm_model: applies only with pooling: glmm; got pooling 'inverse-variance'$",
        ),
    ],
)
def test_bad_glmm_specs(tmp_path, extra, message):
    s = spec("bcg", **{"studies": {"outcome": "tuberculosis"}, "pooling": "glmm", **extra})
    found, problems = read_spec(write_yaml(tmp_path / "analyses" / "bcg.yaml", s))
    shown = [f"{p.line}: {p.field}: {p.message}" for p in problems]
    assert found is None and len(shown) == 1 and re.search(message, shown[0]), shown
