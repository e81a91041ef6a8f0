"""Every ORM write leaves an audit record; append-only rows refuse updates and deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aurum.services import registry
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import AuditRecord, Organisation, Upload


def test_create_update_delete_are_audited(platform: Platform, admin: Actor) -> None:
    with transaction(platform.sessions, admin.user_id) as s:
        org = registry.create_organisation(s, admin, "X1", "Xin Gold", "mining", "Henan")
        org_id = org.id
    with transaction(platform.sessions, admin.user_id) as s:
        s.get(Organisation, org_id).name = "Xin Gold Ltd"  # type: ignore[union-attr]
    with transaction(platform.sessions, admin.user_id) as s:
        s.delete(s.get(Organisation, org_id))
    with platform.sessions() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.entity == "organisations")
                         .order_by(AuditRecord.id)).all()
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert all(r.user_id == admin.user_id for r in rows)
    assert rows[0].after is not None and rows[0].after["name"] == "Xin Gold"
    assert rows[1].before is not None and rows[1].before["name"] == "Xin Gold"
    assert rows[1].after is not None and rows[1].after["name"] == "Xin Gold Ltd"
    assert rows[2].before is not None and rows[2].before["code"] == "X1"


def test_passwords_never_reach_the_audit_trail(platform: Platform, admin: Actor) -> None:
    with platform.sessions() as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.entity == "users")).all()
    assert rows and all(r.after and r.after["password_hash"] == "***" for r in rows)


def test_append_only_rows_cannot_change(platform: Platform, admin: Actor) -> None:
    with transaction(platform.sessions, admin.user_id) as s:
        s.add(Upload(filename="a.csv", status="accepted", n_rows=0, problems=[]))
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.scalars(select(Upload)).one().filename = "b.csv"
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.delete(s.scalars(select(Upload)).one())
    with platform.sessions() as s:
        assert s.scalars(select(Upload)).one().filename == "a.csv"
