"""The schema language of the YAML formats: types, cross-field rules, line-numbered YAML
loading, validation and JSON Schema generation.

Imports the standard library, PyYAML and :mod:`metaevidence.errors` only; the formats
themselves are data in :mod:`metaevidence.evidence.schema` and :mod:`metaevidence.workflow.schema`.
"""
