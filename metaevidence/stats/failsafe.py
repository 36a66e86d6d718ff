"""Fail-safe N (file drawer analysis): Rosenthal's, Orwin's, Rosenberg's and the general method.

How many unpublished null studies would bring a result to non-significance (Rosenthal,
Rosenberg, general) or below a target average effect (Orwin, general with a target).
Matches metafor::fsn: metafor 3.8-1 for Rosenthal and Rosenberg, metafor >= 4.4-0 for
Orwin's weighted mean and for ``type="General"`` (the default for a fitted model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaevidence.core import bias as _core
from metaevidence.display.summary import Summary, fmt, fmt_p
from metaevidence.stats._inputs import float_array

__all__ = ["FailSafeN", "fail_safe_n"]


@dataclass(frozen=True, slots=True)
class FailSafeN:
    """A fail-safe N (file drawer analysis).

    Attributes
    ----------
    n : int or None
        Number of unpublished null studies needed (0 if the result is already
        non-significant, or already below the target); ``None`` when the general method
        needs more than ``FSN_MAX`` (10^7).
    type : str
        "Rosenthal", "Orwin", "Rosenberg" or "General".
    alpha : float
        Target significance level (Rosenthal: one-sided; Rosenberg: two-sided).
    p_value : float
        Observed combined p-value (Rosenthal: Stouffer's one-sided; Rosenberg: the
        equal-effects two-sided); ``nan`` for Orwin.
    mean : float
        Observed average effect (Orwin: unweighted or weighted; Rosenberg: weighted);
        ``nan`` for Rosenthal.
    target : float
        Target average effect (Orwin; general with a target); ``nan`` otherwise.
    weighted : bool
    k : int
    method, test : str
        General method: the model refitted at each N ("" for the other types).
    tau2 : float
        General method: tau^2 of the observed studies.
    estimate_fsn, tau2_fsn, p_value_fsn : float
        General method: the refitted model with the N file-drawer studies added (metafor's
        ``est.fsn``, ``tau2.fsn``, ``pval.fsn``); ``nan`` when N is 0 or above 10^7.
    """

    n: int | None
    type: str
    alpha: float
    p_value: float
    mean: float
    target: float
    weighted: bool
    k: int
    method: str = ""
    test: str = ""
    tau2: float = math.nan
    estimate_fsn: float = math.nan
    tau2_fsn: float = math.nan
    p_value_fsn: float = math.nan

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        lines = []
        n = f"more than {_core.FSN_MAX}" if self.n is None else str(self.n)
        if self.type == "General":
            lines.append(
                f"model: {self.method}, test {self.test}; estimate {fmt(self.mean, digits)}, "
                f"tau^2 {fmt(self.tau2, digits)}, p {fmt_p(self.p_value, digits)}"
            )
            lines.append(
                f"target estimate: {fmt(self.target, digits)}"
                if math.isfinite(self.target)
                else f"target alpha: {self.alpha:g}"
            )
            lines.append(f"fail-safe N: {n}")
            if math.isfinite(self.estimate_fsn):
                lines.append(
                    f"with the file drawer: estimate {fmt(self.estimate_fsn, digits)}, "
                    f"tau^2 {fmt(self.tau2_fsn, digits)}, p {fmt_p(self.p_value_fsn, digits)}"
                )
            return Summary(f"Fail-safe N (general approach, k = {self.k})", ("\n".join(lines),))
        if self.type == "Orwin":
            lines.append(
                f"average effect: {fmt(self.mean, digits)} "
                f"({'weighted' if self.weighted else 'unweighted'}); "
                f"target: {fmt(self.target, digits)}"
            )
        else:
            lines.append(
                f"observed significance level: {fmt_p(self.p_value, digits)}; target alpha: {self.alpha:g}"
            )
        lines.append(f"fail-safe N: {n}")
        return Summary(f"Fail-safe N ({self.type} approach, k = {self.k})", ("\n".join(lines),))

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "type": self.type,
                    "n": self.n,
                    "alpha": self.alpha,
                    "p_value": self.p_value,
                    "mean": self.mean,
                    "target": self.target,
                    "k": self.k,
                    "method": self.method,
                    "test": self.test,
                    "tau2": self.tau2,
                    "estimate_fsn": self.estimate_fsn,
                    "tau2_fsn": self.tau2_fsn,
                    "p_value_fsn": self.p_value_fsn,
                }
            ]
        )


def fail_safe_n(
    yi,
    vi=None,
    *,
    type: str | None = None,
    target: float | None = None,
    alpha: float = 0.05,
    weighted: bool | None = None,
    method: str | None = None,
    test: str | None = None,
) -> FailSafeN:
    """Fail-safe N: how many unpublished null studies would overturn the result.

    Parameters
    ----------
    yi : array_like (k,), or a MetaAnalysis / MetaRegression / EffectSizes
        Effect sizes (or an object carrying ``yi`` and ``vi``; then ``vi`` is omitted).
    vi : array_like (k,), optional
        Sampling variances (not needed for unweighted Orwin).
    type : str, optional
        "Rosenthal" (Stouffer's combined p), "Orwin" (average effect down to a target),
        "Rosenberg" (weighted equal-effects p) or "General" (the model refitted with the
        file drawer; Viechtbauer 2024). Default "General" for a fitted model without
        moderators, "Rosenthal" otherwise, as metafor >= 4.4-0.
    target : float, optional
        Target average effect: Orwin's (default half the observed average); for the
        general method, reach this estimate instead of ``alpha``.
    alpha : float
        Target significance level (Rosenthal one-sided, Rosenberg and general two-sided).
    method, test : str, optional
        General method only: the tau^2 estimator and test of the model refitted at each
        N (default those of the fitted model, else "REML" and "z").
    weighted : bool, optional
        Orwin with the inverse-variance weighted average. Default: weighted when ``vi`` is
        given (or the input carries variances), as current metafor (>= 4.4-0, which
        dropped the argument); ``weighted=False`` gives the unweighted mean, metafor
        3.8-1's default.

    Returns
    -------
    FailSafeN

    Notes
    -----
    See :func:`metaevidence.core.bias.fsn_rosenthal`, :func:`~metaevidence.core.bias.fsn_orwin`,
    :func:`~metaevidence.core.bias.fsn_rosenberg` and :func:`~metaevidence.core.bias.fsn_general`
    for the formulas. Fractional numbers of studies are rounded up. The general method
    gives the smallest N that reaches the target; metafor's ``fsn(type="General",
    exact=TRUE)`` builds the same file drawer (its ``est.fsn``, ``tau2.fsn`` and
    ``pval.fsn`` are ours at its N) but returns this N or one more, and its default
    ``exact=FALSE`` approximates the refit (docs/diagnostics.md gives the figures).

    References
    ----------
    Rosenthal, R. (1979). Psychological Bulletin, 86(3), 638-641. Orwin, R. G. (1983).
    Journal of Educational Statistics, 8(2), 157-159. Rosenberg, M. S. (2005).
    Evolution, 59(2), 464-468.

    Example
    -------
    >>> fail_safe_n([0.5, 0.6, 0.4], [0.04, 0.05, 0.03], type="Rosenberg").n
    12

    Matches metafor::fsn(yi, vi, type = ..., alpha = ..., target = ...) of metafor >= 4.4-0 (Orwin
    weighted when variances are given); ``weighted=False`` reproduces metafor 3.8-1's default.
    """
    model_method = model_test = None
    if hasattr(yi, "method") and hasattr(yi, "test"):
        if getattr(yi, "p", 1) > 1 or getattr(yi, "intercept", True) is False:
            raise ValueError(
                "fail_safe_n needs a model without moderators (an equal- or random-effects "
                f"model); this meta-regression has {yi.p} coefficients"
            )
        model_method, model_test = yi.method, yi.test
        if type is None:
            type = "General"
    if type is None:
        type = "Rosenthal"
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        inc = np.asarray(getattr(yi, "included", np.isfinite(np.asarray(yi.yi, float))), bool)
        yi, vi = np.asarray(yi.yi, float)[inc], np.asarray(yi.vi, float)[inc]
    yi = float_array(yi, "yi", "fail_safe_n")
    vi = None if vi is None else float_array(vi, "vi", "fail_safe_n")
    if yi.ndim != 1 or yi.size < 1:
        raise ValueError(f"yi must be a 1-D array of effect sizes; got shape {yi.shape}")
    if vi is not None and vi.shape != yi.shape:
        raise ValueError(f"vi must match yi in shape {yi.shape}; got {vi.shape}")
    if vi is not None and np.any(vi <= 0):
        raise ValueError("sampling variances vi must be positive")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive); got {alpha!r}")
    k = yi.size
    nan = math.nan
    if type == "Rosenthal":
        _need_vi(vi, type)
        n, p = _core.fsn_rosenthal(yi, vi, alpha=alpha)
        return FailSafeN(n, type, alpha, p, nan, nan, False, k)
    if type == "Rosenberg":
        _need_vi(vi, type)
        n, p, mean = _core.fsn_rosenberg(yi, vi, alpha=alpha)
        return FailSafeN(n, type, alpha, p, mean, nan, True, k)
    if type == "Orwin":
        weighted = vi is not None if weighted is None else bool(weighted)
        if weighted:
            _need_vi(vi, "weighted Orwin")
        n, mean, tgt = _core.fsn_orwin(yi, vi, target=target, weighted=weighted)
        return FailSafeN(n, type, alpha, nan, mean, tgt, weighted, k)
    if type == "General":
        _need_vi(vi, type)
        if method is None and model_method in ("MH", "PETO"):
            raise ValueError(
                f"the general fail-safe N refits an inverse-variance model; this fit pools by "
                f"{model_method}: pass method= (e.g. 'REML' or 'EE')"
            )
        method = method or model_method or "REML"
        test = test or model_test or "z"
        n, obs, drawer = _core.fsn_general(yi, vi, alpha=alpha, target=target, method=method, test=test)
        return FailSafeN(
            n,
            type,
            alpha,
            obs.p_value,
            obs.estimate,
            nan if target is None else float(target),
            True,
            k,
            method=method,
            test=test,
            tau2=obs.tau2,
            estimate_fsn=nan if drawer is None else drawer.estimate,
            tau2_fsn=nan if drawer is None else drawer.tau2,
            p_value_fsn=nan if drawer is None else drawer.p_value,
        )
    raise ValueError(f"type must be 'Rosenthal', 'Orwin', 'Rosenberg' or 'General'; got {type!r}")


def _need_vi(vi, what):
    if vi is None:
        raise ValueError(f"the {what} fail-safe N needs the sampling variances vi")
