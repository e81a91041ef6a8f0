"""The mine's annual reserve report (矿山储量年报, :mod:`aurum.resources.annual`) from the
reserve ledger: the year-end statements of the year and the year before, their block models,
the year's production reports; as Excel and PDF in the reader's language.

Where each movement comes from:

* opening and closing: the latest version of the statements of ``year - 1`` and ``year``
  (no statement of ``year - 1``: an opening of zero);
* mined: the ore mined in the year's current reports and its gold at their head grade, the
  ledger's depletion (:func:`aurum.services.resources.depletion_t`: reports without a head
  grade count neither ore nor gold);
* lost: the statistical reports have no mining-loss field, so nothing is counted as lost;
* exploration: from the two statements' block models when they are on one grid and keep the
  blocks' class, else the closing statement's waterfall apportioned by
  :func:`aurum.resources.annual.apportion_exploration`, else nothing (the change then all
  falls in the re-estimation);
* reserves: the proved and probable contained gold of the year-end reports, when there are.

The PDF is rendered like the briefings (:func:`aurum.services.briefings.html_to_pdf`) with the
pages' template environment, so a figure reads on paper as on the mine's page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import NotFoundError
from aurum.core.i18n import lazy_gettext
from aurum.core.tables import inert_text
from aurum.core.units import KG_PER_T
from aurum.resources import annual
from aurum.resources.gbt17766 import category_label, combined_label
from aurum.services import cache, registry, reporting
from aurum.services import resources as ledger
from aurum.services.auth import Actor
from aurum.store.models import ResourceStatement, Site

ITEM_NAMES = {"opening": lazy_gettext("Opening"), "mined": lazy_gettext("Mined"),
              "lost": lazy_gettext("Lost"), "exploration": lazy_gettext("Exploration"),
              "re_estimation": lazy_gettext("Re-estimation"),
              "closing": lazy_gettext("Closing")}
"""English names of the movements (:data:`aurum.resources.annual.ITEMS`)."""
QUANTITY_NAMES = {"ore_t": lazy_gettext("Ore (t)"), "metal_kg": lazy_gettext("Gold (kg)"),
                  "grade_gpt": lazy_gettext("Grade (g/t)")}
"""English names of the figures (:data:`aurum.resources.annual.QUANTITIES`)."""
EXPLORATION_SOURCES = ("blocks", "waterfall", "none")
"""Where the exploration movement came from (see the module)."""
WARNING_COLOUR = "9A6700"
"""The workbook's warnings' font colour (RGB), the pages' notice colour."""


@dataclass(frozen=True)
class ReserveReport:
    """A mine's annual reserve report.

    Attributes
    ----------
    site : Site
        The mine.
    year : int
        The year reported (its statement is the closing one).
    table : pandas.DataFrame
        :func:`aurum.resources.annual.annual_reserve_report`'s table (t, kg, g/t).
    opening, closing : ResourceStatement or None
        The statements of the year before and of the year (the opening may be missing).
    exploration_source : str
        One of :data:`EXPLORATION_SOURCES`.
    has_reserves : bool
        Whether the year-end reports gave proved or probable reserves.
    """

    site: Site
    year: int
    table: pd.DataFrame
    opening: ResourceStatement | None
    closing: ResourceStatement
    exploration_source: str
    has_reserves: bool

    def notes(self) -> list[str]:
        """How each movement was obtained, in the current language."""
        out = []
        if self.opening is None:
            out.append(i18n._("No statement of %(year)s: the opening is zero.",
                              year=self.year - 1))
        out.append(i18n._("Mined: ore mined in the year's production reports and its gold at "
                          "their head grade, allocated to the categories in proportion to the "
                          "opening measured and indicated gold (mining takes the defined ore; "
                          "inferred resources are not mined to a plan)."))
        out.append(i18n._("Lost: the production reports carry no mining loss, so none is "
                          "counted; ore left in the ground falls in the re-estimation."))
        out.append({
            "blocks": i18n._("Exploration: blocks this year's model estimates and last "
                             "year's did not, at last year's cut-off, by their class in this "
                             "year's model."),
            "waterfall": i18n._("Exploration: the statement's waterfall, apportioned to the "
                                "categories in proportion to their closing gold at their "
                                "closing grade."),
            "none": i18n._("Exploration: the two statements' models cannot be compared and "
                           "the statement has no waterfall, so none is counted.")}[
                               self.exploration_source])
        out.append(i18n._("Re-estimation balances each row (new data, new parameters and the "
                          "cut-off change), so every row closes exactly."))
        if self.has_reserves:
            out.append(i18n._("Reserves (contained gold from the year-end statistical "
                              "reports) are never added to resources."))
        return out

    def warnings(self) -> list[str]:
        """The year-end reserves that exceed the resources they are converted from
        (:func:`aurum.resources.annual.reserve_excesses`), each naming the categories, the
        figures and the clause, in the current language."""
        return [_excess_warning(e) for e in annual.reserve_excesses(self.table)]


def _excess_warning(excess: annual.Excess) -> str:
    when = item_heading(excess.item)
    numbers = {"when": when, "reserves": combined_label(excess.reserves),
               "held": i18n.format_number(excess.reserves_kg, 1),
               "source": i18n.format_number(excess.resources_kg, 1),
               "clause": excess.clause}
    if excess.reserves == ("probable",):
        return i18n._(
            "%(when)s: %(reserves)s hold %(held)s kg of gold, more than the %(source)s kg of "
            "%(indicated)s and of the %(measured)s not converted to proved reserves they can be "
            "converted from. Under %(clause)s this cannot be: check the reported reserves.",
            indicated=category_label("indicated"), measured=category_label("measured"),
            **numbers)
    return i18n._(
        "%(when)s: %(reserves)s hold %(held)s kg of gold, more than the %(source)s kg of "
        "%(resources)s they are converted from. Under %(clause)s this cannot be: check the "
        "reported reserves.", resources=combined_label(excess.resources), **numbers)


def _latest_by_year(rows: list[ResourceStatement]) -> dict[int, ResourceStatement]:
    # Oldest first, versions included: the last one of a year is its current version.
    return {r.year: r for r in rows}


def _amounts(statement: ResourceStatement | None) -> dict[str, annual.Amount]:
    if statement is None:
        return dict.fromkeys(annual.RESOURCE_CODES, annual.ZERO)
    return {c: annual.Amount(getattr(statement, f"{c}_tonnes"),
                             getattr(statement, f"{c}_gold_t") * KG_PER_T)
            for c in annual.RESOURCE_CODES}


def _mined(session: Session, site: Site, year: int) -> annual.Amount:
    """Ore mined in the year's reports that give a head grade (t), and its gold (kg)."""
    frame = reporting.current_reports(session, None, [site.code])
    frame = frame[frame["period"].astype(str).str.startswith(str(year))]
    graded = frame["ore_mined_t"].notna() & frame["head_grade_gpt"].notna()
    return annual.Amount(float(frame.loc[graded, "ore_mined_t"].sum()),
                         ledger.depletion_t(session, site, year) * KG_PER_T)


def _reserves(session: Session, site: Site, year: int) -> dict[str, float] | None:
    """Proved and probable contained gold (kg) at the end of ``year``: the year's last report
    that gives either, or None."""
    frame = reporting.current_reports(session, None, [site.code])
    columns = [f"reserves_{c}_t" for c in annual.RESERVE_CODES]
    frame = frame[frame["period"].astype(str).str.startswith(str(year))
                  & frame[columns].notna().any(axis=1)]
    if frame.empty:
        return None
    last = frame.sort_values("period").iloc[-1]
    return {c: float(last[f"reserves_{c}_t"]) * KG_PER_T if pd.notna(
        last[f"reserves_{c}_t"]) else 0.0 for c in annual.RESERVE_CODES}


def _exploration(session: Session, actor: Actor, home: Path,
                 opening: ResourceStatement | None, closing: ResourceStatement
                 ) -> tuple[dict[str, annual.Amount] | None, str]:
    needed = {"estimate", "tonnes", "resource_class"}
    if opening is not None and opening.model is not None and closing.model is not None and (
            ledger.stored_grid(opening.model) is not None
            and ledger.stored_grid(opening.model) == ledger.stored_grid(closing.model)):
        old = ledger.load_blocks(session, actor, home, opening.model.id)
        new = ledger.load_blocks(session, actor, home, closing.model.id)
        if needed <= set(new.columns) and len(old) == len(new):
            return annual.exploration_from_blocks(
                old["estimate"].to_numpy(float), new["tonnes"].to_numpy(float),
                new["estimate"].to_numpy(float), new["resource_class"].to_numpy(),
                opening.cutoff_gpt), "blocks"
    if closing.waterfall and "exploration" in closing.waterfall:
        return annual.apportion_exploration(float(closing.waterfall["exploration"]) * KG_PER_T,
                                            _amounts(closing)), "waterfall"
    return None, "none"


def build(session: Session, actor: Actor, home: Path, site_code: str, year: int
          ) -> ReserveReport:
    """The annual reserve report of a mine the actor may read.

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME), where the block models are.
    site_code : str
        The mine's code.
    year : int
        The year reported, whose statement closes it.

    Raises
    ------
    NotFoundError
        A site the actor may not read, or no statement of ``year``.
    """
    site = registry.get_site(session, actor, site_code)
    by_year = _latest_by_year(ledger.statements(session, actor, site_code))
    closing = by_year.get(year)
    if closing is None:
        raise NotFoundError(i18n._("no resource statement of %(site)s for %(year)s",
                                   site=site.code, year=year))
    opening = by_year.get(year - 1)
    exploration, source = _exploration(session, actor, home, opening, closing)
    start, end = _reserves(session, site, year - 1), _reserves(session, site, year)
    table = annual.annual_reserve_report(_amounts(opening), _amounts(closing),
                                         _mined(session, site, year), exploration, None,
                                         start, end)
    return ReserveReport(site, year, table, opening, closing, source,
                         start is not None or end is not None)


def latest_year(session: Session, actor: Actor, site_code: str) -> int | None:
    """The latest year with a statement of a mine the actor may read, or None."""
    rows = ledger.statements(session, actor, site_code)
    return rows[-1].year if rows else None


@dataclass(frozen=True)
class ReserveSection:
    """The annual reserve report as the mine's resource page shows it (plain data, kept).

    Attributes
    ----------
    year : int
        The latest year with a statement.
    rows : list of dict
        :func:`rows`.
    headings : dict
        :func:`headings`.
    notes : list of str
        :meth:`ReserveReport.notes`.
    warnings : list of str
        :meth:`ReserveReport.warnings`.
    """

    year: int
    rows: list[dict[str, Any]]
    headings: dict[str, Any]
    notes: list[str]
    warnings: list[str]


def site_section(session: Session, actor: Actor, home: Path, site_code: str
                 ) -> ReserveSection | None:
    """The latest year's report of a mine the actor may read, in the current language, or None
    without statements; made once per data version and language (:mod:`aurum.services.cache`:
    it reads the two models' block files).

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME).
    site_code : str
        The mine's code.
    """
    year = latest_year(session, actor, site_code)
    if year is None:
        return None

    def make() -> ReserveSection:
        report = build(session, actor, home, site_code, year)
        return ReserveSection(year, rows(report), headings(), report.notes(),
                              report.warnings())

    return cache.cached(cache.scope_key(session, actor, "reserve-report", site_code, year,
                                        str(home)), make)


# --- what a person reads --------------------------------------------------------------------


def item_heading(item: str) -> str:
    """A movement's heading: the form's term for a Chinese reader, the English name with the
    term beside it for an English one."""
    term = annual.ITEM_TERMS[item]
    return term if i18n.is_chinese() else f"{ITEM_NAMES[item]} ({term})"


def quantity_heading(quantity: str) -> str:
    """A figure's heading with its unit, as :func:`item_heading`."""
    if i18n.is_chinese():
        return f"{annual.QUANTITY_TERMS[quantity]} ({_UNITS[quantity]})"
    return str(QUANTITY_NAMES[quantity])


def row_label(code: str) -> str:
    """A row's name: the GB/T category, or the total of one kind."""
    if code == annual.RESOURCES_TOTAL:
        return i18n._("Total: %(what)s", what=combined_label(annual.RESOURCE_CODES))
    if code == annual.RESERVES_TOTAL:
        return i18n._("Total: %(what)s", what=combined_label(annual.RESERVE_CODES))
    return category_label(code)


def title(report: ReserveReport) -> str:
    """The report's title in the current language."""
    return i18n._("Annual reserve report %(year)s: %(site)s (%(code)s)", year=report.year,
                  site=report.site.name, code=report.site.code)


def rows(report: ReserveReport) -> list[dict[str, Any]]:
    """The table's rows for a template: ``code``, ``label``, ``total`` and the figures
    (missing ones as None)."""
    out: list[dict[str, Any]] = []
    for code, values in report.table.iterrows():
        figures = {str(k): None if pd.isna(v) else float(v) for k, v in values.items()}
        out.append({"code": str(code), "label": row_label(str(code)),
                    "total": str(code).endswith("_total"), **figures})
    return out


def headings() -> dict[str, Any]:
    """The table's two heading rows for a template: ``items`` (code, heading) and
    ``quantities`` (code, heading); and ``digits``, each figure's decimals (:data:`DIGITS`)."""
    return {"items": [(i, item_heading(i)) for i in annual.ITEMS],
            "quantities": [(q, quantity_heading(q)) for q in annual.QUANTITIES],
            "digits": DIGITS}


def filename(report: ReserveReport, suffix: str) -> str:
    """The file name of a download: ``reserve-report-SITE-YEAR-zh_CN.xlsx``."""
    return f"reserve-report-{report.site.code}-{report.year}-{i18n.current()}.{suffix}"


_UNITS = {"ore_t": "t", "metal_kg": "kg", "grade_gpt": "g/t"}
DIGITS = {"ore_t": 0, "metal_kg": 1, "grade_gpt": 2}
"""Decimals of each figure on the page, in the PDF and in the workbook: ore in whole tonnes,
gold in tenths of a kilogram, grade in hundredths of a g/t."""
_NUMBER_FORMATS = {q: "#,##0" + ("." + "0" * d if d else "") for q, d in DIGITS.items()}
LABEL_WIDTH = 34
"""Width of the workbook's category column (characters): the longest category label."""
PADDING = 2
"""Characters a workbook column is wider than its widest cell, so a figure never shows as
########."""


def _fit_widths(sheet: Any, texts: dict[int, list[str]]) -> None:
    """Set each workbook column at least as wide as the widest text it shows (a figure as its
    number format writes it; a Chinese character counts two)."""
    for column, shown in texts.items():
        widest = max((i18n.text_width(t) for t in shown), default=0)
        sheet.column_dimensions[get_column_letter(column)].width = widest + PADDING


def workbook(report: ReserveReport) -> bytes:
    """The report as an Excel workbook (one sheet: title, the table with its two heading rows,
    the notes) in the current language."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "reserve-report"
    sheet.cell(row=1, column=1, value=inert_text(title(report))).font = Font(bold=True,
                                                                              size=13)
    sheet.cell(row=3, column=1, value=i18n._("Category"))
    sheet.merge_cells(start_row=3, end_row=4, start_column=1, end_column=1)
    n = len(annual.QUANTITIES)
    shown: dict[int, list[str]] = {}
    for i, item in enumerate(annual.ITEMS):
        first = 2 + i * n
        sheet.cell(row=3, column=first, value=item_heading(item)).alignment = Alignment(
            horizontal="center")
        sheet.merge_cells(start_row=3, end_row=3, start_column=first,
                          end_column=first + n - 1)
        for j, quantity in enumerate(annual.QUANTITIES):
            sheet.cell(row=4, column=first + j, value=quantity_heading(quantity))
            shown[first + j] = [quantity_heading(quantity)]
    for r, row in enumerate(rows(report), start=5):
        sheet.cell(row=r, column=1, value=row["label"]).font = Font(bold=row["total"])
        for i, item in enumerate(annual.ITEMS):
            for j, quantity in enumerate(annual.QUANTITIES):
                value = row[f"{item}_{quantity}"]
                if value is not None and DIGITS[quantity] == 0:
                    value = round(value)  # whole tonnes, as the cell shows them
                cell = sheet.cell(row=r, column=2 + i * n + j, value=value)
                cell.number_format = _NUMBER_FORMATS[quantity]
                shown[2 + i * n + j].append(i18n.format_number(value, DIGITS[quantity]))
    _fit_widths(sheet, shown)
    below = 6 + len(report.table)
    warnings = report.warnings()
    for k, warning in enumerate(warnings):
        sheet.cell(row=below + k, column=1, value=warning).font = Font(bold=True,
                                                                        color=WARNING_COLOUR)
    for k, note in enumerate(report.notes(), start=below + len(warnings)):
        sheet.cell(row=k, column=1, value=note)
    sheet.column_dimensions["A"].width = LABEL_WIDTH
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_html(report: ReserveReport) -> str:
    """The report as an A4 HTML document (``reserve_report.html``) in the current language."""
    from aurum.api.templating import TEMPLATES

    return TEMPLATES.env.get_template("reserve_report.html").render(
        report=report, title=title(report), rows=rows(report), headings=headings(),
        notes=report.notes(), warnings=report.warnings(), lang=i18n.tag())


def pdf(report: ReserveReport) -> bytes:
    """The report as PDF bytes (WeasyPrint, as the briefings)."""
    from aurum.services.briefings import html_to_pdf  # loads pango only when asked

    return html_to_pdf(render_html(report))


def document(session: Session, actor: Actor, home: Path, site_code: str, year: int,
             kind: str) -> tuple[bytes, str]:
    """The report as a file: ``kind`` ``xlsx`` or ``pdf``; returns its bytes and file name.
    Made once per data version and language, then served as kept (:mod:`aurum.services.cache`,
    bounded), as the briefings are.

    Parameters
    ----------
    home : Path
        The data directory (AURUM_HOME).
    site_code : str
        The mine's code.
    year : int
        The year reported.
    kind : str
        ``xlsx`` or ``pdf``.
    """
    if kind not in ("xlsx", "pdf"):
        raise ValueError(f"a reserve report is written as xlsx or pdf, not {kind!r}")

    def make() -> tuple[bytes, str]:
        report = build(session, actor, home, site_code, year)
        return workbook(report) if kind == "xlsx" else pdf(report), filename(report, kind)

    # The site is checked before anything kept is read: the key holds the caller's scope, but
    # a kept file of a site it may not read must not even be looked up.
    registry.get_site(session, actor, site_code)
    return cache.cached(cache.scope_key(session, actor, "reserve-report-file", site_code, year,
                                        kind, str(home)), make)
