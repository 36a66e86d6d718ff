"""RoB 2 signalling questions: the algorithm of each domain, path by path, and the records' checks.

Oracle: the algorithms for a suggested judgement in the RoB 2 full guidance document (Higgins,
Savovic, Page, Sterne (eds), 22 August 2019; individually randomized parallel-group trials),
domain by domain; each case below follows one path of a domain's algorithm.
"""

from pathlib import Path

import pytest

from metaevidence.evidence import robtools
from metaevidence.evidence.base import scan_studies
from metaevidence.review.rob import assessment_of, risk_of_bias_block
from metaevidence.review.rob2 import signalling_check, suggested_domain
from tests.workflow.conftest import study, write_yaml


def _q(**answers):
    return {k[1:].replace("_", "."): v for k, v in answers.items()}


RANDOMIZATION = [
    # 1.2 concealed: N/PN -> high whatever else
    (_q(q1_1="Y", q1_2="N", q1_3="N"), "high"),
    (_q(q1_1="Y", q1_2="PN", q1_3="NI"), "high"),
    # 1.2 NI: baseline imbalance suggests a problem -> high, otherwise some concerns
    (_q(q1_1="Y", q1_2="NI", q1_3="PY"), "high"),
    (_q(q1_1="Y", q1_2="NI", q1_3="N"), "some-concerns"),
    (_q(q1_1="N", q1_2="NI", q1_3="NI"), "some-concerns"),
    # 1.2 Y/PY and 1.1 Y/PY/NI: low unless baseline imbalance suggests a problem
    (_q(q1_1="Y", q1_2="Y", q1_3="N"), "low"),
    (_q(q1_1="NI", q1_2="PY", q1_3="NI"), "low"),
    (_q(q1_1="PY", q1_2="Y", q1_3="Y"), "some-concerns"),
    # 1.2 Y/PY but 1.1 N/PN (sequence not random): some concerns, high with a baseline problem
    (_q(q1_1="N", q1_2="Y", q1_3="PN"), "some-concerns"),
    (_q(q1_1="PN", q1_2="Y", q1_3="PY"), "high"),
]
DEVIATIONS = [
    # blinded participants and carers, appropriate analysis -> low (2.3-2.5 not asked)
    (_q(q2_1="N", q2_2="PN", q2_3="NA", q2_6="Y"), "low"),
    # aware, but no deviations arising from the trial context
    (_q(q2_1="Y", q2_2="Y", q2_3="N", q2_6="PY"), "low"),
    # aware, no information on deviations -> some concerns
    (_q(q2_1="Y", q2_2="NI", q2_3="NI", q2_6="Y"), "some-concerns"),
    # deviations from the trial context, unlikely to affect the outcome -> some concerns
    (_q(q2_1="Y", q2_2="Y", q2_3="Y", q2_4="PN", q2_6="Y"), "some-concerns"),
    # ... likely to affect it but balanced -> some concerns; not balanced / NI -> high
    (_q(q2_1="Y", q2_2="Y", q2_3="Y", q2_4="Y", q2_5="PY", q2_6="Y"), "some-concerns"),
    (_q(q2_1="Y", q2_2="Y", q2_3="PY", q2_4="NI", q2_5="N", q2_6="Y"), "high"),
    (_q(q2_1="Y", q2_2="Y", q2_3="Y", q2_4="Y", q2_5="NI", q2_6="Y"), "high"),
    # part 2: inappropriate analysis, without / with potential for substantial impact
    (_q(q2_1="N", q2_2="N", q2_6="N", q2_7="PN"), "some-concerns"),
    (_q(q2_1="N", q2_2="N", q2_6="NI", q2_7="Y"), "high"),
    (_q(q2_1="N", q2_2="N", q2_6="PN", q2_7="NI"), "high"),
    # the worse of the two parts
    (_q(q2_1="Y", q2_2="Y", q2_3="NI", q2_6="N", q2_7="N"), "some-concerns"),
]
MISSING = [
    (_q(q3_1="Y"), "low"),
    (_q(q3_1="N", q3_2="PY"), "low"),
    (_q(q3_1="NI", q3_2="N", q3_3="PN"), "low"),
    (_q(q3_1="N", q3_2="N", q3_3="Y", q3_4="N"), "some-concerns"),
    (_q(q3_1="N", q3_2="PN", q3_3="NI", q3_4="PN"), "some-concerns"),
    (_q(q3_1="N", q3_2="N", q3_3="Y", q3_4="PY"), "high"),
    (_q(q3_1="PN", q3_2="N", q3_3="PY", q3_4="NI"), "high"),
]
MEASUREMENT = [
    (_q(q4_1="Y"), "high"),  # inappropriate method
    (_q(q4_1="N", q4_2="PY"), "high"),  # measurement differed between groups
    (_q(q4_1="N", q4_2="N", q4_3="N"), "low"),  # blinded assessors
    (_q(q4_1="PN", q4_2="N", q4_3="Y", q4_4="N"), "low"),  # aware, could not influence
    (_q(q4_1="N", q4_2="N", q4_3="Y", q4_4="PY", q4_5="PN"), "some-concerns"),
    (_q(q4_1="N", q4_2="N", q4_3="Y", q4_4="Y", q4_5="Y"), "high"),
    (_q(q4_1="N", q4_2="PN", q4_3="NI", q4_4="NI", q4_5="NI"), "high"),
    # 4.1 or 4.2 NI: at best some concerns
    (_q(q4_1="NI", q4_2="N", q4_3="N"), "some-concerns"),
    (_q(q4_1="N", q4_2="NI", q4_3="Y", q4_4="N"), "some-concerns"),
    (_q(q4_1="NI", q4_2="N", q4_3="Y", q4_4="Y", q4_5="PY"), "high"),
]
SELECTION = [
    (_q(q5_1="Y", q5_2="N", q5_3="PN"), "low"),
    (_q(q5_1="NI", q5_2="N", q5_3="N"), "some-concerns"),
    (_q(q5_1="N", q5_2="PN", q5_3="PN"), "some-concerns"),
    (_q(q5_1="Y", q5_2="NI", q5_3="N"), "some-concerns"),
    (_q(q5_1="Y", q5_2="PY", q5_3="N"), "high"),
    (_q(q5_1="Y", q5_2="N", q5_3="Y"), "high"),
]


@pytest.mark.parametrize(
    "domain, answers, expected",
    [("randomization", a, e) for a, e in RANDOMIZATION]
    + [("deviations", a, e) for a, e in DEVIATIONS]
    + [("missing-data", a, e) for a, e in MISSING]
    + [("measurement", a, e) for a, e in MEASUREMENT]
    + [("selection", a, e) for a, e in SELECTION],
)
def test_each_path_of_each_domains_algorithm(domain, answers, expected):
    assert suggested_domain(domain, answers) == expected


def test_every_question_a_case_uses_is_a_question_of_its_domain():
    for domain, cases in (
        ("randomization", RANDOMIZATION),
        ("deviations", DEVIATIONS),
        ("missing-data", MISSING),
        ("measurement", MEASUREMENT),
        ("selection", SELECTION),
    ):
        for answers, _ in cases:
            assert set(answers) <= set(robtools.rob2_questions(domain)), (domain, answers)


@pytest.mark.parametrize(
    "domain, answers",
    [
        ("randomization", _q(q1_1="Y", q1_3="N")),  # 1.2 unanswered
        ("randomization", _q(q1_1="NA", q1_2="Y", q1_3="N")),  # the path needs 1.1
        ("missing-data", _q(q3_1="N", q3_2="NA")),
        ("deviations", _q(q2_1="Y", q2_2="Y", q2_3="Y", q2_6="Y")),  # 2.4 needed
        ("measurement", _q(q4_1="N", q4_2="N")),  # 4.3 needed
    ],
)
def test_incomplete_answers_give_no_suggestion(domain, answers):
    assert suggested_domain(domain, answers) is None


def test_adherence_effect_and_unknown_domain_have_no_suggestion():
    assert suggested_domain("deviations", _q(q2_1="N", q2_2="N", q2_6="Y"), effect="adherence") is None
    assert suggested_domain("confounding", {"1.1": "Y"}) is None


def test_check_flags_disagreement_and_keeps_the_judgement():
    c = signalling_check("randomization", "low", _q(q1_1="Y", q1_2="N", q1_3="N"))
    assert c == {
        "answers": {"1.1": "Y", "1.2": "N", "1.3": "N"},
        "effect": None,
        "suggested": "high",
        "agrees": False,
    }
    assert signalling_check("randomization", "high", _q(q1_1="Y", q1_2="N", q1_3="N"))["agrees"] is True
    assert signalling_check("randomization", None, _q(q1_2="N"))["agrees"] is None


def _record(folder: Path, domains: list[dict], tool: str = "RoB 2") -> Path:
    rec = study("adams-2001", 2001, 12, 100, 20, 98)
    rec["risk_of_bias"] = {"tool": tool, "domains": domains, "overall": "high"}
    return write_yaml(folder / "adams-2001.yaml", rec)


def _line(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


def test_signalling_answers_reach_the_block_and_a_disagreement_is_flagged(tmp_path):
    doms = [{"domain": d, "judgement": "low"} for d, _ in robtools.TOOLS["RoB 2"].domains]
    doms[0]["signalling"] = {"1.1": "Y", "1.2": "N", "1.3": "N"}  # suggests high; reviewer says low
    doms[2]["signalling"] = {"3.1": "Y"}  # suggests low: agrees
    _record(tmp_path, doms)
    evidence, problems, _ = scan_studies(tmp_path)
    assert problems == []
    a = assessment_of(evidence["adams-2001"], "mortality")
    assert a["domains"]["randomization"] == "low"  # never overridden
    assert a["signalling"]["randomization"]["suggested"] == "high"
    assert a["signalling"]["randomization"]["agrees"] is False
    assert a["signalling"]["missing-data"]["agrees"] is True
    block = risk_of_bias_block([{"id": "adams-2001", "weight": 100.0}], evidence, "mortality")
    text = " | ".join(block["disagreements"])
    assert "'low' for the RoB 2 domain 'randomization' differs from the 'high'" in text
    assert "missing-data" not in text


def test_unknown_question_and_answer_have_file_line_and_what_is_allowed(tmp_path):
    path = _record(
        tmp_path,
        [
            {"domain": "randomization", "judgement": "low", "signalling": {"1.1": "Y", "1.4": "N"}},
            {"domain": "missing-data", "judgement": "low", "signalling": {"3.1": "maybe"}},
            {"domain": "deviations", "judgement": "low", "effect": "adherence", "signalling": {"2.7": "N"}},
            {"domain": "selection", "judgement": "low", "effect": "assignment"},
        ],
    )
    _, problems, _ = scan_studies(tmp_path)
    text = [str(p) for p in problems]
    q14 = _line(path, "'1.4'")
    assert any(
        f":{q14}:" in t
        and "signalling.1.4 is not a signalling question of RoB 2 domain 'randomization'" in t
        and "allowed: 1.1, 1.2, 1.3; got '1.4'" in t
        for t in text
    ), text
    maybe = _line(path, "maybe")
    assert any(f":{maybe}:" in t and "must be one of Y, PY, PN, N, NI, NA; got 'maybe'" in t for t in text), (
        text
    )
    assert any(
        "'deviations' (effect of adherence); allowed: 2.1, 2.2, 2.3, 2.4, 2.5, 2.6; got '2.7'" in t
        for t in text
    )
    effect = _line(path, "effect: assignment")
    assert any(f":{effect}:" in t and "effect is given only for RoB 2 domain 'deviations'" in t for t in text)


def test_signalling_for_another_tool_is_refused(tmp_path):
    path = _record(
        tmp_path,
        [{"domain": "confounding", "judgement": "serious", "signalling": {"1.1": "Y"}}],
        tool="ROBINS-I",
    )
    _, problems, _ = scan_studies(tmp_path)
    assert any(
        "signalling questions are checked and used for RoB 2 only" in str(p) and str(path) in str(p)
        for p in problems
    ), problems


def test_the_report_section_lists_the_disagreements(tmp_path):
    from metaevidence.review.sof import certainty_section

    doms = [{"domain": d, "judgement": "low"} for d, _ in robtools.TOOLS["RoB 2"].domains]
    doms[3]["signalling"] = {"4.1": "N", "4.2": "N", "4.3": "Y", "4.4": "Y", "4.5": "PY"}  # suggests high
    _record(tmp_path, doms)
    evidence, _, _ = scan_studies(tmp_path)
    rob = risk_of_bias_block([{"id": "adams-2001", "weight": 100.0}], evidence, "mortality")
    from metaevidence.review.certainty import certainty_block

    doc = {"studies": {"included": []}, "measure": {"name": "OR"}}
    cert = certainty_block(None, doc, rob, None, ["rct"], None)
    text = "\n".join(certainty_section({"certainty": cert, "risk_of_bias": rob}))
    assert (
        "- Risk of bias, the tool's rule differs: adams-2001: the reviewer's 'low' for the RoB 2 domain "
        in text
    )
    assert "'measurement' differs from the 'high' its signalling answers suggest" in text
