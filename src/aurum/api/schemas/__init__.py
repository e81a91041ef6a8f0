"""Typed request and response models of the JSON API: the contract ``/docs`` shows.

One module per router (``schemas/recycling.py`` for ``routers/recycling.py``). Response
models derive from :class:`Schema`, which refuses keys it does not declare: a service that
starts returning a field the contract does not name fails its tests loudly instead of the
field being dropped in silence. Tables (``?format=json|csv|xlsx``) declare their row model
with :func:`aurum.api.tables.table_responses`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """Base of every response model: declared keys only, immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Row(BaseModel):
    """Base of a table's row model (documentation of the JSON form of a table).

    Rows are rendered from data frames by :func:`aurum.api.tables.tabular`, not through
    this model; tests check that a table's JSON rows validate against it.
    """

    model_config = ConfigDict(extra="forbid")


__all__ = ["Row", "Schema"]
