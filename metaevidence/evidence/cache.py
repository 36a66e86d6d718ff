"""A local cache of work a run can skip: parsed study records, and what it last drew.

``metaevidence run`` keeps it in ``.metaevidence-cache/`` beside ``studies/`` (the folder holds
its own ``.gitignore``, so it is never committed). It only ever saves time:

- every entry is keyed by what it was made from (a record's bytes and file name, a table's
  rows) and by the code that made it (:func:`fingerprint`: a hash of the package's source, the
  Python and PyYAML versions), so an entry made by other code or other input is never used;
- a missing, unreadable, truncated or otherwise corrupt cache file is treated as empty -- it
  is never an error -- and the next save replaces it;
- files are written atomically (:func:`~metaevidence._fileio.atomic_write`), and a failed
  save (a read-only folder, a full disk) is ignored.

Results are the same bytes with and without it (tested). The cache holds JSON, never
pickles, so a cache folder that came from elsewhere cannot run code.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["CACHE_DIR", "Cache", "fingerprint", "to_json", "from_json"]

#: The cache folder's name, beside the review's ``studies/`` folder.
CACHE_DIR = ".metaevidence-cache"
_FORMAT = 1
_fingerprint: str | None = None


def fingerprint() -> str:
    """A hash of the code that fills the cache: every source file of the package, the
    Python and PyYAML versions. Editing the package (or upgrading it) invalidates the cache.
    """
    global _fingerprint
    if _fingerprint is None:
        import yaml

        root = Path(__file__).resolve().parent.parent
        h = hashlib.sha256(f"{_FORMAT} {sys.version} {yaml.__version__}".encode())
        for p in sorted(root.rglob("*.py")):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
        _fingerprint = h.hexdigest()
    return _fingerprint


class Cache:
    """Named JSON documents in a cache folder; see the module docstring."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def load(self, name: str) -> dict[str, Any]:
        """The entries saved under ``name`` by this code, or ``{}`` (never raises)."""
        try:
            header, _, body = self._path(name).read_bytes().partition(b"\n")
            head = json.loads(header)
            if head != {"fingerprint": fingerprint(), "sha256": hashlib.sha256(body).hexdigest()}:
                return {}  # other code made it, or it was damaged since
            entries = json.loads(body)
        except (OSError, ValueError, RecursionError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def save(self, name: str, entries: dict[str, Any]) -> None:
        """Replace the entries under ``name`` (atomically; a failure is ignored).

        The file is a header line (the code's fingerprint and the body's sha256, so that a
        damaged file is recognised) and the entries as JSON, in their order.
        """
        from metaevidence._fileio import atomic_write

        body = json.dumps(entries, ensure_ascii=False).encode()
        head = json.dumps({"fingerprint": fingerprint(), "sha256": hashlib.sha256(body).hexdigest()})
        with contextlib.suppress(OSError, ValueError):
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                atomic_write(ignore, b"# metaevidence's local cache: never committed\n*\n")
            atomic_write(self._path(name), head.encode() + b"\n" + body)


# ---------------------------------------------------------------- plain values as JSON


def to_json(value: Any) -> tuple[Any, list] | None:
    """(JSON-ready value, where its dates were) for a plain record value, or None when it
    holds something JSON cannot carry exactly (then it is not cached).
    """
    dates: list = []

    def walk(x: Any, path: tuple) -> Any:
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, (int, float)):
            return x
        if isinstance(x, _dt.datetime):
            raise TypeError  # not produced by the record schema; not cached
        if isinstance(x, _dt.date):
            dates.append(list(path))
            return x.isoformat()
        if isinstance(x, dict) and all(isinstance(k, str) for k in x):
            return {k: walk(v, (*path, k)) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v, (*path, i)) for i, v in enumerate(x)]
        raise TypeError

    try:
        return walk(value, ()), dates
    except TypeError:
        return None


def from_json(value: Any, dates: list) -> Any:
    """The plain value :func:`to_json` was given; ``value`` itself is not changed (raises on
    a malformed entry).
    """

    def put(node: Any, path: list) -> Any:
        node = node.copy()  # only the containers on the way to a date are copied
        key = path[0]
        node[key] = _dt.date.fromisoformat(node[key]) if len(path) == 1 else put(node[key], path[1:])
        return node

    for path in dates:
        value = put(value, path)
    return value
