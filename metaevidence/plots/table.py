"""``forest_table``: every number a forest plot shows, as a DataFrame.

The table is the single source of truth of :func:`~metaevidence.plots.forest_plot`: the
figure draws its rows in order and formats its numbers, and computes nothing itself.
Tests check the table against the result objects field by field.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.display.transforms import Presentation
from metaevidence.plots import labels as lab

__all__ = ["COLUMNS", "KINDS", "SORT_KEYS", "ForestTable", "build_forest_table", "forest_table"]

#: Columns of the forest table, always all present and in this order (NaN / None where a
#: row has no such number). Effects, confidence and prediction limits are on the
#: presentation scale; ``yi`` and ``se`` on the analysis scale.
COLUMNS: tuple[str, ...] = (
    "kind",
    "group",
    "model",
    "label",
    "included",
    "e_events",
    "e_total",
    "e_mean",
    "e_sd",
    "c_events",
    "c_total",
    "c_mean",
    "c_sd",
    "yi",
    "se",
    "weight",
    "estimate",
    "ci_lower",
    "ci_upper",
    "pi_lower",
    "pi_upper",
    "k",
    "tau2",
    "i2",
    "chi2",
    "df",
    "p_value",
    "statistic",
    "test",
    "level",
)
#: Row kinds, in the order they can appear within a block.
KINDS: tuple[str, ...] = (
    "subgroup",
    "study",
    "step",
    "pooled",
    "prediction",
    "events",
    "heterogeneity",
    "overall_effect",
    "subgroup_differences",
)
#: Accepted ``sort_by`` values.
SORT_KEYS: tuple[str, ...] = ("given", "year", "effect", "weight")

_STRING_COLUMNS = {"kind", "group", "model", "label", "test"}
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


def _model(method: str) -> str:
    return "common" if lab.is_common(method) else "random"


def _arms(effects: Any, n: int) -> tuple[str | None, dict[str, np.ndarray]]:
    """Per-arm input columns of ``effects.data`` under the table's names."""
    data = getattr(effects, "data", None)
    if data is None:
        data = {}

    def col(name: str) -> np.ndarray | None:
        if name not in data or data[name] is None:
            return None
        v = np.asarray(data[name], dtype=float)
        return v if v.shape == (n,) else None

    ai, bi, ci, di, n1, n2 = (col(c) for c in ("ai", "bi", "ci", "di", "n1i", "n2i"))
    if ai is not None and ci is not None:
        e_total = n1 if n1 is not None else (ai + bi if bi is not None else None)
        c_total = n2 if n2 is not None else (ci + di if di is not None else None)
        if e_total is not None and c_total is not None:
            return "binary", {"e_events": ai, "e_total": e_total, "c_events": ci, "c_total": c_total}
    m1, sd1, m2, sd2 = (col(c) for c in ("m1i", "sd1i", "m2i", "sd2i"))
    if all(v is not None for v in (m1, sd1, n1, m2, sd2, n2)):
        return "continuous", {
            "e_mean": m1,
            "e_sd": sd1,
            "e_total": n1,
            "c_mean": m2,
            "c_sd": sd2,
            "c_total": n2,
        }
    return None, {}


def _group_labels(effects: Any) -> tuple[str, str] | None:
    names = getattr(effects, "group_labels", None)
    if names is None:
        return None
    names = tuple(str(x) for x in names)
    return names if len(names) == 2 else None


def _order(
    idx: Sequence[int], sort_by: str, yi: np.ndarray, weights: np.ndarray, years: np.ndarray | None
) -> list[int]:
    idx = list(idx)
    if sort_by == "given":
        return idx
    if sort_by == "year":
        key = years
    elif sort_by == "effect":
        key = yi
    else:  # weight, largest first
        key = -np.asarray(weights, dtype=float)
    key = np.asarray(key, dtype=float)[idx]
    key = np.where(np.isnan(key), np.inf, key)  # rows without a key go last
    return [idx[j] for j in np.argsort(key, kind="stable")]


class _Table:
    """Accumulates rows; numbers kept as floats, transformed to the presentation scale."""

    def __init__(self, shown: Presentation):
        self.shown = shown
        self.rows: list[dict[str, Any]] = []

    def t(self, x: Any) -> float:
        return self.shown.scalar(x)

    def add(self, kind: str, **fields: Any) -> None:
        row = {c: (None if c in _STRING_COLUMNS or c == "included" else math.nan) for c in COLUMNS}
        row["kind"] = kind
        for key, value in fields.items():
            if key not in row:  # pragma: no cover - programming error
                raise KeyError(key)
            row[key] = value
        self.rows.append(row)

    def studies(
        self,
        fit: Any,
        idx: Sequence[int],
        arms: dict[str, np.ndarray],
        z: float,
        weights: np.ndarray,
        group: str | None,
    ) -> None:
        yi = np.asarray(fit.yi, dtype=float)
        vi = np.asarray(fit.vi, dtype=float)
        included = np.asarray(fit.included, dtype=bool)
        for i in idx:
            se = math.sqrt(vi[i]) if vi[i] >= 0 else math.nan
            self.add(
                "study",
                group=group,
                label=str(fit.labels[i]),
                included=bool(included[i]),
                yi=float(yi[i]),
                se=se,
                weight=float(weights[i]),
                estimate=self.t(yi[i]),
                ci_lower=self.t(yi[i] - z * se),
                ci_upper=self.t(yi[i] + z * se),
                level=float(fit.level),
                **{name: float(values[i]) for name, values in arms.items()},
            )

    def pooled(
        self, fit: Any, label: str, group: str | None, *, weight: float, totals: dict[str, float]
    ) -> None:
        self.add(
            "pooled",
            group=group,
            model=_model(fit.method),
            label=label,
            weight=weight,
            estimate=self.t(fit.estimate),
            ci_lower=self.t(fit.ci_lower),
            ci_upper=self.t(fit.ci_upper),
            k=float(fit.k),
            level=float(fit.level),
            statistic=float(fit.statistic),
            p_value=float(fit.p_value),
            test=str(fit.test),
            **totals,
        )

    def prediction(self, fit: Any, group: str | None) -> None:
        self.add(
            "prediction",
            group=group,
            model=_model(fit.method),
            label="Prediction interval",
            pi_lower=self.t(fit.pi_lower),
            pi_upper=self.t(fit.pi_upper),
            k=float(fit.k),
            level=float(fit.level),
        )

    def heterogeneity(self, fit: Any, group: str | None) -> None:
        common = lab.is_common(fit.method)
        self.add(
            "heterogeneity",
            group=group,
            model=_model(fit.method),
            label="Heterogeneity",
            k=float(fit.k),
            tau2=math.nan if common else float(fit.tau2),
            i2=float(fit.i2),
            chi2=float(fit.q),
            df=float(fit.q_df),
            p_value=float(fit.q_p_value),
        )

    def overall_effect(self, fit: Any, group: str | None, label: str) -> None:
        self.add(
            "overall_effect",
            group=group,
            model=_model(fit.method),
            label=label,
            statistic=float(fit.statistic),
            df=float(fit.df),
            p_value=float(fit.p_value),
            test=str(fit.test),
            k=float(fit.k),
        )

    def block_footer(
        self,
        fits: Sequence[Any],
        idx: Sequence[int],
        arms: dict[str, np.ndarray],
        arm_kind: str | None,
        weights: np.ndarray,
        group: str | None,
        scope: str,
        prediction: bool,
    ) -> None:
        """Pooled rows (one per model), prediction interval, events, heterogeneity, tests."""
        primary = fits[-1]
        level = lab.level_text(primary.level)
        sums = {
            name: (float(np.nansum(v[idx])) if len(idx) and not np.all(np.isnan(v[idx])) else math.nan)
            for name, v in arms.items()
        }
        totals = {c: sums[c] for c in ("e_total", "c_total") if c in sums}
        for fit in fits:
            label = (
                f"{scope} ({level})"
                if len(fits) == 1
                else f"{scope}, {'common effect' if lab.is_common(fit.method) else 'random effects'} ({level})"
            )
            w = float(np.nansum(weights[idx])) if fit is primary and len(idx) else math.nan
            self.pooled(fit, label, group, weight=w, totals=totals)
        if (
            prediction
            and not lab.is_common(primary.method)
            and np.isfinite(primary.pi_lower)
            and np.isfinite(primary.pi_upper)
        ):
            self.prediction(primary, group)
        if arm_kind == "binary":
            self.add(
                "events",
                group=group,
                label="Total events",
                e_events=sums["e_events"],
                c_events=sums["c_events"],
            )
        self.heterogeneity(primary, group)
        for fit in fits:
            label = "Test for overall effect"
            if len(fits) > 1:
                label += f" ({'common effect' if lab.is_common(fit.method) else 'random effects'})"
            self.overall_effect(fit, group, label)


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
        "leave-one-out", "cumulative", "batch" or "published") and ``group_labels``.

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
    ).to_frame()


def build_forest_table(
    result: Any,
    *,
    transform: str | None = "auto",
    common: Any = None,
    sort_by: str = "given",
    prediction: bool = True,
    published: bool = False,
) -> ForestTable:
    """The forest table of ``result`` as a :class:`ForestTable` (see :func:`forest_table`)."""
    import pandas as pd

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
        table, attrs = _batch_table(result, transform, common, sort_by, published)
    elif kind == "subgroups":
        table, attrs = _subgroup_table(result, transform, common, sort_by, prediction)
    else:
        table, attrs = _analysis_table(result, transform, common, sort_by, prediction)
    return ForestTable(rows=pd.DataFrame(table.rows, columns=list(COLUMNS)), **attrs)


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
    }
    return table, attrs
