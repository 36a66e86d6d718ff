"""``forest_table``: every number a forest plot shows, as a DataFrame.

The table is the single source of truth of :func:`~metaevidence.plots.forest_plot`: the
figure draws its rows in order and formats its numbers, and computes nothing itself.
Tests check the table against the result objects field by field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.display.transforms import Presentation
from metaevidence.plots import labels as lab
from metaevidence.plots.table_rows import COLUMNS, KINDS, _arms, _group_labels, _model, _order, _Table

__all__ = ["COLUMNS", "KINDS", "SORT_KEYS", "ForestTable", "build_forest_table", "forest_table"]

#: Accepted ``sort_by`` values.
SORT_KEYS: tuple[str, ...] = ("given", "year", "effect", "weight")

_ANALYSIS_FIELDS = (
    "estimate",
    "ci_lower",
    "ci_upper",
    "yi",
    "vi",
    "weights",
    "included",
    "labels",
    "measure",
    "method",
    "test",
    "level",
    "k",
)


@dataclass(frozen=True, slots=True)
class ForestTable:
    """Every number a forest plot shows (``rows``) and the facts the figure is labelled by.

    Attributes
    ----------
    rows : pandas.DataFrame
        One row per line of the plot, columns :data:`COLUMNS` (see :func:`forest_table`).
    measure, method, test : str
        The result's measure, pooling method and test.
    level : float
        Confidence level of the intervals.
    presentation : Presentation
        The resolved back-transformation the numbers are shown on.
    arms : {"binary", "continuous"} or None
        The per-arm data the rows carry.
    source : str
        "analysis", "subgroups", "leave-one-out", "cumulative", "batch" or "published".
    group_labels : (str, str) or None
        Names of the experimental and control groups.
    columns : tuple of (str, tuple)
        Extra study columns (``columns=``): each a header and one value per row of ``rows``
        (None on rows that show no study).
    """

    rows: Any
    measure: str
    method: str
    test: str
    level: float
    presentation: Presentation
    arms: str | None
    source: str
    group_labels: tuple[str, str] | None
    columns: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    glmm_model: str | None = None  # GLMM fits (glmm_meta_analysis): "UM.FS", "UM.RS", "CM.AL"

    @property
    def transform(self) -> str | None:
        """The back-transformation's name: None, "exp", "tanh" or "expit"."""
        return self.presentation.name

    def attrs(self) -> dict[str, Any]:
        """The labelling facts as plain data (what ``forest_table(...).attrs`` holds)."""
        return {
            "measure": self.measure,
            "method": self.method,
            "test": self.test,
            "level": self.level,
            "transform": self.transform,
            "exp": self.transform == "exp",
            "arms": self.arms,
            "source": self.source,
            "group_labels": self.group_labels,
            "columns": {header: list(values) for header, values in self.columns},
        }

    def to_frame(self) -> Any:
        """The rows as a new DataFrame, with :meth:`attrs` in ``DataFrame.attrs``."""
        frame = self.rows.copy()
        frame.attrs.update(self.attrs())
        return frame


def _kind_of(result: Any) -> str:
    if all(hasattr(result, f) for f in ("groups", "subgroups", "overall", "group_of")):
        return "subgroups"
    if all(hasattr(result, f) for f in ("row_labels", "mask", "estimate")):
        return "batch"
    if all(hasattr(result, f) for f in _ANALYSIS_FIELDS):
        return "analysis"
    raise TypeError(
        "forest_table()/forest_plot() draw a MetaAnalysis, SubgroupAnalysis or MetaAnalysisBatch; "
        f"got {type(result).__name__}"
    )


def _check_common(common: Any, result: Any) -> None:
    if common is None:
        return
    if not all(hasattr(common, f) for f in _ANALYSIS_FIELDS):
        raise TypeError(
            f"common must be a MetaAnalysis (a common-effect fit of the same studies); "
            f"got {type(common).__name__}"
        )
    if not lab.is_common(common.method):
        raise ValueError(
            f"common must be a common-effect fit (method one of "
            f"{', '.join(sorted(lab.COMMON_METHODS))}); got method={common.method!r}"
        )
    if lab.is_common(result.method):
        raise ValueError(
            f"common= adds a common-effect diamond to a random-effects analysis; the "
            f"analysis itself is already common-effect (method={result.method!r})"
        )
    if tuple(common.labels) != tuple(result.labels):
        raise ValueError(
            "common must be fitted to the same studies as the analysis: its labels "
            f"{tuple(common.labels)[:3]}... differ from {tuple(result.labels)[:3]}..."
        )


def _years(effects: Any, n: int, sort_by: str) -> np.ndarray | None:
    if sort_by != "year":
        return None
    info = getattr(effects, "study_info", None) or {}
    if "year" not in info:
        raise ValueError(
            "sort_by='year' needs study years in result.effects.study_info['year']; "
            f"available study attributes: {sorted(info) or 'none'}"
        )
    years = np.asarray(info["year"], dtype=float)
    if years.shape != (n,):
        raise ValueError(f"study_info['year'] must have one entry per study ({n}); got shape {years.shape}")
    return years


def forest_table(
    result: Any,
    *,
    transform: str | None = "auto",
    common: Any = None,
    sort_by: str = "given",
    prediction: bool = True,
    published: bool = False,
    columns: Any = None,
) -> Any:
    """Every number a forest plot of ``result`` shows, one row per line of the plot.

    Parameters
    ----------
    result : MetaAnalysis, SubgroupAnalysis or MetaAnalysisBatch
        A fitted analysis; a subgroup analysis (blocks per subgroup, then the overall
        total and the test for subgroup differences); or a leave-one-out / cumulative
        batch (one ``"step"`` row per pooled estimate).
    transform : {"auto", "exp", "tanh", "expit", None}, default "auto"
        Presentation scale of ``estimate``, ``ci_*`` and ``pi_*``: "auto" the measure's
        own back-transformation (ratio measures such as OR and RR exponentiated, Fisher's z
        (ZCOR) as correlations r = tanh(z), logit proportions (PLO) as proportions, as
        metafor's ``transf=exp``, ``transf.ztor``, ``transf.ilogit``); "exp", "tanh" or
        "expit" always; None never (the analysis scale).
    common : MetaAnalysis, optional
        A common-effect fit of the same studies, shown as a second pooled row (and test
        for overall effect) next to a random-effects ``result``.
    sort_by : {"given", "year", "effect", "weight"}, default "given"
        Order of the study rows (within each subgroup): as given, by
        ``effects.study_info["year"]``, by effect (ascending) or by weight (largest first).
    prediction : bool, default True
        Include the prediction interval row of a random-effects total.
    published : bool, default False
        ``result`` is a batch of published pooled results (one ``"step"`` row each, e.g.
        the summaries of an overview), shown side by side and never pooled: the table's
        ``source`` is "published", ``model`` is "published", and ``k`` (the number of
        studies each result pooled) is NaN where it is not known (0 or less).
    columns : sequence, optional
        Extra study columns (metafor's ``ilab``, meta's ``leftcols``): each a name of
        ``result.effects.study_info`` ("year", "design", "attributes.dose", ...) or a pair
        (header, values) with one value per study in the result's order. Their values, one
        per row (None where the row shows no study), are in ``DataFrame.attrs["columns"]``
        (header -> list). Not for batches (their rows are analyses, not studies).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, rows in plot order. ``kind`` is one of :data:`KINDS`:

        * ``study``: label, per-arm data (``e_events e_total c_events c_total`` for binary
          data, ``e_mean e_sd e_total c_mean c_sd c_total`` for continuous), ``yi``/``se``
          (analysis scale), ``weight`` (percent, NaN when excluded), ``estimate`` and
          ``ci_lower``/``ci_upper`` = transform(yi -/+ z sqrt(vi)), z the normal quantile at
          ``level`` (as metafor's and RevMan's forest plots); ``included``.
        * ``pooled``: the model's ``estimate``/``ci_*`` (the result's own interval),
          ``weight`` (sum of the shown study weights; NaN for the added common model),
          ``e_total``/``c_total`` sums, ``k``, ``statistic``, ``p_value``, ``test``.
        * ``prediction``: ``pi_lower``/``pi_upper``.
        * ``events``: total events per arm (binary data).
        * ``heterogeneity``: ``tau2`` (NaN for common-effect models), ``chi2`` (Q),
          ``df``, ``p_value``, ``i2``.
        * ``overall_effect``: ``statistic``, ``df`` (NaN for z tests), ``p_value``, ``test``.
        * ``subgroup``: a subgroup header; ``subgroup_differences``: ``chi2``, ``df``,
          ``p_value`` of the test for subgroup differences.
        * ``step``: one batch row (``estimate``, ``ci_*``, ``k``, ``tau2``, ``i2``,
          ``statistic``, ``df``, ``p_value``).

        ``DataFrame.attrs`` records what the figure needs to label itself (plain data; the
        typed form is :class:`ForestTable`, from :func:`build_forest_table`): ``measure``,
        ``method``, ``test``, ``level``, ``transform`` (the resolved back-transformation:
        None, "exp", "tanh" or "expit"), ``exp`` (``transform == "exp"``), ``arms``
        ("binary", "continuous" or None), ``source`` ("analysis", "subgroups",
        "leave-one-out", "cumulative", "batch" or "published"), ``group_labels`` and
        ``columns``.

    Notes
    -----
    Nothing is estimated here: pooled numbers are copied from the result objects, study
    intervals follow from ``yi`` and ``vi``, and the only arithmetic on results is the
    sum of displayed weights and per-arm totals. In a subgroup analysis the study weights
    are those of the overall fit (``overall.weights``), so subtotals add up to 100%, as in
    RevMan.

    Example
    -------
    >>> table = forest_table(res)
    >>> table.loc[table.kind == "pooled", ["estimate", "ci_lower", "ci_upper"]].round(3)
        estimate  ci_lower  ci_upper
    13     0.489     0.344     0.696
    """
    return build_forest_table(
        result,
        transform=transform,
        common=common,
        sort_by=sort_by,
        prediction=prediction,
        published=published,
        columns=columns,
    ).to_frame()


def build_forest_table(
    result: Any,
    *,
    transform: str | None = "auto",
    common: Any = None,
    sort_by: str = "given",
    prediction: bool = True,
    published: bool = False,
    columns: Any = None,
) -> ForestTable:
    """The forest table of ``result`` as a :class:`ForestTable` (see :func:`forest_table`)."""
    import pandas as pd

    from metaevidence.plots.forest_columns import study_columns

    if sort_by not in SORT_KEYS:
        raise ValueError(f"sort_by must be one of {', '.join(SORT_KEYS)}; got {sort_by!r}")
    kind = _kind_of(result)
    if published and (kind != "batch" or str(result.kind) != "batch"):
        what = f"a {result.kind} batch" if kind == "batch" else f"a {type(result).__name__}"
        raise ValueError(
            "published=True draws a batch of published results (MetaAnalysisBatch with "
            f"kind 'batch'); got {what}"
        )
    if kind == "batch":
        if columns:
            raise ValueError(
                f"columns= adds study columns; the rows of a {result.kind} batch are analyses, not studies"
            )
        table, attrs = _batch_table(result, transform, common, sort_by, published)
    elif kind == "subgroups":
        table, attrs = _subgroup_table(result, transform, common, sort_by, prediction)
    else:
        table, attrs = _analysis_table(result, transform, common, sort_by, prediction)
    fit = result.overall if kind == "subgroups" else result
    extra = study_columns(columns, getattr(fit, "effects", None), len(fit.labels)) if kind != "batch" else ()
    shown = tuple(
        (header, tuple(None if i is None else values[i] for i in table.study_index))
        for header, values in extra
    )
    return ForestTable(rows=pd.DataFrame(table.rows, columns=list(COLUMNS)), columns=shown, **attrs)


def _z(level: float) -> float:
    from scipy.special import ndtri

    if not 0 < level < 1:
        raise ValueError(f"result.level must be a confidence level in (0, 1); got {level!r}")
    return float(ndtri(0.5 + level / 2))


def _attrs(fit: Any, shown: Presentation, arm_kind: str | None, source: str) -> dict[str, Any]:
    return {
        "measure": str(fit.measure),
        "method": str(fit.method),
        "test": str(fit.test),
        "level": float(fit.level),
        "presentation": shown,
        "arms": arm_kind,
        "source": source,
        "group_labels": _group_labels(getattr(fit, "effects", None)),
        "glmm_model": getattr(
            getattr(fit, "glmm", None) or getattr(getattr(fit, "parent", None), "glmm", None), "model", None
        ),
    }


def _analysis_table(
    result: Any, transform: Any, common: Any, sort_by: str, prediction: bool
) -> tuple[_Table, dict[str, Any]]:
    _check_common(common, result)
    shown = lab.resolve_transform(transform, str(result.measure))
    n = len(result.labels)
    effects = getattr(result, "effects", None)
    arm_kind, arms = _arms(effects, n)
    weights = np.asarray(result.weights, dtype=float)
    idx = _order(range(n), sort_by, np.asarray(result.yi, dtype=float), weights, _years(effects, n, sort_by))
    table = _Table(shown)
    table.studies(result, idx, arms, _z(result.level), weights, None)
    fits = [common, result] if common is not None else [result]
    table.block_footer(fits, idx, arms, arm_kind, weights, None, "Total", prediction)
    return table, _attrs(result, shown, arm_kind, "analysis")


def _subgroup_table(
    result: Any, transform: Any, common: Any, sort_by: str, prediction: bool
) -> tuple[_Table, dict[str, Any]]:
    if common is not None:
        raise TypeError(
            "common= is not supported for a SubgroupAnalysis: fit the subgroup analysis "
            "with the model to show"
        )
    overall = result.overall
    shown = lab.resolve_transform(transform, str(overall.measure))
    n = len(overall.labels)
    group_of = [str(g) for g in result.group_of]
    if len(group_of) != n:
        raise ValueError(
            f"SubgroupAnalysis.group_of must name a subgroup for each of the {n} studies; "
            f"got {len(group_of)} entries"
        )
    groups = [str(g) for g in result.groups]
    if len(result.subgroups) != len(groups):
        raise ValueError(
            f"SubgroupAnalysis has {len(groups)} groups but {len(result.subgroups)} subgroup fits"
        )
    effects = getattr(overall, "effects", None)
    arm_kind, arms = _arms(effects, n)
    weights = np.asarray(overall.weights, dtype=float)
    yi = np.asarray(overall.yi, dtype=float)
    years = _years(effects, n, sort_by)
    z = _z(overall.level)
    table = _Table(shown)
    for g, sub in zip(groups, result.subgroups):
        idx = _order([i for i in range(n) if group_of[i] == g], sort_by, yi, weights, years)
        table.add("subgroup", group=g, label=g)
        table.studies(overall, idx, arms, z, weights, g)
        table.block_footer([sub], idx, arms, arm_kind, weights, g, "Subtotal", False)
    table.block_footer([overall], list(range(n)), arms, arm_kind, weights, None, "Total", prediction)
    table.add(
        "subgroup_differences",
        label="Test for subgroup differences",
        chi2=float(result.q_between),
        df=float(result.q_between_df),
        p_value=float(result.q_between_p_value),
        k=float(len(groups)),
    )
    return table, _attrs(overall, shown, arm_kind, "subgroups")


def _row_labels(result: Any, rows: int) -> list[str]:
    """The batch's ``row_labels``, or labels read off its mask and study labels
    ("omitting <study>", "adding <study>", as ``leave_one_out``/``cumulative`` write them).
    """
    given = getattr(result, "row_labels", None)
    if given is not None:
        labels = [str(x) for x in given]
        if len(labels) != rows:
            raise ValueError(f"row_labels has {len(labels)} entries for {rows} batch rows")
        return labels
    mask = np.asarray(result.mask, dtype=bool)
    study = [str(x) for x in getattr(result, "labels", ())]
    if mask.shape[:1] != (rows,) or mask.ndim != 2 or len(study) != mask.shape[1]:
        return [f"Analysis {b + 1}" for b in range(rows)]
    out = []
    for b in range(rows):
        if result.kind == "leave-one-out":
            out.append("omitting " + ", ".join(s for s, m in zip(study, mask[b]) if not m))
        elif result.kind == "cumulative":
            before = mask[b - 1] if b else np.zeros_like(mask[b])
            out.append("adding " + ", ".join(s for s, m, p in zip(study, mask[b], before) if m and not p))
        else:
            out.append(f"Analysis {b + 1}")
    return out


def _batch_table(
    result: Any, transform: Any, common: Any, sort_by: str, published: bool = False
) -> tuple[_Table, dict[str, Any]]:
    if common is not None:
        raise TypeError("common= applies to a single MetaAnalysis, not to a MetaAnalysisBatch")
    if sort_by != "given":
        raise ValueError(
            f"a {result.kind} batch is drawn in its own order; sort_by must be 'given', got {sort_by!r}"
        )
    estimate = np.asarray(result.estimate, dtype=float)
    if estimate.ndim != 1:
        raise ValueError(
            f"forest plots draw one-dimensional batches (one row per analysis); got "
            f"estimate of shape {estimate.shape}"
        )
    parent = getattr(result, "parent", None)

    def setting(name: str) -> Any:
        value = getattr(result, name, None)
        if value is None and parent is not None:
            value = getattr(parent, name)
        value = np.asarray(value)
        if value.ndim:  # per-row settings: all rows share one value
            value = value.ravel()[0]
        return value.item() if hasattr(value, "item") else value

    measure, method, test, level = (setting(f) for f in ("measure", "method", "test", "level"))
    shown = lab.resolve_transform(transform, str(measure))
    table = _Table(shown)
    rows = len(estimate)
    labels = _row_labels(result, rows)

    def col(name: str) -> np.ndarray:
        value = getattr(result, name, None)
        if value is None:
            return np.full(rows, math.nan)
        return np.broadcast_to(np.asarray(value, dtype=float), (rows,))

    lo, hi, k, tau2, i2, stat, df, p = (
        col(c) for c in ("ci_lower", "ci_upper", "k", "tau2", "i2", "statistic", "df", "p_value")
    )
    if published:  # published results: no model of ours, k unknown where not reported
        k = np.where(k > 0, k, math.nan)
    for b in range(rows):
        table.add(
            "step",
            model="published" if published else _model(str(method)),
            label=str(labels[b]),
            estimate=table.t(estimate[b]),
            ci_lower=table.t(lo[b]),
            ci_upper=table.t(hi[b]),
            k=float(k[b]),
            tau2=float(tau2[b]),
            i2=float(i2[b]),
            statistic=float(stat[b]),
            df=float(df[b]),
            p_value=float(p[b]),
            test=str(test),
            level=float(level),
        )
    source = str(result.kind) if str(result.kind) in ("leave-one-out", "cumulative") else "batch"
    if published:
        source = "published"
    if parent is not None and source == "leave-one-out":
        table.pooled(
            parent, f"All studies ({lab.level_text(parent.level)})", None, weight=math.nan, totals={}
        )
    attrs = {
        "measure": str(measure),
        "method": str(method),
        "test": str(test),
        "level": float(level),
        "presentation": shown,
        "arms": None,
        "source": source,
        "group_labels": _group_labels(getattr(parent, "effects", None)),
        "glmm_model": getattr(getattr(parent, "glmm", None), "model", None),
    }
    return table, attrs
