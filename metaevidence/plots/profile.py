"""Profile plot of the (restricted) log-likelihood over tau^2.

Drawn from a fitted random-effects :class:`~metaevidence.stats.results.MetaAnalysis` or
:class:`~metaevidence.stats.regression.MetaRegression`; :func:`profile_data` holds every
number drawn. At each tau^2 of a grid the fixed effects are re-estimated by weighted least
squares and the log-likelihood evaluated there (:func:`metaevidence.core.regression.log_likelihood`),
so a well-identified tau^2 shows a single peak at its estimate (metafor's
``profile.rma.uni``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.plots import style
from metaevidence.plots.diagnostics import _apply, _axes, _check_size, _frame, _left_margin, _linear
from metaevidence.plots.output import style_context

__all__ = ["ProfileData", "profile_data", "profile_plot"]

_COMMON = ("EE", "FE", "CE", "MH", "PETO")


@dataclass(frozen=True, slots=True)
class ProfileData:
    """Every number a tau^2 profile plot shows.

    Attributes
    ----------
    tau2 : ndarray (m,)
        The grid.
    loglik : ndarray (m,)
        Log-likelihood at each grid value (restricted when ``reml``).
    beta : ndarray (m, p)
        Fixed effects re-estimated at each grid value.
    tau2_hat, loglik_hat : float
        The fit's estimate and the log-likelihood there (the dotted lines).
    xlim : (float, float)
        Ends of the grid.
    reml : bool
    method : str
    """

    tau2: np.ndarray
    loglik: np.ndarray
    beta: np.ndarray
    tau2_hat: float
    loglik_hat: float
    xlim: tuple[float, float]
    reml: bool
    method: str


def _default_limits(result) -> tuple[float, float]:
    """The Q-profile CI of tau^2 (metafor's default), widened where it is degenerate."""
    from metaevidence.stats.profile import heterogeneity_ci

    tau2 = float(result.tau2)
    try:
        lo, hi = heterogeneity_ci(result).tau2
    except (ValueError, ArithmeticError):
        lo, hi = np.nan, np.nan
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        lo, hi = 0.0, max(4 * tau2, 1e-3)  # not metafor's: it then has no CI either
    return float(lo), float(hi)


def profile_data(result, *, xlim: tuple[float, float] | None = None, steps: int = 20) -> ProfileData:
    """The (restricted) log-likelihood of a fit profiled over a grid of tau^2 values.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        A random-effects fit (any tau^2 estimator; REML fits profile the restricted
        likelihood, all others the ordinary one, as metafor).
    xlim : (float, float), optional
        Ends of the grid, 0 <= lower < upper. Default: the Q-profile confidence interval
        of tau^2 (:func:`~metaevidence.heterogeneity_ci`), as metafor.
    steps : int
        Grid points (evenly spaced, both ends included), at least 2.

    Returns
    -------
    ProfileData

    Notes
    -----
    At each :math:`\\tau^2`, :math:`\\hat\\beta(\\tau^2)` is the weighted least-squares
    estimate with weights :math:`1/(v_i + \\tau^2)` and the likelihood that of
    :func:`metaevidence.core.regression.log_likelihood`. Where the Q-profile interval is
    degenerate (both bounds 0) the default grid is [0, max(4 tau^2, 0.001)] (metafor then
    chooses its own fallback).

    Matches ``metafor::profile.rma.uni`` (metafor 3.8-1): its ``tau2``, ``ll`` and
    ``beta``, default limits included.

    Example
    -------
    >>> d = profile_data(res, xlim=(0, 2), steps=41)
    >>> d.tau2.size, d.reml
    (41, True)
    """
    from metaevidence.core.regression import log_likelihood
    from metaevidence.stats.influence import model_inputs

    method = str(getattr(result, "method", ""))
    if method in _COMMON or not np.isfinite(getattr(result, "tau2", np.nan)):
        raise ValueError(
            f"a tau^2 profile needs a random-effects fit; got method {method!r}, which has no tau^2"
        )
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2; got {steps!r}")
    if xlim is None:
        xlim = _default_limits(result)
    lo, hi = (float(v) for v in xlim)
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 <= lo < hi):
        raise ValueError(f"xlim must be two numbers 0 <= lower < upper; got {xlim!r}")
    yi, vi, X, *_ = model_inputs(result, "profile_plot")
    reml = method == "REML"
    grid = np.linspace(lo, hi, int(steps))
    mask = np.ones(yi.size, bool)
    ll = np.array([float(log_likelihood(yi, vi, X, mask, t, reml=reml)) for t in grid])
    beta = np.empty((grid.size, X.shape[1]))
    for j, t in enumerate(grid):
        w = 1 / (vi + t)
        beta[j] = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * yi))
    tau2_hat = float(result.tau2)
    return ProfileData(
        tau2=grid,
        loglik=ll,
        beta=beta,
        tau2_hat=tau2_hat,
        loglik_hat=float(log_likelihood(yi, vi, X, mask, tau2_hat, reml=reml)),
        xlim=(lo, hi),
        reml=reml,
        method=method,
    )


def profile_plot(
    result,
    *,
    xlim: tuple[float, float] | None = None,
    steps: int = 20,
    title: str | None = None,
    width: float = 3.4,
    height: float = 2.6,
    font_size: float = style.FONT_SIZE,
):
    """Profile plot of the (restricted) log-likelihood over tau^2.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
    xlim, steps
        As :func:`profile_data`.
    title : str, optional
    width, height : float
        Size of the plotting area in inches.
    font_size : float

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Points joined by lines (metafor's ``type="o"``); dotted lines mark the estimate and
    the log-likelihood there.

    Example
    -------
    >>> fig = profile_plot(res)
    """
    _check_size(width=width, height=height, font_size=font_size)
    d = profile_data(result, xlim=xlim, steps=steps)
    font = style.font(size=font_size)
    ys = _linear(np.r_[d.loglik, d.loglik_hat], pad=0.06)
    xs = _linear(np.r_[d.tau2, d.tau2_hat], pad=0.03)
    fig, ax = _axes(width, height, left=_left_margin(ys, font), top=0.3 + (0.25 if title else 0.0))
    with style_context():
        _apply(ax, "x", xs, font)
        _apply(ax, "y", ys, font)
        dotted = dict(color=style.MUTED, linewidth=style.LINE_WIDTH, linestyle=(0, (1, 2)), zorder=1)
        ax.axvline(d.tau2_hat, **dotted, gid="estimate")
        ax.axhline(d.loglik_hat, **dotted, gid="maximum")
        ax.plot(
            d.tau2,
            d.loglik,
            color=style.INK,
            linewidth=style.LINE_WIDTH,
            marker="o",
            markersize=3.2,
            markerfacecolor=style.STUDY,
            markeredgewidth=0,
            zorder=3,
            gid="profile",
        )
        ax.set_xlim(xs.lower, xs.upper)
        ax.set_ylim(ys.lower, ys.upper)
        ax.set_xlabel("\u03c4\u00b2", fontproperties=font)
        kind = "Restricted log-likelihood" if d.reml else "Log-likelihood"
        ax.set_ylabel(kind, fontproperties=font)
        _frame(ax, font)
        if title:
            ax.set_title(title, fontproperties=style.font(bold=True, size=font_size), loc="left")
    return fig
