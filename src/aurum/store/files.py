"""Content-addressed files: each file kept once, under the SHA-256 of its bytes.

Uploads that rows refer to (hazard photos, rectification evidence) are kept in a folder of the
data directory, one file per distinct content, named by its SHA-256 hex digest: the same photo
uploaded twice is stored once, a row keeps the 64-character name, and a name proves the
content it stands for. Files are written with :func:`aurum.core.files.write_atomic`, so a name
never stands for half a file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.files import PRIVATE_FILE_MODE, write_atomic

__all__ = ["path_of", "put_bytes", "read_bytes"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


def path_of(root: Path, digest: str) -> Path:
    """Where the file of a SHA-256 digest is kept (whether or not it is there).

    Parameters
    ----------
    root : Path
        The folder of the store.
    digest : str
        64 lower-case hexadecimal digits.

    Raises
    ------
    ValidationError
        ``digest`` is not a SHA-256 hex digest (it never becomes a path outside ``root``).
    """
    if not _SHA256.fullmatch(digest):
        raise ValidationError(Problem(f"{digest[:80]!r} is not a SHA-256 digest: expected 64 "
                                      "lower-case hexadecimal digits"))
    return root / digest


def put_bytes(root: Path, data: bytes, *, mode: int = PRIVATE_FILE_MODE) -> Path:
    """Keep ``data`` under its SHA-256, once.

    Parameters
    ----------
    root : Path
        The folder of the store; created when missing.
    data : bytes
        The content; the caller bounds its size.
    mode : int, optional
        Permission bits of a new file; 0600 by default.

    Returns
    -------
    Path
        ``root / sha256(data)``; its name is the digest a row keeps.
    """
    path = root / hashlib.sha256(data).hexdigest()
    if not path.exists():  # same name, same bytes: a concurrent writer wrote the same file
        root.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, mode=mode)
    return path


def read_bytes(root: Path, digest: str) -> bytes:
    """The content kept under a digest.

    Raises
    ------
    ValidationError
        ``digest`` is not a SHA-256 hex digest.
    NotFoundError
        No file is kept under it.
    """
    path = path_of(root, digest)
    if not path.is_file():
        raise NotFoundError(f"no stored file {digest}: upload it first")
    return path.read_bytes()
