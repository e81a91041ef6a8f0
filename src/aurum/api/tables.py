"""Every table the API or a page shows can be fetched as JSON, CSV or Excel."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any, Literal

import pandas as pd
from fastapi import Response

from aurum.api.labels import column
from aurum.core.i18n import _
from aurum.core.tables import for_export

TableFormat = Literal["json", "csv", "xlsx"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEYS_SHEET = "keys"
"""The Excel sheet that pairs each header with its machine key."""


def table_responses(row: type[Any], description: str = "The table") -> dict[int | str, Any]:
    """OpenAPI ``responses`` of a table route: JSON rows of model ``row``, CSV or Excel.

    Parameters
    ----------
    row : type of :class:`aurum.api.schemas.Row`
        The model of one row of the JSON form.
    description : str
        What the table holds.
    """
    return {200: {"model": list[row],  # type: ignore[valid-type]
                  "description": f"{description} (``format=json``; CSV or Excel with "
                                 "``format=csv`` or ``format=xlsx``)",
                  "content": {"text/csv": {}, XLSX: {}}}}


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """JSON-ready rows: NaN as null, dates as ISO text."""
    return list(json.loads(frame.to_json(orient="records", date_format="iso")))


def display_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows for a page: times to the minute (UTC), dates without a time."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            times = out[col].dt.tz_convert("UTC") if out[col].dt.tz else out[col]
            midnight = (times.dropna().dt.normalize() == times.dropna()).all()
            out[col] = times.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
        elif out[col].dtype == object and out[col].map(
                lambda v: isinstance(v, date)).any():
            out[col] = out[col].map(lambda v: v.isoformat() if isinstance(v, date) else v)
    return records(out)


def tabular(frame: pd.DataFrame, fmt: TableFormat, name: str) -> Response:
    """Render a frame in the requested format (a download for CSV and Excel).

    CSV and Excel cells are made inert and numbers rounded (:func:`aurum.core.tables.
    for_export`); the Excel sheet, read by people, has headers in the reader's language
    (:func:`aurum.api.labels.column`) and a second sheet naming each header's machine key,
    while JSON and CSV keep the machine keys programs read.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, with units in the column names.
    fmt : {"json", "csv", "xlsx"}
        Output format.
    name : str
        File name without extension.
    """
    if fmt == "csv":
        return Response(for_export(frame).to_csv(index=False),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "xlsx":
        buf = io.BytesIO()
        out = frame.copy()
        for col in out.select_dtypes(include=["datetimetz"]).columns:
            out[col] = out[col].dt.tz_localize(None)  # Excel has no time zones
        out = for_export(out)
        keys = [str(c) for c in out.columns]
        out.columns = [column(k) for k in keys]
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            out.to_excel(writer, index=False, sheet_name=name[:31])
            # The machine key of each header, for a reader who also has the CSV or the API.
            pd.DataFrame({_("Column"): list(out.columns), _("Machine key"): keys}).to_excel(
                writer, index=False, sheet_name=KEYS_SHEET)
        return Response(buf.getvalue(), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return Response(json.dumps(records(frame), ensure_ascii=False),
                    media_type="application/json")
