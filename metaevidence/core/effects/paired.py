"""Effect sizes of paired designs: one group measured twice (pre-post), or matched pairs.

``MC`` (raw mean change), ``SMCC`` (standardized by the SD of the change scores), ``SMCR``
and ``SMCRH`` (standardized by the SD at the first occasion; homoscedastic and
heteroscedastic variances) and ``ROMC`` (log ratio of the two means). Inputs: means
``m1i, m2i`` and SDs ``sd1i, sd2i`` at the two occasions, the number of pairs ``ni`` and the
correlation ``ri`` between the occasions. Arrays have studies on the last axis; any leading
batch shape broadcasts. Each function returns ``(yi, vi)``.

References
----------
Becker, B. J. (1988). Synthesizing standardized mean-change measures. British Journal of
Mathematical and Statistical Psychology, 41(2), 257-278.
Bonett, D. G. (2008). Confidence intervals for standardized linear contrasts of means.
Psychological Methods, 13(2), 99-109.
Gibbons, R. D., Hedeker, D. R., & Davis, J. M. (1993). Estimation of effect size from a
series of experiments involving paired comparisons. Journal of Educational Statistics,
18(3), 271-279.
Lajeunesse, M. J. (2011). On the meta-analysis of response ratios for studies with
correlated and multi-group designs. Ecology, 92(11), 2049-2055.
Morris, S. B., & DeShon, R. P. (2002). Combining effect size estimates in meta-analysis
with repeated measures and independent-groups designs. Psychological Methods, 7(1),
105-125.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects._arrays import floats
from metaevidence.core.effects.continuous import hedges_correction

__all__ = [
    "mean_change",
    "standardized_mean_change_change_sd",
    "standardized_mean_change_raw_sd",
    "standardized_mean_change_raw_sd_heteroscedastic",
    "log_ratio_of_means_paired",
    "standardized_mean_change_pooled_sd",
    "standardized_mean_change_pooled_sd_heteroscedastic",
    "log_variability_ratio_paired",
    "log_cv_ratio_paired",
]


def _change_variance(sd1i, sd2i, ri):
    return sd1i**2 + sd2i**2 - 2 * ri * sd1i * sd2i


def mean_change(m1i, m2i, sd1i, sd2i, ni, ri):
    """Raw mean change and its variance.

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i : array_like (..., k)
        Means and SDs at occasions 1 and 2.
    ni, ri : array_like (..., k)
        Number of pairs and correlation between the occasions.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = m_{1i} - m_{2i}, \\qquad
        v_i = \\frac{s_{1i}^2 + s_{2i}^2 - 2 r_i s_{1i} s_{2i}}{n_i}

    Examples
    --------
    >>> yi, vi = mean_change(26, 22, 30**0.5, 20**0.5, 60, 0.7)
    >>> float(yi), round(float(vi), 4)
    (4.0, 0.2618)

    Matches ``metafor::escalc(measure="MC")``.
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    return m1i - m2i, _change_variance(sd1i, sd2i, ri) / ni


def standardized_mean_change_change_sd(m1i, m2i, sd1i, sd2i, ni, ri, *, correct=True):
    """Standardized mean change, standardized by the SD of the change scores (``SMCC``).

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change`; needs ``ni >= 3``.
    correct : bool, default True
        Apply the small-sample correction :math:`c(n_i - 1)`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`s_{ci} = \\sqrt{s_{1i}^2 + s_{2i}^2 - 2 r_i s_{1i} s_{2i}}`,

    .. math::

        y_i = c(n_i - 1)\\,\\frac{m_{1i} - m_{2i}}{s_{ci}}, \\qquad
        v_i = \\frac{1}{n_i} + \\frac{y_i^2}{2 n_i}

    (Gibbons et al. 1993). Matches ``metafor::escalc(measure="SMCC")``.
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = (m1i - m2i) / np.sqrt(_change_variance(sd1i, sd2i, ri))
        if correct:
            yi = hedges_correction(ni - 1) * yi
        return yi, 1 / ni + yi**2 / (2 * ni)


def standardized_mean_change_raw_sd(m1i, m2i, sd1i, sd2i, ni, ri, *, correct=True):
    """Standardized mean change with raw-score standardization (``SMCR``).

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change` (``sd2i`` is not used); needs ``ni >= 3``.
    correct : bool, default True
        Apply the small-sample correction :math:`c(n_i - 1)`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = c(n_i - 1)\\,\\frac{m_{1i} - m_{2i}}{s_{1i}}, \\qquad
        v_i = \\frac{2 (1 - r_i)}{n_i} + \\frac{y_i^2}{2 n_i}

    (Becker 1988). Matches ``metafor::escalc(measure="SMCR")``.
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = (m1i - m2i) / sd1i
        if correct:
            yi = hedges_correction(ni - 1) * yi
        return yi, 2 * (1 - ri) / ni + yi**2 / (2 * ni)


def standardized_mean_change_raw_sd_heteroscedastic(
    m1i, m2i, sd1i, sd2i, ni, ri, *, correct=True, legacy=False
):
    """Standardized mean change, raw-score standardization, unequal variances (``SMCRH``).

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change`; needs ``ni >= 3``.
    correct : bool, default True
        Apply the small-sample correction :math:`c(n_i - 1)`.
    legacy : bool, default False
        ``True``: multiply the variance by :math:`c(n_i - 1)^2`, as metafor < 4.6-0
        (Debian's 3.8-1) does.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    Bonett's (2008) variance, without assuming equal variances at the two occasions:

    .. math::

        y_i = c(n_i - 1)\\,\\frac{m_{1i} - m_{2i}}{s_{1i}}, \\qquad
        v_i = \\frac{s_{1i}^2 + s_{2i}^2 - 2 r_i s_{1i} s_{2i}}{s_{1i}^2 (n_i - 1)}
        + \\frac{y_i^2}{2 (n_i - 1)}

    metafor >= 4.6-0 computes this form (NEWS 4.6-0: the SMDH, SMD1H and SMCRH variances
    "slightly adjusted for consistency"); it reproduces metafor 5.1-12's test value 0.0133
    for the Morris-DeShon example, where the legacy form gives 0.0129. ``legacy=True``
    matches Debian's metafor 3.8-1 to 1e-10.

    Examples
    --------
    >>> yi, vi = standardized_mean_change_raw_sd_heteroscedastic(26, 22, 30**0.5, 20**0.5, 60, 0.7)
    >>> round(float(yi), 4), round(float(vi), 4)
    (0.721, 0.0133)

    Matches ``metafor::escalc(measure="SMCRH")`` (metafor >= 4.6-0; ``legacy=True``: 3.8-1).
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = (m1i - m2i) / sd1i
        if correct:
            yi = hedges_correction(ni - 1) * yi
        vi = _change_variance(sd1i, sd2i, ri) / (sd1i**2 * (ni - 1)) + yi**2 / (2 * (ni - 1))
    if legacy and correct:
        vi = hedges_correction(ni - 1) ** 2 * vi
    return yi, vi


def log_ratio_of_means_paired(m1i, m2i, sd1i, sd2i, ni, ri, *, correct=False):
    """Log ratio of two correlated means (``ROMC``) and its variance.

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change`; positive means.
    correct : bool, default False
        Add the second-order bias correction :math:`(u_1 - u_2)/2`,
        :math:`u_g = s_{gi}^2/(n_i m_{gi}^2)` (the paired analogue of Lajeunesse 2015, eq. 8),
        as metafor >= 5.0-1 does by default.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{m_{1i}}{m_{2i}}, \\qquad
        v_i = \\frac{s_{1i}^2}{n_i m_{1i}^2} + \\frac{s_{2i}^2}{n_i m_{2i}^2}
        - \\frac{2 r_i s_{1i} s_{2i}}{n_i m_{1i} m_{2i}}

    (Lajeunesse 2011, eq. 6). Matches ``metafor::escalc(measure="ROMC")``: ``correct=True``
    metafor >= 5.0-1 (its default), ``correct=False`` metafor 3.8-1 (no correction).
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(m1i / m2i)
        u1, u2 = sd1i**2 / (ni * m1i**2), sd2i**2 / (ni * m2i**2)
    if correct:
        yi = yi + (u1 - u2) / 2
    return yi, u1 + u2 - 2 * ri * sd1i * sd2i / (ni * m1i * m2i)


def standardized_mean_change_pooled_sd(m1i, m2i, sd1i, sd2i, ni, ri, *, correct=True):
    """Standardized mean change, standardized by the root mean variance (``SMCRP``).

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change`; needs ``ni >= 3``.
    correct : bool, default True
        Apply the small-sample correction :math:`c(\\nu)` at Cousineau's degrees of freedom.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`s_{pi} = \\sqrt{(s_{1i}^2 + s_{2i}^2)/2}` and
    :math:`\\nu_i = 2 (n_i - 1)/(1 + r_i^2)` (Cousineau 2020: :math:`d_p` is approximately a
    scaled non-central t with :math:`\\nu_i` degrees of freedom),

    .. math::

        y_i = c(\\nu_i)\\,\\frac{m_{1i} - m_{2i}}{s_{pi}}, \\qquad
        v_i = \\frac{2 (1 - r_i)}{n_i} + \\frac{(1 + r_i^2)\\, y_i^2}{4 n_i}

    the large-sample variance (SMCR's form with :math:`2 n_i/(1 + r_i^2)` in the
    :math:`y_i^2` term). Worked example (Morris & DeShon 2002 data, ``m = 26, 22``,
    ``s^2 = 30, 20``, ``n = 60``, ``r = 0.7``): :math:`s_p = 5`, :math:`d = 0.8`,
    :math:`\\nu = 118/1.49 = 79.19`, :math:`c(\\nu) = 0.99049`, :math:`y = 0.79240`,
    :math:`v = 0.6/60 + 1.49 \\cdot 0.62789/240 = 0.013898`.

    References
    ----------
    Cousineau, D. (2020). Approximating the distribution of Cohen's d_p in within-subject
    designs. The Quantitative Methods for Psychology, 16(4), 418-421.

    Matches ``metafor::escalc(measure="SMCRP")`` (metafor >= 4.6-0; 3.8-1 lacks it).
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = (m1i - m2i) / np.sqrt((sd1i**2 + sd2i**2) / 2)
        if correct:
            yi = hedges_correction(2 * (ni - 1) / (1 + ri**2)) * yi
        return yi, 2 * (1 - ri) / ni + (1 + ri**2) * yi**2 / (4 * ni)


def standardized_mean_change_pooled_sd_heteroscedastic(m1i, m2i, sd1i, sd2i, ni, ri, *, correct=True):
    """Standardized mean change by the root mean variance, unequal variances (``SMCRPH``).

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change`; needs ``ni >= 3``.
    correct : bool, default True
        Apply the small-sample correction :math:`c(\\nu_i)` of
        :func:`standardized_mean_change_pooled_sd`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    The estimate is SMCRP's; Bonett's (2008) variance of a standardized contrast of two dependent means with the
    root mean variance :math:`s_{pi}` as standardizer:

    .. math::

        y_i = c(\\nu_i)\\,\\frac{m_{1i} - m_{2i}}{s_{pi}}, \\qquad
        v_i = \\frac{y_i^2 (s_{1i}^4 + s_{2i}^4 + 2 r_i^2 s_{1i}^2 s_{2i}^2)}{8 s_{pi}^4 (n_i - 1)}
        + \\frac{s_{1i}^2 + s_{2i}^2 - 2 r_i s_{1i} s_{2i}}{s_{pi}^2 (n_i - 1)}

    Worked example (data as :func:`standardized_mean_change_pooled_sd`):
    :math:`y = 0.79240`,
    :math:`v = 0.62789 \\cdot 1888/295000 + 15.707/1475 = 0.014667`.

    Matches ``metafor::escalc(measure="SMCRPH")`` (metafor >= 4.6-0; 3.8-1 lacks it).
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        sdp2 = (sd1i**2 + sd2i**2) / 2
        yi = (m1i - m2i) / np.sqrt(sdp2)
        if correct:
            yi = hedges_correction(2 * (ni - 1) / (1 + ri**2)) * yi
        fourth = sd1i**4 + sd2i**4 + 2 * ri**2 * sd1i**2 * sd2i**2
        vi = yi**2 * fourth / (8 * sdp2**2 * (ni - 1)) + _change_variance(sd1i, sd2i, ri) / (sdp2 * (ni - 1))
    return yi, vi


def log_variability_ratio_paired(sd1i, sd2i, ni, ri, *, vtype="LS"):
    """Log ratio of the SDs at two occasions (``VRC``) and its variance.

    Parameters
    ----------
    sd1i, sd2i, ni, ri : array_like (..., k)
        SDs at the two occasions, number of pairs (at least 2) and their correlation.
    vtype : {"LS", "LS2"}
        The first-order variance (Senior et al. 2020, eq. 21) or the second-order one
        (eq. 22), as metafor 5 computes it.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{s_{1i}}{s_{2i}}, \\qquad v_i = \\frac{1 - r_i^2}{n_i - 1}

    (Senior et al. 2020, eq. 21: :math:`\\operatorname{Var}\\log s = 1/(2(n-1))`,
    :math:`\\operatorname{Cov} = r^2/(2(n-1))`). VR's bias correction
    :math:`1/(2(n_1-1)) - 1/(2(n_2-1))` vanishes with one group. ``vtype="LS2"`` adds
    the second-order term, with :math:`m = n - 1` and :math:`q = s_1^2 / s_2^2`,

    .. math:: \\frac{1 + r^4 (q^2 + q^{-2}) / 2}{m^2}

    which is what metafor 5.1-12 computes for eq. 22 (checked on 6 studies;
    tests/reference/escalc_v5.json). Matches ``metafor::escalc(measure="VRC")`` (3.8-1 and
    5.x; ``vtype="LS2"`` metafor >= 4.8-0).
    """
    sd1i, sd2i, ni, ri = floats(sd1i, sd2i, ni, ri)
    with np.errstate(divide="ignore", invalid="ignore"):
        vi = (1 - ri**2) / (ni - 1)
        if vtype == "LS2":
            q = (sd1i / sd2i) ** 2
            vi = vi + (1 + ri**4 * (q**2 + q**-2) / 2) / (ni - 1) ** 2
        return np.log(sd1i / sd2i), vi


def log_cv_ratio_paired(m1i, m2i, sd1i, sd2i, ni, ri, *, correct=False, vtype="LS"):
    """Log ratio of the coefficients of variation at two occasions (``CVRC``), and variance.

    Parameters
    ----------
    m1i, m2i, sd1i, sd2i, ni, ri : array_like (..., k)
        As :func:`mean_change`; positive means, ``ni >= 2``.
    correct : bool, default False
        Subtract the means' second-order bias :math:`(u_1 - u_2)/2`,
        :math:`u_g = s_{gi}^2/(n_i m_{gi}^2)`, as metafor >= 5.0-1 does by default.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{s_{1i}/m_{1i}}{s_{2i}/m_{2i}}, \\qquad
        v_i = \\frac{1 - r_i^2}{n_i - 1} + u_1 + u_2 - \\frac{2 r_i s_{1i} s_{2i}}{n_i m_{1i} m_{2i}}

    (Senior et al. 2020, eq. 23: :func:`log_variability_ratio_paired` plus the ROMC
    variance). ``vtype="LS2"`` adds VRC's second-order term and the means' one,
    with :math:`c_g = s_{gi}/m_{gi}` and :math:`p = (m_{1i}/m_{2i})^2`,

    .. math:: \\frac{c_1^4 + c_2^4 + r_i^2 c_1^2 c_2^2 (p + 1/p)}{2 n_i^2}

    Both second-order terms are half the squared Frobenius norm of :math:`H \\Sigma` (the
    Hessian of the log ratio times the covariance of the sample moments), which is what
    metafor 5.1-12 computes for eqs. 22 and 24 (checked on 6 studies;
    tests/reference/escalc_v5.json). Matches ``metafor::escalc(measure="CVRC")``:
    ``correct=True`` metafor >= 5.0-1 (its default), ``correct=False`` 3.8-1.
    """
    m1i, m2i, sd1i, sd2i, ni, ri = floats(m1i, m2i, sd1i, sd2i, ni, ri)
    log_vr, v_vr = log_variability_ratio_paired(sd1i, sd2i, ni, ri, vtype=vtype)
    log_rom, v_rom = log_ratio_of_means_paired(m1i, m2i, sd1i, sd2i, ni, ri, correct=correct)
    vi = v_vr + v_rom
    if vtype == "LS2":
        c1, c2, p = sd1i / m1i, sd2i / m2i, (m1i / m2i) ** 2
        vi = vi + (c1**4 + c2**4 + ri**2 * c1**2 * c2**2 * (p + 1 / p)) / (2 * ni**2)
    return log_vr - log_rom, vi
