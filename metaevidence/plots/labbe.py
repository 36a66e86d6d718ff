"""L'Abbe plot: each study's outcome in the experimental arm against the control arm.

Drawn from a fitted :class:`~metaevidence.stats.results.MetaAnalysis` of two-arm counts
(2x2 tables or events and person-times), never re-fitted: :func:`labbe_data` holds every
number drawn. As metafor's ``labbe.rma``, the arms are drawn on the scale whose difference
is the pooled measure (log odds for OR, log risks for RR, risks for RD, arcsine roots for
AS, log rates for IRR, rates for IRD, root rates for IRSD), so that the line of no effect
is y = x and the pooled estimate is the parallel line y = x + estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.plots import style
from metaevidence.plots.diagnostics import _apply, _axes, _check_size, _frame, _left_margin, _linear
from metaevidence.plots.output import style_context

__all__ = ["LabbeData", "labbe_data", "labbe_plot"]

#: pooled measure -> (arm outcome, axis name, data kind)
_ARMS = {
    "OR": ("PLO", "Log odds", "counts"),
    "RR": ("PLN", "Log risk", "counts"),
    "RD": ("PR", "Risk", "counts"),
    "AS": ("PAS", "Arcsine square-root risk", "counts"),
    "IRR": ("IRLN", "Log incidence rate", "rates"),
    "IRD": ("IR", "Incidence rate", "rates"),
    "IRSD": ("IRS", "Square-root incidence rate", "rates"),
}

#: point sizes: metafor's plim (cex 0.5 to 3.5), linear in the arms' precision
PLIM = (0.5, 3.5)


@dataclass(frozen=True, slots=True)
class LabbeData:
    """Every number a L'Abbe plot shows (included studies, in the result's order).

    Attributes
    ----------
    x, y : ndarray (k,)
        Outcome of the control (x) and experimental (y) arm on the arm scale ``arm``.
    vx, vy : ndarray (k,)
        Their sampling variances.
    size : ndarray (k,)
        Relative point size, metafor's ``cex``: :math:`1/\\sqrt{v_x + v_y}` scaled
        linearly onto 0.5-3.5.
    labels : tuple of str (k)
    measure, arm : str
        The pooled measure and the arm outcome (metafor's escalc names: PLO, PLN, PR,
        PAS, IRLN, IR, IRS).
    estimate, ci_lower, ci_upper : float
        The pooled estimate and its CI; the drawn lines are y = x + these (y = x - these
        when ``flip``).
    pi_lower, pi_upper : float
        The prediction interval (NaN for a common-effect fit).
    add : float
        Zero-cell correction applied to the arms (see :func:`labbe_data`).
    flip : bool
        Whether the arms are swapped: the experimental arm on x, the control arm on y.
    """

    x: np.ndarray
    y: np.ndarray
    vx: np.ndarray
    vy: np.ndarray
    size: np.ndarray
    labels: tuple[str, ...]
    measure: str
    arm: str
    estimate: float
    ci_lower: float
    ci_upper: float
    add: float | str
    pi_lower: float = float("nan")
    pi_upper: float = float("nan")
    flip: bool = False

    def offset(self, value: float) -> float:
        """The intercept of the line y = x + c drawn for the effect ``value``."""
        return -value if self.flip else value


def _arm(kind, arm, events, total, add, to, any_zero):
    """One arm's outcome and variance, with metafor's escalc zero-cell rule per arm."""
    events, total = np.asarray(events, float), np.asarray(total, float)
    if kind == "counts":
        zero = (events == 0) | (events == total)
    else:
        zero = events == 0
    if to == "all" or (to == "if0all" and any_zero):
        fix = np.ones(events.shape, bool)
    elif to == "only0":
        fix = zero
    else:
        fix = np.zeros(events.shape, bool)
    a = np.where(fix, add, 0.0)
    if kind == "counts":
        x, n = events + a, total + 2 * a
        p = x / n
        if arm == "PLO":
            return np.log(x / (n - x)), 1 / x + 1 / (n - x)
        if arm == "PLN":
            return np.log(p), 1 / x - 1 / n
        if arm == "PR":
            return p, p * (1 - p) / n
        return np.arcsin(np.sqrt(p)), 1 / (4 * n)  # PAS
    x, t = events + a, total
    if arm == "IRLN":
        return np.log(x / t), 1 / x
    if arm == "IR":
        return x / t, x / t**2
    return np.sqrt(x / t), 1 / (4 * t)  # IRS


def labbe_data(result, *, flip: bool = False) -> LabbeData:
    """The numbers of a L'Abbe plot: both arms' outcomes of each included study.

    Parameters
    ----------
    result : MetaAnalysis
        An inverse-variance fit of one of OR, RR, RD, AS (2x2 counts) or IRR, IRD, IRSD
        (events and person-times) made from :func:`~metaevidence.effect_sizes` data.
    flip : bool
        Put the experimental arm on x and the control arm on y (metafor 5's ``flip``).

    Returns
    -------
    LabbeData

    Notes
    -----
    Each arm is computed as escalc's single-group measure of it (PLO, PLN, PR, PAS; IRLN,
    IR, IRS) with the effect sizes' ``add`` and ``to``, applied arm by arm: under
    ``to="only0"`` only an arm with no events (or, for counts, only events) is corrected,
    so the other arm of the same study keeps its observed value; AS and IRSD are never
    corrected (their escalc ``add`` is 0); with ``add="TACC"`` each arm gets its
    treatment-arm increment (its share of the two groups' total). Point sizes are linear in
    :math:`1/\\sqrt{v_x + v_y}` from 0.5 to 3.5 (metafor's ``plim``).

    Matches ``metafor::labbe.rma`` (metafor 3.8-1): its returned x, y and cex; with
    ``flip``, metafor 5.1-12's swapped x and y. (metafor 5.1-12 then still draws its
    lines at y = x + estimate, on the far side of the swapped points; here they are at
    y = x - estimate, where the effect puts them.)

    Example
    -------
    >>> d = labbe_data(res)  # a fit of risk ratios from 2x2 counts
    >>> d.arm, d.x.size
    ('PLN', 13)
    """
    measure = str(getattr(result, "measure", ""))
    es = getattr(result, "effects", None)
    if not isinstance(flip, (bool, np.bool_)):
        raise TypeError(f"labbe_data: flip must be True or False; got {flip!r}")
    if measure not in _ARMS:
        raise ValueError(
            f"a L'Abbe plot draws two-arm binary or person-time data ({', '.join(_ARMS)}); got measure {measure!r}"
        )
    if es is None or not es.data:
        raise ValueError(
            "a L'Abbe plot needs the arms' data: fit the analysis from effect_sizes() of the counts, "
            "not from bare yi/vi"
        )
    arm, _, kind = _ARMS[measure]
    d = es.data
    inc = np.asarray(result.included, bool)
    if kind == "counts":
        e1, n1 = np.asarray(d["ai"], float), np.asarray(d["ai"], float) + np.asarray(d["bi"], float)
        e2, n2 = np.asarray(d["ci"], float), np.asarray(d["ci"], float) + np.asarray(d["di"], float)
        zeros = (e1 == 0) | (e1 == n1) | (e2 == 0) | (e2 == n2)
    else:
        e1, n1 = np.asarray(d["x1i"], float), np.asarray(d["t1i"], float)
        e2, n2 = np.asarray(d["x2i"], float), np.asarray(d["t2i"], float)
        zeros = (e1 == 0) | (e2 == 0)
    if es.add == "TACC":  # each arm its treatment-arm increment (counts only: OR, RR)
        add1, add2 = n1[inc] / (n1[inc] + n2[inc]), n2[inc] / (n1[inc] + n2[inc])
    else:
        add1 = add2 = 0.0 if measure in ("AS", "IRSD") else float(es.add)
    any_zero = bool(np.any(zeros[inc]))
    y, vy = _arm(kind, arm, e1[inc], n1[inc], add1, es.to, any_zero)
    x, vx = _arm(kind, arm, e2[inc], n2[inc], add2, es.to, any_zero)
    w = 1 / np.sqrt(vx + vy)
    span = w.max() - w.min()
    size = (w - w.min()) / span * (PLIM[1] - PLIM[0]) + PLIM[0] if span > 0 else np.full(w.shape, 1.0)
    labels = tuple(str(s) for s, keep in zip(result.labels, inc) if keep)
    if flip:
        x, y, vx, vy = y, x, vy, vx
    return LabbeData(
        x=x,
        y=y,
        vx=vx,
        vy=vy,
        size=size,
        labels=labels,
        measure=measure,
        arm=arm,
        estimate=float(result.estimate),
        ci_lower=float(result.ci_lower),
        ci_upper=float(result.ci_upper),
        add=es.add if es.add == "TACC" else add1,
        pi_lower=float(getattr(result, "pi_lower", np.nan)),
        pi_upper=float(getattr(result, "pi_upper", np.nan)),
        flip=bool(flip),
    )


def labbe_plot(
    result,
    *,
    ci: bool = False,
    pi: bool = False,
    flip: bool = False,
    legend: bool = False,
    group_labels: tuple[str, str] | None = None,
    title: str | None = None,
    width: float = 3.2,
    height: float = 3.2,
    font_size: float = style.FONT_SIZE,
):
    """L'Abbe plot: experimental-arm outcome against control-arm outcome per study.

    Parameters
    ----------
    result : MetaAnalysis
        A fit of two-arm counts (see :func:`labbe_data`).
    ci : bool
        Shade the band between y = x + ci_lower and y = x + ci_upper (metafor 5's ``ci=TRUE``).
    pi : bool
        Shade the wider band of the prediction interval, lighter (metafor 5's ``pi=TRUE``;
        nothing for a common-effect fit).
    flip : bool
        Experimental arm on x, control arm on y (metafor 5's ``flip``); the lines become
        y = x - estimate.
    legend : bool
        Name the points, lines and bands in a legend (metafor 5's ``legend``).
    group_labels : (str, str), optional
        Names of the experimental and control arms for the axis titles (default from the
        effect sizes' ``group_labels``, else "Experimental", "Control").
    title : str, optional
    width, height : float
        Size of the plotting area in inches.
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Points (areas scaled by :attr:`LabbeData.size`) are drawn largest first so that small
    studies stay visible; the dashed line is no effect (y = x), the solid line the pooled
    estimate (y = x + estimate), both on the arm scale, as metafor draws them.

    Example
    -------
    >>> fig = labbe_plot(res)
    """
    _check_size(width=width, height=height, font_size=font_size)
    d = labbe_data(result, flip=flip)
    es = result.effects
    groups = group_labels or getattr(es, "group_labels", None) or ("Experimental", "Control")
    name = _ARMS[d.measure][1]
    font = style.font(size=font_size)
    both = np.r_[d.x, d.y]
    xs = ys = _linear(both, pad=0.08)
    fig, ax = _axes(width, height, left=_left_margin(ys, font), top=0.3 + (0.25 if title else 0.0))
    with style_context():
        _apply(ax, "x", xs, font)
        _apply(ax, "y", ys, font)
        line = np.array([xs.lower, xs.upper])
        level = f"{round(100 * float(getattr(result, 'level', 0.95)), 4):g}%"
        if pi and np.isfinite(d.pi_lower):
            ax.fill_between(
                line,
                line + d.offset(d.pi_lower),
                line + d.offset(d.pi_upper),
                color=style.RULE,
                alpha=0.15,
                linewidth=0,
                zorder=1,
                gid="prediction-band",
                label=f"{level} prediction interval",
            )
        if ci:
            ax.fill_between(
                line,
                line + d.offset(d.ci_lower),
                line + d.offset(d.ci_upper),
                color=style.RULE,
                alpha=0.3,
                linewidth=0,
                zorder=1,
                gid="confidence-band",
                label=f"{level} CI",
            )
        ax.plot(
            line,
            line,
            color=style.MUTED,
            linestyle=(0, (4, 3)),
            linewidth=style.LINE_WIDTH,
            gid="no-effect",
            label="No effect",
        )
        ax.plot(
            line,
            line + d.offset(d.estimate),
            color=style.INK,
            linewidth=style.LINE_WIDTH * 1.5,
            gid="estimate",
            label="Pooled estimate",
        )
        ax.set_xlim(xs.lower, xs.upper)
        ax.set_ylim(ys.lower, ys.upper)
        order = np.argsort(-d.size, kind="stable")
        ax.scatter(
            d.x[order],
            d.y[order],
            s=(6.0 * d.size[order]) ** 2,
            facecolors=style.STUDY,
            edgecolors=style.INK,
            linewidths=0.4,
            alpha=0.6,
            zorder=3,
            gid="studies",
            label="Studies",
        )
        on_x, on_y = (groups[0], groups[1]) if flip else (groups[1], groups[0])
        ax.set_xlabel(f"{name} ({on_x})", fontproperties=font)
        ax.set_ylabel(f"{name} ({on_y})", fontproperties=font)
        if legend:
            from matplotlib.lines import Line2D

            handles, names = ax.get_legend_handles_labels()
            marker = Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=6,
                markerfacecolor=style.STUDY,
                markeredgecolor=style.INK,
                markeredgewidth=0.4,
                alpha=0.6,
            )
            handles = [marker if n == "Studies" else h for h, n in zip(handles, names)]
            # the corner away from the studies: most lie on one side of the diagonal
            corner = "upper left" if np.mean(d.y < d.x) >= 0.5 else "lower right"
            ax.legend(handles, names, loc=corner, prop=style.font(size=font_size * 0.85), frameon=False)
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig
