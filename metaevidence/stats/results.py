"""Frozen result types of the pooling engine.

The field names are the public contract that plots, workflow and diagnostics build on.
Each field of :class:`MetaAnalysis` is declared once, with its role (``per``: one number
per analysis, one value per study, or a setting; ``group``: pooled inference,
heterogeneity, ...): the rows of a :class:`MetaAnalysisBatch`, ``to_frame()``,
``to_dict()``, the batch built from the engine's arrays and the numbers of the results
documents are all derived from those declarations (:func:`fields_of`).

Conventions: every number is on the analysis scale (log scale for ratio measures);
back-transformations (``transform="exp"``, ``"tanh"``, ``"expit"`` or ``"auto"``, see
:mod:`metaevidence.display.transforms`) are applied only at presentation. Percentages are 0-100.
``summary()`` returns a :class:`~metaevidence.display.summary.Summary` (``str()`` for text,
``_repr_html_()`` in notebooks); ``to_frame()`` returns raw floats in a pandas DataFrame
(pandas is imported only there). Display never changes a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

import numpy as np

from metaevidence.core.effects.measures import LOG_MEASURES
from metaevidence.core.options import COMMON_EFFECT_METHODS, IV_COMMON_METHODS
from metaevidence.display.summary import METHOD_NAMES, TEST_NAMES, Summary, Table, compact_repr, fmt, fmt_p
from metaevidence.display.transforms import presentation

if TYPE_CHECKING:  # pragma: no cover
    from metaevidence.stats.effects import EffectSizes
    from metaevidence.stats.glmm import GlmmDetails

__all__ = ["MetaAnalysis", "MetaAnalysisBatch", "fields_of"]

_NAN = float("nan")


def _number(group: str, kind: type = float) -> dict[str, object]:
    """Field metadata: one number per analysis (a scalar of ``kind`` in :class:`MetaAnalysis`,
    an array over the batch shape in :class:`MetaAnalysisBatch`).
    """
    return {"per": "analysis", "group": group, "type": kind}


#: Field metadata: one value per study row (shape ``(n,)``; ``B + (n,)`` in a batch).
_PER_STUDY = {"per": "study", "group": "studies"}


def fields_of(
    cls: type | None = None, *, per: str | None = None, group: str | None = None
) -> tuple[str, ...]:
    """Names of the fields of ``cls`` (default :class:`MetaAnalysis`) with the role asked for.

    ``per`` is ``"analysis"`` (one number per analysis), ``"study"`` (one value per study
    row) or ``"setting"`` (everything else); ``group`` is ``"pooled"``, ``"heterogeneity"``,
    ``"studies"``, ``"convergence"`` or ``"binary"`` (the Mantel-Haenszel tests).
    """
    cls = MetaAnalysis if cls is None else cls
    return tuple(
        f.name
        for f in fields(cls)
        if (per is None or f.metadata.get("per", "setting") == per)
        and (group is None or f.metadata.get("group") == group)
    )


def _model_title(method: str, k, *, noun: str = "model") -> str:
    if method in IV_COMMON_METHODS:
        kind = "Equal-effects" if method == "EE" else "Fixed-effects"
        return f"{kind} {noun} (k = {k})"
    if method == "MH":
        return f"Equal-effects {noun}, Mantel-Haenszel method (k = {k})"
    if method == "PETO":
        return f"Equal-effects {noun}, Peto's method (k = {k})"
    return f"Random-effects {noun} (k = {k}; tau^2 estimator: {method})"


def _scale_note(measure: str) -> str:
    return f"measure: {measure}" + (", log scale" if measure in LOG_MEASURES else "")


@dataclass(frozen=True, slots=True)
class MetaAnalysis:
    """One fitted meta-analysis (inverse-variance, Mantel-Haenszel or Peto).

    Pooled inference
    ----------------
    estimate, se, statistic, p_value, ci_lower, ci_upper : float
        Pooled estimate on the analysis scale, its standard error, the z or t statistic,
        two-sided p-value and confidence interval at ``level``.
    df : float
        Degrees of freedom of the t reference distribution (k - 1 under ``knha``/
        ``adhoc``); ``nan`` under ``test="z"``.
    pi_lower, pi_upper : float
        Prediction interval (metafor ``predict()``; ``pi_method`` says which); ``nan``
        for common-effect models, which have none.
    Heterogeneity
    -------------
    tau2, tau2_se, tau, i2, h2 : float
        Between-study variance, its SE (``nan`` where metafor gives none), tau,
        I^2 in percent and H^2, as metafor defines them for the estimator.
    q, q_df, q_p_value : float, int, float
        Cochran's Q (for MH/Peto: their own heterogeneity statistic), df and p-value.
    Studies
    -------
    k : int
        Number of studies in the fit (rows with missing/dropped data excluded).
    yi, vi : ndarray (n,)
        Effect sizes and sampling variances of all n rows given (NaN where dropped).
    weights : ndarray (n,)
        Weights in percent (sum 100 over included rows; NaN for excluded rows).
    included : ndarray of bool (n,)
        Rows that entered the fit.
    labels : tuple of str (n,)
        Study labels.
    Settings
    --------
    measure : str        metafor measure name ("OR", "SMD", "GEN" for generic ...)
    method : str         "REML", "DL", ..., "EE"/"FE", "MH", "PETO"
    test : str           "z", "knha" or "adhoc"
    level : float        confidence level, e.g. 0.95
    pi_method : str      "metafor" (predict.rma) or "hts" (Higgins-Thompson-Spiegelhalter t(k-2))
    converged : bool     False only when an iterative estimator stopped short
    iterations : int     iterations used by the tau^2 estimator (0 for closed forms)
    effects : EffectSizes or None
        The effect sizes the fit was computed from (carries per-arm data for plots).
    Engine details
    --------------
    vt : float
        metafor's typical within-study variance (I^2 = 100 tau^2 / (tau^2 + vt)).
    tau2_fixed : bool
        True when tau^2 was given, not estimated.
    cmh, cmh_p_value : float
        Mantel-Haenszel fits (OR): Cochran-Mantel-Haenszel test of no association.
    tarone, tarone_p_value : float
        Mantel-Haenszel fits (OR): Tarone's test for heterogeneity.
    breslow_day, breslow_day_p_value : float
        Mantel-Haenszel fits (OR): the Breslow-Day test (Tarone's without the correction).
    cochran, cochran_p_value : float
        Mantel-Haenszel fits (OR): Cochran's test (binomial variance; metafor ``CO``).
    correct : bool or None
        Mantel-Haenszel fits: whether the CMH test used the continuity correction.
    pooling_cells : tuple (add, to, drop00) or None
        Mantel-Haenszel/Peto fits: zero-cell handling applied to the counts before
        pooling ((0.0, "none", False): the counts as given, metafor's default).
    weighting : str
        Weights of the pooled estimate: "inverse-variance" (default), "user" (metafor's
        ``weights=``, given in ``user_weights``) or "unweighted" (``weighted=FALSE``).
    user_weights : ndarray (n,) or None
        The user's weights (``weighting="user"``).
    glmm : GlmmDetails or None
        GLMM fits (:func:`~metaevidence.glmm_meta_analysis`): model, sigma^2, the Wald and
        likelihood-ratio heterogeneity tests, log-likelihood.
    """

    estimate: float = field(metadata=_number("pooled"))
    se: float = field(metadata=_number("pooled"))
    statistic: float = field(metadata=_number("pooled"))
    p_value: float = field(metadata=_number("pooled"))
    ci_lower: float = field(metadata=_number("pooled"))
    ci_upper: float = field(metadata=_number("pooled"))
    df: float = field(metadata=_number("pooled"))
    pi_lower: float = field(metadata=_number("pooled"))
    pi_upper: float = field(metadata=_number("pooled"))
    tau2: float = field(metadata=_number("heterogeneity"))
    tau2_se: float = field(metadata=_number("heterogeneity"))
    tau: float = field(metadata=_number("heterogeneity"))
    i2: float = field(metadata=_number("heterogeneity"))
    h2: float = field(metadata=_number("heterogeneity"))
    q: float = field(metadata=_number("heterogeneity"))
    q_df: int = field(metadata=_number("heterogeneity", int))
    q_p_value: float = field(metadata=_number("heterogeneity"))
    k: int = field(metadata=_number("studies", int))
    yi: np.ndarray = field(metadata=_PER_STUDY)
    vi: np.ndarray = field(metadata=_PER_STUDY)
    weights: np.ndarray = field(metadata=_PER_STUDY)
    included: np.ndarray = field(metadata=_PER_STUDY)
    labels: tuple[str, ...]
    measure: str
    method: str
    test: str
    level: float
    pi_method: str
    converged: bool = field(metadata=_number("convergence", bool))
    iterations: int = field(metadata=_number("convergence", int))
    effects: EffectSizes | None = None
    vt: float = field(default=_NAN, metadata=_number("heterogeneity"))
    tau2_fixed: bool = False
    cmh: float = field(default=_NAN, metadata=_number("binary"))
    cmh_p_value: float = field(default=_NAN, metadata=_number("binary"))
    tarone: float = field(default=_NAN, metadata=_number("binary"))
    tarone_p_value: float = field(default=_NAN, metadata=_number("binary"))
    breslow_day: float = _NAN  # MH OR fits; not in the batch types nor the results JSON
    breslow_day_p_value: float = _NAN  # MH OR fits; not in the batch types nor the results JSON
    cochran: float = _NAN  # MH OR fits; not in the batch types nor the results JSON
    cochran_p_value: float = _NAN  # MH OR fits; not in the batch types nor the results JSON
    correct: bool | None = None
    pooling_cells: tuple | None = None
    weighting: str = "inverse-variance"
    user_weights: np.ndarray | None = None
    glmm: GlmmDetails | None = None  # GLMM fits; not in the batch types nor the JSON

    @property
    def random_effects(self) -> bool:
        """True for random-effects fits (tau^2 estimated or fixed)."""
        return self.method not in COMMON_EFFECT_METHODS

    def __repr__(self) -> str:
        return compact_repr(
            self,
            k=self.k,
            measure=self.measure,
            method=self.method,
            test=self.test,
            estimate=self.estimate,
            ci_lower=self.ci_lower,
            ci_upper=self.ci_upper,
            p_value=self.p_value,
            tau2=self.tau2,
            i2=self.i2,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, transform: str | None = None, digits: int = 4) -> Summary:
        """A readable report in the layout of metafor's ``print.rma``.

        Parameters
        ----------
        transform : {None, "exp", "tanh", "expit", "auto"}, default None
            Also show the estimate and intervals back-transformed, as metafor's
            ``predict(res, transf=...)``: "exp" (odds ratios, risk ratios, ...), "tanh"
            (correlations from Fisher's z, ``transf.ztor``), "expit" (proportions from
            logits, ``transf.ilogit``), "auto" the measure's own (exp for ratios, tanh for
            ZCOR, expit for PLO, none for MD, SMD, ...). The model results stay on the
            analysis scale, as metafor prints them.
        digits : int
            Decimal places.
        """
        shown = presentation(transform, self.measure)
        d = digits
        blocks: list = []
        if self.k < len(self.yi):
            dropped = [lab for lab, inc in zip(self.labels, self.included) if not inc]
            blocks.append(f"{self.k} of {len(self.yi)} rows included; not used: " + ", ".join(dropped))
        het = []
        if self.random_effects:
            se = f" (SE = {fmt(self.tau2_se, d)})" if not math.isnan(self.tau2_se) else ""
            fixed = " (fixed)" if self.tau2_fixed else ""
            het.append(f"tau^2 (estimated amount of total heterogeneity): {fmt(self.tau2, d)}{se}{fixed}")
            het.append(f"tau (square root of estimated tau^2 value):      {fmt(self.tau, d)}")
            het.append(f"I^2 (total heterogeneity / total variability):   {fmt(self.i2, 2)}%")
            het.append(f"H^2 (total variability / sampling variability):  {fmt(self.h2, 2)}")
        else:
            het.append(f"I^2 (total heterogeneity / total variability):   {fmt(self.i2, 2)}%")
            het.append(f"H^2 (total variability / sampling variability):  {fmt(self.h2, 2)}")
        blocks.append("\n".join(het))
        tests = [
            "Test for heterogeneity:",
            f"Q(df = {self.q_df}) = {fmt(self.q, d)}, p-val {_pv(self.q_p_value, d)}",
        ]
        if self.glmm is not None:  # rma.glmm's two tests; the model named, as print.rma.glmm does
            g = self.glmm
            tests = [
                f"GLMM: model {g.model}, {'Laplace approximation' if g.nagq == 1 else f'nAGQ = {g.nagq}'}"
                + ("" if math.isnan(g.sigma2) else f"; sigma^2 (study effects) = {fmt(g.sigma2, d)}"),
                "",
                "Tests for heterogeneity:",
                f"Wld(df = {g.df}) = {fmt(g.wald, d)}, p-val {_pv(g.wald_p_value, d)}",
                f"LRT(df = {g.df}) = {fmt(g.lrt, d)}, p-val {_pv(g.lrt_p_value, d)}",
            ]
        if not math.isnan(self.cmh):
            corr = "with" if self.correct else "without"
            tests.append("")
            tests.append(
                f"Cochran-Mantel-Haenszel test ({corr} continuity correction): "
                f"CMH = {fmt(self.cmh, d)}, df = 1, p-val {_pv(self.cmh_p_value, d)}"
            )
        if not math.isnan(self.tarone):
            tests.append(
                f"Tarone's test for heterogeneity: X^2 = {fmt(self.tarone, d)}, "
                f"df = {self.k - 1}, p-val {_pv(self.tarone_p_value, d)}"
            )
        blocks.append("\n".join(tests))
        stat = "zval" if math.isnan(self.df) else "tval"
        header = (
            ("estimate", "se", stat) + (() if math.isnan(self.df) else ("df",)) + ("pval", "ci.lb", "ci.ub")
        )
        row = (
            (fmt(self.estimate, d), fmt(self.se, d), fmt(self.statistic, d))
            + (() if math.isnan(self.df) else (f"{self.df:g}",))
            + (fmt_p(self.p_value, d), fmt(self.ci_lower, d), fmt(self.ci_upper, d))
        )
        blocks.append(
            f"Model results ({_scale_note(self.measure)}; "
            f"{TEST_NAMES.get(self.test, self.test)}, level {100 * self.level:g}%):"
        )
        blocks.append(Table(header, (row,), stub=False))
        if self.random_effects and not math.isnan(self.pi_lower):
            how = (
                "t(k - 2), Higgins-Thompson-Spiegelhalter"
                if self.pi_method == "hts"
                else "as metafor predict()"
            )
            blocks.append(f"Prediction interval ({how}): [{fmt(self.pi_lower, d)}, {fmt(self.pi_upper, d)}]")
        if not shown.identity:
            vals = [self.estimate, self.ci_lower, self.ci_upper]
            hdr = ["pred", "ci.lb", "ci.ub"]
            if self.random_effects and not math.isnan(self.pi_lower):
                vals += [self.pi_lower, self.pi_upper]
                hdr += ["pi.lb", "pi.ub"]
            blocks.append(f"Back-transformed ({shown.name}; {shown.label} scale):")
            blocks.append(Table(tuple(hdr), (tuple(fmt(shown.scalar(v), d) for v in vals),), stub=False))
        settings = (
            f"Settings: method={self.method}, test={self.test}, level={self.level:g}, "
            f"pi_method={self.pi_method}"
        )
        if self.weighting != "inverse-variance":
            settings += f", weights={self.weighting}"
        if self.method in ("ML", "REML", "EB", "PM", "PMM", "DLIT", "SJIT") and not self.tau2_fixed:
            its = f"{self.iterations} iteration{'s' if self.iterations != 1 else ''}"
            settings += (
                f"; tau^2 converged in {its}"
                if self.converged
                else f"; WARNING: tau^2 did not converge ({self.iterations} iterations)"
            )
        blocks.append(settings)
        return Summary(_model_title(self.method, self.k), tuple(blocks))

    def to_dict(self) -> dict:
        """Every field as plain Python data (numbers, lists, strings; ``effects`` omitted).

        Raw values on the analysis scale, NaN kept as ``float("nan")``; per-study arrays
        become lists. ``MetaAnalysis(**d, effects=None)`` rebuilds an equal result, with
        arrays for the per-study lists.
        """
        out: dict = {}
        for f in fields(self):
            if f.name == "effects":
                continue
            value = getattr(self, f.name)
            if f.metadata.get("per") == "study":
                value = np.asarray(value).tolist()
            elif f.metadata.get("per") == "analysis":
                value = f.metadata["type"](value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def to_frame(self):
        """Tidy rows: one per study (``kind="study"``) and the pooled row (``"pooled"``).

        Columns: ``kind, label, estimate, se, ci_lower, ci_upper, pi_lower, pi_upper,
        weight, included``. Study rows carry ``yi``, ``sqrt(vi)``, the normal-theory
        interval at ``level`` and the weight in percent; the pooled row carries the
        model's estimate, interval and prediction interval (weight 100). Raw floats on
        the analysis scale.
        """
        import pandas as pd

        z = _ndtri(0.5 + self.level / 2.0)
        se = np.sqrt(self.vi)
        studies = pd.DataFrame(
            {
                "kind": "study",
                "label": list(self.labels),
                "estimate": self.yi,
                "se": se,
                "ci_lower": self.yi - z * se,
                "ci_upper": self.yi + z * se,
                "pi_lower": np.nan,
                "pi_upper": np.nan,
                "weight": self.weights,
                "included": self.included,
            }
        )
        pooled = pd.DataFrame(
            {
                "kind": ["pooled"],
                "label": [_pooled_label(self.method)],
                "estimate": [self.estimate],
                "se": [self.se],
                "ci_lower": [self.ci_lower],
                "ci_upper": [self.ci_upper],
                "pi_lower": [self.pi_lower],
                "pi_upper": [self.pi_upper],
                "weight": [100.0],
                "included": [True],
            }
        )
        return pd.concat([studies, pooled], ignore_index=True)


def _pv(p, d):
    s = fmt_p(p, d)
    return s if s.startswith("<") else "= " + s


def _ndtri(p):
    from scipy.special import ndtri

    return float(ndtri(p))


def _pooled_label(method: str) -> str:
    """The pooled row's label, as metafor's forest plot names it."""
    return {"EE": "EE Model", "FE": "FE Model", "MH": "MH Model", "PETO": "Peto Model"}.get(
        method, f"RE Model ({method})"
    )


#: Per-analysis scalar fields of a batch (arrays of the batch shape).
#: The per-analysis numbers every batch has (the Mantel-Haenszel tests only MH batches have).
BATCH_SCALARS = tuple(n for n in fields_of(per="analysis") if n not in fields_of(group="binary"))


@dataclass(frozen=True, slots=True)
class MetaAnalysisBatch:
    """Many meta-analyses of the same studies, fitted at once (masks over one batch).

    The fields of :class:`MetaAnalysis` with a leading batch shape ``B``: the
    per-analysis numbers (``estimate`` ... ``iterations``, ``vt``) are arrays of shape
    ``B``; ``yi``, ``vi``, ``weights`` and ``included`` have shape ``B + (n,)`` (``yi``
    and ``vi`` may be read-only broadcast views of the parent's rows); ``labels`` has the
    n study labels; the settings are scalars.

    Attributes (beyond MetaAnalysis)
    --------------------------------
    mask : ndarray of bool, B + (n,)
        The studies each analysis was asked to use (``included`` also drops missing rows).
    row_labels : tuple of str or None
        One label per analysis for a one-dimensional batch (e.g. "omitting Aronson").
    kind : str
        "batch", "leave-one-out" or "cumulative".
    parent : MetaAnalysis or None
        The full fit the batch was derived from.
    order : ndarray of int or None
        For cumulative analyses: the study indices in the order they were added.
    cmh, cmh_p_value, tarone, tarone_p_value : ndarray or None
        Mantel-Haenszel (OR) batches: the CMH and Tarone tests per analysis.
    """

    estimate: np.ndarray
    se: np.ndarray
    statistic: np.ndarray
    p_value: np.ndarray
    ci_lower: np.ndarray
    ci_upper: np.ndarray
    df: np.ndarray
    pi_lower: np.ndarray
    pi_upper: np.ndarray
    tau2: np.ndarray
    tau2_se: np.ndarray
    tau: np.ndarray
    i2: np.ndarray
    h2: np.ndarray
    q: np.ndarray
    q_df: np.ndarray
    q_p_value: np.ndarray
    k: np.ndarray
    yi: np.ndarray
    vi: np.ndarray
    weights: np.ndarray
    included: np.ndarray
    labels: tuple[str, ...]
    measure: str
    method: str
    test: str
    level: float
    pi_method: str
    converged: np.ndarray
    iterations: np.ndarray
    mask: np.ndarray
    row_labels: tuple[str, ...] | None
    kind: str
    parent: MetaAnalysis | None = None
    effects: EffectSizes | None = None
    vt: np.ndarray | None = None
    tau2_fixed: bool = False
    order: np.ndarray | None = None
    cmh: np.ndarray | None = None
    cmh_p_value: np.ndarray | None = None
    tarone: np.ndarray | None = None
    tarone_p_value: np.ndarray | None = None

    @property
    def shape(self) -> tuple:
        """The batch shape."""
        return np.shape(self.estimate)

    def __len__(self) -> int:
        return int(np.shape(self.estimate)[0]) if np.ndim(self.estimate) else 1

    def __repr__(self) -> str:
        k = np.asarray(self.k)
        k_range: tuple[int, ...] = (int(k.min()), int(k.max())) if k.size else ()
        return compact_repr(
            self,
            kind=self.kind,
            shape=self.shape,
            k=k_range[0] if len(set(k_range)) == 1 else k_range,
            measure=self.measure,
            method=self.method,
            test=self.test,
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def __getitem__(self, i) -> MetaAnalysis:
        """The analysis at batch index ``i`` as a :class:`MetaAnalysis`."""
        sel = i if isinstance(i, tuple) else (i,)
        if len(sel) != len(self.shape):
            raise IndexError(f"a batch of shape {self.shape} needs {len(self.shape)} indices; got {i!r}")
        full = self.shape + (len(self.labels),)
        values = {}
        for f in fields(MetaAnalysis):
            per = f.metadata.get("per", "setting")
            if per == "analysis":
                value = getattr(self, f.name)
                if value is not None:  # the batch may lack optional numbers (vt, MH tests)
                    values[f.name] = f.metadata["type"](np.asarray(value)[sel])
            elif per == "study":
                values[f.name] = np.array(np.broadcast_to(getattr(self, f.name), full)[sel])
            elif hasattr(self, f.name):
                values[f.name] = getattr(self, f.name)
            elif self.parent is not None:  # fit-wide settings of MH/Peto fits
                values[f.name] = getattr(self.parent, f.name)
        return MetaAnalysis(**values)

    def to_frame(self):
        """One row per analysis (flattened batch): the per-analysis fields, indexed by
        ``row_labels`` (or the flat index). Raw floats on the analysis scale.
        """
        import pandas as pd

        data = {f: np.ravel(getattr(self, f)) for f in BATCH_SCALARS}
        index = list(self.row_labels) if self.row_labels is not None else None
        frame = pd.DataFrame(data, index=index)
        frame.index.name = "analysis"
        return frame

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(self, transform: str | None = None, digits: int = 4, max_rows: int = 200) -> Summary:
        """A table in the layout of metafor's ``leave1out()``/``cumul()`` print.

        Parameters
        ----------
        transform : {None, "exp", "tanh", "expit", "auto"}, default None
            Show estimates and interval bounds back-transformed (as metafor's
            ``leave1out(res, transf=...)``; see :meth:`MetaAnalysis.summary`).
        digits : int
        max_rows : int
            At most this many rows are shown (the frame has them all).
        """
        shown = presentation(transform, self.measure)
        conv = (lambda v: v) if shown.identity else shown.scalar
        d = digits
        flat = {f: np.ravel(getattr(self, f)) for f in BATCH_SCALARS}
        n = flat["estimate"].size
        labels = list(self.row_labels) if self.row_labels is not None else [str(i) for i in range(n)]
        stat = "zval" if np.all(np.isnan(flat["df"])) else "tval"
        header = ("", "estimate", "se", stat, "pval", "ci.lb", "ci.ub", "Q", "Qp", "tau2", "I2", "H2")
        rows = []
        for i in range(min(n, max_rows)):
            rows.append(
                (
                    labels[i],
                    fmt(conv(flat["estimate"][i]), d),
                    fmt(flat["se"][i], d),
                    fmt(flat["statistic"][i], d),
                    fmt_p(flat["p_value"][i], d),
                    fmt(conv(flat["ci_lower"][i]), d),
                    fmt(conv(flat["ci_upper"][i]), d),
                    fmt(flat["q"][i], d),
                    fmt_p(flat["q_p_value"][i], d),
                    fmt(flat["tau2"][i], d),
                    fmt(flat["i2"][i], 2),
                    fmt(flat["h2"][i], d),
                )
            )
        blocks: list = [Table(header, tuple(rows))]
        if n > max_rows:
            blocks.append(f"... {n - max_rows} more rows (see to_frame())")
        scale = "" if shown.identity else f"; estimates and CIs back-transformed ({shown.name})"
        blocks.append(
            f"Settings: method={self.method}, test={self.test}, "
            f"level={self.level:g}, measure={self.measure}{scale}"
        )
        bad = ~np.ravel(self.converged)
        if bad.any():
            blocks.append(f"WARNING: tau^2 did not converge in {int(bad.sum())} analyses")
        title = {"leave-one-out": "Leave-one-out analysis", "cumulative": "Cumulative meta-analysis"}.get(
            self.kind, "Batch of meta-analyses"
        )
        return Summary(f"{title}: {n} analyses ({METHOD_NAMES.get(self.method, self.method)})", tuple(blocks))
