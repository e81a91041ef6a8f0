"""Declared constraints: the limits of every input, stated once.

In the manner of scikit-learn's parameter validation (``Interval``, ``StrOptions``), a
constraint is a small object that knows its bounds and says what it expected; the same object
gives the annotated type a FastAPI route or a pydantic model declares, so the HTTP boundary,
the CLI and a service that validates its own arguments refuse the same values with the same
words. A computation whose cost grows with an input (a year range, a page, a grid) is bounded
here before it starts.

The bounds:

- years: :data:`FIRST_YEAR` … :data:`LAST_YEAR`, the plan's baseline back to 2000 (the earliest
  statistics worth loading) and its 2035 outlook; a service narrows further to the data it has;
- database ids: 1 … 2³¹ − 1 (a PostgreSQL ``integer``, the type of every id column of the
  store); anything larger is not an id;
- calendar dates and times: 1900-01-01 … 2100-12-31;
- counts and log positions: 0 … 2⁶³ − 1;
- page sizes: 1 … :data:`MAX_PAGE`;
- a page's table: :data:`TABLE_ROWS` rows a page, pages 1 … :data:`MAX_TABLE_PAGE`, a search
  of at most :data:`MAX_SEARCH_CHARS` characters;
- pit studies: overall slope angles :data:`SLOPE_ANGLES`, mining widths :data:`MINING_WIDTHS`,
  gold prices :data:`GOLD_PRICES`, recoveries :data:`RECOVERIES`, unit costs
  :data:`UNIT_COSTS`, discount rates :data:`DISCOUNT_RATES`, at most
  :data:`MAX_PROCESSES` processes and :data:`MAX_REVENUE_FACTORS` nested pits, and at most
  :data:`MAX_PIT_STUDY_BYTES` of working memory, estimated before a study starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from numbers import Real
from typing import Annotated

from pydantic import AfterValidator, Field

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

FIRST_YEAR = 2000
LAST_YEAR = 2035
MAX_ID = 2**31 - 1
MAX_COUNT = 2**63 - 1
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)
MAX_PAGE = 5000


@dataclass(frozen=True)
class Interval:
    """A closed interval a number must lie in.

    Parameters
    ----------
    low, high : float or int or None
        Bounds (inclusive); None leaves that side open.
    unit : str
        Unit named in the message (``"m"``, ``"°"``, ``""``).
    """

    low: float | None
    high: float | None
    unit: str = ""

    def check(self, name: str, value: float, source: str | None = None) -> None:
        """Raise :class:`ValidationError` naming ``name`` and the bounds when out of range.

        Parameters
        ----------
        name : str
            Parameter or field name as the caller knows it.
        value : float
            The value given, in the interval's unit.
        source : str, optional
            File or request part the value came from.
        """
        if not isinstance(value, Real) or value != value or not self.contains(value):
            raise ValidationError(Problem(
                _("expected %(expected)s, got %(value)s", expected=self.describe(),
                  value=repr(value)), column=name, source=source))

    def contains(self, value: float) -> bool:
        return ((self.low is None or value >= self.low)
                and (self.high is None or value <= self.high))

    def describe(self) -> str:
        """The interval in words, in the current language (``a number from 0 to 1 t``)."""
        unit = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            return _("a number from %(low)s to %(high)s%(unit)s", low=self.low, high=self.high,
                     unit=unit)
        if self.low is not None:
            return _("a number of at least %(low)s%(unit)s", low=self.low, unit=unit)
        return _("a number of at most %(high)s%(unit)s", high=self.high, unit=unit)

    def field(self, description: str = "") -> object:
        """The pydantic ``Field`` with the same bounds (for ``Annotated`` types)."""
        return Field(ge=self.low, le=self.high, description=description or None)


YEARS = Interval(FIRST_YEAR, LAST_YEAR)
IDS = Interval(1, MAX_ID)
PAGES = Interval(1, MAX_PAGE)

Year = Annotated[int, YEARS.field("calendar year")]
"""A calendar year the platform knows (:data:`FIRST_YEAR` … :data:`LAST_YEAR`)."""

DbId = Annotated[int, IDS.field("database id")]
"""A database id: a positive PostgreSQL ``integer`` (int32)."""

Day = Annotated[date, Field(ge=FIRST_DATE, le=LAST_DATE, description="calendar date")]
"""A calendar date between 1900 and 2100."""

PageSize = Annotated[int, PAGES.field("rows per page")]
"""How many rows one page of a listing returns."""

Offset = Annotated[int, Field(ge=0, le=MAX_COUNT, description="rows to skip")]
"""How many rows a listing skips."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT, description="a number of entries (int64)")]
"""A count or a 0-based position in a log (entries, tree sizes): 0 … 2⁶³ − 1."""

TABLE_ROWS = 100
"""Rows one page of a page's table shows (:mod:`aurum.api.tables`): a screenful or two, read
without scrolling through thousands; the exports hold every row."""

MAX_TABLE_PAGE = 100_000
"""Highest page number of a page's table (ten million rows at :data:`TABLE_ROWS`): a page
past the last shows no rows, a number past this is refused."""

MAX_SEARCH_CHARS = 200
"""Longest text a table's search box or a filter takes (characters): longer than any name,
code or label it can match."""

LEDGER_TABLE_ENTRIES = 50_000
"""Newest recycling-ledger entries the ledger page's table sorts and searches (its exports
hold as many; the API pages through the whole log)."""

TABLE_PAGES = Interval(1, MAX_TABLE_PAGE)

TablePageNumber = Annotated[int, TABLE_PAGES.field("page of a table, from 1")]
"""A page of a page's table, 1-based."""

SearchText = Annotated[str, Field(max_length=MAX_SEARCH_CHARS,
                                  description="text searched for, case-insensitive")]
"""What a table's search box or one of its filters holds."""


def _within_dates(moment: datetime) -> datetime:
    if not FIRST_DATE <= moment.date() <= LAST_DATE:
        raise ValueError(_("expected a time from %(first)s to %(last)s", first=FIRST_DATE,
                           last=LAST_DATE))
    return moment


Moment = Annotated[datetime, AfterValidator(_within_dates),
                   Field(description="ISO 8601 time between 1900 and 2100")]
"""A point in time (ISO 8601) whose date lies between 1900 and 2100."""


# Pit studies: the what-if a planner sends, and the memory one study may take.

MAX_PIT_STUDY_BYTES = 2**30
"""Working memory one pit study may take, bytes (1 GiB): slope precedences, the nested-pits
solve and the per-block tables, estimated from the grid and the economics before anything is
built (:func:`aurum.planning.study.study_footprint`); a larger study is refused."""

MAX_REVENUE_FACTORS = 200
"""Most revenue factors (nested pits) one study solves, and so most pushbacks."""

MAX_PROCESSES = 10
"""Most processing destinations (mill, heap leach, ...) one study values every block for."""

MAX_CONCURRENT_STUDIES = 1
"""Pit studies one server process runs at a time: with :data:`MAX_PIT_STUDY_BYTES` each, the
process's memory stays within its stated ceiling however many planners press *Run*; the
others wait (at most ``STUDY_WAIT_S`` of :mod:`aurum.services.planning`), then get a 503."""

MAX_STUDY_CELLS = 8_000_000
"""Most cells of the grid of a prospectivity study sent to the server (about 130 bytes a cell
for four layers: ~1 GiB), read from each raster's header before any band is: a small
compressed GeoTIFF may declare any width × height. The Cloncurry demo has 3.1 million."""

MAX_STUDY_LAYER_CELLS = 4 * MAX_STUDY_CELLS
"""Most cells over all evidence layers of one study (cells × layers)."""

MAX_STUDIES_KEPT = 24
"""Pit studies kept per site under ``AURUM_HOME/pits/`` (the least recently used go first):
every what-if a reader runs is stored, so the cache would otherwise grow without end."""

MAX_SCENARIOS_KEPT = 50
"""Saved pit scenarios kept per resource model, at most: unlike the studies above none is ever
forgotten to make room (deleting one is a user's act), so a model holding this many saves no
more until one is deleted."""

MAX_SCENARIO_NAME_CHARS = 100
"""Longest name of a saved pit scenario (characters)."""

INLINE_REPORT_IMPORT_BYTES = 512 * 2**10
"""Largest report file (bytes, 512 KiB) the reports page imports within the request; a larger
one is imported by a job, with progress per stage and a cancel button. Measured on SQLite, 2
shared cores at load 12: 12,000 rows of 75 bytes (0.86 MiB) in 2.7 s, so about a second at
this size, less for the template's wider rows."""

MAX_REVIEW_REASON_CHARS = 1000
"""Longest reason a regulator gives for returning a report (characters): a paragraph the
enterprise reads and acts on, not a document."""

MIN_REVIEW_REASON_CHARS = 3
"""Shortest reason for returning a report (characters): a return must say what to fix."""

SLOPE_ANGLES = Interval(15.0, 80.0, "°")
"""Overall pit slope angles, degrees from horizontal, from weak saprolite to a hard-rock wall
(flatter cones reach sideways without end; the precedences accept any angle in (0°, 90°))."""

MINING_WIDTHS = Interval(0.0, 1000.0, "m")
"""Minimum mining widths of pushbacks, m."""

GOLD_PRICES = Interval(1.0, 10_000.0, "CNY/g")
"""Gold prices a study is run at, CNY/g (about 650 in 2026)."""

RECOVERIES = Interval(0.01, 1.0)
"""Process recoveries, fraction of the gold fed."""

UNIT_COSTS = Interval(0.0, 100_000.0, "CNY/t")
"""Mining, processing and waste costs, CNY/t."""

DISCOUNT_RATES = Interval(0.0, 1.0)
"""Annual discount rates, fraction (0.08 for 8 %)."""

SlopeAngle = Annotated[float, SLOPE_ANGLES.field("overall slope angle, degrees")]
"""An overall pit slope angle, degrees from horizontal."""

MiningWidth = Annotated[float, MINING_WIDTHS.field("minimum mining width, m")]
"""A minimum mining width, m."""

GoldPrice = Annotated[float, GOLD_PRICES.field("gold price, CNY/g")]
"""A gold price, CNY/g."""

Recovery = Annotated[float, RECOVERIES.field("process recovery, fraction")]
"""A process recovery, fraction of the gold fed."""

UnitCost = Annotated[float, UNIT_COSTS.field("unit cost, CNY/t")]
"""A cost per tonne, CNY/t."""


# Drillhole checks: the geologist's check of uploaded holes before a model.

MAX_GRADE_COLUMN_CHARS = 64
"""Longest name of the grade column a drillhole check composites (characters)."""

MAX_COMPOSITE_M = 1000.0
"""Longest composite a drillhole check makes, m (longer than any hole it would be one sample);
the shortest is any length above 0 m."""

MAX_DRILLHOLE_CHECKS_KEPT = 50
"""Drillhole checks run as jobs kept under ``AURUM_HOME/drillhole-checks/`` (the oldest go
first): every check a geologist runs is stored for its page, so the folder would otherwise
grow without end."""


# Geological blocks in the vertical longitudinal projection (aurum.resources.geoblocks).

MAX_BLOCK_INTERCEPTS = 100_000
"""Most intercepts one geological-block estimate takes (one block each): far more holes than
any vein is drilled with (a large Jiaodong vein has hundreds to a few thousand); the Voronoi
cells and their clipping stay within a few seconds."""

MAX_OUTLINE_VERTICES = 100_000
"""Most vertices of an orebody outline in the longitudinal projection."""

ORE_DENSITIES = Interval(1.0, 10.0, "t/m³")
"""Ore densities, t/m³: from porous oxidised ore to massive sulphide (gold ores 2.5–3.0); a
value outside is a typing slip (27 for 2.7) or another unit."""


# Geological-block estimates (issue 19): the drillholes of one orebody, estimated in the request
# (the outline's vertices and the density: MAX_OUTLINE_VERTICES and ORE_DENSITIES above).

MAX_GBT_FILE_BYTES = 10 * 2**20
"""Largest collar, survey, assay or outline file of a geological-block estimate (bytes, 10
MiB: about 200,000 assay rows, more than the drilling of any one vein); the estimate runs in
the request, so its input is bounded here before anything is read."""

MAX_GBT_HOLES = 2000
"""Most drillholes of one geological-block estimate (count): each industrial intercept makes
one block, and a vein's reserve verification counts holes in the hundreds."""

EXTRAPOLATIONS = Interval(0.0, 5000.0, "m")
"""Fixed extrapolation distances beyond the outer pierce points, m."""

MAX_INDICATOR_REASON_CHARS = 1000
"""Longest reason given for a new version of a mine's industrial indicators (characters)."""

MAX_GBT_ESTIMATES_LISTED = 200
"""Newest geological-block estimates of a mine listed (count)."""

INDICATOR_GRADES = Interval(0.0, 10_000.0)
"""Industrial indicators' grades (cut-off, minimum industrial grade) in the grade column's unit
(g/t for gold, per cent for copper), and the metre-grade (m·g/t); above 0, which
:class:`aurum.resources.indicators.IndustrialIndicators` checks with the rules between them."""

INDICATOR_THICKNESSES = Interval(0.0, 100.0, "m")
"""Minimum mining and maximum internal-waste thicknesses of industrial indicators, m; above 0."""


# Kriging beside the geological blocks (aurum.resources.blockcheck).

MAX_KRIGING_CELLS = 200_000
"""Most square cells of one kriging check of a geological-block estimate (the grid over the
outline's bounding box, before clipping): two kriging systems and one clipped square each, a
couple of seconds. A cell size that needs more is refused; the default cell is enlarged."""

KRIGING_CELL_SIZES = Interval(0.1, 1000.0, "m")
"""Sides of those cells, m: finer than 10 cm resolves nothing a drill spacing can tell, and a
kilometre is coarser than any vein's drilling."""


# Stope schedules (aurum.underground.schedule).

MAX_SCHEDULE_PERIODS = 600
"""Most periods (months) one stope schedule spans: 50 years, longer than any mine plan."""

MAX_SCHEDULE_STOPES = 2000
"""Most stopes one schedule takes: a deep mine's whole stope list for a plan (hundreds)."""

MAX_SCHEDULE_CELLS = 50_000
"""Most stope × period pairs of one schedule, the binary variables of its MIP (200 stopes over
36 months are 7,200); the rows grow with them (a neighbour pair or a precedence adds one a
period), so the model is bounded here before it is built."""
