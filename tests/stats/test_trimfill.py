"""trim_and_fill against metafor trimfill(): estimator, side, filled studies, final fit."""

import numpy as np
import pytest

import metaevidence as me
from tests.reference_data import assert_close, load_reference
from tests.tolerances import CLOSED_FORM, ITERATIVE

CASES = load_reference("bias")["cases"]
TRIM = {cid: c for cid, c in CASES.items() if c["kind"] == "trimfill"}


@pytest.mark.parametrize(
    "cid",
    sorted(c for c in TRIM if c.count("-") == 3)
    + ["trimfill-bcg-REML-L0-left", "trimfill-hackshaw1998-DL-R0-right"],
)
def test_trim_and_fill_matches_trimfill(cid):
    c = TRIM[cid]
    res = me.meta_analysis(c["yi_obs"], c["vi_obs"], method=c["method"])
    est = "R0" if "-R0" in cid else "L0"
    side = c["side"] if cid.endswith(("left", "right")) else None
    tf = me.trim_and_fill(res, estimator=est, side=side)
    assert tf.k0 == c["k0"] and tf.side == c["side"]  # side chosen as metafor when None
    assert_close(tf.se_k0, c["se_k0"], CLOSED_FORM, what="se.k0")
    k = len(c["yi_obs"])
    tol = ITERATIVE if c["method"] == "REML" else CLOSED_FORM
    assert_close(np.sort(tf.filled_yi), np.sort(c["yi_fill_tight"]), tol, atol=1e-12)
    assert tf.fill.sum() == tf.k0 and tf.yi.size == k + tf.k0
    final = c["tight"]
    assert tf.result.k == final["k"]
    assert_close(tf.result.estimate, final["beta"][0], tol, what="filled estimate")
    assert_close(tf.result.se, final["se"][0], tol, what="filled se")
    assert_close(tf.result.tau2, final["tau2"], tol, atol=1e-9, what="filled tau2")
    assert_close(tf.result.q, final["QE"], tol, what="filled QE")


def test_trim_and_fill_output_and_warning():
    c = TRIM["trimfill-bcg-DL-L0"]
    res = me.meta_analysis(
        c["yi_obs"], c["vi_obs"], method="DL", labels=[f"trial {i + 1}" for i in range(13)]
    )
    tf = me.trim_and_fill(res)
    assert tf.labels[-1].startswith("Filled: trial")
    text = str(tf.summary())
    assert "estimated number of missing studies on the right side: 1" in text
    assert list(tf.to_frame().columns) == ["label", "yi", "vi", "fill"]
    small = me.meta_analysis(c["yi_obs"][:8], c["vi_obs"][:8], method="DL")
    with pytest.warns(me.SmallSampleWarning, match="Trim and fill with only 8 studies"):
        tf = me.trim_and_fill(small)
    assert "Cochrane" in str(tf.summary())
    with pytest.raises(ValueError, match="estimator must be 'L0' or 'R0'; got 'Q0'"):
        me.trim_and_fill(res, estimator="Q0")
    with pytest.raises(ValueError, match="side must be 'left', 'right' or None"):
        me.trim_and_fill(res, side="top")
    fit = me.meta_regression(c["yi_obs"], c["vi_obs"], np.arange(13.0))
    with pytest.raises(ValueError, match="needs an analysis without moderators"):
        me.trim_and_fill(fit)
