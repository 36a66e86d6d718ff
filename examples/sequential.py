"""Trial sequential analysis of two classic cumulative meta-analyses (a worked example).

- Streptokinase after myocardial infarction: the 33 trials of Lau et al. (1992),
  ``metaevidence.datasets.load_lau1992()``; the same trials as examples/streptokinase/.
- Intravenous magnesium after myocardial infarction: the 22 trials of the Cochrane review of
  Li et al. (2007), ``metaevidence.datasets.load_li2007()``, where early "significant"
  meta-analyses (Teo et al. 1991; Yusuf et al. 1993) were contradicted by ISIS-4 (1995).

Each trial is a look, in order of publication (ties by name, as the streptokinase walkthrough
adds them). The cumulative Z is the pooled log risk ratio over its SE, for the common-effect
(Mantel-Haenszel) model and the random-effects model (REML tau^2, z test; diversity-adjusted
required information size). The assumptions are written down before the look at the
results, as a protocol would: control event proportion = the pooled control-arm proportion of
all trials (the TSA manual's usual choice), relative risk reduction 20%, alpha 5% two-sided,
power 80%, O'Brien-Fleming-type Lan-DeMets spending, beta-spending futility boundaries.

Usage (from the repository root)::

    python examples/sequential.py     # rewrites the four *-tsa-*.png figures and prints the answers
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import metaevidence as me  # noqa: E402
from metaevidence.core.sequential import diversity  # noqa: E402

RRR = 0.2


def looks(data, name: str, model: str):
    """The sequential analysis of ``data`` (one row per trial) under ``model``."""
    d = data.assign(_name=data[name]).sort_values(["year", "_name"], kind="stable").reset_index(drop=True)
    labels = [f"{n} {y}" for n, y in zip(d["_name"], d["year"], strict=True)]
    if model == "common":
        fit = me.mantel_haenszel(ai=d.ai, n1i=d.n1i, ci=d.ci, n2i=d.n2i, measure="RR", labels=labels)
        het = 0.0
    else:
        es = me.effect_sizes("RR", ai=d.ai, n1i=d.n1i, ci=d.ci, n2i=d.n2i, labels=labels)
        fit = me.meta_analysis(es, method="REML", test="z")
        het = diversity(np.asarray(fit.vi), float(fit.tau2))
    cum = me.cumulative(fit, order=np.arange(len(d)))
    z = np.asarray(cum.estimate) / np.asarray(cum.se)
    n = np.cumsum(d.n1i + d.n2i).to_numpy(dtype=float)
    control = float(d.ci.sum() / d.n2i.sum())
    size = me.required_information_size(
        control_risk=round(control, 3),
        rrr=RRR,
        adjustment="none" if model == "common" else "D2",
        heterogeneity=het,
    )
    res = me.trial_sequential_analysis(
        z,
        n,
        required_information=size,
        futility=True,
        estimate=float(fit.estimate),
        se=float(fit.se),
        labels=labels,
        lower_is_better=True,
    )
    return res, d


def answer(res) -> dict:
    def year(k):
        return None if k is None else res.labels[k]

    return {
        "first_conventional": year(res.first_conventional),
        "first_crossing": year(res.first_crossing),
        "required": res.required_information,
        "verdict": res.verdict,
        "rr": float(np.exp(res.estimate)),
        "adjusted_ci": (float(np.exp(res.adjusted_ci_lower)), float(np.exp(res.adjusted_ci_upper))),
    }


def main() -> int:
    from metaevidence.plots import save_figure

    cases = (
        ("streptokinase", me.datasets.load_lau1992(), "trial"),
        ("magnesium", me.datasets.load_li2007(), "study"),
    )
    for review, data, name in cases:
        for model in ("common", "random"):
            res, _ = looks(data, name, model)
            fig = me.sequential_plot(
                res,
                title=f"{review.capitalize()}: trial sequential analysis ({model} effect, RR)",
                favours=("Favours control", "Favours treatment"),
            )
            save_figure(fig, HERE / review / f"{review}-tsa-{model}.png")
            a = answer(res)
            print(f"{review} {model}: {a}")
            for k in range(res.z.size):
                print(
                    f"  {res.labels[k]:<20} N={res.information[k]:>7.0f} t={res.fractions[k]:6.3f} "
                    f"Z={res.z[k]:7.3f} boundary={res.upper[k]:7.3f}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
