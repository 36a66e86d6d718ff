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
DISTS = ("norm", "lnorm")


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
    statistic, critical : ndarray (n,)
        Shi et al.'s (2023) skewness statistic and its 5% critical value (metafor's
        ``tval`` and ``crit``; of the log values when ``dist="lnorm"``); NaN where the
        values allow no test (no median, a zero spread, n < 5).
    skewed : ndarray of bool (n,)
        Whether the statistic exceeds the critical value (metafor's ``sig``). With
        ``test=True`` these studies have no estimate.
    dist : str
        ``"norm"``, or ``"lnorm"``: then ``mean`` and ``sd`` are those of the log values.
    """

    mean: np.ndarray
    sd: np.ndarray
    case: tuple[str, ...]
    method: str
    statistic: np.ndarray
    critical: np.ndarray
    skewed: np.ndarray
    dist: str = "norm"


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
    *,
    n,
    median=None,
    q1=None,
    q3=None,
    minimum=None,
    maximum=None,
    method: str = "luo/wan/shi",
    test: bool = True,
    dist: str = "norm",
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
    test : bool, default True
        Test each study for skewness (Shi et al. 2023) and give the studies it flags no
        estimate, as metafor's default ``test=TRUE``; False estimates them all (the
        statistics are reported either way).
    dist : {"norm", "lnorm"}, default "norm"
        ``"lnorm"`` assumes log-normal data (positive values; method ``"luo/wan/shi"``):
        the values are logged, tested for skewness, and the result is the mean and SD of
        the log values (Shi et al. 2020b; metafor's ``dist="lnorm", transf=FALSE``), the
        squared SD divided by :func:`~metaevidence.core.effects.fivenum.log_sd_correction`.
        metafor's back-transformation to the raw scale (``transf=TRUE``) is not offered:
        its bias correction could not be recovered exactly (see docs/effect-sizes.md).

    Returns
    -------
    MeansFromMedians

    Raises
    ------
    ValueError
        When a study's values are out of order (``minimum <= q1 <= median <= q3 <=
        maximum`` must hold), ``n`` is not positive, the method or distribution is
        unknown, or ``dist="lnorm"`` meets a value that is not positive.

    Notes
    -----
    The estimates assume normally (or, with ``dist="lnorm"``, log-normally) distributed
    data; the skewness test is what checks it, and a study it flags is better analysed
    another way than forced into a mean and SD. Studies with ``n < 5`` get no estimate, as
    in metafor.

    Examples
    --------
    >>> est = means_from_medians(n=[20, 20, 20], minimum=[2, None, 2], q1=[None, 4, 4],
    ...                          median=[6, 6, 6], q3=[None, 10, 10], maximum=[14, None, 14])
    >>> np.round(est.mean, 4).tolist(), np.round(est.sd, 4).tolist()
    ([6.5945, 6.7195, 6.9388], [3.2116, 4.7871, 3.6794])
    >>> est.case
    ('min/median/max', 'q1/median/q3', 'five-number')
    >>> est.skewed.tolist()
    [False, False, False]

    Matches ``metafor::conv.fivenum`` (metafor >= 4.0-0, checked against 5.1-12; method
    ``"luo/wan/shi"``), its ``test=`` and ``dist="lnorm", transf=FALSE`` included.
    """
    if method not in METHODS:
        raise ValueError(
            f"means_from_medians: method must be one of {', '.join(map(repr, METHODS))}; got {method!r}"
        )
    if dist not in DISTS:
        raise ValueError(
            f"means_from_medians: dist must be one of {', '.join(map(repr, DISTS))}; got {dist!r}"
        )
    if dist == "lnorm" and method != "luo/wan/shi":
        raise ValueError(
            f"means_from_medians: dist='lnorm' uses the 'luo/wan/shi' estimators on the log values; got method={method!r}"
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
    if dist == "lnorm":
        cols = _logged(cols)
    a, lo, m, hi, b = (cols[c] for c in ("minimum", "q1", "median", "q3", "maximum"))
    if method == "hozo":
        mean, sd = _five.hozo(a, m, b, sizes)
    else:
        mean = (_five.luo_mean if method == "luo/wan/shi" else lambda *x: _five.wan_mean(*x[:5]))(
            a, lo, m, hi, b, sizes
        )
        sd = _five.wan_shi_sd(a, lo, hi, b, sizes)
        if dist == "lnorm":
            sd = sd / np.sqrt(_five.log_sd_correction(a, lo, hi, b, sizes))
        small = sizes < 5
        mean, sd = np.where(small, np.nan, mean), np.where(small, np.nan, sd)
    statistic, critical = _five.skewness_test(a, lo, m, hi, b, sizes)
    with np.errstate(invalid="ignore"):
        skewed = statistic > critical
    if test:
        mean, sd = np.where(skewed, np.nan, mean), np.where(skewed, np.nan, sd)
    return MeansFromMedians(
        mean=mean,
        sd=sd,
        case=_cases(cols, mean, sd),
        method=method,
        statistic=statistic,
        critical=critical,
        skewed=skewed,
        dist=dist,
    )


def _logged(cols):
    for name, values in cols.items():
        bad = np.flatnonzero(np.isfinite(values) & (values <= 0))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"means_from_medians: dist='lnorm' needs positive values; got {name}={values[i]:g} "
                f"in row {i} (0-based)"
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        return {name: np.log(values) for name, values in cols.items()}


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
