"""Computing one analysis: from an :class:`~metaevidence.workflow.spec.AnalysisSpec` and the
evidence base to a results document (the content of ``results/<id>.json``) and the result
objects the figures are drawn from.

Nothing here reads or writes files: :func:`compute` is pure given its inputs, so the run
(:mod:`metaevidence.workflow.run`) can compute everything first and write only when an
analysis succeeded, and ``diff`` can compute without writing at all.

The steps of a meta-analysis:

1. select the outcome entries (:meth:`Selection.apply`), set aside the studies the spec
   excludes, and turn the rest into effect sizes with the evidence bridge
   (:meth:`EvidenceBase.effect_sizes`): entries that cannot give the measure stay as
   excluded rows with the bridge's reason;
2. pool with the spec's settings (:func:`metaevidence.meta_analysis`,
   :func:`~metaevidence.mantel_haenszel` or :func:`~metaevidence.peto`), and for a
   random-effects model the Q-profile intervals of tau^2 and I^2;
3. run the sensitivity analyses (leave-one-out, cumulative, excluding high risk of bias),
   the subgroup analysis, and the comparison with the published reference;
4. record every number at full precision, with the settings, the study hashes and the
   warnings raised on the way.

An overview instead collects the published ``summary`` entries, side by side, unpooled.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from metaevidence.core.options import COMMON_EFFECT_METHODS
from metaevidence.errors import MetaevidenceError
from metaevidence.evidence.bridge import SeveralEntries
from metaevidence.evidence.direction import DirectionConflict
from metaevidence.evidence.multiarm import SharedControl
from metaevidence.stats.results import fields_of
from metaevidence.workflow.assumptions import assumptions, reported_measure
from metaevidence.workflow.diagnostic_figures import diagnostic_notes
from metaevidence.workflow.forest_columns import record_columns
from metaevidence.workflow.spec import AnalysisSpec
from metaevidence.workflow.store import FORMAT

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.evidence.base import EvidenceBase
    from metaevidence.stats.effects import EffectSizes
    from metaevidence.stats.results import MetaAnalysis, MetaAnalysisBatch

__all__ = ["AnalysisError", "Computed", "compute", "considered", "pooled_numbers", "refit_estimate"]

_EXCLUDED = "excluded: "


#: Fewest studies a funnel plot is drawn for (fewer points show no funnel at all).
FUNNEL_MIN_STUDIES = 3


class AnalysisError(MetaevidenceError, ValueError):
    """An analysis that cannot be computed from the evidence (the message says why and what to do).

    ``field`` is the spec field the problem is about (``"subgroups.by"``), when there is one:
    ``metaevidence validate`` reports it at that field's line.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
        #: (record path, line, field) when the problem is in a study record (a direction conflict)
        self.record: tuple | None = None


def _several_entries(spec: AnalysisSpec, exc: SeveralEntries) -> AnalysisError:
    """The bridge's "several usable entries" in the spec's own words."""
    shown = "; ".join(
        ", ".join(p for p in (f"subgroup {s!r}" if s else "", f"timepoint {t!r}" if t else "") if p)
        or "no label"
        for s, t in exc.keys
    )
    field, value = (
        ("timepoint", exc.keys[-1][1]) if any(t for _s, t in exc.keys) else ("subgroup", exc.keys[-1][0])
    )
    return AnalysisError(
        f"analysis {spec.id!r}: study {exc.study!r} has {len(exc.keys)} usable entries for outcome "
        f"{exc.outcome!r} ({shown}); an analysis pools one entry per study: choose one in the spec, "
        f"e.g. where: {{outcomes.{field}: {value!r}}} under studies:",
        field="studies",
    )


@dataclass(frozen=True, slots=True)
class Computed:
    """A computed analysis: its results document and the objects its figures are drawn from.

    ``document`` lacks ``figures`` and ``software`` (added by the run when it writes).
    """

    spec: AnalysisSpec
    document: dict[str, Any]
    fit: MetaAnalysis | None = None
    leave_one_out: MetaAnalysisBatch | None = None
    cumulative: MetaAnalysisBatch | None = None
    subgroups: Any = None
    summaries: MetaAnalysisBatch | None = None
    notes: tuple[str, ...] = field(default=())
    sequential: Any = None
    forest_columns: tuple = ()  # (header, one value per study) of figures.forest.columns


# --------------------------------------------------------------------------- selection


def considered(spec: AnalysisSpec, evidence: EvidenceBase) -> EvidenceBase:
    """The studies (with their entries for the outcome) the spec's selection keeps.

    Their ids and hashes are the analysis's inputs: a change to any of them makes the
    stored result stale.
    """
    if spec.studies.outcome not in evidence.outcome_ids:
        return evidence.select(ids=())
    return spec.studies.apply(evidence)


def _labels(spec: AnalysisSpec, study) -> str:
    return study.label if spec.labels == "citation" else study.id


# --------------------------------------------------------------------------- numbers


def _f(x: Any) -> float | None:
    """A float for the document (None for NaN/inf)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _numbers(res: Any, group: str, i: Any = ()) -> dict[str, Any]:
    """The fields of ``group`` of a fit (or of row ``i`` of a batch) as plain data."""
    out = {}
    for name in fields_of(per="analysis", group=group):
        value = getattr(res, name, None)
        value = np.asarray(value)[i] if i != () and value is not None else value
        out[name] = int(value) if name in ("k", "q_df") else _f(value)
    return out


def pooled_numbers(res: Any, i: Any = ()) -> dict[str, Any]:
    """The pooled-inference numbers of a fit (or row ``i`` of a batch) and its ``k``."""
    return {**_numbers(res, "pooled", i), "k": int(np.asarray(res.k)[i] if i != () else res.k)}


def _heterogeneity(res: Any, i: Any = ()) -> dict[str, Any]:
    """Heterogeneity numbers (tau^2 ... Q, without metafor's internal vt)."""
    out = _numbers(res, "heterogeneity", i)
    out.pop("vt", None)
    return out


def _presentation(p: dict, transform: str | None) -> dict[str, Any]:
    from metaevidence.display.text import present

    return {k: present(p[k], transform) for k in ("estimate", "ci_lower", "ci_upper", "pi_lower", "pi_upper")}


def _measure(name: str) -> dict[str, Any]:
    from metaevidence.stats.effects import MEASURES

    m = MEASURES[name]
    return {"name": name, "effect": m.effect, "description": m.description, "transform": m.transform}


# --------------------------------------------------------------------------- pooling


def _fit(spec: AnalysisSpec, es: EffectSizes) -> MetaAnalysis:
    import metaevidence as me

    z = spec.zero_cells
    if spec.pooling == "mantel-haenszel":
        return me.mantel_haenszel(
            es, measure=spec.measure, level=spec.level, add=z.add, to=z.to, drop00=z.drop00
        )
    if spec.pooling == "peto":
        return me.peto(es, level=spec.level, add=z.add, to=z.to, drop00=z.drop00)
    if spec.pooling == "glmm":
        return me.glmm_meta_analysis(
            es, model=spec.glmm_model, method=spec.tau2, level=spec.level, add=z.add, to=z.to
        )
    return me.meta_analysis(
        es, method=spec.tau2, test=spec.ci_method, level=spec.level, pi_method=spec.prediction_interval_method
    )


def refit_estimate(document: dict, rows: list[dict]) -> float | None:
    """Re-pool ``rows`` (included-study rows of a results document) with the document's
    settings and return the pooled estimate (analysis scale); None when nothing can be pooled.

    Used by ``diff`` to measure how far one study's change moved an analysis.
    """
    import metaevidence as me

    s = document["settings"]
    if not rows:
        return None
    if s["pooling"] in ("mantel-haenszel", "peto", "glmm"):
        cols = {c: [r["data"].get(c) for r in rows] for c in ("ai", "n1i", "ci", "n2i")}
        if any(v is None for vs in cols.values() for v in vs):
            return None
        z = s["zero_cells"]
        if s["pooling"] == "glmm":
            res = me.glmm_meta_analysis(**cols, model=s["glmm_model"], method=s["tau2"], level=s["level"])
        elif s["pooling"] == "peto":
            res = me.peto(**cols, level=s["level"], add=z["add"], to=z["to"], drop00=z["drop00"])
        else:
            res = me.mantel_haenszel(
                **cols, measure=s["measure"], level=s["level"], add=z["add"], to=z["to"], drop00=z["drop00"]
            )
    else:
        yi = np.array([np.nan if r["yi"] is None else r["yi"] for r in rows])
        vi = np.array([np.nan if r["vi"] is None else r["vi"] for r in rows])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = me.meta_analysis(
                yi,
                vi,
                method=s["tau2"],
                test=s["ci_method"],
                level=s["level"],
                pi_method=s["prediction_interval_method"],
            )
    return _f(res.estimate)


# --------------------------------------------------------------------------- the analysis


class _Notes:
    """The analysis's warnings (UserWarning and its subclasses: SmallSampleWarning,
    ConvergenceWarning, ...) raised while computing, as unique texts in order of appearance
    ("SmallSampleWarning: ..."). Other warnings are passed on unchanged.
    """

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        if text not in self.items:
            self.items.append(text)

    @contextlib.contextmanager
    def catch(self) -> Iterator[None]:
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            yield
        for w in log:
            if issubclass(w.category, UserWarning):
                self.add(f"{w.category.__name__}: {w.message}")
            else:  # not about the analysis (e.g. a DeprecationWarning): pass it on
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def compute(spec: AnalysisSpec, evidence: EvidenceBase) -> Computed:
    """Compute one analysis (see the module docstring).

    Raises
    ------
    AnalysisError
        When the selection keeps no study, no study can be pooled, or a study gives more
        than one row; the message names the analysis and says what to change.
    """
    chosen = considered(spec, evidence)
    inputs = {"studies": {s.id: s.sha256 for s in chosen.studies}}
    base = {
        "format": FORMAT,
        "analysis": {"id": spec.id, "title": spec.title, "question": spec.question, "kind": spec.kind},
        "settings": spec.settings(),
        "spec": {"file": spec.path.name, "sha256": spec.sha256},
        "inputs": inputs,
    }
    if not chosen.studies:
        raise AnalysisError(
            f"analysis {spec.id!r}: no study record has an entry for outcome "
            f"{spec.studies.outcome!r} that passes the selection in {spec.path.name}; "
            "check studies.outcome and the filters"
        )
    if spec.is_overview:
        from metaevidence.workflow.overview import overview

        computed = overview(spec, chosen, base)
    elif spec.nested:
        from metaevidence.workflow.nested import nested_meta_analysis

        computed = nested_meta_analysis(spec, chosen, base)
    else:
        computed = _meta_analysis(spec, chosen, base)
    from metaevidence.review.assess import assess

    computed.document.update(
        # small-study tests need a univariate fit; a nested model's certainty shows no such signal
        assess(
            spec.certainty,
            computed.document,
            chosen,
            spec.studies.outcome,
            None if spec.nested else computed.fit,
        )
    )
    from metaevidence.workflow.placeholders import fill_document

    filled = fill_document(computed.document, {s.id: s.record for s in chosen.studies})
    if filled:  # the spec's prose names numbers of the result: {k}, {estimate}, ...
        computed.document["prose"] = filled
        computed.document["analysis"]["title"] = filled.get("title", spec.title)
        sof = computed.document.get("summary_of_findings")
        if sof is not None and sof.get("outcome") == spec.title:  # the SoF row names the analysis
            sof["outcome"] = computed.document["analysis"]["title"]
    return computed


def _excluded_by_spec(spec: AnalysisSpec, chosen: EvidenceBase) -> tuple[list[dict], EvidenceBase]:
    reasons = {e.id: e.reason for e in spec.studies.exclude}
    rows = []
    for s in chosen.studies:
        if s.id in reasons:
            for e in s.outcomes:
                rows.append(
                    {
                        "id": s.id,
                        "label": _labels(spec, s),
                        "entry": e.index,
                        "reason": f"excluded by the analysis: {reasons[s.id]}",
                    }
                )
    return rows, chosen.filter(lambda s: s.id not in reasons)


def _meta_analysis(spec: AnalysisSpec, chosen: EvidenceBase, base: dict) -> Computed:
    """Select, fit and document one meta-analysis (the steps of the module docstring)."""
    notes = _Notes()
    excluded, rest = _excluded_by_spec(spec, chosen)
    if not rest.studies:
        raise AnalysisError(f"analysis {spec.id!r}: every selected study is excluded by studies.exclude")
    es, ids, entry_of = _select(spec, rest, notes, excluded)
    with notes.catch():
        try:
            fit = _fit(spec, es)
        except ValueError as exc:
            raise AnalysisError(f"analysis {spec.id!r}: pooling failed: {_message(exc)}") from None
    included = _study_rows(fit, es, ids, rest, entry_of, excluded)
    pooled, measure, het = _pooled_document(spec, fit, notes)
    extra = _secondary_analyses(spec, fit, es, ids, rest, entry_of, included, notes)
    doc = dict(base)
    doc.update(
        measure=measure,
        studies={"included": included, "excluded": sorted(excluded, key=lambda r: (r["id"], r["entry"]))},
        pooled=pooled,
        heterogeneity=het,
        subgroups=extra["subgroup_doc"],
        sensitivity=extra["sensitivity"],
        reference=_reference(spec, pooled, measure["transform"]),
        notes=notes.items,
    )
    if spec.sequential is not None:
        doc["sequential"] = extra["tsa_doc"]
    if spec.bias is not None:  # only then, so that other analyses keep their bytes
        from metaevidence.workflow.bias import bias_document

        doc["bias"] = bias_document(spec.bias, fit, notes)
    stated = assumptions(spec, included)
    if stated:  # only then, so that other analyses keep their bytes
        doc["assumptions"] = stated
    return Computed(
        spec,
        doc,
        fit=fit,
        leave_one_out=extra["loo"],
        cumulative=extra["cum"],
        subgroups=extra["subgroups"],
        notes=tuple(notes.items),
        sequential=extra["tsa"],
        forest_columns=record_columns(spec, ids, rest, entry_of),
    )


def _excluded_row(sid: str, label: str, entry, reason: str) -> dict:
    return {"id": sid, "label": label, "entry": entry.index, "reason": reason}


def _select(
    spec: AnalysisSpec, rest: EvidenceBase, notes: _Notes, excluded: list[dict], *, several_per_study=False
):
    """Effect sizes of the entries that can be pooled; the others join ``excluded`` with a reason.

    Returns the effect sizes, their study ids and their outcome entries, row for row. With
    ``several_per_study`` (a nested model) every usable entry of a study is kept.
    """
    z = spec.zero_cells
    try:
        with notes.catch():
            es = rest.effect_sizes(
                spec.studies.outcome,
                spec.measure,
                labels=spec.labels,
                convert=spec.convert,
                add=z.add,
                to=z.to,
                drop00=z.drop00,
                correct=spec.rom_correction,
                treat_as=spec.treat_as,
                direction=spec.direction,
                several_per_study=several_per_study,
            )
    except SeveralEntries as exc:
        raise _several_entries(spec, exc) from None
    except DirectionConflict as exc:
        from metaevidence.workflow.assumptions import direction_error

        raise direction_error(spec, exc) from None
    except SharedControl as exc:  # a multi-arm trial's control counted twice
        raise AnalysisError(f"analysis {spec.id!r}: studies selects {exc}", field="studies") from None
    except (ValueError, KeyError) as exc:
        raise AnalysisError(f"analysis {spec.id!r}: {_message(exc)}") from None

    ids = [str(x) for x in es.study_info["study"]]
    # rows come in the order of their study's entries: the n-th row of a key is its n-th entry
    entries: dict[tuple, list] = {}
    for st in rest.studies:
        for e in st.outcomes:
            entries.setdefault((st.id, e.outcome, e.subgroup, e.timepoint), []).append(e)
    seen: dict[tuple, int] = {}
    entry_of = []
    for i, sid in enumerate(ids):
        key = (sid, spec.studies.outcome, es.study_info["subgroup"][i], es.study_info["timepoint"][i])
        n = seen[key] = seen.get(key, -1) + 1
        entry_of.append(entries[key][min(n, len(entries[key]) - 1)])
    usable = []
    for i, sid in enumerate(ids):
        src = es.source[i]
        if src.startswith(_EXCLUDED) or (several_per_study and not np.isfinite(es.yi[i])):
            reason = src.removeprefix(_EXCLUDED) if src.startswith(_EXCLUDED) else "no finite effect size"
            excluded.append(_excluded_row(sid, es.labels[i], entry_of[i], reason))
        elif spec.pooling != "inverse-variance" and entry_of[i].kind != "binary":
            reason = (
                f"{spec.pooling} pooling needs 2x2 counts; this entry gives "
                f"{entry_of[i].kind.replace('_', ' ')} data"
            )
            excluded.append(_excluded_row(sid, es.labels[i], entry_of[i], reason))
        else:
            usable.append(i)
    if not usable:
        raise AnalysisError(
            f"analysis {spec.id!r}: none of the {len(ids)} selected entries can give "
            f"{spec.measure}; {excluded[-1]['id']}: {excluded[-1]['reason']}"
        )
    es = es.subset(np.array(usable, dtype=int))
    return es, [ids[i] for i in usable], [entry_of[i] for i in usable]


def _study_rows(fit, es, ids, rest, entry_of, excluded: list[dict]) -> list[dict]:
    """One row per pooled study, at full precision; rows the fit left out join ``excluded``."""
    included = []
    for i, sid in enumerate(ids):
        study = rest[sid]
        row = {
            "id": sid,
            "label": es.labels[i],
            "year": study.year,
            "entry": entry_of[i].index,
            "subgroup": entry_of[i].subgroup,
            "timepoint": entry_of[i].timepoint,
            "source": es.source[i],
            "yi": _f(fit.yi[i]),
            "vi": _f(fit.vi[i]),
            "weight": _f(fit.weights[i]),
            "corrected": bool(es.corrected[i]),
            "data": {k: _f(v[i]) for k, v in sorted(es.data.items())},
            "risk_of_bias": study.risk_of_bias.overall if study.risk_of_bias is not None else None,
        }
        reported = reported_measure(entry_of[i], es.measure)
        if reported is not None:  # only then, so that other rows keep their bytes
            row["reported_measure"] = reported
        if bool(fit.included[i]):
            included.append(row)
        else:
            excluded.append(_excluded_row(sid, es.labels[i], entry_of[i], f"not pooled: {es.source[i]}"))
    return included


def _pooled_document(spec: AnalysisSpec, fit, notes: _Notes) -> tuple[dict, dict, dict]:
    """The pooled estimate, the measure and the heterogeneity blocks of the results document."""
    pooled = pooled_numbers(fit)
    pooled.update(
        method=fit.method,
        test=fit.test,
        level=float(fit.level),
        pi_method=fit.pi_method,
        converged=bool(fit.converged),
        iterations=int(fit.iterations),
    )
    measure = _measure(fit.measure)
    pooled["presentation"] = _presentation(pooled, measure["transform"])
    het = _heterogeneity(fit)
    het["ci"] = None
    if fit.method not in COMMON_EFFECT_METHODS and spec.heterogeneity_ci and fit.k >= 2:
        import metaevidence as me

        with notes.catch():
            hci = me.heterogeneity_ci(fit)
        het["ci"] = {
            "tau2": [_f(x) for x in hci.tau2],
            "tau": [_f(x) for x in hci.tau],
            "i2": [_f(x) for x in hci.i2],
            "h2": [_f(x) for x in hci.h2],
            "level": float(hci.level),
            "method": hci.method,
            "notes": list(hci.notes),
        }
    return pooled, measure, het


def _secondary_analyses(spec, fit, es, ids, rest, entry_of, included, notes: _Notes) -> dict[str, Any]:
    """Sensitivity, sequential and subgroup analyses, each with its result and its document."""
    from metaevidence.workflow import secondary as sens

    out: dict[str, Any] = dict.fromkeys(("loo", "cum", "tsa", "tsa_doc", "subgroups", "subgroup_doc"))
    sensitivity: dict[str, Any] = {"leave_one_out": None, "cumulative": None, "high_risk_of_bias": None}
    out["sensitivity"] = sensitivity
    if spec.sensitivity.leave_one_out:
        if fit.k >= 3:
            with notes.catch():
                out["loo"], sensitivity["leave_one_out"] = sens.leave_one_out_rows(fit, ids)
        else:
            notes.add(f"leave-one-out analysis not run: it needs at least 3 studies (k = {fit.k})")
    if spec.sensitivity.cumulative:
        if fit.k >= 2:
            with notes.catch():
                out["cum"], sensitivity["cumulative"] = sens.cumulative_rows(fit, ids, spec, rest, entry_of)
        else:
            notes.add(f"cumulative meta-analysis not run: it needs at least 2 studies (k = {fit.k})")
    if "funnel" in spec.figures.draw and fit.k < FUNNEL_MIN_STUDIES:
        notes.add(f"funnel plot not drawn: it needs at least {FUNNEL_MIN_STUDIES} studies (k = {fit.k})")
    for why in diagnostic_notes(spec.figures.draw, fit):  # labbe, radial, qq, tau2-profile, drapery
        notes.add(why)
    if spec.sensitivity.exclude_high_risk_of_bias:
        with notes.catch():
            sensitivity["high_risk_of_bias"] = sens.without_high_risk(spec, fit, es, ids, included, _fit)
    if spec.sequential is not None:
        from metaevidence.workflow.sequential import sequential_rows

        try:
            with notes.catch():
                out["tsa"], out["tsa_doc"] = sequential_rows(
                    spec, fit, ids, rest, entry_of, included, _results_file(spec)
                )
        except ValueError as exc:
            raise AnalysisError(f"analysis {spec.id!r}: sequential: {_message(exc)}") from None
    if spec.subgroups is not None:
        with notes.catch():
            out["subgroups"], out["subgroup_doc"] = sens.subgroup_rows(
                spec, es, ids, rest, entry_of, included
            )
    return out


def _results_file(spec: AnalysisSpec):
    """results/<id>.json beside the spec's analyses/ folder (the git history of the looks)."""
    return spec.path.resolve().parent.parent / "results" / f"{spec.id}.json"


def _message(exc: BaseException) -> str:
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return str(text)


def _reference(spec: AnalysisSpec, pooled: dict, transform: str | None) -> dict | None:
    ref = spec.reference
    if ref is None:
        return None
    from metaevidence.display.text import NULL_VALUE, present

    out = {name: getattr(ref, name) for name in ref.__slots__}
    est = present(pooled["estimate"], transform)
    lo, hi = present(pooled["ci_lower"], transform), present(pooled["ci_upper"], transform)
    null = NULL_VALUE[transform]
    comparison: dict[str, Any] = {
        "ratio": est / ref.estimate if transform == "exp" else None,
        "difference": None if transform == "exp" else est - ref.estimate,
        "published_in_ci": bool(lo is not None and lo <= ref.estimate <= hi),
        "intervals_overlap": None,
        "same_conclusion": None,
    }
    if ref.lower is not None and lo is not None:
        comparison["intervals_overlap"] = bool(max(lo, ref.lower) <= min(hi, ref.upper))
        ours = "excludes" if lo > null or hi < null else "includes"
        theirs = "excludes" if ref.lower > null or ref.upper < null else "includes"
        same_side = (est > null) == (ref.estimate > null)
        comparison["same_conclusion"] = bool(ours == theirs and (ours == "includes" or same_side))
    out["comparison"] = comparison
    return out
