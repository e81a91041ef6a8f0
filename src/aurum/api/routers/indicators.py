"""The plan's indicators, roll-ups, compliance, concentration and data quality."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from aurum.api.deps import DB, ApiActor
from aurum.api.schemas.indicators import (
    ComplianceRow,
    DataQualityRow,
    GroupRow,
    IndicatorsOut,
    KpiRow,
    ProvinceRow,
)
from aurum.api.tables import TableFormat, table_responses, tabular
from aurum.core.checks import Year
from aurum.services import monitor

router = APIRouter(prefix="/api/v1", tags=["indicators"])


@router.get("/indicators")
def indicators(session: DB, actor: ApiActor, as_of: Year | None = None) -> IndicatorsOut:
    """The five indicators of the plan (same keys as ``aurum kpi --format json``), with the
    year-to-date comparison and industry concentration."""
    return IndicatorsOut.model_validate(monitor.build(session, actor, as_of).as_dict())


@router.get("/indicators/provinces", responses=table_responses(ProvinceRow, "Provinces"))
def provinces(session: DB, actor: ApiActor, as_of: Year | None = None,
              format: TableFormat = "json") -> Response:
    """The indicators per province."""
    return tabular(monitor.build(session, actor, as_of).provinces, format, "provinces")


@router.get("/indicators/groups", responses=table_responses(GroupRow, "Enterprise groups"))
def groups(session: DB, actor: ApiActor, as_of: Year | None = None,
           format: TableFormat = "json") -> Response:
    """The indicators per enterprise group."""
    return tabular(monitor.build(session, actor, as_of).groups, format, "groups")


@router.get("/indicators/rows", responses=table_responses(KpiRow, "Annual site rows"))
def kpi_rows(session: DB, actor: ApiActor, format: TableFormat = "csv") -> Response:
    """The annual site rows behind the indicators, in the exact layout of
    ``aurum kpi --reports``: the same file gives the same numbers offline."""
    return tabular(monitor.export_columns(monitor.kpi_frame(session, actor)), format,
                   "kpi-rows")


@router.get("/compliance", responses=table_responses(ComplianceRow, "New plants"))
def compliance(session: DB, actor: ApiActor, format: TableFormat = "json") -> Response:
    """Plants commissioned from 2025 against the plan's minimum daily capacity."""
    return tabular(monitor.build(session, actor).compliance, format, "compliance")


@router.get("/data-quality/{kind}", responses=table_responses(
    DataQualityRow, "Late reports (late) or missing quarters (missing)"))
def data_quality(kind: str, session: DB, actor: ApiActor,
                 format: TableFormat = "json") -> Response:
    """Late (``late``) or missing (``missing``) reports."""
    tables = monitor.data_quality(session, actor)
    if kind not in tables:
        raise HTTPException(404, "data quality tables: late, missing")
    return tabular(tables[kind], format, f"{kind}-reports")
