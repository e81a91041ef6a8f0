"""Response models of the notification centre (``/api/v1/notifications``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from aurum.api.schemas import Schema

Kind = Literal["overdue", "returned", "review", "due", "alert", "match"]
"""Kinds of notification (:data:`aurum.services.notifications.KINDS`)."""


class NotificationOut(Schema):
    """One thing that waits for the caller."""

    kind: Kind = Field(description="overdue or due report, returned report, report to review, "
                       "new standing alert, supply-demand match")
    title: str = Field(description="what it is, in the caller's language")
    link: str = Field(description="the page where it is acted on")
    date: dt.date = Field(description="its day in Beijing: due date, day of the return, of the "
                       "submission or of the alert")
    severity: Literal["danger", "warning", "info"]


class NotificationsOut(Schema):
    """What waits for the caller, the most pressing first."""

    count: int = Field(ge=0, description="how many wait in all")
    counts: dict[Kind, int] = Field(description="how many wait, per kind")
    items: list[NotificationOut] = Field(description="the most pressing first, at most "
                                         "the limit asked for")
