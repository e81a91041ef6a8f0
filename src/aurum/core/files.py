"""Atomic file writing: a reader sees the old file or the new one, never half of one; and the
digest by which a row records the file it refers to (:func:`file_sha256`).

This lives in ``core``, not in ``store``, because pure domain packages write files too (the
block file of :mod:`aurum.resources.runfile`) and a domain package never imports ``store``;
:mod:`aurum.store.files` builds its content-addressed store on it.

The file is written aside, in the same directory (a rename is atomic only within one file
system), flushed to the disk, then renamed over its name; the directory is flushed too, so the
rename itself survives a power cut. On any failure the temporary file is removed and the
existing file is left as it was.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["PRIVATE_FILE_MODE", "file_sha256", "write_atomic"]

PRIVATE_FILE_MODE = 0o600
"""Read and write by the owner only: the mode of every file :func:`write_atomic` creates unless
asked otherwise (the data directory belongs to the server's user alone)."""


def write_atomic(path: Path, write: bytes | Callable[[Path], object], *,
                 mode: int = PRIVATE_FILE_MODE) -> None:
    """Write a file under ``path`` atomically.

    Parameters
    ----------
    path : Path
        The file to create or replace; its directory must exist.
    write : bytes or callable
        The content, or a function that writes the content to the temporary path it is given
        (``lambda tmp: frame.to_parquet(tmp)``), opening it by name.
    mode : int, optional
        Permission bits of the file, applied before any content is written;
        :data:`PRIVATE_FILE_MODE` (0600) by default.

    Raises
    ------
    OSError
        The directory does not exist or is not writable, or the disk is full; ``path`` is then
        unchanged and no temporary file is left behind.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            if isinstance(write, bytes):
                fh.write(write)
        if not isinstance(write, bytes):
            write(tmp)
        _fsync(tmp, os.O_RDONLY)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's content as 64 hex digits, read in blocks (a block model or raster
    of gigabytes never sits in memory whole)."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _fsync(path: Path, flags: int) -> None:
    # A writer that opened the file by name (pandas, pyarrow) leaves no descriptor to flush.
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
