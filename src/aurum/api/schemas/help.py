"""Response models of the help routes: the history of one object from the audit trail."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, JsonValue

from aurum.api.schemas import Schema


class ChangeOut(Schema):
    """One field of a record, before and after a change."""

    field: str = Field(description="Column of the record (machine key)")
    before: JsonValue = Field(description="Value before (null for a new record or field)")
    after: JsonValue = Field(description="Value after (null for a deleted record or field)")


class HistoryEntryOut(Schema):
    """One change of the object or of a record that belongs to it."""

    at: datetime = Field(description="When, UTC")
    actor: str | None = Field(description="Who (display name); null for the platform's own "
                              "processes")
    action: str = Field(description="create, update, delete, or a bulk write (amend, close, "
                        "ingest...)")
    entity: str = Field(description="Kind of record changed (a table name)")
    entity_id: str | None = Field(description="Id of the record changed")
    changes: list[ChangeOut] = Field(description="The fields that differ, before and after")
    reason: str | None = Field(description="Why, when the writer said")


class HistoryOut(Schema):
    """A page of an object's history, newest first (100 changes a page)."""

    entity: str = Field(description="Kind of object: sites, reports, organisations, "
                        "safety_hazards or recycling_participants")
    entity_id: str = Field(description="The object's code (a report's or a hazard's "
                           "number)")
    name: str = Field(description="The object's name")
    page: int = Field(description="This page, from 1")
    pages: int = Field(description="Number of pages")
    total: int = Field(description="Number of changes in all pages")
    entries: list[HistoryEntryOut]
