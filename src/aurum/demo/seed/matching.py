"""The demo's supply–demand matching (issue 22): needs of the downstream users of
:mod:`.materials`, posted through the service as their users would (each matched when
posted), so that the board shows needs met by a capable product, a need whose only candidate
is not capable, one no product is made for (both supply gaps), and a need closed once
ordered.

The days needed by are counted from the day the demo is seeded (a need in the past is
refused); the places are the buyers' cities. The titles are the buyers' own, in Chinese.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from aurum.core.time import today_cst
from aurum.demo.seed.materials import DOWNSTREAM_USERS
from aurum.services import matching
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import Organisation

NEEDS: tuple[dict[str, Any], ...] = (
    {"org_code": "DS-EL-SZ", "kind": "bonding_wire", "title": "QFN 封装用 4N 键合金丝",
     "ranges": [{"property": "wire_diameter", "min": 24.0, "max": 26.0},
                {"property": "purity", "min": 99.99},
                {"property": "breaking_load", "min": 7.0}],
     "quantity": 120.0, "quantity_unit": "km", "days": 90, "lat": 22.54, "lon": 114.06},
    {"org_code": "DS-EL-WX", "kind": "bonding_wire",
     "title": "LED 封装用银合金键合丝",
     "ranges": [{"property": "wire_diameter", "min": 19.0, "max": 21.0},
                {"property": "breaking_load", "min": 5.0, "max": 9.0}],
     "quantity": 400.0, "quantity_unit": "km", "days": 60, "lat": 31.49, "lon": 120.31},
    {"org_code": "DS-AE-XA", "kind": "solder", "title": "气密封盖用 AuSn20 焊料预成型片",
     "ranges": [{"property": "au_content", "min": 79.0, "max": 81.0},
                {"property": "melting_point", "min": 275.0, "max": 285.0}],
     "quantity": 2.0, "quantity_unit": "kg", "days": 120, "lat": 34.34, "lon": 108.94},
    {"org_code": "DS-MD-SH", "kind": "biomedical_contact",
     "title": "植入式医疗器械用金合金触点",
     "ranges": [{"property": "contact_resistance", "max": 5.0},
                {"property": "hardness", "min": 120.0, "max": 180.0}],
     "quantity": 5000.0, "quantity_unit": "pcs", "days": 150, "lat": 31.23, "lon": 121.47},
    {"org_code": "DS-PV-CZ", "kind": "pv_paste", "title": "PERC 产线用正面银浆",
     "ranges": [{"property": "sheet_resistance", "max": 3.0},
                {"property": "solids", "min": 87.0, "max": 93.0}],
     "quantity": 800.0, "quantity_unit": "kg", "days": 45, "lat": 31.81, "lon": 119.97},
)
"""The open needs: buyer, material kind, title, ranges, quantity, days from the seeding to the
day needed by, and the buyer's city (degrees)."""
CLOSED = {"org_code": "DS-EL-SZ", "kind": "target", "title": "键合焊盘用 5N 金靶材",
          "ranges": [{"property": "purity", "min": 99.999}], "quantity": 6.0,
          "quantity_unit": "pcs", "days": 30, "lat": 22.54, "lon": 114.06}
"""A need posted and closed once ordered (its history shows both entries)."""
CLOSED_REASON = "已向 JPA-TG-5N 下单"
"""Why it was closed, as the buyer writes it."""


def seed_demo(platform: Platform, admin: Actor) -> None:
    """Post the demo's needs for the downstream users (as an administrator on their behalf),
    each matched when posted, and close one; nothing when :mod:`.materials` registered no
    downstream users.

    Parameters
    ----------
    platform : Platform
        Database holding the demo's products.
    admin : Actor
        The administrator.
    """
    today = today_cst()
    with transaction(platform.sessions, admin.user_id) as s:
        if s.scalar(select(Organisation.id).where(Organisation.code.in_(DOWNSTREAM_USERS))
                    .limit(1)) is None:
            return
        for need in (*NEEDS, CLOSED):
            fields = {k: v for k, v in need.items() if k != "days"}
            posted = matching.post_need(s, admin, **fields,
                                        needed_by=today + timedelta(days=need["days"]),
                                        today=today)
        matching.set_status(s, admin, posted.id, "closed", CLOSED_REASON)
