"""Microseismic monitoring: the pure domain (numpy, scipy, numba, pandas, ObsPy for the
field's file formats and its C triggers; no database, no service).

- :mod:`~aurum.seismic.inventory` — stations and channels in the mine grid (StationXML, CSV).
- :mod:`~aurum.seismic.waveforms` — miniSEED reading and screening (gaps, NaN, unknown
  stations) into plain arrays.
- :mod:`~aurum.seismic.detect` — recursive STA/LTA and network coincidence.
- :mod:`~aurum.seismic.pick` — AIC P and S onsets with a quality weight.
- :mod:`~aurum.seismic.velocity` — homogeneous and layered models, first-arrival times.
- :mod:`~aurum.seismic.locate` — grid/octree search and least squares, error ellipsoid,
  station corrections.
- :mod:`~aurum.seismic.source` — moment, Mw, corner frequency, energy, ML, apparent stress
  and volume, energy index.
- :mod:`~aurum.seismic.catalog` — the catalogue frame, QuakeML, IMS months, classification.
- :mod:`~aurum.seismic.stats` — Mc, b-value, moving windows, trends.
- :mod:`~aurum.seismic.hazard` — hazard rules as data, alerts.
- :mod:`~aurum.seismic.synthetic` — arrays, picks and records with known answers.

``detect`` itself is :func:`aurum.seismic.detect.detect`: the package cannot re-export it
under the name of its module.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "catalog": ("BlastTimeClassifier", "CATALOGUE_COLUMNS", "IMS_COLUMNS", "catalogue_frame",
                "classify", "read_ims_catalogue", "read_quakeml", "write_quakeml"),
    "detect": ("DetectSettings", "coincidence_windows", "picks_frame"),
    "hazard": ("ALERT_COLUMNS", "HazardRule", "evaluate", "rules_from_records"),
    "inventory": ("Inventory", "LocalGrid", "Station", "read_inventory", "read_station_csv",
                  "read_stationxml"),
    "locate": ("LocateSettings", "Locator", "SearchVolume", "read_picks_csv",
               "station_corrections"),
    "pick": ("PickSettings", "aic_onset"),
    "source": ("BAKUN_JOYNER_1984", "RADIATION_S", "apparent_stress", "apparent_volume",
               "brune_energy_flux", "brune_radius", "displacement_spectrum", "energy_flux",
               "energy_index", "event_source", "fit_brune", "fit_energy_moment", "local_magnitude",
               "moment_from_magnitude", "moment_magnitude", "seismic_moment", "static_stress_drop",
               "station_source"),
    "stats": ("activity_rate", "b_value", "bin_magnitudes", "cumulative_apparent_volume",
              "energy_index_trend", "magnitude_of_completeness", "mc_b_stability",
              "mc_maximum_curvature", "moving_b_value"),
    "synthetic": ("mine_array", "synthetic_picks", "synthetic_waveforms"),
    "velocity": ("HomogeneousModel", "LayeredModel", "layered_time", "read_velocity_csv",
                 "travel_times"),
    "waveforms": ("ChannelData", "from_obspy", "read_waveforms", "screen", "utc_text"),
})
