"""Harbord's modified regression test for small-study effects in binary outcomes.

Egger's test regresses a study's standardised log odds ratio on its precision; for odds
ratios that regression is biased towards asymmetry, because the log OR and its variance are
correlated. Harbord, Egger and Sterne (2006) replace both by the efficient score
:math:`Z_i = a_i - (a_i + c_i)\\,n_{1i}/N_i` of the log OR at zero and its (hypergeometric)
variance :math:`V_i = (a_i + c_i)(b_i + d_i)\\,n_{1i} n_{2i} / (N_i^2 (N_i - 1))`, and regress
:math:`Z_i/\\sqrt{V_i}` on :math:`\\sqrt{V_i}` by ordinary least squares: the intercept
measures the asymmetry. :math:`Z_i/V_i` and :math:`1/V_i` are Peto's log odds ratio and its
variance, so the test is Egger's classical (``lm``) test on the Peto effects.
"""

from __future__ import annotations

import math

import numpy as np

from metaevidence.core import bias as _core
from metaevidence.stats._inputs import analysis_inputs, small_sample_note
from metaevidence.stats.bias import AsymmetryTest, binary_counts

__all__ = ["harbord_test"]


def harbord_test(result, *, ai=None, n1i=None, ci=None, n2i=None) -> AsymmetryTest:
    """Harbord's modified test for funnel plot asymmetry of odds ratios.

    Parameters
    ----------
    result : MetaAnalysis
        An analysis of a binary outcome from 2x2 counts (any measure: the test uses the
        counts, not the analysis's effects).
    ai, n1i, ci, n2i : array_like, optional
        Events and group sizes, when the analysis does not carry its counts.

    Returns
    -------
    AsymmetryTest
        ``statistic`` is the t statistic of the intercept of :math:`Z/\\sqrt{V}` on
        :math:`\\sqrt{V}` (k - 2 df); ``coefficients`` are (slope, intercept) in the form
        of the equivalent weighted regression of the Peto log OR on its standard error.

    Notes
    -----
    Studies need at least one event and one non-event over both arms (otherwise V = 0 and
    they carry no information); no continuity correction is needed or used. Warns with
    :class:`SmallSampleWarning` below 10 studies, as Egger's and Peters' tests.

    References
    ----------
    Harbord, R. M., Egger, M., & Sterne, J. A. C. (2006). A modified test for small-study
    effects in meta-analyses of controlled trials with binary endpoints. Statistics in
    Medicine, 25(20), 3443-3457.

    Example
    -------
    >>> import metaevidence as me
    >>> d = me.datasets.load_egger2001()
    >>> es = me.effect_sizes("OR", ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])
    >>> round(me.harbord_test(me.meta_analysis(es)).statistic, 4)
    -5.6949

    Matches metafor's ``regtest(escalc("PETO", ai, n1i, ci, n2i, add = 0), model = "lm")``
    and R's ``lm(Z/sqrt(V) ~ sqrt(V))`` on Harbord's variables (tests/reference/R/harbord.R).
    """
    inp = analysis_inputs(result, "harbord_test")
    c = binary_counts(inp, "harbord_test", ai=ai, n1i=n1i, ci=ci, n2i=n2i)
    n = c["n1i"] + c["n2i"]
    events = c["ai"] + c["ci"]
    variance = events * (n - events) * c["n1i"] * c["n2i"] / (n**2 * (n - 1))
    if np.any(~(variance > 0)):
        raise ValueError(
            "harbord_test: every study needs at least one event and one non-event over both "
            "arms (the score's variance V is 0 otherwise); got a study with none: leave it out"
        )
    score = c["ai"] - events * c["n1i"] / n
    k = score.size
    note = small_sample_note(k, "Harbord's test")
    peto, peto_v = score / variance, 1 / variance
    r = _core.regression_test(peto, peto_v, np.sqrt(peto_v), model="lm", level=inp.level)
    return AsymmetryTest(
        statistic=r.statistic,
        p_value=r.p_value,
        df=r.df,
        kind="Harbord",
        predictor="sei",
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
