"""Permutation sets for permutation tests of meta-regression models.

A permutation test refits one model to many rearranged data sets; here the rearrangements
are built as index arrays (rows of the model matrix) or sign matrices (for models
without moderators), so the refits run as one batch.

Matches the permutation schemes of metafor::permutest.rma.uni: sign flips of the effect
sizes for intercept-only models (Follmann & Proschan 1999) and permutations of the rows
of the model matrix for models with moderators (Higgins & Thompson 2004), restricted to
the unique permutations when the test is exact.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

__all__ = [
    "COMPARISON_TOLERANCE",
    "count_sign_flips",
    "count_unique_permutations",
    "sign_flips",
    "random_sign_flips",
    "unique_permutations",
    "random_permutations",
    "row_classes",
    "permutation_p_value",
]

#: Tolerance of ">=" comparisons between permuted and observed statistics, so that a
#: permutation reproducing the observed data counts as "as extreme" despite rounding
#: (metafor's ``comptol``, ``.Machine$double.eps^0.5``).
COMPARISON_TOLERANCE = float(np.finfo(float).eps) ** 0.5


def count_sign_flips(k: int) -> int:
    """Number of sign patterns of k effect sizes, 2^k."""
    return 2**k


def sign_flips(k: int, *, start: int = 0, stop: int | None = None) -> np.ndarray:
    """All sign patterns of k effects (or rows ``start:stop`` of them), as +-1 floats.

    Parameters
    ----------
    k : int
        Number of studies.
    start, stop : int
        Range of pattern numbers; pattern j has a minus sign at study i when bit i of
        j is set. Pattern 0 is the observed data.

    Returns
    -------
    ndarray (stop - start, k)

    Example
    -------
    >>> sign_flips(2).tolist()
    [[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]]
    """
    stop = 2**k if stop is None else stop
    codes = np.arange(start, stop, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(k, dtype=np.int64)) & 1
    return 1.0 - 2.0 * bits


def random_sign_flips(k: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """N random sign patterns, the first being the observed data (all +1)."""
    out = rng.choice(np.array([-1.0, 1.0]), size=(n, k))
    out[0] = 1.0
    return out


def row_classes(X: np.ndarray) -> np.ndarray:
    """Label equal rows of a model matrix with the same integer (0, 1, ... by first use)."""
    _, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[np.asarray(inverse).reshape(-1)]


def count_unique_permutations(classes) -> int:
    """Number of distinct arrangements of a multiset: k! / prod(n_c!)."""
    _, counts = np.unique(np.asarray(classes), return_counts=True)
    total = math.factorial(int(sum(counts)))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def unique_permutations(classes) -> np.ndarray:
    """All distinct arrangements of the rows, as row indices.

    Parameters
    ----------
    classes : array_like of int (k,)
        Class of each row (equal rows share a class; see :func:`row_classes`).

    Returns
    -------
    ndarray of int (n, k)
        Row j gives, for each position, the index of the original row placed there.
        Rows of one class are placed in their original order, so each distinct
        arrangement appears once; the first arrangement is the observed one.

    Notes
    -----
    Built class by class: choose the positions of the first class among the k
    positions, then of the next class among the remaining ones, and so on, giving
    k! / prod(n_c!) arrangements.

    Example
    -------
    >>> unique_permutations([0, 0, 1]).tolist()
    [[0, 1, 2], [0, 2, 1], [2, 0, 1]]
    """
    classes = np.asarray(classes)
    k = classes.size
    groups = [np.flatnonzero(classes == c) for c in np.unique(classes)]
    layouts = [np.full(k, -1, dtype=np.int64)]
    free_sets = [tuple(range(k))]
    for rows in groups:
        new_layouts, new_free = [], []
        for layout, free in zip(layouts, free_sets):
            for pos in combinations(free, rows.size):
                lay = layout.copy()
                lay[list(pos)] = rows
                new_layouts.append(lay)
                chosen = set(pos)
                new_free.append(tuple(f for f in free if f not in chosen))
        layouts, free_sets = new_layouts, new_free
    out = np.array(layouts, dtype=np.int64)
    identity = np.flatnonzero((out == np.arange(k)).all(axis=1))
    if identity.size and identity[0] != 0:
        out[[0, identity[0]]] = out[[identity[0], 0]]
    return out


def random_permutations(k: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """N random permutations of k rows, the first being the identity (observed data)."""
    out = rng.permuted(np.tile(np.arange(k, dtype=np.int64), (n, 1)), axis=1)
    out[0] = np.arange(k)
    return out


def permutation_p_value(permuted, observed, *, two_sided: bool = True, tol: float = COMPARISON_TOLERANCE):
    """Share of permuted statistics at least as extreme as the observed one.

    Parameters
    ----------
    permuted : array_like (n, ...)
        Statistics under the n permutations (the observed arrangement included).
    observed : array_like (...)
        The observed statistic.
    two_sided : bool
        Compare absolute values (coefficient tests) or the values themselves
        (omnibus QM test, large values extreme).
    tol : float
        Comparison tolerance.

    Returns
    -------
    ndarray (...)

    Notes
    -----
    :math:`p = \\frac{1}{n}\\#\\{j : |t_j| \\ge |t_{obs}| - \\epsilon\\}`.

    Example
    -------
    >>> float(permutation_p_value([2.0, -3.0, 1.0, 0.5], 2.0))
    0.5

    Matches metafor::permutest(...)$pval and $QMp.
    """
    permuted = np.asarray(permuted, dtype=float)
    observed = np.asarray(observed, dtype=float)
    if two_sided:
        permuted, observed = np.abs(permuted), np.abs(observed)
    return (permuted >= observed - tol).mean(axis=0)
