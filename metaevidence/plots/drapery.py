"""Drapery plot: the p-value function of every study, the pooled estimate and the
prediction distribution (Rucker & Schwarzer 2021).

Drawn from a fitted :class:`~metaevidence.stats.results.MetaAnalysis`, never re-fitted;
:func:`drapery_data` holds every curve drawn. For a hypothetical effect x, a study's
curve is the two-sided p-value of the test of x, :math:`2\\{1 - \\Phi(|y_i - x|/\\sqrt{v_i})\\}`;
read at p = alpha its two crossings are the study's (1 - alpha) confidence interval, so the
plot shows every confidence level at once. metafor has no drapery plot (3.8-1 and 5.1-12);
the figure is R package meta's ``drapery(type = "pvalue")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.plots import labels as lab
from metaevidence.plots import style
from metaevidence.plots.diagnostics import _apply, _axes, _check_size, _frame, _left_margin
from metaevidence.plots.output import style_context
from metaevidence.plots.scales import data_scale

__all__ = ["DraperyData", "drapery_data", "drapery_plot"]

#: Significance levels marked by horizontal lines (meta's default for type = "pvalue").
ALPHAS = (0.01, 0.05, 0.1)


@dataclass(frozen=True, slots=True)
class DraperyData:
    """Every curve a drapery plot shows (on the analysis scale).

    Attributes
    ----------
    x : ndarray (m,)
        Hypothetical effects.
    study_p : ndarray (k, m)
        p-value function of each included study (normal).
    pooled_p : ndarray (m,)
        p-value function of the pooled estimate: normal, or t on the fit's df under a
        t-based test (Hartung-Knapp).
    prediction_p : ndarray (m,) or None
        p-value function of the prediction distribution (random-effects fits with a
        prediction interval): its crossings at 1 - level are the fit's prediction interval.
    labels : tuple of str (k)
    estimate, se, tau2 : float
    pooled_df, prediction_df : float
        Degrees of freedom of the pooled and prediction curves (inf: normal).
    level : float
    """

    x: np.ndarray
    study_p: np.ndarray
    pooled_p: np.ndarray
    prediction_p: np.ndarray | None
    labels: tuple[str, ...]
    estimate: float
    se: float
    tau2: float
    pooled_df: float
    prediction_df: float
    level: float


def _pvalue(theta, se, x, df):
    t = np.abs(np.asarray(theta, float)[..., None] - x) / np.asarray(se, float)[..., None]
    return 2 * (stats.norm.sf(t) if not np.isfinite(df) else stats.t.sf(t, df))


def _prediction(result):
    """(scale, df) of the prediction distribution whose (1 - level) interval is the fit's
    prediction interval: sqrt(se^2 + tau^2) on t(k-2) (HTS) or metafor's z / t(k-1).
    """
    if lab.is_common(str(result.method)) or not np.isfinite(result.pi_lower):
        return None
    scale = float(np.sqrt(result.se**2 + result.tau2))
    if result.pi_method == "hts":
        return scale, float(result.k - 2) if result.k > 2 else None
    return scale, float(result.k - 1) if result.test in ("knha", "t") else np.inf


def drapery_data(result, *, x=None, points: int = 1001) -> DraperyData:
    """The p-value functions of a drapery plot.

    Parameters
    ----------
    result : MetaAnalysis
    x : array_like, optional
        Hypothetical effects (analysis scale). Default: ``points`` values spanning every
        study's 99.9% confidence interval, plus the study and pooled estimates (so that
        each curve's peak, p = 1, is drawn).
    points : int

    Returns
    -------
    DraperyData

    Notes
    -----
    :math:`p_i(x) = 2\\{1 - \\Phi(|y_i - x|/\\sqrt{v_i})\\}`; the pooled curve uses
    :math:`\\hat\\theta` and its SE, with :math:`t_{df}` instead of :math:`\\Phi` when the fit's
    test is t-based; the prediction curve uses :math:`\\sqrt{SE^2 + \\hat\\tau^2}` on the
    distribution of the fit's prediction interval (t on k - 2 df for HTS).

    References
    ----------
    Rucker, G., & Schwarzer, G. (2021). Beyond the forest plot: the drapery plot.
    Research Synthesis Methods, 12(1), 13-19.

    Checked against the definition evaluated in R with metafor's fitted estimates, and
    against metafor's CI bounds (each curve is 1 - level there); metafor has no drapery
    plot.

    Example
    -------
    >>> d = drapery_data(res)
    """
    for attr in ("yi", "vi", "estimate", "se", "pi_method"):
        if not hasattr(result, attr):
            raise TypeError(f"drapery_plot draws a MetaAnalysis; got {type(result).__name__}")
    inc = np.asarray(result.included, bool)
    yi, vi = np.asarray(result.yi, float)[inc], np.asarray(result.vi, float)[inc]
    if x is None:
        if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
            raise ValueError(f"points must be an integer >= 2; got {points!r}")
        half = stats.norm.isf(0.0005) * np.sqrt(vi)
        x = np.linspace(float(np.min(yi - half)), float(np.max(yi + half)), int(points))
        x = np.union1d(x, np.r_[yi, result.estimate])  # each curve's peak (p = 1) is drawn
    x = np.asarray(x, float).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError("x must be finite hypothetical effects")
    df = float(result.df) if str(result.test) in ("knha", "t") and np.isfinite(result.df) else np.inf
    pred = _prediction(result)
    return DraperyData(
        x=x,
        study_p=_pvalue(yi, np.sqrt(vi), x, np.inf),
        pooled_p=_pvalue(result.estimate, result.se, x, df),
        prediction_p=None
        if pred is None or pred[1] is None
        else _pvalue(result.estimate, pred[0], x, pred[1]),
        labels=tuple(str(t) for t, keep in zip(result.labels, inc) if keep),
        estimate=float(result.estimate),
        se=float(result.se),
        tau2=float(result.tau2),
        pooled_df=df,
        prediction_df=np.nan if pred is None or pred[1] is None else pred[1],
        level=float(result.level),
    )


def drapery_plot(
    result,
    *,
    transform: str | None = "auto",
    prediction: bool = True,
    title: str | None = None,
    width: float = 4.2,
    height: float = 2.8,
    font_size: float = style.FONT_SIZE,
):
    """Drapery plot: p-value curves of the studies, the pooled estimate and the prediction.

    Parameters
    ----------
    result : MetaAnalysis
    transform : {"auto", "exp", "tanh", "expit", None}
        The x axis: "auto" (default) the measure's own back-transformation (ratio
        measures on a log axis labelled as ratios), or as given; None the analysis scale.
    prediction : bool
        Shade the prediction region (under the prediction curve).
    title : str, optional
    width, height : float
        Size of the plotting area in inches.
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Grey curves: studies; the thick black curve: the pooled estimate; shaded: the
    prediction region; dashed horizontal lines at p = 0.01, 0.05, 0.1 (where a curve's
    crossings are its 99%, 95% and 90% intervals); the vertical line is no effect.

    Example
    -------
    >>> fig = drapery_plot(res)
    """
    _check_size(width=width, height=height, font_size=font_size)
    d = drapery_data(result)
    measure = getattr(result, "measure", "GEN")
    shown = lab.resolve_transform(transform, measure)
    f = shown.array
    font = style.font(size=font_size)
    xs = data_scale(f(d.x), log=shown.axis == "log", pad=0.0)
    ys = data_scale(np.array([0.0, 1.0]), log=False, pad=0.0)
    fig, ax = _axes(width, height, left=_left_margin(ys, font), right=0.6, top=0.3 + (0.25 if title else 0.0))
    with style_context():
        _apply(ax, "x", xs, font)
        _apply(ax, "y", ys, font)
        X = f(d.x)
        if prediction and d.prediction_p is not None:
            ax.fill_between(
                X, 0, d.prediction_p, color=style.PREDICTION, alpha=0.15, linewidth=0, gid="prediction"
            )
        for row in d.study_p:
            ax.plot(X, row, color=style.RULE, linewidth=style.LINE_WIDTH, zorder=2)
        ax.plot(X, d.pooled_p, color=style.INK, linewidth=style.LINE_WIDTH * 2.2, zorder=4, gid="pooled")
        for a in ALPHAS:
            ax.axhline(a, color=style.MUTED, linewidth=0.5, linestyle=(0, (4, 3)), zorder=1)
            ax.text(
                1.01,
                a,
                f"{1 - a:.0%}",
                transform=ax.get_yaxis_transform(),
                fontproperties=font,
                va="center",
                ha="left",
                color=style.MUTED,
                parse_math=False,
            )
        null = 1.0 if shown.axis == "log" else 0.0
        if f(d.x).min() < null < f(d.x).max():
            ax.axvline(null, color=style.INK, linewidth=style.LINE_WIDTH, zorder=3)
        ax.set_ylim(0, 1)
        name = "Effect size" if measure == "GEN" else lab.effect_name(measure, transform=shown.name)
        ax.set_xlabel(name + lab.axis_note(measure, shown.name), fontproperties=font)
        ax.set_ylabel("p-value", fontproperties=font)
        ax.text(
            1.01,
            1.0,
            "CI level",
            transform=ax.transAxes,
            fontproperties=font,
            va="bottom",
            ha="left",
            color=style.MUTED,
            parse_math=False,
        )
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig
