"""Profile-likelihood confidence interval for tau^2 of an ML or REML fit (one analysis).

The interval holds the tau^2 values whose (restricted) log-likelihood, maximised over the
fixed effects, lies within :math:`\\chi^2_{1;\\,level}/2` of its maximum:

.. math::

    2\\,[\\ell(\\hat\\tau^2) - \\ell(\\tau^2)] \\le \\chi^2_{1;\\,level}

A bound is 0 when the likelihood at :math:`\\tau^2 = 0` is still inside the region. The
upper search limit grows tenfold until it brackets the bound (the likelihood falls without
bound as :math:`\\tau^2 \\to \\infty`).

References
----------
Hardy, R. J., & Thompson, S. G. (1996). A likelihood approach to meta-analysis with
random effects. Statistics in Medicine, 15(6), 619-629.
"""

from __future__ import annotations

from scipy import optimize, stats

from metaevidence.core.regression import log_likelihood

__all__ = ["profile_likelihood_bounds"]


def profile_likelihood_bounds(yi, vi, X, mask, tau2_hat, *, reml, level=0.95, tol=1e-12):
    """Lower and upper profile-likelihood bounds for tau^2 of one analysis.

    Parameters
    ----------
    yi, vi : array_like (k,)
    X : array_like (k, p)
        Model matrix (a column of ones for the random-effects model).
    mask : array_like of bool (k,) or None
        Studies used.
    tau2_hat : float
        The ML or REML estimate (the likelihood's maximum on tau^2 >= 0).
    reml : bool
        Restricted (REML) or ordinary (ML) likelihood.
    level : float
    tol : float
        Absolute tolerance of the root finder on tau^2 (relative to max(1, tau^2)).

    Returns
    -------
    lower, upper : float

    Matches ``metafor::confint.rma.uni(type="PL")``.
    """
    crit = stats.chi2.ppf(level, 1) / 2.0

    def ll(t):
        return float(log_likelihood(yi, vi, X, mask, max(float(t), 0.0), reml=reml))

    top = ll(tau2_hat)

    def gap(t):
        return ll(t) - (top - crit)

    if tau2_hat <= 0 or gap(0.0) >= 0:
        lower = 0.0
    else:
        lower = optimize.brentq(gap, 0.0, tau2_hat, xtol=tol * max(1.0, tau2_hat), rtol=1e-15)
    hi = max(1.0, 10.0 * tau2_hat)
    for _ in range(60):
        if gap(hi) < 0:
            break
        hi *= 10.0
    upper = optimize.brentq(gap, tau2_hat, hi, xtol=tol * max(1.0, tau2_hat), rtol=1e-15)
    return lower, upper
