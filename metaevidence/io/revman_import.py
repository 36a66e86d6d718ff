"""A RevMan review (:class:`~metaevidence.io.revman.Review`) as study records and analysis specs.

Each RevMan study becomes a record (id from its name and year, ``MRC-1`` 1974 ->
``mrc-1-1974``) with one outcome entry per analysis it is in; each analysis becomes a spec
with RevMan's settings: the measure, the pooling method (``MH`` -> Mantel-Haenszel, ``IV``
-> inverse variance, ``PETO`` -> Peto), the model (fixed effect -> ``tau2: EE``; random
effects -> DerSimonian-Laird, RevMan 5's estimator, with a Wald-type ``z`` interval and no
prediction interval, as RevMan 5 prints), and the result RevMan stored as the spec's
``reference``, so the report compares the two.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

from metaevidence.io.revman import Analysis, Review, StudyRow, read_revman
from metaevidence.io.sheets import DataImportError
from metaevidence.io.tabular import ImportResult
from metaevidence.io.writing import ImportPlan, base_record, slugify, study_id

__all__ = ["plan_review", "import_revman", "outcome_id"]

_POOLING = {"MH": "mantel-haenszel", "IV": "inverse-variance", "PETO": "peto"}
_MEASURE = {"OR": "OR", "RR": "RR", "RD": "RD", "MD": "MD", "SMD": "SMD", "PETO_OR": "OR", "HR": "HR"}


def outcome_id(a: Analysis) -> str:
    """The outcome id of an analysis: its name as a slug, at most 48 characters."""
    slug = slugify(a.name) or f"analysis-{a.comparison}-{a.number}"
    if len(slug) > 48:
        slug = slug[:48].rsplit("-", 1)[0]
    return slug


def _data(a: Analysis, row: StudyRow, where: str) -> tuple[dict | None, str | None]:
    d = row.data
    if a.data_type == "dichotomous":
        e1, n1, e2, n2 = d["events_1"], d["total_1"], d["events_2"], d["total_2"]
        if None in (e1, n1, e2, n2) or not (0 <= e1 <= n1 and 0 <= e2 <= n2 and n1 >= 1 and n2 >= 1):
            return None, f"{where}: events/totals {e1}/{n1} and {e2}/{n2} are not a 2x2 table"
        return {"kind": "binary", "experimental": {"events": e1, "total": n1},
                "control": {"events": e2, "total": n2}}, None  # fmt: skip
    if a.data_type == "continuous":
        arms = []
        for k in ("1", "2"):
            m, s, n = d[f"mean_{k}"], d[f"sd_{k}"], d[f"total_{k}"]
            if m is None or s is None or n is None or s <= 0 or n < 1:
                return None, f"{where}: group {k} needs a mean, an SD > 0 and n >= 1; got {m}, {s}, {n}"
            arms.append({"mean": m, "sd": s, "n": n})
        return {"kind": "continuous", "experimental": arms[0], "control": arms[1]}, None
    measure = _MEASURE.get(a.measure)
    if measure not in ("OR", "RR", "HR"):
        return None, (
            f"{where}: generic inverse-variance data of measure {a.measure} cannot be recorded "
            "(study records keep generic estimates only as log OR, RR or HR)"
        )
    est, se = d.get("estimate"), d.get("se")
    if est is None or se is None or se <= 0:
        return None, f"{where}: generic inverse-variance data need an estimate and an SE > 0; got {est}, {se}"
    if not a.log_data:
        if est <= 0:
            return None, f"{where}: a ratio must be positive; got {est}"
        est = math.log(est)
    return {"kind": "log_se", "measure": measure, "log_estimate": est, "se": se}, None


def plan_review(
    review: Review,
    studies_dir: str | Path,
    analyses_dir: str | Path | None = None,
    *,
    by: str = "metaevidence import",
    date: _dt.date | None = None,
) -> ImportPlan:
    """What importing ``review`` would write (problems in ``plan.problems``)."""
    plan = ImportPlan(Path(studies_dir), None if analyses_dir is None else Path(analyses_dir))
    date = date or _dt.date.today()
    source = f"{review.source} (RevMan review '{review.title}')"
    ids = {key: study_id(name, year) for key, (name, year) in review.studies.items()}
    for key, (name, year) in review.studies.items():
        if year is None:
            plan.problems.append(f"{review.source}: study {name!r} has no year; records need one")
            continue
        record = base_record(ids[key], name, year, design=None, population=None, source=review.source,
                             by=by, date=date)  # fmt: skip
        if key in review.rob:
            _add_rob(record, review.rob[key])
        plan.records[ids[key]] = record
    for a in review.analyses:
        oid = outcome_id(a)
        for row in a.rows:
            sid = ids.get(row.study)
            where = f"{review.source}: analysis {a.code} '{a.name}', study {row.study}"
            if sid not in plan.records:
                plan.problems.append(f"{where}: the study is not in the review's list of studies")
                continue
            data, problem = _data(a, row, where)
            if problem:
                plan.problems.append(problem)
                continue
            entry = {"outcome": oid, "label": a.name}
            if row.subgroup:
                entry["subgroup"] = row.subgroup
            entry["comparison"] = {"experimental": a.label_1, "control": a.label_2}
            entry["timepoint"] = "not reported"
            entry["data"] = data
            entry["provenance"] = {
                "source": source,
                "locator": f"analysis {a.code} ({a.comparison_name}: {a.name}), study {review.studies[row.study][0]}",
                "confidence": "secondary",
                "notes": "read from the RevMan file by metaevidence import; the timepoint is not in the file",
            }
            plan.records[sid]["outcomes"].append(entry)
        if plan.analyses_dir is not None:
            plan.specs[oid] = _spec(a, oid, review)
            _subgroups(plan, plan.specs[oid], a)
    for sid, record in list(plan.records.items()):
        if not record["outcomes"]:
            del plan.records[sid]
            plan.notes.append(f"{sid}: in the review's studies but in no analysis; no record written")
        else:
            record["extraction"]["missing"].append("timepoint of each outcome (not in the RevMan file)")
    return plan


def _add_rob(record: dict, items: list[tuple[str, str, str]]) -> None:
    domains = []
    for name, judgement, support in items:
        d = {"domain": name, "judgement": judgement}
        if support:
            d["support"] = support
        domains.append(d)
    record["risk_of_bias"] = {"tool": "Cochrane risk of bias (RevMan 5)", "domains": domains,
                              "overall": "no-information"}  # fmt: skip
    record["extraction"]["missing"].append(
        "overall risk-of-bias judgement (RevMan 5 stores domain judgements only; recorded as no-information)"
    )


def _subgroups(plan: ImportPlan, spec: dict, a: Analysis) -> None:
    """RevMan's subgroups -> ``subgroups: {by: outcomes.subgroup}`` (the entries carry them).

    A subgroup analysis in metaevidence pools with inverse-variance weights, as RevMan does for
    IV analyses (fixed: the test for subgroup differences is Q - sum of the Q within, which is
    the Q of the subgroup estimates; random: DerSimonian-Laird within each subgroup). RevMan's
    Mantel-Haenszel and Peto subgroup results have no counterpart: the spec pools overall and
    the import says so.
    """
    names = list(dict.fromkeys(r.subgroup for r in a.rows if r.subgroup))
    if len(names) < 2:
        return
    if spec.get("pooling", "inverse-variance") != "inverse-variance":
        plan.notes.append(
            f"analysis {a.code} '{a.name}' has {len(names)} subgroups ({', '.join(names)}), pooled by "
            f"{spec['pooling']} in RevMan; metaevidence subgroup analyses pool with inverse-variance "
            "weights, so the spec pools overall only (the entries carry their subgroup)"
        )
        return
    spec["subgroups"] = {"by": "outcomes.subgroup"}
    if a.random:
        spec["subgroups"]["common_tau2"] = False  # RevMan: a separate tau^2 in each subgroup


def _spec(a: Analysis, oid: str, review: Review) -> dict:
    measure = _MEASURE.get(a.measure, a.measure)
    pooling = "peto" if a.measure == "PETO_OR" else _POOLING.get(a.method.upper(), "inverse-variance")
    if a.data_type != "dichotomous" or a.random:
        # RevMan 5's random-effects model is DerSimonian-Laird with inverse-variance weights
        pooling = "inverse-variance"
    spec = {
        "id": oid,
        "title": f"{a.name} (RevMan analysis {a.code})",
        "question": f"{a.comparison_name}: {a.name} ({a.label_1} versus {a.label_2}), as in {review.source}",
        "studies": {"outcome": oid},
        "measure": measure,
        "pooling": pooling,
        "tau2": "DL" if a.random else "EE",
        "ci_method": "z",
        "prediction_interval": False,
        "heterogeneity_ci": False,
        "labels": "citation",
        "level": a.ci_level,
    }
    if pooling != "inverse-variance":  # common-effect methods: no tau^2, z interval
        for key in ("tau2", "ci_method", "prediction_interval", "heterogeneity_ci"):
            del spec[key]
    if a.data_type == "dichotomous":
        # RevMan adds 0.5 to every cell of a study with a zero cell; studies with no events
        # in either arm are not estimable.
        spec["zero_cells"] = {"add": 0.5, "to": "only0", "drop00": True}
    forest = {"data_columns": "arms" if a.data_type != "iv" else "generic", "sort": "given"}
    spec["figures"] = {"draw": ["forest"], "forest": forest}
    s = a.stored
    if "effect" in s and "ci_start" in s and "ci_end" in s and s["ci_start"] < s["ci_end"]:
        ref = {"source": f"{review.source}, analysis {a.code} (as RevMan stored it)", "estimate": s["effect"],
               "lower": s["ci_start"], "upper": s["ci_end"], "level": a.ci_level, "k": len(a.rows)}  # fmt: skip
        if "tau2" in s and a.random:
            ref["tau2"] = s["tau2"]
        if "i2" in s:
            ref["i2"] = s["i2"]
        spec["reference"] = ref
    return spec


def import_revman(
    path: str | Path,
    studies_dir: str | Path = "studies",
    analyses_dir: str | Path | None = "analyses",
    *,
    partial: bool = False,
    by: str = "metaevidence import",
    date: _dt.date | None = None,
) -> ImportResult:
    """Import a RevMan review (``.rm5``, RevMan CSV or RevMan Web ``.zip``) into records and specs.

    Parameters
    ----------
    path : str or Path
        The RevMan file.
    studies_dir, analyses_dir : str or Path
        Where records and specs are written (``analyses_dir=None``: no specs).
    partial : bool
        Write what can be imported even when some rows cannot (they are listed).
    by, date
        ``extraction.by`` and ``extraction.date`` of the new records.

    Returns
    -------
    ImportResult

    Raises
    ------
    DataImportError
        Listing every problem; nothing is written.
    """
    review = read_revman(path)
    plan = plan_review(review, studies_dir, analyses_dir, by=by, date=date)
    problems = tuple(plan.problems)
    if partial:
        plan.problems = []
    if not plan.records:
        raise DataImportError(list(problems) or [f"{path}: holds no study data"], head="nothing was written")
    written = plan.write()
    return ImportResult(tuple(written), (), problems, tuple(plan.notes))
