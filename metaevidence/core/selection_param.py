"""Parametric selection functions and the normalising integral they need.

For a selection function :math:`w(p)` the published density of study i divides by

.. math::

    A_i = \\int w\\big(p(y)\\big)\\,\\phi\\big((y - \\mu)/s_i\\big)/s_i\\,dy
        = \\mathrm{E}_{z \\sim N(0, 1)}\\big[w\\big(p(\\mu + s_i z)\\big)\\big],

which has no closed form. It is computed here by composite Gauss-Legendre quadrature in
:math:`z` on :math:`[-10, 10]` (outside it the normal density is below :math:`10^{-22}` of its
peak): a fixed grid of 16 panels plus panel edges at every point where :math:`w(p(y))` is not
smooth or changes fast (edges at :math:`y = q\\sqrt{v_i}` for :math:`|q| \\le 8`, where p(y) moves
from 0 to 1, sharp when :math:`\\tau^2 \\gg v_i`; :math:`y = 0` for two-sided p-values, the censoring points ``pval_min`` and
``1 - pval_min``, the threshold ``alpha``; geometrically graded edges towards y = 0 where a
two-sided beta or power function has an infinite derivative), so each panel integrates a
smooth function and 20 nodes per panel reach double precision (checked against adaptive
quadrature at 1e-13). All studies are integrated at once (one array of
``k x panels x nodes``), and the result depends only on the inputs (no adaptive stopping rule).

The selection functions are those of ``metafor::selmodel()`` (Preston et al. 2004; Citkowicz &
Vevea 2017): beta :math:`p^{\\delta_1 - 1}(1 - p)^{\\delta_2 - 1}`, half-normal
:math:`e^{-\\delta p^2}`, negative-exponential :math:`e^{-\\delta p}`, logistic
:math:`2e^{-\\delta p}/(1 + e^{-\\delta p})`, power :math:`(1 - p)^\\delta` and (metafor 5)
negative-exponential power :math:`e^{-\\delta_1 p^{1/\\delta_2}}` (:math:`\\delta_2 = 0`: no
selection). The beta and power models censor p at ``pval_min = 1e-5`` (at ``1 - 1e-5`` too),
as metafor's default. For the one-parameter models and negexppow a threshold :math:`\\alpha` gives :math:`\\min(1, w(p)/w(\\alpha))`
(selection probability 1 for every p-value below :math:`\\alpha`). The truncated beta function
(metafor 5, after Pustejovsky 2024) evaluates the beta function at
:math:`\\tilde p = \\min(\\max(\\alpha_1, p), \\alpha_2)`: it is flat below :math:`\\alpha_1` and
above :math:`\\alpha_2`, where the plain beta function runs to 0 or infinity.
"""

from __future__ import annotations

import numpy as np
from scipy import special

PARAMETRIC = ("beta", "halfnorm", "negexp", "logistic", "power", "negexppow")
#: metafor's default censoring of p-values for the models whose w(p) is unbounded at 0 or 1.
PVAL_MIN = {"beta": 1e-5, "power": 1e-5}

_Z_MAX = 10.0
_GRID = np.linspace(-_Z_MAX, _Z_MAX, 17)
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


def _p_values(y, sv, alternative):
    z = y / sv
    if alternative == "greater":
        return special.ndtr(-z)
    if alternative == "less":
        return special.ndtr(z)
    return 2.0 * special.ndtr(-np.abs(z))


def log_weight(kind: str, p: np.ndarray, delta: np.ndarray, alpha, prec=None) -> np.ndarray:
    """The log of w(p), the parametric selection function ``kind`` (threshold ``alpha`` or None;
    for ``"beta"``, ``alpha`` is None or the truncation points (alpha_1, alpha_2)).

    ``prec`` (broadcastable to ``p``), if given, scales delta per study: the one-parameter
    functions become w(p) with delta x prec_i (Preston et al. 2004; metafor's ``prec=``).
    """
    pmin = PVAL_MIN.get(kind, 0.0)
    if pmin > 0.0:
        p = np.clip(p, pmin, 1.0 - pmin)
    if kind == "beta":
        if alpha is not None:
            p = np.clip(p, max(pmin, alpha[0]), min(1.0 - pmin, alpha[1]))
        return (delta[0] - 1.0) * np.log(p) + (delta[1] - 1.0) * np.log1p(-p)
    d = delta[0] if prec is None else delta[0] * prec

    def lw(q):
        if kind == "halfnorm":
            return -d * q * q
        if kind == "negexp":
            return -d * q
        if kind == "logistic":
            return np.log(2.0) - d * q - np.log1p(np.exp(-d * q))
        if kind == "negexppow":  # delta_2 = 0: p^inf, i.e. w = 1 (no selection)
            if delta[1] == 0.0:
                return np.zeros_like(q)
            return -d * q ** (1.0 / delta[1])
        with np.errstate(divide="ignore", invalid="ignore"):  # d = 0: w = 1, also at p = 1
            return np.where(d != 0.0, d * np.log1p(-q), 0.0)

    out = lw(p)
    if alpha is not None:
        out = np.minimum(0.0, out - lw(np.asarray(alpha)))
    return out


def _cut_points(kind: str, alpha) -> list[float]:
    """p-values at which w(p) has a kink (or a jump in a derivative)."""
    cuts = []
    pmin = PVAL_MIN.get(kind, 0.0)
    if pmin > 0.0:
        cuts += [pmin, 1.0 - pmin]
    if alpha is not None:
        cuts += [float(a) for a in np.atleast_1d(alpha)]
    return cuts


#: Two-sided p-values near 1 (y near 0) make the beta and power functions behave like
#: |y|^(delta - 1) (an infinite derivative at y = 0); panels graded geometrically towards 0
#: (edges at +-sqrt(v) 4^-j) keep Gauss-Legendre at full accuracy there.
_GRADED = 4.0 ** -np.arange(10)
#: Panel edges y = q sqrt(v) across the region where p(y) changes (|y| <= 8 sqrt(v)).
_TRANSITION = (-8.0, -5.0, -3.5, -2.5, -1.5, -0.75, 0.0, 0.75, 1.5, 2.5, 3.5, 5.0, 8.0)


def _breaks_z(mu, s, sv, alternative, cuts, graded=False):
    """Panel edges in z = (y - mu)/s where w(p(y)) is not smooth, one column per edge."""
    cols = []
    for c in cuts:
        if alternative == "greater":
            ys = [sv * special.ndtri(1.0 - c)]
        elif alternative == "less":
            ys = [sv * special.ndtri(c)]
        else:
            q = sv * special.ndtri(1.0 - c / 2.0)
            ys = [q, -q]
        cols += [(yy - mu) / s for yy in ys]
    # p(y) moves from 0 to 1 over a few sqrt(v) around y = 0: with tau^2 >> v that is sharp
    # on the scale of the normal density, so it gets panels of its own
    cols += [(q * sv - mu) / s for q in _TRANSITION]
    if alternative == "two.sided":
        cols.append(-mu / s)
        if graded:
            cols += [(sign * g * sv - mu) / s for g in _GRADED for sign in (1.0, -1.0)]
    return cols


def log_area(kind, mu, s, sv, delta, alternative, alpha, prec=None) -> np.ndarray:
    """The log of A_i for every study (vectorised composite Gauss-Legendre quadrature);
    ``mu`` a float or one per study (k,); ``prec`` (k,) as in :func:`log_weight`.
    """
    k = s.size
    edges = np.broadcast_to(_GRID, (k, _GRID.size))
    cols = _breaks_z(mu, s, sv, alternative, _cut_points(kind, alpha), graded=kind in PVAL_MIN)
    if cols:
        extra = np.clip(np.column_stack(cols), -_Z_MAX, _Z_MAX)
        edges = np.sort(np.concatenate([edges, extra], axis=1), axis=1)
    half = 0.5 * (edges[:, 1:] - edges[:, :-1])
    mid = 0.5 * (edges[:, 1:] + edges[:, :-1])
    z = mid[..., None] + half[..., None] * _GL_X
    m = np.asarray(mu, dtype=float)
    m = m[:, None, None] if m.ndim else m  # one mu per study with moderators
    p = _p_values(m + s[:, None, None] * z, sv[:, None, None], alternative)
    pr = None if prec is None else np.asarray(prec, float)[:, None, None]
    integrand = np.exp(log_weight(kind, p, delta, alpha, pr) - 0.5 * z * z - _LOG_SQRT_2PI)
    return np.log(np.sum(integrand * _GL_W * half[..., None], axis=(1, 2)))
