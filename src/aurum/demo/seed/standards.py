"""The demo's standards registry (issue 22), written through the service.

The registry is the shipped file of the gold field's real standards
(``aurum/standards/data/gold_standards.yaml``: numbers and titles confirmed from public
sources). Beside it, **demo entries**, which are not real standards: group-standard drafts
``T/CGA 9xxx`` for the plan's four priority areas, planned and moved to drafting, each saying
so in its note. Demo enterprises of the district record that they apply real standards, with
indicators before and after (figures invented for the demo, within what mines report).
"""

from __future__ import annotations

from datetime import date
from importlib import resources

from aurum.demo.district import District
from aurum.industry.registry import OrgType
from aurum.services import standards
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction

DEMO_NOTE = "demo entry: not a real standard"
DRAFTS = (
    ("T/CGA 9001", "深井金矿开采地压监测技术规范(示例)",
     "Ground-pressure monitoring in deep gold mines (demo)", "deep_mining", "drafting"),
    ("T/CGA 9002", "黄金矿山碳排放核算方法(示例)",
     "Carbon accounting of gold mines (demo)", "green_low_carbon", "drafting"),
    ("T/CGA 9003", "智能金矿数据采集与接口规范(示例)",
     "Data collection and interfaces of intelligent gold mines (demo)",
     "digital_intelligent", "planned"),
    ("T/CGA 9004", "低温烧结纳米银(金)膏(示例)",
     "Low-temperature sintering nano silver (gold) paste (demo)", "new_materials",
     "drafting"),
    ("T/CGA 9005", "电子封装用金键合丝(示例)", "Gold bonding wire for electronic packaging (demo)",
     "new_materials", "planned"),
)
"""Demo group-standard projects: number (no year yet), titles, priority area, status."""

IMPLEMENTATIONS = (
    ("hj-943-2018", OrgType.MINING, 0, date(2024, 7, 1),
     "cyanide residue detoxified before storage; part sent to a cement kiln",
     [("cyanide in the residue leachate", "mg/L", 4.8, 0.9, "lower"),
      ("residue utilised", "%", 12.0, 31.0, "higher")]),
    ("hj-943-2018", OrgType.MINING, 1, date(2025, 1, 1),
     "residue storage lined and covered",
     [("cyanide in the residue leachate", "mg/L", 3.5, 1.6, "lower"),
      ("residue utilised", "%", 20.0, 24.0, "higher")]),
    ("gb-16423-2020", OrgType.MINING, 0, date(2021, 9, 1),
     "second exits and refuge chambers on every working level",
     [("lost-time injuries per million hours", "1/Mh", 2.4, 1.1, "lower"),
      ("working levels with two exits", "%", 78.0, 100.0, "higher")]),
    ("ys-t-3033-2018", OrgType.MINING, 2, date(2023, 1, 1),
     "monthly metal balance of the bio-oxidation circuit to the standard",
     [("unaccounted gold", "%", 3.1, 1.2, "lower")]),
    ("gb-t-4134-2021", OrgType.NEW_MATERIALS, 0, date(2022, 1, 1),
     "ingots cast and marked to the 2021 edition",
     [("ingots returned by buyers", "per 1000", 1.8, 0.6, "lower")]),
)
"""Demo implementation records: standard, kind of organisation and which of them (in the
district's order), since when, what was done, indicators (name, unit, before, after,
better)."""


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """Write the registry, the demo drafts and the demo implementation records."""
    data = resources.files("aurum.standards").joinpath("data/gold_standards.yaml")
    with transaction(platform.sessions, admin.user_id) as s:
        standards.import_file(s, admin, data.read_bytes(), "gold_standards.yaml")
        for number, zh, en, tag, status in DRAFTS:
            standards.create_standard(s, admin, {
                "number": number, "title_zh": zh, "title_en": en, "status": "planned",
                "committee": "SAC/TC 379 全国黄金标准化技术委员会 (demo)", "tags": [tag],
                "source": "Aurum demo", "confirmed": False, "note": DEMO_NOTE})
            if status == "drafting":
                standards.change_status(s, admin, number, "drafting", date(2026, 3, 1),
                                        "demo: working draft for comment")
        orgs = {kind: [o.code for o in district.organisations if o.org_type == kind]
                for kind in (OrgType.MINING, OrgType.NEW_MATERIALS)}
        for key, kind, which, since, summary, indicators in IMPLEMENTATIONS:
            if which >= len(orgs[kind]):
                continue
            standards.record_implementation(
                s, admin, key, orgs[kind][which], since, summary,
                [{"name": n, "unit": u, "before": b, "after": a, "better": d}
                 for n, u, b, a, d in indicators])
