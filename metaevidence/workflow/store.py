"""The results store: canonical JSON, content hashes, and atomic, all-or-nothing-per-file writes.

``results/<id>.json`` is written as *canonical* JSON so that the same numbers always give
the same bytes: keys sorted, two-space indent, UTF-8, a final newline, every float -- wherever
it is in the document -- rounded to 12 significant digits (the canonical form of
:mod:`metaevidence.workflow.canonical`, so that the bytes depend on the evidence, not on the
CPU's floating-point kernels) and written in Python's shortest round-trip form, and
NaN/infinity -- which JSON cannot hold -- written as ``null`` (a number that does not exist:
a prediction interval of a common-effect model, a p-value of one study).

Every file is written to a temporary file on the same file system, flushed to disk, and
renamed over the target (:func:`os.replace` is atomic on POSIX and Windows), so a reader --
or a run killed half-way -- only ever sees the old or the new complete file. Temporary files
live in a staging folder next to ``results/`` (``.metaevidence-tmp-<pid>``, git-ignored), not
inside it; folders left by a killed run are removed by the next run.

:class:`ResultStore` knows where an analysis's outputs live and publishes them in a safe
order: figures first, the Markdown report next, ``results/<id>.json`` last -- the JSON
records the hash of every figure, so a store interrupted between files is seen as stale by
``metaevidence run --check``, never as current.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from metaevidence._fileio import STAGING_PREFIX, Staging, atomic_write
from metaevidence.errors import StoreError

__all__ = [
    "FORMAT",
    "STAGING_PREFIX",
    "json_ready",
    "canonical_json",
    "sha256_hex",
    "software_versions",
    "atomic_write",
    "Staging",
    "ResultStore",
    "StoreError",
]

#: Identifies the layout of ``results/<id>.json`` (bumped when the layout changes).
FORMAT = "metaevidence-result/1"

#: Prefix of staging folders and temporary files (listed in ``.gitignore``).

#: The runtime dependencies whose versions every result records (pyproject.toml).
DEPENDENCIES = ("numpy", "scipy", "pandas", "matplotlib", "PyYAML")


def json_ready(value: Any) -> Any:
    """``value`` as plain JSON data: dicts with str keys, lists, str, int, float, bool, None.

    numpy scalars and arrays become Python numbers and lists; tuples become lists; paths
    become POSIX strings; non-finite floats become None.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"JSON object keys must be text; got {k!r} ({type(k).__name__})")
            out[k] = json_ready(v)
        return out
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, Path):
        return value.as_posix()
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        np = None
    if np is not None:
        if isinstance(value, np.ndarray):
            return [json_ready(v) for v in value.tolist()]
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating):
            return json_ready(float(value))
    raise TypeError(f"cannot write {type(value).__name__} to a results file: {value!r}")


def canonical_json(value: Any) -> bytes:
    """The canonical JSON bytes of ``value`` (see the module docstring): every float rounded."""
    from metaevidence.workflow.canonical import round_floats

    text = json.dumps(
        round_floats(json_ready(value)), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
    )
    return (text + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits."""
    return hashlib.sha256(data).hexdigest()


def software_versions() -> dict[str, str]:
    """Versions of Python, metaevidence and its runtime dependencies (no import needed)."""
    from metaevidence import __version__

    out = {"python": platform.python_version(), "metaevidence": __version__}
    for name in DEPENDENCIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True, slots=True)
class Published:
    """What :meth:`ResultStore.publish` did: files written, left as they were, removed."""

    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    removed: tuple[Path, ...]

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


class ResultStore:
    """Where the outputs of each analysis live: ``results/<id>.json``, ``results/<id>.md``
    and ``figures/<id>/<name>.<format>``.

    Parameters
    ----------
    results : str or Path
        The results folder (created when first written).
    figures : str or Path
        The figures folder.
    """

    def __init__(self, results: str | Path = "results", figures: str | Path = "figures"):
        self.results = Path(results)
        self.figures = Path(figures)

    def json_path(self, analysis_id: str) -> Path:
        return self.results / f"{analysis_id}.json"

    def report_path(self, analysis_id: str) -> Path:
        return self.results / f"{analysis_id}.md"

    def figure_dir(self, analysis_id: str) -> Path:
        return self.figures / analysis_id

    def ids(self) -> list[str]:
        """Ids of the analyses that have a results JSON, sorted."""
        if not self.results.is_dir():
            return []
        return sorted(p.stem for p in self.results.glob("*.json") if not p.name.startswith("."))

    def read_bytes(self, analysis_id: str) -> bytes | None:
        """The stored JSON bytes of an analysis, or None when it has none."""
        try:
            return self.json_path(analysis_id).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"{self.json_path(analysis_id)} cannot be read: {exc.strerror or exc}") from None

    def read(self, analysis_id: str) -> dict[str, Any] | None:
        """The stored result of an analysis, or None when it has none.

        Raises
        ------
        StoreError
            When the file exists but is not a results file of this format.
        """
        raw = self.read_bytes(analysis_id)
        return None if raw is None else parse_result(raw, self.json_path(analysis_id))

    def publish(
        self,
        analysis_id: str,
        result_json: bytes,
        report: bytes,
        figures: Mapping[str, bytes],
        *,
        staging: Path | None = None,
        previous_figures: tuple[str, ...] = (),
    ) -> Published:
        """Write one analysis's outputs: figures, then the report, then the JSON.

        Parameters
        ----------
        analysis_id : str
        result_json, report : bytes
            The complete new ``results/<id>.json`` and ``results/<id>.md``.
        figures : mapping of file name to bytes
            The figures, e.g. ``{"forest.svg": b"..."}``, written under ``figures/<id>/``.
        staging : Path, optional
            Staging folder for temporary files (see :class:`Staging`).
        previous_figures : tuple of str
            File names the previous result listed; those not in ``figures`` are removed
            after the JSON is written (files the store never wrote are left alone).
        """
        written, unchanged, removed = [], [], []

        def put(path: Path, data: bytes) -> None:
            (written if atomic_write(path, data, staging=staging) else unchanged).append(path)

        if figures:
            self.figure_dir(analysis_id).mkdir(parents=True, exist_ok=True)
        for name in sorted(figures):
            put(self.figure_dir(analysis_id) / name, figures[name])
        self.results.mkdir(parents=True, exist_ok=True)
        put(self.report_path(analysis_id), report)
        put(self.json_path(analysis_id), result_json)
        for name in sorted(set(previous_figures) - set(figures)):
            target = self.figure_dir(analysis_id) / name
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
                removed.append(target)
        with contextlib.suppress(OSError):
            folder = self.figure_dir(analysis_id)
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return Published(tuple(written), tuple(unchanged), tuple(removed))


def parse_result(raw: bytes, path: Path | None = None) -> dict[str, Any]:
    """A results JSON document, checked to be one (``format`` field)."""
    where = str(path) if path is not None else "results file"
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(
            f"{where} is not valid JSON ({exc}); re-run `metaevidence run` to rewrite it"
        ) from None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        got = value.get("format") if isinstance(value, dict) else type(value).__name__
        raise StoreError(
            f"{where} is not a metaevidence result of format {FORMAT!r}; got format {got!r}: "
            "re-run `metaevidence run` to rewrite it"
        )
    return value
