"""PyMARE Datasets to and from EffectSizes, fitting through PyMARE; the forestplot adapter
leaves the process as it found it; RIS and BibTeX references into records."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest

import metaevidence as me
from metaevidence.datasets import load_bcg
from metaevidence.io.pymare import fit_with_pymare
from metaevidence.io.references import clean_doi
from tests.tolerances import CLOSED_FORM, ITERATIVE


def bcg():
    d = load_bcg()
    return me.effect_sizes("RR", ai=d.tpos, bi=d.tneg, ci=d.cpos, di=d.cneg, labels=d.author)


def test_effect_sizes_to_and_from_a_pymare_dataset():
    es = bcg()
    ds = me.to_pymare(es)
    assert ds.y.shape == (13, 1)
    np.testing.assert_array_equal(ds.y.ravel(), es.yi)
    np.testing.assert_array_equal(ds.v.ravel(), es.vi)
    back = me.from_pymare(ds, "RR")
    np.testing.assert_array_equal(back.yi, es.yi)
    assert back.labels == es.labels and back.measure == "RR"
    # a MetaAnalysis hands over its study rows
    np.testing.assert_array_equal(me.to_pymare(me.meta_analysis(es)).y.ravel(), es.yi)


@pytest.mark.parametrize(
    ("method", "rtol"), [("DL", CLOSED_FORM), ("HE", CLOSED_FORM), ("REML", ITERATIVE), ("ML", ITERATIVE)]
)
def test_fitting_through_pymare_gives_the_same_numbers(method, rtol):
    es = bcg()
    ours = me.meta_analysis(es, method=method)
    estimate, tau2 = fit_with_pymare(es, method)
    assert estimate == pytest.approx(ours.estimate, rel=rtol)
    assert tau2 == pytest.approx(ours.tau2, rel=rtol)


def test_from_pymare_refuses_moderators():
    from pymare import Dataset

    with pytest.raises(ValueError, match="moderators"):
        me.from_pymare(Dataset(y=[0.1, 0.2, 0.3], v=[0.1, 0.1, 0.1], X=[[1.0], [2.0], [3.0]]))


def test_the_forestplot_adapter_restores_warnings_numpy_and_rcparams():
    """In a fresh process (forestplot imported for the first time): importing it through the
    adapter leaves warnings filters, numpy's error state and rcParams as they were, while a
    plain import changes all three (so the test can fail)."""
    code = """
import warnings, numpy as np, matplotlib
import metaevidence.plots.forestplot as adapter
before = (list(warnings.filters), np.geterr(), dict(matplotlib.rcParams))
{what}
after = (list(warnings.filters), np.geterr(), dict(matplotlib.rcParams))
print(before[0] == after[0], before[1] == after[1], before[2]["font.monospace"] == after[2]["font.monospace"])
"""
    run = lambda what: subprocess.run([sys.executable, "-c", code.format(what=what)], capture_output=True,  # noqa: E731
                                      text=True, check=True).stdout.split()  # fmt: skip
    assert run("import forestplot") == ["False", "False", "False"]
    assert run("adapter.import_forestplot()") == ["True", "True", "True"]


def test_the_forestplot_adapter_draws_a_result():
    import matplotlib

    matplotlib.use("Agg")
    res = me.meta_analysis(bcg())
    from metaevidence.plots.forestplot import draw_with_forestplot, forestplot_frame

    frame = forestplot_frame(res)
    assert list(frame.columns[:4]) == ["label", "estimate", "ll", "hl"] and len(frame) == 14
    assert frame.estimate.iloc[0] == pytest.approx(np.exp(res.yi[0]), rel=CLOSED_FORM)
    ax = draw_with_forestplot(res)
    assert ax.get_xscale() == "log"


def test_ris_and_bibtex_references_become_records(tmp_path):
    (tmp_path / "studies").mkdir()
    (tmp_path / "refs.ris").write_text(
        "TY  - JOUR\nAU  - Holt-Lunstad, Julianne\nAU  - Smith, Timothy B.\nTI  - Social relationships and "
        "mortality risk: a meta-analytic review\nJO  - PLoS Medicine\nPY  - 2010\nVL  - 7\nIS  - 7\n"
        "SP  - e1000316\nDO  - 10.1371/journal.pmed.1000316\nER  - \n"
    )
    (tmp_path / "refs.bib").write_text(
        "@article{kelly2020,\n  author = {Kelly, John F. and Humphreys, Keith},\n  title = {Alcoholics Anonymous},\n"
        "  journal = {Cochrane Database of Systematic Reviews},\n  year = {2020},\n"
        "  doi = {https://doi.org/10.1002/14651858.CD012880.pub2},\n}\n"
    )
    date = dt.date(2026, 12, 3)
    me.import_references(tmp_path / "refs.ris", tmp_path / "studies", date=date)
    me.import_references(tmp_path / "refs.bib", tmp_path / "studies", date=date)
    eb = me.load_evidence(tmp_path / "studies")
    hl = eb["holt-lunstad-2010"].citation
    assert hl.authors == ("Holt-Lunstad J", "Smith TB") and hl.doi == "10.1371/journal.pmed.1000316"
    assert hl.pages == "e1000316" and hl.journal == "PLoS Medicine"
    kelly = eb["kelly-2020"].citation
    assert kelly.doi == "10.1002/14651858.CD012880.pub2" and kelly.authors == ("Kelly JF", "Humphreys K")
    assert eb["kelly-2020"].extraction.status == "partial"


def test_a_malformed_doi_is_reported_and_nothing_written(tmp_path):
    (tmp_path / "studies").mkdir()
    (tmp_path / "bad.bib").write_text(
        "@article{x,\n  author = {Doe, Jane},\n  year = {2021},\n  doi = {10.12/x},\n}\n"
    )
    with pytest.raises(me.DataImportError, match=r"bad.bib: @article\{x\} \(line 1\): doi a DOI is 10"):
        me.import_references(tmp_path / "bad.bib", tmp_path / "studies")
    assert list((tmp_path / "studies").iterdir()) == []
    assert clean_doi("doi:10.1000/abc") == "10.1000/abc"
    with pytest.raises(ValueError):
        clean_doi("10.1000")
