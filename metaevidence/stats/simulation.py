"""Simulation studies: a scenario grid x methods -> performance measures, at any scale.

:func:`simulate` expands a grid of scenarios, simulates every scenario in fixed blocks of
replications on the batched engine (:mod:`metaevidence.core.simulate`) and returns a
:class:`Simulation` whose ``performance`` table is tidy: one row per scenario, method
and measure, with the Monte Carlo standard error of each measure (Morris, White &
Crowther 2019). The work runs in-process by default (blocks one after another, so memory
stays bounded by one block whatever the number of replications), on a local Dask
cluster (``cluster="local"``) or on any Dask scheduler (``client=``); the numbers are the
same in every case and for every grouping of blocks into tasks (``blocks_per_task``).
Dask is imported only when asked for (``pip install metaevidence[dask]``).
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from metaevidence.core import simulate as _sim
from metaevidence.core.pool import PI_METHODS, TESTS
from metaevidence.core.tau2 import METHODS

__all__ = ["simulate", "Simulation", "SCENARIO_DEFAULTS", "parse_method"]

#: Every scenario key with its default (a grid gives lists of values for any of them).
SCENARIO_DEFAULTS = {
    "k": 5,
    "tau2": 0.0,
    "mu": 0.0,
    "data": "continuous",
    "n": 100,
    "size_pattern": "equal",
    "size_ratio": 10.0,
    "variances": None,
    "estimated_variance": False,
    "control_rate": 0.2,
    "small_study_effect": 0.0,
    "selection": None,
    "level": 0.95,
}
_SELECTION_KEYS = {"alpha": 0.05, "weight": 0.25, "side": "two-sided"}
_BINARY = ("MH", "PETO")
_BIAS = ("egger",)
MEASURES = (
    "bias",
    "empirical_se",
    "mse",
    "coverage",
    "ci_width",
    "rejection",
    "pi_coverage",
    "tau2_bias",
    "n_valid",
    "converged",
)


@dataclass(frozen=True, slots=True)
class Simulation:
    """Result of :func:`simulate`.

    Attributes
    ----------
    performance : pandas.DataFrame
        Tidy: columns ``scenario`` (index in the grid), the scenario parameters, ``method``,
        ``measure``, ``estimate``, ``mcse``; one row per scenario x method x measure.
        Measures: ``bias``, ``empirical_se``, ``mse``, ``coverage`` (of the CI),
        ``ci_width`` (mean), ``rejection`` (of H0: effect = 0 at 1 - level; power, or the
        type I error when ``mu = 0``), ``pi_coverage``, ``tau2_bias``, ``n_valid``
        (replications with a finite estimate) and ``converged``.
    scenarios : tuple of dict
        The expanded, validated scenarios (every default filled in).
    methods : tuple of str
        Method labels, in the order given.
    reps, seed, block_size : int
        Replications per scenario, the seed, and the block size (the unit of random
        streams: changing it changes the draws, grouping blocks into tasks does not).
    backend : str
        "in-process", "dask-local" or "dask".
    seconds : float
        Wall-clock time of the run.
    stats : numpy.ndarray (scenarios, methods, statistics)
        The summed sufficient statistics the table was computed from.
    """

    performance: Any
    scenarios: tuple
    methods: tuple
    reps: int
    seed: int
    block_size: int
    backend: str
    seconds: float
    stats: np.ndarray = field(repr=False)

    def to_frame(self):
        """The performance table (a copy)."""
        return self.performance.copy()

    def wide(self, measure: str, *, mcse: bool = False):
        """One measure as a table: a row per scenario (with the parameters that vary across
        the grid), a column per method; ``mcse=True`` gives the Monte Carlo SEs instead.
        """
        if measure not in MEASURES:
            raise ValueError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}")
        df = self.performance
        sub = df[df["measure"] == measure]
        table = sub.pivot(index="scenario", columns="method", values="mcse" if mcse else "estimate")
        table = table[list(self.methods)]
        table.columns.name = None
        params = df.drop_duplicates("scenario").set_index("scenario")[list(SCENARIO_DEFAULTS)]
        varying = [c for c in params.columns if params[c].astype(str).nunique() > 1]
        return params[varying].join(table)


def parse_method(spec) -> dict:
    """A method spec -> dict(label, kind, estimator, test, pi_method).

    ``"REML"`` or ``"REML+knha"`` (estimator + test, metafor spellings), ``"DL+knha+hts"``
    (with the prediction-interval method), ``"MH"``/``"PETO"`` (binary data) and
    ``"egger"`` (Egger's regression test; only ``rejection`` is reported); or a dict with
    keys ``estimator``, ``test``, ``pi_method``.
    """
    if isinstance(spec, dict):
        unknown = set(spec) - {"estimator", "test", "pi_method"}
        if unknown or "estimator" not in spec:
            raise ValueError(
                f"a method given as a mapping needs 'estimator' and may have 'test', 'pi_method'; "
                f"got keys {sorted(spec)}"
            )
        parts = [spec["estimator"], spec.get("test", "z"), spec.get("pi_method", "metafor")]
    elif isinstance(spec, str) and spec:
        parts = spec.split("+")
    else:
        raise ValueError(f"a method must be a string such as 'REML+knha' or a mapping; got {spec!r}")
    est = parts[0]
    if est in _BINARY or est in _BIAS:
        if len(parts) > 1:
            raise ValueError(f"method {est!r} takes no test or PI method; got {spec!r}")
        kind = "binary" if est in _BINARY else "bias"
        return dict(label=est, kind=kind, estimator=est, test="z", pi_method="metafor")
    if est not in METHODS:
        allowed = ", ".join((*METHODS, *_BINARY, *_BIAS))
        raise ValueError(f"method estimator must be one of {allowed}; got {est!r} in {spec!r}")
    test = parts[1] if len(parts) > 1 else "z"
    pim = parts[2] if len(parts) > 2 else "metafor"
    if test not in TESTS:
        raise ValueError(f"method test must be one of {', '.join(TESTS)}; got {test!r} in {spec!r}")
    if pim not in PI_METHODS or len(parts) > 3:
        raise ValueError(f"method PI method must be one of {', '.join(PI_METHODS)}; got {spec!r}")
    label = "+".join(p for p, d in zip((est, test, pim), (None, "z", "metafor")) if p != d)
    return dict(label=label, kind="iv", estimator=est, test=test, pi_method=pim)


def _expand(scenarios) -> list[dict]:
    """A grid (mapping of lists: crossed) or a list of mappings -> scenario dicts."""
    if isinstance(scenarios, dict):
        keys = list(scenarios)
        values = [
            v if isinstance(v, (list, tuple)) and k != "variances" else [v] for k, v in scenarios.items()
        ]
        if "variances" in scenarios and _is_list_of_pairs(scenarios["variances"]):
            values[keys.index("variances")] = list(scenarios["variances"])
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    if isinstance(scenarios, (list, tuple)) and scenarios and all(isinstance(s, dict) for s in scenarios):
        return [dict(s) for s in scenarios]
    raise ValueError(
        f"scenarios must be a mapping of parameter -> value(s) (a crossed grid) or a non-empty "
        f"list of mappings; got {type(scenarios).__name__}"
    )


def _is_list_of_pairs(v) -> bool:
    return isinstance(v, (list, tuple)) and bool(v) and all(isinstance(x, (list, tuple)) for x in v)


def _number(where, name, value, *, lo=None, hi=None, integer=False, lo_open=False):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and math.isfinite(float(value)) and (not integer or float(value) == int(value))
    if ok and lo is not None:
        ok = float(value) > lo if lo_open else float(value) >= lo
    if ok and hi is not None:
        ok = float(value) <= hi
    if not ok:
        kind = "an integer" if integer else "a number"
        rng = ""
        if lo is not None:
            rng += f" {'>' if lo_open else '>='} {lo}"
        if hi is not None:
            rng += f"{' and' if rng else ''} <= {hi}"
        raise ValueError(f"{where}: {name} must be {kind}{rng}; got {value!r}")
    return int(value) if integer else float(value)


def _check_scenario(i: int, raw: dict) -> dict:
    where = f"scenario {i}"
    unknown = sorted(set(raw) - set(SCENARIO_DEFAULTS))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}; allowed: {', '.join(SCENARIO_DEFAULTS)}")
    sc = {**SCENARIO_DEFAULTS, **raw}
    sc["k"] = _number(where, "k", sc["k"], lo=2, integer=True)
    sc["tau2"] = _number(where, "tau2", sc["tau2"], lo=0)
    sc["mu"] = _number(where, "mu", sc["mu"])
    sc["n"] = _number(where, "n", sc["n"], lo=4, integer=True)
    sc["size_ratio"] = _number(where, "size_ratio", sc["size_ratio"], lo=0, lo_open=True)
    sc["control_rate"] = _number(where, "control_rate", sc["control_rate"], lo=0, hi=1, lo_open=True)
    if sc["control_rate"] >= 1:
        raise ValueError(
            f"{where}: control_rate must be strictly between 0 and 1; got {sc['control_rate']!r}"
        )
    sc["small_study_effect"] = _number(where, "small_study_effect", sc["small_study_effect"])
    sc["level"] = _number(where, "level", sc["level"], lo=0, hi=1, lo_open=True)
    if sc["data"] not in ("continuous", "binary"):
        raise ValueError(f"{where}: data must be 'continuous' or 'binary'; got {sc['data']!r}")
    if sc["size_pattern"] not in _sim.SIZE_PATTERNS:
        raise ValueError(
            f"{where}: size_pattern must be one of {', '.join(_sim.SIZE_PATTERNS)}; got {sc['size_pattern']!r}"
        )
    if not isinstance(sc["estimated_variance"], bool):
        raise ValueError(
            f"{where}: estimated_variance must be true or false; got {sc['estimated_variance']!r}"
        )
    if sc["variances"] is not None:
        v = sc["variances"]
        if not (isinstance(v, (list, tuple)) and len(v) == 2):
            raise ValueError(f"{where}: variances must be a pair [low, high] (uniform) or null; got {v!r}")
        lo = _number(where, "variances[0]", v[0], lo=0, lo_open=True)
        hi = _number(where, "variances[1]", v[1], lo=lo)
        if sc["data"] == "binary":
            raise ValueError(f"{where}: variances apply to continuous data only (binary data use n)")
        sc["variances"] = (lo, hi)
    sc["selection"] = _check_selection(where, sc["selection"])
    return sc


def _check_selection(where, sel):
    if sel is None:
        return None
    if not isinstance(sel, dict):
        raise ValueError(
            f"{where}: selection must be a mapping with {', '.join(_SELECTION_KEYS)}; got {sel!r}"
        )
    unknown = sorted(set(sel) - set(_SELECTION_KEYS))
    if unknown:
        raise ValueError(
            f"{where}: selection has unknown key(s) {unknown}; allowed: {', '.join(_SELECTION_KEYS)}"
        )
    out = {**_SELECTION_KEYS, **sel}
    out["alpha"] = _number(where, "selection.alpha", out["alpha"], lo=0, hi=1, lo_open=True)
    out["weight"] = _number(where, "selection.weight", out["weight"], lo=0, hi=1, lo_open=True)
    if out["side"] not in ("two-sided", "positive"):
        raise ValueError(f"{where}: selection.side must be 'two-sided' or 'positive'; got {out['side']!r}")
    return out


def _tasks(n_scen: int, reps: int, block_size: int, blocks_per_task: int):
    n_blocks = -(-reps // block_size)
    return [
        (s, tuple(range(b, min(b + blocks_per_task, n_blocks))))
        for s in range(n_scen)
        for b in range(0, n_blocks, blocks_per_task)
    ]


def _run_task(task, methods, seed, block_size, reps):
    """One task: ``(scenario index, block indices, scenario)`` -> the blocks' sums.

    The task carries its own scenario (a few hundred bytes), so what is sent to a worker
    does not grow with the grid.
    """
    s, blocks, scenario = task
    return _sim.run_blocks(
        scenario, methods, seed=seed, scenario=s, blocks=blocks, block_size=block_size, reps=reps
    )


class _Progress:
    def __init__(self, total, show):
        self.total, self.done, self.show, self.t0 = total, 0, show, time.perf_counter()
        self.last = 0.0

    def step(self, n=1):
        self.done += n
        if self.show is False or self.show is None:
            return
        if callable(self.show):
            self.show(self.done, self.total)
            return
        now = time.perf_counter()
        if now - self.last > 0.5 or self.done == self.total:
            self.last = now
            el = now - self.t0
            eta = el / self.done * (self.total - self.done)
            print(
                f"\rsimulate: {self.done}/{self.total} tasks, {el:.1f} s, ~{eta:.0f} s left",
                end="",
                file=sys.stderr,
            )
            if self.done == self.total:
                print(file=sys.stderr)


def _collect_local(tasks, run, prog):
    parts = []
    for t in tasks:
        parts.append(run(t))
        prog.step()
    return parts


def _collect_dask(tasks, run, prog, client):
    from distributed import as_completed

    futures = client.map(run, tasks, pure=False)
    index = {f.key: i for i, f in enumerate(futures)}
    parts = [None] * len(tasks)
    for fut, result in as_completed(futures, with_results=True):
        parts[index[fut.key]] = result
        fut.release()
        prog.step()
    return parts


def simulate(
    scenarios,
    methods,
    *,
    reps: int = 1000,
    seed: int = 0,
    block_size: int = 1000,
    blocks_per_task: int = 1,
    client=None,
    cluster: str | None = None,
    n_workers: int = 2,
    progress=None,
) -> Simulation:
    """Run a simulation study: scenarios x methods -> tidy performance measures.

    Parameters
    ----------
    scenarios : mapping or list of mappings
        A mapping of parameter -> value or list of values is crossed into a grid (every
        combination); a list of mappings gives the scenarios one by one. Parameters (and
        defaults): ``k`` (5) studies, ``tau2`` (0) between-study variance, ``mu`` (0) true
        effect (log odds ratio for binary data), ``data`` ("continuous" or "binary"),
        ``n`` (100) total size of a study, ``size_pattern`` ("equal", "one-large",
        "quarter-large", "half-large", "one-small") with ``size_ratio`` (10) for the
        larger studies, ``variances`` (None, or ``[a, b]``: within-study variances
        U(a, b) instead of 4/n), ``estimated_variance`` (False: known variances),
        ``control_rate`` (0.2, binary), ``small_study_effect`` (0: shift of each true
        effect by this times the study's SE), ``selection`` (None, or ``{alpha, weight,
        side}``: non-significant studies published with probability ``weight``),
        ``level`` (0.95).
    methods : sequence
        Method specs (see :func:`parse_method`): ``"DL"``, ``"DL+knha"``,
        ``"REML+adhoc"``, ``"PM+knha+hts"``, ``"MH"``, ``"PETO"``, ``"egger"``.
    reps : int
        Replications (simulated meta-analyses) per scenario.
    seed : int
        One seed for the whole study; block b of scenario s uses
        ``SeedSequence(seed, spawn_key=(s, b))``.
    block_size : int
        Replications per block (the unit of random streams and of memory).
    blocks_per_task : int
        Blocks fitted per task (in-process chunk or Dask task); results do not depend on it.
    client : dask.distributed.Client, optional
        Run the tasks on this Dask scheduler.
    cluster : {"local"}, optional
        Start a ``dask.distributed.LocalCluster`` of ``n_workers`` (one thread each) for
        this call.
    n_workers : int
    progress : bool or callable, optional
        True prints progress to stderr; a callable gets ``(done, total)`` tasks.

    Returns
    -------
    Simulation

    Raises
    ------
    ValueError
        For an unknown scenario key or method, or a value out of range (the message names
        the scenario, the key, what is allowed and what was given).

    Example
    -------
    >>> import metaevidence as me
    >>> sim = me.simulate({"k": [3, 10], "tau2": 0.1}, ["DL", "DL+knha"], reps=200, seed=1)
    >>> sorted(sim.performance["method"].unique())
    ['DL', 'DL+knha']
    """
    reps = _number("simulate", "reps", reps, lo=2, integer=True)
    seed = _number("simulate", "seed", seed, lo=0, integer=True)
    block_size = _number("simulate", "block_size", block_size, lo=1, integer=True)
    blocks_per_task = _number("simulate", "blocks_per_task", blocks_per_task, lo=1, integer=True)
    scs = [_check_scenario(i, raw) for i, raw in enumerate(_expand(scenarios))]
    if isinstance(methods, (str, dict)) or not methods:
        raise ValueError(f"methods must be a non-empty list of method specs; got {methods!r}")
    ms = [parse_method(m) for m in methods]
    labels = [m["label"] for m in ms]
    if len(set(labels)) != len(labels):
        raise ValueError(f"methods must be distinct; got {labels}")
    for i, sc in enumerate(scs):
        for m in ms:
            if m["kind"] == "binary" and sc["data"] != "binary":
                raise ValueError(f"scenario {i}: method {m['label']} needs data: binary; got {sc['data']!r}")
            if m["kind"] == "bias" and sc["k"] < 3:
                raise ValueError(f"scenario {i}: method egger needs k >= 3; got k = {sc['k']}")
    if cluster not in (None, "local"):
        raise ValueError(f"cluster must be None or 'local'; got {cluster!r}")
    tasks = _tasks(len(scs), reps, block_size, blocks_per_task)
    prog = _Progress(len(tasks), progress)
    from functools import partial

    tasks = [(s, blocks, scs[s]) for s, blocks in tasks]
    run = partial(_run_task, methods=ms, seed=seed, block_size=block_size, reps=reps)
    t0 = time.perf_counter()
    if client is None and cluster is None:
        parts, backend = _collect_local(tasks, run, prog), "in-process"
    elif client is not None:
        parts, backend = _collect_dask(tasks, run, prog, client), "dask"
    else:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True) as lc, Client(lc) as c:
            parts = _collect_dask(tasks, run, prog, c)
        backend = "dask-local"
    seconds = time.perf_counter() - t0
    stats = np.zeros((len(scs), len(ms), len(_sim.STATS)))
    for (s, _, _), part in zip(tasks, parts):
        for block in part:  # block order within a scenario: tasks are in block order
            stats[s] += block
    return Simulation(
        performance=_frame(scs, labels, stats),
        scenarios=tuple(scs),
        methods=tuple(labels),
        reps=reps,
        seed=seed,
        block_size=block_size,
        backend=backend,
        seconds=seconds,
        stats=stats,
    )


def _frame(scs, labels, stats):
    import pandas as pd

    perf = _sim.performance(stats)
    rows = []
    for s, sc in enumerate(scs):
        params = {key: _cell(sc[key]) for key in SCENARIO_DEFAULTS}
        for j, label in enumerate(labels):
            for name in MEASURES:
                est, se = perf[name]
                rows.append(
                    {
                        "scenario": s,
                        **params,
                        "method": label,
                        "measure": name,
                        "estimate": float(est[s, j]),
                        "mcse": float(se[s, j]),
                    }
                )
    return pd.DataFrame(rows)


def _cell(value):
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, tuple):
        return f"U({value[0]:g}, {value[1]:g})"
    return value
