"""GOSH: the model refitted to all (or a random sample of) subsets of studies.

Re-exported by :mod:`metaevidence.stats.sensitivity` (``me.gosh``, ``me.Gosh``).

matches metafor::gosh.rma for models without moderators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.core import gosh as _core
from metaevidence.display.summary import Summary, Table, compact_repr, fmt
from metaevidence.stats.influence import model_inputs

__all__ = ["Gosh", "gosh"]


@dataclass(frozen=True, slots=True)
class Gosh:
    """Fits to subsets of the studies (graphical display of study heterogeneity).

    Attributes
    ----------
    code : ndarray of int64 (n,)
        Subset codes: bit i set when the i-th included study is in the subset (see
        :meth:`masks`).
    k : ndarray of int (n,)
        Studies in each subset.
    estimate, tau2, qe, i2, h2 : ndarray (n,)
        Pooled estimate, tau^2, Cochran's Q, I^2 (percent) and H^2 of each subset.
    n_subsets : int
    exhaustive : bool
        True when every one of the 2^k - 1 subsets was fitted.
    seed : int or None
        Seed of the random sample (when not exhaustive).
    method : str
    measure : str
        Effect measure of the analysis (for labels and ``transform="auto"`` in plots).
    labels : tuple of str
        The included studies, in bit order.
    converged : ndarray of bool (n,)
    """

    code: np.ndarray
    k: np.ndarray
    estimate: np.ndarray
    tau2: np.ndarray
    qe: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    n_subsets: int
    exhaustive: bool
    seed: int | None
    method: str
    measure: str
    labels: tuple[str, ...]
    converged: np.ndarray

    def masks(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Boolean membership (subsets ``start:stop`` x studies)."""
        return _core.subset_masks(self.code[start:stop], len(self.labels))

    def __repr__(self) -> str:
        return compact_repr(
            self,
            n_subsets=self.n_subsets,
            studies=len(self.labels),
            exhaustive=self.exhaustive,
            method=self.method,
            measure=self.measure,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        seed = f"seed {self.seed}" if self.seed is not None else "no seed: pass seed= to reproduce it"
        how = "all" if self.exhaustive else f"a random sample ({seed}) of the {2 ** len(self.labels) - 1}"
        title = (
            f"GOSH: {self.n_subsets} subsets fitted, {how} subsets of "
            f"{len(self.labels)} studies (tau^2 estimator {self.method})"
        )
        q = [0, 25, 50, 75, 100]
        rows = tuple(
            (name, *(fmt(x, digits) for x in np.percentile(arr, q)))
            for name, arr in (
                ("estimate", self.estimate),
                ("I^2", self.i2),
                ("tau^2", self.tau2),
                ("Q", self.qe),
            )
        )
        return Summary(
            title,
            (Table(("", "min", "25%", "median", "75%", "max"), rows, title="Distribution over subsets"),),
        )

    def to_frame(self):
        """One row per subset: code, k, estimate, tau2, qe, i2, h2."""
        import pandas as pd

        return pd.DataFrame(
            {
                "code": self.code,
                "k": self.k,
                "estimate": self.estimate,
                "tau2": self.tau2,
                "qe": self.qe,
                "i2": self.i2,
                "h2": self.h2,
            }
        )


def gosh(result, max_subsets: int = 1_000_000, *, seed: int | None = None, chunk_size: int = 8192) -> Gosh:
    """Fit the model to every subset of studies (or to a random sample of subsets).

    Parameters
    ----------
    result : MetaAnalysis (or an intercept-only MetaRegression)
        An inverse-variance analysis without moderators; its tau^2 estimator is reused.
    max_subsets : int
        Fit all 2^k - 1 subsets when there are at most this many (metafor's default
        limit, 10^6), otherwise this many distinct random subsets.
    seed : int, optional
        Seed of the random subsets (numpy ``default_rng``).
    chunk_size : int
        Subsets per batch: memory stays near ``12 * chunk_size * k`` doubles, however
        many subsets there are.

    Returns
    -------
    Gosh

    Notes
    -----
    See :func:`metaevidence.core.gosh.fit_subsets`. All 65,535 subsets of k = 16 studies
    take well under a second with REML (``benchmarks/gosh.py``).

    References
    ----------
    Olkin, I., Dahabreh, I. J., & Trikalinos, T. A. (2012). GOSH - a graphical display of
    study heterogeneity. Research Synthesis Methods, 3(3), 214-223.

    Example
    -------
    >>> import metaevidence as me
    >>> fit = me.meta_regression([0.1, 0.5, 0.9, 0.2, 0.4], [0.05, 0.04, 0.06, 0.05, 0.03])
    >>> me.gosh(fit).n_subsets
    31

    Matches metafor::gosh(x)$res (k, QE, I2, H2, tau2, estimate) for every subset.
    """
    yi, vi, X, labels, rows, names, method, _, tau2 = model_inputs(result, "gosh")
    if X.shape[1] != 1:
        raise ValueError(
            f"gosh supports models without moderators; got a meta-regression "
            f"with {X.shape[1]} coefficients ({', '.join(names)})"
        )
    if max_subsets < 1 or chunk_size < 1:
        raise ValueError(
            f"max_subsets and chunk_size must be positive integers; got {max_subsets!r} and {chunk_size!r}"
        )
    k = yi.size
    if k > 62:
        raise ValueError(f"gosh codes subsets in 64-bit integers and supports up to 62 studies; got {k}")
    total = 2**k - 1
    exhaustive = total <= max_subsets
    if exhaustive:
        codes = np.arange(1, total + 1, dtype=np.int64)
    else:
        codes = _core.random_subset_codes(k, max_subsets, np.random.default_rng(seed))
    g = _core.fit_subsets(yi, vi, codes, method=method, tau2=tau2, chunk_size=chunk_size)
    return Gosh(
        code=g.code,
        k=g.k,
        estimate=g.estimate,
        tau2=g.tau2,
        qe=g.qe,
        i2=g.i2,
        h2=g.h2,
        n_subsets=int(codes.size),
        exhaustive=exhaustive,
        seed=None if exhaustive else seed,
        method=method,
        measure=str(getattr(result, "measure", "GEN")),
        labels=labels,
        converged=g.converged,
    )
