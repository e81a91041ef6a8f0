"""Source parameters: seismic moment and moment magnitude from displacement spectra (Brune
model), corner frequency, radiated energy, local magnitude, apparent stress and volume,
energy index, source radius and static stress drop.

Conventions (SI throughout): moment N·m, energy J, stress Pa, distance m, frequency Hz,
density kg/m³, velocity m/s, spectral amplitude of displacement m·s (continuous Fourier
transform, ``rfft × Δt``). Formulas:

- Brune (1970) far-field displacement spectrum with whole-path attenuation:
  Ω(f) = Ω0 exp(−π f t / Q) / (1 + (f / fc)²), t the travel time.
- Moment (Keilis-Borok 1960): M0 = 4π ρ v³ R Ω0 / (F Rθφ), F the free-surface factor,
  Rθφ the average radiation coefficient (0.52 for P, 0.63 for S, Boore & Boatwright 1984).
- Moment magnitude (Hanks & Kanamori 1979): Mw = 2/3 (log10 M0 − 9.1).
- Energy flux J = ∫ u̇² dt = 2 ∫₀^∞ |2π f U(f)|² df; radiated energy
  E = 4π ρ v R² J / F² (the average radiation pattern, squared, cancels when Rθφ² is
  replaced by its mean); for the Brune spectrum J = 2 π³ Ω0² fc³.
- Brune source radius r = 2.34 β / (2π fc); static stress drop Δσ = 7 M0 / (16 r³).
- Apparent stress σa = μ E / M0; apparent volume V_A = M0² / (2 μ E) = M0 / (2 σa)
  (Mendecki 1993); energy index EI = E / Ē(M0), log10 Ē = c + d log10 M0 fitted on the
  catalogue.
- Local magnitude: ML = log10 A + a log10(R / 100) + b (R − 100) + 3.0, A the Wood–Anderson
  amplitude in mm, R the hypocentral distance in km (Hutton & Boore 1987: a = 1.110,
  b = 0.00189; Bakun & Joyner 1984: a = 1.0, b = 0.00301).

ObsPy stops at instrument simulation and a Bakun–Joyner ML (``estimate_magnitude``, the
peer of :func:`local_magnitude` in the tests); spectral fitting and the energy-based
parameters mining seismology uses are written here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.signal.windows import tukey

RADIATION_P = 0.52
RADIATION_S = 0.63
DEFAULT_RIGIDITY_PA = 3.0e10
"""Shear modulus of hard rock, Pa (IMS at Elk Creek used 3.3e10)."""
BRUNE_K = 2.34


@dataclass(frozen=True)
class LocalMagnitudeScale:
    """An ML distance correction of the form a log10(R / 100) + b (R − 100) + 3.0.

    Parameters
    ----------
    name : str
        Reference of the scale.
    a : float
        Geometric-spreading coefficient.
    b : float
        Anelastic coefficient, 1/km.
    """

    name: str
    a: float
    b: float


HUTTON_BOORE_1987 = LocalMagnitudeScale("Hutton & Boore (1987), southern California", 1.110,
                                        0.00189)
BAKUN_JOYNER_1984 = LocalMagnitudeScale("Bakun & Joyner (1984), central California", 1.0,
                                        0.00301)


def moment_magnitude(moment: np.ndarray | float) -> np.ndarray:
    """Moment magnitude of a seismic moment (N·m), Hanks & Kanamori (1979)."""
    return 2.0 / 3.0 * (np.log10(np.asarray(moment, float)) - 9.1)


def moment_from_magnitude(mw: np.ndarray | float) -> np.ndarray:
    """Seismic moment (N·m) of a moment magnitude (inverse of :func:`moment_magnitude`)."""
    return 10.0 ** (1.5 * np.asarray(mw, float) + 9.1)


def local_magnitude(amplitude_mm: np.ndarray | float, distance_km: np.ndarray | float,
                    scale: LocalMagnitudeScale = HUTTON_BOORE_1987) -> np.ndarray:
    """Local magnitude from a Wood–Anderson amplitude.

    Parameters
    ----------
    amplitude_mm : array_like
        Zero-to-peak Wood–Anderson amplitude, mm.
    distance_km : array_like
        Hypocentral distance, km.
    scale : LocalMagnitudeScale
        Distance correction.

    Returns
    -------
    numpy.ndarray
        ML.
    """
    r = np.asarray(distance_km, float)
    return (np.log10(np.asarray(amplitude_mm, float)) + scale.a * np.log10(r / 100.0)
            + scale.b * (r - 100.0) + 3.0)


def displacement_spectrum(velocity: np.ndarray, sampling_rate: float,
                          taper: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Amplitude spectrum of displacement from a window of ground velocity.

    Parameters
    ----------
    velocity : numpy.ndarray
        Ground velocity, m/s (response removed), the phase window.
    sampling_rate : float
        Hz.
    taper : float
        Fraction of the window tapered (Tukey), 0–1.

    Returns
    -------
    frequency : numpy.ndarray
        Hz, from the first non-zero frequency.
    amplitude : numpy.ndarray
        |U(f)|, m·s.
    """
    x = np.asarray(velocity, float)
    x = (x - x.mean()) * tukey(x.size, taper)
    spectrum = np.abs(np.fft.rfft(x)) / sampling_rate
    f = np.fft.rfftfreq(x.size, 1.0 / sampling_rate)
    return f[1:], spectrum[1:] / (2.0 * np.pi * f[1:])


def brune_spectrum(frequency: np.ndarray, omega0: float, corner_frequency: float,
                   travel_time_s: float = 0.0, q: float = np.inf) -> np.ndarray:
    """Brune displacement spectrum with attenuation.

    Parameters
    ----------
    frequency : numpy.ndarray
        Hz.
    omega0 : float
        Low-frequency plateau, m·s.
    corner_frequency : float
        Hz.
    travel_time_s : float
        Travel time of the phase, s.
    q : float
        Quality factor (``inf``: no attenuation).

    Returns
    -------
    numpy.ndarray
        Amplitude, m·s.
    """
    f = np.asarray(frequency, float)
    return omega0 * np.exp(-np.pi * f * travel_time_s / q) / (1.0 + (f / corner_frequency) ** 2)


@dataclass(frozen=True)
class BruneFit:
    """A fitted Brune spectrum.

    Parameters
    ----------
    omega0 : float
        Plateau, m·s.
    corner_frequency : float
        Hz.
    misfit : float
        RMS of the log10 residuals over the fitted band.
    """

    omega0: float
    corner_frequency: float
    misfit: float


def fit_brune(frequency: np.ndarray, amplitude: np.ndarray, band: tuple[float, float],
              travel_time_s: float = 0.0, q: float = np.inf) -> BruneFit:
    """Fit Ω0 and fc of a Brune spectrum in log amplitude.

    A grid of trial corner frequencies (each with its least-squares plateau, in closed form)
    gives the start of a Gauss–Newton refinement of both, so the fit cannot stall on the
    flat parts of the misfit surface.

    Parameters
    ----------
    frequency, amplitude : numpy.ndarray
        Displacement spectrum (Hz, m·s).
    band : tuple of float
        Frequencies used (low, high), Hz: above the noise at low frequency, below the
        anti-alias filter.
    travel_time_s : float
        Travel time, s (for the attenuation term).
    q : float
        Quality factor of the path.

    Returns
    -------
    BruneFit
    """
    f = np.asarray(frequency, float)
    keep = (f >= band[0]) & (f <= band[1]) & (np.asarray(amplitude) > 0)
    f, log_a = f[keep], np.log10(np.asarray(amplitude, float)[keep])
    attenuation = -np.pi * f * travel_time_s / q / np.log(10.0)
    trials = np.geomspace(band[0] / 4.0, band[1] * 4.0, 200)
    shape = attenuation[None, :] - np.log10(1.0 + (f[None, :] / trials[:, None]) ** 2)
    log_omega = (log_a[None, :] - shape).mean(axis=1)
    misfit = ((log_a[None, :] - shape - log_omega[:, None]) ** 2).mean(axis=1)
    i = int(np.argmin(misfit))

    def residual(p: np.ndarray) -> np.ndarray:
        return log_a - (p[0] + attenuation - np.log10(1.0 + (f / 10.0 ** p[1]) ** 2))

    fit = least_squares(residual, np.array([log_omega[i], np.log10(trials[i])]))
    return BruneFit(float(10.0 ** fit.x[0]), float(10.0 ** fit.x[1]),
                    float(np.sqrt(np.mean(fit.fun ** 2))))


def seismic_moment(omega0: np.ndarray | float, distance_m: np.ndarray | float,
                   velocity_mps: float, density: float = 2700.0,
                   radiation: float = RADIATION_S, free_surface: float = 1.0) -> np.ndarray:
    """Seismic moment from a spectral plateau.

    Parameters
    ----------
    omega0 : array_like
        Displacement plateau, m·s.
    distance_m : array_like
        Hypocentral distance, m.
    velocity_mps : float
        Velocity of the phase at the source, m/s.
    density : float
        kg/m³.
    radiation : float
        Average radiation coefficient of the phase (:data:`RADIATION_P`, :data:`RADIATION_S`).
    free_surface : float
        Amplification at the sensor (1 underground, 2 at a free surface).

    Returns
    -------
    numpy.ndarray
        M0, N·m.
    """
    return (4.0 * np.pi * density * velocity_mps ** 3 * np.asarray(distance_m, float)
            * np.asarray(omega0, float) / (free_surface * radiation))


def energy_flux(frequency: np.ndarray, displacement: np.ndarray, band: tuple[float, float],
                travel_time_s: float = 0.0, q: float = np.inf) -> float:
    """Energy flux J = ∫ u̇² dt of a phase from its displacement spectrum, corrected for
    attenuation, over a band.

    Parameters
    ----------
    frequency, displacement : numpy.ndarray
        Spectrum, Hz and m·s.
    band : tuple of float
        Integration band, Hz.
    travel_time_s, q : float
        Travel time (s) and quality factor for the attenuation correction.

    Returns
    -------
    float
        J, m²/s.
    """
    f = np.asarray(frequency, float)
    keep = (f >= band[0]) & (f <= band[1])
    f = f[keep]
    v = 2.0 * np.pi * f * np.asarray(displacement, float)[keep] \
        * np.exp(np.pi * f * travel_time_s / q)
    return float(2.0 * np.trapezoid(v ** 2, f))


def brune_energy_flux(omega0: float, corner_frequency: float) -> float:
    """Energy flux of a whole Brune spectrum, 2 π³ Ω0² fc³, m²/s (Ω0 in m·s, fc in Hz)."""
    return float(2.0 * np.pi ** 3 * omega0 ** 2 * corner_frequency ** 3)


def radiated_energy(flux: np.ndarray | float, distance_m: np.ndarray | float,
                    velocity_mps: float, density: float = 2700.0,
                    free_surface: float = 1.0) -> np.ndarray:
    """Energy radiated in one phase, E = 4π ρ v R² J / F² (average radiation pattern).

    Parameters
    ----------
    flux : array_like
        Energy flux J, m²/s.
    distance_m : array_like
        Hypocentral distance, m.
    velocity_mps : float
        Phase velocity, m/s.
    density : float
        kg/m³.
    free_surface : float
        Amplification at the sensor.

    Returns
    -------
    numpy.ndarray
        J.
    """
    r = np.asarray(distance_m, float)
    return 4.0 * np.pi * density * velocity_mps * r ** 2 * np.asarray(flux, float) \
        / free_surface ** 2


def brune_radius(corner_frequency: np.ndarray | float, vs: float) -> np.ndarray:
    """Brune source radius r = 2.34 β / (2π fc), m (fc in Hz, β in m/s)."""
    return BRUNE_K * vs / (2.0 * np.pi * np.asarray(corner_frequency, float))


def static_stress_drop(moment: np.ndarray | float, radius_m: np.ndarray | float) -> np.ndarray:
    """Static stress drop of a circular crack, 7 M0 / (16 r³), Pa (M0 in N·m, r in m)."""
    return 7.0 * np.asarray(moment, float) / (16.0 * np.asarray(radius_m, float) ** 3)


def apparent_stress(energy: np.ndarray | float, moment: np.ndarray | float,
                    rigidity: float = DEFAULT_RIGIDITY_PA) -> np.ndarray:
    """Apparent stress σa = μ E / M0, Pa (E in J, M0 in N·m, μ in Pa)."""
    return rigidity * np.asarray(energy, float) / np.asarray(moment, float)


def apparent_volume(moment: np.ndarray | float, energy: np.ndarray | float,
                    rigidity: float = DEFAULT_RIGIDITY_PA) -> np.ndarray:
    """Apparent volume V_A = M0² / (2 μ E), m³ (M0 in N·m, E in J, μ in Pa)."""
    m0 = np.asarray(moment, float)
    return m0 ** 2 / (2.0 * rigidity * np.asarray(energy, float))


@dataclass(frozen=True)
class EnergyMomentFit:
    """log10 E = c + d log10 M0, fitted on a catalogue.

    Parameters
    ----------
    c : float
        Intercept (E in J, M0 in N·m).
    d : float
        Slope.
    n : int
        Events used.
    """

    c: float
    d: float
    n: int

    def expected_energy(self, moment: np.ndarray | float) -> np.ndarray:
        """Ē(M0), J."""
        return 10.0 ** (self.c + self.d * np.log10(np.asarray(moment, float)))


def fit_energy_moment(energy: np.ndarray, moment: np.ndarray) -> EnergyMomentFit:
    """Least-squares line of log10 E on log10 M0 over the events with both > 0.

    Parameters
    ----------
    energy : numpy.ndarray
        J.
    moment : numpy.ndarray
        N·m.

    Returns
    -------
    EnergyMomentFit
    """
    e, m = np.asarray(energy, float), np.asarray(moment, float)
    ok = np.isfinite(e) & np.isfinite(m) & (e > 0) & (m > 0)
    d, c = np.polyfit(np.log10(m[ok]), np.log10(e[ok]), 1)
    return EnergyMomentFit(float(c), float(d), int(ok.sum()))


def energy_index(energy: np.ndarray | float, moment: np.ndarray | float,
                 fit: EnergyMomentFit) -> np.ndarray:
    """Energy index EI = E / Ē(M0) (dimensionless; > 1: more energy than usual for the
    moment)."""
    return np.asarray(energy, float) / fit.expected_energy(moment)


@dataclass(frozen=True)
class StationSource:
    """Source parameters seen at one station from one phase.

    ``omega0`` (m·s), ``corner_frequency`` (Hz) and ``misfit`` are those of the spectrum's
    :class:`BruneFit`.

    Parameters
    ----------
    moment : float
        N·m.
    energy : float
        J, from the attenuation-corrected spectrum over the band plus the Brune model's
        energy outside it.
    """

    omega0: float
    corner_frequency: float
    moment: float
    energy: float
    misfit: float


def station_source(velocity: np.ndarray, sampling_rate: float, distance_m: float,
                   travel_time_s: float, velocity_mps: float, band: tuple[float, float],
                   q: float = np.inf, density: float = 2700.0, radiation: float = RADIATION_S,
                   free_surface: float = 1.0) -> StationSource:
    """Moment, corner frequency and energy of one phase window at one station.

    Parameters
    ----------
    velocity : numpy.ndarray
        Phase window of ground velocity, m/s (response removed), starting before the onset
        by more than the 5 % of its length that the taper takes.
    sampling_rate : float
        Hz.
    distance_m : float
        Hypocentral distance, m.
    travel_time_s : float
        Travel time of the phase, s.
    velocity_mps : float
        Phase velocity, m/s.
    band : tuple of float
        Usable band, Hz.
    q : float
        Quality factor of the path.
    density : float
        kg/m³.
    radiation : float
        Average radiation coefficient.
    free_surface : float
        Amplification at the sensor.

    Returns
    -------
    StationSource
    """
    f, u = displacement_spectrum(velocity, sampling_rate)
    fit = fit_brune(f, u, band, travel_time_s, q)
    inside = energy_flux(f, u, band, travel_time_s, q)
    model_inside = energy_flux(f, brune_spectrum(f, fit.omega0, fit.corner_frequency), band)
    flux = inside + max(brune_energy_flux(fit.omega0, fit.corner_frequency) - model_inside, 0.0)
    moment = float(seismic_moment(fit.omega0, distance_m, velocity_mps, density, radiation,
                                  free_surface))
    energy = float(radiated_energy(flux, distance_m, velocity_mps, density, free_surface))
    return StationSource(fit.omega0, fit.corner_frequency, moment, energy, fit.misfit)


@dataclass(frozen=True)
class SourceParameters:
    """Event source parameters from its stations.

    Parameters
    ----------
    moment : float
        Geometric mean over stations, N·m.
    mw : float
        Moment magnitude.
    corner_frequency : float
        Geometric mean, Hz.
    energy : float
        Geometric mean, J.
    apparent_stress : float
        Pa.
    apparent_volume : float
        m³.
    source_radius : float
        Brune radius, m.
    static_stress_drop : float
        Pa.
    n_stations : int
        Stations used.
    """

    moment: float
    mw: float
    corner_frequency: float
    energy: float
    apparent_stress: float
    apparent_volume: float
    source_radius: float
    static_stress_drop: float
    n_stations: int


def event_source(stations: list[StationSource], vs: float,
                 rigidity: float = DEFAULT_RIGIDITY_PA) -> SourceParameters:
    """Combine station estimates (geometric means) into the event's source parameters.

    Parameters
    ----------
    stations : list of StationSource
        Per-station estimates of the event.
    vs : float
        S velocity at the source, m/s (for the Brune radius).
    rigidity : float
        Shear modulus, Pa.

    Returns
    -------
    SourceParameters
    """
    if not stations:
        raise ValueError("no station estimate to combine")

    def gmean(values: list[float]) -> float:
        return float(np.exp(np.mean(np.log(values))))

    m0 = gmean([s.moment for s in stations])
    fc = gmean([s.corner_frequency for s in stations])
    e = gmean([s.energy for s in stations])
    r = float(brune_radius(fc, vs))
    return SourceParameters(m0, float(moment_magnitude(m0)), fc, e,
                            float(apparent_stress(e, m0, rigidity)),
                            float(apparent_volume(m0, e, rigidity)), r,
                            float(static_stress_drop(m0, r)), len(stations))
