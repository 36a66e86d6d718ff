"""The diagnostic figures a spec can ask for beside the forest and funnel plots:
``labbe`` (L'Abbe plot), ``radial`` (Galbraith plot), ``qq`` (normal Q-Q plot of the
standardized residuals), ``tau2-profile`` (the tau^2 profile likelihood) and ``drapery``
(p-value functions).

Each is drawn from the analysis's main fit by :mod:`metaevidence.plots`; a figure that does
not apply to the analysis (a L'Abbe plot of mean differences, a tau^2 profile of a
common-effect fit) is not drawn, and :func:`diagnostic_notes` says why in the report.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DIAGNOSTIC_FIGURES", "diagnostic_notes", "draw_diagnostic"]

#: Figure names (``figures.draw``) drawn here.
DIAGNOSTIC_FIGURES = ("labbe", "radial", "qq", "tau2-profile", "drapery")

_MIN_STUDIES = 3
_NAMES = {
    "labbe": "L'Abbe plot",
    "radial": "radial plot",
    "qq": "normal Q-Q plot",
    "tau2-profile": "tau^2 profile plot",
    "drapery": "drapery plot",
}


def _why_not(name: str, fit: Any) -> str | None:
    """Why figure ``name`` does not apply to ``fit`` (None when it does)."""
    from metaevidence.plots.labbe import _ARMS

    method = str(fit.method)
    if name in ("radial", "qq", "tau2-profile") and fit.k < _MIN_STUDIES:
        return f"it needs at least {_MIN_STUDIES} studies (k = {fit.k})"
    if name == "labbe":
        es = getattr(fit, "effects", None)
        if fit.measure not in _ARMS or es is None or not es.data:
            return f"it needs two-arm counts (measure {', '.join(_ARMS)}); the measure is {fit.measure}"
    if name == "qq" and method in ("MH", "PETO"):
        return f"standardized residuals need inverse-variance pooling; the pooling is {method}"
    if name == "tau2-profile" and (method in ("EE", "FE", "CE", "MH", "PETO")):
        return f"a common-effect ({method}) fit has no tau^2"
    return None


def diagnostic_notes(draw, fit) -> list[str]:
    """Report notes for the diagnostic figures of ``draw`` that ``fit`` cannot have."""
    out = []
    for name in draw:
        if name in DIAGNOSTIC_FIGURES:
            why = _why_not(name, fit)
            if why is not None:
                out.append(f"{_NAMES[name]} not drawn: {why}")
    return out


def draw_diagnostic(fit, name: str, *, prediction: bool = True) -> Any | None:
    """The matplotlib figure ``name`` of the analysis's fit, or None when it does not apply."""
    import metaevidence.plots.drapery as drapery
    import metaevidence.plots.labbe as labbe
    import metaevidence.plots.profile as profile
    import metaevidence.plots.qq as qq
    import metaevidence.plots.radial as radial

    if _why_not(name, fit) is not None:
        return None
    if name == "labbe":
        return labbe.labbe_plot(fit)
    if name == "radial":
        return radial.radial_plot(fit)
    if name == "qq":
        return qq.qq_plot(fit)
    if name == "tau2-profile":
        return profile.profile_plot(fit)
    return drapery.drapery_plot(fit, prediction=prediction)
