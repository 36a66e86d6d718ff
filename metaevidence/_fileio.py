"""The one way metaevidence writes a file: a temporary file renamed over the target.

:func:`atomic_write` writes the complete content to a temporary file beside the target (or
in a :class:`Staging` folder on the same file system), flushes it to disk and renames it
over the target (:func:`os.replace` is atomic on POSIX and Windows), so a reader -- or a
run that is interrupted -- sees either the old file or the new one, never a part. A file
that already holds exactly the new bytes is left untouched (its modification time too).
Results, reports, figures and imported records are all written through it.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import shutil
from pathlib import Path

from metaevidence.errors import StoreError

__all__ = ["STAGING_PREFIX", "Staging", "atomic_write", "remove_stale_staging"]

#: Prefix of temporary files and staging folders (ignored by git through .gitignore).
STAGING_PREFIX = ".metaevidence-tmp-"

_counter = itertools.count()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: str | Path, data: bytes, *, staging: Path | None = None) -> bool:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    Parameters
    ----------
    path : str or Path
        The target; its folder must exist.
    data : bytes
        The complete new content.
    staging : Path, optional
        Folder for the temporary file (same file system as ``path``); default the target's
        own folder. When the rename crosses file systems, the target's folder is used.

    Returns
    -------
    bool
        False when the file already held exactly ``data`` (it is then left untouched, so
        its modification time does not change), True when it was written.
    """
    path = Path(path)
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    folder = staging if staging is not None else path.parent
    try:
        _replace_from(folder, path, data)
    except OSError as exc:
        if exc.errno != errno.EXDEV or folder == path.parent:
            raise
        _replace_from(path.parent, path, data)
    return True


def _replace_from(folder: Path, path: Path, data: bytes) -> None:
    tmp = folder / f"{STAGING_PREFIX}{os.getpid()}-{next(_counter)}-{path.name}"
    try:
        # "x": a fresh file, created with the user's umask (ordinary permissions)
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


class Staging:
    """A private staging folder ``<base>/.metaevidence-tmp-<pid>`` for temporary files.

    Use as a context manager; the folder is removed on exit. On entry, staging folders of
    processes that no longer run (a killed run) are removed first.
    """

    def __init__(self, base: str | Path):
        self.base = Path(base)
        self.path = self.base / f"{STAGING_PREFIX}{os.getpid()}"

    def __enter__(self) -> Path:
        remove_stale_staging(self.base)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the staging folder {self.path} for writing results: "
                f"{exc.strerror or exc}; nothing was written"
            ) from None
        return self.path

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def remove_stale_staging(base: Path) -> list[Path]:
    """Remove staging folders in ``base`` whose process is gone; return what was removed."""
    removed = []
    if not base.is_dir():
        return removed
    for entry in base.glob(STAGING_PREFIX + "*"):
        pid_text = entry.name[len(STAGING_PREFIX) :]
        if not entry.is_dir() or not pid_text.isdigit():
            continue
        if int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's process
        return True
    except OSError:  # pragma: no cover - e.g. Windows without the process
        return False
    return True
