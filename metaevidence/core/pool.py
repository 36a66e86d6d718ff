"""Inverse-variance pooling and inference, batched over analyses.

Given tau^2 (from :mod:`metaevidence.core.tau2` or fixed by the caller), these functions
give the pooled estimate and its standard error, the Wald-type or Hartung-Knapp tests and
confidence intervals, Cochran's Q, I^2 and H^2, and prediction intervals, each as arrays
over the batch. Distribution functions come from :mod:`scipy.special` (ufuncs, no
``scipy.stats`` overhead).

The model is :math:`y_i = \\mu + u_i + e_i`, :math:`u_i \\sim N(0, \\tau^2)`,
:math:`e_i \\sim N(0, v_i)`; all formulas match ``metafor::rma.uni`` (version 3.8-1) and
its ``predict()`` for models without moderators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from metaevidence.core.batch import Studies
from metaevidence.core.options import COMMON_EFFECT_METHODS, IV_COMMON_METHODS, TABLE_METHODS
from metaevidence.core.tails import INTEGER_DF_MAX, chi2_upper, t_two_sided
from metaevidence.core.wls import CommonFit, common_fit, rowsum, wsum

__all__ = [
    "TESTS",
    "PI_METHODS",
    "Pooled",
    "pool",
    "pooled_weights",
    "hartung_knapp",
    "wald",
    "cochran_q",
    "heterogeneity_i2_h2",
    "prediction_interval",
    "normal_quantile",
    "t_quantile",
    "chi2_sf",
    "t_p_value",
    "IV_COMMON_METHODS",
    "TABLE_METHODS",
    "COMMON_EFFECT_METHODS",
]

#: Tests for the pooled estimate: normal, Hartung-Knapp(-Sidik-Jonkman), and HK never
#: narrower than the normal test (Jackson et al., 2017, section 4.3).
TESTS = ("z", "knha", "adhoc")
#: Prediction-interval methods: metafor's predict(), or Higgins-Thompson-Spiegelhalter.
PI_METHODS = ("metafor", "hts")


def normal_quantile(p):
    """Standard normal quantile (``qnorm``)."""
    return special.ndtri(p)


def t_quantile(p, df):
    """Student t quantile with ``df`` degrees of freedom (``qt``); NaN for df <= 0 or NaN.

    ``df`` takes few distinct values in a batch (k - 1), so the quantile is computed once
    per distinct value (``stdtrit`` is an iterative inversion, about 1 us per call).
    """
    df = np.asarray(df, dtype=float)
    ok = df > 0
    if df.size <= 8:
        return np.where(ok, special.stdtrit(np.where(ok, df, 1.0), p), np.nan)
    if np.ndim(p) == 0 and df.ndim == 1 and df[0] > 0 and np.all(df == df[0]):  # one df: one inversion
        return np.full(df.shape, special.stdtrit(df[0], p))
    out = np.full(df.shape, np.nan)
    if ok.any():
        values, inverse = np.unique(df[ok], return_inverse=True)
        out[ok] = special.stdtrit(values, p)[inverse]
    return out


def by_df(fun, df, x):
    """``fun(df, x)`` elementwise, called once per distinct ``df`` with a scalar df.

    A batch has few distinct degrees of freedom (k - 1); scipy's t and chi-square
    distribution functions are about twice as fast with a scalar df, and give the same
    numbers bit for bit.
    """
    df = np.asarray(df, dtype=float)
    x = np.asarray(x, dtype=float)
    if df.ndim != 1 or df.size <= 8 or df.shape != x.shape:
        return fun(df, x)
    first = df[0]
    if np.all(df == first):
        return fun(first, x)
    values, inverse = np.unique(df, return_inverse=True)
    if values.size > 16:
        return fun(df, x)
    out = np.empty(x.shape)
    for i, value in enumerate(values):
        sel = inverse == i
        out[sel] = fun(value, x[sel])
    return out


def t_p_value(stat, df):
    """Two-sided p-value ``2 pt(-|stat|, df)``, elementwise.

    A batch of more than 8 analyses sharing one integer ``df`` up to
    :data:`~metaevidence.core.tails.INTEGER_DF_MAX` (a Hartung-Knapp fit of complete
    analyses) takes the closed form of :func:`~metaevidence.core.tails.t_two_sided`, a
    third of scipy's cost; otherwise scipy's ``stdtr`` once per distinct ``df``.
    """
    df = np.asarray(df, dtype=float)
    stat = np.asarray(stat, dtype=float)
    one = _one_integer_df(df, stat)
    if one:
        return t_two_sided(stat, one)
    return 2.0 * by_df(special.stdtr, df, -np.abs(stat))


def _one_integer_df(df: np.ndarray, x: np.ndarray) -> int:
    """The shared integer df of a batch of more than 8 values, if it is one in
    ``[1, INTEGER_DF_MAX]`` (the closed forms of :mod:`metaevidence.core.tails`); else 0.
    """
    if df.ndim != 1 or df.size <= 8 or df.shape != x.shape:
        return 0
    first = float(df[0])
    if not (first.is_integer() and 1 <= first <= INTEGER_DF_MAX and np.all(df == first)):
        return 0
    return int(first)


def chi2_sf(x, df):
    """Upper tail of the chi-square distribution (``pchisq(x, df, lower=FALSE)``);
    1 for ``df = 0`` (a single study), as metafor reports. A batch of more than 8 values
    sharing one integer ``df`` takes :func:`~metaevidence.core.tails.chi2_upper`.
    """
    df = np.asarray(df, dtype=float)
    x = np.asarray(x, dtype=float)
    one = _one_integer_df(df, x)
    if one:
        return chi2_upper(x, one)
    if np.all(df > 0):
        return by_df(special.chdtrc, df, x)
    return np.where(df > 0, by_df(special.chdtrc, np.where(df > 0, df, 1.0), x), 1.0)


@dataclass(frozen=True, slots=True)
class Pooled:
    """Pooled estimate with weights ``1/(v_i + tau^2)`` over a batch of ``n`` analyses.

    Attributes
    ----------
    estimate, se : ndarray (n,)
        :math:`\\hat\\mu = \\sum w_i y_i / \\sum w_i` and :math:`\\sqrt{1/\\sum w_i}`.
    w : ndarray (n, k)
        The raw weights (0 for excluded studies).
    sw : ndarray (n,)
        :math:`\\sum w_i`.
    """

    estimate: np.ndarray
    se: np.ndarray
    w: np.ndarray
    sw: np.ndarray


def pool(s: Studies, tau2: np.ndarray) -> Pooled:
    """Inverse-variance weighted mean with a given tau^2 (0: common-effect model).

    Parameters
    ----------
    s : Studies
    tau2 : ndarray (n,)

    Returns
    -------
    Pooled

    Notes
    -----
    .. math:: \\hat\\mu = \\frac{\\sum w_i y_i}{\\sum w_i}, \\quad
              \\operatorname{SE}(\\hat\\mu) = \\Big(\\sum w_i\\Big)^{-1/2}, \\quad
              w_i = \\frac{1}{v_i + \\hat\\tau^2}

    Matches ``metafor::rma.uni`` (``b``, ``se``) for models without moderators.
    """
    w = np.add(s.v, tau2[:, None])
    np.divide(1.0, w, out=w)  # 1 / (v + tau2), one array
    sw = rowsum(w)
    est = wsum(w, s.y) / sw
    se = np.sqrt(1.0 / sw)
    return Pooled(est, se, w, sw)


def pooled_weights(p: Pooled) -> np.ndarray:
    """Weights in percent, :math:`100\\,w_i/\\sum w_i` (``weights(rma)``); (n, k)."""
    return p.w * (100.0 / p.sw)[:, None]


def hartung_knapp(s: Studies, p: Pooled, *, adhoc: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Hartung-Knapp(-Sidik-Jonkman) standard error and its degrees of freedom.

    Parameters
    ----------
    s : Studies
    p : Pooled
        The pooled fit with the weights of the model (tau^2 included).
    adhoc : bool
        If True, the scale factor is not allowed below 1, so the interval is never
        narrower than the normal-theory one (metafor's ``test="adhoc"``).

    Returns
    -------
    se, df : ndarray (n,)
        Adjusted SE and ``k - 1`` (NaN for ``k < 2``).

    Notes
    -----
    .. math:: s^2_w = \\frac{1}{k-1}\\sum w_i (y_i - \\hat\\mu)^2, \\qquad
              \\operatorname{SE}_{HK} = \\sqrt{s^2_w / \\sum w_i},

    with a t distribution on ``k - 1`` degrees of freedom; ``adhoc`` uses
    :math:`\\max(1, s^2_w)`.

    References
    ----------
    Hartung, J., & Knapp, G. (2001). On tests of the overall treatment effect in
    meta-analysis with normally distributed responses. Statistics in Medicine, 20, 1771-1782.
    Sidik, K., & Jonkman, J. N. (2002). A simple confidence interval for meta-analysis.
    Statistics in Medicine, 21(21), 3153-3159.
    Jackson, D., Law, M., Rücker, G., & Schwarzer, G. (2017). The Hartung-Knapp
    modification for random-effects meta-analysis: A useful refinement but are there any
    residual concerns? Statistics in Medicine, 36(25), 3923-3934.

    Matches ``metafor::rma.uni(test="knha")`` and ``test="adhoc"``.
    """
    df = (s.k - 1).astype(float)
    r2 = np.subtract(s.y, p.estimate[:, None])
    np.multiply(r2, r2, out=r2)
    s2w = wsum(p.w, r2) / df
    if adhoc:
        s2w = np.maximum(s2w, 1.0)
    df = np.where(df > 0, df, np.nan)
    return p.se * np.sqrt(s2w), df


def wald(estimate, se, df, level: float):
    """Test statistic, two-sided p-value and confidence interval.

    Parameters
    ----------
    estimate, se : ndarray (n,)
    df : ndarray (n,)
        Degrees of freedom of a t reference distribution; NaN means the normal.
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    statistic, p_value, ci_lower, ci_upper : ndarray (n,)

    Notes
    -----
    :math:`z = \\hat\\mu/\\operatorname{SE}`, :math:`p = 2\\,(1 - F(|z|))`,
    :math:`\\hat\\mu \\pm F^{-1}(1 - \\alpha/2)\\operatorname{SE}` with F the standard normal
    or the t distribution on ``df`` degrees of freedom.
    """
    stat = estimate / se
    alpha = 1.0 - level
    use_t = np.isfinite(df)
    if use_t.any():
        dft = np.where(use_t, df, 1.0)
        crit = np.where(use_t, t_quantile(1.0 - alpha / 2.0, dft), special.ndtri(1.0 - alpha / 2.0))
        pt = t_p_value(stat, dft)
        pval = pt if use_t.all() else np.where(use_t, pt, 2.0 * special.ndtr(-np.abs(stat)))
    else:
        crit = special.ndtri(1.0 - alpha / 2.0)
        pval = 2.0 * special.ndtr(-np.abs(stat))
    half = crit * se
    return stat, pval, estimate - half, estimate + half


def cochran_q(s: Studies, base: CommonFit | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cochran's Q test for heterogeneity (with moderators: the test for residual
    heterogeneity Q_E). ``base``: the common-effect fit, if already computed.

    Returns
    -------
    q, df, p_value : ndarray (n,)
        :math:`Q = \\sum (y_i - \\hat\\mu_{CE})^2 / v_i` with the common-effect mean, its
        degrees of freedom ``k - 1`` (int) and upper-tail chi-square p-value.

    References
    ----------
    Cochran, W. G. (1954). The combination of estimates from different experiments.
    Biometrics, 10(1), 101-129.

    Matches ``metafor::rma.uni`` (``QE``, ``QEp``).
    """
    base = common_fit(s) if base is None else base
    df = np.maximum(s.k - s.p, 0)
    return base.q, df, chi2_sf(base.q, df)


def heterogeneity_i2_h2(q, df, tau2, vt, *, common: bool):
    """I^2 (percent) and H^2 as metafor defines them.

    Parameters
    ----------
    q, df : ndarray (n,)
        Cochran's Q and its degrees of freedom.
    tau2, vt : ndarray (n,)
        The tau^2 estimate and the typical within-study variance
        (:func:`metaevidence.core.tau2.typical_variance`).
    common : bool
        True for the common-effect model (EE/FE, MH, Peto).

    Returns
    -------
    i2, h2 : ndarray (n,)

    Notes
    -----
    Random-effects models (Higgins & Thompson, 2002, eqs. 9-10 with the estimator's tau^2):

    .. math:: I^2 = 100\\,\\frac{\\hat\\tau^2}{\\hat\\tau^2 + \\tilde v}, \\qquad
              H^2 = \\frac{\\hat\\tau^2 + \\tilde v}{\\tilde v}.

    Common-effect models, from Q: :math:`I^2 = 100\\max(0, (Q - df)/Q)`,
    :math:`H^2 = Q/df`. A single study (df = 0) gives :math:`I^2 = 0`, :math:`H^2 = 1`.

    References
    ----------
    Higgins, J. P. T., & Thompson, S. G. (2002). Quantifying heterogeneity in a
    meta-analysis. Statistics in Medicine, 21(11), 1539-1558.
    """
    if common:
        i2 = np.where(q > df, 100.0 * (q - df) / q, 0.0)
        h2 = q / df
    else:
        i2 = 100.0 * tau2 / (vt + tau2)
        h2 = (vt + tau2) / vt
    single = df == 0
    if np.any(single):
        i2 = np.where(single, 0.0, i2)
        h2 = np.where(single, 1.0, h2)
    return i2, h2


def prediction_interval(estimate, se, tau2, k, df, level: float, *, method: str = "metafor"):
    """Prediction interval for the true effect in a new study.

    Parameters
    ----------
    estimate, se, tau2 : ndarray (n,)
        Pooled estimate, its standard error (as reported, i.e. Hartung-Knapp adjusted
        under ``knha``) and tau^2.
    k : ndarray (n,)
        Number of studies.
    df : ndarray (n,)
        Degrees of freedom of the test (NaN for ``z``).
    level : float
    method : {"metafor", "hts"}
        ``"metafor"`` as ``predict.rma``: the critical value of the test (normal, or t on
        ``k - 1`` df under ``knha``/``adhoc``). ``"hts"``: Higgins, Thompson &
        Spiegelhalter (2009), a t distribution on ``k - 2`` df (NaN for ``k < 3``).

    Returns
    -------
    lower, upper : ndarray (n,)

    Notes
    -----
    .. math:: \\hat\\mu \\pm c\\,\\sqrt{\\hat\\tau^2 + \\operatorname{SE}(\\hat\\mu)^2}

    References
    ----------
    Higgins, J. P. T., Thompson, S. G., & Spiegelhalter, D. J. (2009). A re-evaluation of
    random-effects meta-analysis. Journal of the Royal Statistical Society A, 172(1),
    137-159. Riley, R. D., Higgins, J. P. T., & Deeks, J. J. (2011). Interpretation of
    random effects meta-analyses. BMJ, 342, d549.
    """
    alpha = 1.0 - level
    if method == "metafor":
        t_based = np.isfinite(df)
        if not t_based.any():
            crit = normal_quantile(1.0 - alpha / 2.0)
        else:
            crit = np.where(t_based, t_quantile(1.0 - alpha / 2.0, df), normal_quantile(1.0 - alpha / 2.0))
    elif method == "hts":
        crit = t_quantile(1.0 - alpha / 2.0, np.asarray(k, dtype=float) - 2.0)
    else:
        raise ValueError(f"pi_method must be one of {', '.join(PI_METHODS)}; got {method!r}")
    half = crit * np.sqrt(tau2 + se * se)
    return estimate - half, estimate + half
