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
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from metaevidence._tables import Summary, Table, fmt, fmt_p, p_text
from metaevidence.core import bias as _core
from metaevidence.errors import SmallSampleWarning

__all__ = ["AsymmetryTest", "RankTest", "TrimAndFill", "FailSafeN", "egger_test",
           "rank_test", "peters_test", "trim_and_fill", "fail_safe_n", "MIN_STUDIES"]

#: Fewest studies for which funnel-asymmetry tests are advised (Cochrane Handbook 13.3.5.4).
MIN_STUDIES = 10

_PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")


def _small_sample_note(k: int, what: str) -> str | None:
    if k >= MIN_STUDIES:
        return None
    note = (f"{what} with only {k} studies: tests for funnel plot asymmetry are not advised "
            f"with fewer than {MIN_STUDIES} studies (Cochrane Handbook 13.3.5.4); their "
            f"power is too low to tell chance from real asymmetry")
    warnings.warn(note, SmallSampleWarning, stacklevel=3)
    return note


@dataclass(frozen=True, slots=True)
class _Inputs:
    yi: np.ndarray
    vi: np.ndarray
    X: np.ndarray | None
    method: str
    test: str
    level: float
    data: Any
    rows: np.ndarray


def _inputs(result, verb: str) -> _Inputs:
    """Included rows of a MetaAnalysis / MetaRegression (duck-typed)."""
    needed = ("yi", "vi", "included", "method")
    if not all(hasattr(result, a) for a in needed):
        raise TypeError(f"{verb} needs a fitted MetaAnalysis or MetaRegression; got "
                        f"{type(result).__name__}")
    inc = np.asarray(result.included, bool)
    X = getattr(result, "X", None)
    if X is not None:
        X = np.asarray(X, float)[inc]
        if X.shape[1] == 1:
            X = None
    method = str(result.method).upper()
    if method in ("MH", "PETO"):
        method = "EE"
    effects = getattr(result, "effects", None)
    data = getattr(effects, "data", None) if effects is not None else None
    return _Inputs(np.asarray(result.yi, float)[inc], np.asarray(result.vi, float)[inc], X,
                   method, str(getattr(result, "test", "z")), float(getattr(result, "level", 0.95)),
                   data, np.flatnonzero(inc))


def _sample_sizes(inp: _Inputs, ni, verb: str) -> np.ndarray:
    if ni is not None:
        ni = np.asarray(ni, float)
        if ni.size == inp.rows.size:
            return ni
        return ni[inp.rows]
    data = inp.data or {}
    if "n1i" in data and "n2i" in data:
        return (np.asarray(data["n1i"], float) + np.asarray(data["n2i"], float))[inp.rows]
    if "ni" in data:
        return np.asarray(data["ni"], float)[inp.rows]
    if all(c in data for c in ("ai", "bi", "ci", "di")):
        total = sum(np.asarray(data[c], float) for c in ("ai", "bi", "ci", "di"))
        return total[inp.rows]
    raise ValueError(f"{verb}: this predictor needs study sample sizes, but the analysis "
                     f"carries none (no n1i/n2i, ni or 2x2 counts); pass ni=")


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

    def summary(self, digits: int = 4) -> Summary:
        stat = "t" if not math.isnan(self.df) else "z"
        df = f"({self.df:g})" if stat == "t" else ""
        model = ("weighted regression with multiplicative dispersion" if self.model == "lm"
                 else f"mixed-effects meta-regression (tau^2: {self.method}, test: {self.test})")
        owner = {"Egger": "Egger's", "Peters": "Peters'"}[self.kind]
        lines = [f"{owner} regression test for funnel plot asymmetry (k = {self.k})",
                 f"model: {model}; predictor: {self.predictor}",
                 f"test for asymmetry: {stat}{df} = {fmt(self.statistic, digits)}, "
                 f"{p_text(self.p_value, digits)}"]
        if not math.isnan(self.limit_estimate):
            lines.append(f"limit estimate (as {self.predictor} -> 0): "
                         f"{fmt(self.limit_estimate, digits)} ({self.level * 100:g}% CI "
                         f"{fmt(self.limit_ci_lower, digits)} to {fmt(self.limit_ci_upper, digits)})")
        return Summary(f"{self.kind} test", tuple(lines), notes=(self.note,) if self.note else ())

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{"test": self.kind, "predictor": self.predictor,
                              "model": self.model, "statistic": self.statistic,
                              "df": self.df, "p_value": self.p_value,
                              "limit_estimate": self.limit_estimate, "k": self.k}])


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
    inp = _inputs(result, "egger_test")
    k = inp.yi.size
    note = _small_sample_note(k, "Egger's test")
    if predictor in ("sei", "vi"):
        x = np.sqrt(inp.vi) if predictor == "sei" else inp.vi
    else:
        n = _sample_sizes(inp, ni, "egger_test")
        x = {"ni": n, "ninv": 1 / n, "sqrtni": np.sqrt(n), "sqrtninv": 1 / np.sqrt(n)}[predictor]
    if k < 3 + (0 if inp.X is None else inp.X.shape[1] - 1):
        raise ValueError(f"egger_test needs at least 3 studies (more with moderators); got {k}")
    r = _core.regression_test(inp.yi, inp.vi, x, X=inp.X, model=model, method=inp.method,
                              test=inp.test, level=inp.level)
    has_limit = predictor in ("sei", "vi", "ninv", "sqrtninv") and inp.X is None
    nan = math.nan
    return AsymmetryTest(
        statistic=r.statistic, p_value=r.p_value, df=r.df, kind="Egger", predictor=predictor,
        model=model, method=inp.method, test=inp.test if model == "rma" else "t",
        coefficients=r.coefficients, se=r.se,
        limit_estimate=r.limit_estimate if has_limit else nan,
        limit_ci_lower=r.limit_ci_lower if has_limit else nan,
        limit_ci_upper=r.limit_ci_upper if has_limit else nan,
        tau2=r.tau2, k=k, level=inp.level, note=note)


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
    inp = _inputs(result, "peters_test")
    data = inp.data or {}
    counts = {"ai": ai, "n1i": n1i, "ci": ci, "n2i": n2i}
    for name in counts:
        if counts[name] is None:
            if name not in data:
                raise ValueError(f"peters_test needs 2x2 counts (ai, n1i, ci, n2i); the "
                                 f"analysis carries no {name!r}: pass them as keywords")
            counts[name] = np.asarray(data[name], float)[inp.rows]
        else:
            counts[name] = np.asarray(counts[name], float)
            if counts[name].size != inp.rows.size:
                counts[name] = counts[name][inp.rows]
    s = counts["ai"] + counts["ci"]
    f = counts["n1i"] - counts["ai"] + counts["n2i"] - counts["ci"]
    if np.any(s <= 0) or np.any(f <= 0):
        raise ValueError("peters_test: every study needs at least one event and one "
                         "non-event over both arms (Peters' weights S*F/(S+F)); got a study "
                         "with none")
    k = inp.yi.size
    note = _small_sample_note(k, "Peters' test")
    w = _core.peters_weights(counts["ai"], counts["n1i"], counts["ci"], counts["n2i"])
    n = counts["n1i"] + counts["n2i"]
    r = _core.regression_test(inp.yi, 1 / w, 1 / n, model="lm", level=inp.level)
    return AsymmetryTest(
        statistic=r.statistic, p_value=r.p_value, df=r.df, kind="Peters", predictor="ninv",
        model="lm", method="EE", test="t", coefficients=r.coefficients, se=r.se,
        limit_estimate=r.limit_estimate, limit_ci_lower=r.limit_ci_lower,
        limit_ci_upper=r.limit_ci_upper, tau2=math.nan, k=k, level=inp.level, note=note)


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

    def summary(self, digits: int = 4) -> Summary:
        how = "exact" if self.exact else "normal approximation"
        lines = [f"Rank correlation test for funnel plot asymmetry (k = {self.k})",
                 f"Kendall's tau = {fmt(self.tau, digits)}, {p_text(self.p_value, digits)} ({how})"]
        return Summary("Begg and Mazumdar test", tuple(lines),
                       notes=(self.note,) if self.note else ())

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{"tau": self.tau, "statistic": self.statistic,
                              "p_value": self.p_value, "exact": self.exact, "k": self.k}])


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
    inp = _inputs(result, "rank_test")
    k = inp.yi.size
    if k < 3:
        raise ValueError(f"rank_test needs at least 3 studies; got {k}")
    note = _small_sample_note(k, "The rank correlation test")
    ystar = _core.begg_standardized(inp.yi, inp.vi)
    tau, p, exact = _core.kendall_test(ystar, inp.vi, exact=True)
    s = float(np.sum(np.sign(ystar[:, None] - ystar[None, :]) *
                     np.sign(inp.vi[:, None] - inp.vi[None, :])) / 2)
    return RankTest(tau=float(tau), statistic=s, p_value=float(p), exact=bool(exact), k=k,
                    note=note)


@dataclass(frozen=True, slots=True)
class FailSafeN:
    """A fail-safe N (file drawer analysis).

    Attributes
    ----------
    n : int
        Number of unpublished null studies needed (0 if the result is already
        non-significant, or already below the target).
    type : str
        "Rosenthal", "Orwin" or "Rosenberg".
    alpha : float
        Target significance level (Rosenthal: one-sided; Rosenberg: two-sided).
    p_value : float
        Observed combined p-value (Rosenthal: Stouffer's one-sided; Rosenberg: the
        equal-effects two-sided); ``nan`` for Orwin.
    mean : float
        Observed average effect (Orwin: unweighted or weighted; Rosenberg: weighted);
        ``nan`` for Rosenthal.
    target : float
        Orwin's target average effect; ``nan`` otherwise.
    weighted : bool
    k : int
    """

    n: int
    type: str
    alpha: float
    p_value: float
    mean: float
    target: float
    weighted: bool
    k: int

    def summary(self, digits: int = 4) -> Summary:
        lines = [f"Fail-safe N ({self.type} approach), k = {self.k}"]
        if self.type == "Orwin":
            lines.append(f"average effect: {fmt(self.mean, digits)} "
                         f"({'weighted' if self.weighted else 'unweighted'}); "
                         f"target: {fmt(self.target, digits)}")
        else:
            lines.append(f"observed significance level: {fmt_p(self.p_value, digits)}; "
                         f"target alpha: {self.alpha:g}")
        lines.append(f"fail-safe N: {self.n}")
        return Summary("Fail-safe N", tuple(lines))

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{"type": self.type, "n": self.n, "alpha": self.alpha,
                              "p_value": self.p_value, "mean": self.mean,
                              "target": self.target, "k": self.k}])


def fail_safe_n(yi, vi=None, *, type: str = "Rosenthal", target: float | None = None,
                alpha: float = 0.05, weighted: bool = False) -> FailSafeN:
    """Fail-safe N: how many unpublished null studies would overturn the result.

    Parameters
    ----------
    yi : array_like (k,), or a MetaAnalysis / MetaRegression / EffectSizes
        Effect sizes (or an object carrying ``yi`` and ``vi``; then ``vi`` is omitted).
    vi : array_like (k,), optional
        Sampling variances (not needed for unweighted Orwin).
    type : str
        "Rosenthal" (Stouffer's combined p), "Orwin" (average effect down to a target)
        or "Rosenberg" (weighted equal-effects p).
    target : float, optional
        Orwin's target average effect; default half the observed average.
    alpha : float
        Target significance level (Rosenthal one-sided, Rosenberg two-sided).
    weighted : bool
        Orwin with the inverse-variance weighted average.

    Returns
    -------
    FailSafeN

    Notes
    -----
    See :func:`metaevidence.core.bias.fsn_rosenthal`, :func:`~metaevidence.core.bias.fsn_orwin`
    and :func:`~metaevidence.core.bias.fsn_rosenberg` for the formulas. Fractional
    numbers of studies are rounded up.

    References
    ----------
    Rosenthal, R. (1979). Psychological Bulletin, 86(3), 638-641. Orwin, R. G. (1983).
    Journal of Educational Statistics, 8(2), 157-159. Rosenberg, M. S. (2005).
    Evolution, 59(2), 464-468.

    Example
    -------
    >>> fail_safe_n([0.5, 0.6, 0.4], [0.04, 0.05, 0.03], type="Rosenberg").n
    12

    Matches metafor::fsn(yi, vi, type = ..., alpha = ..., target = ..., weighted = ...).
    """
    if hasattr(yi, "yi") and hasattr(yi, "vi"):
        inc = np.asarray(getattr(yi, "included", np.isfinite(np.asarray(yi.yi, float))), bool)
        yi, vi = np.asarray(yi.yi, float)[inc], np.asarray(yi.vi, float)[inc]
    yi = np.asarray(yi, float)
    vi = None if vi is None else np.asarray(vi, float)
    if yi.ndim != 1 or yi.size < 1:
        raise ValueError(f"yi must be a 1-D array of effect sizes; got shape {yi.shape}")
    if vi is not None and vi.shape != yi.shape:
        raise ValueError(f"vi must match yi in shape {yi.shape}; got {vi.shape}")
    if vi is not None and np.any(vi <= 0):
        raise ValueError("sampling variances vi must be positive")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive); got {alpha!r}")
    k = yi.size
    nan = math.nan
    if type == "Rosenthal":
        _need_vi(vi, type)
        n, p = _core.fsn_rosenthal(yi, vi, alpha=alpha)
        return FailSafeN(n, type, alpha, p, nan, nan, False, k)
    if type == "Rosenberg":
        _need_vi(vi, type)
        n, p, mean = _core.fsn_rosenberg(yi, vi, alpha=alpha)
        return FailSafeN(n, type, alpha, p, mean, nan, True, k)
    if type == "Orwin":
        if weighted:
            _need_vi(vi, "weighted Orwin")
        n, mean, tgt = _core.fsn_orwin(yi, vi, target=target, weighted=weighted)
        return FailSafeN(n, type, alpha, nan, mean, tgt, weighted, k)
    raise ValueError(f"type must be 'Rosenthal', 'Orwin' or 'Rosenberg'; got {type!r}")


def _need_vi(vi, what):
    if vi is None:
        raise ValueError(f"the {what} fail-safe N needs the sampling variances vi")


@dataclass(frozen=True, slots=True)
class TrimAndFill:
    """Trim-and-fill analysis (Duval & Tweedie).

    Attributes
    ----------
    k0 : int
        Estimated number of missing studies.
    side : str
        "left" or "right": where the missing studies were imputed.
    se_k0 : float
        Standard error of k0 (``nan`` when L0's variance formula is negative).
    p_k0 : float
        R0 only: p-value of "no missing studies on this side"; ``nan`` for L0.
    estimator : str
        "L0" or "R0".
    result : MetaAnalysis
        The analysis refitted to the observed plus imputed studies (same estimator and
        test as the original).
    original : MetaAnalysis
        The analysis it started from.
    yi, vi : ndarray (k + k0,)
        Observed (included) effects followed by the imputed ones, and their variances.
    fill : ndarray of bool (k + k0,)
        True for imputed studies (drawn as open symbols in a funnel plot).
    labels : tuple of str (k + k0)
        Study labels; imputed studies are "Filled: <label of the mirrored study>".
    iterations : int
    note : str or None
        Set when k < 10.
    """

    k0: int
    side: str
    se_k0: float
    p_k0: float
    estimator: str
    result: Any
    original: Any
    yi: np.ndarray
    vi: np.ndarray
    fill: np.ndarray
    labels: tuple[str, ...]
    iterations: int
    note: str | None

    @property
    def filled_yi(self) -> np.ndarray:
        """The imputed effects (for ``funnel_plot(..., filled_yi=, filled_vi=)``)."""
        return self.yi[self.fill]

    @property
    def filled_vi(self) -> np.ndarray:
        """Sampling variances of the imputed effects."""
        return self.vi[self.fill]

    def summary(self, digits: int = 4) -> Summary:
        res = self.result
        lines = [f"Trim and fill ({self.estimator} estimator): estimated number of missing "
                 f"studies on the {self.side} side: {self.k0} (SE = {fmt(self.se_k0, digits)})"]
        if self.estimator == "R0":
            lines.append(f"test of no missing studies: {p_text(self.p_k0, digits)}")
        lines.append(f"filled analysis (k = {res.k}, {res.method}): estimate "
                     f"{fmt(res.estimate, digits)} ({res.level * 100:g}% CI "
                     f"{fmt(res.ci_lower, digits)} to {fmt(res.ci_upper, digits)}), "
                     f"{p_text(res.p_value, digits)}; tau^2 = {fmt(res.tau2, digits)}")
        lines.append(f"original analysis (k = {self.original.k}): estimate "
                     f"{fmt(self.original.estimate, digits)}")
        rows = tuple((lab, fmt(y, digits), fmt(v, digits), "filled" if f else "observed")
                     for lab, y, v, f in zip(self.labels, self.yi, self.vi, self.fill))
        return Summary("Trim and fill", tuple(lines),
                       (Table("Studies", ("study", "yi", "vi", ""), rows),),
                       notes=(self.note,) if self.note else ())

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"label": list(self.labels), "yi": self.yi, "vi": self.vi,
                             "fill": self.fill})


def trim_and_fill(result, estimator: str = "L0", side: str | None = None, *,
                  maxiter: int = 100) -> TrimAndFill:
    """Trim and fill: impute the studies a funnel plot's asymmetry suggests are missing.

    Parameters
    ----------
    result : MetaAnalysis
        An analysis without moderators (inverse-variance; its tau^2 estimator is reused).
    estimator : str
        "L0" (default) or "R0".
    side : str, optional
        "left" or "right": where studies are missing. By default the side opposite to
        the small-study excess, from the sign of Egger's regression test
        (``egger_test(result)``): a positive slope on the standard error means missing
        studies on the left.
    maxiter : int
        Iteration cap.

    Returns
    -------
    TrimAndFill

    Notes
    -----
    See :func:`metaevidence.core.bias.trim_fill`. The filled analysis uses the original
    estimator throughout ("random-random" for a random-effects analysis). Warns with
    :class:`SmallSampleWarning` below 10 studies.

    References
    ----------
    Duval, S., & Tweedie, R. (2000). Trim and fill: A simple funnel-plot-based method of
    testing and adjusting for publication bias in meta-analysis. Biometrics, 56(2),
    455-463.

    Example
    -------
    >>> import metaevidence as me
    >>> res = me.meta_analysis([0.1, 0.3, 0.5, 0.7, 0.9, 1.3, 0.4, 0.6, 0.8, 1.1],
    ...                        [0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.03, 0.05, 0.07, 0.09])
    >>> me.trim_and_fill(res).side
    'left'

    Matches metafor::trimfill(x, estimator = ..., side = ...).
    """
    if estimator not in ("L0", "R0"):
        raise ValueError(f"estimator must be 'L0' or 'R0'; got {estimator!r}")
    if side not in (None, "left", "right"):
        raise ValueError(f"side must be 'left', 'right' or None (chosen from Egger's test); "
                         f"got {side!r}")
    if getattr(result, "p", 1) != 1:
        raise ValueError("trim_and_fill needs an analysis without moderators; got a "
                         "meta-regression with moderators")
    inp = _inputs(result, "trim_and_fill")
    k = inp.yi.size
    if k < 3:
        raise ValueError(f"trim_and_fill needs at least 3 studies; got {k}")
    note = _small_sample_note(k, "Trim and fill")
    if side is None:
        slope = _core.regression_test(inp.yi, inp.vi, np.sqrt(inp.vi), model="rma",
                                      method=inp.method, test=inp.test).statistic
        side = "right" if slope < 0 else "left"
    tf = _core.trim_fill(inp.yi, inp.vi, side=side, estimator=estimator, method=inp.method,
                         maxiter=maxiter)
    yi = np.concatenate([inp.yi, tf.yi_fill])
    vi = np.concatenate([inp.vi, tf.vi_fill])
    fill = np.r_[np.zeros(k, bool), np.ones(tf.k0, bool)]
    labels_all = tuple(getattr(result, "labels", ()) or ())
    observed = tuple(labels_all[i] for i in inp.rows) if labels_all else tuple(
        f"Study {i + 1}" for i in inp.rows)
    labels = observed + tuple(f"Filled: {observed[i]}" for i in tf.source)
    from metaevidence.models import meta_analysis

    filled = meta_analysis(yi, vi, method=inp.method, test=inp.test, level=inp.level,
                           labels=labels, measure=getattr(result, "measure", "GEN"))
    return TrimAndFill(k0=tf.k0, side=side, se_k0=tf.se_k0, p_k0=tf.p_k0,
                       estimator=estimator, result=filled, original=result, yi=yi, vi=vi,
                       fill=fill, labels=labels, iterations=tf.iterations, note=note)
