"""The public statistical verbs and their frozen result types: the face of :mod:`metaevidence.core`.

Imports :mod:`~metaevidence.core` and :mod:`~metaevidence.display`; pandas only inside
``to_frame()``. ``stats/X.py`` presents what ``core/X.py`` computes; the verbs are re-exported
from :mod:`metaevidence`, so this package re-exports nothing (no module shadows a verb).
"""
