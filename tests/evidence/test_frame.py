"""EvidenceBase.to_frame(): one row per study x outcome entry, fixed columns."""

from __future__ import annotations

import math

from metaevidence.evidence import load_evidence
from metaevidence.evidence.frame import COLUMNS

from .conftest import DATA, record, write


def test_one_row_per_entry_with_fixed_columns(studies_dir):
    rec = record("doe-2020", kinds=tuple(DATA))
    rec["outcomes"][3]["attributes"] = {"mean_age": 50, "location": "USA"}
    write(studies_dir, rec)
    write(studies_dir, record("roe-2018", kinds=("correlation",)))
    frame = load_evidence(studies_dir).to_frame()
    assert list(frame.columns) == [*COLUMNS, "attributes.location", "attributes.mean_age"]
    assert len(frame) == 9
    assert list(frame["study"]) == ["doe-2020"] * 8 + ["roe-2018"]
    assert list(frame["kind"]) == [*DATA, "correlation"]
    b = frame.iloc[0]
    assert (b.experimental_events, b.experimental_total, b.control_events, b.control_total) == (
        12,
        100,
        20,
        98,
    )
    c = frame.iloc[1]
    assert (c.experimental_mean, c.experimental_sd, c.experimental_n, c.control_mean) == (10.5, 2.5, 40, 12.0)
    r = frame.iloc[2]
    assert (r.measure, r.estimate, r.lower, r.upper, r.level, r.adjusted, r.n) == (
        "HR",
        0.8,
        0.64,
        1.0,
        0.95,
        True,
        500,
    )
    ls = frame.iloc[3]
    assert (ls.log_estimate, ls.se, ls["attributes.mean_age"], ls["attributes.location"]) == (
        0.27,
        0.36,
        50,
        "USA",
    )
    s = frame.iloc[5]
    assert (s.k, s.model, s.n) == (148, "random-effects", 308849)
    assert frame.iloc[6].reason == "no arm-level numbers reported"
    pr = frame.iloc[7]  # paired: the two measurements' means and SDs, n pairs and r
    assert (pr.experimental_mean, pr.control_sd, pr.n, pr.r) == (26.0, 4.5, 60, 0.7)
    assert math.isnan(pr.experimental_n)
    assert frame.iloc[8].r == 0.3
    assert all(frame.label == ["Doe and Roe 2020"] * 9)
    assert frame.iloc[0].confidence == "primary" and frame.iloc[0].locator == "Table 2"
    assert math.isnan(frame.iloc[0]["attributes.mean_age"])
    assert frame.sha256.str.len().eq(64).all()
