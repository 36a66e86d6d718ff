"""``python -m metaevidence`` runs the command line."""

from metaevidence.cli import main

raise SystemExit(main())
