"""The human-readable report of an analysis (``results/<id>.md``), made from its results document.

:func:`render_report` turns the results document (the dict written as ``results/<id>.json``)
into Markdown: the pooled result in words and numbers, the heterogeneity, the studies in
and out of the synthesis (with the reason for each one left out), subgroups, sensitivity
analyses, the comparison with the published reference result, the figures, and what the
numbers were computed from. It reads nothing but the document, so the same document
always gives the same bytes and ``metaevidence run --check`` can re-render and compare.
:func:`headline` is the one-line version used by the run summary and ``diff``.
"""

from __future__ import annotations

from metaevidence.core.options import COMMON_EFFECT_METHODS, IV_COMMON_METHODS, TABLE_METHODS
from metaevidence.display.text import (
    DASH,
    NULL_VALUE,
    fmt,
    fmt_ci,
    fmt_effect,
    fmt_i2,
    fmt_p,
    fmt_tau2,
    level_pct,
    plural,
    present,
    study_ci,
)
from metaevidence.workflow.bias import report_lines as bias_report
from metaevidence.workflow.sequential import sequential_report

__all__ = ["render_report", "headline", "model_words", "conclusion", "EFFECT_WORDS"]

#: How each measure's effect is named in sentences.
EFFECT_WORDS = {
    "OR": "odds ratio",
    "RR": "risk ratio",
    "RD": "risk difference",
    "HR": "hazard ratio",
    "MD": "mean difference",
    "SMD": "standardised mean difference",
    "SMDH": "standardised mean difference",
    "ROM": "ratio of means",
    "COR": "correlation",
    "ZCOR": "correlation",
    "PETO": "Peto odds ratio",
    "MC": "mean change",
    "SMCC": "standardised mean change",
    "SMCR": "standardised mean change",
    "SMCRH": "standardised mean change",
    "SMCRP": "standardised mean change",
    "SMCRPH": "standardised mean change",
    "ROMC": "ratio of means",
}

_ESTIMATORS = {
    "REML": "restricted maximum likelihood (REML)",
    "DL": "DerSimonian-Laird",
    "ML": "maximum likelihood",
    "PM": "Paule-Mandel",
    "HE": "Hedges",
    "SJ": "Sidik-Jonkman",
    "HS": "Hunter-Schmidt",
    "EB": "empirical Bayes",
}
_TESTS = {
    "knha": "Hartung-Knapp (t) confidence interval",
    "z": "normal (z) confidence interval",
    "adhoc": "Hartung-Knapp confidence interval with the ad hoc correction (never narrower than z)",
}


def _effect_word(doc: dict) -> str:
    return EFFECT_WORDS.get(doc["measure"]["name"], "effect")


def model_words(doc: dict) -> str:
    """The model in words, e.g. "random-effects model, REML tau², Hartung-Knapp CI"."""
    s = doc["settings"]
    if s["pooling"] == "mantel-haenszel":
        return "Mantel-Haenszel common-effect model"
    if s["pooling"] == "peto":
        return "Peto common-effect model"
    if s["tau2"] in IV_COMMON_METHODS:
        return f"common-effect inverse-variance model, {_TESTS[s['ci_method']]}"
    return (
        f"random-effects inverse-variance model, {_ESTIMATORS.get(s['tau2'], s['tau2'])} "
        f"estimator of tau², {_TESTS[s['ci_method']]}"
    )


def conclusion(pooled: dict) -> str:
    """Where the confidence interval lies relative to no effect: "excludes" or "includes"."""
    lo, hi = pooled.get("ci_lower"), pooled.get("ci_upper")
    if lo is None or hi is None:
        return "unknown"
    return "excludes" if lo > 0 or hi < 0 else "includes"


def headline(doc: dict) -> str:
    """One line: "OR 1.45 (95% CI 1.30 to 1.62), k = 20, I² = 45.2%"."""
    if doc["analysis"]["kind"] == "overview":
        n = len(doc["studies"]["included"])
        return f"overview of {plural(n, 'published summary', 'published summaries')}"
    p = doc.get("pooled")
    if p is None:
        return "no result"
    t = doc["measure"]["transform"]
    eff = doc["measure"]["effect"]
    lvl = level_pct(p["level"])
    out = f"{eff} {fmt_effect(p['estimate'], t)} ({lvl} CI {fmt_ci(p['ci_lower'], p['ci_upper'], t)}), k = {p['k']}"
    het = doc.get("heterogeneity")
    if het is not None and het.get("i2") is not None and p["method"] not in TABLE_METHODS and p["k"] > 1:
        out += f", I² = {fmt_i2(het['i2'])}"
    return out


def render_report(doc: dict) -> str:
    """The Markdown report of a results document (see the module docstring)."""
    a = doc["analysis"]
    lines = [f"# {a['title']}", "", f"*{a['question']}*", ""]
    lines += _text_section(doc, "interpretation", "What this evidence can and cannot support")
    if a["kind"] == "overview":
        lines += _overview(doc)
    elif doc.get("model"):
        from metaevidence.workflow.nested import report_lines

        lines += report_lines(doc)
    else:
        lines += _result_in_words(doc)
        lines += _assumptions(doc)
        lines += _studies(doc)
        lines += _subgroups(doc)
        lines += _sensitivity(doc)
        lines += bias_report(doc)
        lines += sequential_report(doc)
        lines += _reference(doc)
    from metaevidence.review.sof import certainty_section

    lines += certainty_section(doc)
    lines += _text_section(doc, "notes", "Notes")
    lines += _figures(doc)
    lines += _provenance(doc)
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- sections


def _text_section(doc: dict, field: str, heading: str) -> list[str]:
    """The spec's free text ``field`` (settings) under ``heading``; nothing when it is not set.

    Paragraphs (separated by a blank line in the spec) are kept; the text is Markdown.
    """
    from metaevidence.workflow.placeholders import prose

    text = (prose(doc, field) or "").strip()
    if not text:
        return []
    return [f"## {heading}", "", text, ""]


def _result_in_words(doc: dict) -> list[str]:
    p, het, m = doc["pooled"], doc["heterogeneity"], doc["measure"]
    t, eff, word = m["transform"], m["effect"], _effect_word(doc)
    lvl = level_pct(p["level"])
    null = fmt(NULL_VALUE[t], 0)
    n_in = len(doc["studies"]["included"])
    common = p["method"] in COMMON_EFFECT_METHODS
    out = ["## Result", ""]
    single = p["k"] == 1
    if single:
        out.append(
            f"One study, so nothing was pooled: its {word} was **{fmt_effect(p['estimate'], t)}** "
            f"({lvl} CI {fmt_ci(p['ci_lower'], p['ci_upper'], t)}; {_test_text(p)}: the study's own "
            "estimate and normal-theory interval, as no model can be fitted to one study)."
        )
    else:
        out.append(
            f"Pooling {plural(p['k'], 'study', 'studies')} ({model_words(doc)}), the {word} was "
            f"**{fmt_effect(p['estimate'], t)}** ({lvl} CI {fmt_ci(p['ci_lower'], p['ci_upper'], t)}; "
            f"{_test_text(p)})."
        )
    if n_in != p["k"]:
        out[-1] += f" {plural(n_in - p['k'], 'study', 'studies')} selected could not be pooled (see below)."
    side = conclusion(p)
    est = present(p["estimate"], t)
    direction = "above" if est is not None and est > NULL_VALUE[t] else "below"
    if side == "excludes":
        out.append(
            f"The {'' if single else 'pooled '}{word} is {direction} {null} (no effect) and its {lvl} "
            f"confidence interval excludes no effect."
        )
    elif side == "includes":
        out.append(
            f"The {lvl} confidence interval includes {null} (no effect): the data are "
            "compatible with no effect."
        )
    out.append("")
    out.append("| | value |")
    out.append("|---|---|")
    out.append(
        f"| {eff} ({lvl} CI) | {fmt_effect(p['estimate'], t)} ({fmt_ci(p['ci_lower'], p['ci_upper'], t)}) |"
    )
    if not common and doc["settings"]["prediction_interval"]:
        out.append(f"| {lvl} prediction interval | {fmt_ci(p['pi_lower'], p['pi_upper'], t)} |")
    out.append(f"| test of overall effect | {_test_text(p)} |")
    out.append(f"| studies (k) | {p['k']} |")
    if single:
        out.append("| heterogeneity | not applicable (one study) |")
    elif common:
        out.append(
            f"| heterogeneity | Q = {fmt(het['q'])}, df = {het['q_df']}, {fmt_p(het['q_p_value'])}; "
            f"I² = {fmt_i2(het['i2'])} |"
        )
    else:
        ci = het.get("ci") or {}
        tau2_ci = f" [{fmt_tau2(ci['tau2'][0])}, {fmt_tau2(ci['tau2'][1])}]" if ci.get("tau2") else ""
        i2_ci = f" [{fmt_i2(ci['i2'][0])}, {fmt_i2(ci['i2'][1])}]" if ci.get("i2") else ""
        out.append(f"| tau² | {fmt_tau2(het['tau2'])}{tau2_ci} |")
        out.append(f"| I² | {fmt_i2(het['i2'])}{i2_ci} |")
        out.append(f"| Q (df), p | {fmt(het['q'])} ({het['q_df']}), {fmt_p(het['q_p_value'])} |")
    out.append("")
    if not common and not single and doc["settings"]["prediction_interval"] and p.get("pi_lower") is not None:
        out.append(
            f"The {lvl} prediction interval, {fmt_ci(p['pi_lower'], p['pi_upper'], t)}, is where the "
            "true effect of a new study like these would be expected to lie."
        )
        out.append("")
    for note in doc.get("notes", ()):
        out.append(f"> Note: {note}")
        out.append("")
    return out


def _assumptions(doc: dict) -> list[str]:
    """What the spec's treat_as and direction did to pooled rows (nothing when they did nothing)."""
    items = doc.get("assumptions") or ()
    if not items:
        return []
    return ["## Measures and direction", "", *(f"- {a}" for a in items), ""]


def _test_text(p: dict) -> str:
    if p.get("df") is not None and p["test"] in ("knha", "adhoc"):
        return f"t = {fmt(p['statistic'])}, df = {fmt(p['df'], 0)}, {fmt_p(p['p_value'])}"
    return f"z = {fmt(p['statistic'])}, {fmt_p(p['p_value'])}"


def _studies(doc: dict) -> list[str]:
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    level = doc["settings"]["level"]
    inc, exc = doc["studies"]["included"], doc["studies"]["excluded"]
    out = [f"## Studies in the synthesis ({len(inc)})", ""]
    if inc:
        out += [f"| study | year | {eff} ({level_pct(level)} CI) | weight | data |", "|---|---|---|---|---|"]
        for r in inc:
            lo, hi = study_ci(r["yi"], r["vi"], level)
            weight = DASH if r["weight"] is None else f"{fmt(r['weight'], 1)}%"
            note = r["source"] + (" (zero-cell correction)" if r.get("corrected") else "")
            if r["yi"] is None:
                note += "; no estimate of its own (it still counts in the pooled counts)"
            out.append(
                f"| {r['label']} | {r['year']} | {fmt_effect(r['yi'], t)} ({fmt_ci(lo, hi, t)}) | "
                f"{weight} | {note} |"
            )
    else:
        out.append("None.")
    out += ["", f"## Studies not in the synthesis ({len(exc)})", ""]
    if exc:
        out += ["| study | reason |", "|---|---|"]
        out += [f"| {r['label']} | {r['reason']} |" for r in exc]
    else:
        out.append("None: every selected study is in the synthesis.")
    out.append("")
    return out


def _subgroups(doc: dict) -> list[str]:
    sg = doc.get("subgroups")
    if sg is None:
        return []
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    lvl = level_pct(doc["settings"]["level"])
    tau = "one tau² common to all subgroups" if sg["common_tau2"] else "its own tau²"
    out = [
        f"## Subgroups by `{sg['by']}`",
        "",
        f"Each subgroup pooled with {tau}.",
        "",
        f"| subgroup | k | {eff} ({lvl} CI) | tau² | I² |",
        "|---|---|---|---|---|",
    ]
    for g in sg["groups"]:
        p, h = g["pooled"], g["heterogeneity"]
        out.append(
            f"| {g['name']} | {p['k']} | {fmt_effect(p['estimate'], t)} ({fmt_ci(p['ci_lower'], p['ci_upper'], t)}) | "
            f"{fmt_tau2(h['tau2'])} | {fmt_i2(h['i2'])} |"
        )
    test = sg["test"]
    out += [
        "",
        f"Test for subgroup differences: Q = {fmt(test['q'])}, df = {test['df']}, {fmt_p(test['p_value'])}.",
        "",
    ]
    return out


def _sensitivity(doc: dict) -> list[str]:
    sens = doc.get("sensitivity") or {}
    t = doc["measure"]["transform"]
    lvl = level_pct(doc["settings"]["level"])
    out: list[str] = []
    loo = sens.get("leave_one_out")
    if loo:
        p = doc["pooled"]
        shift = max(loo, key=lambda r: abs((r["estimate"] or 0.0) - p["estimate"]))
        ests = [r["estimate"] for r in loo if r["estimate"] is not None]
        flips = [r for r in loo if conclusion(r) != conclusion(p)]
        out += [
            "### Leaving out one study at a time",
            "",
            f"Estimates ranged from {fmt_effect(min(ests), t)} to {fmt_effect(max(ests), t)}. "
            f"Leaving out {shift['label']} moved the estimate most, to {fmt_effect(shift['estimate'], t)} "
            f"({lvl} CI {fmt_ci(shift['ci_lower'], shift['ci_upper'], t)}).",
        ]
        if flips:
            out[-1] += (
                " Leaving out "
                + ", ".join(r["label"] for r in flips)
                + " would change whether the confidence interval excludes no effect."
            )
        else:
            out[-1] += " No single study changes whether the confidence interval excludes no effect."
        out += [""] + _batch_table(doc, "omitting", loo) + [""]
    cum = sens.get("cumulative")
    if cum:
        out += (
            [f"### Cumulative meta-analysis (by {cum['order']})", ""]
            + _batch_table(doc, "adding", cum["rows"])
            + [""]
        )
    rob = sens.get("high_risk_of_bias")
    if rob:
        out += ["### Excluding studies at high risk of bias", ""]
        n_in = len(doc["studies"]["included"])
        n_rated = n_in - len(rob["not_assessed"])
        if rob["pooled"] is None:
            out.append(rob["note"])
        else:
            rp = rob["pooled"]
            out.append(
                f"Without {plural(len(rob['excluded']), 'study', 'studies')} at high risk of bias "
                f"({', '.join(rob['excluded']) or 'none'}), the {_effect_word(doc)} was "
                f"{fmt_effect(rp['estimate'], t)} ({lvl} CI {fmt_ci(rp['ci_lower'], rp['ci_upper'], t)}; "
                f"k = {rp['k']})."
            )
        if 0 < n_rated:
            out[-1] += f" {n_rated} of {n_in} studies have a risk-of-bias assessment."
        out.append("")
    if out:
        out = ["## Sensitivity analyses", ""] + out
    return out


def _batch_table(doc: dict, first: str, rows: list[dict]) -> list[str]:
    """A table of refits (leave-one-out, cumulative); tau² only for random-effects models."""
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    lvl = level_pct(doc["settings"]["level"])
    random = doc["pooled"]["method"] not in COMMON_EFFECT_METHODS
    head = f"| {first} | k | {eff} ({lvl} CI) |" + (" tau² |" if random else "") + " I² |"
    out = [head, "|---" * head.count(" |") + "|"]
    for r in rows:
        cells = [
            r["label"],
            str(r["k"]),
            f"{fmt_effect(r['estimate'], t)} ({fmt_ci(r['ci_lower'], r['ci_upper'], t)})",
        ]
        if random:
            cells.append(fmt_tau2(r["tau2"]))
        cells.append(fmt_i2(r["i2"]))
        out.append("| " + " | ".join(cells) + " |")
    return out


def _reference(doc: dict) -> list[str]:
    ref = doc.get("reference")
    if ref is None:
        return []
    t, eff = doc["measure"]["transform"], doc["measure"]["effect"]
    p, het, c = doc["pooled"], doc["heterogeneity"], ref["comparison"]
    lvl = level_pct(p["level"])
    ref_ci = f"{fmt(ref['lower'])} to {fmt(ref['upper'])}" if ref["lower"] is not None else DASH
    out = [
        "## Comparison with the published result",
        "",
        f"| | this analysis | published ({ref['source']}) |",
        "|---|---|---|",
        f"| {eff} | {fmt_effect(p['estimate'], t)} | {fmt(ref['estimate'])} |",
        f"| CI | {fmt_ci(p['ci_lower'], p['ci_upper'], t)} ({lvl}) | {ref_ci}"
        + (f" ({level_pct(ref['level'])})" if ref["level"] is not None else "")
        + " |",
        f"| k | {p['k']} | {DASH if ref['k'] is None else ref['k']} |",
    ]
    if ref["tau2"] is not None:
        out.append(f"| tau² | {fmt_tau2(het['tau2'])} | {fmt_tau2(ref['tau2'])} |")
    if ref["i2"] is not None:
        out.append(f"| I² | {fmt_i2(het['i2'])} | {fmt_i2(ref['i2'])} |")
    out.append("")
    words = []
    if c["published_in_ci"]:
        words.append(f"The published estimate lies inside this analysis's {lvl} confidence interval")
    else:
        words.append(f"The published estimate lies outside this analysis's {lvl} confidence interval")
    if c["intervals_overlap"] is not None:
        words.append(
            "the two intervals overlap" if c["intervals_overlap"] else "the two intervals do not overlap"
        )
    sentence = "; ".join(words) + "."
    if c["same_conclusion"] is not None:
        sentence += (
            " Both intervals agree on whether there is an effect."
            if c["same_conclusion"]
            else " The intervals disagree on whether there is an effect."
        )
    if ref["k"] is not None and ref["k"] != p["k"]:
        sentence += (
            f" The published result pooled {plural(ref['k'], 'study', 'studies')}, this analysis "
            f"{p['k']}: they are different syntheses, and agreement between them is not a replication."
        )
    out += [sentence, ""]
    return out


def _overview(doc: dict) -> list[str]:
    inc, exc = doc["studies"]["included"], doc["studies"]["excluded"]
    out = [
        "## Published summaries",
        "",
        "Shown side by side and never pooled: summaries may share studies.",
        "",
    ]
    if inc:
        out += [
            "| source | result | timepoint | estimate (CI) | k | n | model |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in inc:
            ci = (
                "no interval"
                if r["lower"] is None
                else f"{level_pct(r['level'])} CI {fmt(r['lower'])} to {fmt(r['upper'])}"
            )
            what = r["entry_label"] or r["subgroup"] or r["outcome"]
            if r["subgroup"] and r["entry_label"]:
                what = f"{r['entry_label']}: {r['subgroup']}"
            out.append(
                f"| {r['label']} | {what} | {r.get('timepoint') or DASH} | {r['measure']} {fmt(r['estimate'])} ({ci}) | "
                f"{DASH if r['k'] is None else r['k']} | {DASH if r['n'] is None else r['n']} | {r['model']} |"
            )
    else:
        out.append("None.")
    out.append("")
    if exc:
        out += [f"## Not shown ({len(exc)})", "", "| study | reason |", "|---|---|"]
        out += [f"| {r['label']} | {r['reason']} |" for r in exc]
        out.append("")
    return out


#: The format a report embeds, by preference: PNG first, since pandoc and word processors
#: embed it everywhere (SVG needs a converter for .docx); the other formats are linked after it.
_EMBED_ORDER = ("png", "svg", "pdf")


def _figures(doc: dict) -> list[str]:
    by_name: dict[str, dict[str, str]] = {}
    for f in doc.get("figures", ()):
        by_name.setdefault(f["name"], {})[f["format"]] = f["file"]
    if not by_name:
        return []
    aid = doc["analysis"]["id"]
    out = ["## Figures", ""]
    for name, files in by_name.items():
        formats = sorted(files, key=lambda fmt: _EMBED_ORDER.index(fmt) if fmt in _EMBED_ORDER else 9)
        embed = next((fmt for fmt in formats if fmt != "pdf"), None)
        if embed is not None:
            out += [f"![{name} plot](../figures/{aid}/{files[embed]})", ""]
        others = [fmt for fmt in formats if fmt != embed]
        if others:
            links = ", ".join(f"[{fmt.upper()}](../figures/{aid}/{files[fmt]})" for fmt in others)
            out += [f"The {name} plot as {links}.", ""]
    return out


def _provenance(doc: dict) -> list[str]:
    s = doc["settings"]
    out = [
        "## How this was computed",
        "",
        f"Spec `analyses/{doc['spec']['file']}` (sha256 `{doc['spec']['sha256'][:12]}`); "
        f"{plural(len(doc['inputs']['studies']), 'study record')} considered for outcome "
        f"`{s['studies']['outcome']}`; measure {doc['measure']['name']} ({doc['measure']['description']}).",
        "Every setting, default or not, the full-precision numbers, and the content hash of each study "
        f"record are in `results/{doc['analysis']['id']}.json`.",
        "",
        "Software: " + ", ".join(f"{k} {v}" for k, v in sorted(doc["software"].items())) + ".",
        "",
    ]
    return out
