"""Supply security of the gold industry (issue 23, the plan's Task 9): imports of gold ore and
concentrate and of gold by partner from customs statistics, the concentration of the sources
and a supply-risk indicator, long-term supply agreements, and enterprises' overseas projects
with their social-responsibility records. Pure: frames and dataclasses in and out.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "agreements": ("Agreement", "PRICE_BASES", "check_agreement", "coverage"),
    "countries": ("alpha3", "country_codes", "country_name", "is_country"),
    "imports": ("CustomsTable", "SupplyRisk", "check_customs", "concentration", "dependence",
                "read_customs", "risk_level", "supply_risk", "trends"),
    "overseas": ("CsrRecord", "Project", "STAGES", "check_csr", "check_project", "flow_back",
                 "resolution_rate_pct"),
})
