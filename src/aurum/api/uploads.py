"""One way to receive an uploaded file: its size bounded, its name made safe."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from aurum.core.tables import MAX_UPLOAD_BYTES, safe_filename


async def received(file: UploadFile, default: str) -> tuple[str, bytes]:
    """The safe base name and the content of an upload of at most ``MAX_UPLOAD_BYTES``.

    Parameters
    ----------
    file : UploadFile
        The uploaded part.
    default : str
        Name used when the client sent none that survives :func:`safe_filename`.

    Raises
    ------
    HTTPException
        413 when the file is larger than :data:`aurum.core.tables.MAX_UPLOAD_BYTES`.
    """
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise HTTPException(413, f"files are limited to {MAX_UPLOAD_BYTES // 2**20} MiB")
    return safe_filename(file.filename, default), data
