"""Briefings: the plan's five indicators, the plant-scale list, hazard clearing, recycling
reports and data quality on a few A4 pages (PDF), in Chinese or English, for a minister's
desk — national, provincial or for one enterprise.

A briefing is made from the view models the pages show (:func:`aurum.services.monitor.build`,
:func:`~aurum.services.monitor.quality_view`, :func:`aurum.services.safety.dashboard_view`,
:func:`aurum.services.recycling.views.reports_view`) over the caller's scope narrowed to the
briefing's subject, and rendered with the pages' own template environment
(:data:`aurum.api.templating.TEMPLATES`: the ``num`` and ``label`` filters, the catalogue), so
a figure reads on paper exactly as on the dashboard. That environment is the one thing this
service takes from ``aurum.api``: a second set of filters would be a second rounding.

HTML becomes PDF with WeasyPrint (Debian's pango, HarfBuzz's subsetter and the Noto CJK font:
``make documents``). Charts are static SVG images drawn by matplotlib, their text left as text
(WeasyPrint sets it in the same fonts, and it can be searched and copied; as outlines, the
SVG is twice as slow to draw). Plotly, which draws the pages' charts, needs kaleido and a
Chrome to write a static image; matplotlib needs nothing but itself.

A briefing is kept per subject, data version (:func:`aurum.services.cache.view_version`), day
and language in the bounded cache of view models (:mod:`aurum.services.cache`): a second
download costs nothing until the data changes. :func:`make_month` writes the month's national
and provincial briefings under ``AURUM_HOME/briefings/`` (``2026-11-national-zh_CN.pdf``,
``2026-11-province-Shandong-en.pdf``), keeping the newest :data:`KEEP_MONTHS` months; the
``aurum briefings make`` command runs it, from cron on the first day of a month (the job
queue's consumers run no periodic tasks: every server runs one, and each would make them).
"""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache as memoise
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core import i18n
from aurum.core.errors import NotFoundError, Problem, ValidationError
from aurum.core.i18n import _
from aurum.industry.kpi import IndicatorResult
from aurum.industry.registry import PROVINCES
from aurum.industry.reporting import reporting_day
from aurum.resources.gbt17766 import RESOURCE_CODES
from aurum.services import cache, monitor, safety
from aurum.services.auth import SYSTEM, Actor, Role
from aurum.services.monitor import QualityView
from aurum.services.platform import Platform
from aurum.services.recycling.statistics import recycled_totals
from aurum.services.recycling.views import reports_view
from aurum.services.registry import get_organisation, list_organisations
from aurum.store.db import transaction
from aurum.store.models import Organisation, Site

SCOPES = ("national", "province", "enterprise")
"""What a briefing covers: the nation, a province, or an enterprise (with its members)."""
READERS = (Role.ADMIN, Role.REGULATOR, Role.AUDITOR)
"""Who reads national and provincial briefings (a provincial regulator its province only)."""
KEEP_MONTHS = 24
"""Months of briefings kept under the data directory (the newest)."""
ROWS_SHOWN = 40
"""Rows of a long table (plants, late reports) a briefing prints at most; the rest counted."""
FOLDER = "briefings"
"""Where the month's briefings are kept, under the data directory."""
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_KEPT = re.compile(r"^(?P<month>\d{4}-\d{2})-(?P<scope>national|province-(?P<province>[A-Za-z_]+))"
                   r"-(?P<locale>zh_CN|en)\.pdf$")
_CHART_LOCK = threading.Lock()
"""matplotlib's settings are global: one chart is drawn at a time (each takes ~50 ms)."""


# --- whose briefing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What one briefing covers.

    Parameters
    ----------
    scope : str
        One of :data:`SCOPES`.
    code : str or None
        The province (its stored English name) or the enterprise's code; None for the nation.
    name : str
        The enterprise's name (the province's and nation's are put in words when shown).
    """

    scope: str
    code: str | None = None
    name: str = ""


def _require_reader(actor: Actor, province: str | None) -> None:
    """National and provincial briefings are for the regulators' roles, within their scope:
    anything else is answered as missing (a read outside the scope reveals nothing)."""
    if actor.role not in READERS or actor.org_ids is not None or (
            actor.province is not None and actor.province != province):
        raise NotFoundError(_("no briefing of %(subject)s for you",
                              subject=province or _("National")))


def narrowed(session: Session, actor: Actor, subject: Subject) -> Actor:
    """``actor`` limited to ``subject`` (the briefing reads what this actor may read).

    Raises
    ------
    NotFoundError
        When the subject is unknown or outside the actor's scope.
    """
    if subject.scope == "national":
        _require_reader(actor, None)
        return actor
    if subject.scope == "province":
        if subject.code not in PROVINCES:
            raise NotFoundError(_("unknown province %(province)s", province=repr(subject.code)))
        _require_reader(actor, subject.code)
        return replace(actor, province=subject.code)
    if subject.scope == "enterprise":
        org = get_organisation(session, actor, str(subject.code))
        members = set(session.scalars(select(Organisation.id)
                                      .where(Organisation.parent_id == org.id)))
        ids = frozenset({org.id, *members})
        return replace(actor, org_ids=ids if actor.org_ids is None else ids & actor.org_ids)
    raise NotFoundError(_("no briefing of %(subject)s for you", subject=subject.scope))


def enterprise(session: Session, actor: Actor, code: str) -> Subject:
    """The briefing of organisation ``code`` (NotFoundError outside the actor's scope)."""
    return Subject("enterprise", code, get_organisation(session, actor, code).name)


# --- the view model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recycling:
    """The recycling reports of a scope: how many in each state and of each kind (count), and
    the fine gold the ledger's purchases hold per province (``purchases``, ``fine_gold_kg``
    kg, ``amount_cny`` CNY)."""

    by_status: dict[str, int]
    by_kind: dict[str, int]
    totals: list[dict[str, Any]]


@dataclass(frozen=True)
class Briefing:
    """Everything one briefing prints.

    Attributes
    ----------
    day : date
        The day of the reporting calendar it was made on (Beijing).
    data_version : int
        :func:`aurum.services.cache.view_version` of the data it shows.
    charts : dict of str
        SVG images (``data:`` URLs) by name: each indicator's id, ``provinces``,
        ``clearing``, ``late``.
    """

    subject: Subject
    day: date
    data_version: int
    monitor: monitor.Monitor
    quality: QualityView
    safety: safety.DashboardView
    recycling: Recycling
    charts: dict[str, str]

    @property
    def title(self) -> str:
        """The briefing's title in the current language."""
        from aurum.api.labels.regulator import province

        if self.subject.scope == "national":
            return _("National gold industry briefing")
        if self.subject.scope == "province":
            return _("Gold industry briefing: %(province)s", province=province(self.subject.code))
        return _("Enterprise briefing: %(enterprise)s", enterprise=self.subject.name)


def _recycling(session: Session, actor: Actor) -> Recycling:
    reports = reports_view(session, actor)["by_month"]

    def counts(column: str) -> dict[str, int]:
        return {} if reports.empty else {str(k): int(v) for k, v in
                                         reports[column].value_counts().sort_index().items()}

    return Recycling(counts("status"), counts("kind"),
                     recycled_totals(session, actor, ("province",)))


def build(session: Session, actor: Actor, subject: Subject) -> Briefing:
    """The briefing of ``subject`` as ``actor`` may read it, in the current language.

    Raises
    ------
    NotFoundError
        When the subject is outside the actor's scope.
    """
    reader = narrowed(session, actor, subject)
    m = monitor.build(session, reader)  # the dashboard's call: its cached view, its figures
    quality = monitor.quality_view(session, reader)
    clearing = safety.dashboard_view(session, reader)
    return Briefing(subject, reporting_day(), cache.view_version(session), m, quality,
                    clearing, _recycling(session, reader), _charts(m, quality, clearing))


def pdf(session: Session, actor: Actor, subject: Subject) -> bytes:
    """The briefing of ``subject`` as a PDF in the current language, made once per data
    version, day and language (:mod:`aurum.services.cache`, bounded) and then served as kept.

    Raises
    ------
    NotFoundError
        When the subject is outside the actor's scope (checked before anything kept is read).
    """
    reader = narrowed(session, actor, subject)
    key = cache.scope_key(session, reader, "briefing-pdf", subject, reporting_day())
    return cache.cached(key, lambda: render_pdf(build(session, actor, subject)))


def render_html(briefing: Briefing) -> str:
    """The briefing as an HTML document (``briefing.html``, A4 print CSS) in the current
    language."""
    from aurum.api.templating import TEMPLATES

    m = briefing.monitor
    return TEMPLATES.env.get_template("briefing.html").render(
        b=briefing, m=m, lang=i18n.tag(), rows=ROWS_SHOWN,
        provinces=_records(m.provinces), plants=_records(m.compliance),
        late=_records(briefing.quality.late), missing=_records(briefing.quality.missing),
        clearing_provinces=_records(briefing.safety.provinces))


def render_pdf(briefing: Briefing) -> bytes:
    """The briefing as PDF bytes (WeasyPrint)."""
    return html_to_pdf(render_html(briefing))


def html_to_pdf(html: str) -> bytes:
    """An A4 HTML document (the pages' templates, CJK fonts named in its CSS) as PDF bytes
    (WeasyPrint); shared with the other printed documents (the annual reserve report)."""
    import weasyprint  # loads pango: only when a document is made

    document: bytes = weasyprint.HTML(string=html).write_pdf()
    return document


def filename(subject: Subject, locale: str, month: str | None = None) -> str:
    """The file name a briefing is downloaded or kept under: ``[month-]national-zh_CN.pdf``,
    ``province-Inner_Mongolia-en.pdf``, ``enterprise-ENT-A-zh_CN.pdf``."""
    what = subject.scope if subject.code is None else (
        f"{subject.scope}-{re.sub(r'[^A-Za-z0-9_.-]', '_', subject.code)}")
    return f"{month + '-' if month else ''}{what}-{locale}.pdf"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows for the template: missing values as None (the ``num`` filter's dash)."""
    return [] if frame.empty else [
        {str(k): None if _missing(v) else v for k, v in row.items()}
        for row in frame.to_dict("records")]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


# --- charts (static SVG) --------------------------------------------------------------------


@memoise
def _font_families() -> list[str]:
    """A CJK font matplotlib finds (Noto Sans CJK SC of Debian's fonts-noto-cjk), then
    matplotlib's own for Latin text."""
    for family in ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC"):
        try:
            font_manager.findfont(font_manager.FontProperties(family=family),
                                  fallback_to_default=False)
        except ValueError:
            continue
        return [family, "DejaVu Sans"]
    return ["DejaVu Sans"]


def _svg(title: str, unit: str, draw: Callable[[Axes], None], wide: bool = False) -> str:
    """A chart as an SVG ``data:`` URL: ``draw(axes)`` plots, then title, unit, legend below.

    Parameters
    ----------
    title, unit : str
        The chart's title and its y axis's unit, in the current language.
    wide : bool
        Full text width (16 cm) instead of half.
    """
    with _CHART_LOCK, matplotlib.rc_context({
            "svg.fonttype": "none", "font.family": _font_families(), "font.size": 7,
            "svg.hashsalt": "aurum", "axes.spines.top": False, "axes.spines.right": False}):
        figure = Figure(figsize=(6.3 if wide else 3.1, 2.1 if wide else 2.3),
                        layout="constrained")
        axes = figure.add_subplot()
        draw(axes)
        axes.set_title(title, fontsize=8)
        axes.set_ylabel(unit)
        if axes.get_legend_handles_labels()[0]:
            figure.legend(loc="outside lower center", ncols=4, frameon=False, fontsize=6)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    # An image of its own, not inline SVG: each chart's ids (glyphs, clip paths) are then
    # its own, where inline charts would share one document's.
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue().encode()).decode()


def _trajectory(ind: IndicatorResult, target_year: int = 2027) -> str:
    """An indicator from the baseline year, its projection to 2027 and its target, in the
    colours of the dashboard's chart."""
    from aurum.api.charts.common import GOLD, GREY, STATUS_COLOURS
    from aurum.api.labels import label

    def draw(axes: Axes) -> None:
        years = [y for y, _v in ind.trajectory]
        values = [v for _y, v in ind.trajectory]
        axes.plot(years, values, marker="o", color=GOLD, label=_("actual"))
        if years and ind.projection_2027 is not None:
            axes.plot([years[-1], target_year], [values[-1], ind.projection_2027], ":",
                      color=GOLD, label=_("projection"))
        start = years[0] if years else target_year - 3
        axes.plot([start, target_year], [ind.target] * 2, "--", color=STATUS_COLOURS["on_track"],
                  label=_("target %(target)s %%", target=format(ind.target, "g")))
        if ind.target_max is not None:
            axes.plot([start, target_year], [ind.target_max] * 2, "--", color=GREY,
                      label=_("upper %(target)s %%", target=format(ind.target_max, "g")))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))

    return _svg(label(ind.id), label(ind.unit), draw)


def _resources_by_category(table: pd.DataFrame) -> str:
    """The resources indicator's contained gold by GB/T 17766-2020 category and year, stacked,
    in the categories' colours of every chart (``Monitor.resources_by_category``, t)."""
    from aurum.api.charts.common import CATEGORY_COLOURS
    from aurum.api.labels import label

    def draw(axes: Axes) -> None:
        years = table["year"].astype(int).tolist()
        bottom = [0.0] * len(years)
        for code in RESOURCE_CODES:
            values = table[f"resources_{code}_t"].astype(float).tolist()
            axes.bar(years, values, bottom=bottom, label=label(code),
                     color=CATEGORY_COLOURS[code])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))

    return _svg(_("Gold resources by GB/T 17766-2020 category"), _("contained gold (t)"), draw)


def _counts(axes: Axes, top: float) -> None:
    """A y axis of counts: integer ticks from 0 (to 1 at least, so that zeros read as such)."""
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max(float(top), 1.0) * 1.1)


def _bars(names: Sequence[str], values: Sequence[float], title: str, unit: str,
          integer: bool = False) -> str:
    """Vertical bars, one per name, in gold (counts on integer ticks)."""
    from aurum.api.charts.common import GOLD

    def draw(axes: Axes) -> None:
        axes.bar(list(names), list(values), color=GOLD)
        axes.tick_params(axis="x", labelrotation=45)
        if integer:
            _counts(axes, max(values, default=0))

    return _svg(title, unit, draw, wide=True)


def _clearing_history(history: pd.DataFrame) -> str:
    """Open major hazards past their deadline at month ends, against the target 0."""
    from aurum.api.charts.common import STATUS_COLOURS

    def draw(axes: Axes) -> None:
        days = [d.isoformat()[:7] for d in history["as_of"]]
        axes.plot(days, history["overdue_major"], marker="o", color=STATUS_COLOURS["off_track"],
                  label=_("Open major hazards past their deadline"))
        axes.plot(days, history["open_major"], marker=".", color="#4c78a8",
                  label=_("Major open"))
        axes.tick_params(axis="x", labelrotation=45)
        _counts(axes, history[["overdue_major", "open_major"]].to_numpy().max())

    return _svg(_("Hazard clearing"), _("hazards"), draw, wide=True)


def _charts(m: monitor.Monitor, quality: QualityView,
            clearing: safety.DashboardView) -> dict[str, str]:
    from aurum.api.labels.regulator import province

    charts = {ind.id: _trajectory(ind) for ind in m.report.indicators}
    if not m.resources_by_category.empty:
        charts["resources_by_category"] = _resources_by_category(m.resources_by_category)
    top = m.provinces.head(15)
    if len(top) > 1:
        charts["provinces"] = _bars([province(p) for p in top["province"]],
                                    top["gold_output_t"].fillna(0).tolist(),
                                    _("Gold output %(year)s", year=m.as_of), _("t"))
    if not clearing.history.empty:
        charts["clearing"] = _clearing_history(clearing.history)
    if len(quality.late_per_period):
        charts["late"] = _bars([str(p) for p in quality.late_per_period.index],
                               quality.late_per_period.tolist(),
                               _("Late reports by period"), _("reports"), integer=True)
    return charts


# --- the month's briefings, kept --------------------------------------------------------------


def last_month(day: date | None = None) -> str:
    """The month before ``day``'s (default: the reporting calendar's today), ``YYYY-MM``."""
    day = day or reporting_day()
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year}-{month:02d}"


def check_month(month: str) -> str:
    """``month`` if it is ``YYYY-MM`` (ValidationError otherwise)."""
    if not _MONTH.match(month):
        raise ValidationError(Problem(_("month %(month)s: expected YYYY-MM, e.g. 2026-11",
                                        month=repr(month)), column="month"))
    return month


def folder(home: Path) -> Path:
    """The folder of the kept briefings under data directory ``home``."""
    return home / FOLDER


def make_month(platform: Platform, month: str | None = None,
               locales: Sequence[str] = i18n.LOCALES, keep: int = KEEP_MONTHS) -> list[Path]:
    """Write the month's national briefing and one per province with sites, in each of
    ``locales``, under ``AURUM_HOME/briefings/``; then delete the briefings of all but the
    newest ``keep`` months.

    A month's briefing shows the data as it stands when it is made (run it on the first day of
    the next month); making a month again replaces its files.

    Parameters
    ----------
    month : str, optional
        ``YYYY-MM`` (default: the month before the reporting calendar's today).
    locales : sequence of str
        Languages (:data:`aurum.core.i18n.LOCALES`).
    keep : int
        Months kept (count, at least 1).

    Returns
    -------
    list of Path
        The files written.
    """
    month = check_month(month or last_month())
    target = folder(platform.settings.home)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with transaction(platform.sessions) as session:
        provinces = sorted(set(session.scalars(select(Site.province).distinct())) & set(PROVINCES))
        for locale in locales:
            with i18n.using(locale):
                for subject in [Subject("national"), *(Subject("province", p) for p in provinces)]:
                    path = target / filename(subject, locale, month)
                    partial = path.with_suffix(".part")
                    partial.write_bytes(pdf(session, SYSTEM, subject))
                    partial.replace(path)  # a reader never sees half a file
                    written.append(path)
    months = sorted({match["month"] for match in map(_KEPT.match, _names(target)) if match})
    for old in months[:-max(keep, 1)]:
        for name in _names(target):
            if name.startswith(f"{old}-"):
                (target / name).unlink(missing_ok=True)
    return written


def _names(target: Path) -> list[str]:
    return sorted(p.name for p in target.glob("*.pdf")) if target.is_dir() else []


@dataclass(frozen=True)
class Kept:
    """A kept briefing: its file ``name``, ``month`` (``YYYY-MM``), ``subject``, ``locale``
    and ``size`` (bytes)."""

    name: str
    month: str
    subject: Subject
    locale: str
    size: int


def _kept(target: Path, name: str) -> Kept | None:
    match = _KEPT.match(name)
    if match is None:
        return None
    code = match["province"].replace("_", " ") if match["province"] else None
    subject = Subject("province", code) if code else Subject("national")
    return Kept(name, match["month"], subject, match["locale"], (target / name).stat().st_size)


def _may_read(actor: Actor, subject: Subject) -> bool:
    try:
        _require_reader(actor, subject.code)
    except NotFoundError:
        return False
    return True


def kept(home: Path, actor: Actor) -> list[Kept]:
    """The kept briefings ``actor`` may read, newest month first."""
    target = folder(home)
    found = [k for k in (_kept(target, n) for n in _names(target)) if k is not None]
    visible = [k for k in found if _may_read(actor, k.subject)]
    return sorted(visible, key=lambda k: (k.month, k.subject.scope == "national"), reverse=True)


def kept_file(home: Path, actor: Actor, name: str) -> Path:
    """The path of kept briefing ``name`` (NotFoundError when there is none the actor may
    read: the name is matched against the kept files' pattern, never joined as given)."""
    target = folder(home)
    found = _kept(target, name) if name in _names(target) else None
    if found is None or not _may_read(actor, found.subject):
        raise NotFoundError(_("no kept briefing %(name)s", name=repr(name)))
    return target / found.name


@dataclass(frozen=True)
class Offered:
    """What the briefings page offers an actor: to make now the ``national`` briefing, the
    ``provinces``' and the ``enterprises``' (code, name) it may read; and the ``kept`` ones."""

    national: bool
    provinces: list[str]
    enterprises: list[tuple[str, str]]
    kept: list[Kept]


def offered(session: Session, actor: Actor, home: Path) -> Offered:
    """The briefings ``actor`` may download (see :class:`Offered`), ``home`` the data
    directory."""
    provinces: list[str] = []
    if actor.role in READERS and actor.org_ids is None:
        sited = set(session.scalars(select(Site.province).distinct()))
        provinces = [p for p in PROVINCES
                     if p in sited and _may_read(actor, Subject("province", p))]
    return Offered(_may_read(actor, Subject("national")), provinces,
                   [(o.code, o.name) for o in list_organisations(session, actor)],
                   kept(home, actor))
