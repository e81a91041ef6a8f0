"""Drillhole database: collar, survey, assay and lithology tables read from CSV files or frames,
validated row by row, with every problem reported.

Conventions
-----------
- Depths along the hole (``AT``, ``FROM``, ``TO``) and collar coordinates share one length
  unit, written m below (the Babbitt files are in feet, consistently).
- Azimuth: degrees clockwise from grid north, 0 to 360.
- Dip: degrees below the horizontal, **positive downward** (90 = vertical down, −90 = vertical
  up), as the Babbitt survey file records it (dips 32 to 90 on holes drilled down from
  surface). Files that write down-holes with negative dips are read with
  ``ColumnMapping(dip_positive_down=False)``; the database always holds positive-down dips.
- Hole length: the collar's length column when one is mapped, otherwise the deepest ``FROM``
  or ``TO`` of the hole's assay and lithology rows; a survey station below it is an error.
  Map the length column when surveys legitimately run below the last interval.
- Grades: a number ≥ 0 in the unit of the file (g/t or %). Below-detection codes ``<limit``
  become ``DetectionRule.below_factor × limit`` (half the limit by default); over-range codes
  ``>limit`` become ``DetectionRule.above_factor × limit`` (the limit by default). An empty cell
  (or ``NA``, ``N/A``, ``NaN``, ``NULL``, ``None``) is "not assayed" and stays NaN; any other
  text is an error.
- Rows are spreadsheet rows: the header is row 1, the first data row is row 2 (for a frame,
  row ``position + 2``, as if written to CSV with its header).

Severity
--------
An *error* excludes its row (a collar error excludes the hole with its surveys and intervals;
a hole with no usable survey station keeps no interval). A *warning* keeps the row: a gap
between intervals, a missing grade, a missing lithology code. Of two overlapping intervals the
later (deeper ``FROM``) is excluded; of two survey stations at one depth, the later row.
``strict=True`` raises :class:`~aurum.core.errors.ValidationError` with every error; otherwise
the database comes back without the excluded rows and with the report of every problem.
Missing files and missing columns always raise: nothing can be read without them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.tables import read_csv

Table = str | os.PathLike[str] | pd.DataFrame
"""A table: a path to a CSV file, or a frame with the file's columns."""

DEPTH_TOLERANCE = 1e-6
"""Depths closer than this are equal, m."""

_MISSING_TOKENS = ("", "NA", "N/A", "NAN", "NULL", "NONE")
_FINDING_COLUMNS = ["kind", "severity", "source", "row", "column", "hole", "message"]


class ProblemKind(StrEnum):
    """Kind of problem found in a drillhole table."""

    MISSING_VALUE = "missing_value"
    NOT_A_NUMBER = "not_a_number"
    DUPLICATE_COLLAR = "duplicate_collar"
    UNKNOWN_HOLE = "unknown_hole"
    MISSING_SURVEY = "missing_survey"
    DUPLICATE_STATION = "duplicate_station"
    DIP_OUT_OF_RANGE = "dip_out_of_range"
    AZIMUTH_OUT_OF_RANGE = "azimuth_out_of_range"
    DEPTH_OUT_OF_RANGE = "depth_out_of_range"
    FROM_NOT_ABOVE_TO = "from_not_above_to"
    BEYOND_HOLE_LENGTH = "beyond_hole_length"
    OVERLAP = "overlap"
    GAP = "gap"
    TEXT_GRADE = "text_grade"
    NEGATIVE_GRADE = "negative_grade"
    MISSING_GRADE = "missing_grade"
    MISSING_LITHOLOGY = "missing_lithology"


WARNING_KINDS = frozenset({ProblemKind.GAP, ProblemKind.MISSING_GRADE,
                           ProblemKind.MISSING_LITHOLOGY})
"""Kinds that keep their row; every other kind excludes it."""


@dataclass(frozen=True)
class ColumnMapping:
    """Column names of the four tables (defaults: the Babbitt headers).

    Attributes
    ----------
    hole : str
        Hole identifier, in every table.
    x, y, z : str
        Collar easting, northing and elevation, m.
    length : str or None
        Collar hole length, m; None when the collar table has none.
    at, azimuth, dip : str
        Survey station depth (m), azimuth (degrees from north, clockwise) and dip (degrees).
    depth_from, depth_to : str
        Interval top and bottom depths along the hole, m.
    grades : tuple of str or None
        Assay grade columns (g/t or %); None takes every assay column besides hole and depths.
    lithology : str
        Lithology code column of the lithology table.
    dip_positive_down : bool
        True when the survey writes down-holes with positive dips (Babbitt); False flips signs.
    """

    hole: str = "BHID"
    x: str = "XCOLLAR"
    y: str = "YCOLLAR"
    z: str = "ZCOLLAR"
    length: str | None = None
    at: str = "AT"
    azimuth: str = "AZ"
    dip: str = "DIP"
    depth_from: str = "FROM"
    depth_to: str = "TO"
    grades: tuple[str, ...] | None = None
    lithology: str = "LITH"
    dip_positive_down: bool = True


@dataclass(frozen=True)
class DetectionRule:
    """Values given to detection-limit codes in grade columns.

    Attributes
    ----------
    below_factor : float
        ``<limit`` (below detection) becomes ``below_factor × limit``; 0.5 (half the detection
        limit) by default.
    above_factor : float
        ``>limit`` (over range) becomes ``above_factor × limit``; 1.0 by default.
    """

    below_factor: float = 0.5
    above_factor: float = 1.0


@dataclass(frozen=True)
class ValidationReport:
    """Every problem found while reading a drillhole database.

    Attributes
    ----------
    findings : pandas.DataFrame
        One problem per row: ``kind`` (a :class:`ProblemKind` value), ``severity`` (``error`` or
        ``warning``), ``source`` (file name), ``row`` (spreadsheet row), ``column``, ``hole``
        and ``message``.
    """

    findings: pd.DataFrame

    def __len__(self) -> int:
        return len(self.findings)

    @property
    def ok(self) -> bool:
        """True when no problem is an error (warnings allowed)."""
        return not (self.findings["severity"] == "error").any()

    @property
    def problems(self) -> list[Problem]:
        """Every problem, errors and warnings, in file and row order."""
        return _problems(self.findings)

    @property
    def errors(self) -> list[Problem]:
        """The problems that excluded a row."""
        return _problems(self.findings[self.findings["severity"] == "error"])

    @property
    def warnings(self) -> list[Problem]:
        """The problems whose row was kept."""
        return _problems(self.findings[self.findings["severity"] == "warning"])

    def counts(self) -> dict[str, int]:
        """Number of problems of each kind found (kinds not found are left out)."""
        return {str(k): int(n) for k, n in self.findings["kind"].value_counts().items()}


def _problems(findings: pd.DataFrame) -> list[Problem]:
    return [Problem(m, int(r), c, s) for s, r, c, m in zip(
        findings["source"], findings["row"], findings["column"], findings["message"],
        strict=True)]


@dataclass(frozen=True)
class DrillholeDatabase:
    """Validated drillholes, ready to desurvey and composite.

    Attributes
    ----------
    collars : pandas.DataFrame
        ``hole, x, y, z, length`` (m) of every hole with a valid collar and at least one valid
        survey station, in collar-file order; ``length`` is the mapped collar length, else the
        deepest depth of the hole's intervals.
    surveys : pandas.DataFrame
        ``hole, at, az, dip``: station depth (m), azimuth (degrees clockwise from north) and dip
        (degrees below horizontal, positive down), sorted by hole and depth.
    intervals : pandas.DataFrame
        ``hole, from, to`` (m), one column per grade (g/t or %, NaN = not assayed) and, with a
        lithology table, the lithology code column; sorted by hole and depth, no overlaps.
        With a lithology table, intervals are split at both tables' boundaries so that each
        piece carries one grade set and one code.
    grades : tuple of str
        The grade columns of ``intervals``.
    report : ValidationReport
        Every problem found, including those that excluded rows.
    """

    collars: pd.DataFrame
    surveys: pd.DataFrame
    intervals: pd.DataFrame
    grades: tuple[str, ...]
    report: ValidationReport


@dataclass
class _Sheet:
    """One table as text, with its spreadsheet row numbers and running error mask; ``where``
    is the message naming a row (hole, station or interval) and its values per row."""

    source: str
    text: pd.DataFrame
    rows: np.ndarray
    where: tuple[str, dict[str, pd.Series]]
    bad: np.ndarray

    @property
    def hole(self) -> pd.Series:
        return self.text.iloc[:, 0]


class _Findings:
    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(self, kind: ProblemKind, sheet: _Sheet, mask: np.ndarray, column: str,
            message: str, /, **values: str | pd.Series | np.ndarray) -> None:
        """Record ``kind`` on the rows of ``mask``; an error also marks them bad. ``message``
        (translated, with ``%(name)s`` placeholders) is filled row by row from ``values``, each
        one for every row or one per row of the sheet."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        if kind not in WARNING_KINDS:
            sheet.bad |= mask
        where = _filled(sheet.where[0], mask, sheet.where[1])
        problem = _filled(message, mask, values)
        self._parts.append(pd.DataFrame({
            "kind": kind.value,
            "severity": "warning" if kind in WARNING_KINDS else "error",
            "source": sheet.source,
            "row": sheet.rows[mask],
            "column": column,
            "hole": sheet.hole.to_numpy(dtype=object)[mask],
            "message": [_("%(where)s: %(problem)s", where=w, problem=p)
                        for w, p in zip(where, problem, strict=True)],
        }))

    def report(self, order: list[str]) -> ValidationReport:
        if not self._parts:
            return ValidationReport(pd.DataFrame({c: pd.Series(dtype=object)
                                                  for c in _FINDING_COLUMNS}))
        found = pd.concat(self._parts, ignore_index=True)
        found["row"] = found["row"].astype(np.int64)
        rank = found["source"].map({s: i for i, s in enumerate(order)})
        found = found.assign(_rank=rank).sort_values(["_rank", "row"], kind="stable")
        return ValidationReport(found.drop(columns="_rank").reset_index(drop=True))


def read_drillholes(collar: Table, survey: Table, assays: Table, lithology: Table | None = None,
                    *, mapping: ColumnMapping = ColumnMapping(),
                    detection_rule: DetectionRule = DetectionRule(),
                    strict: bool = False) -> DrillholeDatabase:
    """Read and validate a drillhole database.

    Every row of every table is checked and every problem reported (see the module docstring
    for the conventions): a missing or non-numeric value, a duplicate collar, a survey or
    interval of a hole with no collar, a collar with no survey, a dip outside −90…90 degrees,
    an azimuth outside 0…360 degrees, a negative depth, ``FROM >= TO``, a depth below the hole
    length, overlapping intervals, gaps (warning), text or negative grades, missing grades
    (warning). Below-detection codes ``<limit`` become ``detection_rule.below_factor × limit``
    (half the detection limit by default).

    Parameters
    ----------
    collar, survey, assays : str, path or pandas.DataFrame
        The collar (hole, x, y, z in m), survey (hole, depth m, azimuth and dip in degrees) and
        assay (hole, from, to in m, grades in g/t or %) tables, as CSV paths or frames.
    lithology : str, path or pandas.DataFrame, optional
        Lithology intervals (hole, from, to in m, code).
    mapping : ColumnMapping
        Column names; the defaults are the Babbitt headers.
    detection_rule : DetectionRule
        Values given to ``<limit`` and ``>limit`` grade codes.
    strict : bool
        Raise on any error instead of excluding the faulty rows.

    Returns
    -------
    DrillholeDatabase
        The valid collars, surveys and intervals, with the report of every problem.

    Raises
    ------
    ValidationError
        A file cannot be read or lacks a column (always), or any row has an error (strict).
    """
    m = mapping
    named: list[tuple[str, Table, str]] = [("collar", collar, "collar"),
                                           ("survey", survey, "survey"),
                                           ("assays", assays, "assays")]
    if lithology is not None:
        named.append(("lithology", lithology, "lithology"))
    frames: dict[str, tuple[pd.DataFrame, str]] = {}
    problems: list[Problem] = []
    for key, table, default in named:
        try:
            frames[key] = _load(table, default)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)

    assay_frame = frames["assays"][0]
    grades = m.grades if m.grades is not None else tuple(
        c for c in assay_frame.columns if c not in (m.hole, m.depth_from, m.depth_to))
    required = {"collar": [m.hole, m.x, m.y, m.z, *([m.length] if m.length else [])],
                "survey": [m.hole, m.at, m.azimuth, m.dip],
                "assays": [m.hole, m.depth_from, m.depth_to, *grades],
                "lithology": [m.hole, m.depth_from, m.depth_to, m.lithology]}
    for key, (frame, source) in frames.items():
        problems.extend(_missing_columns(frame, required[key], source))
    if problems:
        raise ValidationError(problems)

    found = _Findings()
    sheets = {key: _sheet(frame[required[key]], source, key)
              for key, (frame, source) in frames.items()}
    col = sheets["collar"]
    xyz, hole_length, known = _check_collars(col, m, found)
    collar_ok = ~col.bad
    valid_holes = pd.Index(col.hole[collar_ok].unique())

    interval_sheets = [sheets[k] for k in ("assays", "lithology") if k in sheets]
    depths = [_check_depths(s, m, known, valid_holes, col.hole[collar_ok], hole_length[collar_ok],
                            col.source, found) for s in interval_sheets]
    if m.length is None:
        deepest = pd.concat([pd.Series(np.fmax(frm, to), index=s.hole.to_numpy())
                             for s, (frm, to, _ok) in zip(interval_sheets, depths, strict=True)])
        lengths = deepest.groupby(level=0).max().reindex(valid_holes)
    else:
        lengths = pd.Series(hole_length[collar_ok], index=col.hole[collar_ok].to_numpy())
    stations = _check_surveys(sheets["survey"], m, known, valid_holes, lengths, col.source,
                              found)

    usable = valid_holes.intersection(pd.Index(stations["hole"].unique()), sort=False)
    no_survey = collar_ok & ~col.hole.isin(usable).to_numpy()
    n_intervals = pd.concat([s.hole for s in interval_sheets]).value_counts()
    counts = col.hole.map(n_intervals).fillna(0).astype(int).astype(str)
    found.add(ProblemKind.MISSING_SURVEY, col, no_survey, m.hole,
              _("no valid station in %(file)s; expected at least one survey row for this hole; "
                "its %(n)s interval(s) are excluded"), file=sheets["survey"].source, n=counts)

    values = _check_grades(sheets["assays"], grades, detection_rule, found)
    assay_frame = _intervals(sheets["assays"], depths[0], usable, values)
    if lithology is not None:
        lith = sheets["lithology"]
        code = lith.text[m.lithology]
        found.add(ProblemKind.MISSING_LITHOLOGY, lith, (code == "").to_numpy(), m.lithology,
                  _("no lithology code (kept, without a code)"))
        lith_frame = _intervals(lith, depths[1], usable,
                                {m.lithology: code.where(code != "").to_numpy(dtype=object)})
        assay_frame = _split_merge(assay_frame, lith_frame, list(grades), m.lithology)

    report = found.report([s.source for s in sheets.values()])
    if strict and not report.ok:
        raise ValidationError(report.errors)
    order = {h: i for i, h in enumerate(usable)}
    keep = col.hole.isin(usable).to_numpy() & collar_ok
    collars = pd.DataFrame({"hole": col.hole[keep].to_numpy(dtype=object),
                            "x": xyz[keep, 0], "y": xyz[keep, 1], "z": xyz[keep, 2],
                            "length": lengths.reindex(col.hole[keep]).to_numpy(float)})
    stations = stations[stations["hole"].isin(usable)]
    return DrillholeDatabase(
        collars=collars.reset_index(drop=True),
        surveys=_sort(stations, order, "at"),
        intervals=_sort(assay_frame, order, "from"),
        grades=tuple(grades),
        report=report,
    )


def _load(table: Table, default: str) -> tuple[pd.DataFrame, str]:
    """The table (CSV cells as text, "" when empty) and its source name."""
    if isinstance(table, pd.DataFrame):
        frame = table.copy()
        frame.columns = [str(c).strip() for c in frame.columns]
        return frame, default
    path = Path(table)
    frame = read_csv(path, path.name, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                     skipinitialspace=True, skip_blank_lines=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, path.name


def _filled(message: str, mask: np.ndarray,
            values: Mapping[str, str | pd.Series | np.ndarray]) -> list[str]:
    """``message`` filled for each row of ``mask``: a value given per row is taken from the row."""
    per_row = {k: np.asarray(v, dtype=object)[mask] for k, v in values.items()
               if isinstance(v, pd.Series | np.ndarray)}
    fixed = {k: v for k, v in values.items() if k not in per_row}
    return [message % (fixed | {k: v[i] for k, v in per_row.items()})
            for i in range(int(mask.sum()))]


def _missing_columns(frame: pd.DataFrame, required: list[str], source: str) -> list[Problem]:
    found = ", ".join(map(str, frame.columns))
    expected = ", ".join(required)
    return [Problem(_("missing column %(column)r; expected the columns %(expected)s (found "
                      "%(found)s)", column=c, expected=expected, found=found),
                    row=1, column=c, source=source)
            for c in dict.fromkeys(required) if c not in frame.columns]


def _sheet(frame: pd.DataFrame, source: str, key: str) -> _Sheet:
    text = pd.DataFrame({c: _text(frame[c]) for c in dict.fromkeys(frame.columns)})
    rows = np.arange(len(text), dtype=np.int64) + 2
    blank = (text == "").all(axis=1).to_numpy()
    text, rows = text[~blank].reset_index(drop=True), rows[~blank]
    hole = _shown(text.iloc[:, 0])
    where: tuple[str, dict[str, pd.Series]]
    if key == "collar":
        where = _("hole %(hole)s"), {"hole": hole}
    elif key == "survey":
        where = _("hole %(hole)s, station AT %(at)s"), {"hole": hole,
                                                        "at": _shown(text.iloc[:, 1])}
    else:
        where = _("hole %(hole)s, interval %(top)s–%(bottom)s"), {
            "hole": hole, "top": _shown(text.iloc[:, 1]), "bottom": _shown(text.iloc[:, 2])}
    return _Sheet(source, text, rows, where, np.zeros(len(text), dtype=bool))


def _text(column: pd.Series) -> pd.Series:
    """Cells as stripped strings, "" where empty."""
    text = column.astype(object).where(column.notna(), "")
    return text.astype(str).str.strip()


def _shown(text: pd.Series) -> pd.Series:
    return text.where(text != "", "?")


def _numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parsed values (NaN where missing or text), the missing mask and the text mask."""
    missing = text.str.upper().isin(_MISSING_TOKENS).to_numpy()
    values = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=float)
    values = np.where(np.isfinite(values), values, np.nan)
    return values, missing, ~missing & np.isnan(values)


def _required_numbers(sheet: _Sheet, column: str, found: _Findings) -> np.ndarray:
    values, missing, text = _numbers(sheet.text[column])
    found.add(ProblemKind.MISSING_VALUE, sheet, missing, column,
              _("no %(column)s value; expected a number"), column=column)
    found.add(ProblemKind.NOT_A_NUMBER, sheet, text, column,
              _("'%(value)s' is not a number; expected a number"), value=sheet.text[column])
    return values


def _known_hole(sheet: _Sheet, hole: str, known: pd.Index, collar_source: str,
                found: _Findings) -> None:
    ids = sheet.hole
    found.add(ProblemKind.MISSING_VALUE, sheet, (ids == "").to_numpy(), hole,
              _("no hole identifier; expected a hole of %(file)s"), file=collar_source)
    found.add(ProblemKind.UNKNOWN_HOLE, sheet, ((ids != "") & ~ids.isin(known)).to_numpy(), hole,
              _("no collar for this hole in %(file)s; expected a hole listed there"),
              file=collar_source)


def _check_collars(sheet: _Sheet, m: ColumnMapping, found: _Findings
                   ) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    ids = sheet.hole
    found.add(ProblemKind.MISSING_VALUE, sheet, (ids == "").to_numpy(), m.hole,
              _("no hole identifier; expected one per collar"))
    first_row = pd.Series(sheet.rows, index=ids.to_numpy()).groupby(level=0).min()
    dup = (ids != "") & ids.duplicated(keep=False)
    found.add(ProblemKind.DUPLICATE_COLLAR, sheet, dup.to_numpy(), m.hole,
              _("the hole has more than one collar row (first on row %(row)s); expected one: "
                "the hole is excluded"), row=ids.map(first_row).astype(str))
    xyz = np.column_stack([_required_numbers(sheet, c, found) for c in (m.x, m.y, m.z)])
    length = np.full(len(ids), np.nan)
    if m.length is not None:
        length = _required_numbers(sheet, m.length, found)
        found.add(ProblemKind.DEPTH_OUT_OF_RANGE, sheet, length <= 0, m.length,
                  _("hole length must be > 0 m"))
    return xyz, length, pd.Index(ids[ids != ""].unique())


def _check_depths(sheet: _Sheet, m: ColumnMapping, known: pd.Index, valid: pd.Index,
                  collar_holes: pd.Series, collar_lengths: np.ndarray, collar_source: str,
                  found: _Findings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hole and depth checks of an interval table; returns FROM, TO and the depth-valid mask."""
    _known_hole(sheet, m.hole, known, collar_source, found)
    frm = _required_numbers(sheet, m.depth_from, found)
    to = _required_numbers(sheet, m.depth_to, found)
    found.add(ProblemKind.DEPTH_OUT_OF_RANGE, sheet, frm < 0, m.depth_from,
              _("%(column)s is negative; expected a depth ≥ 0 m down the hole"),
              column=m.depth_from)
    found.add(ProblemKind.FROM_NOT_ABOVE_TO, sheet, frm >= to, m.depth_to,
              _("%(top)s must be less than %(bottom)s"), top=m.depth_from, bottom=m.depth_to)
    if m.length is not None:
        limit = sheet.hole.map(pd.Series(collar_lengths, index=collar_holes.to_numpy()))
        beyond = to > limit.to_numpy(float) + DEPTH_TOLERANCE
        found.add(ProblemKind.BEYOND_HOLE_LENGTH, sheet, beyond, m.depth_to,
                  _("deeper than the hole (length %(length)s in %(file)s); expected %(column)s "
                    "≤ the hole length"), length=limit.map("{:g}".format), file=collar_source,
                  column=m.depth_to)
    ok = np.isfinite(frm) & np.isfinite(to) & (frm >= 0) & (frm < to) & ~sheet.bad
    _check_sequence(sheet, m, frm, to, ok & sheet.hole.isin(valid).to_numpy(), found)
    return frm, to, ok


def _check_sequence(sheet: _Sheet, m: ColumnMapping, frm: np.ndarray, to: np.ndarray,
                    ok: np.ndarray, found: _Findings) -> None:
    """Overlaps (later interval excluded) and gaps (warning) between a hole's intervals."""
    idx = np.flatnonzero(ok)
    codes = pd.factorize(sheet.hole.to_numpy(dtype=object)[idx])[0]
    perm = np.lexsort((idx, to[idx], frm[idx], codes))
    order, holes = idx[perm], codes[perm]
    bottoms = pd.Series(to[order])
    running = bottoms.groupby(holes).cummax()
    holder = pd.Series(np.where(bottoms >= running, np.arange(len(order)), np.nan))
    prev = holder.groupby(holes).ffill().groupby(holes).shift().to_numpy()
    prev_bottom = running.groupby(holes).shift().to_numpy()
    tops = frm[order]
    overlap = tops < prev_bottom - DEPTH_TOLERANCE
    gap = tops > prev_bottom + DEPTH_TOLERANCE
    prev_pos = order[np.where(np.isnan(prev), 0, prev).astype(np.int64)]
    # The previous interval's row and depths, placed on the row each one is compared with.
    previous = {name: np.full(len(frm), "", dtype=object) for name in ("row", "top", "bottom")}
    previous["row"][order] = sheet.rows[prev_pos].astype(str)
    previous["top"][order] = sheet.text[m.depth_from].to_numpy(dtype=object)[prev_pos]
    previous["bottom"][order] = sheet.text[m.depth_to].to_numpy(dtype=object)[prev_pos]
    for kind, mask, text in (
            (ProblemKind.OVERLAP, overlap,
             _("overlaps interval %(top)s–%(bottom)s (row %(row)s); expected %(column)s ≥ "
               "%(bottom)s: this later interval is excluded")),
            (ProblemKind.GAP, gap, _("gap from %(bottom)s (bottom of the interval on row "
                                     "%(row)s); unsampled, kept"))):
        hit = np.zeros(len(frm), dtype=bool)
        hit[order[mask]] = True
        found.add(kind, sheet, hit, m.depth_from, text, column=m.depth_from, **previous)


def _check_surveys(sheet: _Sheet, m: ColumnMapping, known: pd.Index, valid: pd.Index,
                   lengths: pd.Series, collar_source: str, found: _Findings) -> pd.DataFrame:
    _known_hole(sheet, m.hole, known, collar_source, found)
    at = _required_numbers(sheet, m.at, found)
    az = _required_numbers(sheet, m.azimuth, found)
    dip = _required_numbers(sheet, m.dip, found)
    found.add(ProblemKind.DEPTH_OUT_OF_RANGE, sheet, at < 0, m.at,
              _("%(column)s is negative; expected a depth ≥ 0 m down the hole"), column=m.at)
    found.add(ProblemKind.DIP_OUT_OF_RANGE, sheet, np.abs(dip) > 90, m.dip,
              _("dip %(dip)s is outside −90…90 degrees; expected degrees below the horizontal "
                "(90 = vertical)"), dip=sheet.text[m.dip])
    found.add(ProblemKind.AZIMUTH_OUT_OF_RANGE, sheet, (az < 0) | (az > 360), m.azimuth,
              _("azimuth %(azimuth)s is outside 0…360 degrees; expected degrees clockwise "
                "from north"), azimuth=sheet.text[m.azimuth])
    length = sheet.hole.map(lengths).to_numpy(dtype=float)
    shown = pd.Series(length).map("{:g}".format)
    source = (_("its collar length") if m.length else
              _("the deepest depth of its intervals; map the collar's hole length column if the "
                "hole is longer"))
    found.add(ProblemKind.BEYOND_HOLE_LENGTH, sheet, at > length + DEPTH_TOLERANCE, m.at,
              _("station deeper than the hole (length %(length)s, %(source)s); expected "
                "%(column)s ≤ %(length)s"), length=shown, source=source, column=m.at)
    hole = sheet.hole
    ok = np.isfinite(at) & ~sheet.bad & hole.isin(valid).to_numpy()
    key = pd.DataFrame({"hole": hole, "at": np.round(at, 6)})
    dup = ok & key.where(pd.Series(ok)).duplicated().to_numpy()
    first = pd.Series(sheet.rows[ok], index=pd.MultiIndex.from_frame(key[ok])).groupby(
        level=[0, 1]).min()
    first_row = pd.Series(first.reindex(pd.MultiIndex.from_frame(key)).to_numpy()).astype(str)
    found.add(ProblemKind.DUPLICATE_STATION, sheet, dup, m.at,
              _("a second station at this depth (first on row %(row)s); the later row is "
                "excluded"), row=first_row)
    keep = ~sheet.bad & hole.isin(valid).to_numpy()
    sign = 1.0 if m.dip_positive_down else -1.0
    return pd.DataFrame({"hole": hole[keep].to_numpy(dtype=object), "at": at[keep],
                         "az": az[keep], "dip": sign * dip[keep]})


def _check_grades(sheet: _Sheet, grades: tuple[str, ...], rule: DetectionRule,
                  found: _Findings) -> dict[str, np.ndarray]:
    values: dict[str, np.ndarray] = {}
    for g in grades:
        text = sheet.text[g]
        sign = text.str[:1]
        coded = sign.isin(["<", ">"]).to_numpy()
        value, missing, _text = _numbers(text.where(~coded, ""))
        limit = pd.to_numeric(text.str[1:].str.strip().where(coded), errors="coerce")
        factor = np.where(sign == "<", rule.below_factor, rule.above_factor)
        value = np.where(coded, factor * limit.to_numpy(dtype=float), value)
        missing = missing & ~coded
        found.add(ProblemKind.MISSING_GRADE, sheet, missing, g,
                  _("no %(column)s value (kept as not assayed)"), column=g)
        found.add(ProblemKind.TEXT_GRADE, sheet, ~missing & ~np.isfinite(value), g,
                  _("'%(value)s' is not a grade; expected a number ≥ 0, '<limit' (below "
                    "detection) or '>limit' (over range)"), value=text)
        found.add(ProblemKind.NEGATIVE_GRADE, sheet, value < 0, g,
                  _("grade %(value)s is negative; expected ≥ 0 (write below-detection values as "
                    "'<limit')"), value=text)
        values[g] = value
    return values


def _intervals(sheet: _Sheet, depths: tuple[np.ndarray, np.ndarray, np.ndarray],
               usable: pd.Index, values: dict[str, np.ndarray]) -> pd.DataFrame:
    frm, to, _ = depths
    keep = ~sheet.bad & sheet.hole.isin(usable).to_numpy()
    out = pd.DataFrame({"hole": sheet.hole[keep].to_numpy(dtype=object), "from": frm[keep],
                        "to": to[keep]})
    for name, v in values.items():
        out[name] = v[keep]
    return out


def _split_merge(assays: pd.DataFrame, lith: pd.DataFrame, grades: list[str],
                 code: str) -> pd.DataFrame:
    """Assay and lithology intervals split at the union of their boundaries."""
    holes = pd.Index(pd.unique(np.concatenate([assays["hole"].to_numpy(dtype=object),
                                               lith["hole"].to_numpy(dtype=object)])))
    ha, hl = holes.get_indexer(assays["hole"]), holes.get_indexer(lith["hole"])
    hole = np.concatenate([ha, ha, hl, hl])
    depth = np.concatenate([assays["from"], assays["to"], lith["from"], lith["to"]])
    order = np.lexsort((depth, hole))
    hole, depth = hole[order], depth[order]
    fresh = np.r_[True, (hole[1:] != hole[:-1]) | (depth[1:] > depth[:-1] + DEPTH_TOLERANCE)]
    hole, depth = hole[fresh], depth[fresh]
    piece = hole[1:] == hole[:-1]
    p_hole, p_from, p_to = hole[:-1][piece], depth[:-1][piece], depth[1:][piece]
    width = float(depth.max()) + 1.0
    mid = p_hole * width + 0.5 * (p_from + p_to)

    def cover(frame: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
        top = codes * width + frame["from"].to_numpy(dtype=float)
        bottom = codes * width + frame["to"].to_numpy(dtype=float)
        sort = np.argsort(top, kind="stable")
        i = np.searchsorted(top[sort], mid, side="right") - 1
        hit = (i >= 0) & (bottom[sort][np.maximum(i, 0)] > mid)
        return np.where(hit, sort[np.maximum(i, 0)], -1)

    ia, il = cover(assays, ha), cover(lith, hl)
    keep = (ia >= 0) | (il >= 0)
    ia, il = ia[keep], il[keep]
    columns: dict[str, np.ndarray] = {"hole": holes[p_hole[keep]].to_numpy(dtype=object),
                                      "from": p_from[keep], "to": p_to[keep]}
    for g in grades:
        columns[g] = np.where(ia >= 0, assays[g].to_numpy(dtype=float)[ia], np.nan)
    columns[code] = np.full(il.size, None, dtype=object)
    columns[code][il >= 0] = lith[code].to_numpy(dtype=object)[il[il >= 0]]
    return pd.DataFrame(columns)


def _sort(frame: pd.DataFrame, order: dict[str, int], depth: str) -> pd.DataFrame:
    rank = frame["hole"].map(order).to_numpy()
    index = np.lexsort((frame[depth].to_numpy(dtype=float), rank))
    return frame.iloc[index].reset_index(drop=True)
