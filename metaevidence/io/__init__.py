"""Getting evidence in and out: CSV/Excel, RevMan, RIS/BibTeX, PyMARE, the forestplot adapter.

Imports :mod:`~metaevidence.evidence`, :mod:`~metaevidence.stats` and the layers below them.
"""
