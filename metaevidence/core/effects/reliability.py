"""Cronbach's alpha as an effect size: raw (``ARAW``), Hakstian-Whalen transformed
(``AHW``) and Bonett transformed (``ABT``).

Inputs: alpha ``ai``, number of items ``mi`` and sample size ``ni``. Arrays have studies on
the last axis. Each function returns ``(yi, vi)``.

References
----------
Bonett, D. G. (2002). Sample size requirements for testing and estimating coefficient
alpha. Journal of Educational and Behavioral Statistics, 27(4), 335-340.
Bonett, D. G. (2010). Varying coefficient meta-analytic methods for alpha reliability.
Psychological Methods, 15(4), 368-385.
Hakstian, A. R., & Whalen, T. E. (1976). A k-sample significance test for independent
alpha coefficients. Psychometrika, 41(2), 219-231.
"""

from __future__ import annotations

import numpy as np

from metaevidence.core.effects._arrays import floats

__all__ = ["alpha_raw", "alpha_hakstian_whalen", "alpha_bonett"]


def alpha_raw(ai, mi, ni):
    """Raw Cronbach's alpha and its large-sample variance.

    Parameters
    ----------
    ai, mi, ni : array_like (..., k)
        Alpha, number of items (at least 2) and sample size (at least 3).

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: v = \\frac{2 m_i (1 - \\alpha_i)^2}{(m_i - 1)(n_i - 2)}

    (Bonett 2010). Matches ``metafor::escalc(measure="ARAW")``.
    """
    ai, mi, ni = floats(ai, mi, ni)
    return ai.copy(), 2 * mi * (1 - ai) ** 2 / ((mi - 1) * (ni - 2))


def alpha_hakstian_whalen(ai, mi, ni):
    """Hakstian-Whalen transformed alpha, :math:`1 - (1 - \\alpha)^{1/3}`, and its variance.

    Parameters
    ----------
    ai, mi, ni : array_like (..., k)
        As :func:`alpha_raw`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: v = \\frac{18 m_i (n_i - 1)(1 - \\alpha_i)^{2/3}}{(m_i - 1)(9 n_i - 11)^2}

    Matches ``metafor::escalc(measure="AHW")``.
    """
    ai, mi, ni = floats(ai, mi, ni)
    return 1 - (1 - ai) ** (1 / 3), 18 * mi * (ni - 1) * (1 - ai) ** (2 / 3) / ((mi - 1) * (9 * ni - 11) ** 2)


def alpha_bonett(ai, mi, ni):
    """Bonett transformed alpha, :math:`-\\log(1 - \\alpha)`, and its variance.

    Parameters
    ----------
    ai, mi, ni : array_like (..., k)
        As :func:`alpha_raw`.

    Returns
    -------
    yi, vi : ndarray (..., k)

    Notes
    -----
    .. math:: v = \\frac{2 m_i}{(m_i - 1)(n_i - 2)}

    Matches ``metafor::escalc(measure="ABT")``.
    """
    ai, mi, ni = floats(ai, mi, ni)
    with np.errstate(divide="ignore"):
        return -np.log(1 - ai), 2 * mi / ((mi - 1) * (ni - 2))
