"""The content-addressed file store: one file per content, named by its SHA-256."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from aurum.core.errors import NotFoundError, ValidationError
from aurum.store.files import path_of, put_bytes, read_bytes

PHOTO = b"\x89PNG not really a photo"
DIGEST = hashlib.sha256(PHOTO).hexdigest()


def test_a_file_is_kept_once_under_its_sha256(tmp_path: Path) -> None:
    root = tmp_path / "safety" / "files"
    first = put_bytes(root, PHOTO)
    again = put_bytes(root, PHOTO)
    assert first == again == root / DIGEST
    assert [p.name for p in root.iterdir()] == [DIGEST]
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert read_bytes(root, DIGEST) == PHOTO


def test_a_name_that_is_not_a_digest_never_becomes_a_path(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="64 lower-case hexadecimal digits"):
        path_of(tmp_path, "../../etc/passwd")
    with pytest.raises(ValidationError):
        read_bytes(tmp_path, DIGEST.upper())


def test_a_digest_with_no_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=f"no stored file {DIGEST}"):
        read_bytes(tmp_path, DIGEST)
    assert path_of(tmp_path, DIGEST) == tmp_path / DIGEST
