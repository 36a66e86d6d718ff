"""``metaevidence simulate SPEC.yaml``: a simulation study from a YAML spec to files.

The spec (every key but ``scenarios`` and ``methods`` optional)::

    scenarios:            # a grid: every combination of the listed values
      k: [2, 3, 5, 10, 20]
      tau2: [0, 0.05, 0.2]
      size_pattern: [equal, one-large]
    methods: [DL, DL+knha, REML+knha]
    reps: 10000           # replications per scenario
    seed: 20140218
    block_size: 1000      # the unit of random streams (changing it changes the draws)
    blocks_per_task: 4    # grouping of blocks into tasks (never changes the numbers)
    cluster: local        # optional: run on a dask.distributed LocalCluster ...
    n_workers: 2          # ... of this many worker processes
    scheduler: tcp://host:8786   # or on an existing Dask scheduler
    plots: [coverage, rejection, ci_width, bias]

Written to the output folder (default: next to the spec, ``<spec stem>-results/``),
atomically: ``performance.csv`` (the tidy table), ``<measure>.csv`` (wide tables, one
row per scenario, one column per method) and ``<measure>.png``/``.svg`` (the measure
against k, one line per method).
"""

from __future__ import annotations

import io
from pathlib import Path

from metaevidence._fileio import atomic_write
from metaevidence.errors import RecordProblem, SpecError

__all__ = ["read_simulation_spec", "run_simulation_spec", "SPEC_KEYS"]

#: Top-level keys of a simulation spec.
SPEC_KEYS = (
    "scenarios",
    "methods",
    "reps",
    "seed",
    "block_size",
    "blocks_per_task",
    "cluster",
    "n_workers",
    "scheduler",
    "plots",
)
_DEFAULT_PLOTS = ("coverage", "rejection", "ci_width", "bias")


def _problem(path, line, field, message):
    return SpecError([RecordProblem(Path(path), line, field, message)])


def read_simulation_spec(path) -> dict:
    """Read and check a simulation spec; a :class:`SpecError` names file:line and key."""
    from metaevidence._schema.yamlload import YMap, read_yaml, to_plain

    path = Path(path)
    tree, problems = read_yaml(path, noun="simulation spec")
    if problems:
        raise SpecError(problems)
    if not isinstance(tree, YMap):
        raise _problem(path, getattr(tree, "line", 1), "", "a simulation spec must be a mapping of keys")
    lines = {key: line for key, line, _ in tree.items}
    spec = to_plain(tree)
    for key in spec:
        if key not in SPEC_KEYS:
            raise _problem(
                path, lines[key], key, f"is not a simulation spec key; allowed: {', '.join(SPEC_KEYS)}"
            )
    for key in ("scenarios", "methods"):
        if key not in spec:
            raise _problem(path, 1, key, "is required")
    spec["_lines"] = lines
    return spec


def run_simulation_spec(path, out=None, *, progress=True) -> tuple[Path, object]:
    """Run the spec at ``path``; write tables and plots to ``out``; return (out, Simulation)."""
    import metaevidence as me

    path = Path(path)
    spec = read_simulation_spec(path)
    lines = spec.pop("_lines")
    plots = spec.pop("plots", list(_DEFAULT_PLOTS))
    scheduler = spec.pop("scheduler", None)
    out = Path(out) if out is not None else path.with_name(f"{path.stem}-results")
    client = None
    try:
        if scheduler is not None:
            from distributed import Client

            client = Client(scheduler)
        sim = me.simulate(**spec, client=client, progress=progress)
    except ValueError as exc:
        msg = str(exc)
        key = "methods" if "method" in msg.split(":")[-1][:40] else "scenarios"
        for name in ("reps", "seed", "block_size", "blocks_per_task", "cluster", "n_workers"):
            if msg.startswith(f"simulate: {name}") or msg.startswith(name):
                key = name
        raise _problem(path, lines.get(key, 1), key, msg) from None
    finally:
        if client is not None:
            client.close()
    from metaevidence.plots.simulation import MEASURE_LABELS

    bad = [p for p in plots if p not in MEASURE_LABELS] if isinstance(plots, list) else [plots]
    if bad:
        raise _problem(
            path,
            lines.get("plots", 1),
            "plots",
            f"must list measures among {', '.join(MEASURE_LABELS)}; got {bad}",
        )
    _write(out, sim, plots)
    return out, sim


def _csv(frame, **kw) -> bytes:
    buf = io.StringIO()
    frame.to_csv(buf, lineterminator="\n", float_format="%.10g", **kw)
    return buf.getvalue().encode()


def _write(out: Path, sim, plots) -> None:
    from metaevidence.plots.output import save_figure
    from metaevidence.plots.simulation import simulation_plot

    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / "performance.csv", _csv(sim.performance, index=False))
    for measure in plots:
        atomic_write(out / f"{measure}.csv", _csv(sim.wide(measure)))
        fig = simulation_plot(sim, measure)
        save_figure(fig, out / f"{measure}.png", dpi=150)
        save_figure(fig, out / f"{measure}.svg")
