"""One meta-analysis without moderators, on Python floats: the single-fit fast path.

The batched engine (:mod:`metaevidence.core.fit`) computes every quantity as arrays
over a batch. For one analysis of a dozen studies the cost of an array call (about a
microsecond) exceeds the arithmetic, and a fit takes a few hundred of them. This module
evaluates the same formulas -- those documented in :mod:`metaevidence.core.tau2` and
:mod:`metaevidence.core.pool`, which are the reference -- on plain Python floats, so that
``meta_analysis()`` of one data set is an order of magnitude faster than metafor's
``rma()`` (benchmarks/README.md). The iterative estimators use the same solvers
(:func:`~metaevidence.core.solve.ascend`, :func:`~metaevidence.core.solve.decreasing_root`)
through their scalar paths.

The two implementations are held to each other and to metafor: every fixture case is
checked through both (tests/core/test_pool.py runs the batch engine, tests/test_models.py
this path), and a property test fits random batches both ways.
"""

from __future__ import annotations

import math

from scipy import special

from metaevidence.core.solve import ascend, decreasing_root

__all__ = ["fit_one", "LikelihoodTerms"]

_NAN = float("nan")


class LikelihoodTerms:
    """ML/REML log-likelihood, score, derivative and information, or the PM/EB equation,
    of one analysis at a given tau^2 (``scalar(t)``), for the scalar solver paths.

    See :func:`metaevidence.core.tau2._reml_score`, ``_ml_score`` and ``_pm_fun`` for the
    formulas (the array versions, also callable here as ``(x, idx)`` through ``array``).
    """

    __slots__ = ("y", "v", "method", "dfree", "array")

    def __init__(self, y: list, v: list, method: str, array=None):
        self.y, self.v, self.method = y, v, method
        # the target of the Q equation: k - 1 (PM), or the median of chi-square(k - 1) (PMM)
        self.dfree = float(len(y) - 1) if method != "PMM" else float(special.chdtri(len(y) - 1, 0.5))
        self.array = array

    def __call__(self, x, idx):
        return self.array(x, idx)

    def scalar(self, t: float):
        w = [1.0 / (vi + t) for vi in self.v]
        sw = math.fsum(w)
        beta = math.fsum([wi * yi for wi, yi in zip(w, self.y)]) / sw
        sw2 = sw3 = swr2 = s2 = s21 = s3 = 0.0
        for wi, yi in zip(w, self.y):
            r = yi - beta
            wr = wi * r
            w2 = wi * wi
            sw2 += w2
            sw3 += w2 * wi
            swr2 += wr * r
            s2 += wr * wr
            u = wr * wi
            s21 += u
            s3 += u * wr
        if self.method in ("PM", "EB", "PMM"):
            return swr2 - self.dfree, -s2
        ypppy = s3 - s21 * s21 / sw
        slog = math.fsum([math.log(vi + t) for vi in self.v])
        if self.method == "ML":
            return 0.5 * (-slog - swr2), s2 - sw, sw2 - 2.0 * ypppy, sw2
        a = sw2 / sw
        trpp = sw2 - 2.0 * sw3 / sw + a * a
        return (0.5 * (-slog - math.log(sw) - swr2), s2 - (sw - a), trpp - 2.0 * ypppy, trpp)


def _wmean(w, y):
    sw = math.fsum(w)
    return math.fsum([wi * yi for wi, yi in zip(w, y)]) / sw, sw


def _trace_psps(w, sigma, sw):
    """tr(P Sigma P Sigma) without moderators (see core.wls.trace_psps)."""
    ws = [wi * si for wi, si in zip(w, sigma)]
    a = math.fsum([x * x for x in ws])
    b = math.fsum([x * x * wi for x, wi in zip(ws, w)])
    c = math.fsum([x * wi for x, wi in zip(ws, w)])
    return a - 2.0 * b / sw + (c / sw) ** 2


def _tau2(y, v, method, tol, maxiter, common):
    """(tau2, se, converged, iterations) for one analysis; see core.tau2."""
    k = len(y)
    w, q, sw, trp = common
    if method in ("EE", "FE") or k <= 1:
        return 0.0, _NAN, True, 0
    if method in ("DL", "HS", "HSk"):
        c = 1.0
        if method == "DL":
            tau2 = max(0.0, (q - (k - 1)) / trp)
            denom = trp
        else:
            c = k / (k - 1) if method == "HSk" else 1.0  # Brannick et al.'s k/(k - 1)
            tau2 = max(0.0, (q * c - k) / sw)
            denom = sw
        se = c * math.sqrt(2.0 * _trace_psps(w, [vi + tau2 for vi in v], sw)) / denom
        return tau2, se, True, 0
    if method == "HE":
        tau2 = _hedges(y, v)
        sigma = [vi + tau2 for vi in v]
        tr = math.fsum([s * s for s in sigma]) * (1.0 - 2.0 / k) + (math.fsum(sigma) / k) ** 2
        return tau2, math.sqrt(2.0 * tr) / (k - 1), True, 0
    if method == "SJ":
        ybar = math.fsum(y) / k
        tau0 = math.fsum([(yi - ybar) ** 2 for yi in y]) / k
        if tau0 <= 0:
            return 0.0, 0.0, True, 0
        ws = [1.0 / (vi + tau0) for vi in v]
        mu, sws = _wmean(ws, y)
        tau2 = tau0 * math.fsum([wi * (yi - mu) ** 2 for wi, yi in zip(ws, y)]) / (k - 1)
        se = tau0 / (k - 1) * math.sqrt(2.0 * _trace_psps(ws, [vi + tau2 for vi in v], sws))
        return tau2, se, True, 0
    pm_type = method in ("PM", "EB", "PMM", "DLIT", "SJIT")
    terms = LikelihoodTerms(y, v, "PMM" if method == "PMM" else ("PM" if pm_type else method))
    vt = (k - 1) / trp
    scale = vt if vt > 0 and math.isfinite(vt) else 1.0
    if pm_type:  # DLIT and SJIT: the fixed point of their updates is the PM root (core.tau2_more)
        if q - terms.dfree <= 0:
            return 0.0, math.sqrt(2.0 / (k - 1)) * k / sw, True, 1
        x0 = max(0.0, (q - (k - 1)) / trp)
        root = decreasing_root(terms, [x0], [0.0], [math.inf], [scale], tol=tol, maxiter=maxiter)
        tau2 = float(root.x[0])
        swt = math.fsum([1.0 / (vi + tau2) for vi in v])
        return (
            tau2,
            math.sqrt(2.0 / (k - 1)) * k / swt,
            bool(root.converged[0]),
            int(root.iterations[0]) + 1,
        )
    x0 = _hedges(y, v)
    root = ascend(terms, [x0], [scale], tol=tol, maxiter=maxiter)
    tau2, info = float(root.x[0]), float(root.info[0])
    conv, its = bool(root.converged[0]), int(root.iterations[0])
    if x0 > 0 and tau2 > 0:
        ll0, f0, _, info0 = terms.scalar(0.0)
        if f0 <= 0 and ll0 >= float(root.value[0]) - 1e-12 * (1.0 + abs(ll0)):
            tau2, info, conv = 0.0, info0, True
    if not math.isfinite(info):
        info = terms.scalar(tau2)[3]
    return tau2, math.sqrt(2.0 / info), conv, its


def _hedges(y, v):
    k = len(y)
    ybar = math.fsum(y) / k
    rss = math.fsum([(yi - ybar) ** 2 for yi in y])
    return max(0.0, (rss - math.fsum(v) * (1.0 - 1.0 / k)) / (k - 1))


def fit_one(
    y: list,
    v: list,
    *,
    method: str,
    test: str,
    level: float,
    pi_method: str,
    tau2: float | None,
    tol: float,
    maxiter: int,
    user_weights: list | None = None,
) -> dict:
    """Fit one analysis (the included studies' ``y`` and ``v`` as lists of floats).

    Returns a dict of floats with the keys of
    :func:`metaevidence.core.fit.fit_studies` (``weights`` a list over the included
    studies, in percent). Options are assumed valid. ``len(y) >= 1``. ``user_weights``
    (positive, one per study; ``test="z"`` only) replace the inverse-variance weights of
    the pooled estimate (metafor's ``weights=``; all ones: ``weighted=FALSE``): tau^2, Q,
    I^2 and H^2 are unchanged, :math:`\\hat\\mu = \\sum a_i y_i/\\sum a_i` and
    :math:`\\operatorname{SE} = \\sqrt{\\sum a_i^2 (v_i + \\hat\\tau^2)}/\\sum a_i`.
    """
    k = len(y)
    w = [1.0 / vi for vi in v]
    mu_fe, sw = _wmean(w, y)
    q = math.fsum([wi * (yi - mu_fe) ** 2 for wi, yi in zip(w, y)]) if k > 1 else 0.0
    sw2 = math.fsum([wi * wi for wi in w])
    trp = sw - sw2 / sw
    vt = (k - 1) / trp if k > 1 else 0.0
    common = method in ("EE", "FE")
    if tau2 is None:
        t2, t2_se, conv, its = _tau2(y, v, method, tol, maxiter, (w, q, sw, trp))
    else:
        t2, t2_se, conv, its = float(tau2), _NAN, True, 0
    if user_weights is None:
        wt = [1.0 / (vi + t2) for vi in v]
        est, swt = _wmean(wt, y)
        se_z = math.sqrt(1.0 / swt)
    else:
        wt = list(user_weights)
        est, swt = _wmean(wt, y)
        se_z = math.sqrt(math.fsum([a * a * (vi + t2) for a, vi in zip(wt, v)])) / swt
    se, df = se_z, _NAN
    if test != "z" and k >= 2:
        s2w = math.fsum([wi * (yi - est) ** 2 for wi, yi in zip(wt, y)]) / (k - 1)
        if test == "adhoc":
            s2w = max(s2w, 1.0)
        se, df = se_z * math.sqrt(s2w), float(k - 1)
    alpha = 1.0 - level
    if se > 0:
        stat = est / se
    else:  # identical effects under knha: IEEE division, as numpy
        stat = _NAN if est == 0 else math.copysign(math.inf, est)
    if df == df:  # t reference distribution
        crit = float(special.stdtrit(df, 1.0 - alpha / 2.0))
        p = 2.0 * float(special.stdtr(df, -abs(stat)))
    else:
        crit = float(special.ndtri(1.0 - alpha / 2.0))
        p = 2.0 * float(special.ndtr(-abs(stat)))
    q_df = max(k - 1, 0)
    q_p = float(special.chdtrc(q_df, q)) if q_df > 0 else 1.0
    if q_df == 0:
        i2, h2 = 0.0, 1.0
    elif common:
        i2 = 100.0 * (q - q_df) / q if q > q_df else 0.0
        h2 = q / q_df
    else:
        i2 = 100.0 * t2 / (vt + t2)
        h2 = (vt + t2) / vt
    if common:
        pi_lo = pi_hi = _NAN
    else:
        if pi_method == "hts":
            pcrit = float(special.stdtrit(k - 2, 1.0 - alpha / 2.0)) if k > 2 else _NAN
        else:
            pcrit = crit
        half = pcrit * math.sqrt(t2 + se * se)
        pi_lo, pi_hi = est - half, est + half
    return dict(
        estimate=est,
        se=se,
        statistic=stat,
        p_value=p,
        ci_lower=est - crit * se,
        ci_upper=est + crit * se,
        df=df,
        pi_lower=pi_lo,
        pi_upper=pi_hi,
        tau2=t2,
        tau2_se=t2_se,
        tau=math.sqrt(t2),
        i2=i2,
        h2=h2,
        q=q,
        q_df=q_df,
        q_p_value=q_p,
        k=k,
        converged=conv,
        iterations=its,
        vt=vt,
        se_z=se_z,
        weights=[100.0 * wi / swt for wi in wt],
    )
