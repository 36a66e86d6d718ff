"""Fail-safe N (file drawer analysis): Rosenthal's, Orwin's and Rosenberg's approaches.

How many unpublished null studies would bring a result to non-significance (Rosenthal,
Rosenberg) or below a target average effect (Orwin). Matches metafor::fsn (metafor 3.8-1,
and the weighted Orwin mean of current metafor).
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
    n : int
        Number of unpublished null studies needed (0 if the result is already
        non-significant, or already below the target).
    type : str
        "Rosenthal", "Orwin" or "Rosenberg".
    alpha : float
        Target significance level (Rosenthal: one-sided; Rosenberg: two-sided).
    p_value : float
        Observed combined p-value (Rosenthal: Stouffer's one-sided; Rosenberg: the
        equal-effects two-sided); ``nan`` for Orwin.
    mean : float
        Observed average effect (Orwin: unweighted or weighted; Rosenberg: weighted);
        ``nan`` for Rosenthal.
    target : float
        Orwin's target average effect; ``nan`` otherwise.
    weighted : bool
    k : int
    """

    n: int
    type: str
    alpha: float
    p_value: float
    mean: float
    target: float
    weighted: bool
    k: int

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        lines = []
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
        lines.append(f"fail-safe N: {self.n}")
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
                }
            ]
        )


def fail_safe_n(
    yi,
    vi=None,
    *,
    type: str = "Rosenthal",
    target: float | None = None,
    alpha: float = 0.05,
    weighted: bool | None = None,
) -> FailSafeN:
    """Fail-safe N: how many unpublished null studies would overturn the result.

    Parameters
    ----------
    yi : array_like (k,), or a MetaAnalysis / MetaRegression / EffectSizes
        Effect sizes (or an object carrying ``yi`` and ``vi``; then ``vi`` is omitted).
    vi : array_like (k,), optional
        Sampling variances (not needed for unweighted Orwin).
    type : str
        "Rosenthal" (Stouffer's combined p), "Orwin" (average effect down to a target)
        or "Rosenberg" (weighted equal-effects p).
    target : float, optional
        Orwin's target average effect; default half the observed average.
    alpha : float
        Target significance level (Rosenthal one-sided, Rosenberg two-sided).
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
    See :func:`metaevidence.core.bias.fsn_rosenthal`, :func:`~metaevidence.core.bias.fsn_orwin`
    and :func:`~metaevidence.core.bias.fsn_rosenberg` for the formulas. Fractional
    numbers of studies are rounded up.

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
    raise ValueError(f"type must be 'Rosenthal', 'Orwin' or 'Rosenberg'; got {type!r}")


def _need_vi(vi, what):
    if vi is None:
        raise ValueError(f"the {what} fail-safe N needs the sampling variances vi")
