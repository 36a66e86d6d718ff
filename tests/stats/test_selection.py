"""selection_model() against metafor::selmodel() step-function fits (tests/reference/selmodel.json,
metafor 3.8-1). Tolerance SELMODEL_OPTIM: metafor's optim BFGS stops at reltol = 1e-10 on the
log-likelihood, which fixes the parameters only to ~sqrt(1e-10) relative; SEs come from two
different numerical Hessians (numDeriv Richardson vs ours). Observed agreement <= 6e-6."""

from __future__ import annotations

import numpy as np
import pytest

from metaevidence.stats.selection import selection_model
from tests.reference_data import as_array, load_reference
from tests.tolerances import SELMODEL_OPTIM

CASES = {k: c for k, c in load_reference("selmodel")["cases"].items() if c["type"] == "stepfun"}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_matches_metafor_selmodel_stepfun(case_id):
    c = CASES[case_id]
    r = selection_model(
        as_array(c["yi"]),
        as_array(c["vi"]),
        type="stepfun",
        steps=c["steps"],
        alternative=c["alternative"],
        method="EE" if c["method"] == "EE" else "ML",
    )
    assert r.estimate == pytest.approx(c["beta"], rel=SELMODEL_OPTIM)
    assert r.se == pytest.approx(c["se"], rel=SELMODEL_OPTIM)
    assert r.tau2 == pytest.approx(c["tau2"], rel=SELMODEL_OPTIM, abs=1e-7)
    np.testing.assert_allclose(r.delta, as_array(c["delta"]), rtol=SELMODEL_OPTIM)
    np.testing.assert_allclose(r.se_delta[1:], as_array(c["se_delta"])[1:], rtol=SELMODEL_OPTIM)
    assert r.loglik == pytest.approx(c["ll"], rel=1e-9)
    assert r.lrt == pytest.approx(c["LRT"], rel=1e-6, abs=1e-8)
    assert r.lrt_df == c["LRTdf"]


def test_parametric_types_are_refused():
    with pytest.raises(ValueError, match="not implemented yet"):
        selection_model([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], type="beta")
