"""A proficiency-test results table checked: ``lab, value`` and an optional
``uncertainty`` column (the standard uncertainty u(x) of each result, in the results' unit).

Each laboratory reports once per round, so a laboratory named twice is refused (a correction
is a new entry in the round's ledger, not a second row of one file). Every problem is named
by file, row (as a spreadsheet numbers it, the header being row 1) and column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError, shown_cell
from aurum.core.i18n import _
from aurum.core.tables import require_rows, with_columns

REQUIRED = ("lab", "value")
UNCERTAINTY = "uncertainty"
MAX_LAB_CHARS = 64
"""Longest laboratory code (characters)."""
MAX_ABS_VALUE = 1e12
"""Largest |result| taken (any unit): beyond it a cell is a typing slip, not an assay."""


@dataclass(frozen=True)
class Results:
    """The checked table: laboratory codes, results and (when the column is there) their
    standard uncertainties (NaN where a cell is blank), in the file's order and unit."""

    labs: list[str]
    values: np.ndarray
    uncertainties: np.ndarray | None


def _number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if np.isfinite(value) and abs(value) <= MAX_ABS_VALUE else None


def read_results(frame: pd.DataFrame, source: str) -> Results:
    """Check a results table read as text (:func:`aurum.core.tables.read_table`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The cells as strings: ``lab``, ``value`` and optionally ``uncertainty``.
    source : str
        File name for the messages.

    Returns
    -------
    Results

    Raises
    ------
    ValidationError
        Every problem at once: a missing column, no data row, a blank or too long lab code,
        a laboratory named twice, a value that is not a finite number, an uncertainty that
        is not a number of at least 0.
    """
    frame = require_rows(with_columns(frame, REQUIRED, source), source)
    has_u = UNCERTAINTY in frame.columns
    problems: list[Problem] = []
    labs: list[str] = []
    values: list[float] = []
    uncertainties: list[float] = []
    first_row: dict[str, int] = {}
    for i, cells in enumerate(frame.to_dict("records")):
        line = i + 2
        lab = str(cells["lab"]).strip()
        if not lab or len(lab) > MAX_LAB_CHARS:
            problems.append(Problem(_("expected a laboratory code of 1 to %(n)s characters, "
                                      "got %(cell)s", n=MAX_LAB_CHARS,
                                      cell=shown_cell(cells["lab"])), line, "lab", source))
        elif lab in first_row:
            problems.append(Problem(_("laboratory %(lab)s is named twice (first on row "
                                      "%(row)s): one result per laboratory", lab=repr(lab),
                                      row=first_row[lab]), line, "lab", source))
        else:
            first_row[lab] = line
        value = _number(str(cells["value"]).strip())
        if value is None:
            problems.append(Problem(_("expected a number, got %(cell)s",
                                      cell=shown_cell(cells["value"])), line, "value", source))
        u = np.nan
        if has_u and str(cells[UNCERTAINTY]).strip():
            given = _number(str(cells[UNCERTAINTY]).strip())
            if given is None or given < 0:
                problems.append(Problem(_("expected a standard uncertainty of at least 0, "
                                          "got %(cell)s", cell=shown_cell(cells[UNCERTAINTY])),
                                        line, UNCERTAINTY, source))
            else:
                u = given
        labs.append(lab)
        values.append(np.nan if value is None else value)
        uncertainties.append(u)
    if problems:
        raise ValidationError(problems)
    return Results(labs, np.array(values), np.array(uncertainties) if has_u else None)
