"""A small registry for service and API tests: two enterprises in two provinces."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from aurum.services import registry
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.services.registry import SiteSpec
from aurum.store.db import transaction

PASSWORD = "test-password-123"


@dataclass
class Registry:
    admin: Actor
    ent_a: Actor
    ent_b: Actor
    regulator: Actor
    regulator_sd: Actor
    auditor: Actor


def small_registry(platform: Platform, admin: Actor) -> Registry:
    """Enterprise ENT-A (Shandong: mine SD-A-01 800 t/d, plant SD-A-02) and ENT-B (Gansu:
    mine GS-B-01 300 t/d) with one user each, a national and a Shandong regulator, an auditor."""
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "GRP", "Test Gold Group", "group", "Shandong")
        registry.create_organisation(s, admin, "ENT-A", "Alpha Gold Co.", "mining", "Shandong",
                                     parent_code="GRP")
        registry.create_organisation(s, admin, "ENT-B", "Beta Gold Co.", "mining", "Gansu")
        for spec in (
            SiteSpec("SD-A-01", "ENT-A", "Alpha Mine", "mine", "Shandong", "underground",
                     design_capacity_tpd=800, depth_m=900, lon=120.3, lat=37.4),
            SiteSpec("SD-A-02", "ENT-A", "Alpha Plant", "plant", "Shandong",
                     plant_type="processing_plant", design_capacity_tpd=400,
                     commissioned_on=date(2025, 5, 1), lon=120.1, lat=37.2),
            SiteSpec("GS-B-01", "ENT-B", "Beta Mine", "mine", "Gansu", "open_pit",
                     design_capacity_tpd=300, lon=104.1, lat=35.0),
        ):
            registry.create_site(s, admin, spec)
        users = {
            "ent_a": create_user(s, "alpha", PASSWORD, Role.ENTERPRISE, org_code="ENT-A"),
            "ent_b": create_user(s, "beta", PASSWORD, Role.ENTERPRISE, org_code="ENT-B"),
            "regulator": create_user(s, "miit", PASSWORD, Role.REGULATOR),
            "regulator_sd": create_user(s, "sd-miit", PASSWORD, Role.REGULATOR,
                                        province="Shandong"),
            "auditor": create_user(s, "audit", PASSWORD, Role.AUDITOR),
        }
        actors = {k: actor_for(s, u) for k, u in users.items()}
    return Registry(admin=admin, **actors)


def report_csv(rows: list[dict[str, object]]) -> bytes:
    """A CSV upload from dictionaries (columns = union of keys, in first-seen order)."""
    columns: list[str] = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


GOOD_ROW: dict[str, object] = {
    "site": "SD-A-01", "period": "2024-Q1", "ore_mined_t": 70000, "ore_treated_t": 68000,
    "head_grade_gpt": 4.2, "gold_own_mine_kg": 260.5, "silver_kg": 120,
    "resources_measured_t": 20, "resources_indicated_t": 30, "resources_inferred_t": 25,
    "reserves_proved_t": 15, "reserves_probable_t": 20,
    "waste_tailings_generated_t": 66000, "waste_tailings_stock_t": 1000,
    "waste_tailings_used_backfill_t": 20000,
}
