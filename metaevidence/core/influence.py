"""Leave-one-out influence diagnostics and Baujat coordinates, as one batch of fits.

The k leave-one-out refits are a single batch over the masks ``~eye(k)`` of the
meta-regression core, so models with and without moderators share one code path.

Matches metafor::influence.rma.uni and metafor::baujat (metafor 3.8-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from metaevidence.core import regression as _regress

__all__ = [
    "InfluenceArrays",
    "influence_measures",
    "influence_measures_weighted",
    "influential",
    "baujat_coordinates",
]


@dataclass(frozen=True, slots=True)
class InfluenceArrays:
    """Per-study influence measures (k studies, p coefficients).

    Attributes
    ----------
    rstudent, dffits, cook_d, cov_r, tau2_del, qe_del, hat, weight : ndarray (k,)
    dfbetas : ndarray (k, p)
    coefficients_del : ndarray (k, p)
        Coefficients with each study left out.
    is_influential : ndarray of bool (k,)
    baujat_x, baujat_y : ndarray (k,)
        Baujat plot coordinates (see :func:`baujat_coordinates`), from the same refits.
    """

    rstudent: np.ndarray
    dffits: np.ndarray
    cook_d: np.ndarray
    cov_r: np.ndarray
    tau2_del: np.ndarray
    qe_del: np.ndarray
    hat: np.ndarray
    weight: np.ndarray
    dfbetas: np.ndarray
    coefficients_del: np.ndarray
    is_influential: np.ndarray
    baujat_x: np.ndarray
    baujat_y: np.ndarray


def _refits(yi, vi, X, method, test, tau2, tol, maxiter):
    """Inputs as arrays, the full fit and the k leave-one-out refits (one batch over the
    masks ``~eye(k)``); a fixed tau^2 stays fixed in every refit.
    """
    yi = np.asarray(yi, float)
    vi = np.asarray(vi, float)
    X = np.asarray(X, float)
    k, p = X.shape
    full = _regress.fit_regression(
        yi, vi, X, method=method, test=test, tol=tol, maxiter=maxiter, btt=range(p), tau2=tau2
    )
    loo = _regress.fit_regression(
        yi,
        vi,
        X,
        ~np.eye(k, dtype=bool),
        method=method,
        test=test,
        tol=tol,
        maxiter=maxiter,
        btt=range(p),
        tau2=None if tau2 is None else np.full(k, float(tau2)),
    )
    return yi, vi, X, full, loo


def _baujat(yi, vi, X, full, loo):
    fitted = X @ full.coefficients
    x = (yi - fitted) ** 2 / (vi + full.tau2)
    pred_del = np.einsum("ki,ki->k", X, loo.coefficients)
    var_del = np.einsum("ki,kij,kj->k", X, loo.vcov, X)
    return x, (fitted - pred_del) ** 2 / var_del


def influence_measures(yi, vi, X, *, method="REML", test="z", tau2=None, tol=1e-12, maxiter=1000):
    """Leave-one-out influence measures of a (mixed-effects) meta-regression.

    Parameters
    ----------
    yi, vi : array_like (k,)
    X : array_like (k, p)
        Model matrix (a column of ones for a model without moderators).
    method, test : str
        tau^2 estimator and test of the model (each refit uses the same).
    tau2 : float, optional
        A fixed tau^2 (metafor ``tau2=``), kept in every refit.
    tol, maxiter
        Convergence settings of iterative estimators.

    Returns
    -------
    InfluenceArrays

    Notes
    -----
    With the full fit :math:`\\hat\\beta, \\hat\\tau^2, V = \\mathrm{Var}(\\hat\\beta)`,
    :math:`W = \\mathrm{diag}(1/(v_i + \\hat\\tau^2))` and the fit without study i
    (:math:`\\hat\\beta_{(-i)}, \\hat\\tau^2_{(-i)}, V_{(-i)}`):

    * hat :math:`h_i = [X(X'WX)^{-1}X'W]_{ii}`; weight :math:`100\\,w_i/\\sum w_j`;
    * rstudent :math:`(y_i - x_i'\\hat\\beta_{(-i)}) / \\sqrt{s^2_{(-i)}(v_i +
      \\hat\\tau^2_{(-i)}) + x_i'V_{(-i)}x_i}`;
    * DFFITS :math:`x_i'(\\hat\\beta - \\hat\\beta_{(-i)}) / \\sqrt{h_i s^2_{(-i)}
      (\\hat\\tau^2_{(-i)} + v_i)}`;
    * Cook's distance :math:`(\\hat\\beta - \\hat\\beta_{(-i)})'V^{-1}(\\hat\\beta -
      \\hat\\beta_{(-i)})`;
    * covariance ratio :math:`\\det V_{(-i)} / \\det V`;
    * DFBETAS :math:`(\\hat\\beta - \\hat\\beta_{(-i)})_j / \\sqrt{s^2_{(-i)}
      [(X'W_{(-i)}X)^{-1}]_{jj}}`, where :math:`W_{(-i)}` weights all k studies by
      :math:`1/(v_j + \\hat\\tau^2_{(-i)})`;
    * :math:`\\hat\\tau^2_{(-i)}` and :math:`Q_{E(-i)}`.

    :math:`s^2_{(-i)}` is the Knapp-Hartung scale of the fit without study i (1 under
    ``test="z"``) and V the covariance of the full fit (including its scale).

    References
    ----------
    Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for
    meta-analysis. Research Synthesis Methods, 1(2), 112-125.

    Example
    -------
    >>> import numpy as np
    >>> inf = influence_measures([0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03],
    ...                          np.ones((5, 1)), method="DL")
    >>> inf.hat.shape
    (5,)

    Matches metafor::influence(rma(yi, vi, mods = ..., method = ..., test = ...)).
    """
    yi, vi, X, full, loo = _refits(yi, vi, X, method, test, tau2, tol, maxiter)
    k, p = X.shape
    w = 1.0 / (vi + full.tau2)
    xtwx = np.einsum("ki,k,kj->ij", X, w, X)
    A = np.linalg.inv(xtwx)
    hat = w * np.einsum("ki,ij,kj->k", X, A, X)
    weight = 100.0 * w / w.sum()
    b, bd = full.coefficients, loo.coefficients
    pred_del = np.einsum("ki,ki->k", X, bd)
    var_pred_del = np.einsum("ki,kij,kj->k", X, loo.vcov, X)
    s2 = loo.s2  # Knapp-Hartung scale of each leave-one-out fit (1 under "z")
    rstudent = (yi - pred_del) / np.sqrt(s2 * (vi + loo.tau2) + var_pred_del)
    delta = b[None, :] - bd
    dffits = np.einsum("ki,ki->k", X, delta) / np.sqrt(hat * s2 * (loo.tau2 + vi))
    cook_d = np.einsum("ki,ij,kj->k", delta, np.linalg.inv(full.vcov), delta)
    cov_r = np.linalg.det(loo.vcov) / np.linalg.det(full.vcov)
    # DFBETAS scale: all k studies weighted with the leave-one-out tau^2
    w_del = 1.0 / (vi[None, :] + loo.tau2[:, None])
    a_del = np.linalg.inv(np.einsum("ki,jk,kl->jil", X, w_del, X))
    dfbetas = delta / np.sqrt(s2[:, None] * np.diagonal(a_del, axis1=1, axis2=2))
    bx, by = _baujat(yi, vi, X, full, loo)
    return InfluenceArrays(
        rstudent=rstudent,
        dffits=dffits,
        cook_d=cook_d,
        cov_r=cov_r,
        tau2_del=loo.tau2,
        qe_del=loo.qe,
        hat=hat,
        weight=weight,
        dfbetas=dfbetas,
        coefficients_del=bd,
        is_influential=influential(dffits, cook_d, hat, dfbetas, k=k, p=p),
        baujat_x=bx,
        baujat_y=by,
    )


def influence_measures_weighted(yi, vi, weights, *, method="REML", tau2=None, tol=1e-12, maxiter=1000):
    """Leave-one-out influence measures of a model without moderators fitted with user weights.

    Parameters
    ----------
    yi, vi, weights : array_like (k,)
        Effect sizes, sampling variances and the user weights :math:`a_i` of the pooled
        estimate (metafor's ``weights=``; all ones for ``weighted=FALSE``).
    method : str
        tau^2 estimator (each refit uses the same; tau^2 stays the inverse-variance estimate).
    tau2 : float, optional
        A fixed tau^2, kept in every refit.
    tol, maxiter
        Convergence settings of iterative estimators.

    Returns
    -------
    InfluenceArrays

    Notes
    -----
    With :math:`\\hat\\mu = \\sum a_j y_j / \\sum a_j`, :math:`V = \\sum a_j^2 (v_j +
    \\hat\\tau^2) / (\\sum a_j)^2` and the fit without study i (each study keeps its weight):
    hat :math:`h_i = a_i / \\sum a_j`; weight :math:`100 h_i`; rstudent :math:`(y_i -
    \\hat\\mu_{(-i)}) / \\sqrt{v_i + \\hat\\tau^2_{(-i)} + V_{(-i)}}`; DFFITS and DFBETAS
    :math:`(\\hat\\mu - \\hat\\mu_{(-i)}) / \\sqrt{V^*_{(-i)}}`, where :math:`V^*_{(-i)}`
    is V of all k studies with :math:`\\hat\\tau^2_{(-i)}`; Cook's distance :math:`(\\hat\\mu -
    \\hat\\mu_{(-i)})^2 / V`; covariance ratio :math:`V_{(-i)} / V`; Baujat coordinates
    :math:`(y_i - \\hat\\mu)^2 / (v_i + \\hat\\tau^2)` and :math:`(\\hat\\mu -
    \\hat\\mu_{(-i)})^2 / V_{(-i)}`.

    Example
    -------
    >>> inf = influence_measures_weighted([0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03],
    ...                                   [1, 2, 1, 3, 1], method="DL")
    >>> round(float(inf.hat[3]), 4)
    0.375

    Matches metafor::influence() and metafor::baujat() of ``rma(yi, vi, weights = ...)`` and of
    ``rma(yi, vi, weighted = FALSE)`` (tests/reference/R/weighted_sensitivity.R; metafor 3.8-1
    and 5.1-12 agree).
    """
    from metaevidence.core import fit as _engine

    y, v, a = (np.asarray(x, float) for x in (yi, vi, weights))
    k = y.size
    options = dict(method=method, tau2=tau2, tol=tol, maxiter=maxiter, warn=False)
    full = _engine.fit(y, v, weights=a, **options)
    loo = _engine.fit(y, v, mask=~np.eye(k, dtype=bool), weights=np.broadcast_to(a, (k, k)), **options)
    b, var = float(full.estimate), float(full.se) ** 2
    hat = a / a.sum()
    delta = b - loo.estimate
    var_all = (a[None, :] ** 2 * (v[None, :] + loo.tau2[:, None])).sum(axis=1) / a.sum() ** 2
    dffits = delta / np.sqrt(var_all)
    cook_d = delta**2 / var
    return InfluenceArrays(
        rstudent=(y - loo.estimate) / np.sqrt(v + loo.tau2 + loo.se**2),
        dffits=dffits,
        cook_d=cook_d,
        cov_r=loo.se**2 / var,
        tau2_del=loo.tau2,
        qe_del=loo.q,
        hat=hat,
        weight=100.0 * hat,
        dfbetas=dffits[:, None],
        coefficients_del=loo.estimate[:, None],
        is_influential=influential(dffits, cook_d, hat, dffits[:, None], k=k, p=1),
        baujat_x=(y - b) ** 2 / (v + float(full.tau2)),
        baujat_y=delta**2 / loo.se**2,
    )


def influential(dffits, cook_d, hat, dfbetas, *, k, p):
    """Flag influential studies by the usual cut-offs.

    Notes
    -----
    A study is influential if :math:`|DFFITS| > 3\\sqrt{p/(k-p)}`, or the chi^2(p)
    distribution function at Cook's distance exceeds 0.5, or :math:`h_i > 3p/k`, or
    any :math:`|DFBETAS| > 1` (Viechtbauer & Cheung 2010).

    Example
    -------
    >>> influential(np.array([0.1, 3.0]), np.array([0.1, 0.1]), np.array([0.2, 0.2]),
    ...             np.zeros((2, 1)), k=10, p=1).tolist()
    [False, True]

    Matches metafor::influence(...)$is.infl.
    """
    return (
        (np.abs(dffits) > 3.0 * np.sqrt(p / (k - p)))
        | (stats.chi2.cdf(cook_d, p) > 0.5)
        | (hat > 3.0 * p / k)
        | (np.abs(dfbetas) > 1.0).any(axis=-1)
    )


def baujat_coordinates(yi, vi, X, *, method="REML", test="z", tau2=None, tol=1e-12, maxiter=1000):
    """Baujat plot coordinates: contribution to heterogeneity vs influence on the result.

    Parameters
    ----------
    yi, vi : array_like (k,)
    X : array_like (k, p)
    method, test : str
        tau^2 estimator and test of the model (Knapp-Hartung scales :math:`V_{(-i)}`).
    tau2 : float, optional
        A fixed tau^2, kept in every refit.

    Returns
    -------
    x, y : ndarray (k,)

    Notes
    -----
    :math:`x_i = (y_i - x_i'\\hat\\beta)^2 / (v_i + \\hat\\tau^2)` (squared Pearson
    residual; for an equal-effects model the study's term of Cochran's Q) and
    :math:`y_i = (x_i'\\hat\\beta - x_i'\\hat\\beta_{(-i)})^2 / (x_i'V_{(-i)}x_i)`, the
    standardized squared change of the study's fitted value when it is left out
    (Baujat et al. 2002; generalised by Viechtbauer 2021).

    References
    ----------
    Baujat, B., Mahe, C., Pignon, J.-P., & Hill, C. (2002). A graphical method for
    exploring heterogeneity in meta-analyses: Application to a meta-analysis of 65
    trials. Statistics in Medicine, 21(18), 2641-2652.

    Example
    -------
    >>> x, y = baujat_coordinates([0.1, 0.5, 0.9, 0.2], [0.05, 0.04, 0.06, 0.05],
    ...                           np.ones((4, 1)), method="EE")
    >>> x.shape
    (4,)

    Matches metafor::baujat(x) (its returned x and y).
    """
    return _baujat(*_refits(yi, vi, X, method, test, tau2, tol, maxiter))
