"""One CSV/XLSX reader and one export preparation: the limits of every table file, stated once.

Reading: a file a user sends is bounded *before* it is parsed. A request body is at most
:data:`MAX_REQUEST_BYTES` (:data:`MAX_STUDY_REQUEST_BYTES` for a prospectivity study's
rasters), an uploaded file at most :data:`MAX_UPLOAD_BYTES`; an xlsx workbook or a zip
archive is refused when its members would unpack to more than :data:`MAX_UNPACKED_BYTES` (a
500 KB "zip bomb" inflating to hundreds of megabytes is refused from its directory, without
inflating a byte) or hold more than :data:`MAX_ARCHIVE_MEMBERS` files; a table is read up to
:data:`MAX_ROWS` data rows and refused beyond. File names a client gives are reduced by
:func:`safe_filename` to a plain base name before anything touches a disk or a message.

Writing: :func:`for_export` makes a frame inert for CSV and Excel as OWASP's "CSV injection"
advice says: a text cell starting with ``= + - @``, a tab or a carriage return is prefixed
with a single quote, so that a spreadsheet shows it as text instead of running it as a
formula; numbers keep their type (``-3.5`` stays a number) and are rounded to
:data:`EXPORT_DIGITS` significant digits, so that float noise such as
``0.30000000000000004`` never reaches a regulator's file.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

MAX_UPLOAD_BYTES = 50 * 2**20
"""Largest file one upload may carry (bytes)."""

MAX_REQUEST_BYTES = 64 * 2**20
"""Largest body one request may carry (bytes): an upload of :data:`MAX_UPLOAD_BYTES` with its
form, or a JSON document; the server refuses more (413) before reading it."""

MAX_STUDY_REQUEST_BYTES = 256 * 2**20
"""Largest body of a prospectivity study request (bytes): its several evidence rasters."""

MAX_UNPACKED_BYTES = 100 * 2**20
"""Largest total size the members of an xlsx workbook or zip archive may unpack to (bytes)."""

MAX_ARCHIVE_MEMBERS = 1000
"""Most files an xlsx workbook or zip archive may hold."""

MAX_ROWS = 200_000
"""Most data rows (header excluded) one CSV or Excel table may hold."""

MAX_FILENAME_BYTES = 255
"""Longest file name kept (UTF-8 bytes), the limit of common file systems."""

EXPORT_DIGITS = 12
"""Significant digits of a number in a CSV or Excel export."""

Source = bytes | str | os.PathLike[str] | IO[bytes]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_UNITS = {"pct": "%", "t": "t", "kg": "kg", "g": "g", "m": "m", "km": "km", "m3": "m³",
          "mpa": "MPa", "s": "s", "h": "h", "d": "d", "mm": "mm", "usd": "USD", "cny": "CNY"}
_SNAKE = re.compile(r"[a-z][a-z0-9_]*")


def safe_filename(name: str | None, default: str) -> str:
    """A client's file name reduced to a base name that is safe on disk and in messages.

    Directories (``/`` or ``\\``), control and other non-printable characters and leading
    dots (``..``, hidden files) go; what is left is cut to :data:`MAX_FILENAME_BYTES` UTF-8
    bytes keeping the extension. A name with nothing left becomes ``default``.

    Parameters
    ----------
    name : str or None
        The name the client sent (``UploadFile.filename``).
    default : str
        Name used when ``name`` is empty or nothing of it survives (e.g. ``"upload.csv"``).
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # isprintable() is False for control characters and every separator but the space.
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".").strip()
    if not base:
        return default
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix.encode()) > 16:
        stem, suffix = base, ""
    tail = f".{suffix}" if suffix else ""
    room = MAX_FILENAME_BYTES - len(tail.encode())
    stem = stem.encode()[:room].decode(errors="ignore").rstrip()
    return f"{stem}{tail}" if stem else default


def check_archive(archive: zipfile.ZipFile, source: str) -> None:
    """Refuse an xlsx workbook or zip archive before unpacking it when it is too large.

    The sizes come from the archive's central directory (``ZipInfo.file_size``), so a
    decompression bomb is refused without inflating it.

    Parameters
    ----------
    archive : zipfile.ZipFile
        The opened archive.
    source : str
        File name named in the message.

    Raises
    ------
    ValidationError
        More than :data:`MAX_ARCHIVE_MEMBERS` members, or more than :data:`MAX_UNPACKED_BYTES`
        once unpacked.
    """
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ValidationError(Problem(
            _("the archive holds %(n)s files; the limit is %(limit)s", n=len(members),
              limit=MAX_ARCHIVE_MEMBERS),
            source=source))
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValidationError(Problem(
            _("the file unpacks to %(size)s MiB; the limit is %(limit)s MiB",
              size=format(unpacked / 2**20, ".0f"), limit=MAX_UNPACKED_BYTES // 2**20),
            source=source))


def open_archive(source: Source, name: str, what: str = "archive") -> zipfile.ZipFile:
    """Open a zip archive (or xlsx workbook) checked by :func:`check_archive`; ``source``,
    ``name`` and ``what`` as in :func:`read_csv`.

    Raises
    ------
    ValidationError
        Missing, not a zip archive, or too large once unpacked.
    """
    try:
        archive = zipfile.ZipFile(_binary(source))
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(Problem(
            _("cannot read the %(what)s: %(error)s", what=what, error=exc), source=name)) from exc
    try:
        check_archive(archive, name)
    except ValidationError:
        archive.close()
        raise
    return archive


def read_csv(source: Source, name: str, what: str = "file", **options: Any) -> pd.DataFrame:
    """Read a CSV table of at most :data:`MAX_ROWS` data rows.

    Parameters
    ----------
    source : bytes, path or binary file
        The content, or where to read it.
    name : str
        File name used in messages.
    what : str
        What the file holds, as messages name it (``"file"``, ``"samples"``).
    **options
        Passed to :func:`pandas.read_csv` (``dtype``, ``encoding``, ...).

    Raises
    ------
    ValidationError
        The file is missing or unreadable (the parser's own words: encoding, quoting), or has
        more than :data:`MAX_ROWS` data rows.
    """
    try:
        frame = pd.read_csv(_binary(source), nrows=MAX_ROWS + 1, **options)
    except FileNotFoundError as exc:
        raise ValidationError(Problem(_("file not found: %(name)s", name=exc.filename),
                                      source=name)) from exc
    except Exception as exc:  # the reader's own words help: encoding, quoting, empty file
        raise ValidationError(Problem(
            _("cannot read the %(what)s: %(error)s", what=what, error=exc), source=name)) from exc
    return _within_rows(frame, name)


def read_excel(source: Source, name: str, what: str = "workbook", **options: Any
               ) -> pd.DataFrame:
    """Read one sheet of an xlsx workbook checked by :func:`check_archive` first, at most
    :data:`MAX_ROWS` data rows (with ``header=None``, rows of the sheet).

    ``source``, ``name`` and ``what`` are as in :func:`read_csv`.

    Parameters
    ----------
    **options
        Passed to :func:`pandas.read_excel` (``sheet_name``, ``dtype``, ``header``, ...).

    Raises
    ------
    ValidationError
        Unreadable, too large once unpacked, or more than :data:`MAX_ROWS` rows.
    """
    with open_archive(source, name, what):
        pass  # the directory alone says whether the workbook may be unpacked
    if hasattr(source, "seek"):
        source.seek(0)  # an open file is read again, from its start, by the parser
    try:
        frame = pd.read_excel(_binary(source), nrows=MAX_ROWS + 1, **options)
    except Exception as exc:  # the reader's words (a sheet missing, a broken part) help
        raise ValidationError(Problem(
            _("cannot read the %(what)s: %(error)s", what=what, error=exc), source=name)) from exc
    return _within_rows(frame, name)


def read_table(data: Source, filename: str) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file into a frame of strings (empty cells as '').

    Parameters
    ----------
    data : bytes, path or binary file
        File content, or a path to read.
    filename : str
        Name used to pick the format (``.csv``, ``.txt``, ``.xlsx``, ``.xlsm``) and in
        messages.
    """
    lower = filename.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        frame = read_excel(data, filename, "file", dtype=str, sheet_name=0)
    elif lower.endswith((".csv", ".txt")):
        frame = read_csv(data, filename, dtype=str, keep_default_na=False,
                         encoding="utf-8-sig", skipinitialspace=True)
    else:
        raise ValidationError(Problem(_("expected a .csv or .xlsx file"), source=filename))
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.fillna("").astype(str)


def with_columns(frame: pd.DataFrame, required: Iterable[str], source: str | None = None
                 ) -> pd.DataFrame:
    """A table's frame once its header holds every required column: names stripped, rows
    indexed from 0 in file order.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    required : iterable of str
        Columns it must have.
    source : str, optional
        File name for the messages.

    Raises
    ------
    ValidationError
        One :class:`~aurum.core.errors.Problem` per missing column, on row 1 (the header).
    """
    frame = frame.set_axis([str(c).strip() for c in frame.columns], axis=1)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(_("missing required column %(column)s", column=repr(c)),
                                       row=1, column=c, source=source) for c in missing])
    return frame.reset_index(drop=True)


def require_rows(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """``frame``, refused with a :class:`~aurum.core.errors.ValidationError` when it has no
    data row (``source`` names the file in the message)."""
    if frame.empty:
        raise ValidationError(Problem(_("the file has no data rows"), source=source))
    return frame


class RowProblems(list[Problem]):
    """The problems of a table's cells, rows numbered as a spreadsheet shows them (header =
    row 1, first data row 2), for a frame indexed from 0 (:func:`with_columns`).

    Parameters
    ----------
    source : str, optional
        File name for the messages.
    """

    def __init__(self, source: str | None = None):
        super().__init__()
        self.source = source

    def flag(self, mask: pd.Series | np.ndarray, column: str, template: str,
             **cells: pd.Series | np.ndarray) -> None:
        """Add one problem per True row of ``mask``, in ``column``; ``template`` is
        formatted with that row's value of each of ``cells`` (``{value!r}``...)."""
        for i in np.flatnonzero(np.asarray(mask, dtype=bool)).tolist():
            values = {k: v.iloc[i] if isinstance(v, pd.Series) else v[i]
                      for k, v in cells.items()}
            self.append(Problem(template.format(**values), row=i + 2, column=column,
                                source=self.source))


def _binary(source: Source) -> Any:
    """Bytes as a file; a path or file as it is."""
    return io.BytesIO(source) if isinstance(source, bytes) else source


def _within_rows(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    if len(frame) > MAX_ROWS:
        raise ValidationError(Problem(
            _("the table has more than %(limit)s data rows, the limit of one file; split it",
              limit=format(MAX_ROWS, ",")),
            source=name))
    return frame


def inert_text(value: object) -> object:
    """A text cell a spreadsheet shows as text: a leading formula character is quoted.

    Text that is a plain number (``-3.5``, ``+1e3``) is left as it is: a spreadsheet reads it
    as that number, never as a formula.
    """
    if (isinstance(value, str) and value.startswith(_FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def significant(values: np.ndarray, digits: int = EXPORT_DIGITS) -> np.ndarray:
    """Floats rounded to ``digits`` significant digits (NaN and infinities kept).

    The scale is applied by multiplying or dividing by an exact power of ten, so the result
    is the float nearest the rounded decimal (``0.1 + 0.2`` gives ``0.3``).
    """
    out = np.array(values, dtype=float)
    # Zero and the subnormal range have nothing to round (and 10**exponent would overflow).
    finite = np.isfinite(out) & (np.abs(out) > 1e-280)
    x = out[finite]
    exponent = (digits - 1 - np.floor(np.log10(np.abs(x)))).astype(int)
    power = 10.0 ** np.abs(exponent)
    up = exponent >= 0
    x[up] = np.round(x[up] * power[up]) / power[up]
    x[~up] = np.round(x[~up] / power[~up]) * power[~up]
    out[finite] = x
    return out


def readable(column: object) -> object:
    """A machine key as a person reads it: ``gold_output_kg`` → ``Gold output (kg)``.

    Names that are not lower-case snake-case keys (they already carry spaces or capitals)
    are kept as they are.
    """
    if not isinstance(column, str) or not _SNAKE.fullmatch(column):
        return column
    words = column.split("_")
    unit = _UNITS.get(words[-1]) if len(words) > 1 else None
    text = " ".join(words[:-1] if unit else words)
    text = text[:1].upper() + text[1:]
    return f"{text} ({unit})" if unit else text


def for_export(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table ready for a CSV or Excel file: inert text, rounded numbers.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_float_dtype(series):
            out[col] = significant(series.to_numpy())
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(inert_text)
    return out


def save_upload(folder: Path, name: str, content: bytes) -> Path:
    """Write an uploaded file into ``folder`` under its base name (never a client's path)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    path.write_bytes(content)
    return path


def unpack_shapefile(folder: Path, name: str, content: bytes) -> Path:
    """An uploaded layer on disk: the file as sent, or, for a ``.zip``, the one shapefile it
    holds with its sidecar files (``.shx``, ``.dbf``, ``.prj``…), their sizes checked from the
    archive's directory before a byte is unpacked (:func:`open_archive`).

    Raises
    ------
    ValidationError
        A zip holding no shapefile or more than one, or beyond the archive limits.
    """
    path = save_upload(folder, name, content)
    if path.suffix.lower() != ".zip":
        return path
    with open_archive(path, name, "zip file") as archive:
        members = [m for m in archive.namelist() if not m.endswith("/")]
        shps = [m for m in members if m.lower().endswith(".shp")]
        if len(shps) != 1:
            raise ValidationError(Problem(_("the zip must hold one shapefile (.shp), it "
                                            "holds %(n)s", n=len(shps)), source=name))
        stem = Path(shps[0]).stem
        shp_dir = folder / "shp"
        shp_dir.mkdir()
        for member in members:
            if Path(member).stem == stem:  # the .shp, .shx, .dbf, .prj... of that layer
                (shp_dir / _member_name(member)).write_bytes(archive.read(member))
    path.unlink()
    return shp_dir / _member_name(shps[0])


def _member_name(member: str) -> str:
    """A zip member's file name made safe (the shapefile's parts are cut alike)."""
    return safe_filename(member, f"deposits{Path(member).suffix.lower()}")

