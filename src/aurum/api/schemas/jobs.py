"""Request and response models of the job routes (``/api/v1/jobs``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aurum.api.schemas import Schema
from aurum.api.schemas.planning import PitWhatIf
from aurum.api.schemas.underground import StopePlanIn
from aurum.core.checks import (
    MAX_COMPOSITE_M,
    MAX_GRADE_COLUMN_CHARS,
    MAX_SCENARIO_NAME_CHARS,
    DbId,
)


class PitStudyParams(PitWhatIf):
    """The pit page's what-if on a stored model, kept as a saved scenario."""

    model_id: DbId
    scenario_name: str | None = Field(
        None, min_length=1, max_length=MAX_SCENARIO_NAME_CHARS,
        description="the name of the saved scenario the study is kept as (default: the "
        "economics that differ from the defaults)")


class PitStudyJobIn(BaseModel):
    """A pit study as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["pit_study"]
    params: PitStudyParams


class JobFile(BaseModel):
    """A file sent first to ``POST /api/v1/jobs/inputs``."""

    model_config = ConfigDict(extra="forbid")

    digest: str = Field(pattern=r"^[0-9a-f]{64}$", description="its SHA-256, as kept")
    name: str = Field(min_length=1, max_length=200,
                      description="its file name (the extension tells its format)")


class EstimationParams(BaseModel):
    """A model estimated and its statement published, as ``POST /api/v1/resources/estimate``
    does, from files uploaded first with ``POST /api/v1/jobs/inputs``."""

    model_config = ConfigDict(extra="forbid")

    spec: JobFile = Field(description="the spec (YAML: the run-file keys without paths, plus "
                          "site, year, density t/m³, cutoff g/t and classification)")
    samples: JobFile = Field(description="the composites (CSV: x, y, z in m, value in g/t, "
                             "optional hole)")


class EstimationJobIn(BaseModel):
    """An estimation as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["estimation"]
    params: EstimationParams


MAX_EVIDENCE_LAYERS = 64
"""Evidence layers one prospectivity study takes at most."""


class ProspectivityParams(BaseModel):
    """A prospectivity study as ``POST /api/v1/prospect/studies`` runs it, from files sent
    first with ``POST /api/v1/jobs/inputs``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200, description="display name (default: the first "
                      "layer's file name)")
    evidence: list[JobFile] = Field(min_length=1, max_length=MAX_EVIDENCE_LAYERS,
                                    description="GeoTIFFs on one grid (.tif, .tiff)")
    deposits: JobFile = Field(description="points: a GeoPackage (.gpkg) or a zipped "
                              "shapefile (.zip)")
    mask: JobFile | None = Field(None, description="study-area GeoTIFF")
    params: dict[str, Any] = Field(
        default_factory=dict, description="as the study route's params: thresholds, "
        "cumulative, unit_area_km2, confidence, target_area_fraction, estimator, …")


class ProspectivityJobIn(BaseModel):
    """A prospectivity study as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["prospectivity"]
    params: ProspectivityParams


class NoParams(BaseModel):
    """A job that takes no parameters."""

    model_config = ConfigDict(extra="forbid")


class ProspectivityDemoJobIn(BaseModel):
    """The prospectivity demo study (Cloncurry IOCG) as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["prospectivity_demo"]
    params: NoParams = Field(default_factory=NoParams)


class ReportImportParams(BaseModel):
    """A file of statistical reports imported as ``POST /api/v1/reports/upload`` does (all or
    nothing), sent first with ``POST /api/v1/jobs/inputs``."""

    model_config = ConfigDict(extra="forbid")

    file: JobFile = Field(description="the reports (.csv or .xlsx, the upload template's "
                          "columns)")


class ReportImportJobIn(BaseModel):
    """A large file of reports imported as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["report_import"]
    params: ReportImportParams


class DrillholeCheckParams(BaseModel):
    """Drillholes checked, composited on one grade and top-cut as the drillholes page does,
    from files sent first with ``POST /api/v1/jobs/inputs`` (nothing of them is stored but
    the check, for its page)."""

    model_config = ConfigDict(extra="forbid")

    collar: JobFile = Field(description="collars (CSV: BHID, XCOLLAR, YCOLLAR, ZCOLLAR in m)")
    survey: JobFile = Field(description="surveys (CSV: BHID, AT in m, AZ, DIP in degrees)")
    assay: JobFile = Field(description="assays (CSV: BHID, FROM, TO in m, then grades)")
    grade: str = Field(min_length=1, max_length=MAX_GRADE_COLUMN_CHARS,
                       description="the assay column composited (AU, g/t)")
    composite: float = Field(2.0, gt=0.0, le=MAX_COMPOSITE_M,
                             description="composite length, m")


class DrillholeCheckJobIn(BaseModel):
    """A drillhole check as a job."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["drillhole_check"]
    params: DrillholeCheckParams


class StopePlanParams(StopePlanIn):
    """A stope plan as ``POST /api/v1/sites/{code}/stope-plans`` makes it: the plan's fields,
    the mine, and the values (``BLOCKS.csv``) sent first with ``POST /api/v1/jobs/inputs``
    when no model is named."""

    site: str = Field(min_length=1, max_length=32, description="the mine's code")
    blocks: JobFile | None = Field(None, description="BLOCKS.csv (i, j, k, value in CNY)")


class StopePlanJobIn(BaseModel):
    """A stope plan as a job (a large model)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["stope_plan"]
    params: StopePlanParams


JobIn = Annotated[PitStudyJobIn | EstimationJobIn | ProspectivityJobIn | ProspectivityDemoJobIn
                  | ReportImportJobIn | DrillholeCheckJobIn | StopePlanJobIn,
                  Field(discriminator="kind",
                        description="the kind of job and its parameters")]
"""A job request: one model per kind, told apart by ``kind``."""


class JobInputOut(Schema):
    """A file kept for jobs to read."""

    digest: str = Field(description="its SHA-256, the name a job's parameters give it")
    name: str = Field(description="its file name, made safe")
    bytes: int = Field(description="its size, bytes")


class JobOut(Schema):
    """A job as its submitter sees it."""

    id: int
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    progress: float = Field(ge=0.0, le=1.0, description="share of the work done, 0–1")
    message: str = Field(description="what the job is doing, or why it ended")
    result: dict[str, Any] | None = Field(
        description="when done: the kind's figures and ``url``, the page that shows them; "
                    "when failed on bad input: ``problems``")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
