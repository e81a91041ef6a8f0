"""Response models of the prospectivity routes (``/api/v1/prospect``).

A study's summary is what :func:`aurum.services.prospect.run_study` keeps in
``summary.json``: map coordinates in the grid's CRS (m), areas in km², probabilities and
fractions from 0 to 1. A figure that is not a finite number (the AUC of a fold holding one
class, a contrast of a class without deposits) is null.
"""

from __future__ import annotations

from pydantic import Field

from aurum.api.schemas import Schema


class StudyBriefOut(Schema):
    """A study in the list of studies."""

    study: str = Field(description="the study's id")
    name: str = Field(description="its display name")
    created: str = Field(description="when it was run, ISO 8601 UTC")
    n_deposits: int = Field(description="known deposits in the study area (count)")
    layers: int = Field(description="evidence layers (count)")
    auc: float | None = Field(description="area under the ROC curve of the posterior map")
    ml_spatial_auc: float | None = Field(description="AUC of the machine-learning model, "
                                         "spatial-block cross-validation")
    ml_random_auc: float | None = Field(description="AUC of the model, random-split "
                                        "cross-validation")
    targets: int = Field(description="targets found (count)")


class StudyParamsOut(Schema):
    """How the study treated its evidence."""

    thresholds: dict[str, float] = Field(description="layer → value splitting it in two "
                                         "classes, in the layer's unit")
    cumulative: dict[str, str] = Field(description="layer → ascending or descending "
                                       "(cumulative weights)")
    unit_area_km2: float = Field(description="unit cell: the area a deposit stands for, km²")
    confidence: float = Field(description="studentised contrast a threshold must reach")
    target_area_fraction: float = Field(description="targets are this best fraction of the "
                                        "study area, 0-1")
    min_target_cells: int = Field(description="smaller targets are dropped (raster cells)")
    estimator: str = Field(description="the machine-learning model checked beside the weights")
    block_size_m: float = Field(description="side of the spatial cross-validation blocks, m")
    negative_ratio: float = Field(description="negatives drawn per deposit")
    negative_buffer_m: float = Field(description="no negative within this distance of a "
                                     "deposit, m")
    seed: int = Field(description="seed of the negative draw and the folds")


class StudyOwnerOut(Schema):
    """Whose scope the study was run in."""

    username: str = Field(description="who ran it")
    public: bool = Field(description="readable by every user who runs studies (the demo)")
    org_ids: list[int] | None = Field(description="the organisations whose users read it; "
                                      "null: no organisation (public, or a regulator's)")
    province: str | None = Field(default=None, description="the province of the provincial "
                                 "regulator who ran it (only then present)")


class WeightsRowOut(Schema):
    """The weights of one class of an evidence layer."""

    class_: int | float = Field(alias="class", description="the class (a value of the layer)")
    label: str = Field(description="how the class reads (e.g. <= 5000 for a split)")
    area_km2: float = Field(description="area of the class (cumulative for ascending and "
                            "descending tables), km²")
    deposits: int = Field(description="deposits in it (count)")
    w_plus: float | None = Field(description="W+ (log ratio)")
    s_w_plus: float | None = Field(description="standard deviation of W+")
    w_minus: float | None = Field(description="W-")
    s_w_minus: float | None = Field(description="standard deviation of W-")
    contrast: float | None = Field(description="C = W+ - W-")
    studentized_contrast: float | None = Field(description="C over its standard deviation")
    gen_class: int = Field(description="generalised class it falls in")
    weight: float | None = Field(description="weight the class adds to the posterior logit")
    w_std: float | None = Field(description="standard deviation of that weight")


class WeightsTableOut(Schema):
    """The weights of evidence of a layer."""

    layer: str = Field(description="the layer's name (its file name without extension)")
    kind: str = Field(description="categorical, ascending or descending")
    significant: bool = Field(description="a class reaches the studentised contrast asked")
    threshold_class: int | float | None = Field(description="last class of the favourable "
                                                "side (cumulative tables); null otherwise")
    threshold_label: str | None = Field(description="how that class reads")
    rows: list[WeightsRowOut] = Field(description="one row per class")


class RocCurveOut(Schema):
    """The ROC curve of the posterior map (at most 500 points)."""

    false_positive_rate: list[float] = Field(description="1 - specificity, 0-1, per level")
    true_positive_rate: list[float] = Field(description="sensitivity, 0-1, per level")


class SuccessRateOut(Schema):
    """The success-rate curve: deposits captured by the best part of the study area."""

    area_fraction: list[float] = Field(description="fraction of the study area, 0-1, "
                                       "ascending (at most 500 points)")
    deposit_fraction: list[float] = Field(description="fraction of the deposits it holds, 0-1")
    auc: float = Field(description="area under the curve")
    captured_at_10pct: float = Field(description="deposits captured by the best 10 % of the "
                                     "area, fraction 0-1")
    captured_at_20pct: float = Field(description="deposits captured by the best 20 %, "
                                     "fraction 0-1")


class ConditionalIndependenceOut(Schema):
    """The conditional-independence test (Bonham-Carter's ratio, Agterberg and Cheng's z)."""

    observed: int = Field(description="deposits N (count)")
    expected: float = Field(description="deposits the posterior predicts, T")
    std_expected: float | None = Field(description="standard deviation of T")
    ratio: float | None = Field(description="N / T (below about 0.85 suggests dependence)")
    z: float | None = Field(description="(T - N) over its standard deviation")
    p_value: float | None = Field(description="one-sided p-value of z")


class ImportanceOut(Schema):
    """How much the model leans on a feature (an evidence layer)."""

    feature: str = Field(description="the layer's name")
    permutation_auc_drop: float | None = Field(description="mean drop of the spatial "
                                               "test-fold AUC when the layer is shuffled")
    permutation_std: float | None = Field(description="standard deviation of that drop")
    native: float | None = Field(description="the model's own importance (impurity, or "
                                 "|standardised coefficient|); null when it has none")


class MachineLearningOut(Schema):
    """The machine-learning check of the evidence, cross-validated."""

    estimator: str = Field(description="the model")
    spatial_auc: float | None = Field(description="AUC of the pooled out-of-fold scores, "
                                      "spatial blocks")
    random_auc: float | None = Field(description="the same, stratified random folds")
    spatial_fold_auc: list[float | None] = Field(description="AUC of each spatial fold")
    random_fold_auc: list[float | None] = Field(description="AUC of each random fold")
    block_size_m: float = Field(description="side of the spatial blocks, m")
    n_splits: int = Field(description="folds (count)")
    n_blocks: int = Field(description="blocks holding samples (count)")
    sampling: str = Field(description="how the negatives were drawn")
    importance: list[ImportanceOut] = Field(description="per layer, most important first")


class TargetRowOut(Schema):
    """A drilling target: a connected patch of the best cells."""

    rank: int = Field(description="1 for the best")
    cells: int = Field(description="raster cells (count)")
    area_km2: float = Field(description="area, km²")
    max_prospectivity: float = Field(description="highest posterior probability in it")
    mean_prospectivity: float = Field(description="mean posterior probability")
    expected_deposits: float = Field(description="deposits the posterior expects in it")
    mean_std: float | None = Field(description="mean standard deviation of the posterior")
    known_deposits: int = Field(description="known deposits in it (count)")
    centroid_x: float = Field(description="centroid easting, m (grid CRS)")
    centroid_y: float = Field(description="centroid northing, m (grid CRS)")
    lon: float | None = Field(description="centroid longitude, WGS 84 degrees; null without a "
                              "CRS")
    lat: float | None = Field(description="centroid latitude, WGS 84 degrees; null without a "
                              "CRS")


class TargetsOut(Schema):
    """The targets: the best cells of the study area, patch by patch."""

    threshold: float = Field(description="posterior probability the cells reach")
    asked_area_fraction: float = Field(description="the fraction of the area asked, 0-1")
    area_fraction: float = Field(description="the fraction they cover, 0-1")
    count: int = Field(description="targets found (count; the GeoPackage holds them all)")
    rows: list[TargetRowOut] = Field(description="the best 50, best first")


class DepositsOut(Schema):
    """The known deposits in the study area, in the grid's CRS."""

    x: list[float] = Field(description="eastings, m")
    y: list[float] = Field(description="northings, m")


class StudySummaryOut(Schema):
    """A prospectivity study's summary."""

    study: str = Field(description="the study's id")
    name: str = Field(description="its display name")
    owner: StudyOwnerOut = Field(description="whose scope it was run in")
    created: str = Field(description="when it was run, ISO 8601 UTC")
    grid: str = Field(description="CRS, cell size and size of the evidence grid, in words")
    crs: str | None = Field(description="the grid's CRS; null without one")
    cell_area_km2: float = Field(description="area of a raster cell, km²")
    study_area_km2: float = Field(description="area of the study area, km²")
    n_deposits: int = Field(description="known deposits in the study area (count)")
    deposits_file: str = Field(description="the deposits' file name")
    evidence_files: list[str] = Field(description="the evidence GeoTIFFs' file names")
    params: StudyParamsOut = Field(description="how it treated its evidence")
    prior_probability: float = Field(description="deposits per unit cell of the study area")
    layers: list[WeightsTableOut] = Field(description="weights of evidence, layer by layer")
    auc: float | None = Field(description="area under the ROC curve of the posterior map")
    roc: RocCurveOut = Field(description="ROC curve of the posterior map")
    success_rate: SuccessRateOut = Field(description="success-rate curve of the posterior map")
    unique_conditions: int = Field(description="unique overlay conditions of the layers "
                                   "(count)")
    conditional_independence: ConditionalIndependenceOut = Field(
        description="conditional-independence test of the layers")
    ml: MachineLearningOut = Field(description="machine-learning check of the evidence")
    targets: TargetsOut = Field(description="the drilling targets")
    deposits: DepositsOut = Field(description="the known deposits in the study area")
