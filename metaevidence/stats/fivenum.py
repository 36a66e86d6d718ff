"""Means and SDs from medians, quartiles and ranges: the face of ``metafor::conv.fivenum``.

:func:`means_from_medians` estimates, per study, the mean and SD that the mean-based
effect sizes (MD, SMD, ROM, ...) need when a study reports a median with its range and/or
interquartile range instead. The formulas live in :mod:`metaevidence.core.effects.fivenum`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.core.effects import fivenum as _five

__all__ = ["MeansFromMedians", "means_from_medians"]

METHODS = ("luo/wan/shi", "wan", "hozo")


@dataclass(frozen=True, slots=True)
class MeansFromMedians:
    """Estimated means and SDs of n studies.

    Attributes
    ----------
    mean, sd : ndarray (n,)
        Estimates; NaN where the reported values do not allow one (a mean needs the
        median; an SD needs the range or the quartiles; ``n`` below 5 gives neither).
    case : tuple of str (n,)
        What each estimate used: ``"min/median/max"``, ``"q1/median/q3"``,
        ``"five-number"``, ``"range"`` or ``"quartiles"`` (SD only), or ``""``.
    method : str
        The method (see :func:`means_from_medians`).
    """

    mean: np.ndarray
    sd: np.ndarray
    case: tuple[str, ...]
    method: str


def _column(name, value, n_rows):
    if value is None:
        return np.full(n_rows, np.nan)
    arr = np.array(value, dtype=float).reshape(-1)
    if arr.size != n_rows:
        raise ValueError(
            f"means_from_medians: {name} must have one value per study ({n_rows}); got {arr.size}"
        )
    return arr


def means_from_medians(
    *, n, median=None, q1=None, q3=None, minimum=None, maximum=None, method: str = "luo/wan/shi"
) -> MeansFromMedians:
    """Estimate means and SDs from five-number summaries (or parts of them).

    Parameters
    ----------
    n : array_like (k,)
        Sample sizes.
    median, q1, q3, minimum, maximum : array_like (k,), optional
        The reported values; None or NaN where a study does not report one.
    method : {"luo/wan/shi", "wan", "hozo"}, default "luo/wan/shi"
        ``"luo/wan/shi"`` (metafor's default): means of Luo et al. (2018, eqs. 7, 11, 15),
        SDs of Wan et al. (2014, eqs. 9, 16) and, with all five values, Shi et al. (2020,
        eq. 10). ``"wan"``: Wan et al.'s means with the same SDs. ``"hozo"``: Hozo et
        al.'s (2005) mean and SD from the minimum, median and maximum.

    Returns
    -------
    MeansFromMedians

    Raises
    ------
    ValueError
        When a study's values are out of order (``minimum <= q1 <= median <= q3 <=
        maximum`` must hold), ``n`` is not positive, or the method is unknown.

    Notes
    -----
    The estimates assume normally distributed data. metafor's ``conv.fivenum`` also tests
    each study for skewness (Shi et al. 2023) and by default leaves skewed studies out; no
    such test is made here (metafor's ``test=FALSE``), so look at skewed distributions
    (mean far from median) before using the estimates. Studies with ``n < 5`` get no
    estimate, as in metafor.

    Examples
    --------
    >>> est = means_from_medians(n=[20, 20, 20], minimum=[2, None, 2], q1=[None, 4, 4],
    ...                          median=[6, 6, 6], q3=[None, 10, 10], maximum=[14, None, 14])
    >>> np.round(est.mean, 4).tolist(), np.round(est.sd, 4).tolist()
    ([6.5945, 6.7195, 6.9388], [3.2116, 4.7871, 3.6794])
    >>> est.case
    ('min/median/max', 'q1/median/q3', 'five-number')

    Matches ``metafor::conv.fivenum(..., test=FALSE)`` (metafor >= 4.0-0; method
    ``"luo/wan/shi"``).
    """
    if method not in METHODS:
        raise ValueError(
            f"means_from_medians: method must be one of {', '.join(map(repr, METHODS))}; got {method!r}"
        )
    sizes = np.array(n, dtype=float).reshape(-1)
    k = sizes.size
    cols = {
        name: _column(name, value, k)
        for name, value in (
            ("minimum", minimum),
            ("q1", q1),
            ("median", median),
            ("q3", q3),
            ("maximum", maximum),
        )
    }
    _check_order(cols, sizes)
    a, lo, m, hi, b = (cols[c] for c in ("minimum", "q1", "median", "q3", "maximum"))
    if method == "hozo":
        mean, sd = _five.hozo(a, m, b, sizes)
    else:
        mean = (_five.luo_mean if method == "luo/wan/shi" else lambda *x: _five.wan_mean(*x[:5]))(
            a, lo, m, hi, b, sizes
        )
        sd = _five.wan_shi_sd(a, lo, hi, b, sizes)
        small = sizes < 5
        mean, sd = np.where(small, np.nan, mean), np.where(small, np.nan, sd)
    return MeansFromMedians(mean=mean, sd=sd, case=_cases(cols, mean, sd), method=method)


def _check_order(cols, sizes):
    if not np.all(np.isfinite(sizes) & (sizes > 0)):
        i = int(np.flatnonzero(~(np.isfinite(sizes) & (sizes > 0)))[0])
        raise ValueError(
            f"means_from_medians: n must be a positive number; got {sizes[i]} in row {i} (0-based)"
        )
    order = ("minimum", "q1", "median", "q3", "maximum")
    for i in range(sizes.size):
        given = [(name, cols[name][i]) for name in order if np.isfinite(cols[name][i])]
        for (n1, v1), (n2, v2) in zip(given, given[1:]):
            if v1 > v2:
                raise ValueError(
                    f"means_from_medians: row {i} (0-based): {n1} must not exceed {n2} "
                    f"(minimum <= q1 <= median <= q3 <= maximum); got {n1}={v1:g}, {n2}={v2:g}"
                )


def _cases(cols, mean, sd):
    have = {name: np.isfinite(v) for name, v in cols.items()}
    rng = have["minimum"] & have["maximum"]
    iqr = have["q1"] & have["q3"]
    out = []
    for i in range(mean.size):
        if not (np.isfinite(mean[i]) or np.isfinite(sd[i])):
            out.append("")
        elif not np.isfinite(mean[i]):
            out.append("range and quartiles" if rng[i] and iqr[i] else "range" if rng[i] else "quartiles")
        elif rng[i] and iqr[i] and have["median"][i]:
            out.append("five-number")
        else:
            out.append("min/median/max" if rng[i] else "q1/median/q3")
    return tuple(out)
