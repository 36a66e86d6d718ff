"""Effect-size formulas (counts, continuous, single-group), conversions and the measure registry.

Part of :mod:`metaevidence.core`: imports numpy, scipy and the standard library only.
"""
