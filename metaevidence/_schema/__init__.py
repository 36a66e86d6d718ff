"""The schema language of the YAML formats: types, cross-field rules, line-numbered YAML
loading, validation and JSON Schema. Imports the standard library and :mod:`errors` only.
"""
