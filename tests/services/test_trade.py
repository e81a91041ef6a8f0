"""Supply security (issue 23): customs statistics stored with no partial write, the analysis
stored on every write, scope on reads and writes, overseas records append-only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.demo.seed.trade import AGREEMENTS, customs_rows
from aurum.services import trade as service
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.audit import AppendOnlyViolation
from aurum.store.db import transaction
from aurum.store.models import CustomsImport, TradeAnalysis
from aurum.trade.overseas import CsrRecord, Project
from tests.factories import Registry

TODAY = date(2026, 12, 7)


def _csv(year: int | None = None) -> bytes:
    rows = customs_rows()
    if year is not None:
        rows = rows[rows["month"].str.startswith(str(year))]
    return rows.to_csv(index=False).encode()


def _import(platform: Platform, actor: Actor, data: bytes, name: str = "customs.csv") -> int:
    with transaction(platform.sessions, actor.user_id) as s:
        return service.import_customs(s, actor, data, name, TODAY).id


def test_import_stores_rows_and_the_analysis(platform: Platform, reg: Registry) -> None:
    _import(platform, reg.regulator, _csv())
    with platform.sessions() as s:
        n = s.scalar(select(func.count()).select_from(CustomsImport))
        assert n == len(customs_rows())
        years = service.concentration_table(s, reg.auditor, "year")
        months = service.concentration_table(s, reg.auditor, "month", 2025)
        card = service.supply_risk_card(s, reg.regulator_sd)
    assert set(years["period"]) == {"2024", "2025", "2026"}
    assert len(months[months["commodity"] == "all"]) == 12
    assert ((years["hhi"] > 0) & (years["hhi"] <= 10_000)).all()
    assert card is not None and card["year"] == 2025  # the latest complete year
    assert card["level"] in {"low", "moderate", "high"}


def test_a_row_already_stored_refuses_the_whole_file(platform: Platform, reg: Registry
                                                     ) -> None:
    _import(platform, reg.admin, _csv(2024))
    both = customs_rows()
    both = both[both["month"] <= "2025-01"].to_csv(index=False).encode()
    with pytest.raises(ValidationError, match="already stored"):
        _import(platform, reg.admin, both)
    with platform.sessions() as s:  # nothing of January 2025 was written
        assert s.scalar(select(func.count()).select_from(CustomsImport)
                        .where(CustomsImport.month == "2025-01")) == 0


def test_only_national_writers_import_and_readers_read(platform: Platform, reg: Registry
                                                       ) -> None:
    for actor in (reg.ent_a, reg.regulator_sd, reg.auditor):
        with pytest.raises(PermissionDenied):
            _import(platform, actor, _csv(2024))
    with platform.sessions() as s, pytest.raises(PermissionDenied):
        service.trade_view(s, reg.ent_a)
    with platform.sessions() as s:
        assert service.supply_risk_card(s, reg.ent_a) is None


def test_agreements_cover_imports_and_corrections_supersede(platform: Platform, reg: Registry
                                                            ) -> None:
    _import(platform, reg.admin, _csv())
    with transaction(platform.sessions, reg.admin.user_id) as s:
        first = service.add_agreement(s, reg.regulator, AGREEMENTS[0]).id
        service.add_agreement(s, reg.regulator, replace(AGREEMENTS[0], tonnes_per_year=1e5),
                              supersedes=first)
    with platform.sessions() as s:
        table = service.agreements_frame(s, reg.auditor)
        analysis = service.latest_analysis(s, reg.auditor)
    assert table["tonnes_per_year"].tolist() == [1e5]
    assert analysis is not None
    ore_2025 = next(c for c in analysis.coverage if c["year"] == 2025 and c["commodity"] == "ore")
    assert 0 < ore_2025["coverage_pct"] <= 100
    with transaction(platform.sessions, reg.admin.user_id) as s, pytest.raises(ValidationError):
        service.add_agreement(s, reg.admin, replace(AGREEMENTS[0], partner="XK"))


PROJECT = Project("A-KZ1", "Steppe Mine", "KZ", "mine", "production", 60.0, 2000.0, True, 2025,
                  69.1, 49.8)


def test_projects_are_the_enterprises_own_and_corrections_are_versions(
        platform: Platform, reg: Registry) -> None:
    _import(platform, reg.admin, _csv())
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        service.record_project(s, reg.ent_a, "ENT-A", PROJECT)
        service.record_csr(s, reg.ent_a, "ENT-A", CsrRecord("A-KZ1", 2025, 1e6, 80, 100, 0, 5, 4))
        with pytest.raises(ValidationError, match="reason"):
            service.record_project(s, reg.ent_a, "ENT-A", replace(PROJECT, ownership_pct=65))
        service.record_project(s, reg.ent_a, "ENT-A", replace(PROJECT, ownership_pct=65),
                               "equity raised in December")
    with transaction(platform.sessions, reg.ent_b.user_id) as s, pytest.raises(NotFoundError):
        service.record_project(s, reg.ent_b, "ENT-A", PROJECT)
    with transaction(platform.sessions, reg.auditor.user_id) as s, pytest.raises(
            PermissionDenied):
        service.record_project(s, reg.auditor, "ENT-A", PROJECT)
    with platform.sessions() as s:
        mine = service.projects_frame(s, reg.ent_a)
        assert mine["ownership_pct"].tolist() == [65.0]
        assert len(service.projects_frame(s, reg.ent_a, history=True)) == 2
        assert service.projects_frame(s, reg.ent_b).empty
        assert len(service.projects_frame(s, reg.regulator_sd)) == 1  # ENT-A is in Shandong
        assert service.csr_frame(s, reg.regulator)["resolution_rate_pct"].tolist() == [80.0]
        flow = s.scalars(select(TradeAnalysis).order_by(TradeAnalysis.id.desc())).first()
        assert flow is not None
        kz = [f for f in flow.flow_back if f["year"] == 2025 and f["country"] == "KZ"]
        assert kz and kz[0]["attributable_output_kg"] == pytest.approx(1300.0)


def test_stored_rows_cannot_change(platform: Platform, reg: Registry) -> None:
    _import(platform, reg.admin, _csv(2024))
    with pytest.raises(AppendOnlyViolation), transaction(platform.sessions) as s:
        row = s.scalars(select(CustomsImport).limit(1)).one()
        row.quantity_kg = 0.0
        s.flush()
    with pytest.raises(DBAPIError, match=r"(?i)append"), transaction(platform.sessions) as s:
        s.execute(text("UPDATE trade_customs_imports SET quantity_kg = 0"))
