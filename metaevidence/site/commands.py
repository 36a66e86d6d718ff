"""``metaevidence site`` (and ``run --site``): build the site, print where it is, return the status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from metaevidence.site.build import build_site
from metaevidence.workflow.run import Paths

__all__ = ["site_command"]


def site_command(paths: Paths, out: str | Path = "site", *, stream: TextIO | None = None) -> int:
    """Build the site into ``out``; errors (no results, a foreign folder) reach the CLI as one message."""
    stream = stream or sys.stdout
    report = build_site(paths, out)
    stream.write(report.summary())
    return 0
