"""Multi-arm trials with a shared control group (Cochrane Handbook 23.3.4; issue 20, item 7).

Synthetic records: a three-arm trial (drug A, drug B, placebo) entered as two comparisons
with the one placebo arm. Pooled together unsplit they would count the placebo group twice:
refused with the record's file:line and the remedies. With ``shared_control: split`` the
placebo events and total (or n, for means and SDs) are divided between the comparisons.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import metaevidence as me
from metaevidence.cli import main
from metaevidence.evidence import load_evidence
from metaevidence.evidence.multiarm import SharedControl
from metaevidence.workflow.compute import compute
from metaevidence.workflow.spec import read_spec
from tests.reference_data import assert_close
from tests.tolerances import CLOSED_FORM
from tests.workflow.conftest import make_review, spec, study, write_yaml


def _three_arm(split: bool, *, continuous: bool = False) -> dict:
    rec = study("trio-2010", 2010, 10, 50, 15, 60)
    arm = rec["outcomes"][0]
    a, b = copy.deepcopy(arm), copy.deepcopy(arm)
    a["subgroup"], a["comparison"] = "drug A", {"experimental": "drug A", "control": "placebo"}
    b["subgroup"], b["comparison"] = "drug B", {"experimental": "drug B", "control": "placebo"}
    b["data"]["experimental"] = {"events": 6, "total": 48}
    if continuous:
        a["data"] = {
            "kind": "continuous",
            "experimental": {"mean": 5.0, "sd": 2.0, "n": 40},
            "control": {"mean": 4.0, "sd": 2.5, "n": 42},
        }
        b["data"] = {
            "kind": "continuous",
            "experimental": {"mean": 5.5, "sd": 2.2, "n": 38},
            "control": {"mean": 4.0, "sd": 2.5, "n": 42},
        }
    if split:
        a["shared_control"] = b["shared_control"] = "split"
    rec["outcomes"] = [a, b]
    return rec


def _review(tmp_path, split: bool, **kw):
    root = make_review(tmp_path, specs=[spec(**kw)])
    write_yaml(root / "studies" / "trio-2010.yaml", _three_arm(split, continuous=kw.get("measure") == "SMD"))
    return root


def test_pooling_two_comparisons_with_one_unsplit_control_is_refused(tmp_path):
    root = _review(tmp_path, split=False)
    ev = load_evidence(root / "studies")
    with pytest.raises(
        SharedControl,
        match=r"study 'trio-2010' \(.*trio-2010.yaml:\d+\), whose outcomes\[0\] \(drug A\) and outcomes\[1\] \(drug B\) share the control group 'placebo'",
    ):
        ev.effect_sizes("mortality", "OR")
    # validate says so before run, with the record's file and line and what to do
    rc = main(["validate", "--studies", str(root / "studies"), "--analyses", str(root / "analyses")])
    assert rc == 1


def test_validate_message_names_the_record_line_and_the_remedies(tmp_path, capsys):
    root = _review(tmp_path, split=False)
    main(["validate", "--studies", str(root / "studies"), "--analyses", str(root / "analyses")])
    out = capsys.readouterr().out
    record = root / "studies" / "trio-2010.yaml"
    line = next(
        i for i, text in enumerate(record.read_text().splitlines(), 1) if text.startswith("- outcome:")
    )
    # the line of the spec's studies block (its first field, where validate places block-level problems)
    spec_line = 1 + next(
        i
        for i, text in enumerate((root / "analyses" / "mortality.yaml").read_text().splitlines(), 1)
        if text == "studies:"
    )
    assert (
        f"{root / 'analyses' / 'mortality.yaml'}:{spec_line}: studies selects study 'trio-2010' ({record}:{line}), "
        "whose outcomes[0] (drug A) and outcomes[1] (drug B) share the control group 'placebo'" in out
    )
    assert (
        "count its participants twice (Cochrane Handbook 23.3.4); split it with shared_control: split" in out
    )
    assert "combine the experimental arms into one entry (Handbook Table 6.5.a)" in out
    assert "internal error" not in out


def test_split_divides_the_control_events_and_total(tmp_path):
    root = _review(tmp_path, split=True)
    ev = load_evidence(root / "studies")
    es = ev.effect_sizes("mortality", "OR")
    rows = [i for i, sid in enumerate(es.study_info["study"]) if sid == "trio-2010"]
    assert [es.labels[i] for i in rows] == [
        "Trio and Other 2010 (drug A, 12 months)",
        "Trio and Other 2010 (drug B, 12 months)",
    ]
    assert all(es.source[i].endswith("; shared control split in 2 (Cochrane Handbook 23.3.4)") for i in rows)
    # placebo 15/60 becomes 7.5/30 in each comparison
    direct = me.effect_sizes("OR", ai=[10, 6], n1i=[50, 48], ci=[7.5, 7.5], n2i=[30, 30])
    assert_close(es.yi[rows], direct.yi, CLOSED_FORM, what="split log OR")
    assert_close(es.vi[rows], direct.vi, CLOSED_FORM, what="split variance")
    doc = compute(read_spec(root / "analyses" / "mortality.yaml")[0], ev).document
    split_rows = [r for r in doc["studies"]["included"] if r["id"] == "trio-2010"]
    assert [r["data"]["n2i"] for r in split_rows] == [30.0, 30.0] and [
        r["data"]["ci"] for r in split_rows
    ] == [7.5, 7.5]
    assert doc["pooled"]["k"] == 7


def test_split_of_means_divides_n_only(tmp_path):
    root = _review(tmp_path, split=True, measure="SMD")
    es = load_evidence(root / "studies").effect_sizes("mortality", "SMD")
    rows = [i for i, sid in enumerate(es.study_info["study"]) if sid == "trio-2010"]
    direct = me.effect_sizes(
        "SMD", m1i=[5.0, 5.5], sd1i=[2.0, 2.2], n1i=[40, 38], m2i=[4.0, 4.0], sd2i=[2.5, 2.5], n2i=[21, 21]
    )
    assert_close(es.yi[rows], direct.yi, CLOSED_FORM, what="split SMD")
    assert_close(es.vi[rows], direct.vi, CLOSED_FORM, what="split SMD variance")


def test_one_comparison_selected_keeps_the_whole_control(tmp_path):
    root = _review(tmp_path, split=True)
    es = load_evidence(root / "studies").effect_sizes("mortality", "OR", subgroup="drug A")
    (i,) = (
        np.flatnonzero(es.study_info["study"] == "trio-2010")
        if isinstance(es.study_info["study"], np.ndarray)
        else [list(es.study_info["study"]).index("trio-2010")]
    )
    assert es.data["n2i"][i] == 60 and "split" not in es.source[i]


def test_half_declared_is_still_refused(tmp_path):
    root = _review(tmp_path, split=False)
    rec = _three_arm(False)
    rec["outcomes"][0]["shared_control"] = "split"
    write_yaml(root / "studies" / "trio-2010.yaml", rec)
    with pytest.raises(SharedControl, match="split it with shared_control: split on each of these entries"):
        load_evidence(root / "studies").effect_sizes("mortality", "OR")


def test_the_nested_model_refuses_an_unsplit_shared_control_too(tmp_path):
    root = _review(tmp_path, split=False, model={"nested": ["study"]})
    from metaevidence.workflow.compute import AnalysisError

    with pytest.raises(AnalysisError, match="share the control group 'placebo'"):
        compute(read_spec(root / "analyses" / "mortality.yaml")[0], load_evidence(root / "studies"))
