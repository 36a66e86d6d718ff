"""Effect sizes from counts: two-group 2x2 tables, incidence rates, and the zero-cell policy.

Every function takes arrays whose last axis is studies (any leading batch shape broadcasts)
and returns ``(yi, vi)``: the effect size on its analysis scale and its sampling variance, as
``metafor::escalc`` computes them with its default ``vtype="LS"``. Inputs are the counts
*after* any zero-cell correction (:func:`zero_cell_correction`); a cell of zero that
makes a formula divide by zero gives ``inf``/``nan`` here and no warning -- the caller
decides what such a row means (``metaevidence.effect_sizes`` recodes it as dropped, as
escalc recodes it to ``NA``).

Continuous outcomes and correlations live in :mod:`metaevidence.core.effects.continuous`,
single-group measures in :mod:`metaevidence.core.effects.single_group`, reported statistics and
conversions between families in :mod:`metaevidence.core.effects.convert`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TACC",
    "ZERO_CELL_RULES",
    "treatment_arm_increments",
    "sqrt_rate_difference",
    "zero_cell_correction",
    "double_zero_2x2",
    "double_zero_rates",
    "log_odds_ratio",
    "log_risk_ratio",
    "risk_difference",
    "log_peto_odds_ratio",
    "arcsine_risk_difference",
    "log_rate_ratio",
    "rate_difference",
]

#: The values of ``to`` (when the zero-cell constant is added), metafor's spellings.
ZERO_CELL_RULES = ("only0", "all", "if0all", "none")

#: ``add="TACC"``: the treatment-arm continuity correction of Sweeting et al. (2004).
TACC = "TACC"


def zero_cell_correction(cells, *, add, to, exclude=None):
    """Add ``add`` to every cell of the rows the rule ``to`` selects.

    Parameters
    ----------
    cells : tuple of array_like, each (..., k)
        The cells that receive the constant: ``(ai, bi, ci, di)`` for a 2x2 table,
        ``(xi, mi)`` for a single group (events and non-events), ``(x1i, x2i)`` for
        person-time data.
    add : float or "TACC"
        Non-negative constant (metafor's ``add``), or ``"TACC"`` for 2x2 tables: the
        treatment-arm continuity correction (:func:`treatment_arm_increments`), R meta's
        ``incr = "TACC"``.
    to : {"only0", "all", "if0all", "none"}
        ``"only0"``: rows with at least one zero cell; ``"all"``: every row;
        ``"if0all"``: every row, but only if some row of that analysis (same leading
        batch index) has a zero cell; ``"none"``: no row.
    exclude : array_like of bool (..., k), optional
        Rows that take no part (dropped double-zero studies, missing data): they are
        never corrected and their zeros do not trigger ``"if0all"``. Rows with a
        non-finite cell are always excluded.

    Returns
    -------
    corrected_cells : tuple of ndarray (..., k)
        The cells with the constant added where selected.
    corrected : ndarray of bool (..., k)
        Rows that received a non-zero constant.

    Notes
    -----
    metafor applies the rule after ``drop00``: a double-zero study dropped with
    ``drop00=TRUE`` does not make ``to="if0all"`` correct the other studies.

    References
    ----------
    Viechtbauer, W. (2010). Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software, 36(3), 1-48 (escalc, arguments add/to/drop00).

    Examples
    --------
    >>> (a, b), corrected = zero_cell_correction((np.array([0, 2]), np.array([5, 3])),
    ...                                          add=0.5, to="only0")
    >>> a.tolist(), corrected.tolist()
    ([0.5, 2.0], [True, False])

    Matches the cell correction of ``metafor::escalc(add=, to=, drop00=)``.
    """
    if to not in ZERO_CELL_RULES:
        raise ValueError(f"to must be one of {', '.join(map(repr, ZERO_CELL_RULES))}; got {to!r}")
    arrays = np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in cells))
    if isinstance(add, str):
        if add != TACC or len(arrays) != 4:
            raise ValueError(f"add must be a non-negative number, or 'TACC' for 2x2 tables; got {add!r}")
        k1, k2 = treatment_arm_increments(*arrays)
        increments: tuple = (k1, k1, k2, k2)
    else:
        increments = (add,) * len(arrays)
    finite = np.logical_and.reduce([np.isfinite(c) for c in arrays])
    usable = finite if exclude is None else finite & ~np.asarray(exclude, dtype=bool)
    has_zero = np.logical_or.reduce([c == 0 for c in arrays]) & usable
    if to == "only0":
        rows = has_zero
    elif to == "all":
        rows = usable
    elif to == "if0all":
        rows = usable & np.any(has_zero, axis=-1, keepdims=True)
    else:
        rows = np.zeros_like(usable)
    if not isinstance(add, str) and add == 0:
        rows = np.zeros_like(usable)
    return tuple(np.where(rows, c + inc, c) for c, inc in zip(arrays, increments, strict=True)), rows


def treatment_arm_increments(ai, bi, ci, di):
    """The treatment-arm continuity correction (TACC) of Sweeting, Sutton & Lambert (2004).

    Instead of 0.5 in every cell, each cell of group 1 gets ``n1 / (n1 + n2)`` and each
    cell of group 2 gets ``n2 / (n1 + n2)``: increments proportional to the reciprocal of
    the size of the *other* group, summing to 1 across the groups as 0.5 + 0.5 does. With
    equal groups it is the usual 0.5; with unequal groups it removes the bias towards the
    null that a constant correction causes when the groups differ in size.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        The 2x2 cells before correction (group sizes ``ai + bi`` and ``ci + di``).

    Returns
    -------
    (k1, k2) : tuple of ndarray (..., k)
        The increment for each cell of group 1 and of group 2.

    References
    ----------
    Sweeting, M. J., Sutton, A. J., & Lambert, P. C. (2004). What to add to nothing? Use and
    avoidance of continuity corrections in meta-analysis of sparse data. Statistics in
    Medicine, 23(9), 1351-1375.

    Examples
    --------
    >>> k1, k2 = treatment_arm_increments(np.array([0.0]), np.array([20.0]), np.array([2.0]), np.array([58.0]))
    >>> float(k1[0]), float(k2[0])
    (0.25, 0.75)

    Matches R meta's ``metabin(incr = "TACC")`` (meta 6.6-0).
    """
    n1 = np.asarray(ai, dtype=float) + np.asarray(bi, dtype=float)
    n2 = np.asarray(ci, dtype=float) + np.asarray(di, dtype=float)
    total = n1 + n2
    with np.errstate(divide="ignore", invalid="ignore"):
        return n1 / total, n2 / total


def double_zero_2x2(ai, bi, ci, di):
    """Rows of 2x2 tables with no events, or only events, in both groups.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Cells of the 2x2 tables (events and non-events of group 1, then group 2).

    Returns
    -------
    ndarray of bool (..., k)
        ``(ai == 0 & ci == 0) | (bi == 0 & di == 0)``: the studies ``drop00`` drops.

    Notes
    -----
    Such studies carry no information on a ratio measure (Higgins et al., 2019,
    section 10.4.4.1).

    References
    ----------
    Higgins, J. P. T., et al. (Eds.) (2019). Cochrane handbook for systematic reviews of
    interventions (2nd ed.). Wiley.

    Examples
    --------
    >>> double_zero_2x2([0, 0], [10, 9], [0, 1], [12, 8]).tolist()
    [True, False]

    Matches ``metafor::escalc(drop00=TRUE)`` for two-group binary measures.
    """
    ai, bi, ci, di = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    return ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))


def double_zero_rates(x1i, x2i):
    """Rows of person-time data with no events in either group.

    Parameters
    ----------
    x1i, x2i : array_like (..., k)
        Event counts of group 1 and group 2.

    Returns
    -------
    ndarray of bool (..., k)
        ``x1i == 0 & x2i == 0``.

    Examples
    --------
    >>> double_zero_rates([0, 0], [0, 2]).tolist()
    [True, False]

    Matches ``metafor::escalc(drop00=TRUE)`` for ``IRR``/``IRD``.
    """
    return (np.asarray(x1i, dtype=float) == 0) & (np.asarray(x2i, dtype=float) == 0)


def log_odds_ratio(ai, bi, ci, di):
    """Log odds ratio of 2x2 tables and its large-sample (Woolf) variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Events and non-events in group 1 (``ai``, ``bi``) and group 2 (``ci``, ``di``),
        after any zero-cell correction.

    Returns
    -------
    yi, vi : ndarray (..., k)
        Log odds ratio and its sampling variance.

    Notes
    -----
    .. math::

        y_i = \\log\\frac{a_i d_i}{b_i c_i}, \\qquad
        v_i = \\frac{1}{a_i} + \\frac{1}{b_i} + \\frac{1}{c_i} + \\frac{1}{d_i}

    References
    ----------
    Woolf, B. (1955). On estimating the relation between blood group and disease.
    Annals of Human Genetics, 19(4), 251-253.
    Fleiss, J. L., & Berlin, J. (2009). Effect sizes for dichotomous data. In H. Cooper
    et al. (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.).

    Examples
    --------
    >>> yi, vi = log_odds_ratio(4, 119, 11, 128)     # BCG trial of Aronson (1948)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.9387, 0.3571)

    Matches ``metafor::escalc(measure="OR")``.
    """
    ai, bi, ci, di = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log((ai * di) / (bi * ci))
        vi = 1 / ai + 1 / bi + 1 / ci + 1 / di
    return yi, vi


def log_risk_ratio(ai, bi, ci, di):
    """Log risk ratio of 2x2 tables and its large-sample variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Events and non-events in group 1 and group 2, after any zero-cell correction.

    Returns
    -------
    yi, vi : ndarray (..., k)
        Log risk ratio and its sampling variance.

    Notes
    -----
    With :math:`n_{1i} = a_i + b_i` and :math:`n_{2i} = c_i + d_i`,

    .. math::

        y_i = \\log\\frac{a_i / n_{1i}}{c_i / n_{2i}}, \\qquad
        v_i = \\frac{1}{a_i} - \\frac{1}{n_{1i}} + \\frac{1}{c_i} - \\frac{1}{n_{2i}}

    References
    ----------
    Fleiss, J. L., & Berlin, J. (2009). Effect sizes for dichotomous data. In H. Cooper
    et al. (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.).

    Examples
    --------
    >>> yi, vi = log_risk_ratio(4, 119, 11, 128)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.8893, 0.3256)

    Matches ``metafor::escalc(measure="RR")``.
    """
    ai, bi, ci, di = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    n1i, n2i = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log((ai / n1i) / (ci / n2i))
        vi = 1 / ai - 1 / n1i + 1 / ci - 1 / n2i
    return yi, vi


def risk_difference(ai, bi, ci, di):
    """Risk difference of 2x2 tables and its large-sample (unpooled) variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Events and non-events in group 1 and group 2, after any zero-cell correction
        (metafor applies its default correction to ``RD`` as well).

    Returns
    -------
    yi, vi : ndarray (..., k)
        Risk difference and its sampling variance.

    Notes
    -----
    With :math:`p_{1i} = a_i / n_{1i}` and :math:`p_{2i} = c_i / n_{2i}`,

    .. math::

        y_i = p_{1i} - p_{2i}, \\qquad
        v_i = \\frac{p_{1i}(1 - p_{1i})}{n_{1i}} + \\frac{p_{2i}(1 - p_{2i})}{n_{2i}}

    References
    ----------
    Fleiss, J. L., & Berlin, J. (2009). Effect sizes for dichotomous data. In H. Cooper
    et al. (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.).

    Examples
    --------
    >>> yi, vi = risk_difference(4, 119, 11, 128)
    >>> round(float(yi), 4), round(float(vi), 6)
    (-0.0466, 0.00078)

    Matches ``metafor::escalc(measure="RD")``.
    """
    ai, bi, ci, di = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    n1i, n2i = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = ai / n1i, ci / n2i
        yi = p1 - p2
        vi = p1 * (1 - p1) / n1i + p2 * (1 - p2) / n2i
    return yi, vi


def log_peto_odds_ratio(ai, bi, ci, di):
    """Peto's one-step log odds ratio of 2x2 tables and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Events and non-events in group 1 and group 2, after any zero-cell correction
        (metafor applies its default correction to ``PETO`` as well).

    Returns
    -------
    yi, vi : ndarray (..., k)
        Peto log odds ratio :math:`(O - E)/V` and its sampling variance :math:`1/V`.

    Notes
    -----
    With :math:`N_i = n_{1i} + n_{2i}` and event totals :math:`m_{1i} = a_i + c_i`,
    :math:`m_{2i} = b_i + d_i`: the expected count in cell a under no effect is
    :math:`E_i = n_{1i} m_{1i} / N_i` and its hypergeometric variance is

    .. math::

        V_i = \\frac{n_{1i} n_{2i} m_{1i} m_{2i}}{N_i^2 (N_i - 1)}, \\qquad
        y_i = \\frac{a_i - E_i}{V_i}, \\qquad v_i = \\frac{1}{V_i}

    References
    ----------
    Yusuf, S., Peto, R., Lewis, J., Collins, R., & Sleight, P. (1985). Beta blockade
    during and after myocardial infarction: An overview of the randomized trials.
    Progress in Cardiovascular Disease, 27(5), 335-371.

    Examples
    --------
    >>> yi, vi = log_peto_odds_ratio(4, 119, 11, 128)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.8604, 0.2828)

    Matches ``metafor::escalc(measure="PETO")``.
    """
    ai, bi, ci, di = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    n1i, n2i = ai + bi, ci + di
    ni = n1i + n2i
    m1i, m2i = ai + ci, bi + di
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = n1i * m1i / ni
        var_o = n1i * n2i * m1i * m2i / (ni**2 * (ni - 1))
        yi = (ai - expected) / var_o
        vi = 1 / var_o
    return yi, vi


def arcsine_risk_difference(ai, bi, ci, di):
    """Arcsine square-root transformed risk difference and its variance.

    Parameters
    ----------
    ai, bi, ci, di : array_like (..., k)
        Events and non-events in group 1 and group 2 (metafor adds nothing by default:
        the measure is defined with zero cells).

    Returns
    -------
    yi, vi : ndarray (..., k)
        :math:`\\arcsin\\sqrt{p_{1i}} - \\arcsin\\sqrt{p_{2i}}` and its variance.

    Notes
    -----
    .. math::

        y_i = \\arcsin\\sqrt{a_i / n_{1i}} - \\arcsin\\sqrt{c_i / n_{2i}}, \\qquad
        v_i = \\frac{1}{4 n_{1i}} + \\frac{1}{4 n_{2i}}

    Twice :math:`y_i` is Cohen's h.

    References
    ----------
    Rücker, G., Schwarzer, G., Carpenter, J., & Olkin, I. (2009). Why add anything to
    nothing? The arcsine difference as a measure of treatment effect in meta-analysis
    with zero cells. Statistics in Medicine, 28(5), 721-738.

    Examples
    --------
    >>> yi, vi = arcsine_risk_difference(0, 10, 5, 10)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.6155, 0.0417)

    Matches ``metafor::escalc(measure="AS")``.
    """
    ai, bi, ci, di = (np.asarray(x, dtype=float) for x in (ai, bi, ci, di))
    n1i, n2i = ai + bi, ci + di
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.arcsin(np.sqrt(ai / n1i)) - np.arcsin(np.sqrt(ci / n2i))
        vi = 1 / (4 * n1i) + 1 / (4 * n2i)
    return yi, vi


def log_rate_ratio(x1i, t1i, x2i, t2i):
    """Log incidence rate ratio of two groups' events over person-time, and its variance.

    Parameters
    ----------
    x1i, t1i, x2i, t2i : array_like (..., k)
        Events and total person-time of group 1 and group 2 (events after any
        zero-cell correction).

    Returns
    -------
    yi, vi : ndarray (..., k)
        Log rate ratio and its sampling variance.

    Notes
    -----
    .. math::

        y_i = \\log\\frac{x_{1i} / t_{1i}}{x_{2i} / t_{2i}}, \\qquad
        v_i = \\frac{1}{x_{1i}} + \\frac{1}{x_{2i}}

    References
    ----------
    Rothman, K. J., Greenland, S., & Lash, T. L. (2008). Modern epidemiology (3rd ed.).
    Lippincott Williams & Wilkins.

    Examples
    --------
    >>> yi, vi = log_rate_ratio(10, 1000.0, 20, 1000.0)
    >>> round(float(yi), 4), round(float(vi), 4)
    (-0.6931, 0.15)

    Matches ``metafor::escalc(measure="IRR")``.
    """
    x1i, t1i, x2i, t2i = (np.asarray(x, dtype=float) for x in (x1i, t1i, x2i, t2i))
    with np.errstate(divide="ignore", invalid="ignore"):
        yi = np.log((x1i / t1i) / (x2i / t2i))
        vi = 1 / x1i + 1 / x2i
    return yi, vi


def rate_difference(x1i, t1i, x2i, t2i):
    """Incidence rate difference of two groups and its variance.

    Parameters
    ----------
    x1i, t1i, x2i, t2i : array_like (..., k)
        Events and total person-time of group 1 and group 2 (events after any
        zero-cell correction; metafor applies its default correction to ``IRD``).

    Returns
    -------
    yi, vi : ndarray (..., k)
        Rate difference (events per unit of person-time) and its sampling variance.

    Notes
    -----
    .. math::

        y_i = \\frac{x_{1i}}{t_{1i}} - \\frac{x_{2i}}{t_{2i}}, \\qquad
        v_i = \\frac{x_{1i}}{t_{1i}^2} + \\frac{x_{2i}}{t_{2i}^2}

    References
    ----------
    Rothman, K. J., Greenland, S., & Lash, T. L. (2008). Modern epidemiology (3rd ed.).
    Lippincott Williams & Wilkins.

    Examples
    --------
    >>> yi, vi = rate_difference(10, 1000.0, 20, 1000.0)
    >>> round(float(yi), 4), round(float(vi), 8)
    (-0.01, 3e-05)

    Matches ``metafor::escalc(measure="IRD")``.
    """
    x1i, t1i, x2i, t2i = (np.asarray(x, dtype=float) for x in (x1i, t1i, x2i, t2i))
    yi = x1i / t1i - x2i / t2i
    vi = x1i / t1i**2 + x2i / t2i**2
    return yi, vi


def sqrt_rate_difference(x1i, t1i, x2i, t2i):
    """Square-root transformed incidence rate difference (``IRSD``) and its variance.

    .. math::

        y_i = \\sqrt{x_{1i}/t_{1i}} - \\sqrt{x_{2i}/t_{2i}}, \\qquad
        v_i = \\frac{1}{4 t_{1i}} + \\frac{1}{4 t_{2i}}

    (the variance-stabilizing square root of Poisson counts). Worked example: 10 events in
    20 and 5 in 30 units: :math:`y = 0.70711 - 0.40825 = 0.29886`, :math:`v = 1/80 + 1/120`.

    Matches ``metafor::escalc(measure="IRSD")`` (default ``add=0``).
    """
    x1i, t1i, x2i, t2i = (np.asarray(x, dtype=float) for x in (x1i, t1i, x2i, t2i))
    return np.sqrt(x1i / t1i) - np.sqrt(x2i / t2i), 1 / (4 * t1i) + 1 / (4 * t2i)
