"""The meta-regression bubble plot: studies against a moderator, with the fitted line.

Drawn from a :class:`~metaevidence.stats.regression.MetaRegression` and never re-fitted:
:func:`bubble_data` exposes every number drawn (its regression line and band are
predictions of the fitted model). Axes and frames as the other diagnostic figures
(:mod:`metaevidence.plots.diagnostics`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaevidence.plots import labels as lab
from metaevidence.plots import style
from metaevidence.plots.diagnostics import _apply, _axes, _check_size, _frame, _left_margin, _linear
from metaevidence.plots.output import style_context
from metaevidence.plots.scales import LINKS, data_scale

__all__ = ["bubble_plot", "bubble_data", "BubbleData"]


def _bubble_pad(radius: float, length: float) -> float:
    """The padding fraction (of the data range, on each side, as :func:`data_scale` takes
    it) that leaves ``radius`` inches between an extreme point and an axis ``length``
    inches long: the point sits pad / (1 + 2 pad) of the axis from its end.
    """
    q = min(radius / length, 0.3)
    return max(0.05, q / (1 - 2 * q))


@dataclass(frozen=True, slots=True)
class BubbleData:
    """Every number a bubble plot shows (on the analysis scale).

    Attributes
    ----------
    moderator : str
        The coefficient on the x axis.
    x, y : ndarray (k,)
        Moderator values and effect sizes of the included studies.
    weight : ndarray (k,)
        Model weights 1/(v_i + tau^2) in percent; bubble areas are proportional.
    labels : tuple of str (k)
    grid : ndarray (m,)
        Moderator values of the regression line.
    fit, ci_lower, ci_upper : ndarray (m,)
        Predicted average effect and its confidence band, other moderators held at their
        (included-study) means.
    held : dict
        Values at which the other columns are held.
    level : float
    """

    moderator: str
    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    labels: tuple[str, ...]
    grid: np.ndarray
    fit: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    held: dict
    level: float


def bubble_data(result, moderator: str | int | None = None, *, points: int = 101) -> BubbleData:
    """The numbers of a bubble plot: studies, weights and the fitted line with its band.

    Parameters
    ----------
    result : MetaRegression
    moderator : str or int, optional
        Coefficient name (e.g. "ablat") or index; required when the model has more than
        one moderator column.
    points : int
        Points on the regression line.

    Returns
    -------
    BubbleData

    Notes
    -----
    The line is :math:`x(g)'\\hat\\beta` over a grid g of the moderator's observed range,
    the band :math:`\\pm z\\,(\\text{or } t)\\sqrt{x(g)'Vx(g)}` (metafor ``predict``); other
    columns of the model matrix are held at their means over the included studies, as
    metafor's ``regplot`` does.

    Example
    -------
    >>> d = bubble_data(me.meta_regression(es, "~ ablat", data=bcg))
    """
    if not all(hasattr(result, a) for a in ("X", "names", "predict", "coefficients")):
        raise TypeError(f"bubble_plot draws a MetaRegression; got {type(result).__name__}")
    names = list(result.names)
    candidates = [j for j, n in enumerate(names) if not (result.intercept and j == 0)]
    if moderator is None:
        if len(candidates) != 1:
            raise ValueError(
                f"the model has {len(candidates)} moderator columns "
                f"({', '.join(names[j] for j in candidates)}); choose one with "
                f"moderator="
            )
        j = candidates[0]
    elif isinstance(moderator, str):
        if moderator not in names:
            raise ValueError(
                f"moderator {moderator!r} is not a coefficient; choose one of "
                f"{', '.join(names[j] for j in candidates)}"
            )
        j = names.index(moderator)
    else:
        j = int(moderator)
        if j not in candidates:
            raise ValueError(f"moderator index must be one of {candidates}; got {moderator!r}")
    inc = np.asarray(result.included, bool)
    X = np.asarray(result.X, float)[inc]
    x = X[:, j]
    if np.unique(x).size < 3:
        raise ValueError(
            f"moderator {names[j]!r} takes {np.unique(x).size} distinct values; a "
            f"bubble plot needs a continuous moderator"
        )
    y = np.asarray(result.yi, float)[inc]
    w = 1.0 / (np.asarray(result.vi, float)[inc] + result.tau2)
    grid = np.linspace(x.min(), x.max(), points)
    means = X.mean(axis=0)
    rows = np.tile(means, (points, 1))
    rows[:, j] = grid
    pred = result.predict(rows)
    held = {n: float(means[i]) for i, n in enumerate(names) if i != j}
    labels = tuple(lab for lab, keep in zip(result.labels, inc) if keep)
    return BubbleData(
        moderator=names[j],
        x=x,
        y=y,
        weight=100 * w / w.sum(),
        labels=labels,
        grid=grid,
        fit=pred.estimate,
        ci_lower=pred.ci_lower,
        ci_upper=pred.ci_upper,
        held=held,
        level=result.level,
    )


def bubble_plot(
    result,
    moderator: str | int | None = None,
    *,
    transform: str | None = "auto",
    ci: bool = True,
    labels: bool = False,
    title: str | None = None,
    width: float = 3.6,
    height: float = 3.0,
    font_size: float = style.FONT_SIZE,
):
    """Bubble plot of a meta-regression on one continuous moderator.

    Parameters
    ----------
    result : MetaRegression
    moderator : str or int, optional
        The moderator on the x axis (see :func:`bubble_data`).
    transform : {"auto", "exp", "tanh", "expit", None}
        Show effects back-transformed: "auto" (default) the measure's own
        back-transformation (ratio measures exponentiated on a log axis, Fisher's z as r,
        logits as proportions, on the analysis scale with tick labels in the shown units);
        "exp", "tanh", "expit" always; None never.
    ci : bool
        Draw the confidence band of the regression line.
    labels : bool
        Write study labels next to the bubbles.
    title : str, optional
    width, height : float
        Size of the plotting area in inches.
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Bubble areas are proportional to the model weights :math:`1/(v_i + \\hat\\tau^2)`.

    Example
    -------
    >>> fig = bubble_plot(me.meta_regression(es, "~ ablat", data=bcg), transform="exp")
    """
    d = bubble_data(result, moderator)
    measure = getattr(result, "measure", "GEN")
    shown = lab.resolve_transform(transform, measure)
    _check_size(width=width, height=height, font_size=font_size)
    f = shown.array
    font = style.font(size=font_size)
    small = style.font(size=font_size * style.SMALL_FONT_SIZE / style.FONT_SIZE)
    band = np.r_[d.ci_lower, d.ci_upper] if ci else d.fit
    area = 600.0 * d.weight / d.weight.max() * (width * height / 10.8)
    # pad the axes so that the largest bubble at an extreme stays inside them
    radius = math.sqrt(600.0 * width * height / 10.8) / 2 / 72 + 0.03  # inches
    ys = data_scale(
        f(np.r_[d.y, band]),
        log=shown.axis == "log",
        pad=_bubble_pad(radius, height),
        link=shown.axis if shown.axis in LINKS else None,
    )
    xs = _linear(d.x, pad=_bubble_pad(radius, width))
    fig, ax = _axes(width, height, left=_left_margin(ys, font), top=0.3 + (0.25 if title else 0.0))
    with style_context():
        _apply(ax, "x", xs, font)
        _apply(ax, "y", ys, font)
        order = np.argsort(-d.weight)  # big bubbles first, small ones stay visible
        ax.scatter(
            d.x[order],
            f(d.y[order]),
            s=area[order],
            facecolors=style.STUDY,
            edgecolors=style.INK,
            linewidths=0.4,
            alpha=0.55,
            zorder=3,
            gid="studies",
        )
        if ci:
            ax.fill_between(
                d.grid,
                f(d.ci_lower),
                f(d.ci_upper),
                color=style.RULE,
                alpha=0.35,
                linewidth=0,
                zorder=1,
                gid="confidence-band",
            )
        ax.plot(
            d.grid,
            f(d.fit),
            color=style.INK,
            linewidth=style.LINE_WIDTH * 1.5,
            zorder=4,
            gid="regression-line",
        )
        if labels:
            for xi, yi, text in zip(d.x, f(d.y), d.labels):
                ax.annotate(
                    text,
                    (xi, yi),
                    xytext=(3, 3),
                    textcoords="offset points",
                    fontproperties=small,
                    color=style.MUTED,
                    parse_math=False,
                )
        back = {None: "", "exp": " (exponentiated)"}.get(shown.name, f" ({shown.name})")
        ylabel = (
            "Effect size" + back
            if measure == "GEN"
            else lab.effect_name(measure, transform=shown.name) + lab.axis_note(measure, shown.name)
        )
        ax.set_xlabel(d.moderator, fontproperties=font)
        ax.set_ylabel(ylabel, fontproperties=font)
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig
