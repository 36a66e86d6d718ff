"""The systematic-review layer: risk of bias, certainty (GRADE), summary of findings,
screening ledger, PRISMA flow, sequential monitoring.

Imports :mod:`~metaevidence.io`, :mod:`~metaevidence.evidence`, :mod:`~metaevidence.stats` and
the layers below them; never :mod:`~metaevidence.plots` or :mod:`~metaevidence.workflow`.
"""
