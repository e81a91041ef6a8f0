"""Dynamic clearing statistics of hazards (隐患动态清零) for sites, enterprises, provinces and
the nation, on a plain table of hazards.

As of a day D, a hazard counts when it was reported on or before D; it is *open* when it was
not closed by D (no ``closed_on``, or ``closed_on`` after D) and *overdue* when it is open and
its deadline is before D. The regulator's indicator is the number of open major hazards past
their deadline, with target 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.errors import ValidationError
from aurum.core.i18n import _
from aurum.core.tables import RowProblems, read_csv, require_rows, with_columns
from aurum.safety.register import Hazard, HazardLevel

HAZARD_COLUMNS = ("id", "site", "province", "level", "reported_on", "deadline", "closed_on")
"""Columns of a hazards file; ``enterprise`` may follow."""

GROUPINGS = ("site", "enterprise", "province")
COUNT_COLUMNS = ("open_major", "overdue_major", "open_general", "overdue_general")
# Ages of open hazards (days since the report): upper bounds of the classes, inclusive.
AGE_CLASSES = (("age_0_30d", 30), ("age_31_90d", 90), ("age_91_180d", 180),
               ("age_over_180d", np.inf))
INDICATOR = "open_major_past_deadline"
INDICATOR_TARGET = 0


def read_hazards_csv(path: str | Path) -> pd.DataFrame:
    """Read and validate a hazards CSV (columns :data:`HAZARD_COLUMNS`, optional
    ``enterprise``; dates as YYYY-MM-DD, ``closed_on`` empty while open).

    Raises
    ------
    ValidationError
        With every problem of the file (see :func:`validate_hazard_frame`).
    """
    path = Path(path)
    frame = read_csv(path, path.name, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                     skipinitialspace=True)
    return require_rows(validate_hazard_frame(frame, source=path.name), path.name)


def validate_hazard_frame(frame: pd.DataFrame, source: str | None = None) -> pd.DataFrame:
    """Check hazard rows and return them typed.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns :data:`HAZARD_COLUMNS` (``enterprise`` optional) as text, as read from a
        file.
    source : str, optional
        File name for the messages.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``site``, ``enterprise`` (the site when absent), ``province`` as text,
        ``level`` (``general`` | ``major``), ``reported_on``, ``deadline``, ``closed_on`` as
        datetime64 (NaT while open).

    Raises
    ------
    ValidationError
        One problem per missing column (row 1), empty identity cell, repeated id, unknown
        level, date that is not YYYY-MM-DD, and deadline or closing day before the report day;
        rows numbered as in a spreadsheet (header = row 1).
    """
    frame = with_columns(frame, HAZARD_COLUMNS, source)
    problems = RowProblems(source)
    flag = problems.flag
    text = {c: frame[c].astype("string").str.strip().fillna("") for c in HAZARD_COLUMNS}
    for column in ("id", "site", "province", "level", "reported_on", "deadline"):
        flag(text[column].eq(""), column, _("expected %(column)s", column=column))
    flag(text["id"].ne("") & text["id"].duplicated(keep="first"), "id",
         _("id {value!r} repeats an earlier row"), value=text["id"])
    level = text["level"].str.lower()
    flag(level.ne("") & ~level.isin([lv.value for lv in HazardLevel]), "level",
         _("unknown level {value!r}: expected general or major"), value=text["level"])

    dates = {}
    for column in ("reported_on", "deadline", "closed_on"):
        parsed = pd.to_datetime(text[column], format="%Y-%m-%d", errors="coerce")
        flag(text[column].ne("") & parsed.isna(), column,
             _("expected a date as YYYY-MM-DD, got {value!r}"), value=text[column])
        dates[column] = parsed
    flag(dates["deadline"] < dates["reported_on"], "deadline",
         _("deadline {value} is before the report date"), value=text["deadline"])
    flag(dates["closed_on"] < dates["reported_on"], "closed_on",
         _("closing date {value} is before the report date"), value=text["closed_on"])
    if problems:
        raise ValidationError(problems)

    enterprise = (frame["enterprise"].astype("string").str.strip().fillna("")
                  if "enterprise" in frame.columns else text["site"])
    return pd.DataFrame({
        "id": text["id"].astype(str), "site": text["site"].astype(str),
        "enterprise": enterprise.where(enterprise.ne(""), text["site"]).astype(str),
        "province": text["province"].astype(str), "level": level.astype(str),
        **{c: dates[c].astype("datetime64[ns]") for c in dates}})


def hazards_frame(hazards: Iterable[Hazard]) -> pd.DataFrame:
    """The register's hazards as the table the statistics read (classified hazards only:
    an unclassified one has no level yet)."""
    rows = [{"id": h.id, "site": h.site, "enterprise": h.enterprise or h.site,
             "province": h.province, "level": h.level.value, "reported_on": h.reported_on,
             "deadline": h.deadline, "closed_on": h.closed_on}
            for h in hazards if h.level is not None]
    frame = pd.DataFrame(rows, columns=["id", "site", "enterprise", "province", "level",
                                        "reported_on", "deadline", "closed_on"])
    for column in ("reported_on", "deadline", "closed_on"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    return frame


def _flags(hazards: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per hazard: counted, open, overdue, major, age (d) and days to close (d)."""
    day = pd.Timestamp(as_of)
    reported, deadline, closed = hazards["reported_on"], hazards["deadline"], \
        hazards["closed_on"]
    counted = reported <= day
    is_closed = counted & closed.notna() & (closed <= day)
    is_open = counted & ~is_closed
    overdue = is_open & deadline.notna() & (deadline < day)
    major = hazards["level"].eq(HazardLevel.MAJOR.value)
    return pd.DataFrame({
        "open_major": is_open & major, "overdue_major": overdue & major,
        "open_general": is_open & ~major, "overdue_general": overdue & ~major,
        "closed": is_closed,
        "age_d": ((day - reported).dt.days).where(is_open),
        "days_to_close": ((closed - reported).dt.days).where(is_closed)})


def clearing_table(hazards: pd.DataFrame, as_of: date, by: str | None = None) -> pd.DataFrame:
    """Clearing statistics per site, enterprise or province, or for the nation.

    Parameters
    ----------
    hazards : pandas.DataFrame
        As :func:`validate_hazard_frame` or :func:`hazards_frame` returns.
    as_of : date
        Day of the statistics.
    by : {'site', 'enterprise', 'province'} or None
        Grouping; None gives one row, ``nation``.

    Returns
    -------
    pandas.DataFrame
        One row per group (index named after ``by``), columns ``open_major``,
        ``overdue_major``, ``open_general``, ``overdue_general``, ``closed`` (counts),
        ``median_days_to_close`` (d, NaN when none closed), the age classes of open hazards
        :data:`AGE_CLASSES` (counts) and ``target_met`` (no open major hazard past its
        deadline).
    """
    if by is not None and by not in GROUPINGS:
        raise ValidationError(_("unknown grouping %(by)r: expected one of %(known)s", by=by,
                                known=", ".join(GROUPINGS)))
    flags = _flags(hazards, as_of)
    age_class = pd.cut(flags["age_d"], bins=[-np.inf, *[b for _name, b in AGE_CLASSES]],
                       labels=[name for name, _days in AGE_CLASSES])
    for name, _days in AGE_CLASSES:
        flags[name] = age_class.eq(name)
    key = hazards[by].rename(by) if by else pd.Series("nation", index=hazards.index,
                                                        name="scope")
    counts = [*COUNT_COLUMNS, "closed", *[name for name, _days in AGE_CLASSES]]
    grouped = flags.groupby(key, sort=True)
    table = grouped[counts].sum().astype(int)
    table.insert(5, "median_days_to_close", grouped["days_to_close"].median())
    table["target_met"] = table["overdue_major"].eq(INDICATOR_TARGET)
    return table


def clearing_summary(hazards: pd.DataFrame, as_of: date) -> dict[str, Any]:
    """The national figures and the same per province (``aurum safety status``'s JSON).

    Returns
    -------
    dict
        ``open_major``, ``overdue_major``, ``open_general``, ``overdue_general`` (counts),
        ``median_days_to_close`` (d, None when nothing closed) and ``by_province``: the same
        five figures per province.
    """
    keys = [*COUNT_COLUMNS, "median_days_to_close"]

    def figures(row: pd.Series) -> dict[str, Any]:
        out: dict[str, Any] = {k: int(row[k]) for k in COUNT_COLUMNS}
        median = row["median_days_to_close"]
        out["median_days_to_close"] = None if pd.isna(median) else float(median)
        return out

    if hazards.empty:
        empty: dict[str, Any] = dict.fromkeys(COUNT_COLUMNS, 0)
        return empty | {"median_days_to_close": None, "by_province": {}}
    nation = clearing_table(hazards, as_of)
    provinces = clearing_table(hazards, as_of, by="province")
    summary = figures(nation.iloc[0])
    summary["by_province"] = {str(p): figures(row) for p, row in provinces[keys].iterrows()}
    return summary
