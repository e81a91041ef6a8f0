"""Climate at depth: psychrometrics, autocompression, heat from the rock, machines and people,
the dry- and wet-bulb temperatures along an airway and the cooling needed to meet the limit.

Psychrometrics are PsychroLib's (ASHRAE Handbook - Fundamentals 2017, ch. 1; SI units),
evaluated at the barometric pressure of the depth. Enthalpies are per kilogram of dry air.

Autocompression follows McPherson, *Subsurface Ventilation Engineering* (2009), ch. 15: air
falling a height Δz without heat or moisture exchange gains g·Δz of enthalpy (steady-flow
energy equation, kinetic energy neglected), its moisture content stays, and its pressure
follows the barometric relation p₂ = p₁·exp(g·Δz / (R·T_m)). Dry air therefore warms by
g·Δz/c_p (about 0.98 °C per 100 m) and the wet bulb by somewhat less, since the added
enthalpy is shared with the moisture the air could hold.

Heat from the rock: the virgin rock temperature rises from the mean surface temperature by
the geothermal gradient; the heat flowing into an airway of equivalent radius r whose wall
has been exposed for time t is

    q = k · (VRT − t_air) · G(Fo) / r,   Fo = κ·t / r²,

with G the dimensionless heat flux of an infinite cylinder whose wall exchanges heat with the
air through a film of coefficient h, Bi = h·r/k (Jaeger's exact solution, Carslaw & Jaeger,
*Conduction of Heat in Solids*, 2nd ed. 1959, §13.5; Jaeger & Clarke 1942 for Bi → ∞):

    G(Fo, Bi) = (4/π²) ∫₀^∞ exp(−Fo·u²) du /
                (u·[(u·J₁(u)/Bi + J₀(u))² + (u·Y₁(u)/Bi + Y₀(u))²]).

This is the function Starfield tabulated and Gibson's algorithm approximates (McPherson
15.2.2); it is evaluated here by quadrature instead. Without a film coefficient the wall is
taken at the air temperature (Bi → ∞), an upper bound of the heat.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psychrolib
from scipy import integrate, special

from aurum.core.checks import Interval
from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.ventilation.airflow import load_limits

psychrolib.SetUnitSystem(psychrolib.SI)

GRAVITY = 9.81
"""Gravitational acceleration, m/s²."""
CP_DRY_AIR = 1005.0
"""Specific heat of dry air at constant pressure, J/(kg·K)."""
R_DRY_AIR = 287.04
"""Gas constant of dry air, J/(kg·K)."""
LATENT_HEAT = 2.45e6
"""Latent heat of evaporation of water near 20 °C, J/kg (ASHRAE Fundamentals ch. 1)."""

JIAODONG_GRADIENT_C_PER_100M = 2.0
"""Geothermal gradient of the Jiaodong gold district, °C per 100 m: the round figure issue 21
states for Jiaodong's deep mines ("about 2 °C per 100 m", projections past 39 °C near
−1,600 m). It was not checked here against a published borehole log; a mine's own borehole
temperature logs replace it."""

DIESEL_EFFICIENCY = 0.34
"""Shaft output / fuel energy of a mine diesel at its rated point: roughly a third, as the
mine-ventilation literature states it (McPherson ch. 15, not checked against the text here);
the work itself ends as heat underground, so the heat is about three times the power."""
METABOLIC_W = 300.0
"""Metabolic heat of a person at moderate physical work, W, sensible and latent together (a
typical figure for moderate work, roughly 250 to 350 W; McPherson ch. 17 tabulates metabolic
rates by activity, not checked against the text here)."""

DEPTH_STEP = Interval(0, 5000, "m")
REL_HUMIDITY = Interval(0, 1)
PRESSURE = Interval(50_000, 200_000, "Pa")
TEMPERATURE = Interval(-40, 80, "°C")
FRACTION = Interval(0, 1)
POSITIVE = Interval(0, None)


@dataclass(frozen=True)
class AirState:
    """Moist air at a point.

    Attributes: ``dry_bulb_c``, ``wet_bulb_c``, ``dew_point_c`` (°C); ``rel_humidity``
    (0-1); ``humidity_ratio`` (kg water / kg dry air); ``pressure_pa`` (Pa);
    ``density_kgm3`` (kg of moist air per m³); ``enthalpy_jkg`` (J per kg dry air);
    ``sigma_heat_jkg`` (J per kg dry air: enthalpy less the liquid heat of the moisture at
    the wet bulb, a function of the wet bulb and pressure only).
    """

    dry_bulb_c: float
    wet_bulb_c: float
    dew_point_c: float
    rel_humidity: float
    humidity_ratio: float
    pressure_pa: float
    density_kgm3: float
    enthalpy_jkg: float
    sigma_heat_jkg: float


def air_state(dry_bulb_c: float, *, pressure_pa: float, wet_bulb_c: float | None = None,
              rel_humidity: float | None = None) -> AirState:
    """The state of moist air from its dry bulb and its wet bulb or relative humidity.

    Parameters
    ----------
    dry_bulb_c : float
        Dry-bulb temperature, °C.
    pressure_pa : float
        Barometric pressure, Pa.
    wet_bulb_c : float, optional
        Wet-bulb temperature, °C (not above the dry bulb).
    rel_humidity : float, optional
        Relative humidity, 0 to 1. Give exactly one of ``wet_bulb_c`` and ``rel_humidity``.

    Returns
    -------
    AirState
    """
    TEMPERATURE.check("dry_bulb_c", dry_bulb_c)
    PRESSURE.check("pressure_pa", pressure_pa)
    if (wet_bulb_c is None) == (rel_humidity is None):
        raise ValidationError(_("give exactly one of wet_bulb_c and rel_humidity"))
    if wet_bulb_c is not None:
        TEMPERATURE.check("wet_bulb_c", wet_bulb_c)
        if wet_bulb_c > dry_bulb_c:
            raise ValidationError(Problem(_(
                "the wet bulb %(wet)s °C is above the dry bulb %(dry)s °C: expected a wet bulb "
                "at or below the dry bulb", wet=wet_bulb_c, dry=dry_bulb_c), column="wet_bulb_c"))
        ratio = psychrolib.GetHumRatioFromTWetBulb(dry_bulb_c, wet_bulb_c, pressure_pa)
    else:
        assert rel_humidity is not None
        REL_HUMIDITY.check("rel_humidity", rel_humidity)
        ratio = psychrolib.GetHumRatioFromRelHum(dry_bulb_c, rel_humidity, pressure_pa)
    return _state(dry_bulb_c, ratio, pressure_pa)


def _state(dry_bulb_c: float, humidity_ratio: float, pressure_pa: float) -> AirState:
    """The state from dry bulb, moisture content and pressure (already checked)."""
    ratio = max(float(humidity_ratio), 1e-7)
    wet = psychrolib.GetTWetBulbFromHumRatio(dry_bulb_c, ratio, pressure_pa)
    dew = psychrolib.GetTDewPointFromHumRatio(dry_bulb_c, ratio, pressure_pa)
    rh = psychrolib.GetRelHumFromHumRatio(dry_bulb_c, ratio, pressure_pa)
    enthalpy = psychrolib.GetMoistAirEnthalpy(dry_bulb_c, ratio)
    return AirState(
        dry_bulb_c=float(dry_bulb_c), wet_bulb_c=float(wet), dew_point_c=float(dew),
        rel_humidity=float(rh), humidity_ratio=ratio, pressure_pa=float(pressure_pa),
        density_kgm3=float(psychrolib.GetMoistAirDensity(dry_bulb_c, ratio, pressure_pa)),
        enthalpy_jkg=float(enthalpy),
        sigma_heat_jkg=float(enthalpy - ratio * 4186.0 * wet))


def _state_from_enthalpy(enthalpy_jkg: float, humidity_ratio: float,
                         pressure_pa: float) -> AirState:
    """The state of air of known enthalpy and moisture; supersaturated air is brought back to
    saturation at the same enthalpy (the surplus water condenses as mist)."""
    dry = psychrolib.GetTDryBulbFromEnthalpyAndHumRatio(enthalpy_jkg, humidity_ratio)
    saturated = psychrolib.GetSatHumRatio(dry, pressure_pa)
    if humidity_ratio > saturated:
        lo, hi = dry, dry + 40.0
        for _i in range(60):   # bisection: the saturated state of this enthalpy
            mid = 0.5 * (lo + hi)
            if psychrolib.GetSatAirEnthalpy(mid, pressure_pa) > enthalpy_jkg:
                hi = mid
            else:
                lo = mid
        dry = 0.5 * (lo + hi)
        humidity_ratio = psychrolib.GetSatHumRatio(dry, pressure_pa)
    return _state(dry, humidity_ratio, pressure_pa)


def dry_autocompression_k(depth_m: float, cp_j_kgk: float = CP_DRY_AIR) -> float:
    """Rise of the dry-bulb temperature of dry air falling ``depth_m``: g·Δz / c_p.

    Parameters
    ----------
    depth_m : float
        Vertical fall, m (at least 0).
    cp_j_kgk : float
        Specific heat at constant pressure, J/(kg·K).

    Returns
    -------
    float
        Temperature rise, K (0.976 K per 100 m with the defaults).
    """
    DEPTH_STEP.check("depth_m", depth_m)
    return GRAVITY * depth_m / cp_j_kgk


def pressure_at_depth(pressure_pa: float, depth_m: float, mean_dry_bulb_c: float) -> float:
    """Barometric pressure ``depth_m`` below a point: p·exp(g·Δz / (R·T_m)).

    Parameters
    ----------
    pressure_pa : float
        Pressure at the upper point, Pa.
    depth_m : float
        Vertical fall, m (negative for a rise).
    mean_dry_bulb_c : float
        Mean dry-bulb temperature of the air column, °C.

    Returns
    -------
    float
        Pressure at the lower point, Pa.
    """
    return pressure_pa * math.exp(GRAVITY * depth_m / (R_DRY_AIR * (mean_dry_bulb_c + 273.15)))


def autocompression(top: AirState, depth_m: float) -> AirState:
    """The air at the bottom of a downcast shaft with no heat or moisture exchange.

    h₂ = h₁ + g·Δz at constant moisture content; p₂ from the barometric relation at the
    column's mean temperature (two fixed-point passes settle it to well under 1 Pa).

    Parameters
    ----------
    top : AirState
        Air entering the shaft.
    depth_m : float
        Depth of the shaft, m (at least 0).

    Returns
    -------
    AirState
        Air at the shaft bottom.
    """
    DEPTH_STEP.check("depth_m", depth_m)
    enthalpy = top.enthalpy_jkg + GRAVITY * depth_m
    bottom_dry = top.dry_bulb_c + GRAVITY * depth_m / CP_DRY_AIR
    for _i in range(3):
        pressure = pressure_at_depth(top.pressure_pa, depth_m, 0.5 * (top.dry_bulb_c + bottom_dry))
        state = _state_from_enthalpy(enthalpy, top.humidity_ratio, pressure)
        bottom_dry = state.dry_bulb_c
    return state


def virgin_rock_temperature(depth_m: float | np.ndarray, surface_c: float,
                            gradient_c_per_100m: float = JIAODONG_GRADIENT_C_PER_100M
                            ) -> float | np.ndarray:
    """Virgin rock temperature at a depth: surface mean + gradient × depth.

    Parameters
    ----------
    depth_m : float or ndarray
        Depth below surface, m.
    surface_c : float
        Mean annual surface (or constant-temperature zone) temperature, °C.
    gradient_c_per_100m : float
        Geothermal gradient, °C per 100 m (Jiaodong by default).

    Returns
    -------
    float or ndarray
        Virgin rock temperature, °C.
    """
    return surface_c + gradient_c_per_100m * depth_m / 100.0


def _integrand(u: float, fourier: float, biot: float) -> float:
    if math.isinf(biot):
        denominator = special.j0(u) ** 2 + special.y0(u) ** 2
    else:
        denominator = ((u * special.j1(u) / biot + special.j0(u)) ** 2
                       + (u * special.y1(u) / biot + special.y0(u)) ** 2)
    return math.exp(-fourier * u * u) / (u * denominator)


def _log_integrand(s: float, fourier: float, biot: float) -> float:
    u = math.exp(s)
    return u * _integrand(u, fourier, biot)


def dimensionless_heat_flux(fourier: float, biot: float | None = None) -> float:
    """The dimensionless heat flux G(Fo, Bi) into a cylindrical airway (Jaeger's solution).

    G = r·q / (k·ΔT) for a cylindrical hole of radius r in rock of conductivity k, initially
    ΔT warmer than the air, whose wall exchanges heat with the air through a film of
    coefficient h (Bi = h·r/k) from time 0 (Carslaw & Jaeger 1959, §13.5; Jaeger & Clarke
    1942 for Bi → ∞):

        G(Fo, Bi) = (4/π²) ∫₀^∞ exp(−Fo·u²) du /
                    (u·[(u·J₁(u)/Bi + J₀(u))² + (u·Y₁(u)/Bi + Y₀(u))²]).

    Parameters
    ----------
    fourier : float
        Fourier number κ·t / r², dimensionless (positive).
    biot : float, optional
        Biot number h·r / k, dimensionless; None for a wall at the air temperature (Bi → ∞).

    Returns
    -------
    float
        G, dimensionless: Bi at Fo → 0 for a finite Bi; 1/√(π·Fo) when young and
        2/(ln 4Fo − 2γ) when old for Bi → ∞.
    """
    Interval(1e-6, 1e9).check("fourier", fourier)
    bi = math.inf if biot is None else biot
    Interval(1e-3, None).check("biot", bi)
    # Near u = 0 the integrand decays only as 1/(u·ln²u): below eps it is integrated in
    # closed form with J0 = 1, Y0 = (2/π)(ln(u/2) + γ), u·J1 = 0 and u·Y1 = −2/π (errors of
    # order u²); between eps and the knot in ln u, where it is smooth; beyond the knot,
    # where exp(−Fo·u²) decays.
    knot = min(1.0, 1.0 / math.sqrt(fourier))
    eps = 1e-6 * knot
    x0 = math.log(eps / 2.0) + np.euler_gamma
    y0 = x0 - (0.0 if math.isinf(bi) else 1.0 / bi)
    tail = math.pi / 2.0 * (math.atan(2.0 * y0 / math.pi) + math.pi / 2.0)
    low, _e1 = integrate.quad(_log_integrand, math.log(eps), math.log(knot),
                              args=(fourier, bi), limit=200)
    high, _e2 = integrate.quad(_integrand, knot, math.inf, args=(fourier, bi), limit=200)
    return 4.0 / math.pi ** 2 * (tail + low + high)


def rock_heat_kw(*, virgin_rock_c: float, air_dry_bulb_c: float, length_m: float,
                 area_m2: float, perimeter_m: float, age_days: float,
                 conductivity_w_mk: float = 3.0, diffusivity_m2_s: float = 1.4e-6,
                 wall_htc_w_m2k: float | None = None) -> float:
    """Heat flowing from the rock into an airway (kW): q = k·ΔT·G(Fo, Bi)/r at its age.

    Parameters
    ----------
    virgin_rock_c : float
        Virgin rock temperature, °C.
    air_dry_bulb_c : float
        Air dry-bulb temperature, °C.
    length_m : float
        Airway length, m.
    area_m2, perimeter_m : float
        Cross-section area, m², and perimeter, m; the equivalent radius is 2·A/P.
    age_days : float
        Time since the rock surface was exposed, days.
    conductivity_w_mk : float
        Rock thermal conductivity, W/(m·K) (granite of Jiaodong about 3).
    diffusivity_m2_s : float
        Rock thermal diffusivity, m²/s.
    wall_htc_w_m2k : float, optional
        Heat-transfer coefficient between wall and air, W/(m²·K); None for a wall at the air
        temperature (an upper bound of the heat).

    Returns
    -------
    float
        Heat into the air, kW (negative when the air is warmer than the rock).
    """
    for name, value in (("length_m", length_m), ("area_m2", area_m2),
                        ("perimeter_m", perimeter_m), ("age_days", age_days),
                        ("conductivity_w_mk", conductivity_w_mk),
                        ("diffusivity_m2_s", diffusivity_m2_s)):
        POSITIVE.check(name, value)
    radius = 2.0 * area_m2 / perimeter_m
    fourier = diffusivity_m2_s * age_days * 86400.0 / radius ** 2
    biot = None if wall_htc_w_m2k is None else wall_htc_w_m2k * radius / conductivity_w_mk
    flux = conductivity_w_mk * (virgin_rock_c - air_dry_bulb_c) * dimensionless_heat_flux(
        fourier, biot) / radius
    return flux * perimeter_m * length_m / 1000.0


def diesel_heat_kw(rated_kw: float, utilisation: float = 0.5,
                   efficiency: float = DIESEL_EFFICIENCY) -> float:
    """Heat a diesel machine releases underground, kW: rated power × utilisation / efficiency.

    All the fuel's energy ends as heat in the airway (the work done is dissipated by friction
    and braking), the usual assumption of mine heat-load estimates.

    Parameters
    ----------
    rated_kw : float
        Rated shaft power, kW.
    utilisation : float
        Mean fraction of rated power used over the shift, 0-1.
    efficiency : float
        Thermal efficiency of the engine, 0-1.

    Returns
    -------
    float
        Heat, kW.
    """
    POSITIVE.check("rated_kw", rated_kw)
    FRACTION.check("utilisation", utilisation)
    Interval(0.05, 1).check("efficiency", efficiency)
    return rated_kw * utilisation / efficiency


def people_heat_kw(people: int, metabolic_w: float = METABOLIC_W) -> float:
    """Metabolic heat of the people in a working place, kW.

    Parameters
    ----------
    people : int
        Number of people.
    metabolic_w : float
        Metabolic heat per person, W.

    Returns
    -------
    float
        Heat, kW.
    """
    POSITIVE.check("people", people)
    return people * metabolic_w / 1000.0


@dataclass(frozen=True)
class Segment:
    """A stretch of airway the air crosses in one step.

    ``length_m`` m long, falling ``fall_m`` m (negative when it rises), with ``heat_kw`` kW of
    sensible and ``latent_kw`` kW of latent (evaporation) heat added along it.
    """

    length_m: float
    fall_m: float = 0.0
    heat_kw: float = 0.0
    latent_kw: float = 0.0


@dataclass(frozen=True)
class RockWall:
    """The rock around an airway, for the heat it gives the air step by step.

    ``virgin_rock_c`` °C; the cross-section ``area_m2`` m² and ``perimeter_m`` m; ``age_days``
    since the rock was exposed; conductivity W/(m·K), diffusivity m²/s and wall film
    coefficient W/(m²·K) as :func:`rock_heat_kw` takes them; ``wetness`` the fraction of the
    rock heat that evaporates water on a wet wall (latent) rather than warming the air.
    """

    virgin_rock_c: float
    area_m2: float
    perimeter_m: float
    age_days: float
    conductivity_w_mk: float = 3.0
    diffusivity_m2_s: float = 1.4e-6
    wall_htc_w_m2k: float | None = None
    wetness: float = 0.0

    def heat_kw(self, air_dry_bulb_c: float, length_m: float) -> float:
        """Rock heat into ``length_m`` m of airway with air at ``air_dry_bulb_c`` °C, kW."""
        return rock_heat_kw(virgin_rock_c=self.virgin_rock_c, air_dry_bulb_c=air_dry_bulb_c,
                            length_m=length_m, area_m2=self.area_m2,
                            perimeter_m=self.perimeter_m, age_days=self.age_days,
                            conductivity_w_mk=self.conductivity_w_mk,
                            diffusivity_m2_s=self.diffusivity_m2_s,
                            wall_htc_w_m2k=self.wall_htc_w_m2k)


def along_airway(inlet: AirState, flow_m3s: float, segments: Sequence[Segment],
                 rock: RockWall | None = None) -> pd.DataFrame:
    """The dry- and wet-bulb temperatures along an airway, by energy and moisture balance.

    Per step, per kilogram of dry air: Δh = (sensible + latent heat)/ṁ + g·Δz_fall and
    ΔX = latent heat / (ṁ·L); the pressure follows the barometric relation.

    Parameters
    ----------
    inlet : AirState
        Air entering the airway.
    flow_m3s : float
        Airflow at the inlet, m³/s.
    segments : sequence of Segment
        The airway's stretches in the direction of flow.
    rock : RockWall, optional
        The rock around the airway: its heat, at each step's inlet air temperature, is added
        to the segments' own (``wetness`` of it as latent heat).

    Returns
    -------
    pandas.DataFrame
        One row per station (the inlet, then the end of each segment): ``distance_m``,
        ``fall_m`` (cumulative), ``pressure_pa``, ``dry_bulb_c``, ``wet_bulb_c``,
        ``rel_humidity``, ``enthalpy_jkg``.
    """
    Interval(0.001, None, "m³/s").check("flow_m3s", flow_m3s)
    mass = flow_m3s * inlet.density_kgm3 / (1.0 + inlet.humidity_ratio)
    rows = [(0.0, 0.0, inlet)]
    state, distance, fall = inlet, 0.0, 0.0
    for segment in segments:
        POSITIVE.check("length_m", segment.length_m)
        sensible, latent = segment.heat_kw, segment.latent_kw
        if rock is not None:
            from_rock = rock.heat_kw(state.dry_bulb_c, segment.length_m)
            sensible += (1.0 - rock.wetness) * from_rock
            latent += rock.wetness * from_rock
        enthalpy = (state.enthalpy_jkg + 1000.0 * (sensible + latent) / mass
                    + GRAVITY * segment.fall_m)
        ratio = state.humidity_ratio + 1000.0 * latent / (mass * LATENT_HEAT)
        pressure = pressure_at_depth(state.pressure_pa, segment.fall_m, state.dry_bulb_c)
        state = _state_from_enthalpy(enthalpy, ratio, pressure)
        distance += segment.length_m
        fall += segment.fall_m
        rows.append((distance, fall, state))
    return pd.DataFrame([{
        "distance_m": d, "fall_m": f, "pressure_pa": s.pressure_pa, "dry_bulb_c": s.dry_bulb_c,
        "wet_bulb_c": s.wet_bulb_c, "rel_humidity": s.rel_humidity,
        "enthalpy_jkg": s.enthalpy_jkg} for d, f, s in rows])


@dataclass(frozen=True)
class ClimateCheck:
    """A place's air against the temperature limit: ``excess_c`` > 0 where it is exceeded."""

    place: str
    dry_bulb_c: float
    limit_c: float
    excess_c: float
    exceeded: bool


def check_climate(places: dict[str, AirState], limit_c: float | None = None
                  ) -> list[ClimateCheck]:
    """Each working place's dry bulb against the regulation's limit.

    Parameters
    ----------
    places : dict of str to AirState
        The air at each working place, by name.
    limit_c : float, optional
        Highest dry-bulb temperature, °C; by default GB 16423-2020's (see
        :func:`aurum.ventilation.airflow.load_limits`).

    Returns
    -------
    list of ClimateCheck
        In the order given.
    """
    if limit_c is None:
        limit_c = load_limits().max_dry_bulb_c
    return [ClimateCheck(name, s.dry_bulb_c, limit_c, s.dry_bulb_c - limit_c,
                         s.dry_bulb_c > limit_c) for name, s in places.items()]


def cooling_load_kw(state: AirState, flow_m3s: float, limit_c: float) -> float:
    """Refrigeration needed to bring air down to a dry-bulb limit, kW: ṁ·(h − h_target).

    The air is cooled at constant moisture to the limit, or along saturation when the
    limit lies below its dew point (the coil condenses the surplus).

    Parameters
    ----------
    state : AirState
        Air before cooling.
    flow_m3s : float
        Airflow, m³/s.
    limit_c : float
        Dry-bulb temperature to reach, °C.

    Returns
    -------
    float
        Cooling load, kW (0 when the air is already at or below the limit).
    """
    POSITIVE.check("flow_m3s", flow_m3s)
    if state.dry_bulb_c <= limit_c:
        return 0.0
    ratio = min(state.humidity_ratio, psychrolib.GetSatHumRatio(limit_c, state.pressure_pa))
    target = psychrolib.GetMoistAirEnthalpy(limit_c, ratio)
    mass = flow_m3s * state.density_kgm3 / (1.0 + state.humidity_ratio)
    return mass * (state.enthalpy_jkg - target) / 1000.0
