"""Getting evidence in and out: CSV/Excel, RevMan, RIS/BibTeX, PyMARE (the forestplot adapter is
metaevidence.plots.forestplot: it hands over a forest table).

Imports :mod:`~metaevidence.evidence`, :mod:`~metaevidence.stats` and the layers below them.
"""
