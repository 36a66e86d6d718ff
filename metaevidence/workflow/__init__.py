"""The living review: analysis specs, ``run``, the results store, ``diff``, reports, site.

The top layer under :mod:`metaevidence.cli`: may import every layer and the public API.
"""
