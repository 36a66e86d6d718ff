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
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

__all__ = ["range_divisor", "iqr_divisor", "luo_mean", "wan_mean", "wan_shi_sd", "hozo"]


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
