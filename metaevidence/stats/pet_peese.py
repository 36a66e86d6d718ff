"""PET-PEESE: the precision-effect test and the precision-effect estimate with standard error
(Stanley & Doucouliagos 2014), with their conditional combination.

PET regresses the effect sizes on their standard errors, PEESE on their sampling variances;
the intercept of each is the effect extrapolated to a study of infinite precision. The
conditional rule reports PEESE's intercept when PET's test of a zero intercept rejects (there
is an effect), else PET's.

References
----------
Stanley, T. D., & Doucouliagos, H. (2014). Meta-regression approximations to reduce
publication selection bias. Research Synthesis Methods, 5(1), 60-78.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from metaevidence.core import regression as _regress
from metaevidence.display.summary import Summary, compact_repr, fmt, notes, p_text
from metaevidence.stats._inputs import analysis_inputs, small_sample_note

__all__ = ["PetPeese", "pet_peese"]

_ALTERNATIVES = ("two.sided", "greater", "less")


@dataclass(frozen=True, slots=True)
class PetPeese:
    """Result of :func:`pet_peese`.

    Attributes
    ----------
    pet_estimate, pet_se, pet_statistic, pet_p_value, pet_ci_lower, pet_ci_upper : float
        PET's intercept (regression on sqrt(vi)), its SE, z or t statistic, the p-value of
        the test the rule uses (sidedness ``alternative``) and its two-sided CI.
    peese_estimate, peese_se, peese_statistic, peese_p_value, peese_ci_lower, peese_ci_upper : float
        The same for PEESE (regression on vi).
    chosen : str
        "PEESE" when PET rejects a zero intercept at ``alpha``, else "PET".
    estimate, ci_lower, ci_upper : float
        The chosen intercept and its CI.
    model, method, test : str
        "lm" (weighted least squares with multiplicative dispersion, weights 1/vi: the WLS of
        Stanley & Doucouliagos) or "rma" (meta-regression with the analysis's tau^2
        estimator ``method`` and ``test``).
    df : float
        t-test degrees of freedom (k - 2); nan for z tests.
    alpha, alternative, level, k, note
    """

    pet_estimate: float
    pet_se: float
    pet_statistic: float
    pet_p_value: float
    pet_ci_lower: float
    pet_ci_upper: float
    peese_estimate: float
    peese_se: float
    peese_statistic: float
    peese_p_value: float
    peese_ci_lower: float
    peese_ci_upper: float
    chosen: str
    estimate: float
    ci_lower: float
    ci_upper: float
    model: str
    method: str
    test: str
    df: float
    alpha: float
    alternative: str
    level: float
    k: int
    note: str | None

    def __repr__(self) -> str:
        return compact_repr(self, chosen=self.chosen, estimate=self.estimate, k=self.k)

    def __str__(self) -> str:
        return str(self.summary())

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def summary(self, digits: int = 4) -> Summary:
        stat = "z" if math.isnan(self.df) else f"t({self.df:g})"
        side = "" if self.alternative == "two.sided" else f", one-sided ({self.alternative})"
        lines = []
        for name in ("PET", "PEESE"):
            p = name.lower()
            lines.append(
                f"{name}: intercept {fmt(getattr(self, p + '_estimate'), digits)} "
                f"({self.level * 100:g}% CI {fmt(getattr(self, p + '_ci_lower'), digits)} to "
                f"{fmt(getattr(self, p + '_ci_upper'), digits)}), {stat} = "
                f"{fmt(getattr(self, p + '_statistic'), digits)}, {p_text(getattr(self, p + '_p_value'), digits)}{side}"
            )
        lines.append(
            f"conditional PET-PEESE (PET test at alpha = {self.alpha:g}): {self.chosen}, "
            f"{fmt(self.estimate, digits)} ({fmt(self.ci_lower, digits)} to {fmt(self.ci_upper, digits)})"
        )
        model = (
            "weighted least squares with multiplicative dispersion"
            if self.model == "lm"
            else f"meta-regression (tau^2: {self.method}, test: {self.test})"
        )
        return Summary(f"PET-PEESE (k = {self.k}; {model})", ("\n".join(lines), *notes(self.note)))


def _intercept(yi, vi, x, model, method, test, level, alternative):
    X = np.column_stack([np.ones_like(yi), x])
    if model == "lm":
        fit = _regress.fit_regression(yi, vi, X, method="EE", test="knha", level=level)
    else:
        fit = _regress.fit_regression(yi, vi, X, method=method, test=test, level=level)
    est, se, stat = float(fit.coefficients[0]), float(fit.se[0]), float(fit.statistic[0])
    df = float(fit.df)
    if alternative == "two.sided":
        p = float(fit.p_value[0])
    else:
        s = stat if alternative == "greater" else -stat
        p = float(special.ndtr(-s)) if math.isnan(df) else float(stats.t.sf(s, df))
    return est, se, stat, p, float(fit.ci_lower[0]), float(fit.ci_upper[0]), df


def pet_peese(result, model: str = "lm", *, alpha: float = 0.05, alternative: str = "two.sided") -> PetPeese:
    """PET and PEESE meta-regressions and the conditional PET-PEESE estimate.

    Parameters
    ----------
    result : MetaAnalysis
        The analysis (without moderators); its tau^2 estimator, test and level are used for
        ``model="rma"`` (the level for both models).
    model : {"lm", "rma"}
        "lm": weighted least squares with weights 1/vi and a multiplicative dispersion term
        (t tests on k - 2 df), the WLS meta-regression of Stanley & Doucouliagos (2014).
        "rma": mixed-effects meta-regression (``rma(yi, vi, mods = ~ sqrt(vi))``).
    alpha : float
        Level of PET's test of a zero intercept that decides between PET and PEESE.
    alternative : {"two.sided", "greater", "less"}
        Sidedness of that test (Stanley & Doucouliagos test in the direction of the expected
        effect; "greater" tests intercept > 0).

    Returns
    -------
    PetPeese

    Notes
    -----
    The intercepts, SEs, tests and CIs match metafor's ``rma(yi, vi, mods = ~ sqrt(vi))`` and
    ``rma(yi, vi, mods = ~ vi)`` (metafor 3.8-1) for ``model="rma"`` and R's
    ``lm(yi ~ sqrt(vi), weights = 1/vi)`` for ``model="lm"``. Warns below 10 studies.
    """
    if model not in ("lm", "rma"):
        raise ValueError(f"pet_peese: model must be 'lm' or 'rma'; got {model!r}")
    if alternative not in _ALTERNATIVES:
        raise ValueError(
            f"pet_peese: alternative must be one of {', '.join(_ALTERNATIVES)}; got {alternative!r}"
        )
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"pet_peese: alpha must be in (0, 1); got {alpha!r}")
    inp = analysis_inputs(result, "pet_peese")
    if inp.X is not None:
        raise ValueError("pet_peese: the analysis has moderators; PET-PEESE needs a model without them")
    k = inp.yi.size
    if k < 3:
        raise ValueError(f"pet_peese needs at least 3 studies; got {k}")
    note = small_sample_note(k, "PET-PEESE")
    args = (model, inp.method, inp.test, inp.level, alternative)
    pet = _intercept(inp.yi, inp.vi, np.sqrt(inp.vi), *args)
    peese = _intercept(inp.yi, inp.vi, inp.vi, *args)
    chosen = "PEESE" if pet[3] < alpha else "PET"
    pick = peese if chosen == "PEESE" else pet
    pet_fields = dict(
        zip(("estimate", "se", "statistic", "p_value", "ci_lower", "ci_upper"), pet[:6], strict=True)
    )
    peese_fields = dict(zip(pet_fields, peese[:6], strict=True))
    return PetPeese(
        **{f"pet_{name}": value for name, value in pet_fields.items()},
        **{f"peese_{name}": value for name, value in peese_fields.items()},
        chosen=chosen,
        estimate=pick[0],
        ci_lower=pick[4],
        ci_upper=pick[5],
        model=model,
        method=inp.method if model == "rma" else "EE",
        test=inp.test if model == "rma" else "t",
        df=pet[6],
        alpha=float(alpha),
        alternative=alternative,
        level=inp.level,
        k=k,
        note=note,
    )
