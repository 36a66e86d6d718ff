"""Small-study effects and publication bias in analysis specs: ``bias:`` and ``bias_options:``.

::

    bias: [egger, peters, harbord, rank_test, trim_and_fill, selection_model, pet_peese, tes,
           henmi_copas, fail_safe_n]
    bias_options:
      selection_model: {type: stepfun, steps: [0.025, 0.5]}
      pet_peese: {model: lm, alpha: 0.05}

Each listed method runs on the main analysis when it has at least ten studies (the Cochrane
Handbook's rule for funnel-plot methods, section 13.3.5.4, as the funnel plot); below that
the document records why it did not run. Results go to ``results/<id>.json`` under ``bias``
(only when the spec lists methods, so other analyses keep their bytes) and to the report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from metaevidence._schema.types import Boolean, Either, Field, ListOf, Number, Record, Text
from metaevidence.core import selection as _selection
from metaevidence.core.bias import FSN_MAX

__all__ = ["BIAS", "BIAS_METHODS", "BIAS_OPTIONS", "BiasSpec", "parse_bias", "check_bias", "bias_document"]

#: The methods a spec may list under ``bias``.
BIAS_METHODS = (
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
)
#: Fewest studies the methods run with (as the funnel plot).
MIN_STUDIES = 10
_SEL_TYPES = _selection.TYPES
_ALTS = ("greater", "less", "two.sided")
_PROB = Number(minimum=0, maximum=1, exclusive_minimum=True)

BIAS = ListOf(Text(choices=BIAS_METHODS))

BIAS_OPTIONS = Record(
    "bias_options",
    "Options of the methods listed under bias (each optional; a method must be listed to take options).",
    (
        Field(
            "egger",
            Record(
                "egger_options",
                "Options of Egger's regression test (metafor regtest).",
                (
                    Field(
                        "predictor",
                        Text(choices=("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")),
                        required=False,
                        doc="predictor (default sei)",
                    ),
                    Field("model", Text(choices=("rma", "lm")), required=False, doc="rma (default) or lm"),
                ),
            ),
            required=False,
            doc="Egger's test options",
        ),
        Field(
            "trim_and_fill",
            Record(
                "trim_and_fill_options",
                "Options of trim and fill (metafor trimfill).",
                (
                    Field("estimator", Text(choices=("L0", "R0")), required=False, doc="L0 (default) or R0"),
                    Field("side", Text(choices=("left", "right")), required=False, doc="default: estimated"),
                ),
            ),
            required=False,
            doc="trim-and-fill options",
        ),
        Field(
            "selection_model",
            Record(
                "selection_model_options",
                "Options of the selection model (metafor selmodel).",
                (
                    Field(
                        "type",
                        Text(choices=_SEL_TYPES),
                        required=False,
                        doc="selection function (default stepfun); negexppow is exp(-d1 p^(1/d2)) (metafor 5); "
                        "trunc selects on the estimate "
                        "itself, on one side of a cut-point (metafor 5); truncest estimates that cut-point too",
                    ),
                    Field(
                        "cutpoint",
                        Number(),
                        required=False,
                        doc="trunc: the cut-point on the analysis scale (log scale for ratio "
                        "measures; default 0)",
                    ),
                    Field(
                        "steps",
                        ListOf(_PROB),
                        required=False,
                        doc="stepfun: cut-points in (0, 1] (default [0.025]); halfnorm, negexp, "
                        "logistic, power, negexppow: at most one threshold in (0, 1); beta: none, or two "
                        "truncation points in (0, 1) (the truncated beta model of metafor 5)",
                    ),
                    Field(
                        "delta",
                        ListOf(Either((Number(minimum=0, maximum=100), Text(choices=("estimate",))))),
                        required=False,
                        doc="fix selection parameters (metafor's delta=): one per step, or one for a "
                        "one-parameter function (two for beta and negexppow), 'estimate' for those to estimate; "
                        "e.g. the fixed weights of Vevea & Woods (2005) for a sensitivity analysis "
                        "(default: all estimated)",
                    ),
                    Field(
                        "prec",
                        Text(choices=("sei", "vi", "ninv", "sqrtninv")),
                        required=False,
                        doc="halfnorm, negexp, logistic, power, negexppow: selection that also depends on "
                        "precision (Preston et al. 2004; metafor's prec=), by standard error, "
                        "variance, 1/n or 1/sqrt(n) (default: p-values alone)",
                    ),
                    Field(
                        "decreasing",
                        Boolean(),
                        required=False,
                        doc="stepfun: keep the selection weights non-increasing in the p-value "
                        "(metafor's decreasing=TRUE; default false)",
                    ),
                    Field("alternative", Text(choices=_ALTS), required=False, doc="default greater"),
                ),
            ),
            required=False,
            doc="selection-model options",
        ),
        Field(
            "pet_peese",
            Record(
                "pet_peese_options",
                "Options of PET-PEESE (Stanley & Doucouliagos 2014).",
                (
                    Field(
                        "model", Text(choices=("lm", "rma")), required=False, doc="lm (default, WLS) or rma"
                    ),
                    Field("alpha", _PROB, required=False, doc="level of PET's test (default 0.05)"),
                    Field(
                        "alternative",
                        Text(choices=_ALTS),
                        required=False,
                        doc="sidedness of PET's test (default two.sided)",
                    ),
                ),
            ),
            required=False,
            doc="PET-PEESE options",
        ),
        Field(
            "fail_safe_n",
            Record(
                "fail_safe_n_options",
                "Options of the fail-safe N (metafor fsn).",
                (
                    Field(
                        "type",
                        Text(choices=("General", "Rosenberg", "Orwin", "Rosenthal")),
                        required=False,
                        doc="General (default: the analysis's own model refitted with the file "
                        "drawer; Viechtbauer 2024), Rosenberg, Orwin or Rosenthal",
                    ),
                    Field("alpha", _PROB, required=False, doc="significance level to reach (default 0.05)"),
                    Field(
                        "target",
                        Number(),
                        required=False,
                        doc="General and Orwin: the pooled estimate to reach instead, on the analysis "
                        "scale (log scale for ratio measures); Orwin's default is half the average",
                    ),
                ),
            ),
            required=False,
            doc="fail-safe N options",
        ),
    ),
)

_DEFAULT_OPTIONS = {
    "egger": {"predictor": "sei", "model": "rma"},
    "peters": {},
    "harbord": {},
    "rank_test": {},
    "trim_and_fill": {"estimator": "L0", "side": None},
    "selection_model": {
        "type": "stepfun",
        "steps": [0.025],
        "alternative": "greater",
        "delta": None,
        "prec": None,
        "cutpoint": None,
        "decreasing": False,
    },
    "pet_peese": {"model": "lm", "alpha": 0.05, "alternative": "two.sided"},
    "tes": {},
    "henmi_copas": {},
    "fail_safe_n": {"type": "General", "alpha": 0.05, "target": None},
}


@dataclass(frozen=True, slots=True)
class BiasSpec:
    """The methods to run and their options (defaults filled in)."""

    methods: tuple[str, ...]
    options: Any = field(default_factory=lambda: MappingProxyType({}))

    def settings(self) -> dict[str, Any]:
        return {"methods": list(self.methods), "options": {m: dict(self.options[m]) for m in self.methods}}


def parse_bias(plain: dict) -> BiasSpec | None:
    """The validated ``bias``/``bias_options`` of a spec, or None when it lists none."""
    methods = plain.get("bias")
    if not methods:
        return None
    given = plain.get("bias_options", {})
    options = {}
    for m in dict.fromkeys(methods):
        opts = {**_DEFAULT_OPTIONS[m], **given.get(m, {})}
        if m == "selection_model" and opts["type"] != "stepfun" and "steps" not in given.get(m, {}):
            opts["steps"] = None
        if m == "selection_model" and opts["type"] == "trunc":
            opts["steps"] = [0.0 if opts["cutpoint"] is None else float(opts["cutpoint"])]
        options[m] = MappingProxyType(opts)
    return BiasSpec(methods=tuple(options), options=MappingProxyType(options))


def check_bias(checks) -> None:
    """Semantic checks of ``bias``/``bias_options`` (``checks`` is spec_checks' _Checks)."""
    methods = [m for m in checks.plain.list("bias") if isinstance(m, str)]
    for i, m in enumerate(methods):
        if m in methods[:i]:
            checks.report("bias", f"lists {m} twice; list each method once")
            break
    for m in checks.plain.mapping("bias_options"):
        if m in BIAS_METHODS and m not in methods:
            checks.report(
                f"bias_options.{m}", f"gives options for {m}, which is not listed under bias: add it there"
            )
    fsn = checks.plain.mapping("bias_options.fail_safe_n")
    if fsn.get("target") is not None and fsn.get("type", "General") in ("Rosenthal", "Rosenberg"):
        checks.report(
            "bias_options.fail_safe_n.target",
            f"applies to types General and Orwin; type {fsn['type']} reaches a significance level (alpha)",
        )
    sel = checks.plain.mapping("bias_options.selection_model")
    _check_delta(checks, sel)
    kind = sel.get("type", "stepfun")
    if "cutpoint" in sel and kind != "trunc":
        checks.report("bias_options.selection_model.cutpoint", f"applies to type trunc only; got type {kind}")
    if kind == "trunc":
        if "steps" in sel:
            checks.report(
                "bias_options.selection_model.steps",
                "type trunc takes its cut-point as cutpoint (a value on the analysis scale), not steps",
            )
        if sel.get("alternative") == "two.sided":
            checks.report(
                "bias_options.selection_model.alternative",
                "type trunc selects on one side of its cut-point: greater or less, not two.sided",
            )
    if kind == "truncest":
        for key, why in (
            ("steps", "estimates its cut-point; it takes no steps (type trunc takes a given cutpoint)"),
            (
                "delta",
                "estimates delta_1 and the cut-point; it takes no delta (type trunc fixes the cut-point)",
            ),
        ):
            if key in sel:
                checks.report(f"bias_options.selection_model.{key}", f"type truncest {why}")
        if sel.get("alternative") == "two.sided":
            checks.report(
                "bias_options.selection_model.alternative",
                "type truncest selects on one side of its cut-point: greater or less, not two.sided",
            )
    if sel.get("decreasing") and kind != "stepfun":
        checks.report(
            "bias_options.selection_model.decreasing", f"applies to type stepfun only; got type {kind}"
        )
    if sel.get("decreasing") and sel.get("delta") is not None:
        checks.report("bias_options.selection_model.decreasing", "estimates every weight; it takes no delta")
    if sel.get("prec") is not None and kind in ("stepfun", "beta", "trunc"):
        checks.report(
            "bias_options.selection_model.prec",
            f"applies to types halfnorm, negexp, logistic, power and negexppow; got type {sel.get('type', 'stepfun')}",
        )
    steps = sel.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, (int, float)) for s in steps):
        return
    kind = sel.get("type", "stepfun")
    where = "bias_options.selection_model.steps"
    if kind == "stepfun":
        if sorted(set(steps)) != steps:
            checks.report(where, f"must be distinct and increasing; got {steps}")
    elif kind == "beta":
        if len(steps) != 2 or not 0 < steps[0] < steps[1] < 1:
            checks.report(
                where,
                f"type beta takes two truncation points, increasing and in (0, 1) (or none); got {steps}",
            )
    elif kind in ("trunc", "truncest"):
        pass  # reported above: trunc takes cutpoint, truncest estimates it
    elif len(steps) != 1 or steps[0] >= 1:
        checks.report(where, f"type {kind} takes at most one threshold, a number in (0, 1); got {steps}")


def _check_delta(checks, sel) -> None:
    delta = sel.get("delta")
    if not isinstance(delta, list) or sel.get("type") == "truncest":  # truncest: reported in check_bias
        return
    kind, steps = (
        sel.get("type", "stepfun"),
        sel.get("steps", [0.025] if sel.get("type", "stepfun") == "stepfun" else []),
    )
    if not isinstance(steps, list):
        return
    if kind == "stepfun":
        need = len(steps) + (0 if steps and steps[-1] == 1 else 1)
        what = f"one per interval ({need} for steps {steps}, 1 added as the last cut-point)"
    else:
        need = _selection.n_delta(kind, np.empty(0))
        what = f"{'two' if need == 2 else 'one'} for type {kind}"
    where = "bias_options.selection_model.delta"
    if len(delta) != need:
        checks.report(where, f"must have {what}; got {len(delta)}")
    elif kind == "stepfun" and delta[0] not in (1, "estimate"):
        checks.report(where, f"starts with 1 (the step function's reference interval); got {delta[0]!r}")


def _f(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _run(name: str, opts, fit) -> dict[str, Any]:
    import metaevidence as me

    if name == "egger":
        r = me.egger_test(fit, predictor=opts["predictor"], model=opts["model"])
        return {"statistic": _f(r.statistic), "df": _f(r.df), "p_value": _f(r.p_value)}
    if name in ("peters", "harbord"):  # from the 2x2 counts of the pooled entries
        r = (me.peters_test if name == "peters" else me.harbord_test)(fit)
        return {"statistic": _f(r.statistic), "df": _f(r.df), "p_value": _f(r.p_value)}
    if name == "rank_test":
        r = me.rank_test(fit)
        return {"tau": _f(r.tau), "p_value": _f(r.p_value)}
    if name == "trim_and_fill":
        r = me.trim_and_fill(fit, estimator=opts["estimator"], side=opts["side"])
        f = r.result
        return {
            "k0": int(r.k0),
            "side": r.side,
            "estimate": _f(f.estimate),
            "ci_lower": _f(f.ci_lower),
            "ci_upper": _f(f.ci_upper),
        }
    if name == "selection_model":
        inc = np.asarray(fit.included, bool)
        ni = None
        if opts["prec"] in ("ninv", "sqrtninv"):  # the pooled entries' sample sizes
            from metaevidence.stats._inputs import analysis_inputs, sample_sizes

            ni = sample_sizes(analysis_inputs(fit, "selection_model"), None, "selection_model")
        r = me.selection_model(
            np.asarray(fit.yi, float)[inc],
            np.asarray(fit.vi, float)[inc],
            type=opts["type"],
            steps=opts["steps"],
            alternative=opts["alternative"],
            method="EE" if fit.method in ("EE", "FE") else "ML",
            level=fit.level,
            delta=None if opts["delta"] is None else [None if d == "estimate" else d for d in opts["delta"]],
            prec=opts["prec"],
            ni=ni,
            decreasing=bool(opts["decreasing"]),
        )
        return {
            "estimate": _f(r.estimate),
            "se": _f(r.se),
            "ci_lower": _f(r.ci_lower),
            "ci_upper": _f(r.ci_upper),
            "p_value": _f(r.p_value),
            "tau2": _f(r.tau2),
            "delta": [_f(d) for d in r.delta],
            "steps": [float(s) for s in r.steps],
            "lrt": _f(r.lrt),
            "lrt_df": int(r.lrt_df),
            "lrt_p_value": _f(r.lrt_p_value),
        }
    if name == "pet_peese":
        r = me.pet_peese(fit, model=opts["model"], alpha=opts["alpha"], alternative=opts["alternative"])
        return {
            "pet": {
                "estimate": _f(r.pet_estimate),
                "ci": [_f(r.pet_ci_lower), _f(r.pet_ci_upper)],
                "p_value": _f(r.pet_p_value),
            },
            "peese": {"estimate": _f(r.peese_estimate), "ci": [_f(r.peese_ci_lower), _f(r.peese_ci_upper)]},
            "chosen": r.chosen,
            "estimate": _f(r.estimate),
            "ci_lower": _f(r.ci_lower),
            "ci_upper": _f(r.ci_upper),
        }
    if name == "fail_safe_n":
        r = me.fail_safe_n(fit, type=opts["type"], alpha=opts["alpha"], target=opts["target"])
        out = {"n": r.n, "type": r.type, "p_value": _f(r.p_value)}
        if r.type == "General":
            out.update(
                method=r.method,
                test=r.test,
                estimate_fsn=_f(r.estimate_fsn),
                tau2_fsn=_f(r.tau2_fsn),
                p_value_fsn=_f(r.p_value_fsn),
            )
        if r.type in ("Orwin", "General") and math.isfinite(r.target):
            out.update(mean=_f(r.mean), target=_f(r.target))
        return out
    if name == "henmi_copas":
        r = me.henmi_copas(fit)
        return {
            "estimate": _f(r.estimate),
            "se": _f(r.se),
            "ci_lower": _f(r.ci_lower),
            "ci_upper": _f(r.ci_upper),
            "critical_value": _f(r.critical_value),
            "tau2": _f(r.tau2),
        }
    r = me.excess_significance(fit)
    return {"observed": int(r.observed), "expected": _f(r.expected), "p_value": _f(r.p_value)}


def bias_document(bias: BiasSpec | None, fit, notes) -> dict[str, Any] | None:
    """``results/<id>.json``'s ``bias`` block: each listed method's result, or why not run.

    ``notes`` is compute's note collector (its ``catch()`` turns warnings into notes); a
    method that fails on these data records its error message instead of a result.
    """
    if bias is None:
        return None
    out: dict[str, Any] = {**bias.settings(), "min_studies": MIN_STUDIES, "k": int(fit.k)}
    if fit.method in ("MH", "PETO"):
        out["not_run"] = "the methods need inverse-variance pooling (effect sizes and variances)"
        return out
    if fit.k < MIN_STUDIES:
        out["not_run"] = f"they need at least {MIN_STUDIES} studies (Cochrane Handbook 13.3.5.4); k = {fit.k}"
        return out
    results: dict[str, Any] = {}
    for name in bias.methods:
        try:
            with notes.catch():
                results[name] = _run(name, bias.options[name], fit)
        except ValueError as exc:
            results[name] = {"error": str(exc)}
    out["results"] = results
    return out


_TITLES = {
    "egger": "Egger's regression test",
    "peters": "Peters' regression test",
    "harbord": "Harbord's modified test",
    "rank_test": "Begg's rank correlation test",
    "trim_and_fill": "Trim and fill",
    "selection_model": "Selection model",
    "pet_peese": "PET-PEESE",
    "tes": "Test of excess significance",
    "henmi_copas": "Henmi-Copas interval",
    "fail_safe_n": "Fail-safe N",
}


def report_lines(doc: dict) -> list[str]:
    """The report's section on small-study effects (nothing when the spec lists no method)."""
    block = doc.get("bias")
    if not block:
        return []
    from metaevidence.display.text import fmt_ci, fmt_effect, fmt_p

    t = doc["measure"]["transform"]
    out = ["### Small-study effects and publication bias", ""]
    if "not_run" in block:
        return [*out, f"Not run: {block['not_run']}.", ""]
    for name in block["methods"]:
        r, opts = block["results"][name], block["options"][name]
        head = f"- {_TITLES[name]}: "
        if "error" in r:
            out.append(head + f"not computed ({r['error']}).")
        elif name == "egger":
            stat = "z" if r["df"] is None else f"t({r['df']:g})"
            out.append(
                head
                + f"{stat} = {r['statistic']:.2f}, {fmt_p(r['p_value'])} (predictor {opts['predictor']})."
            )
        elif name in ("peters", "harbord"):
            out.append(head + f"t({r['df']:g}) = {r['statistic']:.2f}, {fmt_p(r['p_value'])} (2x2 counts).")
        elif name == "rank_test":
            out.append(head + f"Kendall's tau = {r['tau']:.3f}, {fmt_p(r['p_value'])}.")
        elif name == "trim_and_fill":
            out.append(
                head + f"{r['k0']} studies imputed on the {r['side']}; adjusted estimate "
                f"{fmt_effect(r['estimate'], t)} (CI {fmt_ci(r['ci_lower'], r['ci_upper'], t)})."
            )
        elif name == "selection_model":
            steps = f", steps {', '.join(f'{s:g}' for s in r['steps'])}" if opts["type"] == "stepfun" else ""
            if opts["type"] == "trunc":
                steps = f", cut-point {r['steps'][0]:g}"
            elif opts["type"] == "truncest":
                steps = f", estimated cut-point {r['delta'][1]:.4g}"
            elif opts["type"] == "beta" and r["steps"]:
                steps = f", truncated at p = {r['steps'][0]:g} and {r['steps'][1]:g}"
            elif opts["type"] != "stepfun" and r["steps"]:
                steps = f", w = 1 below the threshold p = {r['steps'][0]:g}"
            if opts["delta"] is not None:
                steps += f", delta fixed at {', '.join(str(d) for d in opts['delta'])}"
            if opts.get("prec"):
                steps += f", selection also by precision ({opts['prec']})"
            if opts.get("decreasing"):
                steps += ", weights non-increasing"
            test = (
                f"test of no selection LRT = {r['lrt']:.2f} on {r['lrt_df']} df, {fmt_p(r['lrt_p_value'])}."
                if r["lrt_df"] > 0
                else f"likelihood ratio against no selection {r['lrt']:.2f} (every weight fixed: no test)."
            )
            out.append(
                head + f"{opts['type']} ({opts['alternative']}{steps}): adjusted estimate "
                f"{fmt_effect(r['estimate'], t)} (CI {fmt_ci(r['ci_lower'], r['ci_upper'], t)}); " + test
            )
        elif name == "pet_peese":
            out.append(
                head + f"{r['chosen']} estimate {fmt_effect(r['estimate'], t)} "
                f"(CI {fmt_ci(r['ci_lower'], r['ci_upper'], t)}); PET's intercept test "
                f"{fmt_p(r['pet']['p_value'])} at alpha {opts['alpha']:g} ({opts['model']})."
            )
        elif name == "fail_safe_n":
            n = f"more than {FSN_MAX:,}" if r["n"] is None else f"{r['n']:,}"
            goal = (
                f"bring the pooled estimate to {fmt_effect(r['target'], t)}"
                if r.get("target") is not None
                else f"make it non-significant at {opts['alpha']:g}"
            )
            model = f": the {r['method']} model refitted with them" if r["type"] == "General" else ""
            out.append(head + f"{n} null studies would {goal} ({r['type']} method{model}).")
        elif name == "henmi_copas":
            out.append(
                head + f"fixed-effect estimate {fmt_effect(r['estimate'], t)} "
                f"(CI {fmt_ci(r['ci_lower'], r['ci_upper'], t)}, critical value "
                f"{r['critical_value']:.3f} allowing for the uncertainty in tau^2)."
            )
        else:
            out.append(
                head + f"{r['observed']} significant studies observed, {r['expected']:.2f} expected; "
                f"{fmt_p(r['p_value'])}."
            )
    return [*out, ""]
