"""Profile-likelihood confidence intervals for tau^2 (and tau, I^2, H^2): the face of
``metafor::confint(res, type="PL")``.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.profile import tau2_to_h2, tau2_to_i2
from metaevidence.core.profile_likelihood import profile_likelihood_bounds
from metaevidence.stats.profile import HeterogeneityCI

__all__ = ["profile_likelihood_ci"]


def profile_likelihood_ci(result, level: float | None = None, *, tol: float = 1e-12) -> HeterogeneityCI:
    """Profile-likelihood confidence intervals for tau^2, tau, I^2 and H^2 of an ML/REML fit.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        A fit with ``method="ML"`` or ``"REML"`` (the likelihood it maximised is profiled).
    level : float, optional
        Confidence level; default the result's level.
    tol : float
        Root-finder tolerance (relative to max(1, tau^2)).

    Returns
    -------
    HeterogeneityCI
        ``method="PL"``; I^2 and H^2 bounds use the fit's typical within-study variance.

    Raises
    ------
    ValueError
        For fits other than ML/REML, or a level outside (0, 1).

    Notes
    -----
    The bounds solve :math:`2[\\ell(\\hat\\tau^2) - \\ell(\\tau^2)] = \\chi^2_{1;level}`
    (see :mod:`metaevidence.core.profile_likelihood`); a lower bound is 0 when
    :math:`\\tau^2 = 0` is inside the region.

    Examples
    --------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([-0.89, -1.59, -1.35, -1.44, -0.22], [0.33, 0.19, 0.42, 0.02, 0.05])
    >>> ci = profile_likelihood_ci(res)
    >>> ci.method, ci.tau2[0] <= res.tau2 <= ci.tau2[1]
    ('PL', True)

    Matches ``metafor::confint.rma.uni(type="PL")``.
    """
    where = "profile_likelihood_ci"
    method = str(getattr(result, "method", ""))
    if method not in ("ML", "REML"):
        raise ValueError(
            f"{where}: needs a fit with method='ML' or 'REML' (the likelihood to profile); "
            f"got method={method!r}"
        )
    level = result.level if level is None else level
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise ValueError(f"{where}: level must be strictly between 0 and 1; got {level!r}")
    inc = np.asarray(result.included, dtype=bool)
    X = getattr(result, "X", None)
    X = np.ones((inc.size, 1)) if X is None else np.asarray(X, dtype=float)
    lo, hi = profile_likelihood_bounds(
        np.asarray(result.yi, float),
        np.asarray(result.vi, float),
        X,
        inc,
        float(result.tau2),
        reml=method == "REML",
        level=float(level),
        tol=tol,
    )
    vt = float(getattr(result, "vt", np.nan))
    notes = (
        ("The lower bound for tau^2 is 0 (tau^2 = 0 lies inside the likelihood region).",) if lo == 0 else ()
    )
    return HeterogeneityCI(
        tau2=(lo, hi),
        tau=(lo**0.5, hi**0.5),
        i2=(float(tau2_to_i2(lo, vt)), float(tau2_to_i2(hi, vt))),
        h2=(float(tau2_to_h2(lo, vt)), float(tau2_to_h2(hi, vt))),
        estimate_tau2=float(result.tau2),
        level=float(level),
        method="PL",
        notes=notes,
        estimate_tau=float(result.tau),
        estimate_i2=float(result.i2),
        estimate_h2=float(result.h2),
        lower_status="zero" if lo == 0 else "found",
    )
