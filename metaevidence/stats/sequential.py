"""Trial sequential analysis: monitoring boundaries for the cumulative Z curve of a review.

A secondary, optional display beside the conventional result, never a replacement for it:
the Cochrane Handbook (chapter 22) advises against letting sequential methods decide the
main analysis of a living review. See docs/sequential.md for the method, its assumptions and
both positions.

:func:`required_information_size` gives the participants needed to detect the anticipated
effect (Wetterslev et al. 2008), adjusted for heterogeneity by the diversity D² (Wetterslev
et al. 2009) or by I². :func:`trial_sequential_analysis` takes the cumulative Z statistics
and participants of the looks (the review's updates, or studies in cumulative order) and
returns the Lan-DeMets alpha-spending boundaries at those looks, optional beta-spending
futility boundaries, the TSA-adjusted confidence interval and a plain verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import stats

from metaevidence.core import sequential as seq
from metaevidence.display.summary import Summary, Table, compact_repr, fmt
from metaevidence.display.transforms import presentation

__all__ = [
    "InformationSize",
    "SequentialAnalysis",
    "required_information_size",
    "trial_sequential_analysis",
]

SPENDING = ("obrien-fleming", "pocock", "power")
VERDICTS = ("benefit", "harm", "effect", "futility", "not-yet")


@dataclass(frozen=True, slots=True)
class InformationSize:
    """A required information size and every assumption behind it.

    Attributes
    ----------
    outcome : str
        "binary" or "continuous".
    alpha, beta : float
        Type I error (two-sided) and type II error (1 - power).
    control_risk, rrr : float or None
        Binary outcomes: the control event proportion and the anticipated relative risk
        reduction.
    difference, sd : float or None
        Continuous outcomes: the anticipated mean difference and standard deviation (1 for an SMD).
    unadjusted : float
        Participants needed by a single trial (no heterogeneity).
    adjustment : str
        "none", "D2" (diversity) or "I2".
    heterogeneity : float
        The D² or I² used, as a proportion (0 when ``adjustment`` is "none").
    required : float
        The heterogeneity-adjusted required information size, ``unadjusted / (1 - heterogeneity)``
        (not rounded).
    """

    outcome: str
    alpha: float
    beta: float
    control_risk: float | None
    rrr: float | None
    difference: float | None
    sd: float | None
    unadjusted: float
    adjustment: str
    heterogeneity: float
    required: float


def required_information_size(
    *,
    control_risk: float | None = None,
    rrr: float | None = None,
    difference: float | None = None,
    sd: float = 1.0,
    alpha: float = 0.05,
    beta: float = 0.2,
    adjustment: str = "none",
    heterogeneity: float = 0.0,
) -> InformationSize:
    """Participants a meta-analysis needs to detect the anticipated effect.

    Parameters
    ----------
    control_risk, rrr : float, optional
        Binary outcome: control event proportion and relative risk reduction (0.2 = 20%).
    difference, sd : float, optional
        Continuous outcome: anticipated mean difference and SD (``sd=1`` for an SMD).
    alpha, beta : float
        Two-sided type I error and type II error.
    adjustment : {"none", "D2", "I2"}
        Heterogeneity adjustment (Wetterslev et al. 2009 recommend D²).
    heterogeneity : float
        D² or I² as a proportion in [0, 1).

    Returns
    -------
    InformationSize

    Notes
    -----
    ``N = 4 (z_{1-alpha/2} + z_{1-beta})^2 P(1-P) / delta^2`` for a binary outcome and
    ``4 (z_{1-alpha/2} + z_{1-beta})^2 sd^2 / delta^2`` for a continuous one, then divided by
    ``1 - D^2`` (or ``1 - I^2``); see :mod:`metaevidence.core.sequential`.

    Example
    -------
    Control risk 10%, relative risk reduction 20% (experimental risk 8%, P = 0.09,
    delta = 0.02), alpha 5%, power 80%: 4 x 2.8016^2 x 0.09 x 0.91 / 0.02^2 = 6428.

    >>> round(required_information_size(control_risk=0.1, rrr=0.2).required)
    6428
    """
    if not 0 < alpha < 1 or not 0 < beta < 1:
        raise ValueError(f"alpha and beta must be in (0, 1); got alpha={alpha!r}, beta={beta!r}")
    if adjustment not in ("none", "D2", "I2"):
        raise ValueError(f"adjustment must be 'none', 'D2' or 'I2'; got {adjustment!r}")
    if not 0 <= heterogeneity < 1:
        raise ValueError(f"heterogeneity (D² or I²) must be a proportion in [0, 1); got {heterogeneity!r}")
    if adjustment == "none":
        heterogeneity = 0.0
    binary = control_risk is not None or rrr is not None
    if binary and difference is not None:
        raise ValueError("give either control_risk and rrr (binary) or difference (continuous), not both")
    if binary:
        if control_risk is None or rrr is None:
            raise ValueError("a binary outcome needs both control_risk and rrr")
        n = seq.information_size_binary(control_risk, rrr, alpha=alpha, beta=beta)
        sd_out = None
    elif difference is not None:
        n = seq.information_size_continuous(difference, sd, alpha=alpha, beta=beta)
        sd_out = float(sd)
    else:
        raise ValueError("give control_risk and rrr (binary outcome) or difference (continuous outcome)")
    return InformationSize(
        outcome="binary" if binary else "continuous",
        alpha=float(alpha),
        beta=float(beta),
        control_risk=None if control_risk is None else float(control_risk),
        rrr=None if rrr is None else float(rrr),
        difference=None if difference is None else float(difference),
        sd=sd_out,
        unadjusted=n,
        adjustment=adjustment,
        heterogeneity=float(heterogeneity),
        required=n / (1 - heterogeneity),
    )


@dataclass(frozen=True, slots=True)
class SequentialAnalysis:
    """Monitoring boundaries, the cumulative Z curve and the verdict of a sequential analysis.

    Attributes
    ----------
    labels : tuple of str
        One label per look (a revision, a year, a study).
    information : ndarray (K,)
        Participants accrued at each look.
    fractions : ndarray (K,)
        ``information / required_information``.
    z : ndarray (K,)
        Cumulative Z statistic at each look (estimate / SE, analysis scale).
    upper, lower : ndarray (K,)
        Alpha-spending boundaries (``lower = -upper``; symmetric two-sided).
    futility : ndarray (K,) or None
        Inner-wedge futility boundary ``f_k`` (``|Z| < f_k`` is futility; ``nan`` where none).
    conventional : float
        The naive boundary ``z_{1-alpha/2}``.
    required_information : float
    size : InformationSize or None
        The assumptions, when the size was computed by :func:`required_information_size`.
    alpha, beta : float
    spending : str
    estimate, se : float
        Pooled estimate and SE at the last look (analysis scale).
    adjusted_ci_lower, adjusted_ci_upper : float
        TSA-adjusted interval at the last look: ``estimate -+ upper_K * se``.
    first_conventional : int or None
        Index of the first look whose ``|Z|`` reached the conventional boundary.
    first_crossing : int or None
        Index of the first look whose Z crossed a monitoring boundary.
    verdict : str
        "benefit", "harm", "effect" (direction unknown), "futility" or "not-yet".
    information_needed : float
        Participants still needed to reach the required information (0 when reached).
    lower_is_better : bool or None
        Which sign of the estimate is a benefit (None: not said; verdict "effect").
    """

    labels: tuple[str, ...]
    information: np.ndarray
    fractions: np.ndarray
    z: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    futility: np.ndarray | None
    conventional: float
    required_information: float
    size: InformationSize | None
    alpha: float
    beta: float
    spending: str
    estimate: float
    se: float
    adjusted_ci_lower: float
    adjusted_ci_upper: float
    first_conventional: int | None
    first_crossing: int | None
    verdict: str
    information_needed: float
    lower_is_better: bool | None

    def summary(self, digits: int = 4, transform: str | None = None) -> Summary:
        """The looks (participants, information fraction, Z, boundaries), the assumptions and the verdict.

        ``transform`` ("exp" for a ratio measure) presents the pooled estimate and the
        TSA-adjusted interval; the boundaries and Z are always on the standardised scale. The
        verdict in a panel's words: ``metaevidence.review.sequential.verdict_text(result)``.
        """
        d = digits
        scale = presentation(transform)
        futility = self.futility is not None
        header = ("look", "participants", "fraction", "Z", "boundary") + (("futility",) if futility else ())
        rows = []
        for k, label in enumerate(self.labels):
            row: tuple[str, ...] = (
                label,
                f"{self.information[k]:,.0f}",
                fmt(self.fractions[k], d),
                fmt(self.z[k], d),
            )
            row += (fmt(self.upper[k], d),)
            if self.futility is not None:
                row += (fmt(self.futility[k], d),)
            rows.append(row)
        size = f"{self.required_information:,.0f} participants"
        if self.size is not None and self.size.adjustment != "none":
            size += f" ({self.size.adjustment}-adjusted: {100 * self.size.heterogeneity:.1f}%)"
        est, lo, hi = (
            scale.scalar(x) for x in (self.estimate, self.adjusted_ci_lower, self.adjusted_ci_upper)
        )

        def at(k: int | None) -> str:
            return "none" if k is None else self.labels[k]

        blocks: list = [
            f"Required information size: {size}; alpha {self.alpha:g} (two-sided, half per side), "
            f"beta {self.beta:g}; {self.spending} alpha spending (Lan-DeMets).",
            Table(header, tuple(rows), title="Looks (boundaries: +-, symmetric)"),
            f"Conventional boundary: {fmt(self.conventional, d)}; first conventionally significant look: "
            f"{at(self.first_conventional)}; first look beyond the monitoring boundary: {at(self.first_crossing)}.",
            f"Estimate at the last look{'' if scale.identity else f' ({scale.name})'}: {fmt(est, d)}; "
            "TSA-adjusted interval: "
            f"[{fmt(lo, d)}, {fmt(hi, d)}].",
            f"Verdict: {self.verdict} ({_VERDICT_MEANING[self.verdict]}); information needed: "
            f"{self.information_needed:,.0f} participants.",
        ]
        return Summary("Trial sequential analysis (secondary to the conventional result)", tuple(blocks))

    def __str__(self) -> str:
        return str(self.summary())

    def __repr__(self) -> str:
        return compact_repr(
            self,
            k=len(self.labels),
            required_information=self.required_information,
            fraction=float(self.fractions[-1]),
            z=float(self.z[-1]),
            boundary=float(self.upper[-1]),
            verdict=self.verdict,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def to_frame(self):
        """One row per look: label, information, fraction, z, upper, lower, futility, crossed (raw floats)."""
        import pandas as pd

        nan = np.full(self.z.size, np.nan)
        return pd.DataFrame(
            {
                "label": list(self.labels),
                "information": self.information,
                "fraction": self.fractions,
                "z": self.z,
                "upper": self.upper,
                "lower": self.lower,
                "futility": nan if self.futility is None else self.futility,
                "crossed": np.abs(self.z) >= self.upper,
            }
        )

    def to_dict(self) -> dict:
        """Every field as plain Python data (arrays as lists, ``size`` as a dict or None)."""
        out: dict = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, InformationSize):
                value = {f: getattr(value, f) for f in value.__dataclass_fields__}
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


_VERDICT_MEANING = {
    "benefit": "the curve crossed the monitoring boundary on the side of benefit",
    "harm": "the curve crossed the monitoring boundary on the side of harm",
    "effect": "the curve crossed the monitoring boundary; which side is benefit was not said",
    "futility": "inside the futility wedge, or the required information reached without crossing",
    "not-yet": "no monitoring boundary crossed, required information not reached",
}


def _spending(name: str, alpha: float, rho: float):
    if name == "obrien-fleming":
        return partial(seq.obrien_fleming_spending, alpha=alpha)
    if name == "pocock":
        return partial(seq.pocock_spending, alpha=alpha)
    if name == "power":
        return partial(seq.power_spending, alpha=alpha, rho=rho)
    if callable(name):
        return lambda t: alpha * np.asarray(name(t), dtype=float)
    raise ValueError(f"spending must be one of {', '.join(SPENDING)} or a callable; got {name!r}")


def _per_look(t, spend_two_sided) -> np.ndarray:
    """Two-sided symmetric boundaries, each side spending half (ld98/RTSA convention); a look
    after the first one at or past full information keeps the full-information boundary.
    """
    c = seq.efficacy_boundaries(t, spend_two_sided, sides=2)
    full = np.flatnonzero(t >= 1)
    if full.size:
        c[full[0] + 1 :] = c[full[0]]
    return c


def trial_sequential_analysis(
    z,
    information,
    *,
    required_information: float | InformationSize,
    alpha: float = 0.05,
    beta: float = 0.2,
    spending="obrien-fleming",
    rho: float = 1.0,
    futility: bool = False,
    estimate: float | None = None,
    se: float | None = None,
    labels=None,
    lower_is_better: bool | None = None,
) -> SequentialAnalysis:
    """Lan-DeMets monitoring boundaries at the looks of a cumulative meta-analysis.

    Parameters
    ----------
    z : array_like (K,)
        Cumulative Z statistics (pooled estimate / SE) at each look, in order.
    information : array_like (K,)
        Participants accrued at each look (increasing).
    required_information : float or InformationSize
        The (heterogeneity-adjusted) required information size.
    alpha, beta : float
        Two-sided type I error (half spent on each side) and type II error (futility).
    spending : {"obrien-fleming", "pocock", "power"} or callable
        Alpha-spending function; a callable ``g(t)`` with ``g(0) = 0``, ``g(1) = 1`` is scaled
        by ``alpha``. Beta is spent with the same family.
    rho : float
        Exponent of the power family.
    futility : bool
        Add beta-spending futility boundaries (inner wedge, non-binding).
    estimate, se : float, optional
        Pooled estimate and SE at the last look (for the TSA-adjusted CI); default
        ``z[-1]`` and 1.
    labels : sequence of str, optional
    lower_is_better : bool, optional
        True when a negative estimate is a benefit (e.g. log RR of death).

    Returns
    -------
    SequentialAnalysis

    Notes
    -----
    Boundaries are computed at the observed information fractions by recursive numerical
    integration (:func:`metaevidence.core.sequential.efficacy_boundaries`). The futility
    wedge uses the drift ``z_{1-alpha/2} + z_{1-beta}`` of the anticipated effect at full
    information; from full information on it closes to the efficacy boundary. The verdict
    is taken at the last look (the review's current state): "benefit"/"harm" when its Z is
    beyond the monitoring boundary; "futility" when it lies inside the futility wedge, or the
    required information is reached without crossing; else "not-yet". ``first_crossing``
    keeps the history (a curve may cross and come back).
    """
    z = np.asarray(z, dtype=float)
    info = np.asarray(information, dtype=float)
    if z.ndim != 1 or z.shape != info.shape or z.size == 0:
        raise ValueError(f"z and information must be 1-d of the same length; got {z.shape} and {info.shape}")
    size = required_information if isinstance(required_information, InformationSize) else None
    ris = float(size.required) if size is not None else float(required_information)  # type: ignore[arg-type]
    if not np.isfinite(ris) or ris <= 0:
        raise ValueError(f"required_information must be positive; got {ris!r}")
    t = info / ris
    if np.any(t <= 0) or np.any(np.diff(t) <= 0):
        raise ValueError(f"information must be positive and strictly increasing; got {info.tolist()}")
    spend = _spending(spending, alpha / 2, rho)
    upper = _per_look(t, lambda s: 2 * spend(s))
    wedge = None
    if futility:
        drift = stats.norm.isf(alpha / 2) + stats.norm.isf(beta)
        bspend = _spending(spending, beta, rho)
        inner = t < 1
        wedge = upper.copy()
        if inner.any():
            wedge[inner] = seq.futility_boundaries(t[inner], upper[inner], bspend, drift)
        wedge = np.where(wedge > 0, wedge, np.nan)
    conventional = float(stats.norm.isf(alpha / 2))
    hit = np.flatnonzero(np.abs(z) >= conventional)
    cross = np.flatnonzero(np.abs(z) >= upper)
    first = int(cross[0]) if cross.size else None
    if abs(z[-1]) >= upper[-1]:
        positive = z[-1] > 0
        verdict = (
            "effect" if lower_is_better is None else ("harm" if positive == lower_is_better else "benefit")
        )
    elif t[-1] >= 1 or (wedge is not None and np.isfinite(wedge[-1]) and abs(z[-1]) < wedge[-1]):
        verdict = "futility"
    else:
        verdict = "not-yet"
    est = float(z[-1] if estimate is None else estimate)
    s = float(1.0 if se is None else se)
    labels = tuple(str(x) for x in (labels if labels is not None else range(1, z.size + 1)))
    if len(labels) != z.size:
        raise ValueError(f"labels must have one entry per look ({z.size}); got {len(labels)}")
    return SequentialAnalysis(
        labels=labels,
        information=info,
        fractions=t,
        z=z,
        upper=upper,
        lower=-upper,
        futility=wedge,
        conventional=conventional,
        required_information=ris,
        size=size,
        alpha=float(alpha),
        beta=float(beta),
        spending=spending if isinstance(spending, str) else "user",
        estimate=est,
        se=s,
        adjusted_ci_lower=est - upper[-1] * s,
        adjusted_ci_upper=est + upper[-1] * s,
        first_conventional=int(hit[0]) if hit.size else None,
        first_crossing=first,
        verdict=verdict,
        information_needed=max(0.0, ris - float(info[-1])),
        lower_is_better=lower_is_better,
    )
