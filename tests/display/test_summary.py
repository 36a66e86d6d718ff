"""How every result type a user meets displays: a one-line repr, its report in a notebook.

A result holds the arrays of every study (a leave-one-out batch, every refit; a permutation
test, every permuted statistic), so the dataclass repr that a console or notebook shows on
``res`` ran to 17,000 characters for the 13 BCG trials. Each type now names its key fields
in one line, by their attribute names, and shows ``summary()`` as HTML in a notebook.
"""

import html.parser

import numpy as np
import pytest

import metaevidence as me
from metaevidence.display.summary import compact_repr


@pytest.fixture(scope="module")
def bcg():
    d = me.datasets.load_bcg()
    es = me.effect_sizes(
        "OR",
        ai=d.tpos,
        bi=d.tneg,
        ci=d.cpos,
        di=d.cneg,
        labels=d.author + " " + d.year.astype(str),
        study_info={"year": d.year, "alloc": d.alloc},
    )
    return d, es, me.meta_analysis(es, test="knha")


def _results(bcg):
    d, es, res = bcg
    reg = me.meta_regression(es, "~ ablat", data=d)
    return {
        "EffectSizes": es,
        "MetaAnalysis": res,
        "MetaAnalysisBatch": me.leave_one_out(res),
        "HeterogeneityCI": me.heterogeneity_ci(res),
        "SubgroupAnalysis": me.subgroup_analysis(es, groups=d.alloc),
        "MetaRegression": reg,
        "PermutationTest": me.permutation_test(reg, iterations=50, seed=1),
        "Influence": me.influence(res),
        "Gosh": me.gosh(res),
        "TrimAndFill": me.trim_and_fill(res),
        "AsymmetryTest": me.egger_test(res),
        "RankTest": me.rank_test(res),
        "FailSafeN": me.fail_safe_n(res),
    }


class _Checker(html.parser.HTMLParser):
    """Collects unbalanced tags (void elements such as <br> excepted)."""

    VOID = {"br"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_every_result_has_a_one_line_repr_naming_its_type(bcg):
    for name, obj in _results(bcg).items():
        text = repr(obj)
        assert text.startswith(f"{name}("), text
        assert "\n" not in text and len(text) < 300, (name, len(text), text[:200])
        assert "array(" not in text, text


def test_repr_names_fields_by_their_attributes(bcg):
    _, _, res = bcg
    assert repr(res) == compact_repr(
        res,
        k=13,
        measure="OR",
        method="REML",
        test="knha",
        estimate=res.estimate,
        ci_lower=res.ci_lower,
        ci_upper=res.ci_upper,
        p_value=res.p_value,
        tau2=res.tau2,
        i2=res.i2,
    )
    assert f"estimate={res.estimate:.4g}," in repr(res)
    loo = me.leave_one_out(res)
    assert repr(loo) == (
        "MetaAnalysisBatch(kind='leave-one-out', shape=(13,), k=12, measure='OR', method='REML', test='knha')"
    )
    cum = me.cumulative(res, order="year")
    assert "k=(1, 13)" in repr(cum)


def test_compact_repr_formats():
    class Thing:
        pass

    text = compact_repr(
        Thing(), a=1, b=np.float64(0.123456), c=(1.0, 2.5), d=("x",), e=None, f=True, g="s", h=np.int64(3)
    )
    assert text == "Thing(a=1, b=0.1235, c=(1, 2.5), d=('x',), e=None, f=True, g='s', h=3)"


def test_every_result_shows_its_summary_as_valid_html_in_a_notebook(bcg):
    for name, obj in _results(bcg).items():
        out = obj._repr_html_()
        assert out == obj.summary()._repr_html_(), name
        checker = _Checker()
        checker.feed(out)
        assert not checker.errors and not checker.stack, (name, checker.errors, checker.stack)


def test_summary_titles_are_not_repeated_in_the_body(bcg):
    for name, obj in _results(bcg).items():
        if name == "EffectSizes":  # its own table display, without a title line
            continue
        summary = obj.summary()
        body = str(summary).split("\n", 1)[1]
        assert summary.title not in body, name
        first = body.strip().splitlines()[0]
        assert first.split("(")[0].strip().lower() != summary.title.split("(")[0].strip().lower(), name


def test_permutation_summary_says_how_many_permutations_once(bcg):
    d, es, _ = bcg
    reg = me.meta_regression(es, "~ ablat", data=d)
    text = str(me.permutation_test(reg, iterations=50, seed=1).summary())
    assert text.startswith("Permutation test (50 random row permutations; seed 1)\n")
    assert text.count("50") == 1


def test_subgroup_summary_says_when_it_is_back_transformed(bcg):
    d, es, _ = bcg
    sub = me.subgroup_analysis(es, groups=d.alloc)
    assert "back-transformed (exp; OR scale)" in str(sub.summary(transform="exp"))
    assert "back-transformed" not in str(sub.summary())


def test_evidence_base_and_study_reprs_are_one_line():
    eb = me.load_evidence("studies")
    n_entries = sum(len(s.outcomes) for s in eb)
    assert repr(eb) == f"EvidenceBase(root='studies', studies={len(eb)}, outcome_entries={n_entries})"
    study = eb["martinelli-2020"]
    outcomes = tuple(dict.fromkeys(e.outcome for e in study.outcomes))
    assert repr(study) == (
        f"Study(id='martinelli-2020', label={study.label!r}, "
        f"design='cross-sectional', outcomes={outcomes!r}, "
        f"extraction={study.extraction.status!r})"
    )


def test_print_shows_the_report_as_metafor_prints_the_model(bcg):
    """A student's ``print(res)`` gets the summary (the one-line repr stays for the console)."""
    for name, result in _results(bcg).items():
        if name == "EffectSizes":  # its own table (escalc's print), not a model report
            continue
        assert str(result) == str(result.summary()), name
        assert repr(result).startswith(type(result).__name__ + "("), name
        assert "\n" not in repr(result), name
