"""The RoB 2 algorithms: a domain judgement suggested by the answers to its signalling questions.

RoB 2 (Sterne et al. 2019, BMJ 366:l4898) maps the answers to each domain's signalling
questions to a suggested judgement -- low risk, some concerns or high risk -- by the algorithms
of its full guidance document (Higgins JPT, Savovic J, Page MJ, Sterne JAC (eds), Revised
Cochrane risk-of-bias tool for randomized trials (RoB 2), full guidance document, 22 August
2019: the "algorithm for suggested judgement" after each domain's signalling questions, for
individually randomized parallel-group trials). The guidance lets reviewers depart from the
suggestion with a reason, so the tool only compares: :func:`suggested_domain` suggests,
:func:`signalling_check` says whether the reviewer's judgement agrees. It never changes a
judgement.

Answers: Y (yes) and PY (probably yes) count alike, as do N and PN; NI is "no information";
NA ("not applicable") or an absent answer where the path needs one leaves the suggestion
undecided (None: the answers are incomplete). Domain 2 for the effect of *adhering* to the
intervention has no suggestion here (its questions are validated; its judgement is the
reviewer's).
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["suggested_domain", "signalling_check"]

_YES, _NO, _NI = "yes", "no", "ni"
_CLASS = {"Y": _YES, "PY": _YES, "N": _NO, "PN": _NO, "NI": _NI}


class _Incomplete(Exception):
    """A question the path needs has no usable answer."""


def _reader(answers: Mapping[str, str]):
    def a(qid: str) -> str:
        value = _CLASS.get(str(answers.get(qid, "NA")))
        if value is None:
            raise _Incomplete(qid)
        return value

    return a


def _randomization(a) -> str:
    concealed = a("1.2")
    if concealed == _NO:
        return "high"
    imbalance = a("1.3")
    if concealed == _NI:
        return "high" if imbalance == _YES else "some-concerns"
    if a("1.1") in (_YES, _NI):  # concealed, sequence random or no information
        return "some-concerns" if imbalance == _YES else "low"
    return "high" if imbalance == _YES else "some-concerns"  # concealed, but not random


def _deviations(a) -> str:
    # part 1 (2.1-2.5): deviations from intended intervention that arose because of the trial context
    if a("2.1") == _NO and a("2.2") == _NO:
        part1 = "low"
    else:
        context = a("2.3")
        if context == _NO:
            part1 = "low"
        elif context == _NI:
            part1 = "some-concerns"
        elif a("2.4") == _NO:
            part1 = "some-concerns"
        else:
            part1 = "some-concerns" if a("2.5") == _YES else "high"
    # part 2 (2.6-2.7): the analysis used to estimate the effect of assignment
    if a("2.6") == _YES:
        part2 = "low"
    else:
        part2 = "some-concerns" if a("2.7") == _NO else "high"
    return _worst(part1, part2)


def _missing_data(a) -> str:
    if a("3.1") == _YES or a("3.2") == _YES:
        return "low"
    if a("3.3") == _NO:
        return "low"
    return "some-concerns" if a("3.4") == _NO else "high"


def _measurement(a) -> str:
    method = a("4.1")
    if method == _YES:  # an inappropriate method: high whatever else
        return "high"
    differed = a("4.2")
    if differed == _YES:
        return "high"
    base = "low" if method == _NO and differed == _NO else "some-concerns"
    if a("4.3") == _NO or a("4.4") == _NO:
        return base
    return "some-concerns" if a("4.5") == _NO else "high"


def _selection(a) -> str:
    outcomes = a("5.2")
    if outcomes == _YES:
        return "high"
    analyses = a("5.3")
    if analyses == _YES:
        return "high"
    if _NI in (outcomes, analyses):
        return "some-concerns"
    return "low" if a("5.1") == _YES else "some-concerns"


_ALGORITHMS = {
    "randomization": _randomization,
    "deviations": _deviations,
    "missing-data": _missing_data,
    "measurement": _measurement,
    "selection": _selection,
}
_ORDER = ("low", "some-concerns", "high")


def _worst(*judgements: str) -> str:
    return max(judgements, key=_ORDER.index)


def suggested_domain(domain: str, answers: Mapping[str, str], effect: str | None = None) -> str | None:
    """The judgement the RoB 2 algorithm suggests for ``domain`` from its signalling answers.

    Parameters
    ----------
    domain : str
        A RoB 2 domain id: randomization, deviations, missing-data, measurement, selection.
    answers : mapping
        Question id -> answer (Y, PY, PN, N, NI, NA), e.g. ``{"1.1": "Y", "1.2": "PY", "1.3": "N"}``.
    effect : {"assignment", "adherence"}, optional
        Domain 2's effect of interest; "adherence" has no suggestion here (None).

    Returns
    -------
    str or None
        "low", "some-concerns" or "high"; None when a question the path needs is unanswered
        or NA, for an unknown domain, and for domain 2 with the effect of adhering.

    Examples
    --------
    >>> suggested_domain("randomization", {"1.1": "Y", "1.2": "PY", "1.3": "N"})
    'low'
    >>> suggested_domain("randomization", {"1.1": "Y", "1.2": "NI", "1.3": "N"})
    'some-concerns'
    >>> suggested_domain("missing-data", {"3.1": "N", "3.2": "N", "3.3": "PY", "3.4": "PY"})
    'high'
    """
    algorithm = _ALGORITHMS.get(domain)
    if algorithm is None or (domain == "deviations" and effect == "adherence"):
        return None
    try:
        return algorithm(_reader(answers))
    except _Incomplete:
        return None


def signalling_check(domain: str, judgement: str | None, answers, effect: str | None = None) -> dict:
    """The suggestion for one domain and whether the reviewer's ``judgement`` agrees with it.

    Returns ``{"answers", "suggested", "agrees"}``; ``agrees`` is None when there is nothing to
    compare (no judgement or no suggestion). The reviewer's judgement stands either way.
    """
    suggested = suggested_domain(domain, answers, effect)
    agrees = None if suggested is None or not judgement else judgement == suggested
    return {"answers": dict(answers), "effect": effect, "suggested": suggested, "agrees": agrees}
