"""The row builder of the forest table: one call per line of the plot (studies, pooled
rows, prediction, heterogeneity and overall-effect lines), copying the result's numbers.

Used by :mod:`metaevidence.plots.table`; nothing is estimated here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from metaevidence.display.transforms import Presentation
from metaevidence.plots import labels as lab

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
_STRING_COLUMNS = {"kind", "group", "model", "label", "test"}


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
        self.study_index: list[int | None] = []  # the study each row shows (None: no study)

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
        self.study_index.append(None)

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
            self.study_index[-1] = int(i)

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
            if len(idx) and np.all(np.isnan(weights[idx])):  # no study weights (a GLMM)
                w = math.nan
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
