"""Source parameters against closed forms (Brune pulse) and ObsPy's local magnitude."""

from __future__ import annotations

import numpy as np
import pytest
from obspy.signal.invsim import estimate_magnitude

from aurum.seismic.source import (
    BAKUN_JOYNER_1984,
    RADIATION_S,
    apparent_stress,
    apparent_volume,
    brune_energy_flux,
    brune_radius,
    displacement_spectrum,
    energy_flux,
    energy_index,
    event_source,
    fit_brune,
    fit_energy_moment,
    local_magnitude,
    moment_from_magnitude,
    moment_magnitude,
    seismic_moment,
    static_stress_drop,
    station_source,
)

SR = 6000.0


def brune_velocity(omega0: float, fc: float, n: int = 6000, delay_s: float = 0.05
                   ) -> np.ndarray:
    """Ground velocity of the Brune displacement pulse u(t) = Ω0 ωc² t e^(−ωc t), whose
    spectrum is Ω0 / (1 + (f/fc)²) and whose ∫u̇² dt is Ω0² ωc³ / 4 = 2 π³ Ω0² fc³: the
    sampled displacement differenced, so that the velocity integrates to zero exactly."""
    wc = 2 * np.pi * fc
    t = np.clip(np.arange(n + 1) / SR - delay_s, 0, None)
    return np.diff(omega0 * wc ** 2 * t * np.exp(-wc * t)) * SR


def test_moment_magnitude_hanks_kanamori() -> None:
    assert moment_magnitude(1.0e9) == pytest.approx(2 / 3 * (9.0 - 9.1))
    assert moment_magnitude(moment_from_magnitude(np.array([-1.0, 0.5, 2.0]))) == \
        pytest.approx([-1.0, 0.5, 2.0])


def test_brune_fit_and_energy_of_a_brune_pulse() -> None:
    omega0, fc = 2.0e-9, 80.0
    v = brune_velocity(omega0, fc)
    f, u = displacement_spectrum(v, SR, taper=0.0)
    exact = omega0 / (1 + (f / fc) ** 2)
    band = (5.0, 1000.0)
    inside = (f >= band[0]) & (f <= band[1])
    assert np.allclose(u[inside], exact[inside], rtol=0.02)
    fit = fit_brune(f, u, band)
    assert fit.omega0 == pytest.approx(omega0, rel=0.02)
    assert fit.corner_frequency == pytest.approx(fc, rel=0.02)
    flux_time = float(np.sum(v ** 2) / SR)
    assert brune_energy_flux(omega0, fc) == pytest.approx(flux_time, rel=0.01)
    assert energy_flux(f, u, (f[0], f[-1])) == pytest.approx(flux_time, rel=0.01)


def test_attenuated_spectrum_is_corrected() -> None:
    f = np.linspace(1.0, 1500.0, 3000)
    omega0, fc, tt, q = 1e-8, 60.0, 0.12, 150.0
    u = omega0 * np.exp(-np.pi * f * tt / q) / (1 + (f / fc) ** 2)
    fit = fit_brune(f, u, (2.0, 1200.0), travel_time_s=tt, q=q)
    assert fit.omega0 == pytest.approx(omega0, rel=1e-6)
    assert fit.corner_frequency == pytest.approx(fc, rel=1e-6)
    assert fit.misfit < 1e-8


def test_station_and_event_source_recover_the_moment() -> None:
    rho, beta, distance = 2700.0, 3200.0, 400.0
    m0 = 1.0e10  # Mw 0.6
    omega0 = m0 * RADIATION_S / (4 * np.pi * rho * beta ** 3 * distance)
    assert seismic_moment(omega0, distance, beta, rho, RADIATION_S) == pytest.approx(m0)
    station = station_source(brune_velocity(omega0, 50.0, n=12000, delay_s=0.3), SR, distance,
                             distance / beta, beta, band=(3.0, 600.0), density=rho)
    assert station.moment == pytest.approx(m0, rel=0.03)
    assert station.corner_frequency == pytest.approx(50.0, rel=0.03)
    energy = 4 * np.pi * rho * beta * distance ** 2 * brune_energy_flux(omega0, 50.0)
    assert station.energy == pytest.approx(energy, rel=0.03)
    event = event_source([station, station], vs=beta)
    assert event.mw == pytest.approx(moment_magnitude(m0), abs=0.01)
    assert event.source_radius == pytest.approx(2.34 * beta / (2 * np.pi * 50.0), rel=0.03)
    assert event.apparent_volume == pytest.approx(event.moment / (2 * event.apparent_stress))
    assert event.n_stations == 2


def test_source_closed_forms() -> None:
    assert brune_radius(10.0, 3000.0) == pytest.approx(2.34 * 3000 / (20 * np.pi))
    assert static_stress_drop(1e12, 100.0) == pytest.approx(7e12 / 16e6)
    assert apparent_stress(100.0, 1e9, 3e10) == pytest.approx(3000.0)
    assert apparent_volume(1e9, 100.0, 3e10) == pytest.approx(1e18 / 6e12)
    rng = np.random.default_rng(2)
    m0 = 10 ** rng.uniform(8, 12, 500)
    e = 10 ** (-6.0 + 1.2 * np.log10(m0) + rng.normal(0, 0.1, 500))
    fit = fit_energy_moment(e, m0)
    assert fit.d == pytest.approx(1.2, abs=0.02) and fit.c == pytest.approx(-6.0, abs=0.2)
    assert np.median(np.log10(energy_index(e, m0, fit))) == pytest.approx(0.0, abs=0.02)


@pytest.mark.parametrize(("amplitude_mm", "distance_km"), [(0.5, 2.0), (12.0, 35.0),
                                                           (3.0, 150.0)])
def test_local_magnitude_matches_obspy(amplitude_mm: float, distance_km: float) -> None:
    """ObsPy's ``estimate_magnitude`` applies Bakun & Joyner (1984) to a peak-to-peak
    amplitude; through the Wood–Anderson response itself it is our formula's amplitude."""
    wood_anderson = {"poles": [-6.283 + 4.7124j, -6.283 - 4.7124j], "zeros": [0j],
                     "gain": 1.0, "sensitivity": 2080}
    peer = estimate_magnitude(wood_anderson, 2 * amplitude_mm / 1000.0, 0.5, distance_km)
    ours = local_magnitude(amplitude_mm, distance_km, BAKUN_JOYNER_1984)
    assert float(ours) == pytest.approx(peer, abs=1e-9)
    assert float(local_magnitude(1.0, 100.0)) == pytest.approx(3.0)  # the ML definition
