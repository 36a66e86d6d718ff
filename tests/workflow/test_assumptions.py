"""Issue 20, items 1-2, end to end on a COPY of the repository's mortality analysis.

A new cohort study reporting an adjusted HR joins the log-OR analysis only through the
spec's named choice ``treat_as: {HR: OR}``, which the report and the forest plot's footnote
state; a study entered with the groups the other way round (experimental = weaker social
relationships, OR > 1 = higher mortality) is turned round by the spec's ``direction``, with a
note, or refused at its record's line. The two added records are SYNTHETIC test fixtures
(invented numbers, written only into tmp_path); the repository's studies/ is never touched.
"""

from __future__ import annotations

import io
import json
import math
import shutil
from pathlib import Path

import pytest
import yaml

from metaevidence.cli import main
from metaevidence.workflow.commands import diff_command
from metaevidence.workflow.run import Paths
from tests.tolerances import CLOSED_FORM

from .conftest import commit_all, write_yaml

REPO = Path(__file__).resolve().parents[2]
AID = "social-relationships-mortality"
Z975 = 1.959963984540054


def _record(sid: str, comparison: tuple[str, str], direction, data: dict) -> dict:
    return {
        "id": sid,
        "citation": {"authors": ["Synthetic"], "year": 2020, "as_cited": f"Synthetic {sid[-4:]}"},
        "design": "cohort",
        "population": "SYNTHETIC test record: invented numbers, not a real study",
        "outcomes": [
            {
                "outcome": "mortality",
                "comparison": {"experimental": comparison[0], "control": comparison[1]},
                "timepoint": "end of follow-up (10 y)",
                "direction": direction,
                "attributes": {"cause_of_death": "all-cause", "measure_type": "structural"},
                "data": data,
                "provenance": {
                    "source": "synthetic test fixture",
                    "locator": "none",
                    "confidence": "primary",
                },
            }
        ],
        "extraction": {"status": "complete", "by": "test", "date": "2026-12-03"},
    }


STRONG, WEAK = "stronger social relationships", "weaker social relationships"

#: An adjusted HR of survival with stronger relationships, 1.40 [1.10, 1.78] (synthetic).
HR_STUDY = _record(
    "synthetic-hr-2020",
    (STRONG, WEAK),
    {"benefit": "higher", "note": "HR > 1 = better survival with stronger relationships"},
    {
        "kind": "ratio_ci",
        "measure": "HR",
        "estimate": 1.40,
        "lower": 1.10,
        "upper": 1.78,
        "level": 0.95,
        "adjusted": True,
    },
)

#: Groups the other way round: experimental = weaker relationships, log OR of DEATH 0.4 (synthetic).
REVERSED = _record(
    "synthetic-reversed-2021",
    (WEAK, STRONG),
    {"benefit": "lower", "note": "OR > 1 = higher mortality in the socially isolated"},
    {"kind": "log_se", "measure": "OR", "log_estimate": 0.4, "se": 0.15},
)


#: The analysis's groups, but log OR of DEATH -0.35 (benefit lower): only the outcome is reversed (synthetic).
DEATH = _record(
    "synthetic-death-2022",
    (STRONG, WEAK),
    {"benefit": "lower", "note": "OR < 1 = fewer deaths with stronger relationships"},
    {"kind": "log_se", "measure": "OR", "log_estimate": -0.35, "se": 0.2},
)


def _paths(root: Path) -> Paths:
    return Paths.of(root / "studies", root / "analyses", root / "results", root / "figures")


def _cli(root: Path, *args: str) -> int:
    dirs = ["--studies", str(root / "studies"), "--analyses", str(root / "analyses")]
    if args[0] == "run":
        dirs += ["--results", str(root / "results"), "--figures", str(root / "figures")]
    return main([*args, *dirs])


def _spec(root: Path) -> dict:
    return yaml.safe_load((root / "analyses" / f"{AID}.yaml").read_text(encoding="utf-8"))


def _set_spec(root: Path, **changes) -> None:
    s = _spec(root)
    for key, value in changes.items():
        if key == "kind":
            s["studies"]["kind"] = value
        else:
            s[key] = value
    write_yaml(root / "analyses" / f"{AID}.yaml", s)


def _doc(root: Path) -> dict:
    return json.loads((root / "results" / f"{AID}.json").read_text(encoding="utf-8"))


def _row(doc: dict, sid: str) -> dict:
    return next(r for r in doc["studies"]["included"] if r["id"] == sid)


@pytest.fixture
def mortality(tmp_path: Path) -> Path:
    """A copy of the repository's studies and its mortality analysis (forest only), run and committed."""
    root = tmp_path / "review"
    shutil.copytree(REPO / "studies", root / "studies")
    (root / "analyses").mkdir()
    shutil.copy(REPO / "analyses" / f"{AID}.yaml", root / "analyses")
    s = _spec(root)
    s["figures"]["draw"] = ["forest"]
    s["sensitivity"] = {"leave_one_out": False, "cumulative": False}
    write_yaml(root / "analyses" / f"{AID}.yaml", s)
    assert _cli(root, "run", "-q") == 0
    commit_all(root, "the 21 studies")
    return root


def _forest(root: Path):
    """The main forest plot of the analysis (a matplotlib Figure) and its table of numbers."""
    import metaevidence as me
    from metaevidence.plots.table import forest_table
    from metaevidence.workflow.compute import compute
    from metaevidence.workflow.figures import _draw
    from metaevidence.workflow.spec import load_specs

    (spec,) = load_specs(root / "analyses")
    c = compute(spec, me.load_evidence(root / "studies"))
    return _draw(c, "forest"), forest_table(c.fit)


def _diff(root: Path) -> str:
    out = io.StringIO()
    assert diff_command(_paths(root), since=None, fmt="text", out=out) == 0
    return out.getvalue()


# --------------------------------------------------------------------------- item 1: treat_as


def test_an_hr_study_is_left_out_with_a_hint_until_the_spec_names_the_assumption(mortality):
    write_yaml(mortality / "studies" / "synthetic-hr-2020.yaml", HR_STUDY)
    _set_spec(mortality, kind=["log_se", "ratio_ci"])
    assert _cli(mortality, "run", "-q") == 0
    doc = _doc(mortality)
    assert doc["pooled"]["k"] == 21
    (reason,) = [r["reason"] for r in doc["studies"]["excluded"] if r["id"] == "synthetic-hr-2020"]
    assert reason.startswith(
        "OR cannot be computed from a reported HR (pool it as OR with treat_as: {HR: OR}"
    )
    assert "assumptions" not in doc


def test_treat_as_pools_the_hr_with_the_ors_and_says_so_everywhere(mortality, capsys):
    before = {r["id"]: r for r in _doc(mortality)["studies"]["included"]}
    write_yaml(mortality / "studies" / "synthetic-hr-2020.yaml", HR_STUDY)
    _set_spec(mortality, kind=["log_se", "ratio_ci"], treat_as={"HR": "OR"})
    assert _cli(mortality, "validate") == 0
    capsys.readouterr()
    assert _cli(mortality, "run", "-q") == 0
    doc = _doc(mortality)

    # the results document: k = 22, the HR row as reported, on the log scale, and marked
    assert doc["pooled"]["k"] == 22 and doc["settings"]["treat_as"] == {"HR": "OR"}
    row = _row(doc, "synthetic-hr-2020")
    assert row["reported_measure"] == "HR" and row["label"] == "Synthetic 2020 (HR)"
    assert row["yi"] == pytest.approx(math.log(1.40), rel=CLOSED_FORM)
    se = (math.log(1.78) - math.log(1.10)) / (2 * Z975)
    assert row["vi"] == pytest.approx(se**2, rel=1e-9)
    assert "pooled as OR (treat_as: HR as OR" in row["source"]
    # the 21 OR rows keep their numbers, source and label, and gain no reported_measure
    for sid, old in before.items():
        new = _row(doc, sid)
        assert [new[k] for k in ("label", "yi", "vi", "source")] == [
            old[k] for k in ("label", "yi", "vi", "source")
        ]
        assert "reported_measure" not in new
    (assumption,) = doc["assumptions"]
    assert assumption.startswith("1 of 22 studies reports a hazard ratio (HR; rows marked '(HR)')")
    assert "treat_as: {HR: OR}" in assumption and "rare" in assumption

    # the report states the assumption next to the result, and the row shows the measure
    report = (mortality / "results" / f"{AID}.md").read_text(encoding="utf-8")
    section = report.split("## Measures and direction\n\n", 1)[1].split("\n## ", 1)[0]
    assert section.strip() == f"- {assumption}"
    assert "| Synthetic 2020 (HR) | 2020 | 1.40 (1.10 to 1.78) |" in report

    # the forest plot: its numbers (the table) and the drawn figure's label and footnote
    import metaevidence as me
    from metaevidence.plots.table import forest_table
    from metaevidence.workflow.compute import compute
    from metaevidence.workflow.figures import _draw
    from metaevidence.workflow.spec import load_specs

    (spec,) = load_specs(mortality / "analyses")
    c = compute(spec, me.load_evidence(mortality / "studies"))
    t = forest_table(c.fit)
    hr = t[t["label"] == "Synthetic 2020 (HR)"]
    assert len(hr) == 1 and hr["estimate"].iloc[0] == pytest.approx(1.40, rel=CLOSED_FORM)
    fig = _draw(c, "forest")
    texts = [x.get_text() for x in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert "Synthetic 2020 (HR)" in texts
    assert any(assumption[:60] in x for x in texts), "the assumption is the forest plot's footnote"
    assert (mortality / "figures" / AID / "forest.png").stat().st_size > 0

    # diff names the new study and what it did to the pooled OR
    # (that it also lists the 21 old rows as corrected, "~ahern-1990", is issue 20 item 4)
    text = _diff(mortality)
    assert "  + synthetic-hr-2020 (added)" in text
    assert "setting treat_as: (none) -> {HR: 'OR'}" in text
    assert "adding Synthetic 2020 (HR) moved the OR from 1.57 to 1.56" in text


@pytest.mark.parametrize(
    "treat_as, field, message",
    [
        (
            {"HR": "RR"},
            "treat_as.HR",
            "must be the analysis's measure (OR): a HR row is pooled as OR; got 'RR'",
        ),
        ({"OR": "OR"}, "treat_as.OR", "maps OR to itself; list only other measures"),
    ],
)
def test_validate_reports_a_treat_as_that_does_not_pool_into_the_measure(
    mortality, capsys, treat_as, field, message
):
    _set_spec(mortality, treat_as=treat_as)
    assert _cli(mortality, "validate") == 1
    err = capsys.readouterr()
    text = err.out + err.err
    lines = (mortality / "analyses" / f"{AID}.yaml").read_text().splitlines()
    line = lines.index(f"  {field.split('.')[1]}: {treat_as[field.split('.')[1]]}") + 1
    assert f"{AID}.yaml:{line}: {field} {message}" in text


# --------------------------------------------------------------------------- item 2: direction


def _line(path: Path, text: str) -> int:
    return next(i for i, x in enumerate(path.read_text().splitlines(), 1) if x.strip() == text)


def test_a_reversed_study_stops_the_analysis_at_its_record_line_without_a_spec_direction(mortality, capsys):
    # the 21 records give prose only: the reversed study's groups are theirs the other way round
    write_yaml(mortality / "studies" / "synthetic-reversed-2021.yaml", REVERSED)
    assert _cli(mortality, "validate") == 1
    text = "".join(capsys.readouterr())
    path = mortality / "studies" / "synthetic-reversed-2021.yaml"
    line = _line(path, f"experimental: {WEAK}")
    assert f"{path}:{line}: outcomes[0].comparison has the groups of 'ahern-1990' the other way round" in text
    assert "direction: {experimental: stronger social relationships, benefit: ...}" in text
    assert _cli(mortality, "run", "-q") == 1
    capsys.readouterr()
    # with the HR study, which states benefit: higher, the benefits disagree too (found first)
    write_yaml(mortality / "studies" / "synthetic-hr-2020.yaml", HR_STUDY)
    _set_spec(mortality, kind=["log_se", "ratio_ci"], treat_as={"HR": "OR"})
    assert _cli(mortality, "validate") == 1
    text = "".join(capsys.readouterr())
    assert (
        f"{path}:{_line(path, 'benefit: lower')}: outcomes[0].direction says benefit 'lower' but "
        "'synthetic-hr-2020' says 'higher': their effects point different ways"
    ) in text


def test_the_spec_direction_turns_the_reversed_study_round_with_a_note(mortality, capsys):
    write_yaml(mortality / "studies" / "synthetic-hr-2020.yaml", HR_STUDY)
    write_yaml(mortality / "studies" / "synthetic-reversed-2021.yaml", REVERSED)
    write_yaml(mortality / "studies" / "synthetic-death-2022.yaml", DEATH)
    spec_before = _spec(mortality)
    _set_spec(
        mortality,
        kind=["log_se", "ratio_ci"],
        treat_as={"HR": "OR"},
        direction={"benefit": "higher", "experimental": STRONG},
    )
    assert _cli(mortality, "validate") == 0
    assert _cli(mortality, "run", "-q") == 0
    doc = _doc(mortality)
    row = _row(doc, "synthetic-reversed-2021")
    # OR of death, weaker vs stronger = OR of survival, stronger vs weaker: the same 0.4
    assert row["yi"] == pytest.approx(0.4, rel=CLOSED_FORM) and row["vi"] == pytest.approx(0.15**2)
    assert "direction: arms swapped" in row["source"] and "outcome counted the other way" in row["source"]
    # the HR study points the analysis's way already: not turned round
    assert "direction:" not in _row(doc, "synthetic-hr-2020")["source"]
    direction = doc["assumptions"][-1]
    assert direction.startswith(
        "Direction: effects above no effect favour the experimental group (stronger social relationships)"
    )
    assert (
        "Synthetic 2021 (arms swapped (the record's experimental group, weaker social relationships, is the "
        "analysis's control); outcome counted the other way (the record's benefit is lower, the analysis's "
        "higher); the two cancel: the effect is pooled as recorded)"
    ) in direction
    # a study counting deaths with the analysis's groups: only the outcome is the other way round
    death = _row(doc, "synthetic-death-2022")
    assert death["yi"] == pytest.approx(0.35, rel=CLOSED_FORM) and death["vi"] == pytest.approx(0.2**2)
    assert (
        "Synthetic 2022 (outcome counted the other way (the record's benefit is lower, the analysis's higher); "
        "the effect is inverted)" in direction
    )
    # the 21 records state no direction: pooled as the analysis's, and the report says so
    assert any(n.startswith("DirectionWarning: 21 of 24 entries state no direction") for n in doc["notes"])
    report = (mortality / "results" / f"{AID}.md").read_text(encoding="utf-8")
    assert direction in report and "DirectionWarning: 21 of 24 entries" in report
    assert spec_before["figures"]["forest"]["beneficial"] is True  # agrees with benefit: higher
    # the forest plot: the turned-round row's numbers, and the direction as a footnote
    fig, table = _forest(mortality)
    row = table[table["label"] == "Synthetic 2022"]
    assert row["estimate"].iloc[0] == pytest.approx(math.exp(0.35), rel=CLOSED_FORM)
    texts = [x.get_text() for x in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any(direction[:70] in x for x in texts)
    # diff: both studies added, the new setting, and the move of the pooled OR
    text = _diff(mortality)
    assert "  + synthetic-reversed-2021 (added)" in text and "  + synthetic-death-2022 (added)" in text
    assert (
        "setting direction: (none) -> {benefit: 'higher', experimental: ['stronger social relationships']}"
        in text
    )


def test_a_reported_rr_counted_the_other_way_is_refused_at_its_direction_line(mortality, capsys):
    rr = _record(
        "synthetic-rr-2022",
        (STRONG, WEAK),
        {"benefit": "lower", "note": "RR > 1 = more deaths with stronger relationships"},
        {
            "kind": "ratio_ci",
            "measure": "RR",
            "estimate": 0.8,
            "lower": 0.6,
            "upper": 1.1,
            "level": 0.95,
            "adjusted": False,
        },
    )
    write_yaml(mortality / "studies" / "synthetic-rr-2022.yaml", rr)
    _set_spec(mortality, kind=["log_se", "ratio_ci"], treat_as={"RR": "OR"}, direction={"benefit": "higher"})
    assert _cli(mortality, "validate") == 1
    text = "".join(capsys.readouterr())
    path = mortality / "studies" / "synthetic-rr-2022.yaml"
    line = _line(path, "benefit: lower")
    assert (
        f"{path}:{line}: outcomes[0].direction says benefit 'lower' for its experimental group, the other way "
        "from the analysis, and a RR cannot be turned round"
    ) in text
    assert _cli(mortality, "run", "-q") == 1


def test_validate_reports_a_direction_that_contradicts_the_forest_option(mortality, capsys):
    s = _spec(mortality)
    s["direction"] = {"benefit": "lower"}
    write_yaml(mortality / "analyses" / f"{AID}.yaml", s)
    assert _cli(mortality, "validate") == 1
    text = "".join(capsys.readouterr())
    assert "figures.forest.beneficial is true, but direction.benefit is lower" in text


@pytest.mark.parametrize("name, value", [("treat_as", {"HR": "OR"}), ("direction", {"benefit": "lower"})])
def test_treat_as_and_direction_are_accepted_with_a_nested_model(tmp_path, name, value):
    # a nested model selects its entries as any analysis does (tests/workflow/test_nested.py)
    from metaevidence.workflow.spec import read_spec

    from .conftest import spec

    path = write_yaml(tmp_path / "a.yaml", spec("a", model={"nested": ["study"]}, **{name: value}))
    s, problems = read_spec(path)
    assert problems == [] and getattr(s, name) is not None
