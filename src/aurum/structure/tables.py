"""The planner's input tables: mines and plants as CSV or Excel, checked cell by cell.

``MINES``: ``mine, x_km, y_km, ore_tpd`` (and optionally ``grade_g_per_t``); ``PLANTS``:
``plant, x_km, y_km, capacity_tpd, fixed_cny_per_day, processing_cny_per_t, existing`` (and
optionally ``recovery``, a fraction, and ``kind``, one of
:data:`~aurum.structure.consolidation.PLANT_KINDS`). ``existing`` is ``true``/``false``
(also ``1``/``0``, ``yes``/``no``). A file with any bad cell is refused whole, every problem
named by row and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.errors import ValidationError, shown_cell
from aurum.core.i18n import _
from aurum.core.tables import RowProblems, Source, read_table, require_rows, with_columns
from aurum.structure.consolidation import PLANT_KINDS, Mine, Plant

MINE_COLUMNS: tuple[str, ...] = ("mine", "x_km", "y_km", "ore_tpd")
PLANT_COLUMNS: tuple[str, ...] = ("plant", "x_km", "y_km", "capacity_tpd", "fixed_cny_per_day",
                                  "processing_cny_per_t", "existing")
_TRUE, _FALSE = ("true", "1", "yes", "y"), ("false", "0", "no", "n")
_COORDINATE_KM = 10_000.0  # a region fits in ±10,000 km; anything farther is a typing error


def read_mines(data: Source, name: str | None = None) -> list[Mine]:
    """Read a mines table.

    Parameters
    ----------
    data : bytes, path or binary file
        CSV or xlsx content.
    name : str, optional
        File name for the messages (the path's name by default).

    Returns
    -------
    list of Mine
        In file order.

    Raises
    ------
    ValidationError
        A missing column, a blank or duplicate id, a coordinate that is not a number, ore not
        above 0 t/d, a negative grade.
    """
    name = name or Path(str(data)).name
    frame = require_rows(with_columns(read_table(data, name), MINE_COLUMNS, name), name)
    problems = RowProblems(name)
    ids = _ids(frame, "mine", problems)
    x = _numbers(frame, "x_km", problems, -_COORDINATE_KM, _COORDINATE_KM)
    y = _numbers(frame, "y_km", problems, -_COORDINATE_KM, _COORDINATE_KM)
    ore = _numbers(frame, "ore_tpd", problems, 0.0, 1e6, above=True)
    grade = (_numbers(frame, "grade_g_per_t", problems, 0.0, 1e4)
             if "grade_g_per_t" in frame else np.zeros(len(frame)))
    if problems:
        raise ValidationError(problems)
    return [Mine(i, float(a), float(b), float(c), float(g))
            for i, a, b, c, g in zip(ids, x, y, ore, grade, strict=True)]


def read_plants(data: Source, name: str | None = None) -> list[Plant]:
    """Read a plants table.

    ``data`` and ``name`` are as in :func:`read_mines`.

    Returns
    -------
    list of Plant
        In file order; recovery 1 and kind ``processing_plant`` where the columns are absent.

    Raises
    ------
    ValidationError
        A missing column, a blank or duplicate id, capacity not above 0 t/d, a negative cost,
        ``existing`` not true/false, recovery outside 0–1, an unknown kind.
    """
    name = name or Path(str(data)).name
    frame = require_rows(with_columns(read_table(data, name), PLANT_COLUMNS, name), name)
    problems = RowProblems(name)
    ids = _ids(frame, "plant", problems)
    x = _numbers(frame, "x_km", problems, -_COORDINATE_KM, _COORDINATE_KM)
    y = _numbers(frame, "y_km", problems, -_COORDINATE_KM, _COORDINATE_KM)
    capacity = _numbers(frame, "capacity_tpd", problems, 0.0, 1e6, above=True)
    fixed = _numbers(frame, "fixed_cny_per_day", problems, 0.0, 1e10,
                     negative=_("costs must not be negative (CNY per day), got {value}"))
    processing = _numbers(frame, "processing_cny_per_t", problems, 0.0, 1e6,
                          negative=_("costs must not be negative (CNY per t), got {value}"))
    flag = frame["existing"].str.strip().str.lower()
    known = flag.isin(_TRUE + _FALSE)
    problems.flag(~known, "existing", _("expected true or false, got {value}"),
                  value=frame["existing"].map(shown_cell))
    recovery = (_numbers(frame, "recovery", problems, 0.0, 1.0)
                if "recovery" in frame else np.ones(len(frame)))
    kinds = (frame["kind"].str.strip() if "kind" in frame
             else pd.Series(["processing_plant"] * len(frame)))
    problems.flag(~kinds.isin(PLANT_KINDS), "kind",
                  _("expected one of {kinds}, got {value}"),
                  kinds=np.full(len(frame), ", ".join(PLANT_KINDS)), value=kinds.map(shown_cell))
    if problems:
        raise ValidationError(problems)
    return [Plant(i, float(a), float(b), float(c), float(f), float(p), e in _TRUE, float(r), k)
            for i, a, b, c, f, p, e, r, k in zip(ids, x, y, capacity, fixed, processing, flag,
                                                 recovery, kinds, strict=True)]


def _ids(frame: pd.DataFrame, column: str, problems: RowProblems) -> Sequence[str]:
    ids = frame[column].str.strip()
    problems.flag(ids == "", column, _("expected a name, got a blank cell"))
    first = pd.Series(np.arange(len(ids))).groupby(ids.to_numpy()).transform("min").to_numpy()
    problems.flag((first != np.arange(len(ids))) & (ids != "").to_numpy(), column,
                  _("duplicate id {value}; first on row {row}"), value=ids.map(repr),
                  row=first + 2)
    return ids.tolist()


def _numbers(frame: pd.DataFrame, column: str, problems: RowProblems, low: float, high: float,
             above: bool = False, negative: str | None = None) -> np.ndarray:
    """A numeric column; cells outside [low, high] (or ≤ low with ``above``) are flagged."""
    cells = frame[column]
    values = pd.to_numeric(cells.str.strip(), errors="coerce").to_numpy(dtype=float)
    finite = np.isfinite(values)
    inside = finite & (values > low if above else values >= low) & (values <= high)
    shown = cells.map(shown_cell)
    if negative is not None:
        problems.flag(finite & (values < 0), column, negative, value=shown)
        problems.flag(~finite | (values > high), column,
                      _("expected a number from {low} to {high}, got {value}"),
                      low=np.full(len(cells), low), high=np.full(len(cells), high), value=shown)
        return values
    template = (_("expected a number above {low} and at most {high}, got {value}") if above
                else _("expected a number from {low} to {high}, got {value}"))
    problems.flag(~inside, column, template, low=np.full(len(cells), low),
                  high=np.full(len(cells), high), value=shown)
    return values
