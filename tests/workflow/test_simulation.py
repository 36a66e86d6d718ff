"""`metaevidence simulate SPEC.yaml`: tables and plots written; bad specs are one message."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import metaevidence as me
from metaevidence.cli import main
from metaevidence.plots.simulation import simulation_plot

SPEC = """\
scenarios:
  k: [2, 4]
  tau2: [0, 0.1]
methods: [DL, DL+knha]
reps: 300
seed: 5
block_size: 100
blocks_per_task: 2
plots: [coverage, rejection]
"""


def test_simulate_command_writes_tables_and_plots(tmp_path, capsys):
    spec = tmp_path / "sim.yaml"
    spec.write_text(SPEC)
    assert main(["simulate", str(spec), "-q"]) == 0
    out = tmp_path / "sim-results"
    assert sorted(p.name for p in out.iterdir()) == [
        "coverage.csv",
        "coverage.png",
        "coverage.svg",
        "performance.csv",
        "rejection.csv",
        "rejection.png",
        "rejection.svg",
    ]
    assert "1,200 meta-analyses x 2 methods" in capsys.readouterr().out
    # the files hold the numbers of the same simulation run through the API
    sim = me.simulate({"k": [2, 4], "tau2": [0, 0.1]}, ["DL", "DL+knha"], reps=300, seed=5, block_size=100)
    table = pd.read_csv(out / "coverage.csv", index_col=0)
    assert list(table.columns) == ["k", "tau2", "DL", "DL+knha"]
    assert table["DL"].tolist() == pytest.approx(sim.wide("coverage")["DL"].tolist(), rel=1e-9)
    perf = pd.read_csv(out / "performance.csv")
    assert len(perf) == len(sim.performance)
    # same spec, same bytes
    first = (out / "coverage.svg").read_bytes()
    assert main(["simulate", str(spec), "-q"]) == 0
    assert (out / "coverage.svg").read_bytes() == first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenarios: {k: [3]}\nmethods: [DL]\nrepz: 3\n", r"sim.yaml:3: repz is not a simulation spec key"),
        (
            "scenarios: {k: [1]}\nmethods: [DL]\n",
            r"sim.yaml:1: scenarios scenario 0: k must be an integer >= 2",
        ),
        ("scenarios: {k: [3]}\nmethods: [DL, XX]\n", r"sim.yaml:2: methods method estimator must be one of"),
        ("scenarios: {k: [3]}\n", r"methods is required"),
        (
            "scenarios: {k: 3}\nmethods: [DL]\nreps: 20\nplots: [power]\n",
            r"sim.yaml:4: plots must list measures",
        ),
    ],
)
def test_bad_simulation_specs_are_one_message(tmp_path, capsys, text, message):
    spec = tmp_path / "sim.yaml"
    spec.write_text(text)
    assert main(["simulate", str(spec), "-q"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.search(message, err), err


def test_simulation_plot_draws_a_line_per_method_and_panel():
    sim = me.simulate({"k": [2, 5], "tau2": [0, 0.1]}, ["DL", "DL+knha"], reps=100, seed=1)
    fig = simulation_plot(sim, "coverage")
    assert len(fig.axes) == 2
    for ax in fig.axes:
        lines = [c for c in ax.containers]
        assert [c.get_label() for c in lines] == ["DL", "DL+knha"]
    with pytest.raises(ValueError, match="measure must be one of bias"):
        simulation_plot(sim, "power")
    with pytest.raises(ValueError, match="x must be a scenario parameter"):
        simulation_plot(sim, x="estimate")
