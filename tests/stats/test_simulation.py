"""Simulation studies: reproducibility across chunkings and backends, known coverage,
Monte Carlo SEs, and clear errors for bad scenario specs."""

import subprocess
import sys

import numpy as np
import pytest

import metaevidence as me
from metaevidence.core import simulate as core_sim

GRID = {"k": [3, 8], "tau2": [0.0, 0.1], "size_pattern": ["equal", "one-large"]}
METHODS = ["DL", "DL+knha", "REML+adhoc"]


def _run(**kw):
    return me.simulate(GRID, METHODS, reps=1100, seed=7, block_size=250, **kw)


def test_same_seed_same_numbers_for_any_chunking():
    a = _run(blocks_per_task=1)
    b = _run(blocks_per_task=3)
    c = _run(blocks_per_task=100)
    assert np.array_equal(a.stats, b.stats) and np.array_equal(a.stats, c.stats)
    assert a.performance.equals(c.performance)
    # a different seed gives different draws
    d = me.simulate(GRID, METHODS, reps=1100, seed=8, block_size=250)
    assert not np.array_equal(a.stats, d.stats)


def test_block_streams_are_spawned_seed_sequences():
    # block b of scenario s is the b-th child of the s-th child of SeedSequence(seed)
    child = np.random.SeedSequence(7).spawn(3)[2].spawn(5)[4]
    expect = np.random.Generator(np.random.PCG64(child)).random(4)
    assert np.array_equal(core_sim.block_rng(7, 2, 4).random(4), expect)


def test_local_cluster_matches_in_process():
    # dask[distributed] is in the test extra: the cluster path is always tested (no skip)
    a = _run(blocks_per_task=2)
    b = _run(blocks_per_task=5, cluster="local", n_workers=2)
    assert b.backend == "dask-local"
    assert np.array_equal(a.stats, b.stats)
    assert a.performance.equals(b.performance)


def test_z_interval_covers_95_percent_when_tau2_is_zero():
    # common-effect data, the common-effect model and the z interval: exact 95% coverage
    sim = me.simulate({"k": [2, 10], "tau2": 0.0, "variances": [[0.01, 0.2]]}, ["EE"], reps=20000, seed=3)
    cov = sim.performance.query("measure == 'coverage'")
    for est, se in zip(cov["estimate"], cov["mcse"]):
        assert se == pytest.approx(np.sqrt(0.95 * 0.05 / 20000), rel=0.05)
        assert abs(est - 0.95) < 3 * se
    # the type I error of the z test is 5% within Monte Carlo error
    rej = sim.performance.query("measure == 'rejection'")
    assert all(abs(rej["estimate"] - 0.05) < 3 * rej["mcse"])
    bias = sim.performance.query("measure == 'bias'")
    assert all(abs(bias["estimate"]) < 3 * bias["mcse"])


def test_dl_undercovers_with_few_studies_and_hksj_does_not():
    sim = me.simulate({"k": 3, "tau2": 0.2, "n": 100}, ["DL", "DL+knha"], reps=10000, seed=11)
    cov = sim.wide("coverage")
    se = sim.wide("coverage", mcse=True)
    assert cov["DL"].iloc[0] < 0.95 - 5 * se["DL"].iloc[0]
    assert abs(cov["DL+knha"].iloc[0] - 0.95) < 3 * se["DL+knha"].iloc[0]


def test_measures_equal_direct_computation():
    # the measures from block sums equal those computed from the replications themselves
    sc = {"k": 6, "tau2": 0.05, "mu": 0.3}
    sim = me.simulate(sc, ["REML+knha"], reps=700, seed=5, block_size=300)
    from metaevidence.core.fit import fit
    from metaevidence.stats.simulation import _check_scenario

    scn = _check_scenario(0, sc)
    ys, vs = zip(
        *[core_sim.generate(core_sim.block_rng(5, 0, b), n, scn)[:2] for b, n in enumerate((300, 300, 100))]
    )
    r = fit(np.vstack(ys), np.vstack(vs), method="REML", test="knha", warn=False)
    e = r.estimate - 0.3
    perf = sim.performance.set_index("measure")
    assert perf.loc["bias", "estimate"] == pytest.approx(e.mean(), rel=1e-10)
    assert perf.loc["bias", "mcse"] == pytest.approx(e.std(ddof=1) / np.sqrt(700), rel=1e-9)
    assert perf.loc["empirical_se", "estimate"] == pytest.approx(e.std(ddof=1), rel=1e-9)
    assert perf.loc["empirical_se", "mcse"] == pytest.approx(e.std(ddof=1) / np.sqrt(2 * 699), rel=1e-9)
    mse = np.mean(e**2)
    assert perf.loc["mse", "estimate"] == pytest.approx(mse, rel=1e-10)
    assert perf.loc["mse", "mcse"] == pytest.approx(
        np.sqrt(np.sum((e**2 - mse) ** 2) / (700 * 699)), rel=1e-8
    )
    cover = (r.ci_lower <= 0.3) & (0.3 <= r.ci_upper)
    assert perf.loc["coverage", "estimate"] == pytest.approx(cover.mean(), rel=1e-12)
    w = r.ci_upper - r.ci_lower
    assert perf.loc["ci_width", "estimate"] == pytest.approx(w.mean(), rel=1e-10)
    assert perf.loc["ci_width", "mcse"] == pytest.approx(w.std(ddof=1) / np.sqrt(700), rel=1e-8)
    assert perf.loc["rejection", "estimate"] == pytest.approx(np.mean(r.p_value < 0.05), rel=1e-12)
    assert perf.loc["tau2_bias", "estimate"] == pytest.approx(np.mean(r.tau2) - 0.05, rel=1e-9)
    assert perf.loc["n_valid", "estimate"] == 700


def test_binary_scenarios_and_methods():
    sim = me.simulate(
        {"k": 6, "data": "binary", "n": 200, "control_rate": 0.1, "mu": 0.0},
        ["DL", "MH", "PETO", "egger"],
        reps=1500,
        seed=2,
    )
    rej = sim.wide("rejection")
    se = sim.wide("rejection", mcse=True)
    for m in ("MH", "PETO"):  # common-effect data: MH and Peto tests keep their level
        assert abs(rej[m].iloc[0] - 0.05) < 4 * se[m].iloc[0]
    assert np.isnan(sim.wide("bias")["egger"].iloc[0])


def test_selection_makes_egger_reject_more_often():
    base = {"k": 10, "tau2": 0.0, "mu": 0.2, "size_pattern": "half-large", "n": 40}
    sims = [
        me.simulate({**base, "selection": sel}, ["egger", "DL"], reps=3000, seed=4)
        for sel in (None, {"alpha": 0.05, "weight": 0.1, "side": "positive"})
    ]
    (none, sel), (se0, se1) = ([s.wide("rejection", mcse=m)["egger"].iloc[0] for s in sims] for m in (0, 1))
    assert abs(none - 0.05) < 3 * se0  # no selection: Egger's test keeps its level
    assert sel > none + 10 * se1  # selection of significant small studies is detected
    bias, bias_se = (sims[1].wide("bias", mcse=m)["DL"].iloc[0] for m in (0, 1))
    assert bias > 10 * bias_se  # and biases the pooled estimate upwards


def test_in_process_path_imports_no_dask():
    code = (
        "import sys, metaevidence as me\n"
        "me.simulate({'k': 3}, ['DL'], reps=50, seed=1)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=".")


@pytest.mark.parametrize(
    ("scenarios", "methods", "match"),
    [
        ({"kk": 3}, ["DL"], r"scenario 0: unknown key\(s\) \['kk'\]; allowed: k, tau2"),
        ({"k": [3, 1]}, ["DL"], r"scenario 1: k must be an integer >= 2; got 1"),
        ({"tau2": -0.1}, ["DL"], r"scenario 0: tau2 must be a number >= 0; got -0.1"),
        ({"data": "counts"}, ["DL"], r"data must be 'continuous' or 'binary'; got 'counts'"),
        ({"size_pattern": "big"}, ["DL"], r"size_pattern must be one of equal, one-large"),
        ({"control_rate": 1.0}, ["DL"], r"control_rate must be strictly between 0 and 1"),
        ({"selection": {"weight": 0}}, ["DL"], r"selection.weight must be a number > 0"),
        ({"selection": {"wt": 0.5}}, ["DL"], r"selection has unknown key\(s\) \['wt'\]"),
        ({"variances": [0.1]}, ["DL"], r"variances must be a pair \[low, high\]"),
        ({"k": 3}, ["XX"], r"method estimator must be one of EE, FE, DL.*got 'XX'"),
        ({"k": 3}, ["DL+t"], r"method test must be one of z, knha, adhoc; got 't'"),
        ({"k": 3}, ["MH"], r"scenario 0: method MH needs data: binary; got 'continuous'"),
        ({"k": 2}, ["egger"], r"method egger needs k >= 3"),
        ({"k": 3}, ["DL", "DL+z"], r"methods must be distinct"),
        ({"k": 3}, "DL", r"methods must be a non-empty list"),
        ([], ["DL"], r"scenarios must be a mapping"),
    ],
)
def test_bad_specs_get_clear_messages(scenarios, methods, match):
    with pytest.raises(ValueError, match=match):
        me.simulate(scenarios, methods, reps=10)


def test_bad_run_options():
    with pytest.raises(ValueError, match=r"simulate: reps must be an integer >= 2; got 1"):
        me.simulate({"k": 3}, ["DL"], reps=1)
    with pytest.raises(ValueError, match=r"cluster must be None or 'local'; got 'yarn'"):
        me.simulate({"k": 3}, ["DL"], reps=10, cluster="yarn")
    with pytest.raises(ValueError, match=r"measure must be one of bias"):
        me.simulate({"k": 3}, ["DL"], reps=10).wide("power")


def test_progress_callback_sees_every_task():
    seen = []
    me.simulate({"k": [3, 4]}, ["DL"], reps=100, block_size=30, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(i, 8) for i in range(1, 9)]
