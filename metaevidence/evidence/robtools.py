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

__all__ = ["Tool", "TOOLS", "tool_of", "domain_id", "check_risk_of_bias", "NOT_ASSESSED"]

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
