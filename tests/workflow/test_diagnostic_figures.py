"""The diagnostic figures a spec can draw (labbe, radial, qq, tau2-profile, drapery)."""

from __future__ import annotations

import io
import json

import numpy as np

from metaevidence.workflow.commands import run_command
from metaevidence.workflow.run import Paths

from .conftest import make_bcg_review, snapshot, spec

DIAGNOSTIC = ["labbe", "radial", "qq", "tau2-profile", "drapery"]


def _run(root) -> int:
    paths = Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")
    return run_command(paths, (), quiet=True, out=io.StringIO(), err=io.StringIO())


def test_a_spec_draws_the_diagnostic_figures_byte_stably(tmp_path):
    draw = {"draw": ["forest", *DIAGNOSTIC], "formats": ["svg", "png"]}
    root = make_bcg_review(tmp_path, specs=[spec("bcg", studies={"outcome": "tuberculosis"}, figures=draw)])
    assert _run(root) == 0
    figs = snapshot(root / "figures")
    for name in DIAGNOSTIC:
        assert f"bcg/{name}.svg" in figs and f"bcg/{name}.png" in figs
    doc = json.loads((root / "results" / "bcg.json").read_text(encoding="utf-8"))
    svgs = [f["name"] for f in doc["figures"] if f["format"] == "svg"]
    assert svgs[: 1 + len(DIAGNOSTIC)] == ["forest", *DIAGNOSTIC]  # then the risk-of-bias figures
    assert _run(root) == 0
    assert snapshot(root / "figures") == figs


def test_figures_that_do_not_apply_are_skipped_with_a_note(tmp_path):
    draw = {"draw": ["tau2-profile", "qq", "radial"], "formats": ["svg"]}
    root = make_bcg_review(
        tmp_path,
        specs=[spec("bcg", studies={"outcome": "tuberculosis"}, tau2="EE", ci_method="z", figures=draw)],
    )
    assert _run(root) == 0
    figs = snapshot(root / "figures")
    assert "bcg/tau2-profile.svg" not in figs
    assert "bcg/qq.svg" in figs and "bcg/radial.svg" in figs
    text = (root / "results" / "bcg.json").read_text(encoding="utf-8")
    assert "tau^2 profile plot not drawn: a common-effect (EE) fit has no tau^2" in text


def test_the_drawn_points_are_the_fits():
    import metaevidence as me
    from metaevidence.datasets import load_bcg
    from metaevidence.workflow.diagnostic_figures import draw_diagnostic

    d = load_bcg()
    es = me.effect_sizes("OR", ai=d["tpos"], bi=d["tneg"], ci=d["cpos"], di=d["cneg"])
    fit = me.meta_analysis(es)
    fig = draw_diagnostic(fit, "radial")
    (pts,) = [a for a in fig.axes[0].collections if a.get_gid() == "studies"]
    np.testing.assert_allclose(pts.get_offsets()[:, 0], 1 / np.sqrt(fit.vi + fit.tau2), rtol=1e-14)
    assert draw_diagnostic(me.meta_analysis(es, method="EE"), "tau2-profile") is None
