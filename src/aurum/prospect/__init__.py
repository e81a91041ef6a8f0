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

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "fuzzy": ("fuzzy_and", "fuzzy_gamma", "fuzzy_or", "fuzzy_product", "fuzzy_sum", "gaussian",
              "large", "linear", "small"),
    "layers": ("Deposits", "EvidenceLayer", "RasterGrid", "deposits_from_xy",
               "distance_to_features", "feature_density", "grid_of", "mask_from_polygons",
               "read_deposits", "read_layer", "read_layers", "study_area", "write_raster"),
    "ml": ("ESTIMATORS", "EstimatorModel", "NegativeSampling", "SpatialBlockKFold", "TrainingSet",
           "cross_validate", "fit_ensemble", "make_estimator", "training_set"),
    "predict": ("predict_raster", "windows"),
    "targets": ("TARGET_COLUMNS", "cutoff_for_area", "extract_targets", "write_targets"),
    "validation": ("RateCurve", "presence_absence", "raster_auc", "rate_curve", "roc_auc",
                   "sample_rate_curve", "threshold_table"),
    "wofe": ("PosteriorModel", "TABLE_COLUMNS", "WeightsTable", "WeightsType", "binary_split",
             "conditional_independence", "generalise", "layer_weights", "posterior",
             "posterior_model", "weights_from_counts", "weights_table"),
})
