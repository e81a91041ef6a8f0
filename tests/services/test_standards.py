"""The standards registry's service (issue 22): who writes the registry, its status and the
implementation records; every reader reads; the history is append-only; imports are all or
nothing."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import func, select, text

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.services import standards as service
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import Standard, StandardImplementation, StandardStatusEvent
from tests.factories import Registry

SHIPPED = resources.files("aurum.standards").joinpath("data/gold_standards.yaml")
INDICATORS = [{"name": "cyanide in the residue", "unit": "mg/kg", "before": 20.0,
               "after": 4.0, "better": "lower"},
              {"name": "residue reused", "unit": "%", "before": 10.0, "after": 30.0,
               "better": "higher"}]


def shipped(platform: Platform, actor: Actor) -> int:
    with transaction(platform.sessions, actor.user_id) as s:
        return len(service.import_file(s, actor, SHIPPED.read_bytes(), "gold_standards.yaml"))


def call(platform: Platform, actor: Actor, fn: Any, *args: Any, **kwargs: Any) -> Any:
    with transaction(platform.sessions, actor.user_id) as s:
        result = fn(s, actor, *args, **kwargs)
        s.flush()
        s.expunge_all()
        return result


def count(platform: Platform, model: Any) -> int:
    with platform.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_keepers_import_the_registry_and_others_may_not(platform: Platform,
                                                        reg: Registry) -> None:
    for who in (reg.ent_a, reg.regulator_sd, reg.auditor):
        with pytest.raises(PermissionDenied):
            shipped(platform, who)
    assert count(platform, Standard) == 0
    assert shipped(platform, reg.regulator) >= 25
    with platform.sessions() as s:
        new = service.get_standard(s, reg.ent_b, "gb-t-4134-2021")
        assert new.supersedes is not None and new.supersedes.number == "GB/T 4134-2015"
        assert service.get_standard(s, reg.auditor, "GB/T 4134—2021").id == new.id
        events = s.scalars(select(StandardStatusEvent).where(
            StandardStatusEvent.standard_id == new.id)).all()
        assert [(e.from_status, e.to_status) for e in events] == [(None, "published")]
        with pytest.raises(NotFoundError):
            service.get_standard(s, reg.ent_a, "gb-t-1-2000")


def test_an_import_is_all_or_nothing(platform: Platform, reg: Registry) -> None:
    shipped(platform, reg.admin)
    before = count(platform, Standard)
    csv = ("number,title_zh,status,supersedes\n"
           "T/CGA 901-2026,新的,published,\n"
           "GB/T 4134-2021,金锭,published,\n"
           "GB/T 9999-2026,无,published,GB/T 9999-2010\n").encode()
    with pytest.raises(ValidationError) as refused:
        call(platform, reg.admin, service.import_file, csv, "new.csv")
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (3, "number"), (4, "supersedes")]
    assert count(platform, Standard) == before


def test_the_lifecycle_through_the_service(platform: Platform, reg: Registry) -> None:
    shipped(platform, reg.admin)
    with pytest.raises(PermissionDenied):
        call(platform, reg.ent_a, service.change_status, "gb-t-4134-2021", "under_revision",
             None, "revise")
    call(platform, reg.regulator, service.change_status, "gb-t-4134-2021", "under_revision",
         date(2026, 3, 1), "revision plan 2026")
    with pytest.raises(ValidationError, match="cannot go from under_revision to drafting"):
        call(platform, reg.regulator, service.change_status, "gb-t-4134-2021", "drafting",
             None, "back")
    # A new edition published, the old one withdrawn and superseded by it.
    call(platform, reg.admin, service.create_standard, {
        "number": "GB/T 4134-2026", "title_zh": "金锭", "status": "published",
        "published_on": "2026-06-01"})
    with pytest.raises(ValidationError, match="a revision keeps the series"):
        call(platform, reg.admin, service.change_status, "gb-t-4134-2021", "withdrawn",
             date(2026, 12, 1), "replaced", "GB 11887-2012")
    call(platform, reg.admin, service.change_status, "gb-t-4134-2021", "withdrawn",
         date(2026, 12, 1), "replaced", "GB/T 4134-2026")
    with platform.sessions() as s:
        view = service.standard_view(s, reg.ent_b, "gb-t-4134-2021")
        assert view.standard.status == "withdrawn"
        assert view.standard.withdrawn_on == date(2026, 12, 1)
        assert [e.to_status for e in view.history] == ["published", "under_revision",
                                                      "withdrawn"]
        assert [n.number for n in view.superseded_by] == ["GB/T 4134-2026"]
        assert view.allowed == [] and not view.can_edit
    with pytest.raises(ValidationError, match="withdrawn is final"):
        call(platform, reg.admin, service.change_status, "gb-t-4134-2021", "published",
             None, "again")


def test_status_history_is_append_only(platform: Platform, reg: Registry) -> None:
    shipped(platform, reg.admin)
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        s.scalars(select(StandardStatusEvent)).first().reason = "x"  # type: ignore[union-attr]
    with pytest.raises(Exception, match=r"(?i)append"), transaction(platform.sessions) as s:
        s.execute(text("UPDATE standard_status_events SET reason = 'x'"))


def test_implementation_records_scope_and_effect(platform: Platform, reg: Registry) -> None:
    shipped(platform, reg.admin)
    # Enterprises record for their own organisation only; regulators and auditors not at all.
    made = call(platform, reg.ent_a, service.record_implementation, "hj-943-2018", "ENT-A",
                date(2025, 1, 1), "detoxification of the residue", INDICATORS)
    with pytest.raises(NotFoundError):
        call(platform, reg.ent_a, service.record_implementation, "hj-943-2018", "ENT-B",
             date(2025, 1, 1), "not ours", INDICATORS)
    for who in (reg.regulator, reg.auditor):
        with pytest.raises(PermissionDenied):
            call(platform, who, service.record_implementation, "hj-943-2018", "ENT-B",
                 date(2025, 1, 1), "x", INDICATORS)
    call(platform, reg.ent_b, service.record_implementation, "hj-943-2018", "ENT-B",
         date(2025, 6, 1), "residue to a cement kiln", [
             INDICATORS[0] | {"before": 10.0, "after": 8.0}])
    # A withdrawn standard is not implemented; a bad indicator is refused, nothing stored.
    with pytest.raises(ValidationError, match="only a standard in force"):
        call(platform, reg.ent_a, service.record_implementation, "gb-t-4134-2015", "ENT-A",
             date(2025, 1, 1), "x", INDICATORS)
    with pytest.raises(ValidationError):
        call(platform, reg.ent_a, service.record_implementation, "hj-943-2018", "ENT-A",
             date(2025, 1, 1), "x", [INDICATORS[0] | {"after": "less"}])
    assert count(platform, StandardImplementation) == 2
    with platform.sessions() as s:
        # Readers see the records of their scope, and the effect over those.
        national = service.standard_view(s, reg.regulator, "hj-943-2018")
        assert len(national.implementations) == 2 and national.effect.organisations == 2
        cyanide = national.effect.indicators[0]
        # (20 → 4) is 0.8 better, (10 → 8) 0.2: mean 0.5.
        assert cyanide.records == 2 and cyanide.mean_improvement == pytest.approx(0.5)
        own = service.standard_view(s, reg.ent_a, "hj-943-2018")
        assert [r.organisation.code for r in own.implementations] == ["ENT-A"]
        shandong = service.standard_view(s, reg.regulator_sd, "hj-943-2018")
        assert [r.organisation.code for r in shandong.implementations] == ["ENT-A"]
        stored = s.get(StandardImplementation, made.id)
        assert stored is not None and stored.indicators[0]["improvement"] == pytest.approx(0.8)
    # A correction replaces the record it corrects in every view.
    call(platform, reg.ent_a, service.record_implementation, "hj-943-2018", "ENT-A",
         date(2025, 1, 1), "corrected", INDICATORS[:1], corrects=made.id)
    with platform.sessions() as s:
        own = service.standard_view(s, reg.ent_a, "hj-943-2018")
        assert [r.summary for r in own.implementations] == ["corrected"]
    with pytest.raises(NotFoundError):
        call(platform, reg.ent_b, service.record_implementation, "hj-943-2018", "ENT-B",
             date(2025, 1, 1), "x", INDICATORS, corrects=made.id)


def test_listing_and_the_map(platform: Platform, reg: Registry) -> None:
    total = shipped(platform, reg.admin)
    with platform.sessions() as s:
        assert len(service.list_standards(s, reg.ent_a)) == total
        green = service.list_standards(s, reg.ent_a, tag="green_low_carbon")
        assert "HJ 943-2018" in {r.number for r in green}
        assert all(r.status == "withdrawn"
                   for r in service.list_standards(s, reg.ent_a, status="withdrawn"))
        with pytest.raises(ValidationError):
            service.list_standards(s, reg.ent_a, status="valid")
        with pytest.raises(ValidationError):
            service.list_standards(s, reg.ent_a, level="national-ish")
        cells = service.map_counts(service.list_standards(s, reg.ent_a))
        assert sum(c["count"] for c in cells) >= total
        assert {"status": "published", "tag": "green_low_carbon"}.items() <= next(
            c for c in cells if c["tag"] == "green_low_carbon"
            and c["status"] == "published").items()


def test_counterparts_keep_their_history(platform: Platform, reg: Registry) -> None:
    shipped(platform, reg.admin)
    with pytest.raises(PermissionDenied):
        call(platform, reg.ent_a, service.add_counterpart, "gb-t-4134-2021", "LBMA",
             "LBMA Good Delivery Rules", "non_equivalent", "none")
    for recognition in ("in_negotiation", "recognised"):
        call(platform, reg.admin, service.add_counterpart, "gb-t-4134-2021", "LBMA",
             "LBMA Good Delivery Rules", "non_equivalent", recognition)
    with platform.sessions() as s:
        view = service.standard_view(s, reg.auditor, "gb-t-4134-2021")
        assert [(c.reference, c.recognition) for c in view.counterparts] == [
            ("LBMA Good Delivery Rules", "recognised")]
