"""The tau^2 estimators metafor added after the first ten: HSk, PMM, DLIT and SJIT.

Each takes a :class:`~metaevidence.core.batch.Studies` batch and returns a
:class:`~metaevidence.core.tau2.Tau2Estimate`, as the estimators of
:mod:`metaevidence.core.tau2` (same small-k conventions, same solvers):

* ``HSk``: the Hunter-Schmidt estimator with the small-sample correction of Brannick et
  al. (2019), closed form;
* ``PMM``: the median-unbiased Paule-Mandel estimator (Viechtbauer, 2021): the generalised
  Q statistic equated to the median of its chi-square distribution instead of its mean;
* ``DLIT`` and ``SJIT``: the DerSimonian-Laird and Sidik-Jonkman estimators iterated to
  convergence (each step re-weights with the previous estimate). Both iterations have the
  Paule-Mandel root as their fixed point (see :func:`tau2_dlit`), so the estimate is found
  by the Paule-Mandel solver directly, which reaches the fixed point without iterating the
  slowly contracting updates.

References
----------
Brannick, M. T., Potter, S. M., Benitez, B., & Morris, S. B. (2019). Bias and precision of
alternate estimators in meta-analysis: Benefits of blending Schmidt-Hunter and Hedges
approaches. Organizational Research Methods, 22(2), 490-514.
Viechtbauer, W. (2021). Median-unbiased estimators for the amount of heterogeneity in
meta-analysis. European Congress of Methodology, Valencia.
DerSimonian, R., & Kacker, R. (2007). Random-effects model for meta-analysis of clinical
trials: An update. Contemporary Clinical Trials, 28(2), 105-114.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from metaevidence.core.batch import Studies
from metaevidence.core.estimating import pm_terms
from metaevidence.core.wls import CommonFit, common_fit, trace_psps

if TYPE_CHECKING:
    from metaevidence.core.tau2 import Tau2Estimate

__all__ = ["tau2_hsk", "tau2_pmm", "tau2_dlit", "tau2_sjit", "chi2_median", "pmm_terms"]


def chi2_median(df) -> np.ndarray:
    """Median of the chi-square distribution on ``df`` degrees of freedom (NaN for df <= 0)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, special.chdtri(np.where(df > 0, df, 1.0), 0.5), np.nan)


def pmm_terms(s: Studies, tau2, work=None):
    """Generalised Q minus the median of chi-square(k - p), and its derivative in tau^2."""
    f, df = pm_terms(s, tau2, work)
    return f + s.df - chi2_median(s.df), df


def tau2_hsk(s: Studies, base: CommonFit | None = None) -> Tau2Estimate:
    """Hunter-Schmidt estimator with a small-sample correction ("HSk").

    Notes
    -----
    The observed (weighted) variance of the Hunter-Schmidt estimator is multiplied by
    :math:`k/(k-p)`:

    .. math::

        \\hat\\tau^2 = \\max\\left(0, \\frac{Q\\,k/(k - p) - k}{\\sum w_i}\\right), \\quad
        w_i = 1/v_i, \\qquad
        \\operatorname{SE} = \\frac{k}{k-p}\\,
        \\frac{\\sqrt{2\\operatorname{tr}(P\\Sigma P\\Sigma)}}{\\sum w_i},\\
        \\Sigma = \\operatorname{diag}(v_i + \\hat\\tau^2).

    References
    ----------
    Brannick, M. T., et al. (2019). Organizational Research Methods, 22(2), 490-514.

    Example
    -------
    >>> from metaevidence.core.batch import prepare
    >>> est = tau2_hsk(prepare([0.1, 0.5, -0.3, 0.8], [0.02, 0.03, 0.05, 0.04]))
    >>> est.method
    'HSk'

    Matches ``metafor::rma.uni(method="HSk")`` (metafor 3.8-1; tests/reference/R/tau2_more.R).
    """
    from metaevidence.core.tau2 import _finish

    b = common_fit(s) if base is None else base
    c = s.k / s.df
    tau2 = np.maximum(0.0, (b.q * c - s.k) / b.fit.sw)
    se = c * np.sqrt(2.0 * trace_psps(s, b.w, b.fit, s.v + tau2[:, None])) / b.fit.sw
    return _finish(s, tau2, se, "HSk")


def tau2_pmm(s: Studies, *, tol: float, maxiter: int, tau2_init=None, base=None):
    """Median-unbiased Paule-Mandel estimator ("PMM").

    Notes
    -----
    .. math:: Q(\\tau^2) = \\sum \\frac{r_i^2}{v_i + \\tau^2} = \\chi^2_{k-p;\\,0.5},

    the median of the chi-square distribution on ``k - p`` degrees of freedom (the exact
    distribution of :math:`Q(\\tau^2)` at the true :math:`\\tau^2`), solved on
    :math:`\\tau^2 \\ge 0` (0 when Cochran's Q is below that median). The standard error is
    metafor's Paule-Mandel one, :math:`k\\sqrt{2/(k-p)}/\\sum w_i` at the estimate.

    Matches ``metafor::rma.uni(method="PMM")`` (metafor 3.8-1; tests/reference/R/tau2_more.R).
    """
    from metaevidence.core.tau2 import _pm

    return _pm(s, "PMM", tol, maxiter, tau2_init, base)


def tau2_dlit(s: Studies, *, tol: float, maxiter: int, tau2_init=None, base=None):
    """Iterated DerSimonian-Laird estimator ("DLIT"): the fixed point of the DL update.

    Notes
    -----
    The DerSimonian-Kacker update with weights :math:`a_i = 1/(v_i + \\tau^2_{(j)})`,

    .. math:: \\tau^2_{(j+1)} = \\max\\left(0,
              \\frac{Q_a - \\operatorname{tr}(P_a V)}{\\operatorname{tr} P_a}\\right),

    has its fixed point where :math:`Q_a = \\operatorname{tr}(P_a(V + \\tau^2 I)) =
    \\operatorname{tr}(I - X(X^\\top A X)^{-1}X^\\top A) = k - p`: the Paule-Mandel
    equation. The estimate is that root (0 when Cochran's Q is below ``k - p``, where the
    update from the DL estimate stays at 0). The standard error is the one metafor 5 reports
    for DLIT, the Paule-Mandel one, :math:`k\\sqrt{2/(k-p)}/\\sum w_i` at the estimate.

    Matches metafor 5.x's ``rma.uni(method="DLIT")``, tau^2 and its SE (metafor 5.1-12;
    tests/reference/R/tau2_dlit_v5.R); metafor 3.8-1's DLIT stops away from the fixed point
    (bcg-RR: 0.1576 or no convergence).
    """
    from metaevidence.core.tau2 import _pm

    return _pm(s, "DLIT", tol, maxiter, tau2_init, base)


def tau2_sjit(s: Studies, *, tol: float, maxiter: int, tau2_init=None, base=None):
    """Iterated Sidik-Jonkman estimator ("SJIT"): the fixed point of the SJ update.

    Notes
    -----
    The Sidik-Jonkman update :math:`\\tau^2_{(j+1)} = \\tau^2_{(j)}\\,Q(\\tau^2_{(j)})/(k-p)`
    has its positive fixed point where :math:`Q(\\tau^2) = k - p` (the Paule-Mandel
    equation) and tends to 0 when Cochran's Q is below ``k - p``. The standard error is the
    Paule-Mandel one, as metafor reports.

    Matches ``metafor::rma.uni(method="SJIT")`` (metafor 3.8-1; tests/reference/R/tau2_more.R).
    """
    from metaevidence.core.tau2 import _pm

    return _pm(s, "SJIT", tol, maxiter, tau2_init, base)
