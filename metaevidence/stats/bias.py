"""Small-study effects: Egger's and Peters' regression tests, Begg's rank test,
trim and fill, and fail-safe N.

Tests of funnel-plot asymmetry have little power with few studies: the Cochrane Handbook
(section 13.3.5.4) advises against them below ten studies. These functions still
compute the test, but warn (:class:`~metaevidence.errors.SmallSampleWarning`) and say so
in their ``summary()``.

>>> import metaevidence as me
>>> fsn = me.fail_safe_n([0.5, 0.6, 0.4], [0.04, 0.05, 0.03])
>>> fsn.n
18

matches metafor::regtest, ranktest, trimfill and fsn (metafor 3.8-1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from metaevidence.core import bias as _core
from metaevidence.display.summary import Summary, compact_repr, fmt, notes, p_text
from metaevidence.stats._inputs import (
    MIN_STUDIES,
    analysis_inputs,
    sample_sizes,
    small_sample_note,
)

__all__ = [
    "AsymmetryTest",
    "RankTest",
    "TrimAndFill",
    "FailSafeN",
    "egger_test",
    "rank_test",
    "peters_test",
    "trim_and_fill",
    "fail_safe_n",
    "MIN_STUDIES",
]

_PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")


@dataclass(frozen=True, slots=True)
class AsymmetryTest:
    """A regression test for funnel plot asymmetry (Egger-type or Peters').

    Attributes
    ----------
    statistic, p_value : float
        z or t statistic of the predictor's coefficient and its two-sided p-value.
    df : float
        Degrees of freedom of the t test; ``nan`` for a z test.
    kind : str
        "Egger" (metafor ``regtest``) or "Peters".
    predictor, model : str
        Predictor ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv") and model ("rma"
        mixed-effects meta-regression; "lm" weighted regression with multiplicative
        dispersion).
    method, test : str
        tau^2 estimator and test of an "rma" model (as in the analysis).
    coefficients, se : ndarray (p,)
        The fitted model (intercept first, predictor last).
    limit_estimate, limit_ci_lower, limit_ci_upper : float
        The intercept (estimate at zero predictor: infinite precision for sei, vi, ninv,
        sqrtninv) with its CI; ``nan`` for other predictors or when the analysis has
        moderators.
    tau2 : float
        Residual tau^2 of an "rma" model (``nan`` for "lm").
    k : int
    level : float
    note : str or None
        Set when k < 10.
    """

    statistic: float
    p_value: float
    df: float
    kind: str
    predictor: str
    model: str
    method: str
    test: str
    coefficients: np.ndarray
    se: np.ndarray
    limit_estimate: float
    limit_ci_lower: float
    limit_ci_upper: float
    tau2: float
    k: int
    level: float
    note: str | None

    def __repr__(self) -> str:
        return compact_repr(
            self,
            kind=self.kind,
            predictor=self.predictor,
            model=self.model,
            k=self.k,
            statistic=self.statistic,
            df=self.df,
            p_value=self.p_value,
            limit_estimate=self.limit_estimate,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        stat = "t" if not math.isnan(self.df) else "z"
        df = f"({self.df:g})" if stat == "t" else ""
        model = (
            "weighted regression with multiplicative dispersion"
            if self.model == "lm"
            else f"mixed-effects meta-regression (tau^2: {self.method}, test: {self.test})"
        )
        owner = {"Egger": "Egger's", "Peters": "Peters'"}[self.kind]
        lines = [
            f"model: {model}; predictor: {self.predictor}",
            f"test for asymmetry: {stat}{df} = {fmt(self.statistic, digits)}, {p_text(self.p_value, digits)}",
        ]
        if not math.isnan(self.limit_estimate):
            lines.append(
                f"limit estimate (as {self.predictor} -> 0): "
                f"{fmt(self.limit_estimate, digits)} ({self.level * 100:g}% CI "
                f"{fmt(self.limit_ci_lower, digits)} to {fmt(self.limit_ci_upper, digits)})"
            )
        return Summary(
            f"{owner} regression test for funnel plot asymmetry (k = {self.k})",
            ("\n".join(lines), *notes(self.note)),
        )

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "test": self.kind,
                    "predictor": self.predictor,
                    "model": self.model,
                    "statistic": self.statistic,
                    "df": self.df,
                    "p_value": self.p_value,
                    "limit_estimate": self.limit_estimate,
                    "k": self.k,
                }
            ]
        )


def egger_test(result, predictor: str = "sei", model: str = "rma", *, ni=None) -> AsymmetryTest:
    """Egger's regression test for funnel plot asymmetry (and its variants).

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        The analysis; its tau^2 estimator and test are used for ``model="rma"``, and a
        meta-regression's moderators stay in the model.
    predictor : str
        "sei" (standard error, the default), "vi", "ni" (total sample size), "ninv"
        (1/n), "sqrtni" or "sqrtninv".
    model : str
        "rma" (mixed-effects meta-regression, the default) or "lm" (weighted regression
        with a multiplicative dispersion term: the classical Egger test with
        ``predictor="sei"``).
    ni : array_like, optional
        Sample sizes, when the analysis does not carry them.

    Returns
    -------
    AsymmetryTest

    Notes
    -----
    Tests :math:`\\beta_1 = 0` in :math:`y_i = \\beta_0 + \\beta_1 x_i (+ u_i) +
    \\epsilon_i` with weights :math:`1/(v_i + \\hat\\tau^2)` ("rma") or :math:`1/v_i`
    ("lm"). Warns with :class:`SmallSampleWarning` below 10 studies.

    References
    ----------
    Egger, M., Davey Smith, G., Schneider, M., & Minder, C. (1997). Bias in meta-analysis
    detected by a simple, graphical test. BMJ, 315(7109), 629-634.

    Example
    -------
    >>> import metaevidence as me
    >>> d = me.datasets.load_bcg()
    >>> es = me.effect_sizes("RR", ai=d["tpos"], bi=d["tneg"], ci=d["cpos"], di=d["cneg"])
    >>> round(me.egger_test(me.meta_analysis(es)).statistic, 4)
    -0.8033

    Matches metafor::regtest(x, model = ..., predictor = ...).
    """
    if predictor not in _PREDICTORS:
        raise ValueError(f"predictor must be one of {', '.join(_PREDICTORS)}; got {predictor!r}")
    if model not in ("rma", "lm"):
        raise ValueError(f"model must be 'rma' or 'lm'; got {model!r}")
    inp = analysis_inputs(result, "egger_test")
    k = inp.yi.size
    note = small_sample_note(k, "Egger's test")
    if predictor in ("sei", "vi"):
        x = np.sqrt(inp.vi) if predictor == "sei" else inp.vi
    else:
        n = sample_sizes(inp, ni, "egger_test")
        x = {"ni": n, "ninv": 1 / n, "sqrtni": np.sqrt(n), "sqrtninv": 1 / np.sqrt(n)}[predictor]
    if k < 3 + (0 if inp.X is None else inp.X.shape[1] - 1):
        raise ValueError(f"egger_test needs at least 3 studies (more with moderators); got {k}")
    r = _core.regression_test(
        inp.yi, inp.vi, x, X=inp.X, model=model, method=inp.method, test=inp.test, level=inp.level
    )
    has_limit = predictor in ("sei", "vi", "ninv", "sqrtninv") and inp.X is None
    nan = math.nan
    return AsymmetryTest(
        statistic=r.statistic,
        p_value=r.p_value,
        df=r.df,
        kind="Egger",
        predictor=predictor,
        model=model,
        method=inp.method,
        test=inp.test if model == "rma" else "t",
        coefficients=r.coefficients,
        se=r.se,
        limit_estimate=r.limit_estimate if has_limit else nan,
        limit_ci_lower=r.limit_ci_lower if has_limit else nan,
        limit_ci_upper=r.limit_ci_upper if has_limit else nan,
        tau2=r.tau2,
        k=k,
        level=inp.level,
        note=note,
    )


def binary_counts(inp, verb: str, **given) -> dict[str, np.ndarray]:
    """The 2x2 counts (ai, n1i, ci, n2i) of the analysed studies: as given, else the analysis's."""
    data = inp.data or {}
    counts = {}
    for name, value in given.items():
        if value is None:
            if name not in data:
                raise ValueError(
                    f"{verb} needs 2x2 counts (ai, n1i, ci, n2i); the "
                    f"analysis carries no {name!r}: pass them as keywords"
                )
            counts[name] = np.asarray(data[name], float)[inp.rows]
        else:
            counts[name] = np.asarray(value, float)
            if counts[name].size != inp.rows.size:
                counts[name] = counts[name][inp.rows]
    return counts


def peters_test(result, *, ai=None, n1i=None, ci=None, n2i=None) -> AsymmetryTest:
    """Peters' regression test for funnel plot asymmetry (binary outcomes).

    Parameters
    ----------
    result : MetaAnalysis
        An analysis of log odds ratios (or another binary measure) from 2x2 counts.
    ai, n1i, ci, n2i : array_like, optional
        Events and group sizes, when the analysis does not carry its counts.

    Returns
    -------
    AsymmetryTest
        ``statistic`` is the t statistic of the 1/n coefficient on k - 2 df.

    Notes
    -----
    Weighted least squares of :math:`y_i` on :math:`1/n_i` (total sample size) with
    weights :math:`S_iF_i/(S_i + F_i)` (events and non-events over both arms) and a
    multiplicative dispersion term. Warns with :class:`SmallSampleWarning` below 10
    studies.

    References
    ----------
    Peters, J. L., Sutton, A. J., Jones, D. R., Abrams, K. R., & Rushton, L. (2006).
    Comparison of two methods to detect publication bias in meta-analysis. JAMA,
    295(6), 676-680.

    Example
    -------
    >>> import metaevidence as me
    >>> d = me.datasets.load_egger2001()
    >>> es = me.effect_sizes("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])
    >>> round(me.peters_test(me.meta_analysis(es)).statistic, 4)
    -3.9707

    Matches R ``lm(yi ~ I(1/ni), weights = 1/(1/(ai+ci) + 1/(bi+di)))``, as R meta's
    ``metabias(method.bias = "Peters")``.
    """
    inp = analysis_inputs(result, "peters_test")
    counts = binary_counts(inp, "peters_test", ai=ai, n1i=n1i, ci=ci, n2i=n2i)
    s = counts["ai"] + counts["ci"]
    f = counts["n1i"] - counts["ai"] + counts["n2i"] - counts["ci"]
    if np.any(s <= 0) or np.any(f <= 0):
        raise ValueError(
            "peters_test: every study needs at least one event and one "
            "non-event over both arms (Peters' weights S*F/(S+F)); got a study "
            "with none"
        )
    k = inp.yi.size
    note = small_sample_note(k, "Peters' test")
    w = _core.peters_weights(counts["ai"], counts["n1i"], counts["ci"], counts["n2i"])
    n = counts["n1i"] + counts["n2i"]
    r = _core.regression_test(inp.yi, 1 / w, 1 / n, model="lm", level=inp.level)
    return AsymmetryTest(
        statistic=r.statistic,
        p_value=r.p_value,
        df=r.df,
        kind="Peters",
        predictor="ninv",
        model="lm",
        method="EE",
        test="t",
        coefficients=r.coefficients,
        se=r.se,
        limit_estimate=r.limit_estimate,
        limit_ci_lower=r.limit_ci_lower,
        limit_ci_upper=r.limit_ci_upper,
        tau2=math.nan,
        k=k,
        level=inp.level,
        note=note,
    )


@dataclass(frozen=True, slots=True)
class RankTest:
    """Begg and Mazumdar's rank correlation test.

    Attributes
    ----------
    tau : float
        Kendall's tau (tau-b) between standardized effects and sampling variances.
    statistic : float
        Kendall's score S (concordant minus discordant pairs).
    p_value : float
        Two-sided p-value: exact when there are no ties, else the normal approximation
        with tie-corrected variance.
    exact : bool
    k : int
    note : str or None
        Set when k < 10.
    """

    tau: float
    statistic: float
    p_value: float
    exact: bool
    k: int
    note: str | None

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, digits: int = 4) -> Summary:
        how = "exact" if self.exact else "normal approximation"
        lines = [f"Kendall's tau = {fmt(self.tau, digits)}, {p_text(self.p_value, digits)} ({how})"]
        return Summary(
            f"Rank correlation test for funnel plot asymmetry (Begg and Mazumdar; k = {self.k})",
            ("\n".join(lines), *notes(self.note)),
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "tau": self.tau,
                    "statistic": self.statistic,
                    "p_value": self.p_value,
                    "exact": self.exact,
                    "k": self.k,
                }
            ]
        )


def rank_test(result) -> RankTest:
    """Begg and Mazumdar's rank correlation test for funnel plot asymmetry.

    Parameters
    ----------
    result : MetaAnalysis or MetaRegression
        Only its effects and variances are used (the test does not depend on the model).

    Returns
    -------
    RankTest

    Notes
    -----
    Kendall's tau between :math:`(y_i - \\hat\\theta_{EE})/\\sqrt{v_i - 1/\\sum w_j}` and
    :math:`v_i`; the p-value is exact without ties (any k), otherwise from the normal
    approximation. Warns with :class:`SmallSampleWarning` below 10 studies.

    References
    ----------
    Begg, C. B., & Mazumdar, M. (1994). Operating characteristics of a rank correlation
    test for publication bias. Biometrics, 50(4), 1088-1101.

    Example
    -------
    >>> import metaevidence as me
    >>> d = me.datasets.load_bcg()
    >>> es = me.effect_sizes("RR", ai=d["tpos"], bi=d["tneg"], ci=d["cpos"], di=d["cneg"])
    >>> round(me.rank_test(me.meta_analysis(es)).tau, 4)
    0.0256

    Matches metafor::ranktest(x).
    """
    inp = analysis_inputs(result, "rank_test")
    k = inp.yi.size
    if k < 3:
        raise ValueError(f"rank_test needs at least 3 studies; got {k}")
    note = small_sample_note(k, "The rank correlation test")
    ystar = _core.begg_standardized(inp.yi, inp.vi)
    tau, p, exact = _core.kendall_test(ystar, inp.vi, exact=True)
    s = float(
        np.sum(np.sign(ystar[:, None] - ystar[None, :]) * np.sign(inp.vi[:, None] - inp.vi[None, :])) / 2
    )
    return RankTest(tau=float(tau), statistic=s, p_value=float(p), exact=bool(exact), k=k, note=note)


# Trim and fill and the fail-safe N live in their own modules; re-exported here, where the
# package registers them.
from metaevidence.stats.failsafe import FailSafeN, fail_safe_n  # noqa: E402
from metaevidence.stats.trimfill import TrimAndFill, trim_and_fill  # noqa: E402
