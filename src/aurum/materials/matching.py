"""Supply–demand matching (供需对接): a buyer's need against the shelf products of its
material kind.

**The rule.** A need gives, per property (purity, particle size, resistivity, bonding pull
strength…), the range the buyer accepts: a minimum, a maximum or both, in the property's unit.
A product *qualifies* for the need when, for every property of the need,

1. the product's specification gives the property in the same unit;
2. the product's specification range (what the maker guarantees) lies inside the need's range:
   ``need.minimum <= product.minimum`` and ``product.maximum <= need.maximum`` for each limit
   the need gives (equality qualifies; an open side of the product's range fails a limit the
   need gives on that side);
3. the property's process capability Cpk from the product's batches (against the product's own
   limits, so also against the need's, which are wider or equal) is at least the threshold
   (:data:`CPK_THRESHOLD` = 1.33 by default, a parameter).

A product that meets 1 and 2 but has too few batches for a Cpk of some property (and no Cpk
below the threshold) is *unproven*: shown apart, never ranked among the qualified. Every other
product is *rejected*, with the property and the reason.

**The score** of a qualified product, from 0 to 1, is the weighted sum (weights
:data:`WEIGHTS`, a parameter, normalised to sum 1) of four parts, each from 0 to 1:

- *specification margin* M: per property, the smallest distance from the product's range to
  a limit the need gives, divided by half the need's width when it gives both limits, or by
  the magnitude of its one limit (1 when that limit is 0) when it gives one; clipped to
  [0, 1]; M is the smallest over the need's properties (the tightest governs). A product of
  zero width at the centre of a two-sided need has M = 1; one touching a limit has M = 0.
- *capability* C = min(1, Cpk / :data:`CPK_FULL`) of the smallest Cpk of the need's
  properties: a six-sigma process (Cpk 2) scores 1.
- *evaluation record* E = (passes + conditional/2 + 1/2) / (evaluations + 1), the rule of
  succession with a conditional verdict as half a pass: no evaluation scores 1/2, one pass
  3/4, one fail 1/4.
- *distance* D = 1 / (1 + km / :data:`DISTANCE_SCALE_KM`), the great-circle (haversine)
  distance (:func:`aurum.core.geodesy.great_circle_km`) from the maker to the buyer's
  location; 1/2 when either location is unknown (as at the scale's distance).

Qualified products are ranked by score, then the nearer, then the product id. The explanation
of a match is facts, not sentences (per property: the need's range, the product's range, the
margin, the Cpk and batches; the evaluation record; the distance; the score's parts), so that a
page renders them in its reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.geodesy import great_circle_km
from aurum.core.i18n import _
from aurum.materials.catalogue import MAX_PROPERTIES, make_limit

CPK_THRESHOLD = 1.33
"""Least Cpk of each property of a need for a product to qualify (a capable process)."""
CPK_THRESHOLDS = Interval(0.5, 3.0)
"""Thresholds a caller may ask for."""
CPK_FULL = 2.0
"""Cpk that scores full capability (six sigma: the limits six standard deviations away)."""
DISTANCE_SCALE_KM = 500.0
"""Distance (km) at which the distance part of the score is 1/2: a day's road haul."""
WEIGHTS: Mapping[str, float] = {"margin": 0.35, "capability": 0.30, "evaluation": 0.20,
                                "distance": 0.15}
"""Default weights of the score's parts (they sum to 1)."""
PARTS = tuple(WEIGHTS)
"""The score's parts, in the order the explanation lists them."""
STATUSES = ("qualified", "unproven", "rejected")
"""What a product is for a need (module docstring)."""
VERDICTS = ("inside", "unproven", "low_capability", "outside", "unit", "unspecified")
"""What a property of a product is for a need: inside with a Cpk at the threshold or above;
inside without a Cpk (too few batches); inside with a Cpk below the threshold; outside the
need's range; in another unit; not in the product's specification."""
QUANTITIES = Interval(1e-9, 1e9)
"""A need's quantity, in its unit."""
LATITUDES, LONGITUDES = Interval(-90, 90, "°"), Interval(-180, 180, "°")


@dataclass(frozen=True)
class NeedRange:
    """The range a buyer accepts for one property.

    Parameters
    ----------
    property : str
        The property's key (:data:`aurum.materials.catalogue.PROPERTIES`: ``purity``,
        ``wire_diameter``…).
    unit : str
        Its unit, the property's (``%``, ``µm``, ``gf``…).
    minimum, maximum : float or None
        Accepted limits in ``unit`` (inclusive); None leaves the side open.
    """

    property: str
    unit: str
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class Need:
    """What a buyer asks for.

    Parameters
    ----------
    material_kind : str
        The kind of material (the catalogue's kinds: bonding wire, solder, sinter paste…).
    ranges : tuple of NeedRange
        One per property, each property once.
    quantity : float
        How much, in ``quantity_unit``.
    quantity_unit : str
        Its unit (``kg``, ``km`` of wire, ``pieces``…).
    needed_by : date
        The day it is needed by.
    lat, lon : float or None
        Where it is needed (degrees, WGS 84); None when not given.
    """

    material_kind: str
    ranges: tuple[NeedRange, ...]
    quantity: float
    quantity_unit: str
    needed_by: date
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ProductProperty:
    """A property of a product's specification with its capability.

    Parameters
    ----------
    property, unit : str
        Key and unit as the specification gives them.
    minimum, maximum : float or None
        The specification's limits (what the maker guarantees), in ``unit``; None is open.
    cpk : float or None
        Process capability Cpk from the product's batches; None when they are too few.
    batches : int
        Batches with a value of the property (count).
    """

    property: str
    unit: str
    minimum: float | None
    maximum: float | None
    cpk: float | None
    batches: int


@dataclass(frozen=True)
class EvaluationRecord:
    """A product's application evaluations by downstream users, by verdict (counts)."""

    passes: int = 0
    conditional: int = 0
    fails: int = 0

    @property
    def total(self) -> int:
        return self.passes + self.conditional + self.fails


@dataclass(frozen=True)
class Offer:
    """A shelf product as a candidate for needs.

    Parameters
    ----------
    product_id : int
        The product's id.
    material_kind : str
        Its kind of material; products of another kind than the need's are not candidates.
    properties : tuple of ProductProperty
        Its specification with the capability of each property.
    evaluations : EvaluationRecord
        Its evaluation record.
    lat, lon : float or None
        Where the maker makes it (degrees, WGS 84); None when unknown.
    """

    product_id: int
    material_kind: str
    properties: tuple[ProductProperty, ...]
    evaluations: EvaluationRecord = EvaluationRecord()
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class PropertyFact:
    """One property of a product against a need: the facts a page explains a match with.

    ``margin`` is the property's normalised margin (module docstring), None unless the
    product's range is inside the need's; ``verdict`` one of :data:`VERDICTS`.
    """

    property: str
    unit: str
    need_minimum: float | None
    need_maximum: float | None
    product_minimum: float | None
    product_maximum: float | None
    margin: float | None
    cpk: float | None
    batches: int
    verdict: str


@dataclass(frozen=True)
class Match:
    """A product against a need.

    Parameters
    ----------
    product_id : int
        The product.
    status : str
        One of :data:`STATUSES`.
    properties : tuple of PropertyFact
        One per property of the need, in the need's order.
    evaluations : EvaluationRecord
        The product's evaluation record.
    distance_km : float or None
        Great-circle distance from the maker to the buyer, km; None when unknown.
    parts : Mapping[str, float] or None
        The score's parts (:data:`PARTS`, each 0 to 1) of a qualified product, else None.
    score : float or None
        Its score (0 to 1) when qualified, else None.
    rank : int or None
        Its place among the qualified (1 the best), else None.
    """

    product_id: int
    status: str
    properties: tuple[PropertyFact, ...]
    evaluations: EvaluationRecord
    distance_km: float | None
    parts: Mapping[str, float] | None = None
    score: float | None = None
    rank: int | None = None

    def facts(self) -> dict[str, Any]:
        """The match as JSON-ready facts (what is stored and what the API gives)."""
        out = asdict(self)
        out["parts"] = None if self.parts is None else dict(self.parts)
        return out


@dataclass(frozen=True)
class Matching:
    """A need's matching: ``qualified`` ranked (best first), ``unproven`` and ``rejected``
    by product id, with the threshold and the weights used."""

    qualified: tuple[Match, ...]
    unproven: tuple[Match, ...]
    rejected: tuple[Match, ...]
    cpk_threshold: float
    weights: Mapping[str, float]


# ---------------------------------------------------------------------------------------------
# The need's checks


def check_need(need: Need, today: date) -> None:
    """Refuse a need that cannot be matched, naming every problem.

    Parameters
    ----------
    need : Need
        The need as posted.
    today : date
        The day it is posted (Beijing): a need in the past is refused.

    Raises
    ------
    ValidationError
        No range or more than a specification's properties (:data:`MAX_PROPERTIES`); a
        property twice; a range that is not a specification's row
        (:func:`aurum.materials.catalogue.make_limit`: an unknown property, another unit, a
        limit out of the property's bounds, neither limit, or a minimum above the maximum);
        a quantity not positive; a day before ``today``; a latitude or longitude out of
        range, or only one of them.
    """
    problems: list[Problem] = []
    if not need.ranges or len(need.ranges) > MAX_PROPERTIES:
        problems.append(Problem(_("expected 1 to %(n)s property ranges, got %(got)s",
                                  n=MAX_PROPERTIES, got=len(need.ranges)), column="ranges"))
    seen: set[str] = set()
    for r in need.ranges:
        if r.property in seen:
            problems.append(Problem(_("property %(name)s given twice", name=repr(r.property)),
                                    column=r.property))
        seen.add(r.property)
        try:
            # A need's range is checked as a specification's row is: a known property in its
            # unit, numbers within its physical bounds, a limit at least, min <= max.
            make_limit(r.property, r.minimum, r.maximum, unit=r.unit)
        except ValidationError as exc:
            problems += exc.problems
    if not QUANTITIES.contains(need.quantity):
        problems.append(Problem(_("expected a quantity above 0, got %(value)s",
                                  value=need.quantity), column="quantity"))
    if need.needed_by < today:
        problems.append(Problem(_("the day needed by, %(day)s, is in the past (today is "
                                  "%(today)s)", day=need.needed_by.isoformat(),
                                  today=today.isoformat()), column="needed_by"))
    if (need.lat is None) != (need.lon is None):
        problems.append(Problem(_("expected both latitude and longitude, or neither"),
                                column="lat"))
    for name, value, bounds in (("lat", need.lat, LATITUDES), ("lon", need.lon, LONGITUDES)):
        if value is not None and not bounds.contains(value):
            problems.append(Problem(_("expected %(what)s, got %(value)s",
                                      what=bounds.describe(), value=value), column=name))
    if problems:
        raise ValidationError(problems)


# ---------------------------------------------------------------------------------------------
# Matching


def property_margin(need: NeedRange, minimum: float | None, maximum: float | None
                    ) -> float | None:
    """A product range's normalised margin inside a need's range (module docstring).

    Parameters
    ----------
    need : NeedRange
        The need's range.
    minimum, maximum : float or None
        The product's limits, in the need's unit (None: open).

    Returns
    -------
    float or None
        From 0 (touching a limit) to 1; None when the product's range is not inside.
    """
    gaps = []
    if need.minimum is not None:
        if minimum is None or minimum < need.minimum:
            return None
        gaps.append(minimum - need.minimum)
    if need.maximum is not None:
        if maximum is None or maximum > need.maximum:
            return None
        gaps.append(need.maximum - maximum)
    if need.minimum is not None and need.maximum is not None:
        scale = (need.maximum - need.minimum) / 2
    else:
        limit = need.minimum if need.minimum is not None else need.maximum
        scale = abs(limit) if limit else 1.0
    return 0.0 if scale == 0 else min(1.0, min(gaps) / scale)


def _fact(need: NeedRange, offered: ProductProperty | None, cpk_threshold: float
          ) -> PropertyFact:
    if offered is None:
        return PropertyFact(need.property, need.unit, need.minimum, need.maximum, None, None,
                            None, None, 0, "unspecified")
    margin = (property_margin(need, offered.minimum, offered.maximum)
              if offered.unit == need.unit else None)
    if offered.unit != need.unit:
        verdict = "unit"
    elif margin is None:
        verdict = "outside"
    elif offered.cpk is None:
        verdict = "unproven"
    elif offered.cpk < cpk_threshold:
        verdict = "low_capability"
    else:
        verdict = "inside"
    return PropertyFact(need.property, offered.unit, need.minimum, need.maximum,
                        offered.minimum, offered.maximum, margin, offered.cpk,
                        offered.batches, verdict)


def evaluation_part(record: EvaluationRecord) -> float:
    """The evaluation record's part of the score, 0 to 1 (module docstring)."""
    return (record.passes + record.conditional / 2 + 0.5) / (record.total + 1)


def distance_part(distance_km: float | None) -> float:
    """The distance's part of the score, 0 to 1 (module docstring); 1/2 when unknown."""
    return 0.5 if distance_km is None else 1.0 / (1.0 + distance_km / DISTANCE_SCALE_KM)


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    given = dict(WEIGHTS if weights is None else weights)
    if set(given) != set(PARTS) or any(
            not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0
            for w in given.values()) or sum(given.values()) <= 0:
        raise ValidationError(Problem(_("expected a weight of at least 0 for each of "
                                        "%(parts)s, not all 0", parts=", ".join(PARTS)),
                                      column="weights"))
    total = sum(given.values())
    return {k: given[k] / total for k in PARTS}


def match_need(need: Need, offers: Iterable[Offer], *, cpk_threshold: float = CPK_THRESHOLD,
               weights: Mapping[str, float] | None = None) -> Matching:
    """Match a need against products and rank those that qualify (module docstring).

    Parameters
    ----------
    need : Need
        The need (checked by :func:`check_need`).
    offers : iterable of Offer
        The candidate products; those of another material kind than the need's are left out.
    cpk_threshold : float
        Least Cpk of each property (:data:`CPK_THRESHOLDS`), default :data:`CPK_THRESHOLD`.
    weights : mapping, optional
        Weight of each part of :data:`PARTS` (at least 0, not all 0); default
        :data:`WEIGHTS`.

    Returns
    -------
    Matching

    Raises
    ------
    ValidationError
        A threshold or weights out of bounds.
    """
    CPK_THRESHOLDS.check("cpk_threshold", cpk_threshold)
    shares = _weights(weights)
    qualified: list[Match] = []
    unproven: list[Match] = []
    rejected: list[Match] = []
    for offer in sorted(offers, key=lambda o: o.product_id):
        if offer.material_kind != need.material_kind:
            continue
        by_key = {p.property: p for p in offer.properties}
        facts = tuple(_fact(r, by_key.get(r.property), cpk_threshold) for r in need.ranges)
        km = (great_circle_km(need.lat, need.lon, offer.lat, offer.lon)
              if need.lat is not None and need.lon is not None and offer.lat is not None
              and offer.lon is not None else None)
        verdicts = {f.verdict for f in facts}
        if verdicts <= {"inside"}:
            parts = {"margin": min(f.margin for f in facts if f.margin is not None),
                     "capability": min(1.0, min(f.cpk for f in facts if f.cpk is not None)
                                       / CPK_FULL),
                     "evaluation": evaluation_part(offer.evaluations),
                     "distance": distance_part(km)}
            score = sum(shares[k] * parts[k] for k in PARTS)
            qualified.append(Match(offer.product_id, "qualified", facts, offer.evaluations, km,
                                   parts, score))
        elif verdicts <= {"inside", "unproven"}:
            unproven.append(Match(offer.product_id, "unproven", facts, offer.evaluations, km))
        else:
            rejected.append(Match(offer.product_id, "rejected", facts, offer.evaluations, km))
    qualified.sort(key=lambda m: (-(m.score or 0.0), math.inf if m.distance_km is None
                                  else m.distance_km, m.product_id))
    ranked = tuple(Match(m.product_id, m.status, m.properties, m.evaluations, m.distance_km,
                         m.parts, m.score, rank) for rank, m in enumerate(qualified, start=1))
    return Matching(ranked, tuple(unproven), tuple(rejected), cpk_threshold, shares)

