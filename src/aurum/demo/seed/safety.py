"""The work-safety demo over a seeded registry: a year of the hazard register, and tailings
facilities with simulated monitoring that opens hazards their enterprise then works on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from aurum.core.time import in_cst
from aurum.demo.seed.registry import DemoActors, operating_sites
from aurum.safety.sensors import AlarmLevel
from aurum.safety.tailings import DamType, TailingsDesign, demo_design, simulate_stream
from aurum.services import registry
from aurum.services.auth import SYSTEM, Actor
from aurum.services.platform import Platform
from aurum.services.safety import (
    FacilitySpec,
    HazardReport,
    IngestResult,
    SensorSpec,
    acknowledge,
    act,
    escalate_overdue,
    get_hazard,
    ingest,
    put_file,
    register_facility,
    register_sensor,
    report_hazard,
)
from aurum.store.db import transaction
from aurum.store.models import Site

# The register's texts as the mines' safety staff write them (the demo's users are Chinese).
_DEMO_GENERAL = (
    ("运输巷道顶板有浮石", "敲帮问顶，撬除浮石并补打锚杆"),
    ("矿石皮带机尾轮防护罩缺失", "恢复防护罩"),
    ("提升机房灭火器超过检验期", "更换灭火器"),
    ("回风巷风门未关闭", "关闭风门并设置闭锁"),
    ("副井梯子间扶手锈蚀", "更换扶手"),
    ("采场入口缺少爆破警示标志", "设置警示标志"),
    ("斜坡道排水沟积水", "清理排水沟"),
    ("水泵房配电柜未上锁挂牌", "加装上锁挂牌装置"),
)
_DEMO_MAJOR = (
    ("UG-19", "充填采场顶板未按设计支护"),
    ("UG-07", "主排水泵房设计要求三台水泵，实际只有两台运行"),
    ("UG-20", "主通风机备用电机不能正常运转"),
    ("UG-17", "老采场采空区未按设计充填"),
    ("UG-01", "深部中段第二安全出口被废石堵塞"),
)
# Where each demo hazard ends: (state, level, overdue), in the order they are made.
_DEMO_PLAN = (
    *[("closed", "general", False)] * 11, *[("closed", "major", False)] * 3,
    ("reopened", "general", False), ("rejected", "general", True),
    *[("verified", "general", False)] * 2, *[("rectified", "general", False)] * 2,
    ("rectified", "major", False),
    *[("assigned", "general", False)] * 3, *[("assigned", "general", True)] * 2,
    *[("assigned", "major", True)] * 3, ("assigned", "major", False),
    *[("classified", "general", False)] * 2, ("classified", "major", False),
    *[("reported", "", False)] * 3,
)


def seed_hazards(session: Session, home: Path, actors: DemoActors, sites: list[Site],
                 now: datetime, seed: int) -> int:
    """A year of the demo register on underground mines of several enterprises: hazards in
    every state, general and major, some past their deadline; then the regulator's
    escalation of the overdue ones.

    Parameters
    ----------
    session : Session
        Open transaction.
    home : Path
        ``AURUM_HOME``, where the rectification records are kept.
    actors : DemoActors
        Who finds, rectifies, verifies and closes.
    sites : list of Site
        The mines the hazards are found at, in turn.
    now : datetime
        The end of the year of the register.
    seed : int
        Seed of the times and places.

    Returns
    -------
    int
        Number of hazards.
    """
    rng = np.random.default_rng(seed)
    today = in_cst(now).date()
    for n, (target, level, overdue) in enumerate(_DEMO_PLAN):
        site = sites[n % len(sites)]
        worker = actors.of(site)
        finder = actors.regulator if n % 5 == 0 else worker
        if level == "major":
            criterion, title = _DEMO_MAJOR[n % len(_DEMO_MAJOR)]
            fix = "按设计恢复并组织验收"
        else:
            criterion = None
            title, fix = _DEMO_GENERAL[n % len(_DEMO_GENERAL)]
        open_days = int(rng.integers(40, 330)) if target in ("closed", "reopened") \
            or overdue else int(rng.integers(3, 35))
        reported = now - timedelta(days=open_days, hours=float(rng.uniform(0, 8)))
        row = report_hazard(session, finder, home, HazardReport(
            site.code, title, f"{title}（{site.name_zh or site.name_en}安全检查发现）。",
            area=f"-{int(rng.integers(2, 12)) * 60} 米中段", level=level or None,
            criterion=criterion), at=reported)
        if target in ("reported", "classified"):
            continue
        term = int(rng.integers(10, 30))
        deadline = (reported + timedelta(days=term)).date() if target == "closed" or overdue \
            else today + timedelta(days=int(rng.integers(5, 40)))
        assigned = reported + timedelta(days=1)
        act(session, worker, home, row.id, "assign", deadline=deadline, at=assigned, note=fix,
            owner=f"{site.name_zh or site.name_en}安全环保部")
        if target == "assigned":
            continue
        rectified = min(assigned + timedelta(days=int(rng.integers(2, term))),
                        now - timedelta(days=2))
        record = put_file(home, f"隐患 {row.id}（{site.code}）整改记录：{fix}。\n".encode())
        act(session, worker, home, row.id, "rectify", evidence=[record], at=rectified,
            note=fix)
        if target == "rectified":
            continue
        if target == "rejected":
            act(session, actors.regulator, home, row.id, "reject", at=rectified
                + timedelta(days=1), note="照片未显示全长整改到位")
            continue
        act(session, actors.regulator, home, row.id, "verify", at=rectified
            + timedelta(hours=20))
        if target == "verified":
            continue
        act(session, actors.regulator, home, row.id, "close", at=rectified
            + timedelta(days=1))
        if target == "reopened":
            act(session, actors.regulator, home, row.id, "reopen", at=rectified
                + timedelta(days=12), deadline=today + timedelta(days=10),
                note="复查时再次发现")
    escalate_overdue(session, actors.regulator, today, now)
    return len(_DEMO_PLAN)


DEMO_DAYS = 20
"""Days of simulated readings the demo stores for each monitored facility."""


def _demo_sites(session: Session, actors: DemoActors, kind: str, count: int
                ) -> list[Site]:
    """Operating sites of a kind, one per organisation: a site of each demo user's first,
    then one of each province, then by code."""
    sites = [registry.get_site(session, actors.admin, code)
             for code in operating_sites(session, actors.admin, kind)]
    users = [a.org_ids or frozenset() for a in actors.enterprise.values()]
    first = [next(s for s in sites if s.org_id in ids) for ids in users
             if any(s.org_id in ids for s in sites)]
    provinces: dict[str, Site] = {}
    for site in sites:
        provinces.setdefault(site.province, site)
    picked: dict[int, Site] = {}
    for site in [*first, *provinces.values(), *sites]:
        picked.setdefault(site.org_id, site)
    return list(picked.values())[:count]


def _demo_design(quiet: bool) -> TailingsDesign:
    if not quiet:
        return demo_design()
    return TailingsDesign(name="quiet", grade=4, dam_type=DamType.DOWNSTREAM,
                          crest_elevation_m=85.0, beach_slope=0.008,
                          control_phreatic_depth_m=5.0, design_flood_level_m=84.4,
                          flood_control_level_m=84.0, operating_control_level_m=83.6)


def _monitor_demo_facility(platform: Platform, site: Site, quiet: bool, now: datetime,
                           seed: int) -> IngestResult:
    """Register a facility on a tailings site with the points of the simulated stream and
    store its last :data:`DEMO_DAYS` days: through a storm six days ago (red for a day, now
    easing off) or a shower (quiet)."""
    design = _demo_design(quiet)
    stream = simulate_stream(start=now - timedelta(days=DEMO_DAYS), days=DEMO_DAYS,
                             storm_day=DEMO_DAYS - 6, storm_rain_mm=60.0 if quiet else 260.0,
                             seed=seed, design=design)
    with transaction(platform.sessions) as s:
        register_facility(s, SYSTEM, FacilitySpec(
            site.code, site.code, site.name, design.dam_type.value, design.crest_elevation_m,
            design.beach_slope, design.control_phreatic_depth_m, grade=design.grade,
            design_flood_level_m=design.design_flood_level_m,
            flood_control_level_m=design.flood_control_level_m,
            operating_control_level_m=design.operating_control_level_m))
        for point in stream.points:
            register_sensor(s, SYSTEM, SensorSpec(site.code, point.id, point.kind.value,
                                                  facility=site.code,
                                                  surface_elevation_m=point.surface_elevation_m))
    readings = stream.readings.rename(columns={"point": "sensor"})
    with transaction(platform.sessions) as s:
        return ingest(s, SYSTEM, site.code, readings, source="demo simulator")


def seed_demo(platform: Platform, actors: DemoActors, seed: int = 2025,
              now: datetime | None = None) -> dict[str, int]:
    """The work-safety demo over a seeded registry.

    A year of hazards on underground mines of eight enterprises
    (:func:`seed_hazards`); two tailings facilities with their
    monitoring points and :data:`DEMO_DAYS` days of simulated readings up to ``now``: one
    through a storm that takes it to red (the alerts, a general and a major hazard opened
    by the monitoring, which its enterprise then works on), one through a shower.

    Parameters
    ----------
    platform : Platform
        Database holding the district's registry and demo users.
    actors : DemoActors
        Who acts: the regulator finds, verifies and closes, the enterprises rectify.
    seed : int
        Seed of the hazards' times and of the simulated readings.
    now : datetime, optional
        End of the simulated readings (default: the current hour).

    Returns
    -------
    dict
        ``hazards``, ``facilities``, ``readings``, ``alerts`` (counts).
    """
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    home = platform.settings.home
    with transaction(platform.sessions, actors.admin.user_id) as s:
        mines = _demo_sites(s, actors, "mine", 8)
        n_hazards = seed_hazards(s, home, actors, mines, now, seed) if mines else 0
        tailings = _demo_sites(s, actors, "tailings", 2)
    readings = alerts = opened = 0
    for n, site in enumerate(tailings):
        result = _monitor_demo_facility(platform, site, quiet=n > 0, now=now, seed=seed + n)
        readings += result.inserted
        alerts += len(result.alerts)
        opened += len(result.hazards)
        worker = actors.of(site)
        with transaction(platform.sessions, worker.user_id or None) as s:
            _work_on_monitoring(s, home, worker, result, now)
    return {"hazards": n_hazards + opened, "facilities": len(tailings), "readings": readings,
            "alerts": alerts}


def _work_on_monitoring(session: Session, home: Path, worker: Actor, result: IngestResult,
                        now: datetime) -> None:
    """What the facility's enterprise did since the storm: the lesser alerts acknowledged,
    the major hazard assigned (its deadline now passed), the general one rectified."""
    for alert in result.alerts:
        if alert["level_value"] <= int(AlarmLevel.YELLOW):
            acknowledge(session, worker, alert["id"], "Inspected on site; operation normal")
    for hazard_id in result.hazards:
        row = get_hazard(session, worker, hazard_id)
        opened = row.reported_at if row.reported_at.tzinfo else row.reported_at.replace(
            tzinfo=UTC)
        major = row.level == "major"
        act(session, worker, home, hazard_id, "assign", owner="Tailings facility manager",
            deadline=row.reported_on + timedelta(days=3 if major else 10),
            at=opened + timedelta(hours=3),
            note="Lower the pond through the decant tower; restore the beach")
        if not major:
            record = put_file(home, f"Flood routing record of {row.area}\n".encode())
            act(session, worker, home, hazard_id, "rectify", evidence=[record],
                at=min(opened + timedelta(days=3), now - timedelta(hours=1)),
                note="Pond lowered below the operating control level")
