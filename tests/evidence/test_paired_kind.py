"""The ``paired`` data kind: one group measured twice (or matched pairs) with the correlation
between the measurements, feeding the paired measures (MC, SMCC, SMCR, ...) of effect_sizes.

The numbers are Morris & DeShon's (2002) worked example as metafor's escalc help uses it
(means 26 and 22, variances 30 and 20, n = 60, r = 0.7); the oracle for each measure is
effect_sizes() itself, checked against metafor in tests/stats/test_effects_*.py.
"""

from __future__ import annotations

import math

import pytest

import metaevidence as me
from metaevidence.errors import RecordError
from metaevidence.evidence import load_evidence
from metaevidence.evidence.bridge import exclusions
from metaevidence.evidence.direction import DirectionConflict, Orientation
from metaevidence.evidence.records import PairedData
from metaevidence.io.export import metafor_rows

from .conftest import record, write

PAIRED = {
    "kind": "paired",
    "experimental": {"mean": 26.0, "sd": math.sqrt(30)},
    "control": {"mean": 22.0, "sd": math.sqrt(20)},
    "n": 60,
    "r": 0.7,
    "unit": "points",
}
COLUMNS = dict(m1i=[26.0], m2i=[22.0], sd1i=[math.sqrt(30)], sd2i=[math.sqrt(20)], ni=[60], ri=[0.7])


@pytest.fixture
def paired_base(studies_dir):
    rec = record("morris-2002", kinds=("continuous",))
    rec["outcomes"][0]["data"] = dict(PAIRED)
    rec["outcomes"][0]["comparison"] = {"experimental": "post-test", "control": "pre-test"}
    write(studies_dir, rec)
    write(studies_dir, record("doe-2020", kinds=("continuous",)))
    return load_evidence(studies_dir)


def test_the_record_reads_as_paired_data(paired_base):
    entry = paired_base.study("morris-2002").outcomes[0]
    assert isinstance(entry.data, PairedData) and entry.kind == "paired"
    assert (entry.data.n, entry.data.r, entry.data.unit) == (60, 0.7, "points")


@pytest.mark.parametrize("measure", ["MC", "SMCC", "SMCR", "SMCRH", "SMCRP", "SMCRPH", "ROMC", "VRC", "CVRC"])
def test_paired_entries_give_every_paired_measure(paired_base, measure):
    es = paired_base.effect_sizes("mortality", measure, labels="id")
    i = list(es.study_info["study"]).index("morris-2002")
    direct = me.effect_sizes(measure, **COLUMNS)
    assert es.yi[i] == direct.yi[0] and es.vi[i] == direct.vi[0]
    assert not es.dropped[i]
    # the two-group entry cannot give a paired measure, and says why
    assert dict(exclusions(es))["doe-2020"] == f"{measure} cannot be computed from means and SDs"


def test_mean_change_is_the_difference(paired_base):
    es = paired_base.effect_sizes("mortality", "MC", labels="id")
    i = list(es.study_info["study"]).index("morris-2002")
    assert es.yi[i] == 4.0
    assert es.vi[i] == pytest.approx((30 + 20 - 2 * 0.7 * math.sqrt(600)) / 60, rel=1e-12)


def test_two_group_measures_refuse_paired_entries(paired_base):
    es = paired_base.effect_sizes("mortality", "SMD", labels="id")
    assert dict(exclusions(es))["morris-2002"] == "SMD cannot be computed from paired means and SDs"


def test_orientation_negates_difference_measures_and_refuses_ratios(studies_dir):
    rec = record("morris-2002", kinds=("continuous",))
    e = rec["outcomes"][0]
    e["data"] = dict(PAIRED)
    e["comparison"] = {"experimental": "post-test", "control": "pre-test"}
    e["direction"] = {"benefit": "higher"}
    write(studies_dir, rec)
    base = load_evidence(studies_dir)
    plain = base.effect_sizes("mortality", "SMCC")
    flipped = base.effect_sizes("mortality", "SMCC", direction=Orientation("lower"))
    assert flipped.yi[0] == pytest.approx(-plain.yi[0], rel=1e-12) and flipped.vi[0] == plain.vi[0]
    with pytest.raises(DirectionConflict, match="ROMC cannot be turned round"):
        base.effect_sizes("mortality", "ROMC", direction=Orientation("lower"))


def test_the_schema_refuses_a_paired_entry_without_its_correlation(studies_dir):
    rec = record("morris-2002", kinds=("continuous",))
    data = dict(PAIRED)
    del data["r"]
    rec["outcomes"][0]["data"] = data
    write(studies_dir, rec)
    with pytest.raises(RecordError, match=r"morris-2002.yaml:\d+: outcomes\[0\]\.data\.r is required"):
        load_evidence(studies_dir)


def test_the_schema_refuses_a_correlation_outside_minus_one_to_one(studies_dir):
    rec = record("morris-2002", kinds=("continuous",))
    rec["outcomes"][0]["data"] = dict(PAIRED, r=1.2)
    write(studies_dir, rec)
    with pytest.raises(RecordError, match=r"outcomes\[0\]\.data\.r .*≤ 1.*1\.2"):
        load_evidence(studies_dir)


def test_metafor_export_writes_the_paired_columns(paired_base):
    rows = [r for r in metafor_rows(paired_base) if r["id"] == "morris-2002"]
    assert len(rows) == 1
    r = rows[0]
    assert (r["kind"], r["m1i"], r["m2i"], r["ni"], r["ri"]) == ("paired", 26.0, 22.0, 60, 0.7)
