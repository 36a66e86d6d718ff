"""Presentation transforms (metaevidence/_presentation.py) and every place that shows them,
checked against metafor's ``transf =`` (tests/reference/transforms.json, written by
tests/reference/R/transforms.R).

Each fit is first held to metafor on the analysis scale; then the back-transformed numbers
the package shows -- forest_table rows, summary() tables, leave-one-out rows, subgroup rows,
EffectSizes summaries -- are compared with metafor's ``predict(res, transf = ...)``,
``summary(escalc(...), transf = ...)`` and ``leave1out(res, transf = ...)``. The tolerance
is CLOSED_FORM where the whole chain is closed form (per-study intervals; DL and EE fits),
DISTRIBUTION where a t quantile enters (Hartung-Knapp), and ITERATIVE where tau^2 is
iterated (REML): the transforms themselves add nothing (tanh, expit and exp are accurate to
a few ulps in both), which test_the_transforms_are_metafors_to_the_last_digits checks on
metafor's own analysis-scale numbers at CLOSED_FORM.
"""

import math
from functools import cache

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core.effects.measures import RATIO_MEASURES
from metaevidence.display.summary import fmt
from metaevidence.display.transforms import ALLOWED, auto_transform, presentation
from metaevidence.plots import forest_table
from metaevidence.stats.effects import MEASURES
from tests.reference_data import as_array, assert_close, load_reference
from tests.tolerances import (
    CANCELLATION_ABS,
    CLOSED_FORM,
    DISTRIBUTION,
    ITERATIVE,
    TAU2_BOUNDARY_ABS,
    ZERO_ABS,
)

CASES = load_reference("transforms")["cases"]
FITTED = [name for name in CASES if "subgroups" not in CASES[name]]
TRANSFORM = {"ztor": "tanh", "ilogit": "expit", "exp": "exp"}


def tolerance(c) -> float:
    if c["method"] == "REML":
        return ITERATIVE
    return DISTRIBUTION if c["test"] == "knha" else CLOSED_FORM


@cache
def effects(name: str):
    c = CASES[name]
    es = me.effect_sizes(
        c["measure"], **{k: as_array(v) for k, v in c["data"].items()}, labels=list(c["labels"])
    )
    assert_close(es.yi, c["yi"], CLOSED_FORM, atol=CANCELLATION_ABS, what=f"{name}: yi")
    assert_close(es.vi, c["vi"], CLOSED_FORM, what=f"{name}: vi")
    return es


@cache
def fit(name: str):
    """The package's fit of the case, held to metafor's on the analysis scale."""
    c = CASES[name]
    res = me.meta_analysis(effects(name), method=c["method"], test=c["test"])
    tol = tolerance(c)
    for field in ("estimate", "se", "ci_lower", "ci_upper"):
        assert_close(getattr(res, field), c[field], tol, what=f"{name}: {field}")
    assert_close(res.tau2, c["tau2"], tol, atol=ZERO_ABS, what=f"{name}: tau2")
    return res


# --- the helper ------------------------------------------------------------------------


def test_auto_is_the_registrys_own_back_transformation():
    assert auto_transform("OR") == auto_transform("RR") == auto_transform("HR") == "exp"
    assert auto_transform("PLN") == "exp"
    assert auto_transform("ZCOR") == "tanh"
    assert auto_transform("PLO") == "expit"
    assert auto_transform("MPOR") == "exp"  # a matched-pairs ratio
    for measure in ("SMD", "MD", "RD", "COR", "PR", "GEN", "PFT", None):
        assert auto_transform(measure) is None
    # the ratio measures are the registry's comparative "exp" measures and metafor's others
    # (single-group log measures -- PLN, MNLN, CVLN, SDLN, IRLN -- are not comparisons)
    single = ("proportion", "mean", "incidence")
    registry = {m for m, info in MEASURES.items() if info.transform == "exp" and info.family not in single}
    assert RATIO_MEASURES == registry and {"CVR", "VR", "MPOR", "ROMC", "D2ORN"} <= RATIO_MEASURES


def test_presentation_names_labels_and_no_effect_values():
    p = presentation("auto", "ZCOR")
    assert (p.name, p.own, p.label, p.null, p.axis) == ("tanh", True, "r", 0.0, "atanh")
    p = presentation("auto", "PLO")
    assert (p.name, p.own, p.label, p.null, p.axis) == ("expit", True, "proportion", None, "logit")
    p = presentation("exp", "OR")
    assert (p.name, p.own, p.label, p.null, p.axis) == ("exp", True, "OR", 1.0, "log")
    p = presentation("exp", "GEN")  # not GEN's own: labelled with the measure
    assert (p.own, p.label) == (False, "GEN")
    p = presentation("auto", "SMD")
    assert p.identity and p.null == 0.0 and p.axis is None and p.scalar(0.25) == 0.25
    assert presentation(None, "OR").identity


@pytest.mark.parametrize("bad", ["log", "EXP", "ztor", "", 1, ["exp"]])
def test_unknown_transforms_are_refused_with_the_allowed_ones(bad):
    with pytest.raises(
        ValueError,
        match=r"transform must be one of None, 'exp', 'tanh', 'expit', "
        r"'auto'; got " + repr(bad).replace("[", r"\["),
    ):
        presentation(bad, "OR")
    assert None in ALLOWED and "auto" in ALLOWED


def test_scalar_and_array_forms_agree_and_invert():
    x = np.array([-800.0, -30.0, -1.5, 0.0, 0.3, 2.0, 40.0, 800.0])
    for name in ("exp", "tanh", "expit"):
        p = presentation(name)
        arr = p.array(x)
        assert_close([p.scalar(v) for v in x], arr, 1e-15, what=name)
        inner = np.abs(x) <= 2.0
        assert_close(p.link(arr[inner]), x[inner], CLOSED_FORM, atol=ZERO_ABS, what=f"{name} link")
        assert math.isnan(p.scalar(math.nan)) and np.isnan(p.array([math.nan]))[0]
    assert presentation("exp").scalar(800.0) == math.inf  # overflow: inf, not an error
    assert presentation("expit").scalar(-800.0) == 0.0 and presentation("expit").scalar(800.0) == 1.0
    assert presentation("expit").scalar(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)


def test_the_transforms_are_metafors_to_the_last_digits():
    # metafor's analysis-scale numbers through our transforms vs its own transf (CLOSED_FORM)
    for name in FITTED:
        c = CASES[name]
        p = presentation(TRANSFORM[c["transf"]])
        for ours, theirs in (("estimate", "pred"), ("ci_lower", "ci_lb"), ("ci_upper", "ci_ub")):
            assert_close(p.scalar(c[ours]), c[theirs], CLOSED_FORM, what=f"{name}: {theirs}")
        z = 1.959963984540054  # qnorm(0.975)
        yi, sei = as_array(c["yi"]), np.sqrt(as_array(c["vi"]))
        assert_close(p.array(yi), c["study_estimate"], CLOSED_FORM, atol=CANCELLATION_ABS)
        assert_close(p.array(yi - z * sei), c["study_ci_lower"], CLOSED_FORM)
        assert_close(p.array(yi + z * sei), c["study_ci_upper"], CLOSED_FORM)


# --- forest_table and summaries against metafor ------------------------------------------


@pytest.mark.parametrize("name", FITTED)
def test_forest_table_shows_metafors_back_transformed_numbers(name):
    c = CASES[name]
    res = fit(name)
    table = forest_table(res)  # "auto": the measure's own back-transformation
    assert table.attrs["transform"] == TRANSFORM[c["transf"]]
    studies = table[table.kind == "study"]
    assert_close(
        studies.estimate, c["study_estimate"], CLOSED_FORM, atol=CANCELLATION_ABS, what="study estimates"
    )
    assert_close(studies.ci_lower, c["study_ci_lower"], CLOSED_FORM, what="study CI lower")
    assert_close(studies.ci_upper, c["study_ci_upper"], CLOSED_FORM, what="study CI upper")
    pooled = table[table.kind == "pooled"].iloc[0]
    tol = tolerance(c)
    assert_close(
        [pooled.estimate, pooled.ci_lower, pooled.ci_upper],
        [c["pred"], c["ci_lb"], c["ci_ub"]],
        tol,
        what="pooled",
    )
    pi = table[table.kind == "prediction"]
    if c["pi_lb"] is None:  # a common-effect fit: no prediction interval
        assert pi.empty
    else:
        assert_close(
            [pi.pi_lower.item(), pi.pi_upper.item()],
            [c["pi_lb"], c["pi_ub"]],
            tol,
            what="prediction interval",
        )


@pytest.mark.parametrize("name", FITTED)
def test_summary_shows_metafors_predict_with_transf(name):
    c = CASES[name]
    res = fit(name)
    text = str(res.summary(transform="auto"))
    p = presentation("auto", c["measure"])
    assert f"Back-transformed ({p.name}; {p.label} scale):" in text
    expected = [c["pred"], c["ci_lb"], c["ci_ub"]] + ([] if c["pi_lb"] is None else [c["pi_lb"], c["pi_ub"]])
    # the row shown is metafor's row (values agree to ITERATIVE; 4 decimals shown)
    assert any(line.split() == [fmt(v, 4) for v in expected] for line in text.splitlines())
    assert str(res.summary(transform=p.name)) == text
    assert "Back-transformed" not in str(res.summary())  # default: the analysis scale


@pytest.mark.parametrize("name", FITTED)
def test_leave_one_out_rows_are_metafors_leave1out_with_transf(name):
    c = CASES[name]
    l1o = me.leave_one_out(fit(name))
    steps = forest_table(l1o)
    steps = steps[steps.kind == "step"]
    tol = tolerance(c)
    assert_close(steps.estimate, c["l1o_estimate"], tol, what="leave-one-out estimates")
    assert_close(steps.ci_lower, c["l1o_ci_lower"], tol, what="leave-one-out CI lower")
    assert_close(steps.ci_upper, c["l1o_ci_upper"], tol, what="leave-one-out CI upper")
    text = str(l1o.summary(transform="auto")).splitlines()
    first = next(line for line in text if line.startswith("omitting "))
    assert first.split()[-11] == fmt(c["l1o_estimate"][0], 4)
    assert any(f"back-transformed ({TRANSFORM[c['transf']]})" in line for line in text)


def test_subgroup_summary_and_table_show_r_as_metafor():
    c = CASES["molloy2014-ZCOR-REML-design"]
    es = me.effect_sizes(
        "ZCOR",
        **{k: as_array(v) for k, v in c["data"].items()},
        labels=list(c["labels"]),
        study_info={"design": np.array(c["groups"])},
    )
    sub = me.subgroup_analysis(es, "design")
    text = str(sub.summary(transform="auto"))
    assert "Estimates and CIs back-transformed (tanh; r scale); tau^2 on the analysis scale" in text
    table = forest_table(sub)
    pooled = table[(table.kind == "pooled") & table.group.notna()]
    for ref, fitted, row in zip(c["subgroups"], sub.subgroups, pooled.itertuples()):
        assert row.group == ref["group"]
        assert_close(fitted.estimate, ref["estimate"], ITERATIVE, what=f"{row.group}: estimate")
        assert_close(fitted.tau2, ref["tau2"], ITERATIVE, atol=TAU2_BOUNDARY_ABS, what=f"{row.group}: tau2")
        assert_close(
            [row.estimate, row.ci_lower, row.ci_upper],
            [ref["pred"], ref["ci_lb"], ref["ci_ub"]],
            ITERATIVE,
            what=f"{row.group}: r",
        )
        line = next(line for line in text.splitlines() if line.startswith(ref["group"]))
        assert line.split()[2:5] == [fmt(ref[k], 4) for k in ("pred", "ci_lb", "ci_ub")]


def test_effect_sizes_summary_shows_metafors_summary_escalc_with_transf():
    c = CASES["pritz1997-PLO-REML-z"]
    text = str(effects("pritz1997-PLO-REML-z").summary(transform="auto"))
    assert "Estimates and intervals shown as expit(yi)" in text
    first = next(line for line in text.splitlines() if line.startswith(c["labels"][0]))
    assert fmt(c["study_estimate"][0], 4) in first
    assert f"[{fmt(c['study_ci_lower'][0], 4)}, {fmt(c['study_ci_upper'][0], 4)}]" in first
