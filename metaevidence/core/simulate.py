"""Simulation studies on the batched engine: data generation and performance measures.

A simulation scenario (one point of a grid: k studies, tau^2, true effect, within-study
sizes or variances, event rates, small-study and selection mechanisms) is simulated in
fixed-size *blocks* of replications. Block ``b`` of scenario ``s`` draws its random
numbers from ``SeedSequence(seed, spawn_key=(s, b))`` -- the same stream as
``SeedSequence(seed).spawn(n_scenarios)[s].spawn(n_blocks)[b]`` -- and is fitted on its
own, so a block's numbers never depend on which other blocks run in the same process,
task or worker. Each block returns the *sufficient statistics* of every performance
measure (sums of errors, squared errors, coverage indicators, ...); blocks are summed in
block order and :func:`performance` turns the sums into the measures and their Monte
Carlo standard errors (Morris, White & Crowther 2019, Table 6). Results are therefore
identical however the blocks are grouped into tasks (in-process chunks, Dask tasks).

Everything here is numpy/scipy; the grid, validation, execution and the tidy table live
in :mod:`metaevidence.stats.simulation`.

References
----------
Morris, T. P., White, I. R., & Crowther, M. J. (2019). Using simulation studies to
evaluate statistical methods. Statistics in Medicine, 38(11), 2074-2102.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from metaevidence.core.fit import fit

__all__ = [
    "SIZE_PATTERNS",
    "STATS",
    "block_rng",
    "study_sizes",
    "generate",
    "run_blocks",
    "performance",
]

#: How the k study sizes of a scenario relate: all equal, or some ``ratio`` times larger.
SIZE_PATTERNS = ("equal", "one-large", "quarter-large", "half-large", "one-small")

#: Sufficient statistics accumulated per (block, method), in this order.
STATS = (
    "n",  # replications with a finite estimate
    "e1",  # sum of (estimate - truth)
    "e2",  # sum of (estimate - truth)^2
    "e4",  # sum of (estimate - truth)^4
    "nci",  # replications with a finite interval
    "cover",  # intervals covering the truth
    "w1",  # sum of interval widths
    "w2",  # sum of squared widths
    "npv",  # replications with a finite p-value
    "reject",  # p < alpha
    "npi",  # replications with a finite prediction interval
    "pi1",  # sum of P(new true effect inside the PI)
    "pi2",  # its sum of squares
    "nt",  # replications with a finite tau^2 estimate
    "t1",  # sum of (tau2_hat - tau2)
    "t2",  # sum of (tau2_hat - tau2)^2
    "conv",  # converged fits
)
_IX = {name: i for i, name in enumerate(STATS)}


def block_rng(seed: int, scenario: int, block: int) -> np.random.Generator:
    """The generator of block ``block`` of scenario ``scenario`` (independent streams)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(scenario, block))))


def study_sizes(k: int, n: float, pattern: str, ratio: float) -> np.ndarray:
    """Total sample sizes of the k studies: ``n`` each, some ``ratio`` times larger.

    ``"one-large"``: study 1 is ``ratio * n``; ``"quarter-large"`` / ``"half-large"``: the
    first ``ceil(k/4)`` / ``ceil(k/2)`` studies are; ``"one-small"``: all but the last are.
    """
    sizes = np.full(k, float(n))
    large = {
        "equal": 0,
        "one-large": 1,
        "quarter-large": -(-k // 4),
        "half-large": -(-k // 2),
        "one-small": k - 1,
    }[pattern]
    sizes[:large] *= ratio
    return sizes


def _within_variances(rng, reps, sc):
    """Within-study variances (reps, k) of the continuous model (standardised scale)."""
    k = sc["k"]
    if sc["variances"] is not None:
        lo, hi = sc["variances"]
        return rng.uniform(lo, hi, size=(reps, k))
    sizes = study_sizes(k, sc["n"], sc["size_pattern"], sc["size_ratio"])
    v = np.broadcast_to(4.0 / sizes, (reps, k))  # two arms of N/2, unit SD: 1/(N/2)+1/(N/2)
    if sc["estimated_variance"]:
        df = sizes - 2.0
        v = v * rng.chisquare(df, size=(reps, k)) / df
    return np.array(v)


def _draw_cells(rng, shape, sc, v_cells, n_cells):
    """One candidate study per cell: its true effect, estimate and variance."""
    theta = sc["mu"] + np.sqrt(sc["tau2"]) * rng.standard_normal(shape)
    if sc["data"] == "continuous":
        v = v_cells
        theta = theta + sc["small_study_effect"] * np.sqrt(v)
        y = theta + np.sqrt(v) * rng.standard_normal(shape)
        return y, v, None
    n1 = np.floor(n_cells / 2.0)
    n2 = n_cells - n1
    pc = sc["control_rate"]
    theta = theta + sc["small_study_effect"] * np.sqrt(4.0 / (n_cells * pc * (1 - pc)))
    pt = special.expit(special.logit(pc) + theta)
    a = rng.binomial(n1.astype(np.int64), pt).astype(float)
    c = rng.binomial(n2.astype(np.int64), np.broadcast_to(pc, shape)).astype(float)
    cells = np.stack([a, n1 - a, c, n2 - c])
    zero = (cells == 0).any(axis=0)
    add = np.where(zero, 0.5, 0.0)  # metafor's escalc default: add 1/2 to tables with a zero
    ca, cb, cc, cd = cells + add
    y = np.log(ca * cd / (cb * cc))
    v = 1 / ca + 1 / cb + 1 / cc + 1 / cd
    return y, v, cells


def _selected(rng, y, v, sel):
    """Which candidates are published under a p-value selection mechanism."""
    z = y / np.sqrt(v)
    p = special.ndtr(-z) if sel["side"] == "positive" else special.ndtr(-np.abs(z)) * 2
    alpha = sel["alpha"] if sel["side"] == "two-sided" else sel["alpha"] / 2
    keep = np.where(p < alpha, 1.0, sel["weight"])
    return rng.random(y.shape) < keep


def generate(rng: np.random.Generator, reps: int, sc: dict):
    """Simulate ``reps`` meta-analyses of one scenario.

    Parameters
    ----------
    rng : numpy.random.Generator
    reps : int
    sc : dict
        A validated scenario (see :func:`metaevidence.stats.simulation.simulate`).

    Returns
    -------
    yi, vi : ndarray (reps, k)
    cells : ndarray (4, reps, k) or None
        The 2x2 counts ``ai, bi, ci, di`` for binary data.

    Notes
    -----
    True effects are :math:`\\theta_i = \\mu + u_i + \\beta\\sqrt{v_i}`, :math:`u_i \\sim
    N(0, \\tau^2)` (:math:`\\beta` the small-study effect). Continuous data:
    :math:`y_i \\sim N(\\theta_i, v_i)` with :math:`v_i = 4/N_i` (standardised mean
    difference of two arms of :math:`N_i/2` with unit SD), optionally estimated as
    :math:`v_i \\chi^2_{N_i-2}/(N_i-2)`, or :math:`v_i \\sim U(a, b)`. Binary data: arms of
    :math:`\\lfloor N_i/2 \\rfloor` and the rest, control risk :math:`p_c`, treatment risk
    :math:`\\mathrm{expit}(\\mathrm{logit}\\,p_c + \\theta_i)` (:math:`\\theta` a log odds
    ratio), log odds ratio with 1/2 added to tables with a zero cell. Under selection, a
    study with p >= alpha is published with probability ``weight``; unpublished studies
    are replaced by fresh draws until every analysis has k studies.
    """
    k = sc["k"]
    shape = (reps, k)
    v_cells = _within_variances(rng, reps, sc) if sc["data"] == "continuous" else None
    n_cells = None
    if sc["data"] == "binary":
        n_cells = np.broadcast_to(study_sizes(k, sc["n"], sc["size_pattern"], sc["size_ratio"]), shape)
    y, v, cells = _draw_cells(rng, shape, sc, v_cells, n_cells)
    sel = sc["selection"]
    if sel is not None:
        pending = ~_selected(rng, y, v, sel)
        for _ in range(10_000):
            if not pending.any():
                break
            idx = np.nonzero(pending)
            vc = None if v_cells is None else v_cells[idx]
            nc = None if n_cells is None else n_cells[idx]
            y2, v2, c2 = _draw_cells(rng, idx[0].shape, sc, vc, nc)
            ok = _selected(rng, y2, v2, sel)
            pos = tuple(i[ok] for i in idx)
            y[pos], v[pos] = y2[ok], v2[ok]
            if cells is not None:
                cells[(slice(None),) + pos] = c2[:, ok]
            pending[pos] = False
        else:  # pragma: no cover - guarded by the weight > 0 check of the spec
            raise RuntimeError("selection accepted too few studies")
    return y, v, cells


def _egger(y, v):
    """Egger's regression test (WLS of y on se, weights 1/v, dispersion): slope p-value."""
    w = 1.0 / v
    x = np.sqrt(v)
    sw, sx, sy = w.sum(-1), (w * x).sum(-1), (w * y).sum(-1)
    xm, ym = sx / sw, sy / sw
    dx = x - xm[:, None]
    sxx = (w * dx * dx).sum(-1)
    b1 = (w * dx * (y - ym[:, None])).sum(-1) / sxx
    b0 = ym - b1 * xm
    r = y - b0[:, None] - b1[:, None] * x
    df = y.shape[-1] - 2.0
    s2 = (w * r * r).sum(-1) / df
    t = b1 / np.sqrt(s2 / sxx)
    return 2 * special.stdtr(df, -np.abs(t))


def _fit_method(m, y, v, cells, level):
    """Estimate, interval, p-value, PI and tau^2 of one method on a block."""
    nan = np.full(y.shape[0], np.nan)
    kind = m["kind"]
    if kind == "bias":
        return dict(estimate=nan, lo=nan, hi=nan, p=_egger(y, v), pi_lo=nan, pi_hi=nan, tau2=nan, conv=None)
    if kind == "binary":
        from metaevidence.core.binary import fit_binary

        r = fit_binary(*cells, yi=y, vi=v, method=m["estimator"], measure="OR", level=level)
        return dict(
            estimate=r["estimate"],
            lo=r["ci_lower"],
            hi=r["ci_upper"],
            p=r["p_value"],
            pi_lo=nan,
            pi_hi=nan,
            tau2=nan,
            conv=None,
        )
    r = fit(y, v, method=m["estimator"], test=m["test"], level=level, pi_method=m["pi_method"], warn=False)
    return dict(
        estimate=r.estimate,
        lo=r.ci_lower,
        hi=r.ci_upper,
        p=r.p_value,
        pi_lo=r.pi_lower,
        pi_hi=r.pi_upper,
        tau2=r.tau2,
        conv=r.converged,
    )


def _block_stats(out, mu, tau2, alpha):
    s = np.zeros(len(STATS))
    e = out["estimate"] - mu
    ok = np.isfinite(e)
    e = e[ok]
    e2 = e * e
    s[_IX["n"]], s[_IX["e1"]], s[_IX["e2"]], s[_IX["e4"]] = ok.sum(), e.sum(), e2.sum(), (e2 * e2).sum()
    lo, hi = out["lo"], out["hi"]
    ci = np.isfinite(lo) & np.isfinite(hi)
    w = (hi - lo)[ci]
    s[_IX["nci"]] = ci.sum()
    s[_IX["cover"]] = ((lo[ci] <= mu) & (mu <= hi[ci])).sum()
    s[_IX["w1"]], s[_IX["w2"]] = w.sum(), (w * w).sum()
    p = out["p"][np.isfinite(out["p"])]
    s[_IX["npv"]], s[_IX["reject"]] = p.size, (p < alpha).sum()
    pl, ph = out["pi_lo"], out["pi_hi"]
    pok = np.isfinite(pl) & np.isfinite(ph)
    if tau2 > 0:
        sd = np.sqrt(tau2)
        q = special.ndtr((ph[pok] - mu) / sd) - special.ndtr((pl[pok] - mu) / sd)
    else:
        q = ((pl[pok] <= mu) & (mu <= ph[pok])).astype(float)
    s[_IX["npi"]], s[_IX["pi1"]], s[_IX["pi2"]] = pok.sum(), q.sum(), (q * q).sum()
    t = out["tau2"][np.isfinite(out["tau2"])] - tau2
    s[_IX["nt"]], s[_IX["t1"]], s[_IX["t2"]] = t.size, t.sum(), (t * t).sum()
    conv = out["conv"]
    s[_IX["conv"]] = ok.sum() if conv is None else np.asarray(conv)[ok].sum()
    return s


def run_blocks(sc: dict, methods: list, *, seed: int, scenario: int, blocks, block_size: int, reps: int):
    """Simulate and fit the given blocks of one scenario.

    Parameters
    ----------
    sc : dict
        Validated scenario.
    methods : list of dict
        Validated methods (``kind`` "iv", "binary" or "bias"; ``estimator``, ``test``,
        ``pi_method``).
    seed, scenario : int
        The run's seed and the scenario's index in the grid.
    blocks : sequence of int
        Block indices to run; block ``b`` holds replications ``b*block_size`` up to
        ``min((b+1)*block_size, reps)``.
    block_size, reps : int

    Returns
    -------
    ndarray (len(blocks), len(methods), len(STATS))
        Sufficient statistics per block and method (sum them over blocks, in order).
    """
    out = np.zeros((len(blocks), len(methods), len(STATS)))
    level, alpha = sc["level"], 1.0 - sc["level"]
    for i, b in enumerate(blocks):
        n = min(block_size, reps - b * block_size)
        y, v, cells = generate(block_rng(seed, scenario, b), n, sc)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for j, m in enumerate(methods):
                res = _fit_method(m, y, v, cells, level)
                out[i, j] = _block_stats(res, sc["mu"], sc["tau2"], alpha)
    return out


def performance(stats: np.ndarray) -> dict:
    """Performance measures and Monte Carlo SEs from summed sufficient statistics.

    Parameters
    ----------
    stats : ndarray (..., len(STATS))
        Sums over all blocks.

    Returns
    -------
    dict
        ``name -> (estimate, mcse)`` arrays over the leading shape, for ``bias``,
        ``empirical_se``, ``mse``, ``coverage``, ``ci_width``, ``rejection`` (power, or
        type I error when the true effect is 0), ``pi_coverage``, ``tau2_bias``, and
        ``n_valid``/``converged`` counts (mcse NaN).

    Notes
    -----
    With :math:`e_i = \\hat\\theta_i - \\theta` over :math:`n` replications (Morris et al.
    2019, Table 6): bias :math:`\\bar e`, MCSE :math:`\\sqrt{S^2/n}`; empirical SE
    :math:`S = \\sqrt{\\sum (e_i - \\bar e)^2/(n-1)}`, MCSE :math:`S/\\sqrt{2(n-1)}`; MSE
    :math:`\\overline{e^2}`, MCSE :math:`\\sqrt{\\sum(e_i^2 - \\mathrm{MSE})^2/(n(n-1))}`;
    coverage and rejection :math:`\\hat p`, MCSE :math:`\\sqrt{\\hat p(1-\\hat p)/n}`; mean
    width :math:`\\bar w`, MCSE :math:`s_w/\\sqrt n`. The prediction-interval coverage of
    a replication is the probability that a new study's true effect,
    :math:`N(\\mu, \\tau^2)`, falls inside it (an indicator when :math:`\\tau^2 = 0`).
    """
    g = {name: stats[..., i] for name, i in _IX.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        n = g["n"]
        bias = g["e1"] / n
        var = (g["e2"] - n * bias**2) / (n - 1)
        empse = np.sqrt(np.maximum(var, 0.0))
        mse = g["e2"] / n
        mse_mcse = np.sqrt(np.maximum(g["e4"] - n * mse**2, 0.0) / (n * (n - 1)))
        cov = g["cover"] / g["nci"]
        w = g["w1"] / g["nci"]
        w_sd = np.sqrt(np.maximum((g["w2"] - g["nci"] * w**2) / (g["nci"] - 1), 0.0))
        rej = g["reject"] / g["npv"]
        pic = g["pi1"] / g["npi"]
        pic_sd = np.sqrt(np.maximum((g["pi2"] - g["npi"] * pic**2) / (g["npi"] - 1), 0.0))
        tb = g["t1"] / g["nt"]
        t_sd = np.sqrt(np.maximum((g["t2"] - g["nt"] * tb**2) / (g["nt"] - 1), 0.0))
        nan = np.full(n.shape, np.nan)
        return {
            "bias": (bias, empse / np.sqrt(n)),
            "empirical_se": (empse, empse / np.sqrt(2 * (n - 1))),
            "mse": (mse, mse_mcse),
            "coverage": (cov, np.sqrt(cov * (1 - cov) / g["nci"])),
            "ci_width": (w, w_sd / np.sqrt(g["nci"])),
            "rejection": (rej, np.sqrt(rej * (1 - rej) / g["npv"])),
            "pi_coverage": (pic, pic_sd / np.sqrt(g["npi"])),
            "tau2_bias": (tb, t_sd / np.sqrt(g["nt"])),
            "n_valid": (n, nan),
            "converged": (g["conv"], nan),
        }
