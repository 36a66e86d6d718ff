"""Throughput and memory of ``metaevidence.simulate``, in-process and on a LocalCluster.

    python benchmarks/simulation.py [--reps 200000] [--json benchmarks/simulation_result.json]

Workload: one scenario, k = 20 studies, tau^2 = 0.05, mu = 0.3, within-study variances
U(0.005, 0.2) (the engine benchmark's data), method REML + Hartung-Knapp; blocks of 10,000
replications. Measures analyses per second (data generation + fit + performance sums)
in-process and on a ``dask.distributed.LocalCluster`` of 2 single-threaded worker
processes (cluster start-up timed separately), and the peak resident memory of fresh
processes running 10^4 ... 10^6 replications in-process (it must not grow with reps;
VmHWM from /proc, since ru_maxrss of a child carries its parent's peak over exec).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time

import numpy as np

SC = {"k": 20, "tau2": 0.05, "mu": 0.3, "variances": [[0.005, 0.2]]}
METHODS = ["REML+knha"]
BLOCK = 10_000

_MEM = """
import metaevidence as me
import metaevidence.stats.simulation, pandas, scipy.special

def hwm():  # peak resident set of this process (fresh at exec, unlike ru_maxrss)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

before = hwm()
sim = me.simulate({sc!r}, {methods!r}, reps={reps}, seed=1, block_size={block})
print(before, hwm(), sim.seconds)
"""


def in_process(reps):
    import metaevidence as me

    me.simulate(SC, METHODS, reps=BLOCK, seed=0, block_size=BLOCK)  # warm-up
    sim = me.simulate(SC, METHODS, reps=reps, seed=1, block_size=BLOCK)
    return sim


def on_cluster(reps, workers):
    from distributed import Client, LocalCluster

    import metaevidence as me

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as lc, Client(lc) as c:
        startup = time.perf_counter() - t0
        me.simulate(SC, METHODS, reps=workers * BLOCK, seed=0, block_size=BLOCK, client=c)  # warm-up
        sim = me.simulate(SC, METHODS, reps=reps, seed=1, block_size=BLOCK, blocks_per_task=2, client=c)
    return sim, startup


def task_sizes():
    """Bytes that cross the network per task: the pickled function with its arguments
    (sent once per task unless scattered) and the result (the block sums)."""
    import pickle
    from functools import partial

    from metaevidence.stats import simulation as S

    scs = [S._check_scenario(0, raw) for raw in S._expand(SC)]
    ms = [S.parse_method(m) for m in METHODS]
    run = partial(S._run_task, methods=ms, seed=1, block_size=BLOCK, reps=10 * BLOCK)
    task = (0, (0, 1), scs[0])
    result = run(task)
    return {"task_bytes": len(pickle.dumps((run, task))), "result_bytes_2_blocks": len(pickle.dumps(result))}


def dask_overhead(workers, n_tasks=400):
    """Seconds per task of scheduling on the LocalCluster: tiny tasks (one block of 20
    replications, k = 5, DL), wall time per task minus their in-process time."""
    from distributed import Client, LocalCluster

    import metaevidence as me

    sc, kw = {"k": 5}, dict(reps=20 * n_tasks, seed=1, block_size=20)
    local = me.simulate(sc, ["DL"], **kw).seconds
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as lc, Client(lc) as c:
        me.simulate(sc, ["DL"], reps=400, seed=0, block_size=20, client=c)
        remote = me.simulate(sc, ["DL"], **kw, client=c).seconds
    return {
        "tasks": n_tasks,
        "in_process_s": local,
        "cluster_s": remote,
        "per_task_overhead_s": (remote - local / workers) / n_tasks,
    }


def memory(reps):
    code = _MEM.format(sc=SC, methods=METHODS, reps=reps, block=BLOCK)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=".")
    before, after, secs = out.stdout.split()
    return {
        "reps": reps,
        "peak_rss_after_imports_MiB": int(before) / 1024,
        "peak_rss_MiB": int(after) / 1024,
        "seconds": float(secs),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=200_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args()
    load = open("/proc/loadavg").read().split()[:3] if platform.system() == "Linux" else []
    sim = in_process(a.reps)
    local = {"reps": a.reps, "seconds": sim.seconds, "analyses_per_s": a.reps / sim.seconds}
    csim, startup = on_cluster(a.reps, a.workers)
    cluster = {
        "reps": a.reps,
        "workers": a.workers,
        "seconds": csim.seconds,
        "analyses_per_s": a.reps / csim.seconds,
        "cluster_startup_s": startup,
        "identical_to_in_process": bool(np.array_equal(sim.stats, csim.stats)),
    }
    mem = [memory(r) for r in (10_000, 100_000, 1_000_000)]
    overhead = dask_overhead(a.workers)
    sizes = task_sizes()
    res = {
        "workload": {"scenario": SC, "methods": METHODS, "block_size": BLOCK},
        "load_average_at_start": load,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "in_process": local,
        "local_cluster": cluster,
        "memory": mem,
        "dask_overhead": overhead,
        "network": sizes,
        "memory_note": "VmHWM (peak RSS) of a fresh process after its imports and after the run",
    }
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(res, fh, indent=2)
            fh.write("\n")


if __name__ == "__main__":
    main()
