"""Study records: the record format, safe YAML loading with line numbers, validation and
the :class:`EvidenceBase`.

Modules: :mod:`~metaevidence.evidence.schema` (the record format, written once as data),
:mod:`~metaevidence._schema.rules` (its cross-field rules),
:mod:`~metaevidence._schema.yamlload` (safe YAML with line numbers),
:mod:`~metaevidence._schema.validate` (every problem, with file, line and field),
:mod:`~metaevidence.evidence.records` (frozen typed records),
:mod:`~metaevidence.evidence.base` (:class:`EvidenceBase`, :func:`load_evidence`),
:mod:`~metaevidence.evidence.frame` (``to_frame``),
:mod:`~metaevidence.evidence.bridge` (``EvidenceBase.effect_sizes``: records -> EffectSizes),
:mod:`~metaevidence._schema.jsonschema` (the published JSON Schema),
:mod:`~metaevidence.evidence.commands` (what the ``validate``/``studies``/``new-study``/
``schema`` commands do).
"""

from metaevidence.evidence.base import EvidenceBase, load_evidence, scan_studies

__all__ = ["EvidenceBase", "load_evidence", "scan_studies"]
