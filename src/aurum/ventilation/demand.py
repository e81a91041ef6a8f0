"""Ventilation on demand: the required flow of each working place recomputed from its sensors
and the machines in it, the fan speeds that meet every requirement with the least fan power,
and the alarms of under-ventilated or too-hot places.

Fan affinity laws (McPherson, *Subsurface Ventilation Engineering*, ch. 10): a fan turning at
relative speed ``n`` moves ``Q ∝ n``, develops ``p ∝ n²`` and takes ``P ∝ n³`` at similar
points of its curve, so its pressure–quantity curve becomes ``p_n(Q) = n² · p(Q / n)`` (a
polynomial ``c0 + c1 Q + c2 Q²`` becomes ``n² c0 + n c1 Q + c2 Q²``; a table's points
``(Q, p)`` move to ``(n Q, n² p)``); the efficiency stays that of the similar point.

The speeds are found by solving the network (:func:`aurum.ventilation.network.solve`) at
trial speeds:

- one fan: every branch flow grows with its speed, so the least power is at the least speed
  meeting every requirement, the root of ``min_b (|Q_b(n)| − Q_req,b)`` found by Brent's
  method (``scipy.optimize.brentq``) between the bounds;
- several fans: SLSQP (``scipy.optimize.minimize``) on the speeds within their bounds,
  minimising the total fan power subject to ``|Q_b(n)| / Q_req,b − 1 ≥ 0`` for every
  required branch, started from the highest speeds, its gradients by finite differences;
  the best feasible point evaluated is kept, and the evaluations are bounded.

A trial whose network has no solution, or where a fan runs in stall or past its free delivery
(driven by the other fans or by natural ventilation; warnings it does not have at rated speed)
is infeasible. Fan power is the shaft power ``Q p / η`` at the solved point with the fan's
efficiency held constant (the similar point's), or the air power without one.

Dilution (well-mixed place in steady state): a place with airflow ``Q`` and a measured
concentration ``c`` of a gas whose intake air carries ``c₀`` emits ``G = Q (c − c₀)``; the
flow holding it at its limit ``c_lim`` is ``Q_req = Q (c − c₀) / (c_lim − c₀)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import optimize

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.ventilation.airflow import Limits, RequiredAirflow, load_limits, required_airflow
from aurum.ventilation.climate import air_state
from aurum.ventilation.network import Fan, Network, Solution, solve

__all__ = ["Alarm", "DemandResult", "Machine", "Place", "PlaceReading", "PlaceRequirement",
           "alarms", "dilution_flow", "fan_speeds_for", "required_flows", "scaled_fan",
           "scaled_network"]

CO_LIMIT_PPM = 24.0
"""Highest CO concentration in a working place's air, ppm (0.0024 per cent by volume, the
figure of China's mine safety rules, 煤矿安全规程 art. 135, which metal mines apply through
GB 16423-2020's reference to the occupational exposure limits; not checked here against the
printed text)."""
NO2_LIMIT_PPM = 2.5
"""Highest NO2 concentration, ppm (0.00025 per cent by volume, same source and caveat)."""
STANDARD_PRESSURE_PA = 101_325.0
"""Barometric pressure assumed for a reading that gives none, Pa."""

SPEEDS = Interval(0.05, 3.0)
FLOWS = Interval(0.0, 1e4, "m3/s")
PPM = Interval(0.0, 1e6, "ppm")
POSITIVE = Interval(0.0, None)
EVALUATIONS = Interval(5, 10_000)
_FEASIBLE_M3S = 1e-6
"""Shortfall (m³/s) below which a requirement counts as met: the solver's own precision."""


def scaled_fan(fan: Fan, speed: float) -> Fan:
    """The fan's curve at relative speed ``speed`` by the affinity laws: ``n² p(Q / n)``.

    Parameters
    ----------
    fan : Fan
        The curve at speed 1.
    speed : float
        Relative speed n (1: the rated speed).

    Returns
    -------
    Fan
    """
    SPEEDS.check("speed", speed)
    if fan.coefficients:
        c0, c1, c2 = fan.coefficients
        return replace(fan, coefficients=(speed * speed * c0, speed * c1, c2))
    return replace(fan, table=tuple((speed * q, speed * speed * p) for q, p in fan.table))


def scaled_network(network: Network, speeds: Mapping[str, float]) -> Network:
    """The network with the named fan branches at their relative speeds.

    Parameters
    ----------
    network : Network
        The network at rated speeds.
    speeds : mapping of str to float
        Relative speed by fan branch name; fans not named keep speed 1.

    Returns
    -------
    Network
    """
    fans = {b.name for b in network.branches if b.fan is not None}
    unknown = sorted(set(speeds) - fans)
    if unknown:
        raise ValidationError([Problem(_("no fan in this branch"), column=name)
                               for name in unknown])
    branches = tuple(replace(b, fan=scaled_fan(b.fan, speeds[b.name]))
                     if b.fan is not None and b.name in speeds else b
                     for b in network.branches)
    return replace(network, branches=branches)


def _off_curve(solution: Solution) -> set[tuple[str, str]]:
    """The fans' operating points in stall or beyond their curves, as (fan, warning)."""
    return {(fan, w) for fan, found in solution.fan_warnings.items() for w in found}


def _power_kw(solution: Solution) -> dict[str, float]:
    """Per fan: shaft power, or air power for a fan without an efficiency, kW."""
    return {name: shaft if shaft is not None else air
            for name, (air, shaft) in solution.fan_power_kw().items()}


@dataclass(frozen=True)
class DemandResult:
    """Fan speeds meeting the requirements with the least power, and the energy saved.

    Attributes
    ----------
    speeds : dict of str to float
        Relative speed per fan branch.
    flows : dict of str to float
        Solved flow per branch at those speeds, m³/s.
    required : dict of str to float
        The requirement per branch, m³/s.
    power_kw, fixed_power_kw : dict of str to float
        Per fan: power at those speeds and at speed 1 (shaft, or air without an efficiency), kW.
    period_hours : float
        The period the energy is reckoned over, h.
    saved_kwh, saved_cny : float
        Energy and cost saved over the period against fixed operation at speed 1.
    feasible : bool
        Whether every requirement is met (False: the highest speeds fall short; they are given).
    method : str
        ``"brentq"`` (one fan), ``"slsqp"`` (several) or ``"none"`` (nothing required: the
        lowest speeds).
    evaluations : int
        Network solves made.
    """

    speeds: dict[str, float]
    flows: dict[str, float]
    required: dict[str, float]
    power_kw: dict[str, float]
    fixed_power_kw: dict[str, float]
    period_hours: float
    saved_kwh: float
    saved_cny: float
    feasible: bool
    method: str
    evaluations: int

    @property
    def total_power_kw(self) -> float:
        return float(sum(self.power_kw.values()))

    @property
    def fixed_total_power_kw(self) -> float:
        return float(sum(self.fixed_power_kw.values()))

    @property
    def shortfalls(self) -> dict[str, float]:
        """Per required branch: flow missing, m³/s (0 when met)."""
        return {b: max(0.0, q - abs(self.flows[b])) for b, q in self.required.items()}


@dataclass
class _Trials:
    """Network solves at trial speeds, kept by speed vector (SLSQP asks for each point twice)."""

    network: Network
    fans: list[str]
    required: dict[str, float]
    rated: Solution
    seen: dict[tuple[float, ...], Solution | None] = field(default_factory=dict)

    def solution(self, x: np.ndarray) -> Solution | None:
        key = tuple(float(v) for v in x)
        if key not in self.seen:
            try:
                found: Solution | None = solve(scaled_network(self.network, dict(
                    zip(self.fans, key, strict=True))))
            except ValidationError:
                # A speed at which a fan never meets the system (or a regulator would have
                # to push air) is not a candidate; the search treats it as infeasible.
                found = None
            if found is not None and _off_curve(found) - _off_curve(self.rated):
                # Slowed down, a fan may be driven past its free delivery by the others or
                # by natural ventilation (its "power" Q·p turns negative) or into stall:
                # not an operating point, however little power it seems to take.
                found = None
            self.seen[key] = found
        return self.seen[key]

    def margins(self, x: np.ndarray) -> np.ndarray:
        """Per required branch: ``|Q| / Q_req − 1`` (−1 where the network has no solution)."""
        s = self.solution(x)
        if s is None:
            return -np.ones(len(self.required))
        return np.array([abs(s.flows[b]) / q - 1.0 for b, q in self.required.items()])

    def shortfall(self, x: np.ndarray) -> float:
        """Least ``|Q| − Q_req`` over the required branches, m³/s."""
        s = self.solution(x)
        if s is None:
            return -math.inf
        return min(abs(s.flows[b]) - q for b, q in self.required.items())

    def best(self) -> tuple[tuple[float, ...], Solution] | None:
        """The evaluated point of least power meeting every requirement."""
        ok = [(k, s) for k, s in self.seen.items() if s is not None and min(
            abs(s.flows[b]) - q for b, q in self.required.items()) >= -_FEASIBLE_M3S]
        return min(ok, key=lambda ks: sum(_power_kw(ks[1]).values()), default=None)


def fan_speeds_for(network: Network, required: Mapping[str, float],
                   speed_bounds: tuple[float, float] = (0.5, 1.2), *,
                   period_hours: float = 24.0, price_cny_per_kwh: float = 0.7,
                   max_evaluations: int = 400) -> DemandResult:
    """The fan speeds of least total fan power meeting every required branch flow.

    Parameters
    ----------
    network : Network
        The network at rated fan speeds (speed 1).
    required : mapping of str to float
        Least flow per branch, m³/s (either direction).
    speed_bounds : (float, float)
        Lowest and highest relative speed of every fan (the drives' range).
    period_hours : float
        Hours the saving is reckoned over, h.
    price_cny_per_kwh : float
        Electricity price, CNY/kWh.
    max_evaluations : int
        Most network solves the search may make.

    Returns
    -------
    DemandResult
        ``feasible`` False when even the highest speeds fall short (they are returned).

    Raises
    ------
    ValidationError
        A required branch not in the network, a negative requirement, bounds out of order,
        a network without fans, or one that has no solution at speed 1.
    """
    low, high = speed_bounds
    SPEEDS.check("speed_bounds", low)
    SPEEDS.check("speed_bounds", high)
    if low > high:
        raise ValidationError(Problem(_("expected the lowest speed first, got %(low)s > "
                                        "%(high)s", low=low, high=high), column="speed_bounds"))
    POSITIVE.check("period_hours", period_hours)
    POSITIVE.check("price_cny_per_kwh", price_cny_per_kwh)
    EVALUATIONS.check("max_evaluations", max_evaluations)
    names = {b.name for b in network.branches}
    problems = [Problem(_("no such branch in the network"), column=b)
                for b in required if b not in names]
    if problems:
        raise ValidationError(problems)
    for b, q in required.items():
        FLOWS.check(b, q)
    fans = [b.name for b in network.branches if b.fan is not None]
    if not fans:
        raise ValidationError(Problem(_("the network has no fan whose speed could be set")))
    fixed = solve(network)
    fixed_power = _power_kw(fixed)
    need = {b: float(q) for b, q in required.items() if q > 0}
    trials = _Trials(network, fans, need, fixed)
    top = np.full(len(fans), high)
    method = "none" if not need else ("brentq" if len(fans) == 1 else "slsqp")
    feasible = trials.shortfall(top) >= -_FEASIBLE_M3S if need else True
    if not need:
        x = np.full(len(fans), low)
    elif not feasible:
        x = top
    elif len(fans) == 1:
        x = _one_fan(trials, low, high, max_evaluations)
    else:
        x = _several_fans(trials, low, high, max_evaluations)
    solution = trials.solution(x)
    if solution is None:  # the least speeds, with nothing required, may not run the network
        x = top
        solution = trials.solution(x)
    if solution is None:
        raise ValidationError(Problem(_("no operating point at the highest fan speeds")))
    power = _power_kw(solution)
    saved_kw = sum(fixed_power.values()) - sum(power.values())
    return DemandResult(
        speeds=dict(zip(fans, (float(v) for v in x), strict=True)),
        flows=dict(solution.flows), required={b: float(q) for b, q in required.items()},
        power_kw=power, fixed_power_kw=fixed_power, period_hours=period_hours,
        saved_kwh=saved_kw * period_hours, saved_cny=saved_kw * period_hours * price_cny_per_kwh,
        feasible=feasible, method=method, evaluations=len(trials.seen) + 1)


def _one_fan(trials: _Trials, low: float, high: float, limit: int) -> np.ndarray:
    """The least speed meeting every requirement (flows grow with the one fan's speed)."""
    def excess(n: float) -> float:
        value = trials.shortfall(np.array([n]))
        return value if math.isfinite(value) else -1e9

    if excess(low) >= 0:
        return np.array([low])
    root = optimize.brentq(excess, low, high, xtol=1e-12, rtol=4 * np.finfo(float).eps,
                           maxiter=max(1, limit - 3))
    # Brent's root may sit a rounding error short: step up until the requirement holds.
    n = float(root)
    while excess(n) < -_FEASIBLE_M3S and n < high:
        n = min(high, n + 1e-9 * max(1.0, n))
    return np.array([n])


def _several_fans(trials: _Trials, low: float, high: float, limit: int) -> np.ndarray:
    """SLSQP on the speeds; the best feasible point evaluated."""
    k = len(trials.fans)
    fixed_power = _power_kw(trials.solution(np.full(k, high)) or solve(trials.network))
    scale = max(1e-9, float(sum(fixed_power.values())))

    def power(x: np.ndarray) -> float:
        s = trials.solution(x)
        # No solution: a penalty, twice the power at the highest speeds, steers away from it.
        return 2.0 if s is None else float(sum(_power_kw(s).values())) / scale

    # Each SLSQP iteration makes about k + 1 solves for its finite-difference gradients and a
    # few for its line search: the iterations are bounded so the solves stay within ``limit``.
    optimize.minimize(power, np.full(k, high), method="SLSQP", bounds=[(low, high)] * k,
                      constraints=[{"type": "ineq", "fun": trials.margins}],
                      options={"maxiter": max(1, limit // (2 * (k + 1))), "ftol": 1e-9,
                               "eps": 1e-6})
    best = trials.best()
    return np.array(best[0]) if best is not None else np.full(k, high)


@dataclass(frozen=True)
class Place:
    """A working place: the branch that ventilates it, its cross-section and kind.

    Parameters
    ----------
    branch : str
        Network branch whose flow is the place's, m³/s.
    area_m2 : float
        Cross-section, m².
    kind : str
        Kind of place for the velocity rules (:func:`aurum.ventilation.airflow.required_airflow`).
    """

    branch: str
    area_m2: float
    kind: str = "drift"


@dataclass(frozen=True)
class PlaceReading:
    """The latest sensor readings of a working place.

    Parameters
    ----------
    flow_m3s : float
        Measured airflow, m³/s.
    people : int
        People present.
    co_ppm, no2_ppm : float or None
        Measured gas concentrations, ppm by volume.
    dry_bulb_c : float or None
        Dry-bulb temperature, °C.
    wet_bulb_c : float or None
        Wet-bulb temperature, °C (or give ``rel_humidity``).
    rel_humidity : float or None
        Relative humidity, 0–1.
    pressure_pa : float
        Barometric pressure, Pa.
    """

    flow_m3s: float
    people: int = 0
    co_ppm: float | None = None
    no2_ppm: float | None = None
    dry_bulb_c: float | None = None
    wet_bulb_c: float | None = None
    rel_humidity: float | None = None
    pressure_pa: float = STANDARD_PRESSURE_PA

    def wet_bulb(self) -> float | None:
        """Wet bulb, °C: measured, or from the dry bulb and humidity (PsychroLib)."""
        if self.wet_bulb_c is not None or self.dry_bulb_c is None or self.rel_humidity is None:
            return self.wet_bulb_c
        return air_state(self.dry_bulb_c, pressure_pa=self.pressure_pa,
                         rel_humidity=self.rel_humidity).wet_bulb_c


@dataclass(frozen=True)
class Machine:
    """A diesel machine and the working place it is in now (from its position)."""

    name: str
    place: str
    diesel_kw: float


def dilution_flow(flow_m3s: float, measured_ppm: float, limit_ppm: float,
                  intake_ppm: float = 0.0) -> float:
    """The flow that holds a well-mixed place at a gas limit: ``Q (c − c₀) / (c_lim − c₀)``.

    Parameters
    ----------
    flow_m3s : float
        Present airflow, m³/s.
    measured_ppm : float
        Concentration measured at that flow, ppm.
    limit_ppm : float
        Highest concentration allowed, ppm.
    intake_ppm : float
        Concentration of the air coming in, ppm (below the limit).

    Returns
    -------
    float
        Required flow, m³/s (0 when the measurement is at or below the intake's).
    """
    FLOWS.check("flow_m3s", flow_m3s)
    PPM.check("measured_ppm", measured_ppm)
    PPM.check("limit_ppm", limit_ppm)
    Interval(0.0, limit_ppm, "ppm").check("intake_ppm", intake_ppm)
    if intake_ppm >= limit_ppm:
        raise ValidationError(Problem(_("expected intake air below the limit"),
                                      column="intake_ppm"))
    return flow_m3s * max(0.0, measured_ppm - intake_ppm) / (limit_ppm - intake_ppm)


@dataclass(frozen=True)
class PlaceRequirement:
    """A working place's required flow (m³/s) by each rule and the one that governs."""

    place: str
    branch: str
    regulation: RequiredAirflow
    co_m3s: float
    no2_m3s: float
    required_m3s: float
    governing: str


def required_flows(readings: Mapping[str, PlaceReading], places: Mapping[str, Place],
                   machines: Sequence[Machine] = (), *, limits: Limits | None = None,
                   co_limit_ppm: float = CO_LIMIT_PPM, no2_limit_ppm: float = NO2_LIMIT_PPM
                   ) -> dict[str, PlaceRequirement]:
    """Each working place's required flow from its readings and the machines in it now.

    The largest of the regulation's rules (people, diesel kW present, least velocity:
    :func:`aurum.ventilation.airflow.required_airflow`) and the dilution of CO and NO2
    (:func:`dilution_flow`, intake air clean).

    Parameters
    ----------
    readings : mapping of str to PlaceReading
        Latest readings by place.
    places : mapping of str to Place
        The working places; a place without readings is left out.
    machines : sequence of Machine
        Diesel machines and the place each is in.
    limits : Limits, optional
        The regulation's figures (GB 16423-2020's by default).
    co_limit_ppm, no2_limit_ppm : float
        Gas limits, ppm.

    Returns
    -------
    dict of str to PlaceRequirement
    """
    unknown = sorted({m.place for m in machines} - set(places))
    unknown += sorted(set(readings) - set(places))
    if unknown:
        raise ValidationError([Problem(_("no such working place"), column=p) for p in unknown])
    diesel: dict[str, float] = {}
    for m in machines:
        diesel[m.place] = diesel.get(m.place, 0.0) + m.diesel_kw
    out = {}
    for name, place in places.items():
        if name not in readings:
            continue
        r = readings[name]
        rule = required_airflow(r.people, diesel.get(name, 0.0), place.area_m2,
                                place=place.kind, limits=limits)
        flow = abs(r.flow_m3s)
        by = {"regulation": rule.required_m3s,
              "co": dilution_flow(flow, r.co_ppm, co_limit_ppm) if r.co_ppm is not None else 0.0,
              "no2": (dilution_flow(flow, r.no2_ppm, no2_limit_ppm)
                      if r.no2_ppm is not None else 0.0)}
        governing = max(by, key=lambda k: by[k])
        out[name] = PlaceRequirement(name, place.branch, rule, by["co"], by["no2"], by[governing],
                                     rule.governing if governing == "regulation" else governing)
    return out


@dataclass(frozen=True)
class Alarm:
    """A working place out of bounds: ``kind`` is ``under_ventilated``, ``too_hot_dry_bulb``
    or ``too_hot_wet_bulb``; ``value`` and ``limit`` in m³/s or °C."""

    place: str
    kind: str
    value: float
    limit: float


def alarms(requirements: Mapping[str, PlaceRequirement], flows: Mapping[str, float],
           readings: Mapping[str, PlaceReading], *, limits: Limits | None = None,
           max_wet_bulb_c: float | None = None) -> list[Alarm]:
    """Under-ventilated places (solved flow below the requirement) and too-hot places.

    Parameters
    ----------
    requirements : mapping of str to PlaceRequirement
        Required flow per place (:func:`required_flows`).
    flows : mapping of str to float
        Solved flow per branch, m³/s (either direction).
    readings : mapping of str to PlaceReading
        Latest readings per place (temperatures).
    limits : Limits, optional
        The regulation's dry-bulb limit (GB 16423-2020's by default).
    max_wet_bulb_c : float, optional
        A wet-bulb limit, °C; GB 16423-2020 sets none, so none is checked by default.

    Returns
    -------
    list of Alarm
        By place in the order of ``requirements``, then of ``readings``.
    """
    limits = limits or load_limits()
    out = []
    for name, need in requirements.items():
        if need.branch not in flows:
            raise ValidationError(Problem(_("no solved flow for the working place's branch"),
                                          column=need.branch))
        flow = abs(float(flows[need.branch]))
        if flow < need.required_m3s - _FEASIBLE_M3S:
            out.append(Alarm(name, "under_ventilated", flow, need.required_m3s))
    for name, r in readings.items():
        if r.dry_bulb_c is not None and r.dry_bulb_c > limits.max_dry_bulb_c:
            out.append(Alarm(name, "too_hot_dry_bulb", r.dry_bulb_c, limits.max_dry_bulb_c))
        wet = r.wet_bulb() if max_wet_bulb_c is not None else None
        if wet is not None and max_wet_bulb_c is not None and wet > max_wet_bulb_c:
            out.append(Alarm(name, "too_hot_wet_bulb", wet, max_wet_bulb_c))
    return out

