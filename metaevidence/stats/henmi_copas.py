"""The Henmi & Copas (2010) interval: the face of ``metafor::hc()`` (formulas and their
derivation in :mod:`metaevidence.core.henmi_copas`).

A sensitivity analysis for small-study effects: the fixed-effect estimate, which does not
up-weight small studies as the random-effects mean does, with an interval as wide as the
heterogeneity demands. When it and the random-effects estimate differ, the small studies pull
the pooled result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metaevidence.core.henmi_copas import henmi_copas_fit
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, notes
from metaevidence.stats._inputs import analysis_inputs

__all__ = ["HenmiCopas", "henmi_copas"]


@dataclass(frozen=True, slots=True)
class HenmiCopas:
    """Result of :func:`henmi_copas`.

    Attributes
    ----------
    estimate, se : float
        The fixed-effect (inverse-variance) estimate and its standard error under the
        random-effects model with the DerSimonian-Laird tau^2.
    ci_lower, ci_upper : float
        The Henmi-Copas interval at ``level``: estimate -/+ ``critical_value`` * se.
    critical_value : float
        The quantile that allows for the uncertainty in tau^2 (1.96 would ignore it).
    tau2 : float
        The DerSimonian-Laird tau^2 the method uses, whatever the analysis's estimator.
    analysis_estimate, analysis_se, analysis_ci_lower, analysis_ci_upper, analysis_tau2 : float
        The analysis's own pooled result, for comparison (metafor prints both rows).
    analysis_method : str
        The analysis's tau^2 estimator.
    level : float
    k : int
    note : str or None
    """

    estimate: float
    se: float
    ci_lower: float
    ci_upper: float
    critical_value: float
    tau2: float
    analysis_estimate: float
    analysis_se: float
    analysis_ci_lower: float
    analysis_ci_upper: float
    analysis_tau2: float
    analysis_method: str
    level: float
    k: int
    note: str | None = None

    def __repr__(self) -> str:
        return compact_repr(
            self, estimate=self.estimate, ci_lower=self.ci_lower, ci_upper=self.ci_upper, k=self.k
        )

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def summary(self, digits: int = 4) -> Summary:
        def row(name, method, tau2, est, se, lo, hi):
            return (
                name,
                method,
                fmt(tau2, digits),
                fmt(est, digits),
                fmt(se, digits),
                fmt(lo, digits),
                fmt(hi, digits),
            )

        table = Table(
            ("", "method", "tau2", "estimate", "se", "ci.lb", "ci.ub"),
            tuple(
                (
                    row(
                        "analysis",
                        self.analysis_method,
                        self.analysis_tau2,
                        self.analysis_estimate,
                        self.analysis_se,
                        self.analysis_ci_lower,
                        self.analysis_ci_upper,
                    ),
                    row("Henmi-Copas", "DL", self.tau2, self.estimate, self.se, self.ci_lower, self.ci_upper),
                )
            ),
        )
        head = f"Henmi & Copas (2010) interval (k = {self.k}; {self.level * 100:g}% level)"
        tail = f"critical value {fmt(self.critical_value, digits)} (the normal quantile would be {fmt(_z(self.level), digits)})"
        return Summary(head, (table, tail, *notes(self.note)))


def _z(level: float) -> float:
    from scipy import special

    return float(special.ndtri(0.5 + level / 2.0))


def henmi_copas(result) -> HenmiCopas:
    """The Henmi & Copas (2010) estimate and confidence interval, as ``metafor::hc()``.

    Parameters
    ----------
    result : MetaAnalysis
        An analysis without moderators. Its included effect sizes and variances and its
        ``level`` are used; the method always takes the DerSimonian-Laird tau^2 (as the
        paper and metafor do), whatever estimator the analysis used.

    Returns
    -------
    HenmiCopas

    Notes
    -----
    Matches metafor's ``hc(rma(yi, vi), control = list(tol = 1e-12))`` (metafor 3.8-1 and
    5.1-12) to 3.2e-8 in the bounds, and reproduces the paper's example (Henmi & Copas 2010,
    p. 2978, dat.lee2004: -0.5145, CI -0.9994 to -0.0295). metafor's default root-finding
    tolerance (about 1.2e-4) moves its bounds in the fourth decimal. Needs at least 2 studies;
    refuses moderators, as metafor does.
    """
    inp = analysis_inputs(result, "henmi_copas")
    if inp.X is not None:
        raise ValueError(
            "henmi_copas: the analysis has moderators; the method applies only to models without them "
            "(as metafor's hc)"
        )
    k = inp.yi.size
    if k < 2:
        raise ValueError(f"henmi_copas needs at least 2 studies; got {k}")
    fit = henmi_copas_fit(inp.yi, inp.vi, inp.level)
    note = None
    if fit.tau2 == 0.0:
        note = (
            "the DerSimonian-Laird tau^2 is 0: the interval still allows for the chance that it is not "
            "(its critical value then differs from the normal quantile)"
        )
    return HenmiCopas(
        estimate=fit.estimate,
        se=fit.se,
        ci_lower=fit.ci_lower,
        ci_upper=fit.ci_upper,
        critical_value=fit.critical_value,
        tau2=fit.tau2,
        analysis_estimate=float(result.estimate),
        analysis_se=float(result.se),
        analysis_ci_lower=float(result.ci_lower),
        analysis_ci_upper=float(result.ci_upper),
        analysis_tau2=float(getattr(result, "tau2", math.nan)),
        analysis_method=str(result.method),
        level=inp.level,
        k=k,
        note=note,
    )
