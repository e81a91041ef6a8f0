"""3D resource modelling: drillholes, desurvey, compositing, variography, block models,
kriging and inverse distance, classification and resource statements. Pure: arrays and frames
in, arrays, frames and dataclasses out.

:func:`~aurum.resources.desurvey.desurvey`, :func:`~aurum.resources.estimate.estimate` and
:func:`~aurum.resources.classify.classify` are reached through their modules, whose names they
share.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "blockcheck": ("KrigingCheck", "kriging_check"),
    "blockmodel": ("BlockModel", "Mesh", "density_by_domain", "domain_codes", "flag_inside",
                   "read_mesh", "write_omf"),
    "classify": ("ClassRule", "ClassificationRules", "ResourceClass"),
    "composite": ("composite_by_length", "log_probability", "top_cut_analysis"),
    "delineate": ("INTERCEPT_COLUMNS", "delineate_orebodies", "intercept_table"),
    "drillholes": ("ColumnMapping", "DetectionRule", "DrillholeDatabase", "ProblemKind",
                   "read_drillholes"),
    "estimate": ("EstimationResult", "SearchNeighbourhood", "estimate_points"),
    "geoblocks": ("GeoBlocks", "SpacingRules", "geological_blocks", "read_intercepts",
                  "read_outline", "run_geoblocks", "write_geoblocks"),
    "gslib": ("read_gslib",),
    "indicators": ("IndustrialIndicators", "reference_indicators"),
    "ledger": ("ModelAtCutoff", "reserve_waterfall"),
    "orebody": ("check_attitude", "hole_direction", "orebody_normal", "project",
                "true_thickness"),
    "report": ("CATEGORIES", "GRADE_TONNAGE_SHEET", "LABELS", "STATEMENT_SHEET", "grade_tonnage",
               "resource_statement"),
    "runfile": ("write_blocks",),
    "samples": ("composite_samples",),
    "validate": ("cell_declustering", "cross_validation", "declustering_weights", "swath"),
    "variogram": ("Structure", "VariogramModel"),
    "variography": ("ExperimentalVariogram", "experimental_variogram", "fit_variogram",
                    "omnidirectional_variogram", "variogram_map"),
})
