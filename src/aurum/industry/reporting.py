"""Statistical reports of gold enterprises: the fields, their units and the rules a report obeys.

One report covers one site and one period (year, quarter or month). This module is the single
definition of its fields: the CSV / Excel template, the web form, the REST schema and the
database columns are all derived from or checked against :data:`FIELDS`.

Validation names the row and the column of every problem and says what was expected. It
covers, per cell: numbers only (no text, no unit written into the cell), no negatives, a
plausible maximum per unit (a head grade of 2,500 "g/t" is most likely a unit slip); per
header: unknown columns and columns whose unit suffix is wrong (``gold_own_mine_t`` where
``gold_own_mine_kg`` is expected); per row: gold recovered from ore cannot exceed the gold the
ore contained (ore treated x head grade, with a rounding tolerance of
:data:`GRADE_BALANCE_TOLERANCE`), solid waste utilised cannot exceed waste generated plus the
opening stock, proved + probable reserves cannot exceed measured + indicated resources.

A period can be reported from the day after it ends (:func:`check_period_ended`), and its
report is due the days the reporting calendar sets after that end (:func:`due_date`, from the
versioned file read by :mod:`aurum.industry.calendar`); days are Beijing days
(:func:`aurum.core.time.today_cst`). The day is always passed in, so a test (or the demo's
back-dated history) chooses its own "today".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from babel.support import LazyProxy

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, lazy_gettext
from aurum.core.periods import Period, PeriodKind
from aurum.core.tables import require_rows
from aurum.core.time import today_cst
from aurum.industry.calendar import load_calendar

GRADE_BALANCE_TOLERANCE = 0.005
"""Relative tolerance on ``gold <= ore treated x head grade`` (rounding of reported figures)."""
RESERVES_WITHIN_CLAUSE = "GB/T 17766-2020, 2, 4.2"
"""The clauses behind ``reserves <= measured + indicated resources``: the rule
``within_resources`` of ``aurum/resources/data/gbt17766_2020.yaml`` (this domain does not
import the resource domain; ``tests/resources/test_gbt17766.py`` checks the two agree)."""


@dataclass(frozen=True)
class ReportField:
    """One numeric field of a statistical report.

    Parameters
    ----------
    name : str
        Column name in files and API, ending with the unit (``_t``, ``_kg``, ``_gpt``, ``_tce``).
    unit : str
        Unit as printed: t, kg, g/t or tce (t of standard coal equivalent).
    label : str or LazyProxy
        Human label for forms and templates, in the reader's language when used.
    group : str
        Section of the form: production, gold, resources, waste or inputs.
    maximum : float
        Plausible upper bound for one report of one site, in ``unit``; larger values are
        refused as a probable unit error.
    """

    name: str
    unit: str
    label: str | LazyProxy
    group: str
    maximum: float


UNIT_SUFFIXES: dict[str, str] = {"t": "_t", "kg": "_kg", "g/t": "_gpt", "tce": "_tce"}

WASTE_TYPES: dict[str, LazyProxy] = {
    "tailings": lazy_gettext("Tailings"),
    "cyanide_residue": lazy_gettext("Cyanide residue"),
    "waste_rock": lazy_gettext("Waste rock"),
    "other": lazy_gettext("Other solid waste"),
}
WASTE_ROUTES: dict[str, LazyProxy] = {
    "backfill": lazy_gettext("backfill"),
    "building_materials": lazy_gettext("building materials"),
    "metal_recovery": lazy_gettext("valuable-metal recovery"),
    "other": lazy_gettext("other use"),
}
WASTE_MEASURES: tuple[str, ...] = (
    "generated_t", "stock_t", *(f"used_{route}_t" for route in WASTE_ROUTES),
)


def waste_column(waste_type: str, measure: str) -> str:
    """CSV column of one waste measure, e.g. ``waste_tailings_used_backfill_t``."""
    return f"waste_{waste_type}_{measure}"


def _waste_fields() -> list[ReportField]:
    out = []
    for wtype, wlabel in WASTE_TYPES.items():
        out.append(ReportField(waste_column(wtype, "generated_t"), "t",
                               lazy_gettext("%(waste)s generated", waste=wlabel), "waste",
                               5e7))
        out.append(ReportField(waste_column(wtype, "stock_t"), "t",
                               lazy_gettext("%(waste)s in stock at period start",
                                            waste=wlabel), "waste", 1e9))
        for route, rlabel in WASTE_ROUTES.items():
            out.append(ReportField(waste_column(wtype, f"used_{route}_t"), "t",
                                   lazy_gettext("%(waste)s utilised: %(route)s", waste=wlabel,
                                                route=rlabel), "waste", 5e7))
    return out


FIELDS: tuple[ReportField, ...] = (
    ReportField("ore_mined_t", "t", lazy_gettext("Ore mined"), "production", 5e7),
    ReportField("ore_treated_t", "t",
                lazy_gettext("Ore (or concentrate) treated"), "production", 5e7),
    ReportField("head_grade_gpt", "g/t",
                lazy_gettext("Head grade of material treated"), "production", 1000.0),
    ReportField("gold_own_mine_kg", "kg",
                lazy_gettext("Gold produced from own mine ore"), "gold", 1e5),
    ReportField("gold_associated_kg", "kg",
                lazy_gettext("Gold produced as by-product of other metals"), "gold", 1e5),
    ReportField("gold_imported_kg", "kg",
                lazy_gettext("Gold produced from imported material"), "gold", 1e5),
    ReportField("gold_recycled_kg", "kg",
                lazy_gettext("Gold produced from recycled material"), "gold", 1e5),
    ReportField("silver_kg", "kg", lazy_gettext("Silver produced"), "gold", 1e6),
    ReportField("resources_measured_t", "t",
                lazy_gettext("Measured resources, contained gold at period end"),
                "resources", 5000.0),
    ReportField("resources_indicated_t", "t",
                lazy_gettext("Indicated resources, contained gold at period end"),
                "resources", 5000.0),
    ReportField("resources_inferred_t", "t",
                lazy_gettext("Inferred resources, contained gold at period end"),
                "resources", 5000.0),
    ReportField("reserves_proved_t", "t",
                lazy_gettext("Proved reserves, contained gold at period end"),
                "resources", 5000.0),
    ReportField("reserves_probable_t", "t",
                lazy_gettext("Probable reserves, contained gold at period end"),
                "resources", 5000.0),
    *_waste_fields(),
    ReportField("cyanide_consumed_t", "t", lazy_gettext("Sodium cyanide consumed"), "inputs", 1e5),
    ReportField("energy_tce", "tce",
                lazy_gettext("Energy consumed (t of standard coal)"), "inputs", 1e7),
)
FIELD_BY_NAME: dict[str, ReportField] = {f.name: f for f in FIELDS}
SCALAR_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.group != "waste")
KEY_COLUMNS: tuple[str, ...] = ("site", "period")
OPTIONAL_COLUMNS: tuple[str, ...] = ("amendment_reason",)
TEMPLATE_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, *(f.name for f in FIELDS), *OPTIONAL_COLUMNS)

Values = dict[str, float | None]


def _stem(name: str) -> str | None:
    for suffix in (*UNIT_SUFFIXES.values(), "_g", "_oz", "_pct", "_ppm", "_kt", "_mt", "_gt"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


_STEMS: dict[str, ReportField] = {s: f for f in FIELDS if (s := _stem(f.name)) is not None}


# ---------------------------------------------------------------------------------------------
# The reporting calendar

def reporting_day(at: datetime | None = None) -> date:
    """The day of the reporting calendar at an instant: periods end and reports fall due at
    midnight in Beijing.

    Parameters
    ----------
    at : datetime, optional
        The instant (a naive value is taken as UTC); now by default.
    """
    return today_cst(at)


def due_date(period: Period) -> date:
    """The last day on which the report of ``period`` is on time (the reporting calendar's
    days after its end, :func:`aurum.industry.calendar.load_calendar`): a report first
    submitted later is late, one not submitted by then is missing."""
    return load_calendar().due_date(period)


def check_period_ended(period: Period, today: date, row: int | None = None,
                       source: str | None = None) -> list[Problem]:
    """A problem when ``period`` has not ended on ``today``: its figures are not final yet.

    A period can be reported from the day after its last day.

    Parameters
    ----------
    period : Period
        Period of the report.
    today : date
        Day of the submission in the reporting calendar (:func:`reporting_day`).
    row : int, optional
        Spreadsheet row of the report, for the message.
    source : str, optional
        File name for the message.
    """
    if today > period.end:
        return []
    opens = period.end + timedelta(days=1)
    return [Problem(_("period %(period)s has not ended: it ends on %(end)s, so its report can be "
                      "submitted from %(opens)s (due by %(due)s)", period=period.label,
                      end=period.end.isoformat(), opens=opens.isoformat(),
                      due=due_date(period).isoformat()), row, "period", source)]


def months_due(year: int, today: date) -> int:
    """How many months of ``year``, from January, have their monthly or quarterly reports due
    (due date before ``today``): 0 to 12.

    The months whose figures every site should have sent by ``today``; a year is complete
    when all twelve are (see :func:`last_complete_year`).
    """
    # Due dates grow with the month, so the months due are the first ones.
    return sum(due_date(Period(year, PeriodKind.MONTH, m)) < today for m in range(1, 13))


def last_complete_year(today: date) -> int:
    """The latest year whose reports are all due by ``today`` (December's after 30 January)."""
    last_year = today.year - 1
    return last_year if months_due(last_year, today) == 12 else last_year - 1


# ---------------------------------------------------------------------------------------------
# Derived quantities (the figures the indicators use)


def mine_gold_kg(values: Mapping[str, float | None]) -> float:
    """Gold recovered from domestic ore (own mine + associated), kg: the plan's "mine gold"."""
    return _sum(values, "gold_own_mine_kg", "gold_associated_kg")


def gold_resources_t(values: Mapping[str, float | None]) -> float | None:
    """Gold resources at period end (measured + indicated + inferred), t of contained gold.

    None when no resource category was reported.
    """
    names = ("resources_measured_t", "resources_indicated_t", "resources_inferred_t")
    if all(values.get(n) is None for n in names):
        return None
    return _sum(values, *names)


def waste_generated_t(values: Mapping[str, float | None]) -> float:
    """Solid waste generated in the period, all types, t."""
    return _sum(values, *(waste_column(w, "generated_t") for w in WASTE_TYPES))


def waste_utilised_t(values: Mapping[str, float | None]) -> float:
    """Solid waste utilised in the period, all types and routes, t."""
    return _sum(values, *(waste_column(w, f"used_{r}_t") for w in WASTE_TYPES
                          for r in WASTE_ROUTES))


def _sum(values: Mapping[str, float | None], *names: str) -> float:
    return float(sum(values.get(n) or 0.0 for n in names))


# ---------------------------------------------------------------------------------------------
# Parsing and validation


@dataclass
class ReportRow:
    """One validated row of an upload.

    Parameters
    ----------
    row : int
        Spreadsheet row number (header = 1).
    site : str
        Site code as written.
    period : Period
        Reporting period.
    values : dict
        Field name to value in the field's unit; None where the cell was empty.
    amendment_reason : str or None
        Reason, when the row amends a stored report.
    """

    row: int
    site: str
    period: Period
    values: Values = field(default_factory=dict)
    amendment_reason: str | None = None


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_UNIT_IN_CELL = re.compile(r"^[+-]?[\d.,]+\s*([a-zA-Z/%]+)$")


def parse_number(text: str, fld: ReportField) -> tuple[float | None, str | None]:
    """Parse one cell. Return ``(value, None)`` or ``(None, problem message)``."""
    s = str(text).strip()
    if s == "" or s.lower() in {"nan", "none"}:
        return None, None
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        unit = _UNIT_IN_CELL.match(s)
        if unit:
            return None, _("expected a plain number in %(unit)s, got %(text)s: write the number "
                           "alone, converted to %(unit)s", unit=fld.unit, text=repr(text))
        return None, _("expected a number in %(unit)s, got text %(text)s", unit=fld.unit,
                       text=repr(text))
    value = float(s)
    if value < 0:
        return None, _("expected a value >= 0 %(unit)s, got %(value)s", unit=fld.unit,
                       value=format(value, "g"))
    if value > fld.maximum:
        return None, _("%(value)s %(unit)s is above the plausible maximum of %(maximum)s "
                       "%(unit)s for one report: check the unit", value=format(value, "g"),
                       unit=fld.unit, maximum=format(fld.maximum, "g"))
    return value, None


def check_header(columns: Iterable[str], source: str | None = None) -> list[Problem]:
    """Problems with a header: missing keys, wrong unit suffixes, unknown columns."""
    cols = [str(c).strip() for c in columns]
    problems = [Problem(_("missing required column %(column)s", column=repr(key)), row=1,
                        column=key, source=source)
                for key in KEY_COLUMNS if key not in cols]
    known = set(TEMPLATE_COLUMNS)
    seen: set[str] = set()
    for col in cols:
        if col in seen:
            problems.append(Problem(_("column appears twice"), row=1, column=col, source=source))
        seen.add(col)
        if col in known:
            continue
        stem = _stem(col)
        if stem is not None and stem in _STEMS:
            fld = _STEMS[stem]
            problems.append(Problem(
                _("wrong unit: this field is reported in %(unit)s; name the column %(column)s and "
                  "convert the values", unit=fld.unit, column=repr(fld.name)),
                row=1, column=col, source=source))
        else:
            problems.append(Problem(
                _("unknown column; download the template for the list of columns"),
                row=1, column=col, source=source))
    return problems


def _total(values: pd.DataFrame, names: Iterable[str]) -> pd.Series:
    return values[list(names)].fillna(0.0).sum(axis=1)


def check_frame(values: pd.DataFrame, rows: Sequence[int | None] | None = None,
                source: str | None = None) -> list[Problem]:
    """Cross-field rules (see module docstring) over many reports at once.

    Parameters
    ----------
    values : pandas.DataFrame
        One report per row, one column per field of :data:`FIELDS` (NaN = not reported).
    rows : sequence of int, optional
        Spreadsheet row number of each report, for the messages.
    source : str, optional
        File name for the messages.

    Returns
    -------
    list of Problem
        In row order.
    """
    values = values.reset_index(drop=True)
    rownums = list(rows) if rows is not None else [None] * len(values)
    problems: list[Problem] = []

    def add(mask: pd.Series, column: str | pd.Series, message: pd.Series) -> None:
        columns = [column] * len(mask) if isinstance(column, str) else column.tolist()
        messages = message.tolist()
        for i in np.flatnonzero(mask.to_numpy()):
            problems.append(Problem(str(messages[i]), rownums[i], str(columns[i]), source))

    ore, grade = values["ore_treated_t"], values["head_grade_gpt"]
    gold = _total(values, ("gold_own_mine_kg", "gold_associated_kg", "gold_imported_kg"))
    contained = ore * grade / 1000.0
    unknown_feed = (gold > 0) & (ore.isna() | grade.isna())
    add(unknown_feed, ore.isna().map({True: "ore_treated_t", False: "head_grade_gpt"}),
        pd.Series(_("gold produced from ore needs ore treated (t) and head grade (g/t)"),
                  index=values.index))
    too_much = (gold > 0) & (gold > contained * (1 + GRADE_BALANCE_TOLERANCE))
    add(too_much, "gold_own_mine_kg", pd.Series([
        _("gold produced %(gold)s kg exceeds the gold in the ore treated (%(ore)s t x %(grade)s "
          "g/t = %(contained)s kg)", gold=format(g, ",.3f"), ore=format(o, ",.0f"),
          grade=format(gr, "g"), contained=format(c, ",.3f")) if m else ""
        for m, g, o, gr, c in zip(too_much, gold, ore, grade, contained, strict=True)]))
    for wtype, wlabel in WASTE_TYPES.items():
        used = _total(values, (waste_column(wtype, f"used_{r}_t") for r in WASTE_ROUTES))
        available = _total(values, (waste_column(wtype, "generated_t"),
                                    waste_column(wtype, "stock_t")))
        over = used > available * (1 + 1e-9)
        add(over, waste_column(wtype, "generated_t"), pd.Series([
            _("%(waste)s utilised %(used)s t exceeds generated + opening stock %(available)s t",
              waste=str(wlabel).lower(), used=format(u, ",.1f"),
              available=format(a, ",.1f")) if m else ""
            for m, u, a in zip(over, used, available, strict=True)]))
    reserves = _total(values, ("reserves_proved_t", "reserves_probable_t"))
    mi = _total(values, ("resources_measured_t", "resources_indicated_t"))
    over = reserves > mi * (1 + 1e-9)
    add(over, "reserves_proved_t", pd.Series([
        _("proved + probable reserves %(reserves)s t exceed measured + indicated resources "
          "%(resources)s t of gold: reserves are the mineable part of the measured and "
          "indicated resources they are converted from (%(clause)s)",
          reserves=format(r, ",.3f"), resources=format(m_i, ",.3f"),
          clause=RESERVES_WITHIN_CLAUSE) if m else ""
        for m, r, m_i in zip(over, reserves, mi, strict=True)]))
    problems.sort(key=lambda p: p.row or 0)
    return problems


def check_values(values: Mapping[str, float | None], row: int | None = None,
                 source: str | None = None) -> list[Problem]:
    """Cross-field rules of one report (see :func:`check_frame`)."""
    frame = pd.DataFrame([{f.name: values.get(f.name) for f in FIELDS}], dtype=float)
    return check_frame(frame, [row], source)


def parse_values(raw: Mapping[str, object], row: int | None = None,
                 source: str | None = None) -> tuple[Values, list[Problem]]:
    """Parse the numeric fields of one report given as strings or numbers."""
    values: Values = {}
    problems: list[Problem] = []
    for fld in FIELDS:
        cell = raw.get(fld.name)
        if cell is None:
            values[fld.name] = None
            continue
        value, message = parse_number(str(cell), fld)
        if message:
            problems.append(Problem(message, row=row, column=fld.name, source=source))
        values[fld.name] = value
    if not problems:
        problems.extend(check_values(values, row=row, source=source))
    return values, problems


def _numeric_columns(frame: pd.DataFrame, source: str | None
                     ) -> tuple[pd.DataFrame, list[Problem]]:
    """Every field as floats (NaN = empty) and a problem per cell that is not a plain number
    in range.

    Plain numbers are converted in bulk; only the cells the bulk conversion cannot read (text,
    thousands separators) and the out-of-range ones go through :func:`parse_number`, which
    decides what is accepted and words every message.
    """
    n = len(frame)
    columns: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    for fld in FIELDS:
        if fld.name not in frame.columns:
            columns[fld.name] = np.full(n, np.nan)
            continue
        raw = frame[fld.name].to_numpy(dtype=object)
        number = np.array(pd.to_numeric(pd.Series(raw), errors="coerce"), dtype=float)
        unread = np.isnan(number) & (raw != "")
        out_of_range = (number < 0) | (number > fld.maximum)
        for i in np.flatnonzero(unread | out_of_range):
            value, message = parse_number(str(raw[i]), fld)
            if message:
                problems.append(Problem(message, int(i) + 2, fld.name, source))
            number[i] = np.nan if value is None or message else value
        columns[fld.name] = number
    return pd.DataFrame(columns), problems


def parse_table(frame: pd.DataFrame, source: str | None = None) -> list[ReportRow]:
    """Validate an upload given as a frame of strings; raise with every problem found.

    Column-wise: each rule runs over whole columns, and messages are built only for the
    cells and rows that break it.

    Parameters
    ----------
    frame : pandas.DataFrame
        Header = :data:`TEMPLATE_COLUMNS` (any subset containing ``site`` and ``period``).
    source : str, optional
        File name for the messages.

    Returns
    -------
    list of ReportRow

    Raises
    ------
    ValidationError
        With one :class:`~aurum.core.errors.Problem` per bad cell, header or row.
    """
    problems = check_header(frame.columns, source)
    if problems:
        raise ValidationError(problems)
    frame = require_rows(frame, source).reset_index(drop=True)
    rownums = np.arange(2, len(frame) + 2)
    sites = [str(v).strip() for v in frame["site"].tolist()]
    labels = [str(v).strip() for v in frame["period"].tolist()]
    parsed: dict[str, Period] = {}
    errors: dict[str, str] = {}
    for label in set(labels):
        try:
            parsed[label] = Period.parse(label)
        except ValueError as exc:
            errors[label] = str(exc)
    seen: dict[tuple[str, str], int] = {}
    for i, (site, label) in enumerate(zip(sites, labels, strict=True)):
        row = int(rownums[i])
        if not site:
            problems.append(Problem(_("expected a site code"), row, "site", source))
        if label in errors:
            problems.append(Problem(errors[label], row, "period", source))
            continue
        key = (site, parsed[label].label)
        if site and key in seen:
            problems.append(Problem(_("duplicate period: site %(site)s %(period)s already on row "
                                      "%(row)s", site=site, period=key[1], row=seen[key]),
                                    row, "period", source))
        seen.setdefault(key, row)
    values, cell_problems = _numeric_columns(frame, source)
    problems += cell_problems
    unchecked = {p.row for p in cell_problems} | {
        int(rownums[i]) for i, label in enumerate(labels) if label in errors}
    clean = np.array([int(r) not in unchecked for r in rownums])
    problems += check_frame(values[clean], [int(r) for r in rownums[clean]], source)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ValidationError(problems)
    reasons = ([str(v).strip() for v in frame["amendment_reason"].tolist()]
               if "amendment_reason" in frame.columns else [""] * len(frame))
    names = list(values.columns)
    cells = values.astype(object).where(values.notna(), None).to_numpy().tolist()
    return [ReportRow(int(rownums[i]), sites[i], parsed[labels[i]], dict(zip(names, cells[i],
                                                                            strict=True)),
                      reasons[i] or None)
            for i in range(len(frame))]


def template_frame() -> pd.DataFrame:
    """An empty upload template (the header only)."""
    return pd.DataFrame(columns=list(TEMPLATE_COLUMNS))


def field_guide(fields: Sequence[ReportField] = FIELDS) -> pd.DataFrame:
    """One row per column: unit, meaning and the plausible maximum (for the template).

    Parameters
    ----------
    fields : sequence of ReportField
        :data:`FIELDS`, or the same fields with the labels a page gives them (the service
        labels the resource fields by their GB/T 17766-2020 category).
    """
    rows: list[dict[str, object]] = [
        {"column": "site", "unit": "", "meaning": _("Site code from the registry"), "maximum": ""},
        {"column": "period", "unit": "", "meaning": _("YYYY, YYYY-Qn or YYYY-MM"), "maximum": ""}]
    rows += [{"column": f.name, "unit": f.unit, "meaning": str(f.label), "maximum": f.maximum}
             for f in fields]
    rows.append({"column": "amendment_reason", "unit": "",
                 "meaning": _("Only to amend a stored report: why it changes"), "maximum": ""})
    return pd.DataFrame(rows)
