"""Trim and fill (Duval & Tweedie): impute the studies funnel asymmetry suggests are missing.

Re-exported by :mod:`metaevidence.stats.bias` (``me.trim_and_fill``, ``TrimAndFill``).

matches metafor::trimfill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.core import bias as _bias
from metaevidence.core import trimfill as _core
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, notes, p_text
from metaevidence.stats._inputs import analysis_inputs, small_sample_note

__all__ = ["TrimAndFill", "trim_and_fill"]


@dataclass(frozen=True, slots=True)
class TrimAndFill:
    """Trim-and-fill analysis (Duval & Tweedie).

    Attributes
    ----------
    k0 : int
        Estimated number of missing studies.
    side : str
        "left" or "right": where the missing studies were imputed.
    se_k0 : float
        Standard error of k0 (``nan`` when L0's variance formula is negative).
    p_k0 : float
        R0 only: p-value of "no missing studies on this side"; ``nan`` for L0.
    estimator : str
        "L0" or "R0".
    result : MetaAnalysis
        The analysis refitted to the observed plus imputed studies (same estimator and
        test as the original).
    original : MetaAnalysis
        The analysis it started from.
    yi, vi : ndarray (k + k0,)
        Observed (included) effects followed by the imputed ones, and their variances.
    fill : ndarray of bool (k + k0,)
        True for imputed studies (drawn as open symbols in a funnel plot).
    labels : tuple of str (k + k0)
        Study labels; imputed studies are "Filled: <label of the mirrored study>".
    iterations : int
    note : str or None
        Set when k < 10.
    """

    k0: int
    side: str
    se_k0: float
    p_k0: float
    estimator: str
    result: Any
    original: Any
    yi: np.ndarray
    vi: np.ndarray
    fill: np.ndarray
    labels: tuple[str, ...]
    iterations: int
    note: str | None

    @property
    def filled_yi(self) -> np.ndarray:
        """The imputed effects (for ``funnel_plot(..., filled_yi=, filled_vi=)``)."""
        return self.yi[self.fill]

    @property
    def filled_vi(self) -> np.ndarray:
        """Sampling variances of the imputed effects."""
        return self.vi[self.fill]

    def __repr__(self) -> str:
        return compact_repr(
            self,
            k0=self.k0,
            side=self.side,
            estimator=self.estimator,
            k=self.result.k,
            estimate=self.result.estimate,
            original_estimate=self.original.estimate,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        res = self.result
        title = (
            f"Trim and fill ({self.estimator} estimator): estimated number of missing "
            f"studies on the {self.side} side: {self.k0} (SE = {fmt(self.se_k0, digits)})"
        )
        lines = []
        if self.estimator == "R0":
            lines.append(f"test of no missing studies: {p_text(self.p_k0, digits)}")
        lines.append(
            f"filled analysis (k = {res.k}, {res.method}): estimate "
            f"{fmt(res.estimate, digits)} ({res.level * 100:g}% CI "
            f"{fmt(res.ci_lower, digits)} to {fmt(res.ci_upper, digits)}), "
            f"{p_text(res.p_value, digits)}; tau^2 = {fmt(res.tau2, digits)}"
        )
        lines.append(
            f"original analysis (k = {self.original.k}): estimate {fmt(self.original.estimate, digits)}"
        )
        rows = tuple(
            (lab, fmt(y, digits), fmt(v, digits), "filled" if f else "observed")
            for lab, y, v, f in zip(self.labels, self.yi, self.vi, self.fill)
        )
        return Summary(
            title,
            ("\n".join(lines), Table(("study", "yi", "vi", ""), rows, title="Studies"), *notes(self.note)),
        )

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"label": list(self.labels), "yi": self.yi, "vi": self.vi, "fill": self.fill})


def trim_and_fill(
    result, estimator: str = "L0", side: str | None = None, *, maxiter: int = 100
) -> TrimAndFill:
    """Trim and fill: impute the studies a funnel plot's asymmetry suggests are missing.

    Parameters
    ----------
    result : MetaAnalysis
        An analysis without moderators (inverse-variance; its tau^2 estimator is reused).
    estimator : str
        "L0" (default) or "R0".
    side : str, optional
        "left" or "right": where studies are missing. By default the side opposite to
        the small-study excess, from the sign of Egger's regression test
        (``egger_test(result)``): a positive slope on the standard error means missing
        studies on the left.
    maxiter : int
        Iteration cap.

    Returns
    -------
    TrimAndFill

    Notes
    -----
    See :func:`metaevidence.core.bias.trim_fill`. The filled analysis uses the original
    estimator throughout ("random-random" for a random-effects analysis). Warns with
    :class:`SmallSampleWarning` below 10 studies.

    References
    ----------
    Duval, S., & Tweedie, R. (2000). Trim and fill: A simple funnel-plot-based method of
    testing and adjusting for publication bias in meta-analysis. Biometrics, 56(2),
    455-463.

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([0.1, 0.3, 0.5, 0.7, 0.9, 1.3, 0.4, 0.6, 0.8, 1.1],
    ...                        [0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.03, 0.05, 0.07, 0.09])
    >>> me.trim_and_fill(res).side
    'left'

    Matches metafor::trimfill(x, estimator = ..., side = ...).
    """
    if estimator not in ("L0", "R0"):
        raise ValueError(f"estimator must be 'L0' or 'R0'; got {estimator!r}")
    if side not in (None, "left", "right"):
        raise ValueError(f"side must be 'left', 'right' or None (chosen from Egger's test); got {side!r}")
    if getattr(result, "p", 1) != 1:
        raise ValueError(
            "trim_and_fill needs an analysis without moderators; got a meta-regression with moderators"
        )
    inp = analysis_inputs(result, "trim_and_fill")
    k = inp.yi.size
    if k < 3:
        raise ValueError(f"trim_and_fill needs at least 3 studies; got {k}")
    note = small_sample_note(k, "Trim and fill")
    if side is None:
        slope = _bias.regression_test(
            inp.yi, inp.vi, np.sqrt(inp.vi), model="rma", method=inp.method, test=inp.test
        ).statistic
        side = "right" if slope < 0 else "left"
    tf = _core.trim_fill(inp.yi, inp.vi, side=side, estimator=estimator, method=inp.method, maxiter=maxiter)
    yi = np.concatenate([inp.yi, tf.yi_fill])
    vi = np.concatenate([inp.vi, tf.vi_fill])
    fill = np.r_[np.zeros(k, bool), np.ones(tf.k0, bool)]
    labels_all = tuple(getattr(result, "labels", ()) or ())
    observed = (
        tuple(labels_all[i] for i in inp.rows) if labels_all else tuple(f"Study {i + 1}" for i in inp.rows)
    )
    labels = observed + tuple(f"Filled: {observed[i]}" for i in tf.source)
    from metaevidence.stats.fit import meta_analysis

    filled = meta_analysis(
        yi,
        vi,
        method=inp.method,
        test=inp.test,
        level=inp.level,
        labels=labels,
        measure=getattr(result, "measure", "GEN"),
    )
    return TrimAndFill(
        k0=tf.k0,
        side=side,
        se_k0=tf.se_k0,
        p_k0=tf.p_k0,
        estimator=estimator,
        result=filled,
        original=result,
        yi=yi,
        vi=vi,
        fill=fill,
        labels=labels,
        iterations=tf.iterations,
        note=note,
    )
