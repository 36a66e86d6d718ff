"""Q-profile confidence intervals for the heterogeneity of a fit: the face of
:mod:`metaevidence.core.profile` (``heterogeneity_ci`` and its :class:`HeterogeneityCI`).

Matches metafor's ``confint(res)`` (Q-profile method; Viechtbauer 2007).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from metaevidence.core import profile as _profile
from metaevidence.core.batch import prepare
from metaevidence.display.summary import Summary, Table, compact_repr, fmt
from metaevidence.errors import ConvergenceWarning
from metaevidence.stats.results import MetaAnalysis

__all__ = ["HeterogeneityCI", "heterogeneity_ci"]

_NAN = float("nan")


@dataclass(frozen=True, slots=True)
class HeterogeneityCI:
    """Q-profile confidence intervals for tau^2, tau, I^2 and H^2 (metafor ``confint()``).

    Attributes
    ----------
    tau2, tau, i2, h2 : tuple of float
        ``(lower, upper)`` bounds (I^2 in percent).
    estimate_tau2, estimate_tau, estimate_i2, estimate_h2 : float
        The model's estimates (the ``estimate`` column of metafor's output).
    level : float
    method : str
        "QP" (Q-profile).
    notes : tuple of str
        Bounds that are 0, that fall below 0 (empty interval) or beyond the searched
        range, in words.
    lower_status, upper_status : str
        "found", "zero" (truncated at 0), "below zero" (both bounds below 0: the empty
        set, reported as [0, 0]), "above tau2_max" (the bound lies beyond the search
        limit, which is reported), as metafor's ``"<"`` / ``">"`` signs.
    tau2_max : float
        Upper end of the searched interval.
    """

    tau2: tuple[float, float]
    tau: tuple[float, float]
    i2: tuple[float, float]
    h2: tuple[float, float]
    estimate_tau2: float
    level: float
    method: str = "QP"
    notes: tuple[str, ...] = ()
    estimate_tau: float = _NAN
    estimate_i2: float = _NAN
    estimate_h2: float = _NAN
    lower_status: str = "found"
    upper_status: str = "found"
    tau2_max: float = _NAN

    def _sign(self, status: str) -> str:
        return {"below zero": "<", "above tau2_max": ">"}.get(status, "")

    def summary(self, digits: int = 4) -> Summary:
        """Metafor's ``confint()`` table (estimate, ci.lb, ci.ub) with its notes."""
        d = digits
        ls, us = self._sign(self.lower_status), self._sign(self.upper_status)
        rows = []
        for name, est, (lo, hi), dd in (
            ("tau^2", self.estimate_tau2, self.tau2, d),
            ("tau", self.estimate_tau, self.tau, d),
            ("I^2(%)", self.estimate_i2, self.i2, d),
            ("H^2", self.estimate_h2, self.h2, d),
        ):
            rows.append((name, fmt(est, dd), ls + fmt(lo, dd), us + fmt(hi, dd)))
        blocks: list = [Table(("", "estimate", "ci.lb", "ci.ub"), tuple(rows))]
        blocks.extend(self.notes)
        return Summary(
            f"Q-profile confidence intervals for heterogeneity (level {100 * self.level:g}%)", tuple(blocks)
        )

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        return compact_repr(
            self,
            level=self.level,
            tau2=self.tau2,
            i2=self.i2,
            estimate_tau2=self.estimate_tau2,
            estimate_i2=self.estimate_i2,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def to_frame(self):
        """Rows tau2, tau, i2, h2 with columns estimate, ci_lower, ci_upper (raw floats)."""
        import pandas as pd

        return pd.DataFrame(
            {
                "estimate": [self.estimate_tau2, self.estimate_tau, self.estimate_i2, self.estimate_h2],
                "ci_lower": [self.tau2[0], self.tau[0], self.i2[0], self.h2[0]],
                "ci_upper": [self.tau2[1], self.tau[1], self.i2[1], self.h2[1]],
            },
            index=pd.Index(["tau2", "tau", "i2", "h2"], name="parameter"),
        )


def heterogeneity_ci(
    result: MetaAnalysis,
    level: float | None = None,
    *,
    tau2_max: float | None = None,
    tol: float = 1e-12,
    maxiter: int = 100,
) -> HeterogeneityCI:
    """Q-profile confidence intervals for tau^2, tau, I^2 and H^2 of a random-effects fit.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        A random-effects fit (not EE/FE/MH/PETO: as metafor, a common-effect model has
        no heterogeneity parameter to bound); for a meta-regression, the residual tau^2
        (and residual I^2, H^2) on k - p df, as ``confint()`` of ``rma(mods=)``.
    level : float, optional
        Confidence level; default the result's level.
    tau2_max : float, optional
        Upper end of the search: a bound beyond it is reported as ``tau2_max`` and noted
        (metafor's ``">"``). Default: start at metafor's ``max(100, 10 * tau2)`` and raise
        the limit tenfold until it brackets the upper bound, so the bound is found (where
        metafor 3.8-5.x print ``">"`` unless given a larger ``control=list(tau2.max=)``).
    tol, maxiter : float, int
        Root-finder settings.

    Returns
    -------
    HeterogeneityCI

    Raises
    ------
    ValueError
        For a common-effect fit, a single study, or a level outside (0, 1).

    Notes
    -----
    :math:`Q(\\tau^2) = \\sum (y_i - \\hat\\mu(\\tau^2))^2/(v_i + \\tau^2)` is inverted at
    the chi-square quantiles on k - 1 df (Viechtbauer, 2007, Stat Med 26:37). Matches
    ``metafor::confint.rma.uni()``; see :mod:`metaevidence.core.profile` for the rules
    on bounds that are 0 or not found.

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([-0.89, -1.59, -1.35, -1.44, -0.22],
    ...                        [0.33, 0.19, 0.42, 0.02, 0.05])
    >>> ci = me.heterogeneity_ci(res)
    >>> ci.tau2[0] <= res.tau2 <= ci.tau2[1]
    True
    """
    where = "heterogeneity_ci"
    from metaevidence.stats.regression import MetaRegression

    regression = isinstance(result, MetaRegression)
    if not (isinstance(result, MetaAnalysis) or regression):
        raise TypeError(
            f"{where}: result must be a MetaAnalysis or MetaRegression; got {type(result).__name__}"
            f" (for batches use metaevidence.core.profile.q_profile_ci)"
        )
    if result.method in ("EE", "FE", "MH", "PETO") if regression else not result.random_effects:
        raise ValueError(
            f"{where}: the model has no random-effects component "
            f"(method={result.method!r}); refit with a tau^2 estimator "
            f"such as method='REML'"
        )
    p = result.p if isinstance(result, MetaRegression) else 1
    if result.k < 2 + (p - 1):
        need = f"{p + 1} studies (p + 1)" if regression else "2 studies"
        raise ValueError(f"{where}: needs at least {need}; got k = {result.k}")
    level = result.level if level is None else level
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    # meta-regression: Q_E(tau^2) of the residuals, inverted on k - p df (metafor confint)
    X = np.where(result.included[:, None], result.X, 0.0) if isinstance(result, MetaRegression) else None
    s = prepare(result.yi, np.where(result.included, result.vi, np.nan), None, X)
    with np.errstate(divide="ignore", invalid="ignore"):
        qp = _profile.q_profile(
            s, np.array([result.tau2]), level=float(level), tau2_max=tau2_max, tol=tol, maxiter=maxiter
        )
    lo, hi, vt = float(qp.lower[0]), float(qp.upper[0]), float(qp.vt[0])
    ls = _profile.STATUS_NAMES[int(qp.lower_status[0])]
    us = _profile.STATUS_NAMES[int(qp.upper_status[0])]
    tmax = float(qp.tau2_max[0])
    notes = []
    if ls == "below zero":
        notes.append(
            "The upper and lower CI bounds for tau^2 both fall below 0; the CIs "
            "are therefore equal to the null/empty set (reported as [0, 0])."
        )
    elif ls == "zero":
        notes.append(
            "The lower bound for tau^2 is 0 (Q at tau^2 = 0 is below the upper chi-square quantile)."
        )
    if ls == "above tau2_max":
        notes.append(f"The lower bound lies above tau2_max = {tmax:g}; raise tau2_max.")
    if us == "above tau2_max":
        notes.append(
            f"The upper bound lies above tau2_max = {tmax:g} (reported as "
            f"tau2_max); raise tau2_max to find it."
        )
    if not bool(qp.converged[0]):
        notes.append("The root finder did not converge; bounds are approximate.")
        warnings.warn(
            f"{where}: the Q-profile bound search did not converge in {maxiter} "
            f"iterations; try a larger maxiter.",
            ConvergenceWarning,
            stacklevel=2,
        )
    i2 = _profile.tau2_to_i2
    h2 = _profile.tau2_to_h2
    return HeterogeneityCI(
        tau2=(lo, hi),
        tau=(lo**0.5, hi**0.5),
        i2=(float(i2(lo, vt)), float(i2(hi, vt))),
        h2=(float(h2(lo, vt)), float(h2(hi, vt))),
        estimate_tau2=result.tau2,
        level=float(level),
        method="QP",
        notes=tuple(notes),
        estimate_tau=result.tau,
        estimate_i2=result.i2,
        estimate_h2=result.h2,
        lower_status=ls,
        upper_status=us,
        tau2_max=tmax,
    )
