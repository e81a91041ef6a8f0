"""GSLIB files (simplified Geo-EAS): the exchange format of GSLIB's programs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


def read_gslib(
    path: str | Path,
    *,
    trimming_limits: tuple[float, float] | None = (-1.0e21, 1.0e21),
) -> pd.DataFrame:
    """Read a GSLIB (simplified Geo-EAS) data file.

    The format is a title line, the number of variables ``nvar``, ``nvar`` lines of variable
    names, then one row of ``nvar`` whitespace-separated numbers per sample.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    trimming_limits : tuple of 2 float or None, default (-1e21, 1e21)
        GSLIB's ``tmin, tmax``: values strictly below ``tmin`` or at or above ``tmax`` are
        missing and become NaN (GSLIB files flag missing values with e.g. ``1E31`` or
        ``-999``). None keeps every value as read.

    Returns
    -------
    pandas.DataFrame
        One float column per variable, named as in the file; the title is in
        ``frame.attrs["title"]``.

    Raises
    ------
    ValidationError
        When the file is missing, its header is malformed, or a row has a wrong number of
        fields or a non-numeric field (every such row is reported).
    """
    path = Path(path)
    source = str(path)
    try:
        with path.open("r", encoding="utf-8", errors="replace") as fh:
            title = fh.readline().strip()
            nvar_line = fh.readline()
            try:
                nvar = int(nvar_line.split()[0])
            except (IndexError, ValueError):
                raise ValidationError(Problem(
                    _("line 2 should hold the number of variables, got %(line)r",
                      line=nvar_line.strip()), source=source)) from None
            if nvar < 1:
                raise ValidationError(Problem(
                    _("line 2: the number of variables must be at least 1, got %(n)s", n=nvar),
                    source=source))
            names = [fh.readline().strip() for _line in range(nvar)]
    except FileNotFoundError:
        raise ValidationError(Problem(_("file not found"), source=source)) from None
    if any(not n for n in names):
        raise ValidationError(Problem(
            _("expected %(n)s variable names on lines 3 to %(last)s, found an empty line",
              n=nvar, last=nvar + 2), source=source))
    header_lines = 2 + nvar
    try:
        raw = pd.read_csv(path, sep=r"\s+", header=None, skiprows=header_lines,
                          names=list(range(nvar)), dtype=str, engine="c")
    except pd.errors.ParserError as exc:
        raise ValidationError(Problem(
            _("a data row has more than %(n)s fields (%(error)s)", n=nvar, error=exc),
            source=source)) from None
    except pd.errors.EmptyDataError:
        raw = pd.DataFrame({i: pd.Series(dtype=str) for i in range(nvar)})
    problems: list[Problem] = []
    columns: dict[str, NDArray[np.float64]] = {}
    for i, name in enumerate(names):
        text = raw[i]
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        absent = text.isna().to_numpy()
        bad = np.isnan(num) & ~absent & ~text.str.lower().isin(["nan"]).to_numpy()
        for r in np.flatnonzero(absent)[:5]:
            problems.append(Problem(_("data row %(row)s: expected %(n)s fields, this one has "
                                      "no value for this variable", row=r + 1, n=nvar),
                                    column=name, source=source))
        for r in np.flatnonzero(bad)[:5]:
            problems.append(Problem(_("data row %(row)s: expected a number, got %(value)r",
                                      row=r + 1, value=text.iloc[r]),
                                    column=name, source=source))
        columns[name] = num
    if problems:
        raise ValidationError(problems)
    frame = pd.DataFrame(columns)
    if trimming_limits is not None:
        tmin, tmax = trimming_limits
        frame = frame.mask((frame < tmin) | (frame >= tmax))
    frame.attrs["title"] = title
    return frame
