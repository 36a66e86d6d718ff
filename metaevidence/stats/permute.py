"""Permutation tests of meta-regression models (metafor's ``permutest``): the face of
:mod:`metaevidence.core.permute`.

matches metafor::permutest() (exact when the permutations can be enumerated, otherwise a
seeded random sample).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence.core import permute as _perm
from metaevidence.core import regression as _core
from metaevidence.display.summary import Summary, Table, compact_repr, fmt, fmt_p
from metaevidence.stats.regression import MetaRegression

__all__ = ["PermutationTest", "permutation_test"]


@dataclass(frozen=True, slots=True)
class PermutationTest:
    """Permutation p-values of a meta-regression (metafor ``permutest``).

    Attributes
    ----------
    p_value : ndarray (p,)
        Two-sided permutation p-value of each coefficient.
    qm_p_value : float
        Permutation p-value of the omnibus test.
    statistic : ndarray (p,)
        Observed z/t statistics.
    qm : float
        Observed omnibus statistic.
    statistic_perm : ndarray (n_permutations, p)
        Statistics under every permutation (the first is the observed arrangement).
    qm_perm : ndarray (n_permutations,)
    coefficients_perm : ndarray (n_permutations, p)
    n_permutations : int
    exact : bool
        Whether every distinct permutation was used.
    scheme : str
        "sign flips" (no moderators) or "row permutations" (moderators).
    seed : int or None
    names : tuple of str
    """

    p_value: np.ndarray
    qm_p_value: float
    statistic: np.ndarray
    qm: float
    statistic_perm: np.ndarray
    qm_perm: np.ndarray
    coefficients_perm: np.ndarray
    n_permutations: int
    exact: bool
    scheme: str
    seed: int | None
    names: tuple[str, ...]

    def __repr__(self) -> str:
        return compact_repr(
            self,
            n_permutations=self.n_permutations,
            exact=self.exact,
            scheme=self.scheme,
            names=tuple(self.names),
            p_value=tuple(float(p) for p in self.p_value),
            qm=self.qm,
            qm_p_value=self.qm_p_value,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        kind = f"exact, all {self.n_permutations}" if self.exact else f"{self.n_permutations} random"
        seed = f"; seed {self.seed}" if self.seed is not None and not self.exact else ""
        title = f"Permutation test ({kind} {self.scheme}{seed})"
        rows = tuple(
            (n, fmt(s, digits), fmt_p(p, digits)) for n, s, p in zip(self.names, self.statistic, self.p_value)
        )
        blocks: list = []
        if not np.isnan(self.qm):
            blocks.append(
                f"Omnibus test: QM = {fmt(self.qm, digits)}, permutation p = {fmt_p(self.qm_p_value, digits)}"
            )
        blocks.append(Table(("", "statistic", "permutation p"), rows))
        return Summary(title, tuple(blocks))

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"term": list(self.names), "statistic": self.statistic, "p_value": self.p_value})


def permutation_test(
    result: Any,
    *,
    iterations: int = 1000,
    exact: bool = False,
    seed: int | None = None,
    chunk_size: int = 4096,
) -> PermutationTest:
    """Permutation test of a meta-regression (or of an intercept-only model).

    Parameters
    ----------
    result : MetaRegression or MetaAnalysis
        The fitted model; it is refitted with the same estimator and test to every
        permuted data set.
    iterations : int
        Number of random permutations when the test is not exact.
    exact : bool
        Use every distinct permutation. The test is also exact whenever ``iterations``
        is at least the number of distinct permutations (as metafor).
    seed : int, optional
        Seed of the random permutations (numpy ``default_rng``).
    chunk_size : int
        Permutations fitted per batch (bounds memory to about chunk_size * k * p floats).

    Returns
    -------
    PermutationTest

    Notes
    -----
    Without moderators the signs of the effects are permuted (2^k patterns); with
    moderators the rows of the model matrix are permuted (k!/prod n_c! distinct
    arrangements when rows repeat). The p-value of a coefficient is the share of
    permutations with :math:`|t_j| \\ge |t_{obs}| - \\epsilon`; of the omnibus test the
    share with :math:`Q_{M,j} \\ge Q_{M,obs} - \\epsilon` (:math:`\\epsilon =
    \\sqrt{\\text{machine eps}}`). Random permutations always include the observed
    arrangement first, so no p-value is 0.

    References
    ----------
    Follmann, D. A., & Proschan, M. A. (1999). Valid inference in random effects
    meta-analysis. Biometrics, 55, 732-737.
    Higgins, J. P. T., & Thompson, S. G. (2004). Controlling the risk of spurious
    findings from meta-regression. Statistics in Medicine, 23, 1663-1682.

    Example
    -------
    >>> import metaevidence as me
    >>> fit = me.meta_regression([0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03],
    ...                          [1.0, 2.0, 3.0, 1.5, 2.5], method="DL")
    >>> pt = me.permutation_test(fit, exact=True)
    >>> pt.n_permutations
    120

    Matches metafor::permutest(x, exact = TRUE) p-values for exact tests.
    """
    if iterations < 1:
        raise ValueError(f"iterations must be a positive integer; got {iterations!r}")
    y, v, X, names, btt, method, test, level, observed, int_only, fixed = _inputs(result)
    k = y.size
    rng = np.random.default_rng(seed)
    if int_only:
        n_exact = _perm.count_sign_flips(k)
        scheme = "sign flips"
    else:
        classes = _perm.row_classes(X)
        n_exact = _perm.count_unique_permutations(classes)
        scheme = "row permutations"
    use_exact = exact or iterations >= n_exact
    if use_exact and n_exact > 50_000_000:
        raise ValueError(
            f"an exact permutation test needs {n_exact} refits here; use "
            f"exact=False with iterations= (random permutations)"
        )
    n_total = n_exact if use_exact else iterations
    if not int_only and use_exact:
        all_perms = _perm.unique_permutations(classes)
    elif not int_only:
        all_perms = _perm.random_permutations(k, n_total, rng)
    else:
        all_perms = None
        signs_random = None if use_exact else _perm.random_sign_flips(k, n_total, rng)
    refit = functools.partial(
        _refit, y, v, X, method=method, test=test, level=level, btt=btt, tau2=fixed, int_only=int_only
    )
    stats_out, qm_out, coef_out = [], [], []
    for start in range(0, n_total, chunk_size):
        stop = min(n_total, start + chunk_size)
        if int_only:
            if use_exact:
                signs = _perm.sign_flips(k, start=start, stop=stop)
            else:
                assert signs_random is not None
                signs = signs_random[start:stop]
            fit = refit(signs)
        else:
            assert all_perms is not None
            fit = refit(all_perms[start:stop])
        stats_out.append(fit.statistic)
        qm_out.append(fit.qm)
        coef_out.append(fit.coefficients)
    stat_perm = np.concatenate(stats_out)
    qm_perm = np.concatenate(qm_out)
    if observed is None:
        observed = (stat_perm[0] if use_exact else stat_perm[0], float(qm_perm[0]))
    p_value = _perm.permutation_p_value(stat_perm, observed[0])
    qm_p = float(_perm.permutation_p_value(qm_perm, observed[1], two_sided=False))
    return PermutationTest(
        p_value=p_value,
        qm_p_value=qm_p,
        statistic=np.asarray(observed[0]),
        qm=float(observed[1]),
        statistic_perm=stat_perm,
        qm_perm=qm_perm,
        coefficients_perm=np.concatenate(coef_out),
        n_permutations=int(n_total),
        exact=bool(use_exact),
        scheme=scheme,
        seed=seed,
        names=tuple(names),
    )


def _inputs(result):
    """What a permutation test refits: the data, the model and the observed statistics."""
    if isinstance(result, MetaRegression):
        inc = result.included
        y, v, X = result.yi[inc], result.vi[inc], result.X[inc]
        names, btt, method, test = result.names, result.btt, result.method, result.test
        level = result.level
        observed = (result.statistic, result.qm)
        int_only = result.intercept and result.p == 1
        fixed = None
        return y, v, X, names, btt, method, test, level, observed, int_only, fixed
    if hasattr(result, "estimate") and hasattr(result, "included"):
        inc = np.asarray(result.included, bool)
        y, v = np.asarray(result.yi, float)[inc], np.asarray(result.vi, float)[inc]
        X = np.ones((y.size, 1))
        names, btt, method, test, level = ("intrcpt",), (0,), result.method, result.test, result.level
        if method not in _core.METHODS:
            raise ValueError(
                f"permutation_test refits the model with the tau^2 estimator; "
                f"allowed methods are {', '.join(_core.METHODS)}; got {method!r}"
            )
        int_only = True
        observed = None
        fixed = float(result.tau2) if getattr(result, "tau2_fixed", False) else None
        return y, v, X, names, btt, method, test, level, observed, int_only, fixed

    raise TypeError(f"permutation_test needs a MetaRegression or MetaAnalysis; got {type(result).__name__}")


def _refit(y, v, X, rows, *, int_only: bool, **model):
    """The model refitted to sign-flipped effects (``rows`` are signs) or permuted rows of X."""
    if int_only:
        return _core.fit_regression(rows * y, v, X, **model)
    return _core.fit_regression(y, v, X[rows], **model)
