"""Effect sizes of matched pairs (or one group under two treatments) with a binary outcome.

The paired table has ``ai`` (event under both), ``bi`` (event under treatment 1 only),
``ci`` (event under treatment 2 only) and ``di`` (neither), after any zero-cell correction
(metafor's default ``add=0.5`` to tables with a zero cell). Marginal measures (``MPRD``,
``MPRR``, ``MPOR``; ``MPORM`` from the marginal table and the phi coefficient) compare the marginal proportions :math:`p_1 = (a+b)/n` and
:math:`p_2 = (a+c)/n`; conditional ones (``MPORC``, ``MPPETO``) use the discordant pairs.
Arrays have studies on the last axis. Each function returns ``(yi, vi)``.

References
----------
Becker, M. P., & Balagtas, C. C. (1993). Marginal modeling of binary cross-over data.
Biometrics, 49(4), 997-1009.
Curtin, F., Elbourne, D., & Altman, D. G. (2002). Meta-analysis combining parallel and
cross-over clinical trials. II: Binary outcomes. Statistics in Medicine, 21(15), 2145-2159.
Zou, G. Y. (2007). One relative risk versus two odds ratios: implications for
meta-analyses involving paired and unpaired binary data. Clinical Trials, 4(1), 25-31.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects._arrays import floats

__all__ = [
    "matched_risk_difference",
    "matched_log_risk_ratio",
    "matched_log_odds_ratio",
    "conditional_log_odds_ratio",
    "conditional_peto_log_odds_ratio",
    "marginal_table_log_odds_ratio",
    "phi_from_concordant_proportion",
]


def matched_risk_difference(ai, bi, ci, di):
    """Marginal risk difference of a paired table and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The paired table (see the module docstring).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\frac{b - c}{n}, \\qquad v_i = \\frac{(b + c) - (b - c)^2 / n}{n^2}

    Matches ``metafor::escalc(measure="MPRD")``.
    """
    a, b, c, d = floats(ai, bi, ci, di)
    n = a + b + c + d
    return (b - c) / n, ((b + c) - (b - c) ** 2 / n) / n**2


def matched_log_risk_ratio(ai, bi, ci, di):
    """Marginal log risk ratio of a paired table and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The paired table.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math::

        y_i = \\log\\frac{a + b}{a + c}, \\qquad v_i = \\frac{b + c}{(a + b)(a + c)}

    Matches ``metafor::escalc(measure="MPRR")``.
    """
    a, b, c, d = floats(ai, bi, ci, di)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log((a + b) / (a + c)), (b + c) / ((a + b) * (a + c))


def matched_log_odds_ratio(ai, bi, ci, di):
    """Marginal log odds ratio of a paired table and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The paired table.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`p_1 = (a+b)/n`, :math:`p_2 = (a+c)/n` and their covariance
    :math:`(ad - bc)/n^3`, the delta method gives

    .. math::

        y_i = \\operatorname{logit} p_1 - \\operatorname{logit} p_2, \\qquad
        v_i = \\frac{1}{n p_1 q_1} + \\frac{1}{n p_2 q_2}
        - \\frac{2 (ad - bc)}{n^3 p_1 q_1 p_2 q_2}

    (Becker & Balagtas 1993). Matches ``metafor::escalc(measure="MPOR")``.
    """
    a, b, c, d = floats(ai, bi, ci, di)
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    u1, u2 = p1 * (1 - p1), p2 * (1 - p2)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log(p1 / (1 - p1)) - np.log(p2 / (1 - p2))
        vi = 1 / (n * u1) + 1 / (n * u2) - 2 * (a * d - b * c) / (n**3 * u1 * u2)
    return yi, vi


def conditional_log_odds_ratio(ai, bi, ci, di):
    """Conditional (McNemar) log odds ratio :math:`\\log(b/c)`, variance :math:`1/b + 1/c`.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The paired table.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Matches ``metafor::escalc(measure="MPORC")``.
    """
    _, b, c, _ = floats(ai, bi, ci, di)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(b / c), 1 / b + 1 / c


def conditional_peto_log_odds_ratio(ai, bi, ci, di):
    """Peto's one-step conditional log odds ratio of a paired table and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The paired table.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    Observed minus expected discordant pairs :math:`(b - c)/2` over their hypergeometric
    variance :math:`(b + c)/4`:

    .. math:: y_i = \\frac{2 (b - c)}{b + c}, \\qquad v_i = \\frac{4}{b + c}

    Matches ``metafor::escalc(measure="MPPETO")``.
    """
    _, b, c, _ = floats(ai, bi, ci, di)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * (b - c) / (b + c), 4 / (b + c)


def marginal_table_log_odds_ratio(ai, bi, ci, di, ri):
    """Marginal log odds ratio from the marginal table of a paired design and its phi.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The marginal table (after any zero-cell correction): events and non-events under
        treatment 1 (``ai``, ``bi``) and under treatment 2 (``ci``, ``di``), i.e. ``a+b``,
        ``c+d``, ``a+c``, ``b+d`` of the paired table.
    ri : array_like (..., k)
        The phi coefficient of the paired table (known or guessed).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    With :math:`n_1 = a + b`, :math:`n_2 = c + d`, :math:`p_1 = a/n_1`, :math:`p_2 = c/n_2`
    and the number of pairs :math:`n = (n_1 + n_2)/2` (rounded to an integer, halves to even),
    the delta method with :math:`\\operatorname{Cov}(\\hat p_1, \\hat p_2) = n\\,r
    \\sqrt{p_1 q_1 p_2 q_2} / (n_1 n_2)` gives

    .. math::

        y_i = \\operatorname{logit} p_1 - \\operatorname{logit} p_2, \\qquad
        v_i = \\frac{1}{n_1 p_1 q_1} + \\frac{1}{n_2 p_2 q_2}
        - \\frac{2\\, n\\, r}{n_1 n_2 \\sqrt{p_1 q_1 p_2 q_2}},

    which for :math:`n_1 = n_2` is the variance of ``MPOR`` (Becker & Balagtas 1993) with
    :math:`ad - bc` of the paired table written through phi. ``ri`` is not checked against
    the margins (as metafor).

    Example
    -------
    >>> yi, vi = marginal_table_log_odds_ratio([30], [46], [26], [50], [0.3])
    >>> round(float(yi[0]), 6), round(float(vi[0]), 6)
    (0.226482, 0.079489)

    Matches ``metafor::escalc(measure="MPORM", ri=)`` (metafor 5.1-12;
    tests/reference/R/escalc_inputs_v5.R).
    """
    a, b, c, d, r = floats(ai, bi, ci, di, ri)
    n1, n2 = a + b, c + d
    pairs = np.round((n1 + n2) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        u1, u2 = a * b / n1**2, c * d / n2**2
        yi = np.log(a / b) - np.log(c / d)
        vi = 1 / (n1 * u1) + 1 / (n2 * u2) - 2 * pairs * r / (n1 * n2 * np.sqrt(u1 * u2))
    return yi, vi


def phi_from_concordant_proportion(ai, bi, ci, di, pi):
    """The phi coefficient of a paired table from its margins and the proportion of pairs
    with the event under both treatments.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The marginal table (as :func:`marginal_table_log_odds_ratio`), uncorrected.
    pi : array_like (..., k)
        Proportion (or a guess) of pairs with the event under both treatments,
        :math:`a/n` of the paired table.

    Returns
    -------
    ndarray (..., k)
        :math:`r = (\\pi - p_1 p_2) / \\sqrt{p_1 q_1 p_2 q_2}` with :math:`p_1 = a/n`,
        :math:`p_2 = c/n` and the pairs counted as :math:`n = a + b` (the first margin, as
        metafor counts them; the margins of a paired table have equal totals); NaN where
        that is not a correlation (the proportion is not feasible under the margins).

    Example
    -------
    >>> round(float(phi_from_concordant_proportion([30], [10], [20], [20], [0.45])[0]), 6)
    0.34641

    Matches the ``pi`` input of ``metafor::escalc(measure="MPORM")`` (metafor 5.1-12).
    """
    a, b, c, d, p = floats(ai, bi, ci, di, pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / (a + b), c / (a + b)
        r = (p - p1 * p2) / np.sqrt(p1 * (1 - p1) * p2 * (1 - p2))
    return np.where(np.abs(r) <= 1, r, np.nan)
