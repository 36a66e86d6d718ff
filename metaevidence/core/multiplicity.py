"""Adjusting p-values for multiple testing (R's ``p.adjust``; metafor's ``adjust=``).

Each method maps ``m`` p-values to adjusted ones that can be read against the nominal level:
Bonferroni's and Holm's control the familywise error rate, Hochberg's too (under
independence or positive dependence), Benjamini-Hochberg's and Benjamini-Yekutieli's the
false discovery rate.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ADJUST_METHODS", "adjust_p", "resolve_method"]

#: R's p.adjust names (``fdr`` is ``BH``); Hommel's method is not offered.
ADJUST_METHODS = ("bonferroni", "holm", "hochberg", "BH", "BY", "fdr", "none")


def resolve_method(adjust, where: str) -> str:
    """``adjust`` as a method name: ``True`` is Bonferroni, ``False``/``None`` none, and a
    string may be any unambiguous prefix (as R's ``match.arg``: ``"bonf"``).
    """
    if adjust is None or adjust is False:
        return "none"
    if adjust is True:
        return "bonferroni"
    if isinstance(adjust, str):
        if adjust in ADJUST_METHODS:
            return adjust
        hits = [m for m in ADJUST_METHODS if m.lower().startswith(adjust.lower())]
        if len(hits) == 1 and adjust:
            return hits[0]
    raise ValueError(
        f"{where}: adjust must be True, False or one of {', '.join(ADJUST_METHODS)} (or a prefix); got {adjust!r}"
    )


def adjust_p(p, method: str) -> np.ndarray:
    """Adjusted p-values.

    Parameters
    ----------
    p : array_like (m,)
    method : str
        One of :data:`ADJUST_METHODS`.

    Returns
    -------
    ndarray (m,)

    Notes
    -----
    With :math:`p_{(1)} \\le \\dots \\le p_{(m)}`: Bonferroni :math:`\\min(1, m p_i)`; Holm
    (1979) the running maximum of :math:`(m - j + 1) p_{(j)}`; Hochberg (1988) the running
    minimum from the largest of :math:`(m - j + 1) p_{(j)}`; Benjamini & Hochberg (1995)
    the running minimum from the largest of :math:`m p_{(j)}/j`; Benjamini & Yekutieli
    (2001) that times :math:`\\sum_{i \\le m} 1/i`; each capped at 1.

    References
    ----------
    Holm, S. (1979). Scand J Stat 6:65-70. Hochberg, Y. (1988). Biometrika 75:800-802.
    Benjamini, Y., & Hochberg, Y. (1995). JRSS B 57:289-300. Benjamini, Y., & Yekutieli, D.
    (2001). Ann Stat 29:1165-1188.

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03], "holm").tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p, dtype=float)
    m = p.size
    if method == "none" or m <= 1:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ps = p[order]
    j = np.arange(1, m + 1)
    if method == "bonferroni":
        out = np.minimum(1.0, m * ps)
    elif method == "holm":
        out = np.minimum(1.0, np.maximum.accumulate((m - j + 1) * ps))
    elif method == "hochberg":
        out = np.minimum(1.0, np.minimum.accumulate(((m - j + 1) * ps)[::-1])[::-1])
    elif method in ("BH", "fdr", "BY"):
        q = np.sum(1.0 / j) if method == "BY" else 1.0
        out = np.minimum(1.0, np.minimum.accumulate((q * m / j * ps)[::-1])[::-1])
    else:
        raise ValueError(f"adjust_p: method must be one of {', '.join(ADJUST_METHODS)}; got {method!r}")
    result = np.empty(m)
    result[order] = out
    return result
