"""The engine: pure numerics on arrays whose last axis is studies (one fit or a batch).

Imports numpy, scipy, the standard library and :mod:`metaevidence.errors` only: no I/O,
no pandas, no matplotlib. ``core/X.py`` computes what ``stats/X.py`` presents.
"""
