"""Bytes of batched fits, to compare across BLAS kernels and CPU dispatch targets.

    PYTHONPATH=. python benchmarks/engine_bytes.py > a.txt
    OPENBLAS_CORETYPE=Prescott PYTHONPATH=. python benchmarks/engine_bytes.py > b.txt
    NPY_DISABLE_CPU_FEATURES="X86_V3" PYTHONPATH=. python benchmarks/engine_bytes.py > c.txt
    cmp a.txt b.txt && cmp a.txt c.txt

Prints a short hash of the result arrays of REML, ML, PM and DL fits (and a masked
REML fit) for several batch shapes; the files must be identical.
"""

import hashlib

import numpy as np

from metaevidence.core.fit import fit


def data(n, k, seed=20240601):
    rng = np.random.default_rng(seed)
    v = rng.uniform(0.005, 0.2, (n, k))
    y = 0.3 + rng.normal(0.0, np.sqrt(v + 0.05))
    return y, v


out = {}
for n, k in [(2000, 20), (3000, 5), (500, 40), (20000, 20)]:
    y, v = data(n, k)
    for m in ["REML", "ML", "PM", "DL"]:
        r = fit(y, v, method=m, test="knha", warn=False)
        h = hashlib.sha256()
        for f in [
            "estimate",
            "se",
            "p_value",
            "ci_lower",
            "ci_upper",
            "tau2",
            "tau2_se",
            "q",
            "q_p_value",
            "i2",
            "pi_lower",
            "weights",
            "iterations",
        ]:
            h.update(np.ascontiguousarray(getattr(r, f)).tobytes())
        out[(n, k, m)] = h.hexdigest()[:12]
    mask = np.random.default_rng(1).random((n, k)) > 0.2
    r = fit(y, v, mask=mask, method="REML", test="knha", warn=False)
    h = hashlib.sha256()
    for f in ["estimate", "se", "p_value", "tau2", "tau2_se", "q_p_value"]:
        h.update(np.ascontiguousarray(getattr(r, f)).tobytes())
    out[(n, k, "mask")] = h.hexdigest()[:12]
for kk, vv in out.items():
    print(kk, vv)
