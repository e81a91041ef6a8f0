"""The demo's standards registry (issue 22), written through the service.

The registry is the shipped file of the gold field's real standards
(``aurum/standards/data/gold_standards.yaml``: numbers and titles confirmed from public
sources). Beside it, **demo entries**, which are not real standards: group-standard drafts
``T/CGA 9xxx`` for the plan's four priority areas, planned and moved to drafting, each saying
so in its note. Demo enterprises of the district record that they apply real standards, with
indicators before and after (figures invented for the demo, within what mines report). Their
texts are written in Chinese, as the registry's keepers and the enterprises would write them;
the titles in both languages.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

from aurum.demo.district import District
from aurum.industry.registry import OrgType
from aurum.services import standards
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.standards.records import record_of
from aurum.store.db import transaction

REGISTRY_FILE = "黄金行业标准目录.yaml"
"""The name the shipped registry is recorded from (its entries' first history line)."""
DRAFTS_SOURCE = "团体标准立项计划（示例）"
"""What the demo drafts are recorded from."""
DEMO_NOTE = "示例条目：并非真实标准"
DEMO_COMMITTEE = "SAC/TC 379 全国黄金标准化技术委员会（示例）"
DRAFTING_REASON = "示例：形成征求意见稿"
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
     "氰化尾渣入库前脱氰处理，部分送水泥窑协同处置",
     [("尾渣浸出液氰化物浓度", "mg/L", 4.8, 0.9, "lower"),
      ("尾渣综合利用率", "%", 12.0, 31.0, "higher")]),
    ("hj-943-2018", OrgType.MINING, 1, date(2025, 1, 1),
     "尾渣贮存场防渗并覆盖",
     [("尾渣浸出液氰化物浓度", "mg/L", 3.5, 1.6, "lower"),
      ("尾渣综合利用率", "%", 20.0, 24.0, "higher")]),
    ("gb-16423-2020", OrgType.MINING, 0, date(2021, 9, 1),
     "各工作中段均设第二安全出口和避险硐室",
     [("百万工时损工伤害数", "1/Mh", 2.4, 1.1, "lower"),
      ("设两个安全出口的工作中段占比", "%", 78.0, 100.0, "higher")]),
    ("ys-t-3033-2018", OrgType.MINING, 2, date(2023, 1, 1),
     "生物氧化流程按标准逐月开展金属平衡",
     [("金的不明损失率", "%", 3.1, 1.2, "lower")]),
    ("gb-t-4134-2021", OrgType.NEW_MATERIALS, 0, date(2022, 1, 1),
     "金锭按 2021 版标准浇铸和标识",
     [("买方退回金锭", "‰", 1.8, 0.6, "lower")]),
)
"""Demo implementation records: standard, kind of organisation and which of them (in the
district's order), since when, what was done, indicators (name, unit, before, after,
better)."""


def seed_demo(platform: Platform, admin: Actor, district: District) -> None:
    """Write the registry, the demo drafts and the demo implementation records."""
    data = resources.files("aurum.standards").joinpath("data/gold_standards.yaml")
    with transaction(platform.sessions, admin.user_id) as s:
        standards.import_file(s, admin, data.read_bytes(), REGISTRY_FILE)
        # The drafts recorded together, as a keeper enters the year's plan.
        standards.import_records(s, admin, [record_of({
            "number": number, "title_zh": zh, "title_en": en, "status": "planned",
            "committee": DEMO_COMMITTEE, "tags": [tag], "source": "Aurum 示例",
            "confirmed": False, "note": DEMO_NOTE}, row, DRAFTS_SOURCE)
            for row, (number, zh, en, tag, _status) in enumerate(DRAFTS, start=1)],
            DRAFTS_SOURCE)
        for number, _zh, _en, _tag, status in DRAFTS:
            if status == "drafting":
                standards.change_status(s, admin, number, "drafting", date(2026, 3, 1),
                                        DRAFTING_REASON)
        orgs = {kind: [o.code for o in district.organisations if o.org_type == kind]
                for kind in (OrgType.MINING, OrgType.NEW_MATERIALS)}
        for key, kind, which, since, summary, indicators in IMPLEMENTATIONS:
            if which >= len(orgs[kind]):
                continue
            standards.record_implementation(
                s, admin, key, orgs[kind][which], since, summary,
                [{"name": n, "unit": u, "before": b, "after": a, "better": d}
                 for n, u, b, a, d in indicators])
