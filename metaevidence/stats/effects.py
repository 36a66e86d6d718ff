"""Effect sizes and their sampling variances: the face of ``metafor::escalc``.

``effect_sizes(measure, ...)`` turns study data -- 2x2 counts, means and SDs, correlations,
single-group counts or means, events over person-time, or statistics a paper reported (a
ratio with its confidence interval, an estimate with its SE or p-value) -- into an
:class:`EffectSizes`: ``yi`` and ``vi`` on the analysis scale (log scale for ratios), the
rows that were zero-cell corrected or dropped, the inputs, and how each row was obtained.
``convert`` (:mod:`metaevidence.stats.convert`) moves effect sizes between families under a
stated assumption, and
``EffectSizes.concat`` joins rows obtained in different ways into one set.

The numerics live in :mod:`metaevidence.core` (``effects``, ``effects_continuous``,
``effects_single``, ``convert``); the measure registry and input checks in
:mod:`metaevidence.stats._effect_inputs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from metaevidence.core.effects.counts import TACC, ZERO_CELL_RULES
from metaevidence.core.effects.measures import MEASURES, Measure, lookup
from metaevidence.display.effect_table import EffectSizesSummary
from metaevidence.display.transforms import presentation
from metaevidence.stats import _effect_families as _families
from metaevidence.stats import _effect_inputs as _in

__all__ = ["EffectSizes", "EffectSizesSummary", "Measure", "MEASURES", "effect_sizes"]

_FRAME_COLUMNS = ("label", "yi", "vi", "sei", "source", "corrected", "dropped")


def _vector(name: str, value: Any, n: int | None, dtype=float) -> np.ndarray:
    arr = np.array(value, dtype=dtype)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or (n is not None and arr.size != n):
        raise ValueError(f"EffectSizes.{name} must have one value per row ({n}); got shape {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, eq=False)
class EffectSizes:
    """Effect sizes of n studies (rows) with their sampling variances and provenance.

    Build one with :func:`effect_sizes`; the constructor also accepts bare ``yi``/``vi``
    (``measure="GEN"`` by default) and fills the other fields. Arrays are read-only; change
    a copy through ``dataclasses.replace``, :meth:`subset` or :meth:`concat`.

    Attributes
    ----------
    yi, vi : ndarray (n,)
        Effect sizes on the analysis scale (log scale for ratio measures) and their sampling
        variances; NaN in dropped rows.
    measure : str
        metafor name of the measure (a key of :data:`MEASURES`; ``"GEN"`` for generic).
    labels : tuple of str (n,)
        Study labels (default ``"Study 1"``, ``"Study 2"``, ...).
    corrected : ndarray of bool (n,)
        Rows to which the zero-cell constant ``add`` was added.
    dropped : ndarray of bool (n,)
        Rows without an effect size: ``drop00``, missing data, or values the formula
        cannot use; ``source`` says which.
    data : dict of str to ndarray (n,)
        The input columns under metafor's names, completed where one form implies the
        other (2x2 tables carry ``ai bi ci di n1i n2i``; proportions ``xi mi ni``);
        reported statistics under ``estimate ci_lower ci_upper level pval yi sei vi``.
    source : tuple of str (n,)
        How each row was obtained ("2x2 counts", "reported OR with 95% CI",
        "converted: ..."), with the reason when it was dropped.
    study_info : dict of str to ndarray (n,)
        Per-study attributes for sorting and grouping (``year``, a subgroup, study ids).
    group_labels : tuple of (str, str) or None
        Names of the experimental and control groups (forest-plot "Favours ..." labels).
    add, to, drop00 : float, str, bool
        The zero-cell policy used (metafor's ``add``, ``to``, ``drop00``).
    """

    yi: np.ndarray
    vi: np.ndarray
    measure: str = "GEN"
    labels: tuple[str, ...] = None  # type: ignore[assignment]
    corrected: np.ndarray = None  # type: ignore[assignment]
    dropped: np.ndarray = None  # type: ignore[assignment]
    data: Mapping[str, np.ndarray] = field(default_factory=dict)
    source: tuple[str, ...] = None  # type: ignore[assignment]
    study_info: Mapping[str, np.ndarray] = field(default_factory=dict)
    group_labels: tuple[str, str] | None = None
    add: float | str = 0.5
    to: str = "only0"
    drop00: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        yi = np.array(self.yi, dtype=float).reshape(-1)
        n = yi.size
        vi = np.array(self.vi, dtype=float).reshape(-1)
        if vi.size != n:
            raise ValueError(f"EffectSizes: yi and vi must have the same length; got {n} and {vi.size}")
        lookup(self.measure)
        dropped = (
            np.zeros(n, dtype=bool) if self.dropped is None else _vector("dropped", self.dropped, n, bool)
        )
        dropped = dropped | ~(np.isfinite(yi) & np.isfinite(vi))
        set_(self, "yi", _vector("yi", np.where(dropped, np.nan, yi), n))
        set_(self, "vi", _vector("vi", np.where(dropped, np.nan, vi), n))
        set_(self, "dropped", _vector("dropped", dropped, n, bool))
        corrected = np.zeros(n, dtype=bool) if self.corrected is None else self.corrected
        set_(self, "corrected", _vector("corrected", corrected, n, bool))
        labels = (
            tuple(f"Study {i + 1}" for i in range(n))
            if self.labels is None
            else tuple(str(x) for x in self.labels)
        )
        source = ("yi and vi",) * n if self.source is None else tuple(str(x) for x in self.source)
        for name, value in (("labels", labels), ("source", source)):
            if len(value) != n:
                raise ValueError(f"EffectSizes.{name} must have one entry per row ({n}); got {len(value)}")
        set_(self, "labels", labels)
        set_(self, "source", source)
        set_(self, "data", {k: _vector(f"data[{k!r}]", v, n) for k, v in self.data.items()})
        info = {k: _vector(f"study_info[{k!r}]", v, n, None) for k, v in self.study_info.items()}
        clash = sorted(set(info) & (set(_FRAME_COLUMNS) | set(self.data)))
        if clash:
            raise ValueError(
                f"EffectSizes.study_info keys must differ from the data columns and "
                f"{', '.join(_FRAME_COLUMNS)}; got {', '.join(clash)}"
            )
        set_(self, "study_info", info)
        if self.group_labels is not None:
            if len(self.group_labels) != 2:
                raise ValueError(
                    "EffectSizes.group_labels must be two names (experimental, "
                    f"control); got {self.group_labels!r}"
                )
            set_(self, "group_labels", tuple(str(g) for g in self.group_labels))
        if isinstance(self.add, str):
            if self.add != TACC:
                raise ValueError(f"add must be a non-negative number or 'TACC'; got {self.add!r}")
        elif not (np.isfinite(self.add) and self.add >= 0):
            raise ValueError(f"add must be a non-negative number or 'TACC'; got {self.add!r}")
        if self.to not in ZERO_CELL_RULES:
            raise ValueError(f"to must be one of {', '.join(map(repr, ZERO_CELL_RULES))}; got {self.to!r}")
        if self.add != TACC:
            set_(self, "add", float(self.add))
        set_(self, "drop00", bool(self.drop00))

    def __len__(self) -> int:
        return self.yi.size

    def __repr__(self) -> str:
        return (
            f"EffectSizes(measure={self.measure!r}, n={len(self)}, "
            f"corrected={int(self.corrected.sum())}, dropped={int(self.dropped.sum())})"
        )

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    @property
    def sei(self) -> np.ndarray:
        """Standard errors, ``sqrt(vi)`` (n,)."""
        return np.sqrt(self.vi)

    def to_frame(self):
        """One row per study: label, yi, vi, sei, source, corrected, dropped, then the data
        columns and study_info, as raw values (pandas DataFrame).
        """
        import pandas as pd

        columns: dict[str, Any] = {
            "label": list(self.labels),
            "yi": self.yi,
            "vi": self.vi,
            "sei": self.sei,
            "source": list(self.source),
            "corrected": self.corrected,
            "dropped": self.dropped,
        }
        columns.update(self.data)
        columns.update(self.study_info)
        return pd.DataFrame(columns)

    def __str__(self) -> str:
        """The report, as ``print(result)`` shows it (metafor prints the model)."""
        return str(self.summary())

    def summary(
        self, *, level: float = 0.95, transform: str | None = None, digits: int = 4
    ) -> EffectSizesSummary:
        """A readable table of the rows: estimate, SE, confidence interval, source, notes.

        Parameters
        ----------
        level : float, default 0.95
            Level of the per-study Wald intervals ``yi +/- z sqrt(vi)``.
        transform : {None, "exp", "tanh", "expit", "auto"}, default None
            Show estimates and intervals back-transformed, as metafor's
            ``summary(escalc(...), transf=...)``: "exp" for ratio measures, "tanh" for
            Fisher's z (``transf.ztor``), "expit" for logits (``transf.ilogit``), "auto"
            the measure's own (``MEASURES[measure].transform``).
        digits : int, default 4
            Decimals shown (display only; the numbers are unchanged).
        """
        shown = presentation(transform, self.measure)
        return EffectSizesSummary(self, float(_in.fraction_level(np.asarray(level))), shown.name, digits)

    def subset(self, rows) -> EffectSizes:
        """The rows selected by a boolean mask (n,) or by integer positions (in that order)."""
        sel = np.asarray(rows)
        n = len(self)
        if sel.dtype == bool:
            if sel.shape != (n,):
                raise ValueError(
                    f"subset: a boolean mask must have one value per row ({n}); got shape {sel.shape}"
                )
            idx = np.flatnonzero(sel)
        elif sel.size == 0 or np.issubdtype(sel.dtype, np.integer):
            idx = sel.astype(int).reshape(-1)
            if idx.size and (idx.min() < -n or idx.max() >= n):
                raise ValueError(
                    f"subset: row positions must be in [-{n}, {n - 1}]; got "
                    f"{idx.min() if idx.min() < -n else idx.max()}"
                )
        else:
            raise TypeError(f"subset takes a boolean mask or integer positions; got {sel.dtype} values")
        return replace(
            self,
            yi=self.yi[idx],
            vi=self.vi[idx],
            labels=tuple(self.labels[i] for i in idx),
            corrected=self.corrected[idx],
            dropped=self.dropped[idx],
            data={k: v[idx] for k, v in self.data.items()},
            source=tuple(self.source[i] for i in idx),
            study_info={k: v[idx] for k, v in self.study_info.items()},
        )

    @staticmethod
    def concat(parts: Sequence[EffectSizes]) -> EffectSizes:
        """Rows of several EffectSizes of one measure, in order, as one EffectSizes.

        Data and study_info columns are united (NaN, or None for non-numeric columns, where a
        part lacks one); each row keeps its own ``source``. All parts must share the measure,
        the zero-cell policy (``add``, ``to``, ``drop00``) and any ``group_labels``. To put
        rows back in study order afterwards, use :meth:`subset` with integer positions.
        """
        parts = list(parts)
        if not parts:
            raise ValueError("EffectSizes.concat needs at least one EffectSizes; got none")
        first = parts[0]
        for i, p in enumerate(parts):
            if not isinstance(p, EffectSizes):
                raise TypeError(
                    f"EffectSizes.concat: part {i} must be an EffectSizes; got {type(p).__name__}"
                )
            if p.measure != first.measure:
                raise ValueError(
                    f"EffectSizes.concat: every part must have the same measure; "
                    f"part 0 is {first.measure}, part {i} is {p.measure} "
                    f"(use convert() first)"
                )
            if (p.add, p.to, p.drop00) != (first.add, first.to, first.drop00):
                raise ValueError(
                    "EffectSizes.concat: every part must use the same zero-cell "
                    f"policy; part 0 has add={first.add}, to={first.to!r}, "
                    f"drop00={first.drop00}, part {i} has add={p.add}, "
                    f"to={p.to!r}, drop00={p.drop00}"
                )
        groups = {p.group_labels for p in parts if p.group_labels is not None}
        if len(groups) > 1:
            raise ValueError(f"EffectSizes.concat: parts name their groups differently: {sorted(groups)}")

        def united(attr: str) -> dict[str, np.ndarray]:
            keys = list(dict.fromkeys(k for p in parts for k in getattr(p, attr)))
            out = {}
            for k in keys:
                present = [getattr(p, attr)[k] for p in parts if k in getattr(p, attr)]
                numeric = all(a.dtype.kind in "iuf" for a in present)
                fill, dtype = (np.nan, float) if numeric else (None, object)
                out[k] = np.concatenate(
                    [
                        np.asarray(getattr(p, attr)[k], dtype=dtype)
                        if k in getattr(p, attr)
                        else np.full(len(p), fill, dtype=dtype)
                        for p in parts
                    ]
                )
            return out

        return EffectSizes(
            yi=np.concatenate([p.yi for p in parts]),
            vi=np.concatenate([p.vi for p in parts]),
            measure=first.measure,
            labels=sum((p.labels for p in parts), ()),
            corrected=np.concatenate([p.corrected for p in parts]),
            dropped=np.concatenate([p.dropped for p in parts]),
            data=united("data"),
            source=sum((p.source for p in parts), ()),
            study_info=united("study_info"),
            group_labels=next(iter(groups), None),
            add=first.add,
            to=first.to,
            drop00=first.drop00,
        )


def _check_tacc(add: str, measure: str, kind: tuple[str, ...]) -> None:
    """``add="TACC"`` is for OR and RR from 2x2 counts (as R meta's metabin)."""
    if add != TACC:
        raise ValueError(f"add must be a non-negative number (metafor's add) or 'TACC'; got {add!r}")
    if measure not in ("OR", "RR") or "ai" not in kind:
        raise ValueError(
            "add='TACC' (the treatment-arm continuity correction) applies to OR and RR from 2x2 counts; "
            f"got measure {measure!r} from {', '.join(kind)}"
        )


def effect_sizes(
    measure: str,
    *,
    ai=None,
    bi=None,
    ci=None,
    di=None,
    n1i=None,
    n2i=None,
    m1i=None,
    sd1i=None,
    m2i=None,
    sd2i=None,
    ri=None,
    ni=None,
    xi=None,
    mi=None,
    sdi=None,
    x1i=None,
    t1i=None,
    x2i=None,
    t2i=None,
    ti=None,
    r2i=None,
    pi=None,
    fi=None,
    estimate=None,
    ci_lower=None,
    ci_upper=None,
    level=0.95,
    pval=None,
    yi=None,
    vi=None,
    sei=None,
    labels=None,
    add: float | str | None = None,
    to: str = "only0",
    drop00: bool = False,
    correct: bool | None = None,
    vtype: str | Sequence[str] = "LS",
    legacy: bool = False,
    cutoff: float | None = 2.0,
    study_info: Mapping[str, Any] | None = None,
    group_labels: tuple[str, str] | None = None,
    **unknown: Any,
) -> EffectSizes:
    """Effect sizes and sampling variances from study data, as ``metafor::escalc`` computes.

    Give one set of data columns (one value per study; ``None``/NaN marks a missing value,
    and such a row is dropped). Columns carry metafor's names:

    ============  ==========================================  ==============================
    family        measures                                    columns
    ============  ==========================================  ==============================
    2x2 counts    OR RR RD PETO AS                            ai bi ci di, or ai n1i ci n2i
    continuous    MD SMD SMDH SMD1 SMD1H ROM                  m1i sd1i n1i m2i sd2i n2i
    correlation   COR ZCOR                                    ri ni
    proportion    PR PLN PLO PRZ PAS PFT                      xi ni, or xi mi
    mean          MN SMN                                      mi sdi ni
    rates         IRR IRD IRSD                                x1i t1i x2i t2i
    paired        MC SMCC SMCR SMCRH SMCRP SMCRPH ROMC        m1i m2i sd1i sd2i ni ri (VRC:
                  VRC CVRC CLESCN AUCCN                       sd1i sd2i ni ri suffice)
    variability   VR CVR                                      m1i sd1i n1i m2i sd2i n2i (VR:
                                                              sd1i n1i sd2i n2i suffice)
    log single    MNLN CVLN SDLN                              mi sdi ni (SDLN: sdi ni)
    single rate   IR IRLN IRS IRFT                            xi ti
    association   PHI ZPHI YUQ YUY RTET ZTET PBIT             ai bi ci di, or ai n1i ci n2i
    biserial      RPB ZPB RBIS ZBIS                           m1i sd1i n1i m2i sd2i n2i
    CLES / AUC    CLES AUC; CLESN AUCN                        ai (CLES) n1i n2i; as continuous
    partial r     PCOR ZPCOR                                  ti (t statistic) ni mi (predictors)
    semi-partial  SPCOR ZSPCOR                                ti ni mi r2i (the model's R^2)
    R^2           R2 ZR2                                      r2i ni mi
    alpha         ARAW AHW ABT                                ai (alpha) mi (items) ni
    marginal      MPORM                                       ai bi ci di (or ai n1i ci n2i)
                                                              of the marginal table, and ri
                                                              (phi) or pi (both-event pairs)
    genotypes     REH                                         ai bi ci (AA, Aa, aa counts)
    ============  ==========================================  ==============================

    metafor 5's alternative inputs (one kind per call): SMD, RPB, ZPB, RBIS, ZBIS, CLESN, AUCN
    from ``di`` (Cohen's d), ``ti`` (two-sample t), ``pi`` (signed two-sided p-value) or ``ri``
    (point-biserial r; not CLESN/AUCN, which also take their CLES as ``ai``) with ``n1i n2i``; COR, UCOR, ZCOR from ``ti`` or ``pi``
    with ``ni``; SMCC from ``di``, ``ti`` (paired t) or ``pi`` with ``ni``; PCOR, ZPCOR, SPCOR,
    ZSPCOR from ``pi`` or ``ri`` (the correlation) instead of ``ti``; R2, ZR2 from ``fi``
    (omnibus F) or ``pi`` instead of ``r2i`` (see :mod:`metaevidence.stats._effect_conversions`).

    or statistics a study reported, for any measure (and ``HR``, ``GEN``):

    - ``estimate``, ``ci_lower``, ``ci_upper`` (and ``level``): an estimate with its
      confidence interval on the natural scale -- a ratio for OR/RR/HR/IRR/ROM/PETO (log
      taken here), a correlation for ZCOR, a proportion for PLO, the difference itself for
      MD/SMD/RD/... ; ``SE = (g(upper) - g(lower)) / (2 z)`` with ``g`` the measure's
      link, assuming a Wald interval symmetric on the analysis scale;
    - ``estimate``, ``pval``: an estimate with the two-sided p-value of its z-test,
      ``SE = |g(estimate)| / z_{1-p/2}``;
    - ``yi`` with ``sei``, ``vi`` or ``pval``: an estimate already on the analysis scale
      (a log ratio, Fisher's z, ...) with its standard error, variance or p-value.

    Parameters
    ----------
    measure : str
        A key of :data:`MEASURES` (metafor's names); unknown names raise ValueError.
    ai, bi, ci, di, n1i, n2i, m1i, sd1i, m2i, sd2i, ri, ni, xi, mi, sdi, x1i, t1i, x2i, t2i, ti, r2i : array_like (n,)
        Study data under metafor's names (see the table above). Counts may be
        non-integer (reconstructed counts) but not negative.
    pi, fi : array_like (n,)
        metafor 5's signed two-sided p-values and F statistics (alternative inputs, above;
        for MPORM ``pi`` is the proportion of pairs with the event under both treatments).
    estimate, ci_lower, ci_upper, pval, yi, vi, sei : array_like (n,)
        Reported statistics (see above).
    level : float or array_like (n,), default 0.95
        Confidence level of reported intervals, a fraction (0.95) or a percentage (95);
        per study if studies report different levels.
    labels : sequence of str (n,), optional
        Study labels; default "Study 1", "Study 2", ...
    add : float or "TACC", optional
        Constant added to the cells of zero-cell rows (metafor's ``add``); default 0.5,
        except 0 for AS, PAS and PFT (as metafor). Applies to 2x2 counts (all five
        measures), single-group proportions and rates; ignored for other data.
        ``"TACC"`` (OR and RR from 2x2 counts): the treatment-arm continuity correction of
        Sweeting et al. (2004), R meta's ``incr = "TACC"``: each cell of group 1 gets
        ``n1 / (n1 + n2)`` and each cell of group 2 ``n2 / (n1 + n2)`` instead of 0.5
        (:func:`metaevidence.core.effects.counts.treatment_arm_increments`).
    to : {"only0", "all", "if0all", "none"}, default "only0"
        Which rows receive ``add``: those with a zero cell, all, all if any row has a
        zero cell, or none.
    drop00 : bool, default False
        Drop two-group studies with no events (or only events) in both groups: their
        ``yi``/``vi`` are NaN and ``dropped`` is True. Ignored for single-group and
        continuous data.
    correct : bool, optional
        Bias-correct the estimate, metafor's ``correct``. Default (None): as current
        metafor (5.x, ``correct=TRUE``), or as 3.8-1 with ``legacy=True``. Applies to ROM
        and ROMC (second-order correction, Lajeunesse 2015, eq. 8; added by default in
        metafor 5.0-1), CVR and CVRC (the same for the means, 5.0-1; the SD part, which
        3.8-1 already applied, is kept with ``legacy``), VR, SMCRP, SMCRPH and SMN.
        ``False`` gives the classic estimators (Hedges et al. 1999 for ROM, as RevMan and
        R's meta compute). The correction changes the estimate only; ROM's second-order
        variance is ``vtype="LS2"``. SMD, SMDH, SMD1, SMD1H, SMCC, SMCR and SMCRH are
        always Hedges-corrected.
    vtype : str, default "LS"
        How sampling variances are computed, metafor's ``vtype``: ``MD`` ``"LS"``/``"HO"``
        (homoscedastic); ``SMD`` and ``SMD1`` ``"LS"``/``"LS2"`` (Borenstein 2009)/``"UB"``
        (unbiased)/``"AV"`` (average g)/``"H0"`` (the exact variance under a true SMD of 0);
        ``ROM`` ``"LS"``/``"LS2"`` (second order, Lajeunesse 2015)/``"HO"``/``"AV"``
        (each group's average CV: studies without SDs get a variance, Nakagawa et al.
        2023)/``"AVHO"`` (one average CV); ``VR`` and ``CVR`` ``"LS2"`` (second order);
        ``PHI`` ``"LS"``/``"CS"`` (cross-sectional)/``"ST"`` (stratified); ``COR``
        ``"AV"``/``"H0"``; ``UCOR`` ``"AV"``/``"UB"`` (unbiased, Hedges 1989, exact);
        ``RPB``/``ZPB`` ``"ST"`` (stratified, as ``"LS"``)/``"CS"``; ``ZPHI`` as ``PHI``;
        ``R2`` ``"LS2"`` (Kendall & Stuart eq. 27.87)/``"AV"``/``"AV2"`` (average R^2).
        Other measures take ``"LS"`` only. A sequence gives one vtype per study (as
        metafor's vector ``vtype``): each row gets the variance its vtype gives when every
        study is computed with it (``"AV"`` averages over all studies).
    legacy : bool, default False
        Reproduce Debian's metafor 3.8-1 where current metafor (5.x) computes differently:
        the SMDH, SMD1H, SMCRH and PCOR variances (4.6-0), the ZPCOR variance (4.0-0 and
        4.6-0) and the default ``correct`` (5.0-1).
        The default follows current metafor.
    cutoff : float or None, default 2
        For SMD, SMDH, SMD1 and SMD1H: warn (:class:`~metaevidence.errors.LargeEffectWarning`)
        when an estimate exceeds this in absolute value, the mark of standard errors
        entered as SDs (metafor 5.1's ``cutoff``; None skips the check, metafor's ``NA``;
        ``legacy`` skips it too, as metafor 3.8-1 has none). Unlike metafor, which checks a
        given set of estimates once per R session, every call checks.
    study_info : mapping of str to array_like (n,), optional
        Per-study attributes kept with the rows (year, subgroup, ids).
    group_labels : (str, str), optional
        Names of the experimental and control groups.

    Returns
    -------
    EffectSizes
        ``yi`` on the analysis scale (log for ratios; Fisher's z for ZCOR; logit for PLO),
        ``vi``, masks of corrected and dropped rows, the inputs and per-row sources.

    Raises
    ------
    ValueError
        Naming the argument and the row (0-based, with its label): negative counts, events
        above the group size, SD <= 0, n below what the formula needs, a correlation
        outside [-1, 1], a CI that excludes its estimate, a non-positive ratio, columns of
        different lengths, infinite values, an unknown measure, or a set of columns the
        measure does not take.

    Notes
    -----
    Formulas and references are in the docstrings of :mod:`metaevidence.core.effects.counts`,
    :mod:`~metaevidence.core.effects.continuous`, :mod:`~metaevidence.core.effects.single_group`
    and :mod:`~metaevidence.core.effects.convert`. Variances are metafor's defaults
    (``vtype="LS"``). A row whose formula is undefined after the zero-cell policy (for
    example ``to="none"`` and a zero cell under OR) is dropped, as escalc recodes it to NA.

    Examples
    --------
    >>> es = effect_sizes("OR", ai=[4, 6], bi=[119, 300], ci=[11, 29], di=[128, 274],
    ...                   labels=["Aronson 1948", "Ferguson & Simes 1949"])
    >>> np.round(es.yi, 4).tolist()
    [-0.9387, -1.6662]
    >>> hr = effect_sizes("HR", estimate=[0.80], ci_lower=[0.66], ci_upper=[0.97])
    >>> hr.source
    ('reported HR with 95% CI',)

    Matches ``metafor::escalc(measure=..., add=, to=, drop00=, vtype=)``: metafor 3.8-1 on every
    measure 3.8-1 computes alike, current metafor (5.x) where it changed (see ``legacy``).
    """
    if unknown:
        import inspect

        known = [n for n in inspect.signature(effect_sizes).parameters if n not in ("measure", "unknown")]
        _in.unknown_arguments(unknown, known)
    info = lookup(measure)
    columns = dict(
        ai=ai,
        bi=bi,
        ci=ci,
        di=di,
        n1i=n1i,
        n2i=n2i,
        m1i=m1i,
        sd1i=sd1i,
        m2i=m2i,
        sd2i=sd2i,
        ri=ri,
        ni=ni,
        xi=xi,
        mi=mi,
        sdi=sdi,
        x1i=x1i,
        t1i=t1i,
        x2i=x2i,
        t2i=t2i,
        ti=ti,
        r2i=r2i,
        pi=pi,
        fi=fi,
        estimate=estimate,
        ci_lower=ci_lower,
        ci_upper=ci_upper,
        pval=pval,
        yi=yi,
        vi=vi,
        sei=sei,
    )
    given = {k: v for k, v in columns.items() if v is not None}
    kind = _in.data_kind(info, set(given))
    cols = _in.as_columns(given)
    n = next(iter(cols.values())).size
    if "ci_lower" in kind:
        lev = np.array(level, dtype=float)
        if lev.ndim == 0:
            lev = np.full(n, float(lev))
        cols["level"] = _in.as_columns({**cols, "level": lev})["level"]
    if add is None:
        add = info.default_add
    if isinstance(add, str):
        _check_tacc(add, info.name, kind)
    elif not isinstance(add, (int, float, np.floating, np.integer)) or not (np.isfinite(add) and add >= 0):
        raise ValueError(f"add must be a non-negative number (metafor's add) or 'TACC'; got {add!r}")
    if to not in ZERO_CELL_RULES:
        raise ValueError(f"to must be one of {', '.join(map(repr, ZERO_CELL_RULES))}; got {to!r}")
    if labels is None:
        labels_t = tuple(f"Study {i + 1}" for i in range(n))
    else:
        labels_t = tuple(str(x) for x in (labels if np.ndim(labels) else [labels]))
        if len(labels_t) != n:
            raise ValueError(
                f"labels must have one entry per study ({n}, the length of the data "
                f"columns); got {len(labels_t)}"
            )
    vtypes = _row_vtypes(info.name, vtype, n)
    runs = {
        vt: _in.compute(
            info,
            kind,
            cols,
            labels_t,
            add=add if isinstance(add, str) else float(add),
            to=to,
            drop00=bool(drop00),
            correct=None if correct is None else bool(correct),
            vtype=vt,
            legacy=bool(legacy),
        )
        for vt in dict.fromkeys(vtypes)
    }
    out = runs[vtypes[0]] if len(runs) == 1 else _by_row(runs, vtypes)
    _flag_large(info.name, out.yi, labels_t, None if legacy else cutoff)  # 3.8-1 had no check
    return EffectSizes(
        yi=out.yi,
        vi=out.vi,
        measure=info.name,
        labels=labels_t,
        corrected=out.corrected,
        dropped=out.dropped,
        data=out.data,
        source=out.source,
        study_info=dict(study_info or {}),
        group_labels=group_labels,
        add=out.add,
        to=to,
        drop00=bool(drop00),
    )


#: Measures whose estimates are checked against ``cutoff`` (metafor 5.1 checks these SMDs,
#: not the change-score ones).
LARGE_EFFECT_MEASURES = ("SMD", "SMDH", "SMD1", "SMD1H")


def _flag_large(measure: str, yi: np.ndarray, labels: tuple[str, ...], cutoff) -> None:
    """Warn when an SMD-type estimate is beyond ``cutoff`` in absolute value."""
    if cutoff is None:
        return
    if (
        isinstance(cutoff, bool)
        or not isinstance(cutoff, (int, float, np.integer, np.floating))
        or not cutoff > 0
    ):
        raise ValueError(f"effect_sizes: cutoff must be a positive number or None; got {cutoff!r}")
    if measure not in LARGE_EFFECT_MEASURES:
        return
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero(np.abs(np.asarray(yi, float)) > cutoff)
    if rows.size == 0:
        return
    import warnings

    from metaevidence.errors import LargeEffectWarning

    shown = ", ".join(f"row {i} ({labels[i]!r}: {float(yi[i]):.3g})" for i in rows[:5])
    more = f" and {rows.size - 5} more" if rows.size > 5 else ""
    warnings.warn(
        f"effect_sizes(measure={measure!r}): {rows.size} value(s) unusually large (|yi| > {cutoff:g}): "
        f"{shown}{more}. Were standard errors entered in place of SDs? (cutoff=None skips this check)",
        LargeEffectWarning,
        stacklevel=3,
    )


def _row_vtypes(measure: str, vtype, n: int) -> tuple[str, ...]:
    """``vtype`` as one validated value per row (a string applies to every row)."""
    if isinstance(vtype, str):
        _families.check_vtype(measure, vtype)
        return (vtype,) * n
    values = tuple(vtype) if np.ndim(vtype) else (vtype,)
    if len(values) != n:
        raise ValueError(
            f"effect_sizes(measure={measure!r}): vtype must be one string or one per study ({n}); "
            f"got {len(values)} values"
        )
    for v in dict.fromkeys(values):
        if not isinstance(v, str):
            raise TypeError(f"effect_sizes(measure={measure!r}): vtype values must be strings; got {v!r}")
        _families.check_vtype(measure, v)
    return values


def _by_row(runs: dict, vtypes: tuple[str, ...]) -> _in.Computed:
    """Row ``i`` of the run with ``vtypes[i]`` (the runs differ in their variances only)."""
    first = next(iter(runs.values()))
    pick = np.array([list(runs).index(v) for v in vtypes])
    rows = np.arange(len(vtypes))

    def take(field):
        return np.stack([np.asarray(getattr(r, field)) for r in runs.values()])[pick, rows]

    return _in.Computed(
        yi=take("yi"),
        vi=take("vi"),
        corrected=take("corrected"),
        dropped=take("dropped"),
        data=first.data,
        source=tuple(runs[v].source[i] for i, v in enumerate(vtypes)),
        add=first.add,
    )


def __getattr__(name: str):
    # ``convert`` lives in stats/convert.py (it imports this module); still importable from here.
    if name == "convert":
        from metaevidence.stats.convert import convert

        return convert
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
