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
"""
