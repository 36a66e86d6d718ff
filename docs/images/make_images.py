"""Regenerate the figures in docs/images/ from the teaching datasets.

    python docs/images/make_images.py            (from the repository root)

Every number comes from the package's own fits (``effect_sizes``, ``meta_analysis``,
``cumulative``); the figures only draw them. Output is deterministic: running the
script again rewrites byte-identical files.

* forest-bcg.png               BCG vaccine, 13 trials, odds ratio, REML + Hartung-Knapp
* forest-bcg-subgroups.png     the same trials by method of treatment allocation
* cumulative-streptokinase.png streptokinase for myocardial infarction (Lau et al. 1992),
                               33 trials added in order of publication
* forest-150.png               150 synthetic trials (seeded), DerSimonian-Laird
* funnel-bcg.png               BCG, contour-enhanced funnel plot
* prisma-example.png           PRISMA 2020 flow of the ledger example in docs/review-ledger.md
* labbe-bcg.png, radial-bcg.png, qq-bcg.png, tau2-profile-bcg.png, drapery-bcg.png
                               BCG, the diagnostic plots of docs/diagnostics.md
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import metaevidence as me  # noqa: E402
from metaevidence.plots import forest_plot, funnel_plot, save_figure  # noqa: E402

OUT = Path(__file__).resolve().parent
#: Resolution of the documentation images (the package default for PNG is 300 dpi; 200
#: keeps the repository light and is still sharp on high-density screens).
DPI = 200


def bcg_effects():
    d = me.datasets.load_bcg()
    return me.effect_sizes(
        "OR",
        ai=d.tpos,
        bi=d.tneg,
        ci=d.cpos,
        di=d.cneg,
        labels=[f"{a} {y}" for a, y in zip(d.author, d.year)],
        study_info={"year": d.year.to_numpy(), "alloc": d.alloc.to_numpy()},
        group_labels=("BCG vaccine", "Control"),
    )


def subgroups_by_allocation(es, names):
    """Separate REML fits per allocation method, the overall REML fit, and RevMan's test
    for subgroup differences (the common-effect Q across the subgroup estimates), all
    from ``meta_analysis``; shaped as the SubgroupAnalysis contract (docs/developing.md).
    """
    alloc = np.asarray(es.study_info["alloc"])
    fits = [me.meta_analysis(es.subset(np.flatnonzero(alloc == key)), method="REML") for key in names]
    between = me.meta_analysis([f.estimate for f in fits], [f.se**2 for f in fits], method="EE")
    return SimpleNamespace(
        groups=tuple(names.values()),
        subgroups=tuple(fits),
        overall=me.meta_analysis(es, method="REML"),
        group_of=tuple(names[a] for a in alloc),
        q_between=between.q,
        q_between_df=between.q_df,
        q_between_p_value=between.q_p_value,
        tau2_common=False,
    )


def streptokinase_cumulative():
    d = me.datasets.load_lau1992()
    es = me.effect_sizes(
        "OR",
        ai=d.ai,
        n1i=d.n1i,
        ci=d.ci,
        n2i=d.n2i,
        labels=[f"{t} {y}" for t, y in zip(d.trial, d.year)],
        study_info={"year": d.year.to_numpy()},
        group_labels=("Streptokinase", "Control"),
    )
    return me.cumulative(me.meta_analysis(es, method="REML"), order="year")


def synthetic(k=150, seed=20240501):
    """K two-arm trials with true log odds ratios ~ N(-0.3, 0.35^2), seeded."""
    rng = np.random.default_rng(seed)
    n1 = np.round(np.exp(rng.uniform(np.log(20), np.log(3000), k))).astype(int)
    n2 = np.round(n1 * rng.uniform(0.8, 1.25, k)).astype(int)
    p2 = rng.uniform(0.05, 0.4, k)
    theta = rng.normal(-0.3, 0.35, k)
    p1 = 1 / (1 + np.exp(-(np.log(p2 / (1 - p2)) + theta)))
    ai, ci = rng.binomial(n1, p1), rng.binomial(n2, p2)
    years = np.sort(rng.integers(1970, 2024, k))
    names = [
        "Smith",
        "Okafor",
        "Nguyen",
        "García-Hernández",
        "Kowalczyk",
        "Andersson",
        "Tanaka",
        "O'Brien",
        "Müller",
        "Rossi",
        "Haddad",
        "Petrov",
        "Silva",
        "Chen",
        "Van der Berg",
        "Abdullahi",
        "Lindqvist",
        "Ivanova",
        "Patel",
    ]
    labels = [
        f"{names[i]}{' et al.' if etal else ''} {y}"
        for i, etal, y in zip(rng.integers(0, len(names), k), rng.random(k) < 0.4, years)
    ]
    labels[6] = "The Extraordinarily Long-Named Multicentre Collaborative Randomised Trial Group 1979"
    es = me.effect_sizes(
        "OR",
        ai=ai,
        n1i=n1,
        ci=ci,
        n2i=n2,
        labels=labels,
        study_info={"year": years},
        group_labels=("Treatment", "Control"),
    )
    return me.meta_analysis(es, method="DL")


def prisma_example():
    """The ledger of docs/review-ledger.md (its first YAML block), drawn."""
    import tempfile

    text = (ROOT / "docs" / "review-ledger.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "review.yaml"
        path.write_text(block, encoding="utf-8")
        ledger, problems = me.read_ledger(path)
    assert not problems, problems
    return me.prisma_flow(ledger)


def main() -> None:
    es = bcg_effects()
    bcg = me.meta_analysis(es, method="REML", test="knha")
    allocation = {
        "random": "Random allocation",
        "alternate": "Alternate allocation",
        "systematic": "Systematic allocation",
    }
    figures = {
        "forest-bcg.png": forest_plot(bcg, sort_by="year"),
        "forest-bcg-subgroups.png": forest_plot(subgroups_by_allocation(es, allocation), sort_by="year"),
        "cumulative-streptokinase.png": forest_plot(
            streptokinase_cumulative(),
            title="Cumulative meta-analysis of intravenous streptokinase in acute myocardial "
            "infarction (Lau et al. 1992)",
        ),
        "forest-150.png": forest_plot(synthetic(), sort_by="year"),
        "funnel-bcg.png": funnel_plot(bcg, contours=True),
        "prisma-example.png": prisma_example(),
        "labbe-bcg.png": me.labbe_plot(bcg),
        "radial-bcg.png": me.radial_plot(bcg),
        "qq-bcg.png": me.qq_plot(bcg),
        "tau2-profile-bcg.png": me.profile_plot(bcg),
        "drapery-bcg.png": me.drapery_plot(bcg),
    }
    for name, fig in figures.items():
        # the 150-study figure is 30 inches tall: 150 dpi keeps it near 1 MB
        save_figure(fig, OUT / name, dpi=150 if name == "forest-150.png" else DPI)
        print(f"wrote docs/images/{name}")


if __name__ == "__main__":
    main()
