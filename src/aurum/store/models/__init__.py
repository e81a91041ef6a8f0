"""SQLAlchemy 2.0 typed models, one module per domain, all on one :class:`Base`.

Every model is importable from here (``from aurum.store.models import Site``); importing this
package maps them all, which relationships and Alembic's ``env.py`` need. A table whose rows are
never changed derives from :class:`AppendOnly`.
"""

from aurum.store.models.base import NAMING, AppendOnly, Authored, Base, OfSite, utcnow
from aurum.store.models.derived import DerivedResult
from aurum.store.models.gbt import BlockEstimate, IndustrialIndicatorVersion
from aurum.store.models.jobs import Job
from aurum.store.models.matching import (
    MatMatch,
    MatMatching,
    MatNeed,
    MatNeedRange,
    MatNeedStatus,
)
from aurum.store.models.materials import (
    MatBatch,
    MatCapability,
    MatDocument,
    MatEvaluation,
    MatProduct,
    MatSpec,
)
from aurum.store.models.metrology import (
    MetrologyReferenceMaterial,
    MetrologyResult,
    MetrologyRound,
    MetrologyStatistics,
)
from aurum.store.models.processing import (
    MetalAccount,
    MetalAccountClosing,
    PlantCircuit,
    WasteEntry,
)
from aurum.store.models.recycling import (
    CustodyAssay,
    CustodyBar,
    CustodyBarInput,
    CustodyLot,
    CustodyLotPurchase,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
    LedgerTreeHead,
    LedgerWitnessedCheckpoint,
    RecyclingCorrection,
    RecyclingParticipant,
    RecyclingPurchase,
    RecyclingReport,
    RecyclingReportReceipt,
    RecyclingReportSubmission,
    RecyclingSeller,
    RecyclingShop,
    RecyclingWatchListChange,
)
from aurum.store.models.registry import (
    ApiToken,
    AuditRecord,
    LoginFailure,
    Organisation,
    Site,
    User,
    UserSession,
)
from aurum.store.models.reporting import (
    Report,
    ReportDraft,
    ReportReview,
    ReportVersion,
    ReportWaste,
    Upload,
)
from aurum.store.models.resources import ResourceModel, ResourceStatement
from aurum.store.models.safety import (
    Alert,
    SafetyHazard,
    SafetyHazardEvent,
    Sensor,
    SensorReading,
    TailingsFacility,
)
from aurum.store.models.seismic import SeismicCatalogue, SeismicEvent, SeismicPick, SeismicStation
from aurum.store.models.standards import (
    Standard,
    StandardCounterpart,
    StandardImplementation,
    StandardStatusEvent,
)
from aurum.store.models.structure import StructureResult, StructureStudy
from aurum.store.models.trade import (
    CsrRecord,
    CustomsBatch,
    CustomsImport,
    OverseasProject,
    SupplyAgreement,
    TradeAnalysis,
)
from aurum.store.models.underground import StopePlan
from aurum.store.models.ventilation import VentNetwork, VentSolution

__all__ = [
    "NAMING", "Alert", "ApiToken", "AppendOnly", "AuditRecord", "Authored", "Base",
    "BlockEstimate", "CsrRecord", "CustodyAssay", "CustodyBar", "CustodyBarInput",
    "CustodyLot", "CustodyLotPurchase", "CustomsBatch", "CustomsImport", "DerivedResult",
    "IndustrialIndicatorVersion", "Job",
    "LedgerEntry", "LedgerHead", "LedgerNode", "LedgerTreeHead", "LedgerWitnessedCheckpoint",
    "LoginFailure", "MatBatch", "MatCapability", "MatDocument", "MatEvaluation",
    "MatMatch", "MatMatching", "MatNeed", "MatNeedRange", "MatNeedStatus",
    "MatProduct", "MatSpec", "MetalAccount", "MetalAccountClosing",
    "MetrologyReferenceMaterial", "MetrologyResult", "MetrologyRound", "MetrologyStatistics",
    "OfSite", "Organisation", "OverseasProject",
    "PlantCircuit", "RecyclingCorrection", "RecyclingParticipant", "RecyclingPurchase",
    "RecyclingReport", "RecyclingReportReceipt", "RecyclingReportSubmission",
    "RecyclingSeller", "RecyclingShop", "RecyclingWatchListChange", "Report", "ReportDraft",
    "ReportReview", "ReportVersion",
    "ReportWaste", "ResourceModel", "ResourceStatement", "SafetyHazard", "SafetyHazardEvent",
    "SeismicCatalogue", "SeismicEvent", "SeismicPick", "SeismicStation", "Sensor",
    "SensorReading", "Site", "Standard", "StandardCounterpart", "StandardImplementation",
    "StandardStatusEvent", "StopePlan", "StructureResult", "StructureStudy", "SupplyAgreement",
    "TailingsFacility", "TradeAnalysis",
    "Upload", "User", "UserSession",
    "VentNetwork", "VentSolution", "WasteEntry",
    "utcnow",
]
