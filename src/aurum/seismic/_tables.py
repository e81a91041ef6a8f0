"""Reading the package's CSV tables with every problem named by file, row and column."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.tables import read_csv

Table = str | os.PathLike[str] | pd.DataFrame
"""A table: a path to a CSV file, or a frame with the file's columns."""


def read_table(table: Table, required: Sequence[str], numeric: Sequence[str] = (),
               what: str = "table") -> tuple[pd.DataFrame, str]:
    """A CSV file (or frame) with its required columns present and its numeric columns numbers.

    Parameters
    ----------
    table : path or DataFrame
        The CSV file, or a frame with its columns.
    required : sequence of str
        Columns that must exist (case and surrounding spaces of the header are ignored).
    numeric : sequence of str
        Required columns that must hold finite numbers in every row.
    what : str
        What the table is, for the messages ("stations", "picks").

    Returns
    -------
    frame : pandas.DataFrame
        The table with lower-case, stripped column names and float numeric columns.
    source : str
        File name (or "<what> frame") for later messages.

    Raises
    ------
    ValidationError
        File missing or unreadable, a required column missing, or a cell that is not a
        finite number (every such cell is listed, with its spreadsheet row).
    """
    if isinstance(table, pd.DataFrame):
        frame, source = table.copy(), f"{what} frame"
    else:
        path = Path(table)
        source = path.name
        if not path.is_file():
            raise ValidationError(Problem(_("%(what)s file not found: %(path)s", what=what,
                                            path=path), source=str(path)))
        frame = read_csv(path, source, _("CSV %(what)s file", what=what), dtype=str,
                         keep_default_na=False,
                         skipinitialspace=True)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(_("missing column (expected columns: %(columns)s)",
                                         columns=", ".join(required)), column=c, source=source)
                               for c in missing])
    problems: list[Problem] = []
    for column in numeric:
        text = frame[column].astype(str).str.strip()
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isfinite(values))[:20]:
            problems.append(Problem(_("expected a finite number, got %(cell)r",
                                      cell=text.iloc[i]),
                                    row=int(i) + 2, column=column, source=source))
        frame[column] = values
    for column in required:
        if column in numeric:
            continue
        text = frame[column].astype(str).str.strip()
        for i in np.flatnonzero((text == "").to_numpy())[:20]:
            problems.append(Problem(_("empty value"), row=int(i) + 2, column=column,
                                    source=source))
        frame[column] = text
    if problems:
        raise ValidationError(problems)
    return frame, source
