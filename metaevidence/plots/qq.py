"""Normal Q-Q plot of a fit's standardized residuals, with a simulated envelope.

Drawn from a fitted :class:`~metaevidence.stats.results.MetaAnalysis` or
:class:`~metaevidence.stats.regression.MetaRegression`; :func:`qq_data` holds every number
drawn. The residuals are :func:`metaevidence.rstandard`'s; the pseudo-confidence envelope
is simulated from the fitted model with a seeded generator, so the same call always draws
the same envelope (metafor's ``qqnorm.rma.uni``, which draws it from R's global random
stream), and smoothed with Friedman's SuperSmoother as metafor does by default.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from metaevidence.core.smooth import supsmu
from metaevidence.plots import style
from metaevidence.plots.diagnostics import _apply, _axes, _check_size, _frame, _left_margin, _linear
from metaevidence.plots.output import style_context

__all__ = ["QQData", "qq_data", "qq_plot"]

#: Default seed of the envelope simulation (any fixed integer: the figure must not vary).
DEFAULT_SEED = 20261203


@dataclass(frozen=True, slots=True)
class QQData:
    """Every number a normal Q-Q plot shows.

    Attributes
    ----------
    x, y : ndarray (k,)
        Theoretical normal quantile and standardized residual of each included study (in
        the result's order; the points are these pairs).
    labels : tuple of str (k)
    envelope_x : ndarray (k,)
        The sorted theoretical quantiles.
    envelope_lower, envelope_upper : ndarray (k,) or None
        Pointwise quantiles of the simulated sorted residuals, smoothed when ``smooth``
        (None without an envelope).
    level : float
        Envelope level (Bonferroni-corrected to 1 - (1 - level)/k when asked).
    reps, seed : int
    smooth : bool
        Whether the bounds were smoothed (:func:`~metaevidence.core.smooth.supsmu`).
    bass : float
        The smoother's bass setting.
    """

    x: np.ndarray
    y: np.ndarray
    labels: tuple[str, ...]
    envelope_x: np.ndarray
    envelope_lower: np.ndarray | None
    envelope_upper: np.ndarray | None
    level: float
    reps: int
    seed: int
    smooth: bool = True
    bass: float = 0.0


def _ppoints(k: int) -> np.ndarray:
    """Plotting positions (i - a)/(k + 1 - 2a), a = 3/8 for k <= 10 else 1/2 (R's ppoints)."""
    a = 0.375 if k <= 10 else 0.5
    return (np.arange(1, k + 1) - a) / (k + 1 - 2 * a)


def qq_data(
    result,
    *,
    envelope: bool = True,
    level: float | None = None,
    bonferroni: bool = False,
    reps: int = 1000,
    seed: int = DEFAULT_SEED,
    smooth: bool = True,
    bass: float = 0.0,
) -> QQData:
    """The numbers of a normal Q-Q plot of internally standardized residuals.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
    envelope : bool
        Simulate the pseudo-confidence envelope.
    level : float, optional
        Envelope level; default the fit's.
    bonferroni : bool
        Bonferroni-correct the level: 1 - (1 - level)/k.
    reps : int
        Simulated residual sets.
    seed : int
        Seed of the simulation (``numpy.random.default_rng``).
    smooth : bool
        Smooth each bound against the theoretical quantiles with Friedman's
        SuperSmoother (metafor's default ``smooth=TRUE``).
    bass : float
        The smoother's bass, 0 to 10 (higher is smoother; metafor's ``bass``).

    Returns
    -------
    QQData

    Notes
    -----
    With :math:`M = \\operatorname{diag}(v_i + \\hat\\tau^2)` and the hat matrix
    :math:`H = X(X^\\top M^{-1}X)^{-1}X^\\top M^{-1}`, each replicate draws standard
    normal noise :math:`\\varepsilon \\sim N(0, I_k)`, projects it to residuals
    :math:`(I - H)\\varepsilon` and sorts them; the envelope is the pointwise
    :math:`(1 \\mp level)/2` quantiles over replicates (numpy's default linear
    quantiles, R's type 7). This is metafor's construction (after Cook & Weisberg 1982):
    the projected noise stands in for standardized residuals, whose variance is near 1.
    With ``smooth`` each bound is replaced by :func:`~metaevidence.core.smooth.supsmu`
    of it against the theoretical quantiles, as metafor does.

    Matches ``metafor::qqnorm.rma.uni`` (metafor 3.8-1 and 5.1-12): its points exactly;
    its envelope to Monte Carlo error (different random streams); its smoothing step
    exactly (R's ``supsmu`` of the same simulated bounds, to 1e-12).

    Example
    -------
    >>> d = qq_data(res, reps=2000)
    """
    from metaevidence.stats.influence import model_inputs
    from metaevidence.stats.regression_tools import rstandard

    if not isinstance(reps, (int, np.integer)) or isinstance(reps, bool) or reps < 10:
        raise ValueError(f"reps must be an integer >= 10; got {reps!r}")
    if str(getattr(result, "method", "")) in ("MH", "PETO"):
        raise ValueError(
            f"a Q-Q plot of standardized residuals needs an inverse-variance fit; got a {result.method} fit"
        )
    level = float(result.level if level is None else level)
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    if (
        isinstance(bass, bool)
        or not isinstance(bass, (int, float, np.integer, np.floating))
        or not 0 <= bass <= 10
    ):
        raise ValueError(f"bass must be a number in [0, 10]; got {bass!r}")
    res = rstandard(result)
    z = np.asarray(res.z, float)
    k = z.size
    order = np.argsort(z, kind="stable")
    q = ndtri(_ppoints(k))
    x = np.empty(k)
    x[order] = q
    lower = upper = None
    if bonferroni:
        level = 1 - (1 - level) / k
    if envelope:
        _, vi, X, *_ = model_inputs(result, "qq_plot")
        m = vi + float(result.tau2 if np.isfinite(result.tau2) else 0.0)
        w = 1 / m
        H = X @ np.linalg.inv(X.T @ (w[:, None] * X)) @ X.T * w[None, :]
        eps = np.random.default_rng(seed).standard_normal((reps, k))
        sims = np.sort(eps @ (np.eye(k) - H).T, axis=1)
        lower = np.quantile(sims, (1 - level) / 2, axis=0)
        upper = np.quantile(sims, (1 + level) / 2, axis=0)
        if smooth:
            lower = smooth_bound(q, lower, bass)
            upper = smooth_bound(q, upper, bass)
    return QQData(
        x=x,
        y=z,
        labels=tuple(res.labels),
        envelope_x=q,
        envelope_lower=lower,
        envelope_upper=upper,
        level=level,
        reps=int(reps),
        seed=int(seed),
        smooth=bool(smooth),
        bass=float(bass),
    )


def smooth_bound(q: np.ndarray, bound: np.ndarray, bass: float = 0.0) -> np.ndarray:
    """One simulated envelope bound smoothed against the sorted theoretical quantiles ``q``
    (metafor's ``supsmu(x, bound, bass=bass)$y``; the quantiles are distinct).
    """
    return supsmu(q, bound, bass=float(bass))[1]


def qq_plot(
    result,
    *,
    envelope: bool = True,
    level: float | None = None,
    bonferroni: bool = False,
    reps: int = 1000,
    seed: int = DEFAULT_SEED,
    smooth: bool = True,
    bass: float = 0.0,
    title: str | None = None,
    width: float = 3.2,
    height: float = 3.0,
    font_size: float = style.FONT_SIZE,
):
    """Normal Q-Q plot of a fit's standardized residuals with a pseudo-confidence envelope.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
    envelope, level, bonferroni, reps, seed, smooth, bass
        As :func:`qq_data`.
    title : str, optional
    width, height : float
        Size of the plotting area in inches.
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The diagonal is y = x; points outside the dashed envelope are residuals larger than
    the fitted model makes plausible at that rank.

    Example
    -------
    >>> fig = qq_plot(res)
    """
    _check_size(width=width, height=height, font_size=font_size)
    d = qq_data(
        result,
        envelope=envelope,
        level=level,
        bonferroni=bonferroni,
        reps=reps,
        seed=seed,
        smooth=smooth,
        bass=bass,
    )
    font = style.font(size=font_size)
    span = [d.x, d.y] + ([d.envelope_lower, d.envelope_upper] if envelope else [])
    ys = _linear(np.concatenate(span), pad=0.06)
    xs = _linear(d.x, pad=0.08)
    fig, ax = _axes(width, height, left=_left_margin(ys, font), top=0.3 + (0.25 if title else 0.0))
    with style_context():
        _apply(ax, "x", xs, font)
        _apply(ax, "y", ys, font)
        lo, hi = max(xs.lower, ys.lower), min(xs.upper, ys.upper)
        ax.plot([lo, hi], [lo, hi], color=style.MUTED, linewidth=style.LINE_WIDTH, gid="diagonal")
        if envelope:
            for bound, gid in ((d.envelope_lower, "envelope-lower"), (d.envelope_upper, "envelope-upper")):
                ax.plot(
                    d.envelope_x,
                    bound,
                    color=style.INK,
                    linestyle=(0, (3, 2)),
                    linewidth=style.LINE_WIDTH,
                    gid=gid,
                )
        ax.scatter(d.x, d.y, s=4.5**2, color=style.STUDY, linewidths=0, zorder=3, gid="studies")
        ax.set_xlim(xs.lower, xs.upper)
        ax.set_ylim(ys.lower, ys.upper)
        ax.set_xlabel("Theoretical quantiles", fontproperties=font)
        ax.set_ylabel("Standardized residuals", fontproperties=font)
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig
