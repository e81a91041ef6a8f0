"""The photos of hazards and the evidence of their rectification: files kept under the data
directory, named by their SHA-256, and only handed to whoever may read their hazard."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.safety.register import Action
from aurum.services.auth import Actor
from aurum.services.safety.permissions import get_hazard, require_action
from aurum.store.files import put_bytes
from aurum.store.models import utcnow

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest photo or evidence file accepted, bytes (20 MiB)."""
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def files_dir(home: Path) -> Path:
    """Folder of the photos and evidence files, named by their SHA-256."""
    return home / "safety" / "files"


def put_file(home: Path, data: bytes) -> str:
    """Keep a file under its SHA-256 (:func:`aurum.store.files.put_bytes`: written aside,
    then moved in, never half a file).

    Parameters
    ----------
    home : Path
        Data directory (``AURUM_HOME``).
    data : bytes
        The file's content, at most :data:`MAX_FILE_BYTES` bytes.

    Returns
    -------
    str
        The SHA-256 (hex) that names it.
    """
    if not data:
        raise ValidationError(Problem(_("the file is empty"), column="file"))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(Problem(_("the file has %(size)s bytes; at most %(limit)s are "
                                        "accepted", size=len(data), limit=MAX_FILE_BYTES),
                                      column="file"))
    return put_bytes(files_dir(home), data).name


def check_files(home: Path, refs: Iterable[str], column: str) -> tuple[str, ...]:
    """The references as stored SHA-256 names, else every problem."""
    refs = tuple(r.strip().lower() for r in refs if r and r.strip())
    problems = [Problem(_("%(ref)r is not the SHA-256 of a stored file: upload the file to "
                          "the hazard first", ref=r), column=column)
                for r in refs if not _SHA256.match(r) or not (files_dir(home) / r).exists()]
    if problems:
        raise ValidationError(problems)
    return refs


def upload_file(session: Session, actor: Actor, home: Path, hazard_id: int, data: bytes,
                photo: bool = False) -> str:
    """Store a file for a hazard.

    Parameters
    ----------
    home : Path
        Data directory (``AURUM_HOME``).
    hazard_id : int
    data : bytes
        The file, at most :data:`MAX_FILE_BYTES` bytes.
    photo : bool
        A photo of the hazard (added to its photos; whoever may report may add one), else
        evidence of its rectification, to name in the ``rectify`` step (whoever may
        rectify).

    Returns
    -------
    str
        The file's SHA-256 (hex).
    """
    row = get_hazard(session, actor, hazard_id)
    require_action(actor, row.site, Action.REPORT if photo else Action.RECTIFY, row.level)
    digest = put_file(home, data)
    if photo and digest not in row.photos:
        row.photos = [*row.photos, digest]
        row.updated_at = utcnow()
    return digest


def hazard_file(session: Session, actor: Actor, home: Path, hazard_id: int,
                digest: str) -> Path:
    """The path of a photo or evidence file of a hazard the actor may read."""
    row = get_hazard(session, actor, hazard_id)
    named = set(row.photos) | {e for ev in row.events for e in ev.evidence}
    path = files_dir(home) / digest
    if digest not in named or not path.exists():
        raise NotFoundError(_("no file %(digest)s for hazard %(hazard)s", digest=digest,
                              hazard=hazard_id))
    return path
