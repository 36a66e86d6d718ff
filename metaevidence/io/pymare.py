"""PyMARE interoperability: :class:`EffectSizes` and :class:`MetaAnalysis` to and from ``pymare.Dataset``.

PyMARE (``pip install pymare``) is optional: it is imported when these functions are called.
:func:`to_pymare` hands the effect sizes (``y`` = yi, ``v`` = vi, intercept-only; study
labels as ``X_names`` are not used by PyMARE, so they travel in ``dataset.labels``); rows
without an effect size are left out. :func:`from_pymare` reads ``y`` and ``v`` back (a
Dataset of one study set, without moderators) as :class:`EffectSizes` of the given measure.
:func:`fit_with_pymare` fits through PyMARE's estimators and returns (estimate, tau^2).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_pymare", "from_pymare", "fit_with_pymare"]

_ESTIMATORS = {"DL": "DerSimonianLaird", "HE": "Hedges", "REML": "REML", "ML": "ML"}


def to_pymare(obj: Any):
    """A ``pymare.Dataset`` from an :class:`EffectSizes` or a :class:`MetaAnalysis` (its ``effects``).

    Parameters
    ----------
    obj : EffectSizes or MetaAnalysis
        A MetaAnalysis passes its study rows (``yi``, ``vi``).

    Returns
    -------
    pymare.Dataset
        ``y``/``v`` as column vectors; ``dataset.labels`` holds the study labels.
    """
    from pymare import Dataset

    yi = np.asarray(obj.yi, dtype=float)
    vi = np.asarray(obj.vi, dtype=float)
    labels = tuple(getattr(obj, "labels", None) or (f"Study {i + 1}" for i in range(yi.size)))
    keep = np.isfinite(yi) & np.isfinite(vi)
    if not keep.any():
        raise ValueError("no study has an effect size to hand to PyMARE")
    ds = Dataset(y=yi[keep], v=vi[keep])
    ds.labels = tuple(lab for lab, k in zip(labels, keep) if k)
    return ds


def from_pymare(dataset, measure: str = "GEN", labels=None):
    """:class:`EffectSizes` from a ``pymare.Dataset`` (``y``, ``v``; one set of studies).

    Raises
    ------
    ValueError
        When the dataset has no ``v``, several columns of ``y`` or moderators besides the intercept.
    """
    from metaevidence.stats.effects import EffectSizes

    y, v = np.asarray(dataset.y, dtype=float), dataset.v
    if v is None:
        raise ValueError("the PyMARE Dataset has no sampling variances (v); EffectSizes need them")
    v = np.asarray(v, dtype=float)
    if y.ndim == 2 and y.shape[1] != 1:
        raise ValueError(f"the PyMARE Dataset holds {y.shape[1]} sets of studies; pass one (y[:, [j]])")
    if dataset.X is not None and np.asarray(dataset.X).shape[1] > 1:
        raise ValueError("the PyMARE Dataset has moderators; EffectSizes carry none (use meta_regression)")
    labels = labels or getattr(dataset, "labels", None)
    return EffectSizes(
        y.ravel(), v.ravel(), measure=measure, labels=None if labels is None else tuple(labels)
    )


def fit_with_pymare(obj: Any, method: str = "REML") -> tuple[float, float]:
    """(estimate, tau^2) of PyMARE's fit of ``obj`` (EffectSizes, MetaAnalysis or Dataset).

    ``method``: DL (DerSimonianLaird), HE (Hedges), REML or ML (VarianceBasedLikelihoodEstimator).
    PyMARE's standard errors are not returned: its ``inv_cov`` is not the Wald (z) variance
    that :func:`meta_analysis` reports.
    """
    import warnings

    from pymare import Dataset, estimators

    if method not in _ESTIMATORS:
        raise ValueError(f"method must be one of {', '.join(_ESTIMATORS)}; got {method!r}")
    ds = obj if isinstance(obj, Dataset) else to_pymare(obj)
    name = _ESTIMATORS[method]
    est = (estimators.VarianceBasedLikelihoodEstimator(method=name) if name in ("REML", "ML")
           else getattr(estimators, name)())  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit_dataset(ds)
    params = est.params_
    beta = float(np.ravel(params["fe_params"])[0])
    tau2 = float(np.ravel(params["tau2"])[0])
    return beta, tau2
