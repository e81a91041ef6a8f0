"""Long-term supply agreements and the share of each year's imports they cover.

An agreement is signed with a ``counterparty`` (a miner, a smelter, a trader) in a
``partner`` country for a ``commodity`` (``ore``: tonnes of concentrate, HS 2616.90;
``gold``: tonnes of doré or bullion, HS 7108) per year over a term of whole calendar years,
priced on a basis (:data:`PRICE_BASES`, e.g. the LBMA Gold Price PM) plus or minus a premium
(USD per troy ounce; a discount is negative).

Coverage of a year (:func:`coverage`): for each partner and commodity, the tonnage the
agreements in force that year provide for — pro rata of the months with imports when the
year is not complete (a year in progress is compared with its months so far) — capped at what
was imported from that partner (a contract cannot cover more than arrived); the covered
tonnage over all partners divided by the year's imports of the commodity, in %.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import pandas as pd

from aurum.core.checks import FIRST_YEAR, LAST_YEAR
from aurum.core.errors import Problem
from aurum.core.i18n import _
from aurum.core.units import KG_PER_T
from aurum.trade.countries import is_country
from aurum.trade.imports import COMMODITIES

PriceBasis = Literal["lbma_pm", "lbma_am", "sge_au9999", "fixed"]
PRICE_BASES: tuple[str, ...] = get_args(PriceBasis)
"""Price bases: the LBMA Gold Price PM or AM auction, the Shanghai Gold Exchange's Au99.99
benchmark, or a fixed price."""
MAX_TONNES_PER_YEAR = 1e7
"""Largest tonnage per year of one agreement, t (ten million tonnes of concentrate)."""
MAX_PREMIUM_USD_PER_OZ = 1000.0
"""Largest premium or discount on the price basis, USD per troy ounce."""
MAX_COUNTERPARTY_CHARS = 200


@dataclass(frozen=True)
class Agreement:
    """A long-term supply agreement (module docstring): tonnes of product per year from
    ``start_year`` to ``end_year`` inclusive."""

    partner: str
    counterparty: str
    commodity: str
    tonnes_per_year: float
    start_year: int
    end_year: int
    price_basis: str
    premium_usd_per_oz: float = 0.0


def check_agreement(agreement: Agreement, source: str | None = None) -> list[Problem]:
    """Every problem of an agreement, by field (empty when it is sound)."""
    a = agreement
    problems = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(message, column=column, source=source))

    if not is_country(a.partner):
        bad("partner", _("partner %(code)s is not an ISO 3166-1 alpha-2 country code",
                         code=repr(a.partner)))
    if not a.counterparty.strip() or len(a.counterparty) > MAX_COUNTERPARTY_CHARS:
        bad("counterparty", _("expected the counterparty's name, 1 to %(n)s characters",
                              n=MAX_COUNTERPARTY_CHARS))
    if a.commodity not in COMMODITIES:
        bad("commodity", _("expected one of %(options)s", options=", ".join(COMMODITIES)))
    if not 0 < a.tonnes_per_year <= MAX_TONNES_PER_YEAR:
        bad("tonnes_per_year", _("expected a tonnage above 0 and at most %(max)s t a year",
                                 max=f"{MAX_TONNES_PER_YEAR:g}"))
    for column, year in (("start_year", a.start_year), ("end_year", a.end_year)):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            bad(column, _("expected a year from %(first)s to %(last)s", first=FIRST_YEAR,
                          last=LAST_YEAR))
    if a.end_year < a.start_year:
        bad("end_year", _("the term ends (%(end)s) before it starts (%(start)s)",
                          end=a.end_year, start=a.start_year))
    if a.price_basis not in PRICE_BASES:
        bad("price_basis", _("expected one of %(options)s", options=", ".join(PRICE_BASES)))
    if abs(a.premium_usd_per_oz) > MAX_PREMIUM_USD_PER_OZ:
        bad("premium_usd_per_oz", _("expected a premium from -%(max)s to %(max)s USD/oz",
                                    max=f"{MAX_PREMIUM_USD_PER_OZ:g}"))
    return problems


COVERAGE_COLUMNS = ["year", "commodity", "months", "imports_t", "agreed_t", "covered_t",
                    "coverage_pct"]


def coverage(agreements: list[Agreement], imports: pd.DataFrame) -> pd.DataFrame:
    """The share of each year's imports the agreements cover (module docstring).

    Parameters
    ----------
    agreements : list of Agreement
        The agreements (checked).
    imports : pandas.DataFrame
        Customs rows: ``year``, ``month``, ``commodity``, ``partner``, ``quantity_kg``.

    Returns
    -------
    pandas.DataFrame
        :data:`COVERAGE_COLUMNS`, one row per year and commodity with imports: ``months``
        with imports, tonnages in t of product, ``coverage_pct`` in %.
    """
    if imports.empty:
        return pd.DataFrame(columns=COVERAGE_COLUMNS)
    imported = imports.groupby(["year", "commodity", "partner"])["quantity_kg"].sum() / KG_PER_T
    months = imports.groupby("year")["month"].nunique()
    out = []
    for key, by_partner in imported.groupby(level=["year", "commodity"]):
        year, commodity = int(key[0]), str(key[1])  # type: ignore[index]
        fraction = months[year] / 12.0
        agreed = pd.Series(0.0, index=by_partner.index.get_level_values("partner"))
        total_agreed = 0.0
        for a in agreements:
            if a.commodity == commodity and a.start_year <= year <= a.end_year:
                tonnes = a.tonnes_per_year * fraction
                total_agreed += tonnes
                if a.partner in agreed.index:
                    agreed[a.partner] += tonnes
        received = by_partner.droplevel(["year", "commodity"])
        covered = float(pd.concat([agreed, received], axis=1).min(axis=1).sum())
        total = float(received.sum())
        out.append({"year": year, "commodity": commodity, "months": int(months[year]),
                    "imports_t": total, "agreed_t": total_agreed, "covered_t": covered,
                    "coverage_pct": 100.0 * covered / total if total > 0 else float("nan")})
    return pd.DataFrame(out, columns=COVERAGE_COLUMNS)
