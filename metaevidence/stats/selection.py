"""Selection models for publication bias: the face of ``metafor::selmodel()`` (the likelihood
in :mod:`metaevidence.core.selection`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy import special, stats

from metaevidence.core import selection as _core
from metaevidence.errors import ConvergenceWarning
from metaevidence.stats._inputs import float_array

__all__ = ["SelectionModel", "selection_model"]


@dataclass(frozen=True, slots=True)
class SelectionModel:
    """Result of :func:`selection_model`.

    Attributes
    ----------
    estimate, se, z, p_value, ci_lower, ci_upper : float
        The selection-adjusted average effect mu with its Wald inference.
    tau2, se_tau2 : float
        Heterogeneity (0 and NaN for an equal-effects model).
    delta, se_delta : ndarray
        Selection parameters and SEs (a fixed parameter, e.g. the step function's first, has
        SE NaN). ``"truncest"``: delta_1 and the estimated cut-point (SE NaN).
    loglik, loglik_null : float
        Maximised log-likelihood with and without selection (delta at its null value).
    lrt, lrt_df, lrt_p_value : float, int, float
        Likelihood-ratio test of no selection.
    type, alternative : str
    steps : ndarray
    k : int
    prec : str or None
        The precision measure of ``prec=`` (None: selection on p-values alone).
    coefficients, se_coefficients : ndarray or None
        With ``mods``: the intercept and the moderators' coefficients, with their SEs
        (``estimate``/``se`` are the intercept's); None without moderators.
    """

    estimate: float
    se: float
    z: float
    p_value: float
    ci_lower: float
    ci_upper: float
    tau2: float
    se_tau2: float
    delta: np.ndarray
    se_delta: np.ndarray
    loglik: float
    loglik_null: float
    lrt: float
    lrt_df: int
    lrt_p_value: float
    type: str
    alternative: str
    steps: np.ndarray
    k: int
    prec: str | None = None
    coefficients: np.ndarray | None = None
    se_coefficients: np.ndarray | None = None


def _check(yi, vi, type, alternative, steps, method, delta=None):
    where = "selection_model"
    yi, vi = float_array(yi, "yi", where), float_array(vi, "vi", where)
    if yi.ndim != 1 or vi.shape != yi.shape or yi.size < 2:
        raise ValueError(
            f"{where}: yi and vi must be 1-D arrays of one length >= 2; got {yi.shape}, {vi.shape}"
        )
    if np.any(vi <= 0):
        raise ValueError(f"{where}: sampling variances vi must be positive")
    if type not in _core.TYPES:
        raise ValueError(f"{where}: type must be one of {', '.join(map(repr, _core.TYPES))}; got {type!r}")
    if alternative not in _core.ALTERNATIVES:
        raise ValueError(
            f"{where}: alternative must be one of {', '.join(map(repr, _core.ALTERNATIVES))}; got {alternative!r}"
        )
    if method not in ("ML", "EE"):
        raise ValueError(f"{where}: method must be 'ML' (random effects) or 'EE'; got {method!r}")
    if type == "stepfun":
        steps = _check_steps(yi, vi, steps, alternative, where, delta)
    elif type == "trunc":
        steps = _check_cutpoint(yi, steps, alternative, where)
    elif type == "truncest":
        if alternative == "two.sided":
            raise ValueError(
                f"{where}: type='truncest' selects on one side of a cut-point; alternative must be "
                f"'greater' or 'less'"
            )
        if steps is not None:
            raise ValueError(
                f"{where}: type='truncest' estimates its cut-point; it takes no steps= (type='trunc' "
                f"takes a given one); got steps={steps!r}"
            )
        if delta is not None:
            raise ValueError(
                f"{where}: type='truncest' estimates delta_1 and the cut-point; it takes no delta= "
                f"(type='trunc' with steps= fixes the cut-point)"
            )
        steps = np.empty(0)
    else:
        steps = _check_threshold(yi, vi, type, steps, alternative, where)
    return yi, vi, steps


def _check_steps(yi, vi, steps, alternative, where, delta=None):
    if steps is None:
        raise ValueError(f"{where}: type='stepfun' needs steps= (cut-points in (0, 1])")
    steps = np.sort(np.atleast_1d(float_array(steps, "steps", where)))
    if np.any(steps <= 0) or np.any(steps > 1) or np.unique(steps).size != steps.size:
        raise ValueError(f"{where}: steps must be distinct values in (0, 1]; got {steps.tolist()}")
    if steps[-1] < 1.0:
        steps = np.append(steps, 1.0)
    p = _core.p_values(yi, vi, alternative)
    counts = np.bincount(np.searchsorted(steps, p, side="left"), minlength=steps.size)[: steps.size]
    free = np.ones(steps.size, bool)
    if delta is not None and np.size(delta) == steps.size:  # a fixed delta needs no study
        free = np.isnan(_fixed_values(delta, where))
    free[0] = True  # the first interval anchors the function (delta_1 = 1)
    if np.any((counts == 0) & free):
        raise ValueError(
            f"{where}: every p-value interval with an estimated delta needs at least one study; "
            f"counts per interval {counts.tolist()} for steps {steps.tolist()}"
        )
    return steps


def _check_cutpoint(yi, steps, alternative, where):
    """The cut-point y_c of the truncation model (0 by default), on the effect-size scale."""
    if alternative == "two.sided":
        raise ValueError(
            f"{where}: type='trunc' selects on one side of a cut-point; alternative must be 'greater' or 'less'"
        )
    cut = np.zeros(1) if steps is None else np.atleast_1d(float_array(steps, "steps", where))
    if cut.size != 1 or not np.isfinite(cut[0]):
        raise ValueError(
            f"{where}: type='trunc' takes one cut-point on the effect-size scale in steps= (default 0); "
            f"got {np.asarray(steps).tolist()}"
        )
    published_side = yi > cut[0] if alternative == "greater" else yi < cut[0]
    if published_side.all() or not published_side.any():
        raise ValueError(f"{where}: the cut-point {cut[0]:g} needs a study estimate on each side of it")
    return cut


#: Measures of (im)precision of ``prec=``, from the variances or the sample sizes.
PRECISION = ("sei", "vi", "ninv", "sqrtninv")


def _truncest(yi, vi, alternative, method, level, mods) -> SelectionModel:
    """The truncation model with its cut-point estimated: the best of the truncation fits at
    every candidate cut-point (see ``selection_model``'s Notes).
    """
    toward = -np.inf if alternative == "greater" else np.inf
    best = None
    for u in np.unique(yi):
        # at u the study counts as on the unpublished side (w = delta_1); just beside u
        # (the next double), on the published side: the limit of the likelihood there
        for cut in (u, np.nextafter(u, toward)):
            published = yi > cut if alternative == "greater" else yi < cut
            if published.all() or not published.any():
                continue  # delta_1 would rest on no study
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                r = selection_model(
                    yi,
                    vi,
                    type="trunc",
                    steps=[cut],
                    alternative=alternative,
                    method=method,
                    level=level,
                    mods=mods,
                )
            if best is None or r.loglik > best.loglik:
                best = r
    if best is None:
        raise ValueError(
            "selection_model: type='truncest' needs at least two distinct estimates, one on each "
            "side of a cut-point"
        )
    if not np.all(np.isfinite(best.se_delta)) or not np.isfinite(best.se):
        warnings.warn(
            "selection_model: the Hessian at the estimated cut-point could not be inverted; "
            "standard errors are NaN",
            ConvergenceWarning,
            stacklevel=3,
        )
    return replace(
        best,
        type="truncest",
        delta=np.array([best.delta[0], best.steps[0]]),
        se_delta=np.array([best.se_delta[0], np.nan]),
        steps=np.empty(0),
    )


def _precision(prec, type, vi, ni) -> np.ndarray | None:
    """prec_i of ``prec=``, rescaled to a maximum of 1 (None without ``prec``)."""
    where = "selection_model"
    if prec is None:
        return None
    if prec not in PRECISION:
        raise ValueError(f"{where}: prec must be one of {', '.join(map(repr, PRECISION))}; got {prec!r}")
    if type in ("stepfun", "beta", "trunc", "truncest"):
        raise ValueError(
            f"{where}: prec= applies to the halfnorm, negexp, logistic, power and negexppow functions; "
            f"got type={type!r}"
        )
    if prec in ("ninv", "sqrtninv"):
        if ni is None:
            raise ValueError(f"{where}: prec={prec!r} needs the sample sizes ni=")
        n = float_array(ni, "ni", where)
        if n.shape != vi.shape or np.any(~np.isfinite(n)) or np.any(n <= 0):
            raise ValueError(
                f"{where}: ni must be {vi.size} positive sample sizes; got {np.asarray(ni).tolist()}"
            )
        raw = 1.0 / n if prec == "ninv" else 1.0 / np.sqrt(n)
    else:
        raw = np.sqrt(vi) if prec == "sei" else vi
    return raw / raw.max()


def _fixed_values(delta, where) -> np.ndarray:
    """``delta=`` as floats, NaN where estimated (None or NaN given)."""
    try:
        out = np.array(
            [np.nan if d is None else float(d) for d in np.atleast_1d(np.asarray(delta, dtype=object))]
        )
    except (TypeError, ValueError):
        raise ValueError(
            f"{where}: delta must be numbers, with None or NaN for estimated values; got {delta!r}"
        ) from None
    return out


def _fixed_delta(type, steps, delta, where) -> np.ndarray:
    """The fixed-delta vector of the fit (NaN = estimated), from the user's ``delta``."""
    nd = _core.n_delta(type, steps)
    fixed = np.full(nd, np.nan)
    if delta is not None:
        given = _fixed_values(delta, where)
        if given.size != nd:
            raise ValueError(
                f"{where}: delta must have {nd} value(s) for type={type!r}"
                + (f" with {steps.size} steps" if type == "stepfun" else "")
                + f" (None or NaN where estimated); got {given.size}"
            )
        ok = np.isnan(given) | ((given >= (1e-5 if type == "beta" else 0.0)) & (given <= _core.DELTA_MAX))
        if not np.all(ok):
            raise ValueError(
                f"{where}: fixed delta values must lie in [{1e-5 if type == 'beta' else 0:g}, {_core.DELTA_MAX:g}]; "
                f"got {given.tolist()}"
            )
        fixed = given
    if type == "stepfun":
        if not (np.isnan(fixed[0]) or fixed[0] == 1.0):
            raise ValueError(
                f"{where}: the step function's first delta is 1 (its reference); got {fixed[0]:g}"
            )
        fixed[0] = 1.0
    return fixed


def _check_threshold(yi, vi, type, steps, alternative, where):
    """The optional significance threshold alpha of a one-parameter selection function."""
    if steps is None:
        return np.empty(0)
    if type == "beta":
        trunc = np.atleast_1d(float_array(steps, "steps", where))
        if trunc.size != 2 or not 0.0 < trunc[0] < trunc[1] < 1.0:
            raise ValueError(
                f"{where}: type='beta' takes two truncation points in steps= (alpha_1 < alpha_2, "
                f"both in (0, 1)); got {trunc.tolist()}"
            )
        return trunc
    steps = np.atleast_1d(float_array(steps, "steps", where))
    if steps.size != 1 or not 0.0 < steps[0] < 1.0:
        raise ValueError(
            f"{where}: type={type!r} takes at most one threshold in steps= (a value in (0, 1)); "
            f"got {steps.tolist()}"
        )
    p = _core.p_values(yi, vi, alternative)
    if not (np.any(p <= steps[0]) and np.any(p > steps[0])):
        raise ValueError(f"{where}: the threshold {steps[0]:g} needs a study p-value on each side of it")
    return steps


def _standard_errors(h: np.ndarray) -> np.ndarray:
    """sqrt(diag(H^-1)), NaN (with a warning) where the Hessian is singular or not positive
    definite there (a parameter on its bound, or a flat likelihood), as metafor's NA.
    """
    return np.sqrt(np.diag(_covariance(h)))


def _covariance(h: np.ndarray) -> np.ndarray:
    """H^-1, all NaN (with a warning) when H is singular or not positive definite."""
    try:
        cov = np.linalg.inv(h)
    except np.linalg.LinAlgError:
        cov = np.full(h.shape, np.nan)
    var = np.diag(cov).copy()
    if not np.all(np.isfinite(var) & (var > 0)):
        warnings.warn(
            "selection_model: the Hessian of the log-likelihood could not be inverted at the "
            "maximum (a parameter on its bound or a flat likelihood); standard errors are NaN",
            ConvergenceWarning,
            stacklevel=3,
        )
        return np.full(h.shape, np.nan)
    return cov


def _design(mods, k: int):
    """The design matrix [1, mods - mean(mods)] and T with b = T b_centred (None, None without
    moderators). Centring keeps the numerical Hessian well conditioned (a raw calendar year
    beside the intercept makes it singular to working precision).
    """
    if mods is None:
        return None, None
    m = np.asarray(float_array(mods, "mods", "selection_model"), dtype=float)
    m = m[:, None] if m.ndim == 1 else m
    if m.ndim != 2 or m.shape[0] != k:
        raise ValueError(f"selection_model: mods must have one row per study ({k}); got shape {m.shape}")
    centre = m.mean(axis=0)
    X = np.column_stack([np.ones(k), m - centre])  # centring leaves the rank as it is
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError("selection_model: the moderators are collinear with each other or the intercept")
    if X.shape[1] >= k:
        raise ValueError(f"selection_model: {X.shape[1]} coefficients need more than {k} studies")
    T = np.eye(X.shape[1])
    T[0, 1:] = -centre
    return X, T


def selection_model(
    yi,
    vi,
    *,
    type: str,
    steps=None,
    alternative: str = "greater",
    method: str = "ML",
    level: float = 0.95,
    delta=None,
    prec: str | None = None,
    ni=None,
    decreasing: bool = False,
    mods=None,
) -> SelectionModel:
    """Fit a selection model by maximum likelihood (Vevea & Hedges 1995).

    Parameters
    ----------
    yi, vi : array_like (k,)
        Effect sizes and sampling variances.
    type : {"stepfun", "beta", "halfnorm", "negexp", "logistic", "power", "negexppow", "trunc", "truncest"}
        Selection function w(p): a step function with cut-points ``steps`` (delta_1 = 1); the
        beta function p^(d1-1) (1-p)^(d2-1) (Citkowicz & Vevea 2017); half-normal exp(-d p^2),
        negative-exponential exp(-d p), logistic 2 exp(-d p)/(1 + exp(-d p)) (Preston et al.
        2004) or power (1-p)^d; negative-exponential power exp(-d1 p^(1/d2)) (metafor 5;
        d2 = 0.5 and 1 are the half-normal and negative-exponential models, d1 = 0 or d2 = 0
        no selection; two parameters, so the test of no selection has 2 df). The beta and
        power functions censor p at 1e-5 and 1 - 1e-5 (metafor's ``pval.min``). ``"trunc"`` (metafor 5) selects on the estimate itself:
        w = 1 above the cut-point (below it for ``"less"``) and delta on the other side,
        so delta is the relative chance of publication of an estimate on the wrong side.
        ``"truncest"`` (metafor 5) is ``"trunc"`` with the cut-point estimated too:
        ``delta = [delta_1, y_c]`` (see Notes).
        With ``steps=[alpha_1, alpha_2]`` the beta function is truncated (metafor 5, after
        Pustejovsky 2024): w(p) is the beta function at min(max(alpha_1, p), alpha_2), flat
        below alpha_1 and above alpha_2.
    steps : array_like, optional
        ``"trunc"``: the cut-point y_c on the effect-size scale (default 0; an estimate must
        lie on each side). Step function: cut-points (1 is added when missing); every interval must hold a
        study's p-value. One-parameter functions and negexppow: an optional threshold alpha below which
        w(p) = 1 (w becomes min(1, w(p)/w(alpha))); a p-value must lie on each side.
        ``"beta"``: two truncation points alpha_1 < alpha_2 in (0, 1).
    alternative : {"greater", "less", "two.sided"}
        Sidedness of the p-values selection acts on.
    method : {"ML", "EE"}
        Random-effects (tau^2 estimated by ML jointly) or equal-effects model.
    level : float
        Confidence level of the interval for mu.
    delta : array_like, optional
        Fix selection parameters at given values (metafor's ``delta=``), with None or NaN for
        those to estimate: e.g. the fixed weights of Vevea & Woods (2005) for a sensitivity
        analysis (every delta fixed; then only mu and tau^2 are estimated, the likelihood-ratio
        test has 0 degrees of freedom and no p-value). An interval whose delta is fixed needs
        no study.
    prec : {"sei", "vi", "ninv", "sqrtninv"}, optional
        Selection that also depends on precision (Preston et al. 2004; metafor's ``prec=``),
        for the half-normal, negative-exponential, logistic and power functions: delta is
        multiplied by prec_i, the study's standard error, variance, 1/n or 1/sqrt(n),
        rescaled so that the least precise study has prec_i = 1 (the fit is the same for
        any scale; the rescaling fixes what delta means). Below a threshold ``steps=alpha``
        w = 1 still.
    ni : array_like (k,), optional
        Sample sizes, needed by ``prec="ninv"`` and ``"sqrtninv"``.
    mods : array_like (k,) or (k, q), optional
        Moderators: the model is a meta-regression, mu_i = b_0 + x_i b, under selection
        (metafor's ``selmodel`` of an ``rma`` fit with ``mods``); an intercept is added.
    decreasing : bool, default False
        Step function only: keep the deltas non-increasing in the p-value (each at most
        the one before, so all at most 1; metafor's ``decreasing=TRUE``). Adjacent
        intervals whose free estimates would rise are pooled at one value; the SEs come
        from the Hessian of the unconstrained likelihood at that point.

    Returns
    -------
    SelectionModel

    Notes
    -----
    Matches ``metafor::selmodel(rma(yi, vi, method=), type=, steps=, alternative=)`` (metafor
    3.8-1, checked on dat.hackshaw1998 and dat.bcg, with and without ``delta=`` fixing)
    and ``prec=`` (checked on dat.hackshaw1998, every one-parameter function with ``"sei"`` and
    ``"vi"``; the same numbers under metafor 5.1-12). Moderators, ``decreasing=``, the
    truncated beta model and ``type="trunc"`` match metafor 5.1-12 (checked on
    dat.bcg and dat.hackshaw1998; metafor 3.8-1 does not have it). SEs come from a numerical
    Hessian of the log-likelihood (as metafor's numDeriv one), so they agree to
    finite-difference accuracy. metafor integrates the parametric models' normalising
    constant adaptively (``integrate()``); here it is a fixed composite Gauss-Legendre rule
    accurate to ~1e-14 (see :mod:`metaevidence.core.selection_param`), so the two differ by
    metafor's integration error (observed <= 1e-5 relative on the parameters).

    ``type="truncest"`` (metafor 5, "experimental" there): the likelihood jumps wherever the
    cut-point crosses an estimate, and between two neighbouring estimates it is monotone in
    the cut-point for any (mu, tau^2, delta_1) (every normalising constant moves the same
    way), so its supremum is at a cut-point at an observed estimate y_j, with that study on
    the unpublished side (y_c = y_j) or, as the limit, on the published side (y_c the
    double next to y_j: just below it for ``"greater"``, just above for ``"less"``). All
    these candidates are fitted as ``"trunc"`` models and the best is returned, so the
    maximum is global where metafor's optimiser searches a rugged surface; a cut-point
    with every study on one side is not a candidate (delta_1 would rest on no study). The
    SEs of mu, tau^2 and delta_1 are those at the estimated cut-point held fixed; the
    cut-point has no SE (NaN; the likelihood is not differentiable there). The test of no
    selection has 1 df (delta_1 = 1), as metafor's. On dat.hackshaw1998 and dat.bcg the
    cut-point is metafor's estimate to within 6e-4 (metafor stops just short of the
    observed estimate) and the log-likelihood at least metafor's.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0.1, 0.3, 0.5, 0.2, 0.8, 0.05, 0.4, 0.6]); v = np.full(8, 0.04)
    >>> r = selection_model(y, v, type="stepfun", steps=[0.025], method="EE")
    >>> float(r.delta[0]), r.lrt_df
    (1.0, 1)
    """
    yi, vi, steps = _check(yi, vi, type, alternative, steps, method, delta)
    if decreasing and type != "stepfun":
        raise ValueError(
            f"selection_model: decreasing=True applies to type='stepfun' only; got type={type!r}"
        )
    if decreasing and delta is not None:
        raise ValueError("selection_model: decreasing=True estimates every delta; it takes no delta=")
    pr = _precision(prec, type, vi, ni)
    if type == "truncest":
        return _truncest(yi, vi, alternative, method, level, mods)
    X, T = _design(mods, yi.size)
    p = 1 if X is None else X.shape[1]
    random = method == "ML"
    nd = _core.n_delta(type, steps)
    fixed = _fixed_delta(type, steps, delta, "selection_model")
    null = _core.null_delta(type, nd)
    w = 1 / vi
    if X is None:
        b0 = np.array([float(np.sum(w * yi) / np.sum(w))])
    else:  # weighted least squares
        b0 = np.linalg.lstsq(X * np.sqrt(w)[:, None], yi * np.sqrt(w), rcond=None)[0]
    start0 = np.concatenate([b0, [max(float(np.var(yi)) - float(np.mean(vi)), 0.01)] if random else []])
    x0, ll0, _ = _core.maximise(yi, vi, type, steps, alternative, random, null.copy(), start0, pr, X=X)
    # the null is a stationary point of negexppow (delta_1 = 0 hides delta_2): start from negexp's w
    init = np.ones(nd) if type == "negexppow" else null
    start = np.concatenate([x0, init[np.isnan(fixed)]])
    if decreasing:
        start[len(x0) :] = np.minimum(start[len(x0) :], 1.0)
    x, ll, negll = _core.maximise(yi, vi, type, steps, alternative, random, fixed, start, pr, decreasing, X=X)
    cov = _covariance(_core.hessian(negll, x))
    _, tau2, delta = _core._unpack(x, fixed, random, nd, X)
    b = x[:p]
    if T is not None:  # back from the centred moderators
        b = T @ b
        J = np.eye(x.size)
        J[:p, :p] = T
        cov = J @ cov @ J.T
    se_all = np.sqrt(np.diag(cov))
    se_b = se_all[:p]
    se_delta = np.full(nd, np.nan)
    se_delta[np.isnan(fixed)] = se_all[p + 1 if random else p :]
    est, se = float(b[0]), float(se_b[0])
    z = est / se
    crit = special.ndtri(0.5 + level / 2)
    df = int(np.isnan(fixed).sum())
    lrt = max(2.0 * (ll - ll0), 0.0)
    return SelectionModel(
        estimate=est,
        se=se,
        z=float(z),
        p_value=float(2 * special.ndtr(-abs(z))),
        ci_lower=float(est - crit * se),
        ci_upper=float(est + crit * se),
        tau2=float(tau2),
        se_tau2=float(se_all[p]) if random else float("nan"),
        delta=delta,
        se_delta=se_delta,
        loglik=ll,
        loglik_null=ll0,
        lrt=lrt,
        lrt_df=df,
        lrt_p_value=float(stats.chi2.sf(lrt, df)) if df > 0 else float("nan"),
        type=type,
        alternative=alternative,
        steps=steps,
        k=int(yi.size),
        prec=prec,
        coefficients=None if X is None else b,
        se_coefficients=None if X is None else se_b,
    )
