"""The bridge from records to EffectSizes: every data kind, exclusions with reasons, seed data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

import metaevidence as me
from metaevidence.evidence import load_evidence
from metaevidence.evidence.bridge import ANY, exclusions
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM

from .conftest import DATA, STUDIES, record, write

KINDS = tuple(k for k in DATA if k != "paired")  # paired: tests/evidence/test_paired_kind.py


@pytest.fixture
def kinds_base(studies_dir):
    """One study per data kind, study ids k-<kind>, all with outcome 'mortality'."""
    for i, kind in enumerate(KINDS):
        sid = f"k{i}-{kind.replace('_', '')}"
        rec = record(sid, kinds=(kind,))
        rec["citation"]["year"] = 2000 + i
        rec["outcomes"][0]["attributes"] = {"mean_age": 40 + i, "region": "north" if i % 2 else "south"}
        write(studies_dir, rec)
    return load_evidence(studies_dir)


def row(es, study_id):
    return list(es.study_info["study"]).index(study_id)


def test_every_kind_for_or(kinds_base):
    es = kinds_base.effect_sizes("mortality", "OR", labels="id")
    assert es.measure == "OR" and len(es) == 7
    assert es.labels == kinds_base.ids
    b = row(es, "k0-binary")
    direct = me.effect_sizes("OR", ai=[12], n1i=[100], ci=[20], n2i=[98])
    assert es.yi[b] == direct.yi[0] and es.vi[b] == direct.vi[0]
    assert es.source[b] == direct.source[0] + "; primary"
    ls = row(es, "k3-logse")
    assert es.yi[ls] == 0.27 and es.vi[ls] == pytest.approx(0.36**2, rel=CLOSED_FORM)
    assert list(es.dropped) == [False, True, True, False, True, True, True]
    assert dict(exclusions(es)) == {
        "k1-continuous": (
            "OR cannot be computed from means and SDs without converting SMD -> OR (allow it with "
            "convert: true in the analysis spec, convert=True in Python)"
        ),
        "k2-ratioci": (
            "OR cannot be computed from a reported HR (pool it as OR with treat_as: {HR: OR} in the "
            "analysis spec, treat_as={'HR': 'OR'} in Python, if the review accepts that assumption)"
        ),
        "k4-correlation": "OR cannot be computed from a correlation",
        "k5-summary": "a published pooled result (OR 1.5 [1.42, 1.59], k = 148); summaries are never pooled with primary studies",
        "k6-none": "not in the quantitative synthesis: no arm-level numbers reported",
    }
    assert all(math.isnan(es.yi[i]) for i in np.flatnonzero(es.dropped))
    assert list(es.study_info["excluded"]) == list(es.dropped)


def test_conversions_only_when_asked(kinds_base):
    es = kinds_base.effect_sizes("mortality", "OR", convert=True, labels="id")
    c = row(es, "k1-continuous")
    smd = me.effect_sizes("SMD", m1i=[10.5], sd1i=[2.5], n1i=[40], m2i=[12.0], sd2i=[3.0], n2i=[41])
    want = me.convert(smd, "OR")
    assert es.yi[c] == want.yi[0] and es.vi[c] == want.vi[0]
    assert es.source[c].startswith("converted: SMD -> OR (Hasselblad-Hedges")
    assert es.source[c].endswith("; primary")
    hr = kinds_base.effect_sizes("mortality", "RR", convert=True, labels="id")
    r = row(hr, "k2-ratioci")
    assert hr.source[r].startswith("converted: HR -> RR")
    assert_close(hr.yi[r], math.log(0.8), CLOSED_FORM)


def test_ratio_ci_and_log_se_in_their_own_measure(kinds_base):
    es = kinds_base.effect_sizes("mortality", "HR", labels="id")
    r = row(es, "k2-ratioci")
    se = (math.log(1.0) - math.log(0.64)) / (2 * norm.ppf(0.975))
    assert_close(es.yi[r], math.log(0.8), CLOSED_FORM)
    assert_close(es.vi[r], se**2, CLOSED_FORM)
    assert es.source[r].endswith("; primary") and "95% CI" in es.source[r]
    assert dict(exclusions(es))["k3-logse"] == (
        "HR cannot be computed from a reported OR (pool it as HR with treat_as: {OR: HR} in the "
        "analysis spec, treat_as={'OR': 'HR'} in Python, if the review accepts that assumption)"
    )


@pytest.mark.parametrize(
    "measure, yi, vi",
    [
        ("MD", 10.5 - 12.0, 2.5**2 / 40 + 3.0**2 / 41),
        ("COR", 0.3, (1 - 0.3**2) ** 2 / (120 - 1)),
        ("ZCOR", math.atanh(0.3), 1 / (120 - 3)),
    ],
)
def test_continuous_and_correlation(kinds_base, measure, yi, vi):
    es = kinds_base.effect_sizes("mortality", measure, labels="id")
    kept = [sid for sid, d in zip(es.study_info["study"], es.dropped) if not d]
    assert len(kept) == 1
    i = row(es, kept[0])
    assert_close(es.yi[i], yi, CLOSED_FORM)
    assert_close(es.vi[i], vi, CLOSED_FORM)


def test_study_info_and_labels(kinds_base):
    es = kinds_base.effect_sizes("mortality")
    info = es.study_info
    assert list(info["year"]) == list(range(2000, 2007))
    assert list(info["kind"]) == list(KINDS)
    assert list(info["attributes.mean_age"]) == [40.0 + i for i in range(7)]
    assert info["attributes.mean_age"].dtype == float
    assert list(info["attributes.region"]) == ["south", "north"] * 3 + ["south"]
    assert set(info) >= {
        "study",
        "year",
        "design",
        "outcome",
        "subgroup",
        "timepoint",
        "kind",
        "confidence",
        "approximate",
        "excluded",
    }
    assert es.labels == (
        "Doe and Roe 2000",
        "Doe and Roe 2001",
        "Doe and Roe 2002",
        "Doe and Roe 2003",
        "Doe and Roe 2004",
        "Doe and Roe 2005",
        "Doe and Roe 2006",
    )
    assert es.group_labels == ("treated", "untreated")
    frame = es.to_frame()
    assert list(frame["study"]) == list(kinds_base.ids)


def test_selection_arguments(kinds_base):
    es = kinds_base.effect_sizes("mortality", "OR", studies=["k0-binary", "k3-logse"])
    assert list(es.study_info["study"]) == ["k0-binary", "k3-logse"] and not es.dropped.any()
    es = kinds_base.effect_sizes("mortality", "OR", where={"outcomes.attributes.region": "south"})
    assert list(es.study_info["study"]) == ["k0-binary", "k2-ratioci", "k4-correlation", "k6-none"]
    es = kinds_base.effect_sizes("mortality", "OR", timepoint="1 months", subgroup=None)
    assert len(es) == 7
    assert repr(ANY) == "ANY"


def test_one_usable_entry_per_study(studies_dir):
    rec = record("doe-2020", kinds=("binary", "log_se"))
    write(studies_dir, rec)
    eb = load_evidence(studies_dir)
    with pytest.raises(
        ValueError,
        match=r"study 'doe-2020' has 2 usable entries for outcome 'mortality' "
        r"\(subgroup None, timepoint '1 months'; subgroup None, timepoint '2 months'\); "
        r"choose one with subgroup= or timepoint=",
    ):
        eb.effect_sizes("mortality", "OR")
    es = eb.effect_sizes("mortality", "OR", timepoint="2 months")
    assert len(es) == 1 and es.yi[0] == 0.27
    # excluded entries may be several; they do not compete
    rec = record("roe-2020", kinds=("summary", "none", "binary"))
    write(studies_dir, rec)
    es = load_evidence(studies_dir).effect_sizes("mortality", "OR", studies=["roe-2020"])
    assert es.labels == (
        "Doe and Roe 2020 (1 months)",
        "Doe and Roe 2020 (2 months)",
        "Doe and Roe 2020 (3 months)",
    )
    assert list(es.dropped) == [True, True, False]


def test_zero_cell_policy_sees_all_binary_rows(studies_dir):
    for sid, ev in (("a-2001", 0), ("b-2002", 5)):
        rec = record(sid)
        rec["outcomes"][0]["data"]["experimental"]["events"] = ev
        write(studies_dir, rec)
    eb = load_evidence(studies_dir)
    assert list(eb.effect_sizes("mortality", "OR").corrected) == [True, False]
    es = eb.effect_sizes("mortality", "OR", to="if0all")
    assert list(es.corrected) == [True, True] and es.to == "if0all"
    direct = me.effect_sizes("OR", ai=[0, 5], n1i=[100, 100], ci=[20, 20], n2i=[98, 98], to="if0all")
    assert list(es.yi) == list(direct.yi) and list(es.vi) == list(direct.vi)


def test_a_row_the_formula_rejects_is_excluded_with_the_reason(studies_dir):
    rec = record("doe-2020", kinds=("correlation",))
    rec["outcomes"][0]["data"]["n"] = 3
    write(studies_dir, rec)
    write(studies_dir, record("roe-2020", kinds=("correlation",)))
    es = load_evidence(studies_dir).effect_sizes("mortality", "ZCOR")
    assert list(es.dropped) == [True, False]
    [(sid, reason)] = exclusions(es)
    assert sid == "doe-2020"
    assert reason.startswith(
        "ZCOR cannot be computed from this entry: effect_sizes(measure='ZCOR'): ni must be at least 4"
    )


def test_bridge_errors(kinds_base):
    with pytest.raises(ValueError, match=r"unknown measure 'XX'; known measures: OR, RR"):
        kinds_base.effect_sizes("mortality", "XX")
    with pytest.raises(ValueError, match=r"labels must be 'citation' or 'id'; got 'year'"):
        kinds_base.effect_sizes("mortality", labels="year")
    with pytest.raises(KeyError, match=r"no outcome id 'mortalty'; did you mean 'mortality'"):
        kinds_base.effect_sizes("mortalty")
    with pytest.raises(ValueError, match=r"no outcome entries for outcome 'mortality' match the selection"):
        kinds_base.effect_sizes("mortality", timepoint="99 years")
    with pytest.raises(KeyError, match="no study id 'nope'"):
        kinds_base.effect_sizes("mortality", studies=["nope"])


SEED = load_evidence(STUDIES)


def test_seed_mortality_table_1_rows():
    es = SEED.effect_sizes("mortality", "OR", where={"outcomes.data.kind": "log_se"})
    assert len(es) == 21 and not es.dropped.any()
    for i, sid in enumerate(es.study_info["study"]):
        data = SEED[sid].outcomes[0].data
        assert es.yi[i] == data.log_estimate
        assert_close(es.vi[i], data.se**2, CLOSED_FORM)
        assert es.source[i].endswith("; secondary")
    assert es.labels[0] == "Ahern et al., 1990"
    assert set(es.study_info["attributes.cause_of_death"]) == {"all-cause", "CVD", "cancer"}
    assert np.isnan(es.study_info["attributes.mean_age"][list(es.study_info["study"]).index("brown-2003")])
    assert es.group_labels == ("stronger social relationships", "weaker social relationships")


def test_seed_mortality_summaries_are_excluded_not_dropped_silently():
    es = SEED.effect_sizes("mortality", "OR")
    excluded = exclusions(es)
    assert len(es) == 21 + 11 + 3 and len(excluded) == 14
    assert {sid for sid, _ in excluded} == {"holt-lunstad-2010", "holt-lunstad-2015"}
    assert any("OR 1.29, no interval" in reason for _, reason in excluded)
    # only usable rows name the groups: the excluded 2015 rows (reversed comparison) do not count
    assert es.group_labels == ("stronger social relationships", "weaker social relationships")


def test_seed_martinelli_is_derived_and_approximate():
    es = SEED.effect_sizes("abstinence-drugs", "OR", labels="id")
    assert es.labels == ("martinelli-2020",)
    direct = me.effect_sizes("OR", ai=[238], n1i=[253], ci=[86], n2i=[114])
    assert es.yi[0] == direct.yi[0] and es.source[0] == direct.source[0] + "; derived, approximate"
    assert bool(es.study_info["approximate"][0])


def test_seed_no_effect_records_show_why():
    es = SEED.effect_sizes("percent-days-abstinent", "MD")
    reasons = dict(exclusions(es))
    assert set(reasons) == {"kelly-2020", "litt-2009"}
    assert reasons["litt-2009"].startswith("not in the quantitative synthesis: No arm-level outcome numbers")
    assert len(es) == 4 and es.dropped.all()


def test_correct_is_the_rom_correction_only(kinds_base):
    # the spec's ROM correction (off: the classic ROM); passed to ROM only, so measures
    # corrected by default in effect_sizes stay so when records gain their data kinds
    means = dict(m1i=[10.5], sd1i=[2.5], n1i=[40], m2i=[12.0], sd2i=[3.0], n2i=[41])
    for measure, correct, expected in (
        ("ROM", False, me.effect_sizes("ROM", **means, correct=False)),
        ("ROM", True, me.effect_sizes("ROM", **means, correct=True)),
    ):
        es = kinds_base.effect_sizes("mortality", measure, labels="id", correct=correct)
        kept = np.flatnonzero(~es.dropped)
        assert len(kept) == 1
        assert_close(es.yi[kept], expected.yi, CLOSED_FORM, what=f"{measure} correct={correct}")
