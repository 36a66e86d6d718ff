"""Risk-of-bias tools as their authors define them: domains and allowed judgements.

Data only (plus the check of a record against it), so that the record validator
(:mod:`metaevidence.evidence.schema`) and the review layer read the same definitions:

- **RoB 2** (Sterne et al. 2019, BMJ 366:l4898): five domains of bias in a *result* of a
  randomised trial; judgements low / some concerns / high.
- **ROBINS-I** (Sterne et al. 2016, BMJ 355:i4919): seven domains for non-randomised studies
  of interventions; low / moderate / serious / critical / no information.
- **ROBINS-E** (ROBINS-E Development Group 2023, Environ Int 186:108602): seven domains for
  observational studies of exposures; low / some concerns / high / very high.
- **RoB 1** (Higgins et al. 2011, BMJ 343:d5928; Cochrane Handbook v5.1 table 8.5.a): the
  items of older Cochrane reviews and RevMan 5 files; low / unclear / high.

Domain ids are slugs; each tool also accepts the names written out and common spellings
(``randomisation`` and ``randomization``). Tools not listed here (e.g. Newcastle-Ottawa) are
accepted with free domain names and judgements from the record schema's list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metaevidence._schema.yamlload import YMap, YNode, YScalar, YSeq
from metaevidence.errors import RecordProblem

__all__ = [
    "Tool",
    "TOOLS",
    "tool_of",
    "domain_id",
    "check_risk_of_bias",
    "NOT_ASSESSED",
    "ANSWERS",
    "ROB2_QUESTIONS",
    "rob2_questions",
]

#: What a study or domain without a judgement shows (never read as low risk).
NOT_ASSESSED = "not-assessed"


@dataclass(frozen=True, slots=True)
class Tool:
    """One risk-of-bias tool: its domains (id, name) in order, and its allowed judgements."""

    name: str
    domains: tuple[tuple[str, str], ...]
    judgements: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...] = ()
    reference: str = ""

    def domain_names(self) -> dict[str, str]:
        return dict(self.domains)


ROB2 = Tool(
    "RoB 2",
    (
        ("randomization", "Bias arising from the randomization process"),
        ("deviations", "Bias due to deviations from intended interventions"),
        ("missing-data", "Bias due to missing outcome data"),
        ("measurement", "Bias in measurement of the outcome"),
        ("selection", "Bias in selection of the reported result"),
    ),
    ("low", "some-concerns", "high"),
    (
        ("randomization", "randomization"),
        ("randomisation", "randomization"),
        ("d1", "randomization"),
        ("d2", "deviations"),
        ("d3", "missing-data"),
        ("d4", "measurement"),
        ("d5", "selection"),
    ),
    "Sterne JAC et al. (2019) RoB 2: a revised tool for assessing risk of bias in randomised trials. BMJ 366:l4898",
)
ROBINS_I = Tool(
    "ROBINS-I",
    (
        ("confounding", "Bias due to confounding"),
        ("selection", "Bias in selection of participants into the study"),
        ("classification", "Bias in classification of interventions"),
        ("deviations", "Bias due to deviations from intended interventions"),
        ("missing-data", "Bias due to missing data"),
        ("measurement", "Bias in measurement of outcomes"),
        ("reported-result", "Bias in selection of the reported result"),
    ),
    ("low", "moderate", "serious", "critical", "no-information"),
    (),
    "Sterne JAC et al. (2016) ROBINS-I: a tool for assessing risk of bias in non-randomised studies of "
    "interventions. BMJ 355:i4919",
)
ROBINS_E = Tool(
    "ROBINS-E",
    (
        ("confounding", "Bias due to confounding"),
        ("exposure-measurement", "Bias arising from measurement of the exposure"),
        ("selection", "Bias in selection of participants into the study (or into the analysis)"),
        ("post-exposure", "Bias due to post-exposure interventions"),
        ("missing-data", "Bias due to missing data"),
        ("measurement", "Bias arising from measurement of the outcome"),
        ("reported-result", "Bias in selection of the reported result"),
    ),
    ("low", "some-concerns", "high", "very-high"),
    (),
    "ROBINS-E Development Group (2023) Risk Of Bias In Non-randomized Studies - of Exposure (ROBINS-E). "
    "Environ Int 186:108602",
)
ROB1 = Tool(
    "RoB 1",
    (
        ("sequence-generation", "Random sequence generation (selection bias)"),
        ("allocation-concealment", "Allocation concealment (selection bias)"),
        ("blinding", "Blinding (RevMan 5.0 single item)"),
        ("blinding-participants", "Blinding of participants and personnel (performance bias)"),
        ("blinding-outcome", "Blinding of outcome assessment (detection bias)"),
        ("incomplete-data", "Incomplete outcome data (attrition bias)"),
        ("selective-reporting", "Selective reporting (reporting bias)"),
        ("other-bias", "Other bias"),
    ),
    ("low", "unclear", "high"),
    (
        ("adequate sequence generation?", "sequence-generation"),
        ("allocation concealment?", "allocation-concealment"),
        ("blinding?", "blinding"),
        ("incomplete outcome data addressed?", "incomplete-data"),
        ("free of selective reporting?", "selective-reporting"),
        ("free of other bias?", "other-bias"),
    ),
    "Higgins JPT et al. (2011) The Cochrane Collaboration's tool for assessing risk of bias in randomised "
    "trials. BMJ 343:d5928",
)

#: Answers to RoB 2 signalling questions: yes, probably yes, probably no, no, no information,
#: not applicable (the question is asked only after certain answers to earlier ones).
ANSWERS = ("Y", "PY", "PN", "N", "NI", "NA")

#: The RoB 2 signalling questions of each domain (individually randomised parallel-group
#: trials; Higgins, Savovic, Page, Sterne (eds), RoB 2 full guidance document, 22 August 2019),
#: by question id, in short form. Domain 2 has one set per effect of interest: the effect of
#: assignment to the intervention ("assignment", the default) and of adhering to it ("adherence").
ROB2_QUESTIONS: dict[str, dict[str, str]] = {
    "randomization": {
        "1.1": "Was the allocation sequence random?",
        "1.2": "Was the allocation sequence concealed until participants were enrolled and assigned?",
        "1.3": "Did baseline differences between groups suggest a problem with the randomization process?",
    },
    "deviations": {
        "2.1": "Were participants aware of their assigned intervention during the trial?",
        "2.2": "Were carers and people delivering the interventions aware of the assigned intervention?",
        "2.3": "Were there deviations from the intended intervention that arose because of the trial context?",
        "2.4": "Were these deviations likely to have affected the outcome?",
        "2.5": "Were these deviations from intended intervention balanced between groups?",
        "2.6": "Was an appropriate analysis used to estimate the effect of assignment to intervention?",
        "2.7": "Was there potential for a substantial impact of the failure to analyse participants in "
        "the group to which they were randomized?",
    },
    "deviations/adherence": {
        "2.1": "Were participants aware of their assigned intervention during the trial?",
        "2.2": "Were carers and people delivering the interventions aware of the assigned intervention?",
        "2.3": "Were important non-protocol interventions balanced across intervention groups?",
        "2.4": "Were there failures in implementing the intervention that could have affected the outcome?",
        "2.5": "Was there non-adherence to the assigned intervention regimen that could have affected "
        "participants' outcomes?",
        "2.6": "Was an appropriate analysis used to estimate the effect of adhering to the intervention?",
    },
    "missing-data": {
        "3.1": "Were data for this outcome available for all, or nearly all, participants randomized?",
        "3.2": "Is there evidence that the result was not biased by missing outcome data?",
        "3.3": "Could missingness in the outcome depend on its true value?",
        "3.4": "Is it likely that missingness in the outcome depended on its true value?",
    },
    "measurement": {
        "4.1": "Was the method of measuring the outcome inappropriate?",
        "4.2": "Could measurement or ascertainment of the outcome have differed between groups?",
        "4.3": "Were outcome assessors aware of the intervention received by study participants?",
        "4.4": "Could assessment of the outcome have been influenced by knowledge of intervention received?",
        "4.5": "Is it likely that assessment of the outcome was influenced by knowledge of intervention "
        "received?",
    },
    "selection": {
        "5.1": "Were the data analysed in accordance with a pre-specified analysis plan that was finalized "
        "before unblinded outcome data were available for analysis?",
        "5.2": "Is the numerical result likely to have been selected from multiple eligible outcome "
        "measurements (scales, definitions, time points) within the outcome domain?",
        "5.3": "Is the numerical result likely to have been selected from multiple eligible analyses of "
        "the data?",
    },
}


def rob2_questions(domain: str, effect: str | None = None) -> dict[str, str]:
    """The RoB 2 signalling questions of ``domain`` (a domain id), by question id."""
    if domain == "deviations" and effect == "adherence":
        return ROB2_QUESTIONS["deviations/adherence"]
    return ROB2_QUESTIONS[domain]


#: The tools, by the name a record gives in ``risk_of_bias.tool``.
TOOLS: dict[str, Tool] = {t.name: t for t in (ROB2, ROBINS_I, ROBINS_E, ROB1)}
_TOOL_ALIASES = {
    "rob2": "RoB 2",
    "rob 2": "RoB 2",
    "rob 1": "RoB 1",
    "rob1": "RoB 1",
    "cochrane rob": "RoB 1",
}


def tool_of(name: str) -> Tool | None:
    """The tool called ``name`` (case-insensitive; ``RoB2`` = ``RoB 2``), or None if not listed."""
    key = name.strip().lower()
    for t in TOOLS.values():
        if t.name.lower() == key:
            return t
    alias = _TOOL_ALIASES.get(key)
    return TOOLS[alias] if alias else None


def domain_id(tool: Tool, name: str) -> str | None:
    """The domain id ``name`` stands for in ``tool`` (id, written-out name or alias), else None."""
    key = _plain_name(name)
    for did, full in tool.domains:
        if key in (did, _plain_name(full)):
            return did
    return dict(tool.aliases).get(key) or dict(tool.aliases).get(name.strip().lower())


def _plain_name(name: str) -> str:
    """A domain name without the tool's "Bias due to ..." wording, case or -ise/-ize spelling."""
    key = name.strip().lower().replace("randomis", "randomiz")
    for prefix in ("bias arising from the ", "bias arising from ", "bias due to ", "bias in "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


# --------------------------------------------------------------------------- checking a record


def _scalar(node: YNode | None) -> tuple[str | None, int | None]:
    if isinstance(node, YScalar) and isinstance(node.value, str):
        return node.value, node.line
    return None, None


def _check_domains(
    tool: Tool, seq: YNode | None, dotted: str, path: Path, problems: list[RecordProblem]
) -> None:
    if not isinstance(seq, YSeq):
        return
    seen: set[str] = set()
    for i, item in enumerate(seq.items):
        if not isinstance(item, YMap):
            continue
        name, line = _scalar(item.get("domain"))
        if name is not None:
            did = domain_id(tool, name)
            if did is None:
                allowed = ", ".join(d for d, _ in tool.domains)
                problems.append(
                    RecordProblem(
                        path,
                        line,
                        f"{dotted}[{i}].domain",
                        f"is not a {tool.name} domain; allowed: {allowed}; got '{name}'",
                    )
                )
            elif did in seen:
                problems.append(
                    RecordProblem(
                        path, line, f"{dotted}[{i}].domain", f"repeats the {tool.name} domain '{did}'"
                    )
                )
            else:
                seen.add(did)
        _check_judgement(tool, item.get("judgement"), f"{dotted}[{i}].judgement", path, problems)
        did = domain_id(tool, name) if name is not None else None
        _check_signalling(tool, did, item, f"{dotted}[{i}]", path, problems)


def _check_judgement(
    tool: Tool, node: YNode | None, dotted: str, path: Path, problems: list[RecordProblem]
) -> None:
    value, line = _scalar(node)
    if value is not None and value not in tool.judgements:
        problems.append(
            RecordProblem(
                path,
                line,
                dotted,
                f"is not a judgement {tool.name} allows; allowed: {', '.join(tool.judgements)}; got '{value}'",
            )
        )


def _check_signalling(
    tool: Tool, did: str | None, item: YMap, dotted: str, path: Path, problems: list[RecordProblem]
) -> None:
    """Signalling answers (RoB 2 only): known question ids of the domain, allowed answers."""
    effect, eline = _scalar(item.get("effect"))
    if effect is not None and not (tool.name == "RoB 2" and did == "deviations"):
        problems.append(
            RecordProblem(
                path, eline, dotted + ".effect", "is given only for RoB 2 domain 'deviations' (domain 2)"
            )
        )
    node = item.get("signalling")
    if not isinstance(node, YMap):
        return
    if tool.name != "RoB 2":
        problems.append(
            RecordProblem(
                path,
                node.line,
                dotted + ".signalling",
                f"signalling questions are checked and used for RoB 2 only; {tool.name} judgements "
                "are recorded per domain",
            )
        )
        return
    if did is None:
        return
    questions = rob2_questions(did, effect)
    for qid, line, value in node.items:
        where = f"{dotted}.signalling.{qid}"
        if qid not in questions:
            variant = f" (effect of {effect or 'assignment'})" if did == "deviations" else ""
            problems.append(
                RecordProblem(
                    path,
                    line,
                    where,
                    f"is not a signalling question of RoB 2 domain '{did}'{variant}; allowed: "
                    f"{', '.join(questions)}; got '{qid}'",
                )
            )
            continue
        answer = value.value if isinstance(value, YScalar) else None
        if answer not in ANSWERS:
            shown = f"'{answer}'" if isinstance(answer, str) else repr(answer)
            hint = " (YAML reads yes/no as booleans: write Y or N)" if isinstance(answer, bool) else ""
            problems.append(
                RecordProblem(
                    path,
                    getattr(value, "line", line),
                    where,
                    f"must be one of {', '.join(ANSWERS)}; got {shown}{hint}",
                )
            )


def check_risk_of_bias(tree: YNode | None, path: Path) -> list[RecordProblem]:
    """Check ``risk_of_bias`` of a study record against its tool (domains, judgements), with lines.

    Only tools listed in :data:`TOOLS` are checked; the record schema checks the rest.
    """
    if not isinstance(tree, YMap):
        return []
    rob = tree.get("risk_of_bias")
    if not isinstance(rob, YMap):
        return []
    name, _ = _scalar(rob.get("tool"))
    tool = tool_of(name) if name else None
    if tool is None:
        return []
    problems: list[RecordProblem] = []
    _check_domains(tool, rob.get("domains"), "risk_of_bias.domains", path, problems)
    _check_judgement(tool, rob.get("overall"), "risk_of_bias.overall", path, problems)
    results = rob.get("results")
    if isinstance(results, YSeq):
        for j, res in enumerate(results.items):
            if isinstance(res, YMap):
                base = f"risk_of_bias.results[{j}]"
                _check_domains(tool, res.get("domains"), base + ".domains", path, problems)
                _check_judgement(tool, res.get("overall"), base + ".overall", path, problems)
    return problems
