"""Subgroup analysis: pooled results within subgroups and the test for subgroup differences.

>>> import metaevidence as me
>>> sg = me.subgroup_analysis([0.1, 0.3, 0.2, 0.9, 1.1, 0.8], [0.04, 0.05, 0.03, 0.04, 0.06, 0.05],
...                           ["a", "a", "a", "b", "b", "b"], method="DL")
>>> sg.groups, sg.q_between_df
(('a', 'b'), 1)

matches metafor (separate rma() fits per subgroup; Q between as the heterogeneity
statistic of an equal-effects meta-analysis of the subgroup estimates) and R meta's /
RevMan's test for subgroup differences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from metaevidence.core.pool import IV_COMMON_METHODS
from metaevidence.core.tau2 import canonical_method, estimate_tau2
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, fmt_p, p_text
from metaevidence.display.transforms import presentation
from metaevidence.stats._inputs import float_array

__all__ = ["SubgroupAnalysis", "subgroup_analysis"]


@dataclass(frozen=True, slots=True)
class SubgroupAnalysis:
    """Per-subgroup meta-analyses and the test for subgroup differences.

    Attributes
    ----------
    groups : tuple of str
        Subgroup names, in display order (sorted, or a pandas Categorical's order).
    subgroups : tuple of MetaAnalysis
        One fit per subgroup, same estimator and test as the overall fit.
    overall : MetaAnalysis
        All studies together.
    group_of : tuple of str (n)
        Each row's subgroup.
    q_between, q_between_df, q_between_p_value : float, int, float
        Test for subgroup differences: :math:`Q_b = \\sum_g w_g(\\hat\\theta_g -
        \\bar\\theta)^2` with :math:`w_g = 1/SE_g^2` and :math:`\\bar\\theta` their
        weighted mean, chi^2 on G - 1 df.
    tau2_common : bool
        Whether one tau^2 (from the mixed-effects model with the subgroups as a
        categorical moderator) was used in every subgroup.
    common_tau2 : float
        That tau^2 (``nan`` when ``tau2_common`` is False).
    method, test : str
    level : float
    """

    groups: tuple[str, ...]
    subgroups: tuple[Any, ...]
    overall: Any
    group_of: tuple[str, ...]
    q_between: float
    q_between_df: int
    q_between_p_value: float
    tau2_common: bool
    common_tau2: float
    method: str
    test: str
    level: float

    def __repr__(self) -> str:
        return compact_repr(
            self,
            groups=tuple(self.groups),
            k=self.overall.k,
            measure=self.overall.measure,
            method=self.method,
            test=self.test,
            q_between=self.q_between,
            q_between_p_value=self.q_between_p_value,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4, *, transform: str | None = None) -> Summary:
        """Table of subgroup results and the test for subgroup differences.

        ``transform`` ({None, "exp", "tanh", "expit", "auto"}, default None) shows estimates
        and CIs back-transformed: "exp" for ratio measures, "tanh" for correlations from
        Fisher's z, "expit" for proportions from logits, "auto" the measure's own (see
        :meth:`MetaAnalysis.summary`); the numbers stored are never changed.
        """
        shown = presentation(transform, self.overall.measure)
        f = (lambda x: x) if shown.identity else shown.scalar
        rows = []
        for name, res in (*zip(self.groups, self.subgroups), ("Overall", self.overall)):
            rows.append(
                (
                    name,
                    str(res.k),
                    fmt(f(res.estimate), digits),
                    fmt(f(res.ci_lower), digits),
                    fmt(f(res.ci_upper), digits),
                    fmt_p(res.p_value, digits),
                    fmt(res.tau2, digits),
                    fmt(res.i2, 1),
                )
            )
        pct = f"{self.level * 100:g}%"
        table = Table(
            (
                "subgroup",
                "k",
                "estimate",
                f"{pct} CI lower",
                f"{pct} CI upper",
                "p-value",
                "tau^2",
                "I^2 (%)",
            ),
            tuple(rows),
        )
        tau = (
            f"common tau^2 = {fmt(self.common_tau2, digits)} (mixed-effects model with "
            f"the subgroup as moderator)"
            if self.tau2_common
            else "tau^2 estimated separately in each subgroup"
        )
        lines = [
            f"Test for subgroup differences: Q = {fmt(self.q_between, digits)}, "
            f"df = {self.q_between_df}, {p_text(self.q_between_p_value, digits)}"
        ]
        if not shown.identity:
            lines.append(
                f"Estimates and CIs back-transformed ({shown.name}; {shown.label} "
                f"scale); tau^2 on the analysis scale"
            )
        return Summary(
            f"Subgroup analysis ({self.method}, test {self.test}; {tau})", ("\n".join(lines), table)
        )

    def to_frame(self):
        """One row per subgroup and one for the overall fit."""
        import pandas as pd

        rows = []
        for name, res in (*zip(self.groups, self.subgroups), ("Overall", self.overall)):
            rows.append(
                {
                    "subgroup": name,
                    "k": res.k,
                    "estimate": res.estimate,
                    "se": res.se,
                    "ci_lower": res.ci_lower,
                    "ci_upper": res.ci_upper,
                    "p_value": res.p_value,
                    "tau2": res.tau2,
                    "i2": res.i2,
                    "q": res.q,
                }
            )
        return pd.DataFrame(rows)


def _group_labels(groups, es, n):
    if isinstance(groups, str):
        info = getattr(es, "study_info", None) or {}
        if groups not in info:
            raise ValueError(
                f"groups={groups!r} names no study attribute; available: "
                f"{', '.join(sorted(info)) or 'none'} (or pass one label per study)"
            )
        groups = info[groups]
    order = getattr(getattr(groups, "cat", None), "categories", None)
    if order is None and hasattr(groups, "categories"):
        order = groups.categories
    values = list(np.asarray(groups, dtype=object))
    if len(values) != n:
        raise ValueError(f"groups must give one subgroup per study ({n}); got {len(values)}")
    missing = [i for i, g in enumerate(values) if g is None or (isinstance(g, float) and math.isnan(g))]
    if missing:
        raise ValueError(f"groups has no subgroup for rows {missing}; every study needs one")
    labels = tuple(str(int(g)) if isinstance(g, float) and g.is_integer() else str(g) for g in values)
    if order is not None:
        levels = [str(c) for c in order if str(c) in set(labels)]
    else:
        try:
            levels = sorted(set(labels), key=lambda s: (float(s), s))
        except ValueError:
            levels = sorted(set(labels))
    return labels, tuple(levels)


def subgroup_analysis(
    yi,
    vi=None,
    groups=None,
    *,
    method: str = "REML",
    test: str = "z",
    tau2_common: bool = False,
    level: float = 0.95,
    labels=None,
    measure: str | None = None,
) -> SubgroupAnalysis:
    """Meta-analyses within subgroups and the test for subgroup differences.

    Parameters
    ----------
    yi, vi : array_like (n,)
        Effect sizes and sampling variances; or pass an ``EffectSizes`` as ``yi`` and the
        groups second: ``subgroup_analysis(es, "alloc")``.
    groups : array_like (n,) or str
        Each study's subgroup, or the name of a ``study_info`` attribute of the
        EffectSizes.
    method, test, level
        As :func:`metaevidence.meta_analysis` (used in every subgroup and overall).
    tau2_common : bool
        Use one tau^2 in all subgroups: the residual tau^2 of the mixed-effects model
        with the subgroup as a categorical moderator (R meta ``tau.common = TRUE``);
        otherwise tau^2 is estimated within each subgroup (RevMan, R meta's default).
    labels, measure
        Study labels and measure name (default: from the EffectSizes).

    Returns
    -------
    SubgroupAnalysis

    Notes
    -----
    :math:`Q_b = \\sum_g (\\hat\\theta_g - \\bar\\theta)^2 / SE_g^2`,
    :math:`\\bar\\theta = \\sum_g \\hat\\theta_g SE_g^{-2} / \\sum_g SE_g^{-2}`, compared with
    chi^2 on G - 1 df, where :math:`\\hat\\theta_g, SE_g` are the subgroup estimates (under
    ``test="knha"`` their Hartung-Knapp SEs). With a common tau^2 and ``test="z"``,
    :math:`Q_b` equals the omnibus QM of the mixed-effects model with the subgroup as
    moderator.

    References
    ----------
    Borenstein, M., & Higgins, J. P. T. (2013). Meta-analysis and subgroups. Prevention
    Science, 14(2), 134-143. Deeks, J. J., Higgins, J. P. T., & Altman, D. G. (2022).
    Cochrane Handbook, chapter 10.11.3.1.

    Example
    -------
    >>> sg = subgroup_analysis([0.1, 0.3, 0.2, 0.9, 1.1, 0.8],
    ...                        [0.04, 0.05, 0.03, 0.04, 0.06, 0.05],
    ...                        ["a", "a", "a", "b", "b", "b"], method="EE")
    >>> round(sg.q_between, 4)
    18.2868

    Matches metafor: rma(..., subset = g == level) per subgroup and
    rma(estimates, sei = ses, method = "FE")$QE for Q between (and, with a common tau^2,
    rma(yi, vi, mods = ~ factor(g))$tau2 and $QM).
    """
    from metaevidence.stats.fit import meta_analysis

    es = None
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        es = yi
        if groups is None:
            groups = vi
        y, v = float_array(es.yi, "yi", "subgroup_analysis"), float_array(es.vi, "vi", "subgroup_analysis")
        labels = tuple(es.labels) if labels is None else tuple(labels)
        measure = measure or getattr(es, "measure", "GEN")
    else:
        if vi is None:
            raise TypeError("subgroup_analysis needs yi and vi (or an EffectSizes)")
        y, v = float_array(yi, "yi", "subgroup_analysis"), float_array(vi, "vi", "subgroup_analysis")
        measure = measure or "GEN"
    if groups is None:
        raise TypeError("subgroup_analysis needs groups: one subgroup per study")
    n = y.size
    if labels is None:
        labels = tuple(f"Study {i + 1}" for i in range(n))
    group_of, levels = _group_labels(groups, es, n)
    if len(levels) < 2:
        raise ValueError(
            f"subgroup analysis needs at least two subgroups; got {len(levels)} ({', '.join(levels)})"
        )
    common = math.nan
    kw: dict[str, Any] = dict(method=method, test=test, level=level, measure=measure)
    overall = meta_analysis(es if es is not None else y, None if es is not None else v, labels=labels, **kw)
    if tau2_common:
        method_u = canonical_method(method)
        if method_u in IV_COMMON_METHODS:
            raise ValueError(f"tau2_common=True needs a random-effects method; got method={method!r}")
        ok = np.isfinite(y) & np.isfinite(v)
        X = np.column_stack(
            [np.ones(n)] + [np.array([g == lvl for g in group_of], float) for lvl in levels[1:]]
        )
        common = float(estimate_tau2(y, v, method=method_u, mask=ok, X=X).tau2)
    fits = []
    for lvl in levels:
        rows = np.array([g == lvl for g in group_of])
        sub_labels = tuple(lab for lab, r in zip(labels, rows) if r)
        extra: dict[str, Any] = {"tau2": common} if tau2_common else {}
        if es is not None:
            fit = meta_analysis(es.subset(np.flatnonzero(rows)), labels=sub_labels, **kw, **extra)
        else:
            fit = meta_analysis(y[rows], v[rows], labels=sub_labels, **kw, **extra)
        fits.append(fit)
    est = np.array([f.estimate for f in fits])
    w = 1.0 / np.array([f.se for f in fits]) ** 2
    centre = np.sum(w * est) / np.sum(w)
    q = float(np.sum(w * (est - centre) ** 2))
    df = len(levels) - 1
    return SubgroupAnalysis(
        groups=levels,
        subgroups=tuple(fits),
        overall=overall,
        group_of=group_of,
        q_between=q,
        q_between_df=df,
        q_between_p_value=float(stats.chi2.sf(q, df)),
        tau2_common=bool(tau2_common),
        common_tau2=common,
        method=overall.method,
        test=overall.test,
        level=level,
    )
