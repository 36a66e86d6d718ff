"""Mantel-Haenszel and Peto pooling of 2x2 tables, batched over analyses.

Every function takes the cell counts ``ai, bi, ci, di`` of shape ``(..., k)`` (tables on
the last axis; group 1 events/non-events, group 2 events/non-events) and an optional
boolean ``mask`` of the same shape, and returns arrays over the leading (batch) shape.
Excluded tables (masked out, missing counts, or an empty table) contribute nothing.
The pooled estimates use the counts as given (metafor adds nothing to zero cells when it
applies the Mantel-Haenszel or Peto method); zero-cell corrections only concern the
per-study effect sizes shown next to the pooled result.

All formulas match ``metafor::rma.mh`` and ``metafor::rma.peto`` (metafor 3.8-1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = [
    "Tables",
    "tables",
    "BinaryPooled",
    "mh_odds_ratio",
    "mh_risk_ratio",
    "mh_risk_difference",
    "peto_odds_ratio",
    "cmh_test",
    "tarone_test",
    "breslow_day_test",
    "cochran_test",
    "peto_q",
    "q_about",
    "fit_binary",
    "MH_MEASURES",
]

#: Measures of the Mantel-Haenszel method.
MH_MEASURES = ("OR", "RR", "RD")


@dataclass(frozen=True, slots=True)
class Tables:
    """2x2 tables of a batch, with excluded tables zeroed out.

    Attributes
    ----------
    a, b, c, d : ndarray (..., k)
        Cell counts (0 in excluded tables).
    n1, n2, n : ndarray (..., k)
        Group sizes and table totals (``n`` is 1 in excluded tables, so that divisions
        are safe; every term carries a factor that is 0 there).
    used : ndarray of bool (..., k)
        Tables entering the pooled estimate.
    """

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    n1: np.ndarray
    n2: np.ndarray
    n: np.ndarray
    used: np.ndarray


def tables(ai, bi, ci, di, mask=None) -> Tables:
    """Broadcast and validate cell counts; exclude masked, missing and empty tables.

    Raises
    ------
    ValueError
        For a negative or infinite count in a table that is used.
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    given = [a, b, c, d] if mask is None else [a, b, c, d, np.asarray(mask, dtype=bool)]
    arrays = np.broadcast_arrays(*given)
    a, b, c, d = arrays[:4]
    used = ~(np.isnan(a) | np.isnan(b) | np.isnan(c) | np.isnan(d))
    if mask is not None:
        used &= arrays[4]
    for name, x in (("ai", a), ("bi", b), ("ci", c), ("di", d)):
        bad = used & ~((x >= 0) & np.isfinite(x))
        if bad.any():
            where = np.argwhere(bad)[0]
            raise ValueError(
                f"{name} must be a non-negative finite count in every table used; "
                f"got {float(x[tuple(where)])!r} at table {where[-1]}"
            )
    used &= (a + b + c + d) > 0
    z = lambda x: np.where(used, x, 0.0)  # noqa: E731
    a, b, c, d = z(a), z(b), z(c), z(d)
    n1, n2 = a + b, c + d
    n = np.where(used, n1 + n2, 1.0)
    return Tables(a, b, c, d, n1, n2, n, used)


@dataclass(frozen=True, slots=True)
class BinaryPooled:
    """A pooled common effect from 2x2 tables.

    Attributes
    ----------
    estimate, se : ndarray
        Pooled value (log OR / log RR / RD) and its standard error, batch shape.
    weights : ndarray (..., k)
        Weights of the tables in percent (metafor's ``weights()``); NaN where excluded.
    k : ndarray of int
        Number of tables used.
    """

    estimate: np.ndarray
    se: np.ndarray
    weights: np.ndarray
    k: np.ndarray


def _percent(w, used):
    total = w.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(used, 100.0 * w / total, np.nan)


def mh_odds_ratio(t: Tables) -> BinaryPooled:
    """Mantel-Haenszel log odds ratio with the Robins-Breslow-Greenland variance.

    Notes
    -----
    With :math:`R_i = a_i d_i/N_i`, :math:`S_i = b_i c_i/N_i`,
    :math:`P_i = (a_i + d_i)/N_i`, :math:`Q_i = (b_i + c_i)/N_i`:

    .. math::

        \\hat\\theta_{MH} = \\log\\frac{\\sum R_i}{\\sum S_i}, \\qquad
        \\widehat{\\operatorname{Var}} = \\frac{\\sum P_iR_i}{2(\\sum R_i)^2}
        + \\frac{\\sum (P_iS_i + Q_iR_i)}{2\\sum R_i\\sum S_i}
        + \\frac{\\sum Q_iS_i}{2(\\sum S_i)^2}.

    Weights: :math:`S_i` (in percent).

    References
    ----------
    Mantel, N., & Haenszel, W. (1959). J Natl Cancer Inst, 22(4), 719-748.
    Robins, J., Breslow, N., & Greenland, S. (1986). Biometrics, 42(2), 311-323.

    Matches ``metafor::rma.mh(measure="OR")``.
    """
    R = t.a * t.d / t.n
    S = t.b * t.c / t.n
    P = (t.a + t.d) / t.n
    Q = (t.b + t.c) / t.n
    sR, sS = R.sum(axis=-1), S.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.log(sR / sS)
        var = (
            (P * R).sum(axis=-1) / (2 * sR**2)
            + (P * S + Q * R).sum(axis=-1) / (2 * sR * sS)
            + (Q * S).sum(axis=-1) / (2 * sS**2)
        )
    return BinaryPooled(est, np.sqrt(var), _percent(S, t.used), t.used.sum(axis=-1))


def mh_risk_ratio(t: Tables) -> BinaryPooled:
    """Mantel-Haenszel log risk ratio with the Greenland-Robins (1985) variance.

    Notes
    -----
    With :math:`R_i = a_i n_{2i}/N_i`, :math:`S_i = c_i n_{1i}/N_i`:

    .. math::

        \\hat\\theta = \\log\\frac{\\sum R_i}{\\sum S_i}, \\qquad
        \\widehat{\\operatorname{Var}} = \\frac{\\sum [n_{1i}n_{2i}(a_i + c_i) -
        a_i c_i N_i]/N_i^2}{\\sum R_i \\sum S_i}.

    Weights: :math:`S_i`.

    References
    ----------
    Greenland, S., & Robins, J. M. (1985). Estimation of a common effect parameter from
    sparse follow-up data. Biometrics, 41(1), 55-68.

    Matches ``metafor::rma.mh(measure="RR")``.
    """
    R = t.a * t.n2 / t.n
    S = t.c * t.n1 / t.n
    num = (t.n1 * t.n2 * (t.a + t.c) - t.a * t.c * t.n) / t.n**2
    sR, sS = R.sum(axis=-1), S.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.log(sR / sS)
        var = num.sum(axis=-1) / (sR * sS)
    return BinaryPooled(est, np.sqrt(var), _percent(S, t.used), t.used.sum(axis=-1))


def mh_risk_difference(t: Tables) -> BinaryPooled:
    """Mantel-Haenszel risk difference with the Sato-Greenland-Robins (1989) variance.

    Notes
    -----
    With weights :math:`W_i = n_{1i}n_{2i}/N_i`,

    .. math::

        \\hat\\theta = \\frac{\\sum (a_i n_{2i} - c_i n_{1i})/N_i}{\\sum W_i}, \\qquad
        \\widehat{\\operatorname{Var}} = \\frac{\\hat\\theta \\sum P_i + \\sum Q_i}{(\\sum W_i)^2},

    :math:`P_i = (n_{1i}^2 c_i - n_{2i}^2 a_i + n_{1i}n_{2i}(n_{2i} - n_{1i})/2)/N_i^2`,
    :math:`Q_i = (a_i(n_{2i} - c_i) + c_i(n_{1i} - a_i))/(2N_i)`.

    References
    ----------
    Sato, T., Greenland, S., & Robins, J. M. (1989). On the variance estimator for the
    Mantel-Haenszel risk difference. Biometrics, 45(4), 1323-1324.

    Matches ``metafor::rma.mh(measure="RD")``.
    """
    W = t.n1 * t.n2 / t.n
    sW = W.sum(axis=-1)
    P = (t.n1**2 * t.c - t.n2**2 * t.a + t.n1 * t.n2 * (t.n2 - t.n1) / 2) / t.n**2
    Q = (t.a * (t.n2 - t.c) + t.c * (t.n1 - t.a)) / (2 * t.n)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = ((t.a * t.n2 - t.c * t.n1) / t.n).sum(axis=-1) / sW
        var = (est * P.sum(axis=-1) + Q.sum(axis=-1)) / sW**2
    return BinaryPooled(est, np.sqrt(var), _percent(W, t.used), t.used.sum(axis=-1))


def _hypergeometric(t: Tables):
    """Expected count in cell a and its variance under no association, per table."""
    m1 = t.a + t.c
    m2 = t.b + t.d
    expected = t.n1 * m1 / t.n
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(t.n > 1, t.n1 * t.n2 * m1 * m2 / (t.n**2 * (t.n - 1)), 0.0)
    return expected, var


def peto_odds_ratio(t: Tables) -> BinaryPooled:
    """Peto's one-step log odds ratio.

    Notes
    -----
    .. math::

        \\hat\\theta = \\frac{\\sum (O_i - E_i)}{\\sum V_i}, \\qquad
        \\operatorname{SE} = \\Big(\\sum V_i\\Big)^{-1/2},

    with :math:`O_i = a_i`, :math:`E_i = n_{1i}m_{1i}/N_i` and the hypergeometric
    variance :math:`V_i = n_{1i}n_{2i}m_{1i}m_{2i}/(N_i^2(N_i - 1))`. Weights: :math:`V_i`.

    References
    ----------
    Yusuf, S., Peto, R., Lewis, J., Collins, R., & Sleight, P. (1985). Progress in
    Cardiovascular Diseases, 27(5), 335-371.

    Matches ``metafor::rma.peto()``.
    """
    expected, V = _hypergeometric(t)
    sV = V.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = (t.a - expected).sum(axis=-1) / sV
        se = np.sqrt(1.0 / sV)
    return BinaryPooled(est, se, _percent(V, t.used), t.used.sum(axis=-1))


def peto_q(t: Tables) -> tuple[np.ndarray, np.ndarray]:
    """Peto's heterogeneity statistic and its degrees of freedom.

    .. math:: Q = \\sum \\frac{(O_i - E_i)^2}{V_i} - \\frac{(\\sum (O_i - E_i))^2}{\\sum V_i}

    over tables with :math:`V_i > 0`; the returned df is their number minus 1 (metafor
    reports the number of studies with a per-study effect size minus 1, which
    :func:`fit_binary` uses). Matches ``metafor::rma.peto()`` (``QE``).
    """
    expected, V = _hypergeometric(t)
    info = V > 0
    oe = np.where(info, t.a - expected, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(info, oe**2 / np.where(info, V, 1.0), 0.0).sum(axis=-1) - oe.sum(axis=-1) ** 2 / V.sum(
            axis=-1
        )
    return q, info.sum(axis=-1) - 1


def cmh_test(t: Tables, *, correct: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Cochran-Mantel-Haenszel test of no association (1 df).

    .. math:: X^2_{CMH} = \\frac{(|\\sum a_i - \\sum E_i| - c)^2}{\\sum V_i}, \\quad
              c = 0.5 \\text{ with the continuity correction, else } 0

    (the correction is applied as written, also when :math:`|\\sum a_i - \\sum E_i| < 0.5`,
    as metafor does).

    Returns
    -------
    statistic, p_value : ndarray

    References
    ----------
    Cochran, W. G. (1954). Biometrics, 10(4), 417-451. Mantel, N., & Haenszel, W. (1959).

    Matches ``metafor::rma.mh(measure="OR")`` (``MH``, ``MHp``).
    """
    expected, V = _hypergeometric(t)
    delta = np.abs((t.a - expected).sum(axis=-1)) - (0.5 if correct else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = delta**2 / V.sum(axis=-1)
    return stat, special.chdtrc(1.0, stat)


def cochran_test(t: Tables, *, correct: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Cochran's test of no association: the CMH statistic with the binomial variance.

    Notes
    -----
    .. math:: X^2 = \\frac{(|\\sum a_i - \\sum E_i| - c)^2}{\\sum n_{1i}n_{2i}m_{1i}m_{2i}/n_i^3}

    (:func:`cmh_test` divides by :math:`n_i^2(n_i - 1)` instead); :math:`c = 1/2` with
    the continuity correction (metafor uses the fit's ``correct`` for both).

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common chi-square tests.
    Biometrics, 10(4), 417-451.

    Matches ``metafor::rma.mh(measure="OR")`` (``CO``, ``COp``).
    """
    expected, V = _hypergeometric(t)
    V = V * (t.n - 1.0) / t.n
    delta = np.abs((t.a - expected).sum(axis=-1)) - (0.5 if correct else 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = delta**2 / np.nansum(V, axis=-1)
    return stat, special.chdtrc(1.0, stat)


def _expected_a(t: Tables, psi: np.ndarray) -> np.ndarray:
    """The count in cell a with the table's margins and odds ratio ``psi`` (the root of
    :math:`(1-\\psi)x^2 + (n_2 - m_1 + \\psi(n_1 + m_1))x - \\psi n_1 m_1 = 0` in the
    admissible range).
    """
    m1 = t.a + t.c
    psi = psi[..., None]
    qa = 1.0 - psi
    qb = t.n2 - m1 + psi * (t.n1 + m1)
    qc = -psi * t.n1 * m1
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(np.maximum(qb * qb - 4.0 * qa * qc, 0.0))
        q = -0.5 * (qb + np.copysign(disc, qb))
        r1, r2 = q / qa, qc / q
        lo = np.maximum(0.0, m1 - t.n2)
        hi = np.minimum(t.n1, m1)
        inside1 = (r1 >= lo - 1e-9 * (1 + hi)) & (r1 <= hi + 1e-9 * (1 + hi))
        root = np.where(inside1, r1, r2)
        linear = np.abs(qa) < 1e-12  # psi = 1
        root = np.where(linear, t.n1 * m1 / t.n, root)
        root = np.where(q == 0, 0.0, root)
    return root


def tarone_test(t: Tables, log_or: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tarone's test for heterogeneity of odds ratios (Breslow-Day with Tarone's
    correction) around the Mantel-Haenszel odds ratio.

    Notes
    -----
    With :math:`\\hat a_i` the expected count in cell a under the common odds ratio
    :math:`\\hat\\psi_{MH}` and margins fixed, and
    :math:`\\hat V_i = (1/\\hat a_i + 1/(n_{1i}-\\hat a_i) + 1/(m_{1i}-\\hat a_i) +
    1/(n_{2i}-m_{1i}+\\hat a_i))^{-1}`,

    .. math:: X^2 = \\sum \\frac{(a_i - \\hat a_i)^2}{\\hat V_i}
              - \\frac{(\\sum a_i - \\sum \\hat a_i)^2}{\\sum \\hat V_i}

    on (informative tables - 1) df; tables without events or without non-events carry
    no information.

    References
    ----------
    Tarone, R. E. (1985). On heterogeneity tests based on efficient scores. Biometrika,
    72(1), 91-95.

    Matches ``metafor::rma.mh(measure="OR")`` (``TA``, ``TAp``).
    """
    bd, dev_sum, v_sum, df = _breslow_day_parts(t, log_or)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = bd - dev_sum**2 / v_sum
    return stat, df, special.chdtrc(np.maximum(df, 1), stat)


def _breslow_day_parts(t: Tables, log_or):
    """Sum (a - a_hat)^2 / V, sum (a - a_hat), sum V and the df over informative tables."""
    psi = np.exp(np.asarray(log_or, dtype=float))
    m1 = t.a + t.c
    m2 = t.b + t.d
    info = t.used & (m1 > 0) & (m2 > 0) & (t.n1 > 0) & (t.n2 > 0)
    ahat = _expected_a(t, psi)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = 1.0 / (1.0 / ahat + 1.0 / (t.n1 - ahat) + 1.0 / (m1 - ahat) + 1.0 / (t.n2 - m1 + ahat))
        v = np.where(info, v, 0.0)
        dev = np.where(info, t.a - ahat, 0.0)
        bd = np.where(info, dev**2 / np.where(info, v, 1.0), 0.0).sum(axis=-1)
    return bd, dev.sum(axis=-1), v.sum(axis=-1), info.sum(axis=-1) - 1


def breslow_day_test(t: Tables, log_or: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Breslow-Day test for heterogeneity of odds ratios around the Mantel-Haenszel odds
    ratio (without Tarone's correction; :func:`tarone_test` subtracts it).

    Notes
    -----
    .. math:: X^2_{BD} = \\sum \\frac{(a_i - \\hat a_i)^2}{\\hat V_i}

    with :math:`\\hat a_i`, :math:`\\hat V_i` as in :func:`tarone_test`, on (informative
    tables - 1) df.

    References
    ----------
    Breslow, N. E., & Day, N. E. (1980). Statistical methods in cancer research, Vol. I
    (IARC Scientific Publications No. 32), section 4.4.

    Matches ``metafor::rma.mh(measure="OR")`` (``BD``, ``BDp``).
    """
    bd, _, _, df = _breslow_day_parts(t, log_or)
    return bd, df, special.chdtrc(np.maximum(df, 1), bd)


def q_about(yi, vi, estimate, mask=None):
    """Cochran-type heterogeneity statistic about a given pooled estimate.

    .. math:: Q = \\sum_i (y_i - \\hat\\theta)^2 / v_i

    over studies with finite ``yi``, ``vi`` (and ``mask``); df = their number - 1 (Q = 0
    when df = 0). Used
    for the Mantel-Haenszel fits (metafor's ``QE`` of ``rma.mh``: the per-study effect
    sizes about the MH estimate).

    Returns
    -------
    q, df, p_value : ndarray
    """
    y = np.asarray(yi, dtype=float)
    v = np.asarray(vi, dtype=float)
    ok = np.isfinite(y) & np.isfinite(v) & (v > 0)
    if mask is not None:
        ok = ok & np.asarray(mask, dtype=bool)
    est = np.asarray(estimate, dtype=float)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(ok, (y - est) ** 2 / np.where(ok, v, 1.0), 0.0).sum(axis=-1)
    df = ok.sum(axis=-1) - 1
    q = np.where(df > 0, q, 0.0)  # a single study: Q = 0 on 0 df, as metafor
    p = np.where(df > 0, special.chdtrc(np.maximum(df, 1), q), 1.0)
    return q, df, p


def fit_binary(
    ai,
    bi,
    ci,
    di,
    *,
    yi,
    vi,
    mask=None,
    method: str = "MH",
    measure: str = "OR",
    level: float = 0.95,
    correct: bool = True,
    add: float = 0.0,
    to: str = "none",
    drop00: bool = False,
) -> dict:
    """Mantel-Haenszel or Peto fits of a batch of analyses of the same tables.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Cell counts.
    yi, vi : array_like (..., k)
        Per-study effect sizes and variances (with the display zero-cell settings; NaN
        where dropped): the heterogeneity statistic of the MH fit is computed from them.
    mask : array_like of bool (..., k), optional
        Tables each analysis uses.
    method : {"MH", "PETO"}
    measure : {"OR", "RR", "RD"}
        For ``method="MH"``.
    level : float
    correct : bool
        Continuity correction of the CMH test.
    add, to, drop00
        Zero-cell handling applied to the counts before pooling (metafor's second
        ``add``/``to``/``drop00`` values; by default the counts are used as given).

    Returns
    -------
    dict of ndarray
        ``estimate se statistic p_value ci_lower ci_upper q q_df q_p_value i2 h2 cmh
        cmh_p_value tarone tarone_p_value breslow_day breslow_day_p_value cochran
        cochran_p_value weights included k`` over the batch.
    """
    from metaevidence.core.effects.counts import double_zero_2x2, zero_cell_correction
    from metaevidence.core.pool import chi2_sf, heterogeneity_i2_h2, wald

    given = [np.asarray(x, dtype=float) for x in (ai, bi, ci, di)]
    if mask is not None:
        given.append(np.asarray(mask, dtype=bool))
    arrays = np.broadcast_arrays(*given)
    cells = arrays[:4]
    m = np.ones(cells[0].shape, dtype=bool) if mask is None else arrays[4]
    if drop00:
        m = m & ~double_zero_2x2(*cells)
    if to != "none" and add != 0:
        cells, _ = zero_cell_correction(tuple(cells), add=add, to=to, exclude=~m)
    t = tables(cells[0], cells[1], cells[2], cells[3], mask=m)
    n_shape = t.a.shape[:-1]
    nan = np.full(n_shape, np.nan)
    cmh = cmh_p = tarone = tarone_p = bd = bd_p = co = co_p = nan
    if method == "PETO":
        pooled = peto_odds_ratio(t)
        q, _ = peto_q(t)
        # metafor's df: the studies with a per-study effect size, minus 1
        q_df = (np.isfinite(np.asarray(yi, dtype=float)) & t.used).sum(axis=-1) - 1
    else:
        pooled = {"OR": mh_odds_ratio, "RR": mh_risk_ratio, "RD": mh_risk_difference}[measure](t)
        q, q_df, _ = q_about(yi, vi, pooled.estimate, t.used)
        if measure == "OR":
            cmh, cmh_p = cmh_test(t, correct=correct)
            tarone, _, tarone_p = tarone_test(t, pooled.estimate)
            bd, _, bd_p = breslow_day_test(t, pooled.estimate)
            co, co_p = cochran_test(t, correct=correct)
    q_df = np.maximum(q_df, 0)
    q_p = chi2_sf(q, q_df)
    stat, p, lo, hi = wald(pooled.estimate, pooled.se, nan, level)
    i2, h2 = heterogeneity_i2_h2(q, q_df, None, None, common=True)
    return dict(
        estimate=pooled.estimate,
        se=pooled.se,
        statistic=stat,
        p_value=p,
        ci_lower=lo,
        ci_upper=hi,
        q=q,
        q_df=q_df,
        q_p_value=q_p,
        i2=i2,
        h2=h2,
        cmh=cmh,
        cmh_p_value=cmh_p,
        tarone=tarone,
        tarone_p_value=tarone_p,
        breslow_day=bd,
        breslow_day_p_value=bd_p,
        cochran=co,
        cochran_p_value=co_p,
        weights=pooled.weights,
        included=t.used,
        k=pooled.k,
    )
