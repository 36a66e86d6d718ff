"""Analyses of nested effects (spec ``model: {nested: [study]}``): a three-level model.

Several outcome entries of one study (timepoints, subgroups, measures) are admitted and
pooled with :func:`metaevidence.multilevel_meta_analysis` (metafor ``rma.mv(yi, vi,
random = ~ 1 | study/effect)``): between-study and within-study variance components, each
with its profile-likelihood CI and multilevel I^2. The spec's ``tau2`` must be REML or ML;
``ci_method: z`` gives Wald z tests, the default ``knha`` and ``adhoc`` give t tests on the
containment df (the number of studies minus 1), the multilevel analogue of a t-based CI.
The report and the forest plot show each study's effects under it
(:func:`metaevidence.plots.clusters.cluster_forest_plot`). Leave-one-out, cumulative and
funnel figures, which assume one effect per study, are not drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from metaevidence.workflow import compute as _c
from metaevidence.workflow.spec import AnalysisSpec

__all__ = ["nested_meta_analysis", "report_lines", "draw_nested"]


def _fit(spec: AnalysisSpec, es, clusters):
    import metaevidence as me

    if spec.tau2 not in ("REML", "ML"):
        raise _c.AnalysisError(
            f"analysis {spec.id!r}: model.nested fits a three-level model by REML or ML; got tau2: {spec.tau2}"
        )
    test = "z" if spec.ci_method == "z" else "t"
    return me.multilevel_meta_analysis(
        es.yi,
        es.vi,
        clusters=["study"],
        data={"study": clusters},
        method=spec.tau2,
        test=test,
        dfs="contain" if test == "t" else "residual",
        level=spec.level,
        labels=es.labels,
        measure=es.measure,
    )


def nested_meta_analysis(spec: AnalysisSpec, chosen, base: dict) -> _c.Computed:
    """Compute a nested-effects analysis; the document has a ``model`` section."""
    notes = _c._Notes()
    excluded, rest = _c._excluded_by_spec(spec, chosen)
    if not rest.studies:
        raise _c.AnalysisError(f"analysis {spec.id!r}: every selected study is excluded by studies.exclude")
    es, ids = _select(spec, rest, notes, excluded)
    with notes.catch():
        try:
            fit = _fit(spec, es, ids)
        except ValueError as exc:
            raise _c.AnalysisError(f"analysis {spec.id!r}: pooling failed: {_c._message(exc)}") from None
    included = [
        {
            "id": sid,
            "cluster": sid,
            "label": es.labels[i],
            "subgroup": es.study_info["subgroup"][i],
            "timepoint": es.study_info["timepoint"][i],
            "source": es.source[i],
            "yi": _c._f(fit.yi[i]),
            "vi": _c._f(fit.vi[i]),
        }
        for i, sid in enumerate(ids)
    ]
    measure = _c._measure(fit.measure)
    doc = dict(base)
    doc.update(
        measure=measure,
        model=_model_document(spec, fit),
        studies={"included": included, "excluded": sorted(excluded, key=lambda r: (r["id"], r["entry"]))},
        pooled=_pooled_document(fit, measure),
        heterogeneity={
            "q": _c._f(fit.qe),
            "q_df": fit.qe_df,
            "q_p_value": _c._f(fit.qe_p_value),
            "i2": _c._f(fit.i2_total),
        },
        notes=notes.items,
    )
    return _c.Computed(spec, doc, fit=fit, notes=tuple(notes.items))


def _select(spec: AnalysisSpec, rest, notes, excluded: list[dict]):
    """Effect sizes of every usable entry (several per study), selected as any analysis's are
    (treat_as, direction and shared controls included); the others join ``excluded``.
    """
    es, ids, _entries = _c._select(spec, rest, notes, excluded, several_per_study=True)
    if len(set(ids)) < 2:
        raise _c.AnalysisError(
            f"analysis {spec.id!r}: a three-level model needs effects from at least 2 studies"
        )
    return es, ids


def _pooled_document(fit, measure: dict) -> dict[str, Any]:
    """The pooled effect, with metafor's prediction interval for rma.mv."""
    pooled = {
        "estimate": _c._f(fit.coefficients[0]),
        "se": _c._f(fit.se[0]),
        "ci_lower": _c._f(fit.ci_lower[0]),
        "ci_upper": _c._f(fit.ci_upper[0]),
        "p_value": _c._f(fit.p_value[0]),
        "df": _c._f(fit.df[0]),
        "k": fit.k,
        "n_clusters": int(fit.n_levels[0]),
        "method": fit.method,
        "test": fit.test,
        "level": float(fit.level),
        "converged": fit.converged,
        "iterations": fit.iterations,
    }
    # prediction interval as metafor's predict.rma.mv: est +/- crit sqrt(se^2 + sum sigma2)
    from scipy import stats

    crit = (
        stats.norm.ppf(0.5 + fit.level / 2)
        if fit.test == "z"
        else stats.t.ppf(0.5 + fit.level / 2, fit.df[0])
    )
    half = crit * np.sqrt(fit.se[0] ** 2 + np.sum(fit.sigma2))
    pooled["pi_lower"] = _c._f(fit.coefficients[0] - half)
    pooled["pi_upper"] = _c._f(fit.coefficients[0] + half)
    pooled["presentation"] = _c._presentation(pooled, measure["transform"])
    return pooled


def _model_document(spec: AnalysisSpec, fit) -> dict[str, Any]:
    """The variance components, one per level, with profile CIs and multilevel I^2."""
    levels = [
        {
            "level": lv,
            "sigma2": _c._f(s),
            "ci": [_c._f(lo), _c._f(hi)],
            "groups": int(g),
            "i2": _c._f(i2),
        }
        for lv, s, lo, hi, g, i2 in zip(
            fit.levels, fit.sigma2, fit.sigma2_ci_lower, fit.sigma2_ci_upper, fit.n_levels, fit.i2
        )
    ]
    return {"nested": list(spec.nested), "random": f"~ 1 | {fit.levels[-1]}", "levels": levels}


def report_lines(doc: dict) -> list[str]:
    """Markdown of a nested-effects result: the pooled effect, the levels, the clusters."""
    from metaevidence.display.text import fmt, fmt_ci, fmt_effect, fmt_p, level_pct

    p, m, model = doc["pooled"], doc["measure"], doc["model"]
    t = m["transform"]
    lvl = level_pct(p["level"])
    test = "z" if p["test"] == "z" else f"t ({p['df']:g} df, containment)"
    out = [
        "## Result",
        "",
        f"Three-level random-effects model ({p['method']}; random = {model['random']}): "
        f"**{m['effect']} {fmt_effect(p['estimate'], t)}** ({lvl} CI {fmt_ci(p['ci_lower'], p['ci_upper'], t)}; "
        f"{test} test, {fmt_p(p['p_value'])}), from **{p['k']} effects in {p['n_clusters']} studies**. "
        "Effects of one study are not treated as independent: they share a study-level random effect.",
        "",
        "| level | sigma² | profile CI | groups | I² |",
        "|---|---|---|---|---|",
    ]
    for lv in model["levels"]:
        ci = f"[{fmt(lv['ci'][0], 4)}, {fmt(lv['ci'][1], 4)}]" if lv["ci"][0] is not None else "—"
        out.append(f"| {lv['level']} | {fmt(lv['sigma2'], 4)} | {ci} | {lv['groups']} | {fmt(lv['i2'])}% |")
    het = doc["heterogeneity"]
    out += [
        "",
        f"Test for heterogeneity: Q = {fmt(het['q'])}, df = {het['q_df']}, {fmt_p(het['q_p_value'])}; "
        f"total multilevel I² = {fmt(het['i2'])}%.",
        "",
        "## Studies and their effects",
        "",
        "| study | effect | estimate |",
        "|---|---|---|",
    ]
    for r in doc["studies"]["included"]:
        out.append(f"| {r['cluster']} | {r['label']} | {fmt_effect(r['yi'], t)} |")
    out.append("")
    return out


def draw_nested(c: _c.Computed, name: str, options: dict) -> Any | None:
    """The forest plot of a nested analysis, effects grouped under their study; others None."""
    if name != "forest":
        return None
    from metaevidence.plots.clusters import cluster_forest_plot

    return cluster_forest_plot(
        c.fit,
        transform=c.document["measure"]["transform"],
        effect_label=options.get("effect_label"),
        title=options.get("title"),
    )
