"""How numbers are shown: summary text and HTML, number formats, presentation transforms.

Imports :mod:`~metaevidence.core` (the measure registry) only, so every result type of
:mod:`~metaevidence.stats` can format itself through it; display never changes a number.
"""
