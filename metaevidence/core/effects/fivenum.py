"""Means and standard deviations estimated from medians, quartiles and ranges.

Three cases, by what a study reports besides its size ``n``: (1) minimum, median and
maximum; (2) first quartile, median and third quartile; (3) all five. Every function
takes arrays with studies on the last axis (NaN marks an unreported value) and assumes
normally distributed data.

References
----------
Hozo, S. P., Djulbegovic, B., & Hozo, I. (2005). Estimating the mean and variance from
the median, range, and the size of a sample. BMC Medical Research Methodology, 5, 13.
Wan, X., Wang, W., Liu, J., & Tong, T. (2014). Estimating the sample mean and standard
deviation from the sample size, median, range and/or interquartile range. BMC Medical
Research Methodology, 14, 135.
Luo, D., Wan, X., Liu, J., & Tong, T. (2018). Optimally estimating the sample mean from
the sample size, median, mid-range, and/or mid-quartile range. Statistical Methods in
Medical Research, 27(6), 1785-1805.
Shi, J., Luo, D., Weng, H., Zeng, X.-T., Lin, L., Chu, H., & Tong, T. (2020). Optimally
estimating the sample standard deviation from the five-number summary. Research Synthesis
Methods, 11(5), 641-654.
Shi, J., Tong, T., Wang, Y., & Genton, M. G. (2020b). Estimating the mean and variance from
the five-number summary of a log-normal distribution. Statistics and Its Interface, 13(4),
519-531.
Shi, J., Luo, D., Wan, X., Liu, Y., Liu, J., Bian, Z., & Tong, T. (2023). Detecting the
skewness of data from the five-number summary and its application in meta-analysis.
Statistical Methods in Medical Research, 32(7), 1338-1360.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = [
    "range_divisor",
    "iqr_divisor",
    "luo_mean",
    "wan_mean",
    "wan_shi_sd",
    "log_sd_correction",
    "skewness_test",
    "hozo",
]


def range_divisor(n):
    """:math:`\\xi(n) = 2\\Phi^{-1}((n - 0.375)/(n + 0.25))`, the expected range of n
    standard normal values (Wan et al. 2014, eq. 9).
    """
    n = np.asarray(n, dtype=float)
    return 2 * norm.ppf((n - 0.375) / (n + 0.25))


def iqr_divisor(n):
    """:math:`\\eta(n) = 2\\Phi^{-1}((0.75 n - 0.125)/(n + 0.25))`, the expected
    interquartile range of n standard normal values (Wan et al. 2014, eq. 16).
    """
    n = np.asarray(n, dtype=float)
    return 2 * norm.ppf((0.75 * n - 0.125) / (n + 0.25))


def luo_mean(minimum, q1, median, q3, maximum, n):
    """Luo et al.'s (2018) optimally weighted mean for each case (NaN where none applies).

    .. math::

        \\text{case 1 (eq. 7)}: &\\; w \\tfrac{a + b}{2} + (1 - w) m, \\quad w = \\frac{4}{4 + n^{0.75}} \\\\
        \\text{case 2 (eq. 11)}: &\\; w \\tfrac{q_1 + q_3}{2} + (1 - w) m, \\quad w = 0.7 + \\frac{0.39}{n} \\\\
        \\text{case 3 (eq. 15)}: &\\; w_1 \\tfrac{a + b}{2} + w_2 \\tfrac{q_1 + q_3}{2}
        + (1 - w_1 - w_2) m, \\quad w_1 = \\frac{2.2}{2.2 + n^{0.75}}, \\;
        w_2 = 0.7 - \\frac{0.72}{n^{0.55}}

    with :math:`a, b` the minimum and maximum. The five-number form is used where all five
    are given, then the range form, then the quartile form.
    """
    a, q1, m, q3, b, n = (np.asarray(x, dtype=float) for x in (minimum, q1, median, q3, maximum, n))
    mid_range, mid_quartiles = (a + b) / 2, (q1 + q3) / 2
    w1 = 4 / (4 + n**0.75)
    case1 = w1 * mid_range + (1 - w1) * m
    w2 = 0.7 + 0.39 / n
    case2 = w2 * mid_quartiles + (1 - w2) * m
    v1, v2 = 2.2 / (2.2 + n**0.75), 0.7 - 0.72 / n**0.55
    case3 = v1 * mid_range + v2 * mid_quartiles + (1 - v1 - v2) * m
    return np.where(np.isfinite(case3), case3, np.where(np.isfinite(case1), case1, case2))


def wan_mean(minimum, q1, median, q3, maximum):
    """The means Wan et al. (2014) recommend: :math:`(a + 2m + b)/4` (case 1),
    :math:`(q_1 + m + q_3)/3` (case 2), :math:`(a + 2q_1 + 2m + 2q_3 + b)/8` (case 3), the
    five-number form first.
    """
    a, q1, m, q3, b = (np.asarray(x, dtype=float) for x in (minimum, q1, median, q3, maximum))
    case3 = (a + 2 * q1 + 2 * m + 2 * q3 + b) / 8
    case1 = (a + 2 * m + b) / 4
    case2 = (q1 + m + q3) / 3
    return np.where(np.isfinite(case3), case3, np.where(np.isfinite(case1), case1, case2))


def wan_shi_sd(minimum, q1, q3, maximum, n):
    """SD from the range (Wan et al. 2014, eq. 9), the interquartile range (eq. 16), or
    both (Shi et al. 2020, eq. 10):

    .. math::

        \\frac{b - a}{\\xi(n)}, \\qquad \\frac{q_3 - q_1}{\\eta(n)}, \\qquad
        w \\frac{b - a}{\\xi(n)} + (1 - w) \\frac{q_3 - q_1}{\\eta(n)},
        \\quad w = \\frac{1}{1 + 0.07\\, n^{0.6}}

    The median is not needed.
    """
    a, q1, q3, b, n = (np.asarray(x, dtype=float) for x in (minimum, q1, q3, maximum, n))
    from_range = (b - a) / range_divisor(n)
    from_iqr = (q3 - q1) / iqr_divisor(n)
    w = 1 / (1 + 0.07 * n**0.6)
    both = w * from_range + (1 - w) * from_iqr
    return np.where(np.isfinite(both), both, np.where(np.isfinite(from_range), from_range, from_iqr))


def log_sd_correction(minimum, q1, q3, maximum, n):
    """The divisor of the squared SD of log values (Shi et al. 2020b), by what was given:

    .. math::

        \\text{range}: 1.01 + \\frac{0.25}{(\\ln n)^2}, \\qquad
        \\text{quartiles}: 1 + \\frac{1.58}{n}, \\qquad
        \\text{both}: 1 + \\frac{0.28}{(\\ln n)^2}

    so that the SD of the log values is :func:`wan_shi_sd` of the logs divided by the square
    root of this. These are the values metafor 5.1-12's ``conv.fivenum(dist="lnorm",
    transf=FALSE)`` reproduces exactly (to 1e-15 over n = 5 to 10^5; the paper itself was not
    readable here).
    """
    a, q1, q3, b, n = (np.asarray(x, dtype=float) for x in (minimum, q1, q3, maximum, n))
    rng, iqr = np.isfinite(a) & np.isfinite(b), np.isfinite(q1) & np.isfinite(q3)
    log2 = np.log(n) ** 2
    return np.where(rng & iqr, 1 + 0.28 / log2, np.where(rng, 1.01 + 0.25 / log2, 1 + 1.58 / n))


def skewness_test(minimum, q1, median, q3, maximum, n):
    """Shi et al.'s (2023) test for skewness from the reported values: the statistic and
    its critical value at the 5% level, by case.

    .. math::

        T_1 = \\frac{|a + b - 2m|}{b - a}, \\quad
        T_2 = \\frac{|q_1 + q_3 - 2m|}{q_3 - q_1}, \\quad
        T_3 = \\max\\left(\\frac{2.65 \\ln(0.6 n)}{\\sqrt n}\\, T_1,\\; T_2\\right)

    with critical values :math:`1/\\ln(n + 9) + 2.5/(n + 1)`, :math:`2.65/\\sqrt n - 6/n^2`
    and :math:`3/\\sqrt n - 40/n^3`; a study is skewed when its statistic exceeds the
    critical value. The case is the one the estimates use (all five values, then the range,
    then the quartiles). The statistic is NaN without a median or where a spread is zero (a
    zero-width interquartile range: no verdict), both are NaN for n < 5, as in metafor's
    ``conv.fivenum``, whose ``tval`` and ``crit`` these reproduce exactly (to 1e-15; the
    constants are metafor's, which could be checked against its output but not against the
    paper, not readable here).
    """
    a, q1, m, q3, b, n = (np.asarray(x, dtype=float) for x in (minimum, q1, median, q3, maximum, n))
    rng, iqr = np.isfinite(a) & np.isfinite(b), np.isfinite(q1) & np.isfinite(q3)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_range = np.abs(a + b - 2 * m) / (b - a)
        t_iqr = np.abs(q1 + q3 - 2 * m) / (q3 - q1)
        t_both = np.maximum(2.65 * np.log(0.6 * n) / np.sqrt(n) * t_range, t_iqr)
        c_range = 1 / np.log(n + 9) + 2.5 / (n + 1)
        c_iqr = 2.65 / np.sqrt(n) - 6 / n**2
        c_both = 3 / np.sqrt(n) - 40 / n**3
    stat = np.where(rng & iqr, t_both, np.where(rng, t_range, np.where(iqr, t_iqr, np.nan)))
    crit = np.where(rng & iqr, c_both, np.where(rng, c_range, np.where(iqr, c_iqr, np.nan)))
    small = n < 5
    return np.where(small, np.nan, stat), np.where(small, np.nan, crit)


def hozo(minimum, median, maximum, n):
    """Hozo et al.'s (2005) mean and SD from the minimum, median, maximum and size.

    .. math::

        \\bar x \\approx \\frac{a + 2m + b}{4} + \\frac{a - 2m + b}{4n}, \\qquad
        s^2 \\approx \\frac{1}{12}\\left(\\frac{(a - 2m + b)^2}{4} + (b - a)^2\\right)

    Worked example (min 2, median 6, max 14, n = 20): mean
    :math:`28/4 + 4/80 = 7.05`, SD :math:`\\sqrt{(16/4 + 144)/12} = 3.5119`.
    """
    a, m, b, n = (np.asarray(x, dtype=float) for x in (minimum, median, maximum, n))
    mean = (a + 2 * m + b) / 4 + (a - 2 * m + b) / (4 * n)
    sd = np.sqrt(((a - 2 * m + b) ** 2 / 4 + (b - a) ** 2) / 12)
    return mean, sd
