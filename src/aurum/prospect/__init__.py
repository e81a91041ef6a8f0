"""Mineral prospectivity mapping: evidence layers, models, validation and drilling targets.

- :mod:`aurum.prospect.layers` — evidence rasters (GeoTIFF through rasterio, any CRS, put on
  one grid by an explicitly chosen resampling), rasters derived from vector layers (distance
  to feature, feature density), known deposits as points, the study-area mask.
- :mod:`aurum.prospect.wofe` — weights of evidence: binary, categorical and cumulative
  (ascending / descending) weights, generalisation, posterior probability and its standard
  deviation, the Agterberg–Cheng conditional-independence test.
- :mod:`aurum.prospect.fuzzy` — fuzzy membership functions and overlays.
- :mod:`aurum.prospect.ml` — scikit-learn estimators trained with stated negative sampling,
  spatial block cross-validation, ensemble spread, feature importance.
- :mod:`aurum.prospect.validation` — ROC AUC, success-rate and prediction-rate curves.
- :mod:`aurum.prospect.predict` — prediction over large rasters window by window (locally or
  on Dask), memory bounded.
- :mod:`aurum.prospect.targets` — high-prospectivity targets as ranked polygons (GeoPackage).

Areas are in km², distances in m (the evidence grids must be projected, in metres).
"""
