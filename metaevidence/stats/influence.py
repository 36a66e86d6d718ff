"""Influence diagnostics (metafor ``influence()``) and the data of the Baujat plot.

Re-exported by :mod:`metaevidence.stats.sensitivity` (``me.influence``, ``me.Influence``).

matches metafor::influence.rma.uni and metafor::baujat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metaevidence.core import influence as _core
from metaevidence.core import regression as _regress
from metaevidence.core.tau2 import canonical_method
from metaevidence.display.summary import Summary, Table, compact_repr, fmt
from metaevidence.stats.sensitivity import user_weights

__all__ = ["Influence", "influence"]


@dataclass(frozen=True, slots=True)
class Influence:
    """Leave-one-out influence diagnostics of a fitted model, one entry per study.

    Attributes
    ----------
    rstudent : ndarray (k,)
        Externally studentized residuals.
    dffits : ndarray (k,)
        Change of the study's fitted value when it is left out, in standard deviations.
    cook_d : ndarray (k,)
        Cook's distances.
    cov_r : ndarray (k,)
        Covariance ratios (det Var(b without the study) / det Var(b)); below 1 means
        leaving the study out makes the estimates more precise.
    tau2_del, qe_del : ndarray (k,)
        tau^2 and the (residual) heterogeneity statistic with the study left out.
    hat : ndarray (k,)
        Diagonal of the hat matrix.
    weight : ndarray (k,)
        Weights in percent.
    dfbetas : ndarray (k, p)
        Change of each coefficient when the study is left out, in standard deviations.
    estimate_del : ndarray (k, p)
        Coefficients (the pooled estimate without moderators) with the study left out.
    is_influential : ndarray of bool (k,)
        Flag by metafor's criteria: |DFFITS| > 3 sqrt(p/(k-p)), chi^2_p cdf of Cook's
        distance > 0.5, hat > 3p/k, or any |DFBETAS| > 1.
    baujat_x, baujat_y : ndarray (k,)
        Baujat plot coordinates: squared Pearson residual (contribution to
        heterogeneity) and standardized squared change of the fitted value.
    labels : tuple of str (k)
        Labels of the included studies.
    rows : ndarray of int (k,)
        Positions of the included studies among the rows of the analysis.
    names : tuple of str (p)
        Coefficient names ("intrcpt" without moderators).
    k, p : int
    method, test : str
    """

    rstudent: np.ndarray
    dffits: np.ndarray
    cook_d: np.ndarray
    cov_r: np.ndarray
    tau2_del: np.ndarray
    qe_del: np.ndarray
    hat: np.ndarray
    weight: np.ndarray
    dfbetas: np.ndarray
    estimate_del: np.ndarray
    is_influential: np.ndarray
    baujat_x: np.ndarray
    baujat_y: np.ndarray
    labels: tuple[str, ...]
    rows: np.ndarray
    names: tuple[str, ...]
    k: int
    p: int
    method: str
    test: str

    def __repr__(self) -> str:
        return compact_repr(
            self,
            k=self.k,
            p=self.p,
            method=self.method,
            test=self.test,
            influential=tuple(lab for lab, f in zip(self.labels, self.is_influential) if f),
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        """Per-study table; influential studies are marked with '*'."""
        head = (
            "study",
            "rstudent",
            "dffits",
            "cook.d",
            "cov.r",
            "tau2.del",
            "QE.del",
            "hat",
            "weight",
            *(f"dfbs {n}" for n in self.names),
            "inf",
        )
        rows = []
        for i, lab in enumerate(self.labels):
            rows.append(
                (
                    lab,
                    *(
                        fmt(a[i], digits)
                        for a in (
                            self.rstudent,
                            self.dffits,
                            self.cook_d,
                            self.cov_r,
                            self.tau2_del,
                            self.qe_del,
                            self.hat,
                            self.weight,
                        )
                    ),
                    *(fmt(x, digits) for x in self.dfbetas[i]),
                    "*" if self.is_influential[i] else "",
                )
            )
        n_inf = int(self.is_influential.sum())
        title = (
            f"Influence diagnostics, leave-one-out (k = {self.k}; {self.method}, "
            f"test {self.test}): {n_inf} influential stud{'y' if n_inf == 1 else 'ies'}"
        )
        return Summary(title, (Table(head, tuple(rows)),))

    def to_frame(self):
        """One row per study with every measure (``dfbetas_<name>`` per coefficient)."""
        import pandas as pd

        cols = {
            "label": list(self.labels),
            "rstudent": self.rstudent,
            "dffits": self.dffits,
            "cook_d": self.cook_d,
            "cov_r": self.cov_r,
            "tau2_del": self.tau2_del,
            "qe_del": self.qe_del,
            "hat": self.hat,
            "weight": self.weight,
        }
        for j, n in enumerate(self.names):
            cols[f"dfbetas_{n}"] = self.dfbetas[:, j]
        cols["is_influential"] = self.is_influential
        cols["baujat_x"] = self.baujat_x
        cols["baujat_y"] = self.baujat_y
        return pd.DataFrame(cols)


def model_inputs(result, verb: str):
    """Included rows of a fit: yi, vi, X, labels, rows, names, method, test, fixed tau^2."""
    if not all(hasattr(result, a) for a in ("yi", "vi", "included", "method")):
        raise TypeError(f"{verb} needs a fitted MetaAnalysis or MetaRegression; got {type(result).__name__}")
    method = canonical_method(result.method)
    if method not in _regress.METHODS:
        raise ValueError(
            f"{verb} refits the model without each study, which needs an "
            f"inverse-variance model; allowed methods are "
            f"{', '.join(_regress.METHODS)}; got {result.method!r} (refit with "
            f"meta_analysis(..., method='EE') for a common-effect model)"
        )
    inc = np.asarray(result.included, bool)
    rows = np.flatnonzero(inc)
    X = getattr(result, "X", None)
    X = np.ones((rows.size, 1)) if X is None else np.asarray(X, float)[inc]
    names = tuple(getattr(result, "names", ("intrcpt",)))
    labels = tuple(getattr(result, "labels", ()) or ())
    labels = tuple(labels[i] for i in rows) if labels else tuple(f"Study {i + 1}" for i in rows)
    tau2 = float(result.tau2) if getattr(result, "tau2_fixed", False) else None
    return (
        np.asarray(result.yi, float)[inc],
        np.asarray(result.vi, float)[inc],
        X,
        labels,
        rows,
        names,
        method,
        str(getattr(result, "test", "z")),
        tau2,
    )


def influence(result) -> Influence:
    """Leave-one-out influence diagnostics of a fitted model.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        An inverse-variance fit (any tau^2 estimator; with or without moderators). The
        k leave-one-out refits run as one batch with the same estimator and test (a
        fixed tau^2 stays fixed). A fit with user weights (``weights=``) or
        ``weighted=False`` is refitted with the same weights (each study keeps its own).

    Returns
    -------
    Influence

    Notes
    -----
    See :func:`metaevidence.core.influence.influence_measures` for every formula and
    :func:`metaevidence.core.influence.baujat_coordinates` for the Baujat coordinates.

    References
    ----------
    Viechtbauer, W., & Cheung, M. W.-L. (2010). Outlier and influence diagnostics for
    meta-analysis. Research Synthesis Methods, 1(2), 112-125.

    Example
    -------
    >>> import metaevidence as me
    >>> fit = me.meta_regression([0.1, 0.5, 0.9, 0.2, 0.4, 1.6],
    ...                          [0.05, 0.04, 0.06, 0.05, 0.03, 0.04], method="DL")
    >>> inf = me.influence(fit)
    >>> inf.labels[int(inf.cook_d.argmax())]
    'Study 6'

    Matches metafor::influence(x) (and metafor::baujat(x) for ``baujat_x``/``baujat_y``),
    also of weighted fits (tests/reference/R/weighted_sensitivity.R).
    """
    yi, vi, X, labels, rows, names, method, test, tau2 = model_inputs(result, "influence")
    k, p = X.shape
    if k - p < 2:
        raise ValueError(
            f"influence needs at least p + 2 studies (k = {k}, p = {p}) so that "
            f"every leave-one-out model can be fitted"
        )
    weights = user_weights(result)
    if weights is None:
        arr = _core.influence_measures(yi, vi, X, method=method, test=test, tau2=tau2)
    else:  # user weights / the unweighted model: a model without moderators, test "z"
        arr = _core.influence_measures_weighted(yi, vi, weights[rows], method=method, tau2=tau2)
    return Influence(
        rstudent=arr.rstudent,
        dffits=arr.dffits,
        cook_d=arr.cook_d,
        cov_r=arr.cov_r,
        tau2_del=arr.tau2_del,
        qe_del=arr.qe_del,
        hat=arr.hat,
        weight=arr.weight,
        dfbetas=arr.dfbetas,
        estimate_del=arr.coefficients_del,
        is_influential=arr.is_influential,
        baujat_x=arr.baujat_x,
        baujat_y=arr.baujat_y,
        labels=labels,
        rows=rows,
        names=names,
        k=k,
        p=p,
        method=method,
        test=test,
    )
