"""Study records: the record format, the evidence base, and records -> effect sizes.

Imports :mod:`~metaevidence._schema` (YAML, validation), :mod:`~metaevidence.stats`
(``EffectSizes``) and the layers below them. Modules: :mod:`~metaevidence.evidence.schema`
(the record format, written once as data, with :func:`check_study` and the JSON Schema),
:mod:`~metaevidence.evidence.records` (frozen typed records),
:mod:`~metaevidence.evidence.base` (:class:`EvidenceBase`, :func:`load_evidence`),
:mod:`~metaevidence.evidence.frame` (``to_frame``),
:mod:`~metaevidence.evidence.bridge` (``EvidenceBase.effect_sizes``: records -> EffectSizes),
:mod:`~metaevidence.evidence.commands` (``validate``, ``studies``, ``new-study``, ``schema``).
"""

from metaevidence.evidence.base import EvidenceBase, load_evidence, scan_studies

__all__ = ["EvidenceBase", "load_evidence", "scan_studies"]
