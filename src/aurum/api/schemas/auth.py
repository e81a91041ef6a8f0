"""Request and response models of the login and token routes (``/api/v1/tokens``,
``/api/v1/me``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from aurum.api.schemas import Schema
from aurum.services import auth

MAX_PASSWORD_CHARS = 1024
"""Longest password accepted for checking (argon2 time grows with the input)."""


class TokenRequest(BaseModel):
    """A username and password to exchange for a bearer token."""

    username: str = Field(max_length=64)
    password: str = Field(max_length=MAX_PASSWORD_CHARS)
    name: str = Field("api", max_length=100)
    expires_in_days: Annotated[int, auth.TOKEN_LIFETIME_DAYS.field(
        "days until the token stops working")] = auth.TOKEN_DAYS_DEFAULT


class TokenOut(Schema):
    """An API token as its owner sees it (never the token itself)."""

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    status: str = Field(description="active, expired or revoked")
    current: bool = Field(False, description="the token this call was made with")


class IssuedTokenOut(Schema):
    """A new bearer token."""

    token: str = Field(description="the bearer token: shown once, stored only hashed")
    token_type: str = "bearer"
    id: int
    name: str
    expires_at: datetime


class MeOut(Schema):
    """Who the caller is and what it may read."""

    user_id: int = Field(description="The caller's user id")
    username: str = Field(description="The caller's login name")
    role: str = Field(description="admin, regulator, enterprise, auditor or recycler")
    province: str | None = Field(description="The province a provincial regulator reads; "
                                 "null for others")
    organisations: list[int] | None = Field(description="Ids of the organisations the "
                                            "caller may read, ascending; null for all")
