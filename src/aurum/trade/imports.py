"""Imports of gold ore and concentrate and of gold from customs statistics: reading, checking,
concentration of the sources, dependence by partner, trends and the supply-risk indicator.

The customs statistics are read as China's customs publish them, one row per commodity code,
partner country, customs district and month:

- ``hs_code``: an 8-digit national code (or its 6-digit HS subheading, dots allowed) under HS
  2616.90 — precious-metal ores and concentrates other than silver's, the gold ore and
  concentrate of the plan's Task 9 (China's 2616.9000) — or HS 7108 — gold, unwrought (doré
  included, 7108.12), powder, semi-manufactured or monetary;
- ``partner``: the country of origin as an ISO 3166-1 alpha-2 code (:mod:`.countries`);
- ``customs_district``: the customs district that cleared the goods (上海海关, Qingdao...);
- ``month``: ``YYYY-MM`` (or ``YYYYMM``, the customs' 数据年月); only months that have ended;
- ``quantity_kg``: the first quantity, kg of product (concentrate, doré, bullion);
- ``value_usd`` or ``value_cny``: the customs value (one currency a file);
- ``gold_kg`` (optional): the gold the product contains, kg; for HS 7108 the quantity itself
  when blank (bullion and doré counted as gold: doré's few per cent of silver are not
  subtracted, the customs do not report them).

Chinese headers of the customs' own tables are accepted for the same columns
(:data:`HEADER_ALIASES`).

Concentration: each period's imports are summed by partner (over districts and codes of the
commodity) into percentage shares; the HHI is Σ sᵢ² on shares in per cent, 0-10,000
(:mod:`aurum.core.concentration`), the top-3 share the three largest shares' sum. The shares
are of **contained gold** when every row of the period and commodity gives it (the ``basis``
``gold_kg``), else of **customs value** (``value``): quantities of concentrate and of bullion
are not comparable, values and contained gold are.

Supply risk (:func:`supply_risk`): the level of the latest complete year's HHI of all gold
imports in the bands of the US Department of Justice and Federal Trade Commission's
*Horizontal Merger Guidelines* (19 August 2010, section 5.3): below 1,500 unconcentrated
(``low``), 1,500 to 2,500 moderately concentrated (``moderate``), above 2,500 highly
concentrated (``high``). (The agencies' 2023 *Merger Guidelines* lowered "highly
concentrated" to above 1,800; the 2010 bands are the ones long used for supply sources.)
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from aurum.core.checks import FIRST_YEAR
from aurum.core.concentration import hhi, shares_pct, top_share
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.core.tables import RowProblems, read_table, require_rows, with_columns
from aurum.trade.countries import country_codes

ORE = "ore"
"""Commodity of HS 2616.90: gold ores and concentrates."""
GOLD = "gold"
"""Commodity of HS 7108: gold, doré included."""
ALL = "all"
"""Both commodities together (on contained gold or value)."""
COMMODITIES = (ORE, GOLD)
HS_PREFIXES = {"261690": ORE, "7108": GOLD}
"""Leading digits of the codes read, and their commodity."""

REQUIRED = ("hs_code", "partner", "customs_district", "month", "quantity_kg")
VALUE_COLUMNS = {"value_usd": "USD", "value_cny": "CNY"}
"""The value column a file gives, and its currency."""
HEADER_ALIASES = {"商品编码": "hs_code", "贸易伙伴代码": "partner", "贸易伙伴": "partner",
                  "海关": "customs_district", "关区": "customs_district", "数据年月": "month",
                  "第一数量": "quantity_kg", "美元": "value_usd", "人民币": "value_cny",
                  "含金量": "gold_kg"}
"""The customs' Chinese headers → the columns they hold."""
ROW_COLUMNS = ["hs_code", "commodity", "partner", "customs_district", "month", "year",
               "quantity_kg", "gold_kg", "value", "currency"]
"""Columns of a checked table (:class:`CustomsTable`)."""
KEY = ["hs_code", "partner", "customs_district", "month"]
"""What one row is the figure of: a code, a partner, a district and a month."""

MAX_DISTRICT_CHARS = 64
"""Longest customs district name, characters."""
MAX_QUANTITY = 1e12
"""Largest quantity (kg) or value a cell may hold: far above a year's world trade."""

LOW_BELOW = 1500.0
HIGH_ABOVE = 2500.0
"""HHI bands of the 2010 Horizontal Merger Guidelines (module docstring)."""
RISK_LEVELS = ("low", "moderate", "high")

_MONTH = re.compile(r"^(\d{4})[-/.]?(0[1-9]|1[0-2])(?:[-/.]01(?:[ T]00:00:00)?)?$")
"""A month as written: ``2025-03``, ``202503``, ``2025/03``, or its first day (an Excel date
cell, ``2025-03-01 00:00:00``)."""


@dataclass(frozen=True)
class CustomsTable:
    """A checked customs file: ``rows`` with :data:`ROW_COLUMNS` (month ``YYYY-MM``,
    quantities in kg, ``gold_kg`` NaN where unknown, ``value`` in ``currency``)."""

    rows: pd.DataFrame
    currency: str
    source: str


def read_customs(data: bytes | str, filename: str, today: date) -> CustomsTable:
    """Read and check a customs statistics file (CSV or xlsx) through :mod:`aurum.core.tables`.

    Parameters
    ----------
    data : bytes or path
        The file's content, or its path.
    filename : str
        Its name (picks the format; named in messages).
    today : date
        The day of the check: months that have not ended by it are refused.

    Raises
    ------
    ValidationError
        Every problem by file, row and column (:func:`check_customs`).
    """
    return check_customs(read_table(data, filename), filename, today)


def _renamed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: HEADER_ALIASES.get(str(c).strip(), str(c).strip())
                                 for c in frame.columns})


def check_customs(frame: pd.DataFrame, source: str, today: date) -> CustomsTable:
    """Check a customs table read as text (:func:`aurum.core.tables.read_table`).

    A problem that repeats (an unknown partner, a month not ended, a code outside the
    commodities) is reported once per distinct value, on its first row with the number of
    rows it affects; a bad number once per cell; a repeated key on the repeating row.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file's cells as text, header included (English or Chinese, :data:`HEADER_ALIASES`).
    source : str
        File name for the messages.
    today : date
        The day of the check.

    Returns
    -------
    CustomsTable

    Raises
    ------
    ValidationError
        Missing columns, no rows, or any problem of the cells; nothing is returned.
    """
    frame = require_rows(with_columns(_renamed(frame), REQUIRED, source), source)
    values = [c for c in VALUE_COLUMNS if c in frame.columns]
    if len(values) != 1:
        raise ValidationError(Problem(_(
            "expected one value column, value_usd (美元) or value_cny (人民币); found %(n)s",
            n=len(values)), row=1, source=source))
    value_column = values[0]
    problems = RowProblems(source)
    text = frame.astype(str).apply(lambda s: s.str.strip())

    hs = text["hs_code"].str.replace(r"[.\s]", "", regex=True)
    commodity = pd.Series(pd.NA, index=hs.index, dtype=object)
    for prefix, name in HS_PREFIXES.items():
        commodity = commodity.mask(hs.str.fullmatch(r"\d{6,10}") & hs.str.startswith(prefix),
                                   name)
    _once(problems, commodity.isna(), hs, "hs_code", _(
        "HS code {value!r} (on {n} row(s)) is outside the gold trade read here: expected "
        "2616.90 (gold ores and concentrates, e.g. 26169000) or 7108.xx (gold, doré "
        "included, e.g. 71081200)"))

    partner = text["partner"].str.upper()
    _once(problems, ~partner.isin(country_codes()), text["partner"], "partner", _(
        "partner {value!r} (on {n} row(s)) is not an ISO 3166-1 alpha-2 country code "
        "(e.g. PE for Peru, CH for Switzerland)"))

    district = text["customs_district"]
    problems.flag((district == "") | (district.str.len() > MAX_DISTRICT_CHARS),
                  "customs_district", _("expected the customs district's name, 1 to %(n)s "
                                        "characters", n=MAX_DISTRICT_CHARS))

    month = _months(text["month"])
    problems.flag(month.isna(), "month", _(
        "expected a month as YYYY-MM (or YYYYMM) from %(first)s on, got {value!r}",
        first=FIRST_YEAR), value=text["month"])
    ended = f"{today.year:04d}-{today.month:02d}"
    _once(problems, month.notna() & (month >= ended), month, "month", _(
        "month {value} (on {n} row(s)) has not ended on %(today)s: customs statistics "
        "cover complete months, a month in the future has none", today=today.isoformat()))

    numbers = {}
    for column, required in (("quantity_kg", True), (value_column, True), ("gold_kg", False)):
        cells = text[column] if column in text.columns else pd.Series("", index=text.index)
        number = pd.to_numeric(cells.str.replace(",", "", regex=False), errors="coerce")
        blank = cells == ""
        problems.flag((~blank | required) & number.isna(), column, _(
            "expected a number, got {value!r}"), value=cells)
        problems.flag(number.notna() & ((number < 0) | (number > MAX_QUANTITY)), column, _(
            "expected a number from 0 to 1e12, got {value:g}: imports are not negative "
            "(a re-export is not an import)"), value=number)
        numbers[column] = number
    over = numbers["gold_kg"] > numbers["quantity_kg"]
    problems.flag(over, "gold_kg", _("contained gold {value:g} kg is more than the quantity "
                                     "{q:g} kg"), value=numbers["gold_kg"],
                  q=numbers["quantity_kg"])

    rows = pd.DataFrame({"hs_code": hs, "commodity": commodity, "partner": partner,
                         "customs_district": district, "month": month})
    keyed = rows[KEY].astype(str).agg("|".join, axis=1)
    first = pd.Series(np.arange(len(keyed)), index=keyed.index).groupby(keyed).transform("min")
    problems.flag(first.to_numpy() < np.arange(len(keyed)), "month", _(
        "{code} from {partner} through {district} in {month} is already on row {row}: one "
        "row per code, partner, district and month"), code=hs, partner=partner,
        district=district, month=month, row=first + 2)
    if problems:
        raise ValidationError(problems)

    gold = numbers["gold_kg"].where(numbers["gold_kg"].notna() | (commodity != GOLD),
                                    numbers["quantity_kg"])
    rows = rows.assign(year=month.str[:4].astype(int), quantity_kg=numbers["quantity_kg"],
                       gold_kg=gold.astype(float), value=numbers[value_column],
                       currency=VALUE_COLUMNS[value_column])
    return CustomsTable(rows[ROW_COLUMNS].reset_index(drop=True), VALUE_COLUMNS[value_column],
                        source)


def _months(cells: pd.Series) -> pd.Series:
    """``YYYY-MM`` of each cell (:data:`_MONTH`), NA when it is not a month from
    :data:`~aurum.core.checks.FIRST_YEAR` on."""
    parts = cells.str.extract(_MONTH)
    month = (parts[0] + "-" + parts[1]).where(parts[0].notna())
    return month.where(parts[0].fillna("0").astype(int) >= FIRST_YEAR)


def _once(problems: RowProblems, mask: pd.Series, values: pd.Series, column: str,
          template: str) -> None:
    """One problem per distinct bad value, on its first row, with how many rows have it."""
    bad = values[mask.fillna(True).astype(bool)]
    for value, rows in bad.groupby(bad, sort=False).groups.items():
        first = int(min(rows))
        problems.append(Problem(template.format(value=value, n=len(rows)), row=first + 2,
                                column=column, source=problems.source))


# --- concentration, dependence, trends -------------------------------------------------------


def _period(rows: pd.DataFrame, kind: str) -> pd.Series:
    if kind == "month":
        return rows["month"]
    if kind == "year":
        return rows["year"].astype(str)
    raise ValueError(f"period kind {kind!r}: expected 'month' or 'year'")


def _groups(rows: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Each commodity's rows, then both together (:data:`ALL`)."""
    return [(c, rows[rows["commodity"] == c]) for c in COMMODITIES] + [(ALL, rows)]


def partner_totals(rows: pd.DataFrame) -> tuple[str, pd.Series]:
    """Rows summed by partner on the module's basis: contained gold (kg) when every row gives
    it, else value. Returns the basis (``gold_kg`` or ``value``) and the sums by partner."""
    basis = "gold_kg" if rows["gold_kg"].notna().all() else "value"
    return basis, rows.groupby("partner")[basis].sum()


CONCENTRATION_COLUMNS = ["period", "kind", "commodity", "basis", "partners", "total", "hhi",
                         "top3_share_pct", "top_partner", "top_partner_share_pct", "shares"]
"""Columns of :func:`concentration`: ``total`` in the basis's unit (kg of gold, or the
value's currency), ``shares`` {partner: %} largest first."""


def concentration(rows: pd.DataFrame, kind: str = "year") -> pd.DataFrame:
    """HHI and top-3 share of the partners per period and commodity.

    Parameters
    ----------
    rows : pandas.DataFrame
        Checked customs rows (:data:`ROW_COLUMNS`), of one currency.
    kind : {"month", "year"}
        Length of the period: calendar months, or years (a year is every month of it in
        ``rows``, so a year in progress is its months so far).

    Returns
    -------
    pandas.DataFrame
        :data:`CONCENTRATION_COLUMNS`, one row per period and commodity (``ore``, ``gold``,
        ``all``) with imports above 0, by period. HHI on shares in %, 0-10,000.
    """
    out = []
    for commodity, part in _groups(rows):
        if part.empty:
            continue
        period = _period(part, kind).rename("period")
        known = part["gold_kg"].notna().groupby(period).all()
        sums = part.groupby([period, "partner"])[["gold_kg", "value"]].sum().reset_index()
        sums["basis"] = sums["period"].map(known).map({True: "gold_kg", False: "value"})
        sums["amount"] = sums["gold_kg"].where(sums["basis"] == "gold_kg", sums["value"])
        sums = sums[sums["amount"] > 0].sort_values(["period", "amount"],
                                                     ascending=[True, False], kind="stable")
        # One pass over plain arrays: a period's partners are consecutive, largest first.
        periods = sums["period"].to_numpy()
        starts = np.flatnonzero(np.r_[True, periods[1:] != periods[:-1]])
        bounds = np.r_[starts[:len(periods)], len(sums)]
        amounts, partners = sums["amount"].to_numpy(), sums["partner"].to_numpy()
        bases = sums["basis"].to_numpy()
        for a, b in itertools.pairwise(bounds.tolist()):
            shares = shares_pct(amounts[a:b])
            out.append({"period": str(periods[a]), "kind": kind, "commodity": commodity,
                        "basis": str(bases[a]), "partners": int(b - a),
                        "total": float(amounts[a:b].sum()), "hhi": hhi(shares),
                        "top3_share_pct": top_share(shares, 3),
                        "top_partner": str(partners[a]),
                        "top_partner_share_pct": float(shares[0]),
                        "shares": {str(p): float(x) for p, x in zip(partners[a:b], shares,
                                                                    strict=True)}})
    return pd.DataFrame(out, columns=CONCENTRATION_COLUMNS)


DEPENDENCE_COLUMNS = ["year", "commodity", "partner", "quantity_kg", "gold_kg", "value",
                      "basis", "share_pct", "rank", "change_pp"]


def dependence(rows: pd.DataFrame) -> pd.DataFrame:
    """Each partner's share of each year's imports, per commodity and for both together.

    Returns
    -------
    pandas.DataFrame
        :data:`DEPENDENCE_COLUMNS`: quantities (kg) and value summed, ``share_pct`` on the
        year's basis (:func:`partner_totals`), ``rank`` 1 for the largest, ``change_pp`` the
        change of the share from the year before, percentage points (NaN in a partner's
        first year).
    """
    out = []
    for commodity, part in _groups(rows):
        for year, group in part.groupby("year", sort=True):
            basis, totals = partner_totals(group)
            if totals.sum() <= 0:
                continue
            sums = group.groupby("partner")[["quantity_kg", "gold_kg", "value"]].sum(
                min_count=1)
            frame = sums.assign(year=int(str(year)), commodity=commodity, basis=basis,
                                share_pct=shares_pct(totals.reindex(sums.index).to_numpy()))
            out.append(frame.reset_index())
    if not out:
        return pd.DataFrame(columns=DEPENDENCE_COLUMNS)
    table = pd.concat(out, ignore_index=True).sort_values(
        ["commodity", "year", "share_pct"], ascending=[True, True, False], kind="stable")
    table["rank"] = table.groupby(["commodity", "year"]).cumcount() + 1
    previous = table.set_index(["commodity", "partner", "year"])["share_pct"]
    before = previous.rename(lambda y: y + 1, level="year")
    table["change_pp"] = (previous - before.reindex(previous.index)).to_numpy()
    return table[DEPENDENCE_COLUMNS].reset_index(drop=True)


TREND_COLUMNS = ["year", "commodity", "months", "quantity_kg", "gold_kg", "value",
                 "growth_same_months_pct", "hhi_slope_per_year"]


def trends(rows: pd.DataFrame, monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each year's imports per commodity, their growth, and the drift of the monthly HHI.

    ``monthly`` is ``concentration(rows, "month")`` when the caller has it already.

    Returns
    -------
    pandas.DataFrame
        :data:`TREND_COLUMNS`: ``months`` with imports, quantities (kg) and value summed,
        ``growth_same_months_pct`` the growth of the basis quantity (contained gold, else
        value) against the same months of the year before (so a year in progress is compared
        like for like; NaN without one), ``hhi_slope_per_year`` the least-squares slope of
        the year's monthly HHI (HHI points per year; NaN with fewer than three months).
    """
    monthly = concentration(rows, "month") if monthly is None else monthly
    out = []
    for commodity, part in _groups(rows):
        basis = "gold_kg" if part["gold_kg"].notna().all() else "value"
        by_month = part.groupby("month")[basis].sum()
        for key, group in part.groupby("year", sort=True):
            year = int(str(key))
            months = sorted(group["month"].unique())
            same = [f"{year - 1}{m[4:]}" for m in months]
            earlier = by_month.reindex(same)
            now = by_month.reindex(months).sum()
            growth = (100.0 * (now / earlier.sum() - 1.0)
                      if earlier.notna().all() and earlier.sum() > 0 else np.nan)
            hhis = monthly[(monthly["commodity"] == commodity)
                           & monthly["period"].str.startswith(str(year))]
            slope = (float(np.polyfit(np.arange(len(hhis)) / 12.0, hhis["hhi"], 1)[0])
                     if len(hhis) >= 3 else np.nan)
            out.append({"year": year, "commodity": commodity, "months": len(months),
                        "quantity_kg": float(group["quantity_kg"].sum()),
                        "gold_kg": float(group["gold_kg"].sum(min_count=1)),
                        "value": float(group["value"].sum()),
                        "growth_same_months_pct": growth, "hhi_slope_per_year": slope})
    return pd.DataFrame(out, columns=TREND_COLUMNS)


@dataclass(frozen=True)
class SupplyRisk:
    """The supply-risk indicator of one year (module docstring): the HHI of all gold imports
    (0-10,000), its band's ``level`` (:data:`RISK_LEVELS`), the top-3 share and the largest
    partner's (%), on ``basis``."""

    year: int
    hhi: float
    level: str
    top3_share_pct: float
    top_partner: str
    top_partner_share_pct: float
    partners: int
    basis: str

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "hhi": self.hhi, "level": self.level,
                "top3_share_pct": self.top3_share_pct, "top_partner": self.top_partner,
                "top_partner_share_pct": self.top_partner_share_pct,
                "partners": self.partners, "basis": self.basis,
                "bands": {"low_below": LOW_BELOW, "high_above": HIGH_ABOVE}}


def risk_level(index: float) -> str:
    """The level of an HHI (0-10,000) in the 2010 Merger Guidelines' bands: ``low`` below
    1,500, ``moderate`` from 1,500 to 2,500, ``high`` above 2,500."""
    if index < LOW_BELOW:
        return "low"
    return "moderate" if index <= HIGH_ABOVE else "high"


def supply_risk(annual: pd.DataFrame, year: int | None = None) -> SupplyRisk | None:
    """The supply-risk indicator from a yearly :func:`concentration` table.

    Parameters
    ----------
    annual : pandas.DataFrame
        :func:`concentration` with ``kind="year"``.
    year : int, optional
        The year; the latest with imports of both commodities combined by default.

    Returns
    -------
    SupplyRisk or None
        None when the year has no imports.
    """
    rows = annual[annual["commodity"] == ALL]
    if year is not None:
        rows = rows[rows["period"] == str(year)]
    if rows.empty:
        return None
    row = rows.iloc[-1]
    return SupplyRisk(int(row["period"]), float(row["hhi"]), risk_level(float(row["hhi"])),
                      float(row["top3_share_pct"]), str(row["top_partner"]),
                      float(row["top_partner_share_pct"]), int(row["partners"]),
                      str(row["basis"]))
