"""Reporting rules as data, working-day deadlines, and the screening of purchases.

The rules and their citations live in ``aurum/recycling/data/reporting_rules.yaml``, the
holidays in ``working_calendar_cn.yaml``; :func:`load_rules` reads both once per process.
:func:`detect` runs every rule over a table of purchases with grouped and windowed array
operations (sorts, ``searchsorted`` windows, cumulative sums), never a loop per purchase, and
returns one :class:`Detection` per report to make.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _, format_number

RULES_FILE = "reporting_rules.yaml"
CALENDAR_FILE = "working_calendar_cn.yaml"
LARGE_CASH = "large_cash"
SUSPICIOUS = "suspicious"
_DAY0 = np.datetime64("1970-01-01", "D")
_GROUP_STRIDE = 1 << 32
"""Days of one group are offset by this much in combined (group, day) sort keys."""


@dataclass(frozen=True)
class Rule:
    """One reporting rule.

    Parameters
    ----------
    id : str
        Stable identifier (``large_cash``, ``structuring``…).
    kind : str
        ``large_cash`` or ``suspicious``.
    due_working_days : int
        Working days after the last day of the detection by which the report is due.
    citation : str
        Source of the rule, and which figures are the platform's choice.
    params : mapping
        The rule's figures as written in the file (CNY, days, g…).
    """

    id: str
    kind: str
    due_working_days: int
    citation: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days in mainland China: weekdays minus holidays plus make-up days.

    Parameters
    ----------
    holidays : frozenset of date
        Days off that would otherwise be working days.
    make_up_days : frozenset of date
        Weekend days that are working days.
    years : frozenset of int
        Years whose holiday schedule is known.
    """

    holidays: frozenset[date]
    make_up_days: frozenset[date]
    years: frozenset[int]

    @functools.cached_property
    def _working_days(self) -> np.ndarray:
        first, last = min(self.years) - 1, max(self.years) + 30
        days = np.arange(np.datetime64(f"{first}-01-01"), np.datetime64(f"{last}-12-31"))
        weekday = np.is_busday(days)
        off = np.isin(days, np.array(sorted(self.holidays), "datetime64[D]"))
        extra = np.isin(days, np.array(sorted(self.make_up_days), "datetime64[D]"))
        return days[(weekday & ~off) | extra]

    def add_working_days(self, days: Iterable[date], n: int) -> list[date]:
        """The ``n``-th working day after each day (the day itself not counted).

        Parameters
        ----------
        days : iterable of date
            Start days.
        n : int
            Working days to count, >= 1.
        """
        start = np.array(list(days), "datetime64[D]")
        at = np.searchsorted(self._working_days, start, side="right") + n - 1
        return [d.item() for d in self._working_days[at]]

    def known(self, day: date) -> bool:
        """Whether the holidays of the year of ``day`` (and the next) are known."""
        return day.year in self.years and (day + timedelta(days=21)).year in self.years


@dataclass(frozen=True)
class RuleSet:
    """The reporting rules of one version of the rules file.

    Parameters
    ----------
    version : str
        Version of the file.
    source : mapping
        The measure the rules implement (title, document number, date in force, to whom).
    rules : mapping
        Rule id -> :class:`Rule`.
    calendar : WorkingCalendar
        Working days for deadlines.
    mass_balance : mapping
        ``relative_tolerance`` (fraction), ``absolute_tolerance_g`` (g), ``citation``.
    """

    version: str
    source: Mapping[str, Any]
    rules: Mapping[str, Rule]
    calendar: WorkingCalendar
    mass_balance: Mapping[str, Any]

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id."""
        return self.rules[rule_id]


@dataclass(frozen=True)
class Detection:
    """One report to make.

    Parameters
    ----------
    rule_id, kind : str
        Rule that fired and the kind of report (``large_cash`` or ``suspicious``).
    recycler : str or None
        Code of the recycler that reports, or None for the regulator's cross-recycler rules.
    seller : str
        Keyed hash of the seller's identity document (hex).
    period_start, period_end : date
        Business days (Beijing time) of the first and last purchase involved.
    amount_cny : float
        Total amount of the purchases involved, CNY.
    entries : tuple of int
        Ledger sequence numbers of the purchases involved, ascending.
    due_on : date
        Deadline of the report.
    due_estimated : bool
        The deadline falls in a year whose holiday schedule is not in the calendar.
    reason : str
        Why the rule fired, in words (in the language in force when it was screened).
    """

    rule_id: str
    kind: str
    recycler: str | None
    seller: str
    period_start: date
    period_end: date
    amount_cny: float
    entries: tuple[int, ...]
    due_on: date
    due_estimated: bool
    reason: str


def _dates(values: Any) -> list[date]:
    return [pd.Timestamp(v).date() if not isinstance(v, date) else v for v in values]


@functools.lru_cache(maxsize=1)
def load_rules() -> RuleSet:
    """Read and check the rules file and the working calendar (cached per process).

    Raises
    ------
    ValidationError
        When a rule lacks its citation, kind or deadline.
    """
    folder = resources.files("aurum.recycling") / "data"
    doc = yaml.safe_load((folder / RULES_FILE).read_text(encoding="utf-8"))
    cal = yaml.safe_load((folder / CALENDAR_FILE).read_text(encoding="utf-8"))
    problems = []
    rules = {}
    for raw in doc["rules"]:
        missing = [k for k in ("id", "kind", "due_working_days", "citation") if not raw.get(k)]
        if missing or raw.get("kind") not in (LARGE_CASH, SUSPICIOUS):
            problems.append(Problem(_("rule %(rule)s needs id, kind (large_cash or "
                                      "suspicious), due_working_days and citation",
                                      rule=repr(raw.get("id"))), source=RULES_FILE))
            continue
        params = {k: v for k, v in raw.items()
                  if k not in ("id", "kind", "due_working_days", "citation")}
        rules[raw["id"]] = Rule(raw["id"], raw["kind"], int(raw["due_working_days"]),
                                " ".join(raw["citation"].split()), params)
    if problems:
        raise ValidationError(problems)
    holidays = {first + timedelta(days=i) for first, last in cal["holidays"]
                for i in range((last - first).days + 1)}
    calendar = WorkingCalendar(frozenset(holidays), frozenset(cal["make_up_working_days"]),
                               frozenset(int(y) for y in cal["sources"]))
    return RuleSet(str(doc["version"]), doc["source"], rules, calendar, doc["mass_balance"])


# ---------------------------------------------------------------------------------------
# Windowed group operations on (group, day) sorted arrays


def _sorted_view(frame: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, np.ndarray,
                                                                  np.ndarray]:
    """Rows sorted by keys then day; group codes and combined (group, day) keys."""
    ordered = frame.sort_values([*keys, "day", "seq"], kind="stable").reset_index(drop=True)
    codes = ordered.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(np.int64)
    return ordered, codes, codes * _GROUP_STRIDE + ordered["day"].to_numpy(np.int64)


def _window_start(combined: np.ndarray, window_days: int) -> np.ndarray:
    """Index of the first row of the same group within ``window_days`` days before each
    row (the row's own day included)."""
    return np.searchsorted(combined, combined - (window_days - 1), side="left")


def _members(flagged: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Rows inside the window of at least one flagged row."""
    cover = np.zeros(len(flagged) + 1, np.int64)
    rows = np.flatnonzero(flagged)
    np.add.at(cover, start[rows], 1)
    np.add.at(cover, rows + 1, -1)
    return np.cumsum(cover)[:-1] > 0


def _episodes(member: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Episode number of each member row (runs of members of one group), -1 elsewhere."""
    first = member & (np.r_[True, ~member[:-1]] | np.r_[True, codes[1:] != codes[:-1]])
    return np.where(member, np.cumsum(first) - 1, -1)


# ---------------------------------------------------------------------------------------
# The rules


def _cny(amount: float) -> str:
    """An amount of yuan to the fen, grouped, in the current language."""
    return format_number(float(amount), 2)


def _cash(purchases: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    return purchases[purchases["payment_method"].isin(rule.params["payment_methods"])]


def _fen(amounts: pd.Series) -> np.ndarray:
    return np.rint(amounts.to_numpy(float) * 100).astype(np.int64)


def _large_cash(p: pd.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    cash = _cash(p, rule).assign(fen=lambda f: _fen(f["amount_cny"]))
    totals = cash.groupby(["recycler", "seller", "business_date"])["fen"].transform("sum")
    hits = cash[totals >= rule.params["threshold_cny"] * 100]
    return [{"recycler": r, "seller": s, "rows": g,
             "reason": _("cash of %(amount)s CNY on %(day)s in %(purchases)s purchase(s) at "
                         "%(shops)s shop(s)", amount=_cny(g["amount_cny"].sum()), day=d,
                         purchases=len(g), shops=g["shop"].nunique())}
            for (r, s, d), g in hits.groupby(["recycler", "seller", "business_date"])]


def _structuring(p: pd.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    threshold_fen = rule.params["threshold_cny"] * 100
    cash = _cash(p, rule)
    fen = _fen(cash["amount_cny"])
    near = cash[(fen >= rule.params["near_threshold_fraction"] * threshold_fen)
                & (fen < threshold_fen)]
    ordered, codes, combined = _sorted_view(near, ["recycler", "seller"])
    start = _window_start(combined, rule.params["window_days"])
    flagged = np.arange(len(ordered)) - start + 1 >= rule.params["min_count"]
    episode = _episodes(_members(flagged, start), codes)
    out = []
    for _episode, g in ordered[episode >= 0].groupby(episode[episode >= 0]):
        out.append({"recycler": g["recycler"].iat[0], "seller": g["seller"].iat[0],
                    "rows": g,
                    "reason": _("%(purchases)s cash purchases between %(low)s and %(high)s "
                                "CNY, just below the %(line)s CNY line, at %(shops)s shop(s) "
                                "over %(days)s day(s)", purchases=len(g),
                                low=_cny(g["amount_cny"].min()),
                                high=_cny(g["amount_cny"].max()),
                                line=format_number(rule.params["threshold_cny"], 0),
                                shops=g["shop"].nunique(),
                                days=g["business_date"].nunique())})
    return out


def _split_across_recyclers(p: pd.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    threshold_fen = rule.params["threshold_cny"] * 100
    cash = _cash(p, rule).assign(fen=lambda f: _fen(f["amount_cny"]))
    keys = ["seller", "business_date"]
    day_total = cash.groupby(keys)["fen"].transform("sum")
    own_total = cash.groupby([*keys, "recycler"])["fen"].transform("sum")
    own_max = own_total.groupby([cash["seller"], cash["business_date"]]).transform("max")
    hits = cash[(day_total >= threshold_fen) & (own_max < threshold_fen)]
    return [{"recycler": None, "seller": s, "rows": g,
             "reason": _("cash of %(amount)s CNY on %(day)s split across %(recyclers)s "
                         "recyclers, each below the line", amount=_cny(g["amount_cny"].sum()),
                         day=d, recyclers=g["recycler"].nunique())}
            for (s, d), g in hits.groupby(keys)]


def _many_recyclers(p: pd.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    window, least = rule.params["window_days"], rule.params["min_recyclers"]
    visits = p.drop_duplicates(["seller", "recycler", "day"])
    ordered, codes, combined = _sorted_view(visits, ["seller", "recycler"])
    if ordered.empty:
        return []
    # A visit on day d covers [d, d + window - 1]; a pair's overlapping covers are merged, so
    # the number of pair intervals covering a day is the number of distinct recyclers the
    # seller visited in the window ending that day.
    new = np.r_[True, (codes[1:] != codes[:-1]) | (np.diff(combined) > window)]
    interval = np.cumsum(new) - 1
    seller_code = pd.factorize(ordered["seller"])[0].astype(np.int64)
    base = seller_code * _GROUP_STRIDE
    starts = np.sort((base + ordered["day"].to_numpy(np.int64))[new])
    ends = np.sort(pd.Series(base + ordered["day"].to_numpy(np.int64) + window - 1)
                   .groupby(interval).max().to_numpy())
    at = base + ordered["day"].to_numpy(np.int64)
    covering = (np.searchsorted(starts, at, side="right")
                - np.searchsorted(ends, at, side="left"))
    flagged = ordered[covering >= least]
    out = []
    sellers = p.groupby("seller")
    for seller, f in flagged.groupby("seller"):
        days = np.sort(f["day"].unique())
        cut = np.flatnonzero(np.diff(days) > window) + 1
        for span in np.split(days, cut):
            own = sellers.get_group(seller)
            rows = own[(own["day"] > span[0] - window) & (own["day"] <= span[-1])]
            out.append({"recycler": None, "seller": seller, "rows": rows,
                        "reason": _("sold to %(recyclers)s recyclers within %(days)s days",
                                    recyclers=rows["recycler"].nunique(), days=window)})
    return out


def _origin_volume(p: pd.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    window = rule.params["window_days"]
    caps = pd.Series(rule.params["max_fine_gold_g"], dtype=float)
    allowed = rule.params["allowed_items"]
    ordered, codes, combined = _sorted_view(p, ["recycler", "seller", "origin"])
    start = _window_start(combined, window)
    running = np.r_[0.0, np.cumsum(ordered["fine_gold_g"].to_numpy(float))]
    ordered["window_fine_g"] = running[1:] - running[start]
    cap = ordered["origin"].map(caps).fillna(np.inf).to_numpy(float)
    over = ordered["window_fine_g"].to_numpy(float) > cap + 1e-9
    pairs = pd.MultiIndex.from_tuples([(o, i) for o, items in allowed.items() for i in items])
    odd = (ordered["origin"].isin(list(allowed)).to_numpy(bool)
           & ~pd.MultiIndex.from_frame(ordered[["origin", "item_type"]]).isin(pairs))
    # An odd item is a finding on its own; a cap is exceeded by the whole window.
    member = _members(over | odd, np.where(over, start, np.arange(len(ordered))))
    episode = _episodes(member, codes)
    out = []
    for _episode, g in ordered[episode >= 0].groupby(episode[episode >= 0]):
        origin = str(g["origin"].iat[0])
        parts = []
        if np.isfinite(caps.get(origin, np.inf)) and (g["window_fine_g"] > caps[origin]).any():
            parts.append(_("%(grams)s g of fine gold stated as %(origin)s within %(days)s "
                           "days, above the %(cap)s g cap",
                           grams=format_number(g["window_fine_g"].max(), 3), origin=origin,
                           days=window, cap=format_number(caps[origin], 0)))
        unexplained = sorted(set(g["item_type"]) - set(allowed.get(origin, g["item_type"])))
        if unexplained:
            parts.append(_("%(items)s not explained by the stated origin (%(origin)s)",
                           items=", ".join(unexplained), origin=origin))
        out.append({"recycler": g["recycler"].iat[0], "seller": g["seller"].iat[0],
                    "rows": g, "reason": _("; ").join(parts)})
    return out


def _watch_list(p: pd.DataFrame, rule: Rule, watched: frozenset[str]) -> list[dict[str, Any]]:
    hits = p[p["seller"].isin(watched)]
    return [{"recycler": r, "seller": s, "rows": g,
             "reason": _("%(purchases)s purchase(s) from a seller on the watch list on "
                         "%(day)s", purchases=len(g), day=d)}
            for (r, s, d), g in hits.groupby(["recycler", "seller", "business_date"])]


def detect(purchases: pd.DataFrame, rules: RuleSet | None = None,
           watched: Iterable[str] = ()) -> list[Detection]:
    """Screen purchases with every rule.

    Parameters
    ----------
    purchases : pandas.DataFrame
        The purchases in force (corrections applied): ``seq`` (ledger sequence number),
        ``recycler`` and ``shop`` (codes), ``seller`` (keyed hash), ``business_date``
        (date), ``amount_cny`` (CNY), ``payment_method``, ``fine_gold_g`` (g), ``origin``
        and ``item_type``.
    rules : RuleSet, optional
        Default :func:`load_rules`.
    watched : iterable of str
        Keyed hashes of the sellers on the watch list.

    Returns
    -------
    list of Detection
        Sorted by rule, deadline and first entry.
    """
    rules = rules or load_rules()
    if purchases.empty:
        return []
    p = purchases.copy()
    p["day"] = (pd.to_datetime(p["business_date"]).to_numpy("datetime64[D]") - _DAY0).astype(
        np.int64)
    found = []
    for rule in rules.rules.values():
        if rule.id == "watch_list":
            hits = _watch_list(p, rule, frozenset(watched))
        else:
            hits = _RULES[rule.id](p, rule)
        for hit in hits:
            rows = hit["rows"]
            dates = _dates(rows["business_date"])
            last = max(dates)
            due = rules.calendar.add_working_days([last], rule.due_working_days)[0]
            found.append(Detection(
                rule.id, rule.kind, hit["recycler"], hit["seller"], min(dates), last,
                round(float(rows["amount_cny"].sum()), 2),
                tuple(sorted(int(s) for s in rows["seq"])), due,
                not rules.calendar.known(last), hit["reason"]))
    return sorted(found, key=lambda d: (d.rule_id, d.due_on, d.entries))


_RULES = {"large_cash": _large_cash, "structuring": _structuring,
          "split_across_recyclers": _split_across_recyclers,
          "many_recyclers": _many_recyclers, "origin_volume": _origin_volume}
