"""The regulator's industry monitor: registry vocabulary, statistical reports, the plan's 2027
indicators, plant-scale compliance and industry concentration. Pure: no database, no HTTP."""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "aggregate": ("annual_site_rows", "period_table"),
    "kpi": ("BELOW_FLOOR", "CAPACITY_NOT_REPORTED", "COMPLIANT", "Concentration", "INDICATOR_IDS",
            "IndicatorReport", "IndicatorResult", "KPI_COLUMNS", "Status", "compute_indicators",
            "concentration", "plant_scale_compliance", "read_kpi_csv", "rollup",
            "validate_kpi_frame"),
    "quality": ("late_reports", "missing_quarters"),
    "registry": ("MineMethod", "OrgType", "PROVINCES", "PROVINCE_CENTRES", "PlantType", "SiteKind",
                 "SiteStatus", "site_type"),
    "reporting": ("FIELDS", "FIELD_BY_NAME", "ReportField", "ReportRow", "TEMPLATE_COLUMNS",
                  "Values", "WASTE_MEASURES", "WASTE_ROUTES", "WASTE_TYPES", "check_period_ended",
                  "check_values", "due_date", "gold_resources_t", "last_complete_year",
                  "mine_gold_kg", "months_due", "reporting_day", "waste_column",
                  "waste_generated_t", "waste_utilised_t"),
    "targets": ("IndicatorKind", "PlanTargets", "TARGETS_FILE", "load_targets", "parse_targets"),
})
