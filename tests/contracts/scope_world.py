"""A small world with one object of every kind the routes address, owned twice over: mining
enterprises ENT-A (Shandong, a member of group GRP) and ENT-B (Gansu), recyclers RC-1
(Shandong) and RC-2 (Henan). The scope contract calls every route with the ids of one owner as
a caller outside that owner's scope.

Everything is written through the services (the path a user's request takes) in a few
seconds: small block models, short catalogues, three purchases a recycler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.grid import BlockGrid
from aurum.processing.examples import gold_plant
from aurum.resources.classify import ClassificationRules
from aurum.resources.estimate import SearchNeighbourhood
from aurum.resources.variogram import Structure, VariogramModel
from aurum.seismic.catalog import write_quakeml
from aurum.services import (
    gbt,
    jobs,
    matching,
    processing,
    prospect,
    recycling,
    registry,
    reporting,
    resources,
    safety,
    seismic,
    structure,
    underground,
    ventilation,
)
from aurum.services.auth import SYSTEM, Actor, Role, actor_for, create_user, issue_token
from aurum.services.platform import Platform
from aurum.services.registry import SiteSpec
from aurum.services.resources import EstimationSpec
from aurum.store.db import transaction
from aurum.store.models import ApiToken, User
from tests.factories import GOOD_ROW, PASSWORD, small_registry
from tests.recycling.helpers import purchase, seller_id, validated
from tests.services.test_gbt import DIP as VEIN_DIP
from tests.services.test_gbt import STRIKE as VEIN_STRIKE
from tests.services.test_gbt import vein_files
from tests.services.test_processing import _accounts
from tests.services.test_prospect import SYNTHETIC_PARAMS, synthetic_inputs
from tests.services.test_resources import synthetic_orebody
from tests.services.test_seismic import GRID, synthetic_catalogue
from tests.services.test_structure import small_study
from tests.services.test_underground import FIELDS as STOPE_FIELDS
from tests.services.test_underground import GRID as RICH_BOX_GRID
from tests.services.test_underground import rich_box_model
from tests.services.test_ventilation import small_network

MINES = {"A": "SD-A-01", "B": "GS-B-01"}
PLANTS = {"A": "SD-A-02", "B": "GS-B-02"}
ORGANISATIONS = {"A": "ENT-A", "B": "ENT-B"}
PROVINCES = {"A": "Shandong", "B": "Gansu"}
PROVINCE_CODES = {"A": "370000", "B": "620000"}
"""The provinces of each enterprise's sites, by name and by administrative code."""
RECYCLERS = {"RC-1": "Shandong", "RC-2": "Henan"}
REFINERS = {"RF-1": "Shandong", "RF-2": "Henan"}
"""A refiner in each recycler's province: a bar's custody chain is read by the refiner's
province (the recyclers' lots in it included), so each bar stays in one province."""
PUBLIC_KINDS = {"province"}
"""Kinds of objects whose names any page may show (every map names every province)."""
PERIOD = "2024-Q1"
"""Quarter of the statistical reports."""
AT = datetime(2025, 9, 1, 8, tzinfo=UTC)


@dataclass
class World:
    """Ids and codes of the world's objects as path text: ``objects[kind][owner]``, the owner
    ``A``/``B`` for the mining enterprises' objects, ``RC-1``/``RC-2`` for the recyclers'."""

    platform: Platform
    objects: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, kind: str, owner: str, value: object) -> None:
        self.objects.setdefault(kind, {})[owner] = str(value)

    def codes(self, owner: str) -> set[str]:
        """The codes and keys of an owner's objects that no other owner shares (numeric ids
        are left out: they appear in any text)."""
        return {v for kind, by_owner in self.objects.items() if kind not in PUBLIC_KINDS
                and (v := by_owner.get(owner)) and not v.isdigit()
                and v not in (w for o, w in by_owner.items() if o != owner)}


def _estimation_spec() -> EstimationSpec:
    # 10 x 10 x 5 blocks: a model, and a pit study of it, in a fraction of a second.
    return EstimationSpec(
        grid=BlockGrid((10.0, 10.0, -90.0), (20.0, 20.0, 20.0), (10, 10, 5)),
        model=VariogramModel(0.1, (Structure("spherical", 0.9, (120, 120, 60)),)),
        search=SearchNeighbourhood((150, 150, 75), min_samples=4, max_samples=16,
                                   max_per_hole=6),
        rules=ClassificationRules.from_dict({"measured": {"min_samples": 20, "min_slope": 0.97},
                                             "indicated": {"min_slope": 0.94}}),
        density_t_m3=2.7, cutoff_gpt=0.5, discretisation=(1, 1, 1))


def _actor(session: Session, username: str) -> Actor:
    return actor_for(session, session.scalars(select(User).where(User.username == username))
                     .one())


def _registry(platform: Platform, admin: Actor) -> dict[str, Actor]:
    """The small registry with a plant for ENT-B, the recyclers and a refiner, and a user of
    every role (all with :data:`tests.factories.PASSWORD`); the actors who own the objects."""
    reg = small_registry(platform, admin)
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_site(s, admin, SiteSpec(
            PLANTS["B"], "ENT-B", "Beta Plant", "plant", "Gansu",
            plant_type="processing_plant", design_capacity_tpd=300, lon=104.2, lat=35.1))
        for code, province in RECYCLERS.items():
            registry.create_organisation(s, admin, code, f"Recycler {code}", "recycling",
                                         province)
            recycling.register_participant(s, admin, code, f"Recycler {code}", org_code=code)
            create_user(s, code.lower().replace("-", ""), PASSWORD, Role.RECYCLER,
                        org_code=code)
        for refiner, province in REFINERS.items():
            recycling.register_participant(s, admin, refiner, f"{province} Refinery",
                                           role="refiner", province=province)
        create_user(s, "grp", PASSWORD, Role.ENTERPRISE, org_code="GRP")
        for owner, province in PROVINCES.items():  # a buyer of materials beside each owner
            registry.create_organisation(s, admin, f"DS-{owner}", f"Buyer {owner}",
                                         "downstream_user", province)
        create_user(s, "root", PASSWORD, Role.ADMIN)
        return {"A": reg.ent_a, "B": reg.ent_b, "RC-1": _actor(s, "rc1"),
                "RC-2": _actor(s, "rc2")}


def _mining(world: World, owner: str, actor: Actor, folder: Path) -> None:
    """API token, report, hazard with a file, facility, sensor, alert, catalogue, model, a
    geological-block estimate, a stope plan, a pit study job on the model, circuit and
    accounts, prospectivity study of one enterprise's user."""
    platform, home = world.platform, world.platform.settings.home
    mine, plant = MINES[owner], PLANTS[owner]
    world.add("organisation", owner, ORGANISATIONS[owner])
    world.add("province", owner, PROVINCES[owner])  # as briefings name it
    world.add("province_code", owner, PROVINCE_CODES[owner])  # as province pages name it
    world.add("site", owner, mine)
    world.add("plant", owner, plant)
    quakeml = folder / f"{owner}.xml"
    write_quakeml(synthetic_catalogue(n=30), quakeml, GRID)
    xyz, grade, holes = synthetic_orebody(1, 16)
    with transaction(platform.sessions, actor.user_id) as s:
        issue_token(s, actor.user_id, "scope contract")
        world.add("token", owner, s.scalars(select(ApiToken.id).where(
            ApiToken.user_id == actor.user_id)).one())
        values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
        world.add("report", owner, reporting.submit(s, actor, mine, PERIOD, values).report_id)
        hazard = safety.report_hazard(s, actor, home, safety.HazardReport(
            site=mine, title="Loose rock on the drift roof", description="not scaled"))
        world.add("hazard", owner, hazard.id)
        world.add("digest", owner, safety.upload_file(s, actor, home, hazard.id,
                                                      f"photo of {owner}".encode()))
        facility = f"{mine}-TF1"
        safety.register_facility(s, actor, safety.FacilitySpec(
            mine, facility, "Tailings", "upstream", 120.0, 0.01, 6.0, total_storage_m3=2.0e8,
            dam_height_m=70.0, design_flood_level_m=119.3))
        world.add("facility", owner, facility)
        safety.register_sensor(s, actor, safety.SensorSpec(
            mine, "BP1", "pressure_cell", "MPa", depth_m=61.0, rules=[]))
        world.add("sensor", owner, "BP1")
        alert = safety.raise_alert(s, SYSTEM, mine, source="seismic",
                                    rule="event_rate", level=2, time=AT, message="12 events/h")
        assert alert is not None
        world.add("alert", owner, alert["id"])
        seismic.configure(s, actor, mine, grid=GRID)
        seismic.import_quakeml(s, actor, mine, quakeml, rules=[])
        world.add("event", owner, int(seismic.events_frame(s, actor, mine)["id"].iloc[0]))
        statement = resources.estimate_and_state(s, actor, home, mine, 2024, xyz, grade,
                                                 _estimation_spec(), holes)
        world.add("statement", owner, statement.id)
        world.add("model", owner, statement.model_id)
        veins = vein_files(columns=3, levels=2)
        world.add("block_estimate", owner, gbt.estimate_blocks(
            s, actor, home, mine, 2024, *veins, "AU", VEIN_STRIKE, VEIN_DIP, 2.7).id)
        rich = resources.save_model(s, actor, home, mine, "rich box", rich_box_model(),
                                    "ordinary", {"grid": RICH_BOX_GRID}, "0" * 64)
        world.add("stope_plan", owner, underground.plan_from_fields(
            s, actor, home, mine, STOPE_FIELDS | {"model_id": rich.id}).id)
        world.add("vent_network", owner, ventilation.save_network(
            s, actor, mine, small_network(), "scope").id)
        # A materials need of the downstream user of the owner's province (posted for it by
        # the platform): read by its buyer, matched makers, admin and regulators only.
        world.add("need", owner, matching.post_need(
            s, SYSTEM, kind="bonding_wire", title=f"wire of {owner}",
            ranges=[{"property": "wire_diameter", "min": 20.0, "max": 30.0}], quantity=1.0,
            quantity_unit="km", needed_by=date(2030, 1, 1), org_code=f"DS-{owner}").id)
        # A province's consolidation study, stored by the platform (enterprises store none).
        world.add("structure_study", owner, structure.store_and_solve(
            s, SYSTEM, PROVINCES[owner], f"study of {owner}", small_study()).id)
        # Queued and never run: no worker consumes the world's queue.
        job = jobs.submit(s, actor, jobs.JobQueue(platform), "pit_study",
                          {"model_id": statement.model_id})
        world.add("job", owner, job.id)
        circuit = processing.save_circuit(s, actor, plant, "CIL", gold_plant(seed=3),
                                          period="2025-07")
        world.add("circuit", owner, circuit.id)
        processing.record_accounts(s, actor, _accounts().assign(site=plant))
    evidence, deposits, _, _ = synthetic_inputs(folder)
    study = prospect.study_from_uploads(actor, home, f"study of {owner}", evidence, deposits,
                                        params=SYNTHETIC_PARAMS)
    world.add("study", owner, study.key)


def _recycling(world: World, owners: dict[str, Actor], admin: Actor) -> None:
    """Per recycler: a large-cash pair and one small purchase, the report they call for,
    submitted, and a lot refined into a bar by the refiner of its province."""
    keys = recycling.LedgerKeys.load(world.platform.settings)
    with transaction(world.platform.sessions, admin.user_id) as s:
        for n, (code, refiner) in enumerate(zip(RECYCLERS, REFINERS, strict=True)):
            seller = seller_id(10 + n)
            rows = [purchase(recycler=code, amount_cny="60000", seller_id_number=seller,
                             occurred_at=f"2025-08-04T{hour}:00:00+08:00")
                    for hour in ("09", "17")]
            rows.append(purchase(recycler=code, payment_method="bank_transfer",
                                 seller_id_number=seller_id(20 + n)))
            seqs = recycling.append_purchases(s, owners[code], keys, validated(rows)).seqs
            world.add("organisation", code, code)
            world.add("seq", code, seqs[0])
            lot = f"L-{code}"
            recycling.dispatch_lot(s, admin, keys, lot, code, refiner, seqs[2:], AT)
            recycling.record_assay(s, admin, keys, lot, 9.99, 1000, "fire_assay", AT)
            serial = f"AU-{code}"
            recycling.record_bar(s, admin, keys, serial, refiner, 10, 999.0, {lot: 9.98}, AT)
            world.add("serial", code, serial)
        recycling.screen_reports(s, admin)
        for code in RECYCLERS:
            report = recycling.list_reports(s, owners[code], "all")[0]
            world.add("recycling_report", code, report["id"])
            submitted = recycling.submit_report(s, owners[code], report["id"])
            world.add("submission", code, submitted["submission_id"])
        recycling.sign_tree_head(s, keys)


def build_world(platform: Platform, admin: Actor, folder: Path) -> World:
    """Write the world into a migrated, empty database."""
    world = World(platform)
    owners = _registry(platform, admin)
    for owner in ("A", "B"):
        _mining(world, owner, owners[owner], folder / owner)
    _recycling(world, owners, admin)
    return world
