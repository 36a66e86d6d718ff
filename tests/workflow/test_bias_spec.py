"""Analysis specs' ``bias:`` / ``bias_options:``: parsing, file:line errors, the results
document and the report section (the 13 BCG trials of tests/workflow/conftest.py).

The numbers themselves are checked against metafor by the stats tests; here each method's
entry must equal the public verb called on the same fit."""

from __future__ import annotations

import numpy as np
import pytest

import metaevidence as me
from metaevidence.errors import SpecError
from metaevidence.evidence import load_evidence
from metaevidence.workflow.compute import compute
from metaevidence.workflow.report import render_report
from metaevidence.workflow.spec import read_spec

from .conftest import make_bcg_review, spec, write_yaml

ALL = [
    "egger",
    "peters",
    "harbord",
    "rank_test",
    "trim_and_fill",
    "selection_model",
    "pet_peese",
    "tes",
    "henmi_copas",
    "fail_safe_n",
]


@pytest.fixture(scope="module")
def bcg(tmp_path_factory):
    root = make_bcg_review(tmp_path_factory.mktemp("bcg"))
    return load_evidence(root / "studies")


def _write(tmp_path, **extra):
    s = spec("bcg", **{"studies": {"outcome": "tuberculosis"}, **extra})
    return write_yaml(tmp_path / "analyses" / "bcg.yaml", s)


def _report(doc):
    return render_report({**doc, "figures": [], "software": {"python": "3", "metaevidence": "0"}})


def _spec(tmp_path, **extra):
    return read_spec(_write(tmp_path, **extra))[0]


def _selection_from_spec(tmp_path, bcg, options, **verb):
    """The spec's selection-model result, the report, and the verb on the pooled studies."""
    c = compute(_spec(tmp_path, bias=["selection_model"], bias_options={"selection_model": options}), bcg)
    inc = np.asarray(c.fit.included, bool)
    sm = me.selection_model(np.asarray(c.fit.yi)[inc], np.asarray(c.fit.vi)[inc], **verb)
    return c.document["bias"]["results"]["selection_model"], _report(c.document), sm


def test_every_method_reports_what_the_verb_computes(tmp_path, bcg):
    opts = {"selection_model": {"type": "stepfun", "steps": [0.025, 0.5], "alternative": "less"}}
    c = compute(_spec(tmp_path, bias=ALL, bias_options=opts), bcg)
    block, fit = c.document["bias"], c.fit
    assert block["k"] == 13 and block["methods"] == ALL and "not_run" not in block
    r = block["results"]
    eg = me.egger_test(fit)
    assert r["egger"]["statistic"] == eg.statistic and r["egger"]["p_value"] == eg.p_value
    assert r["rank_test"]["tau"] == me.rank_test(fit).tau
    # the count-based tests read the pooled entries' 2x2 tables
    assert r["peters"]["statistic"] == me.peters_test(fit).statistic
    assert r["harbord"]["statistic"] == me.harbord_test(fit).statistic and r["harbord"]["df"] == 11
    tf = me.trim_and_fill(fit)
    assert r["trim_and_fill"]["k0"] == tf.k0 and r["trim_and_fill"]["estimate"] == tf.result.estimate
    inc = np.asarray(fit.included, bool)
    sm = me.selection_model(
        np.asarray(fit.yi)[inc],
        np.asarray(fit.vi)[inc],
        type="stepfun",
        steps=[0.025, 0.5],
        alternative="less",
    )
    assert r["selection_model"]["estimate"] == sm.estimate
    assert r["selection_model"]["steps"] == [0.025, 0.5, 1.0]
    assert r["selection_model"]["lrt_df"] == 2
    pp = me.pet_peese(fit)
    assert r["pet_peese"]["chosen"] == pp.chosen and r["pet_peese"]["estimate"] == pp.estimate
    assert r["tes"]["observed"] == me.excess_significance(fit).observed
    hc = me.henmi_copas(fit)
    assert (r["henmi_copas"]["ci_lower"], r["henmi_copas"]["ci_upper"]) == (hc.ci_lower, hc.ci_upper)
    assert r["henmi_copas"]["critical_value"] == hc.critical_value and r["henmi_copas"]["tau2"] == hc.tau2
    fsn = me.fail_safe_n(fit)  # a fitted model: the general method with its own model
    assert r["fail_safe_n"]["n"] == fsn.n and r["fail_safe_n"]["type"] == "General"
    assert r["fail_safe_n"]["p_value_fsn"] == fsn.p_value_fsn and r["fail_safe_n"]["method"] == fit.method
    assert block["options"]["pet_peese"] == {"model": "lm", "alpha": 0.05, "alternative": "two.sided"}
    assert c.document["settings"]["bias"]["methods"] == ALL
    text = _report(c.document)
    assert "### Small-study effects and publication bias" in text
    assert "- Selection model: stepfun (less, steps 0.025, 0.5, 1)" in text
    assert f"- PET-PEESE: {pp.chosen} estimate" in text
    assert f"critical value {hc.critical_value:.3f} allowing for the uncertainty in tau^2" in text
    assert "- Henmi-Copas interval: fixed-effect estimate" in text
    assert (
        f"- Fail-safe N: {fsn.n} null studies would make it non-significant at 0.05 (General method" in text
    )
    assert f"- Harbord's modified test: t(11) = {me.harbord_test(fit).statistic:.2f}" in text


def test_fixed_selection_weights_from_a_spec(tmp_path, bcg):
    # Vevea & Woods (2005) moderate one-tailed selection: every weight fixed
    steps = [0.005, 0.01, 0.05, 0.10, 0.25, 0.35, 0.50, 0.65, 0.75, 0.90, 0.95, 0.99, 0.995, 1]
    delta = [1, 0.99, 0.95, 0.90, 0.80, 0.75, 0.65, 0.60, 0.55, 0.50, 0.50, 0.50, 0.50, 0.50]
    opts = {"selection_model": {"steps": steps, "delta": delta, "alternative": "less"}}
    c = compute(_spec(tmp_path, bias=["selection_model"], bias_options=opts), bcg)
    r, fit = c.document["bias"]["results"]["selection_model"], c.fit
    inc = np.asarray(fit.included, bool)
    sm = me.selection_model(
        np.asarray(fit.yi)[inc],
        np.asarray(fit.vi)[inc],
        type="stepfun",
        steps=steps,
        delta=delta,
        alternative="less",
    )
    assert r["estimate"] == sm.estimate and r["lrt_df"] == 0 and r["lrt_p_value"] is None
    assert r["delta"] == delta
    text = _report(c.document)
    assert "delta fixed at 1, 0.99, 0.95" in text and "(every weight fixed: no test)" in text
    # partly fixed: 'estimate' marks the free ones
    opts = {"selection_model": {"steps": [0.025, 0.5], "delta": [1, "estimate", 0.5], "alternative": "less"}}
    r = compute(_spec(tmp_path, bias=["selection_model"], bias_options=opts), bcg).document["bias"]["results"]
    assert r["selection_model"].get("lrt_df") == 1, r["selection_model"]
    assert r["selection_model"]["delta"][2] == 0.5


def test_selection_by_precision_from_a_spec(tmp_path, bcg):
    # Preston et al. (2004): delta scaled by each study's 1/n (n from the 2x2 counts)
    opts = {"selection_model": {"type": "halfnorm", "alternative": "less", "prec": "ninv"}}
    c = compute(_spec(tmp_path, bias=["selection_model"], bias_options=opts), bcg)
    r, fit = c.document["bias"]["results"]["selection_model"], c.fit
    inc = np.asarray(fit.included, bool)
    n = np.add.reduce([np.asarray(fit.effects.data[x], float) for x in ("ai", "bi", "ci", "di")])[inc]
    sm = me.selection_model(
        np.asarray(fit.yi)[inc],
        np.asarray(fit.vi)[inc],
        type="halfnorm",
        alternative="less",
        prec="ninv",
        ni=n,
    )
    assert r["estimate"] == pytest.approx(sm.estimate, rel=1e-12) and r["delta"][0] > 0
    assert "selection also by precision (ninv)" in _report(c.document)


def test_parametric_selection_model_from_a_spec(tmp_path, bcg):
    opts = {"selection_model": {"type": "halfnorm", "alternative": "less"}}
    c = compute(_spec(tmp_path, bias=["selection_model"], bias_options=opts), bcg)
    r = c.document["bias"]["results"]["selection_model"]
    assert r["lrt_df"] == 1 and len(r["delta"]) == 1
    assert c.document["bias"]["options"]["selection_model"]["steps"] is None


def test_truncation_selection_model_from_a_spec(tmp_path, bcg):
    # metafor 5's type="trunc": selection on the estimate, cut-point on the analysis (log) scale
    opts = {"selection_model": {"type": "trunc", "alternative": "less", "cutpoint": -0.5}}
    c = compute(_spec(tmp_path, bias=["selection_model"], bias_options=opts), bcg)
    r, fit = c.document["bias"]["results"]["selection_model"], c.fit
    inc = np.asarray(fit.included, bool)
    sm = me.selection_model(
        np.asarray(fit.yi)[inc], np.asarray(fit.vi)[inc], type="trunc", alternative="less", steps=[-0.5]
    )
    assert r["estimate"] == pytest.approx(sm.estimate, rel=1e-12) and r["steps"] == [-0.5]
    assert "trunc (less, cut-point -0.5)" in _report(c.document)


def test_below_ten_studies_nothing_runs_and_the_report_says_why(tmp_path, bcg):
    ids = ["aronson-1948", "ferguson-1949", "rosenthal-1960", "hart-1977", "frimodt-moller-1973"]
    s = _spec(tmp_path, bias=["egger"], studies={"outcome": "tuberculosis", "ids": ids})
    doc = compute(s, bcg).document
    assert doc["bias"]["not_run"] == "they need at least 10 studies (Cochrane Handbook 13.3.5.4); k = 5"
    assert "results" not in doc["bias"]
    assert "Not run: they need at least 10 studies" in _report(doc)


def test_without_bias_the_document_has_no_block(tmp_path, bcg):
    doc = compute(_spec(tmp_path), bcg).document
    assert "bias" not in doc and "bias" not in doc["settings"]
    assert "Small-study effects" not in _report(doc)


def test_decreasing_step_function_from_a_spec(tmp_path, bcg):
    steps = [0.025, 0.1, 0.5]
    r, report, sm = _selection_from_spec(
        tmp_path,
        bcg,
        {"steps": steps, "alternative": "less", "decreasing": True},
        type="stepfun",
        steps=steps,
        alternative="less",
        decreasing=True,
    )
    assert r["estimate"] == sm.estimate and r["delta"] == sm.delta.tolist()
    assert all(a >= b for a, b in zip(r["delta"], r["delta"][1:]))
    assert "weights non-increasing" in report


def test_negexppow_selection_from_a_spec(tmp_path, bcg):
    r, report, sm = _selection_from_spec(
        tmp_path, bcg, {"type": "negexppow", "alternative": "less"}, type="negexppow", alternative="less"
    )
    assert r["estimate"] == sm.estimate and r["lrt_df"] == 2 and len(r["delta"]) == 2
    assert "- Selection model: negexppow (less)" in report


def test_negexppow_with_a_threshold_from_a_spec(tmp_path, bcg):
    r, report, sm = _selection_from_spec(
        tmp_path,
        bcg,
        {"type": "negexppow", "alternative": "less", "steps": [0.05]},
        type="negexppow",
        alternative="less",
        steps=[0.05],
    )
    assert r["estimate"] == sm.estimate and r["steps"] == [0.05] and r["lrt_df"] == 2
    assert "- Selection model: negexppow (less, w = 1 below the threshold p = 0.05)" in report


def test_truncated_beta_selection_from_a_spec(tmp_path, bcg):
    r, report, sm = _selection_from_spec(
        tmp_path,
        bcg,
        {"type": "beta", "alternative": "less", "steps": [0.025, 0.975]},
        type="beta",
        alternative="less",
        steps=[0.025, 0.975],
    )
    assert r["estimate"] == sm.estimate and r["steps"] == [0.025, 0.975] and r["lrt_df"] == 2
    assert "- Selection model: beta (less, truncated at p = 0.025 and 0.975)" in report


def test_truncest_selection_from_a_spec(tmp_path, bcg):
    r, report, sm = _selection_from_spec(
        tmp_path, bcg, {"type": "truncest", "alternative": "less"}, type="truncest", alternative="less"
    )
    assert r["estimate"] == sm.estimate and r["delta"] == sm.delta.tolist() and r["lrt_df"] == 1
    assert f"- Selection model: truncest (less, estimated cut-point {sm.delta[1]:.4g})" in report


def test_fail_safe_n_options_from_a_spec(tmp_path, bcg):
    opts = {"fail_safe_n": {"target": -0.2}}
    c = compute(_spec(tmp_path, bias=["fail_safe_n"], bias_options=opts), bcg)
    r, fit = c.document["bias"]["results"]["fail_safe_n"], c.fit
    f = me.fail_safe_n(fit, target=-0.2)
    assert r["n"] == f.n and r["target"] == -0.2 and abs(r["estimate_fsn"]) <= 0.2
    assert f"null studies would bring the pooled estimate to {0.82:.2f}" in _report(c.document)
    opts = {"fail_safe_n": {"type": "Rosenberg", "alpha": 0.01}}
    r = compute(_spec(tmp_path, bias=["fail_safe_n"], bias_options=opts), bcg).document["bias"]["results"]
    inc = np.asarray(fit.included, bool)
    ros = me.fail_safe_n(np.asarray(fit.yi)[inc], np.asarray(fit.vi)[inc], type="Rosenberg", alpha=0.01)
    assert r["fail_safe_n"] == {"n": ros.n, "type": "Rosenberg", "p_value": ros.p_value}
    # a target the null studies cannot reach is recorded as the reason, not a crash
    opts = {"fail_safe_n": {"target": 0.3}}
    r = compute(_spec(tmp_path, bias=["fail_safe_n"], bias_options=opts), bcg).document["bias"]["results"]
    assert "same side of zero" in r["fail_safe_n"]["error"]


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"bias": ["egger", "hc"]}, r"bcg\.yaml:\d+: bias\[1\].*one of: egger, peters, harbord, rank_test"),
        (
            {"bias": ["egger"], "bias_options": {"pet_peese": {"model": "lm"}}},
            r"bcg\.yaml:\d+: bias_options\.pet_peese gives options for pet_peese, which is not listed",
        ),
        (
            {"bias": ["selection_model"], "bias_options": {"selection_model": {"steps": [0.5, 0.025]}}},
            r"bcg\.yaml:\d+: bias_options\.selection_model\.steps must be distinct and increasing",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "beta", "steps": [0.1]}},
            },
            r"bias_options\.selection_model\.steps type beta takes two truncation points, increasing and "
            r"in \(0, 1\) \(or none\); got \[0\.1\]",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "negexp", "steps": [0.1, 0.2]}},
            },
            r"type negexp takes at most one threshold",
        ),
        (
            {"bias": ["selection_model"], "bias_options": {"selection_model": {"type": "probit"}}},
            r"bias_options\.selection_model\.type.*stepfun, beta, halfnorm",
        ),
        ({"bias": ["egger", "egger"]}, r"bcg\.yaml:\d+: bias lists egger twice"),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"steps": [0.025], "delta": [1]}},
            },
            r"bcg\.yaml:\d+: bias_options\.selection_model\.delta must have one per interval \(2 for steps",
        ),
        (
            {"bias": ["selection_model"], "bias_options": {"selection_model": {"delta": [0.5, "estimate"]}}},
            r"selection_model\.delta starts with 1",
        ),
        (
            {"bias": ["selection_model"], "bias_options": {"selection_model": {"prec": "sei"}}},
            r"bcg\.yaml:\d+: bias_options\.selection_model\.prec applies to types halfnorm, negexp, "
            r"logistic, power and negexppow; got type stepfun",
        ),
        (
            {"bias": ["selection_model"], "bias_options": {"selection_model": {"delta": [1, "fixed"]}}},
            r"selection_model\.delta\[1\]",
        ),
        (
            {"bias": ["selection_model"], "bias_options": {"selection_model": {"cutpoint": 0.1}}},
            r"bias_options\.selection_model\.cutpoint applies to type trunc only; got type stepfun",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "truncest", "steps": [0.1]}},
            },
            r"selection_model\.steps type truncest estimates its cut-point; it takes no steps",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "truncest", "delta": [0.5, 0.1]}},
            },
            r"selection_model\.delta type truncest estimates delta_1 and the cut-point; it takes no delta",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "truncest", "alternative": "two.sided"}},
            },
            r"type truncest selects on one side of its cut-point",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "trunc", "steps": [0.1]}},
            },
            r"selection_model\.steps type trunc takes its cut-point as cutpoint",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "trunc", "alternative": "two.sided"}},
            },
            r"selection_model\.alternative type trunc selects on one side",
        ),
        (
            {"bias": ["fail_safe_n"], "bias_options": {"fail_safe_n": {"type": "Rosenthal", "target": 0.1}}},
            r"bcg\.yaml:\d+: bias_options\.fail_safe_n\.target applies to types General and Orwin",
        ),
        (
            {"bias": ["fail_safe_n"], "bias_options": {"fail_safe_n": {"type": "general"}}},
            r"bias_options\.fail_safe_n\.type.*General, Rosenberg, Orwin, Rosenthal",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "negexppow", "delta": [1]}},
            },
            r"selection_model\.delta must have two for type negexppow; got 1",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "negexppow", "steps": [0.05, 0.1]}},
            },
            r"selection_model\.steps type negexppow takes at most one threshold, a number in \(0, 1\)",
        ),
        (
            {
                "bias": ["selection_model"],
                "bias_options": {"selection_model": {"type": "halfnorm", "decreasing": True}},
            },
            r"selection_model\.decreasing applies to type stepfun only; got type halfnorm",
        ),
        (
            {"bias": ["pet_peese"], "bias_options": {"pet_peese": {"alpha": 2}}},
            r"bias_options\.pet_peese\.alpha",
        ),
    ],
)
def test_bad_bias_settings_name_file_line_and_field(tmp_path, extra, match):
    spec_, problems = read_spec(_write(tmp_path, **extra))
    assert spec_ is None
    with pytest.raises(SpecError, match=match):
        raise SpecError(problems)
