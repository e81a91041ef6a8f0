"""Supply–demand matching (:mod:`aurum.services.matching`): a need posted by a downstream
user is matched to the products just inside its ranges only, the matching is stored with its
data version and redone when a product's capability changes, closing is a status entry, and
every read is kept to the parties (the buyer, the makers of matched products, admin,
regulators, auditors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.services import matching, materials, notifications, registry
from aurum.services.auth import Actor, Role, actor_for, create_user
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import MatMatching, MatNeed, MatNeedStatus
from tests.factories import PASSWORD, Registry

TODAY = date(2026, 12, 7)
NEED = {"kind": "bonding_wire", "title": "Gold bonding wire for LED packages",
        "ranges": [{"property": "wire_diameter", "min": 20.0, "max": 30.0},
                   {"property": "pull_strength", "min": 5.0}],
        "quantity": 50.0, "quantity_unit": "km", "needed_by": date(2027, 3, 1),
        "lat": 22.54, "lon": 114.06}


@dataclass
class Parties:
    buyer: Actor
    buyer_jiangsu: Actor
    maker_a: Actor
    maker_b: Actor
    maker_c: Actor
    reg: Registry


def _product(s, admin: Actor, code: str, maker: str, diameter: tuple[float, float],
             batches: list[tuple[float, float]]) -> None:
    materials.create_product(s, admin, code, "bonding_wire", "4N", f"Wire {code}",
                             f"键合金丝 {code}", {"wire_diameter": {"min": diameter[0],
                                                                 "max": diameter[1]},
                                                "pull_strength": {"min": 6.0}},
                             maker_code=maker)
    for k, (d, pull) in enumerate(batches, start=1):
        materials.add_batch(s, admin, code, f"B{k:03d}", date(2026, 11, k),
                            {"wire_diameter": d, "pull_strength": pull})


STEADY = [(25.0 + 0.1 * (-1) ** k, 8.0 + 0.1 * (-1) ** k) for k in range(8)]
"""Batches of a capable process: diameter 25 ± 0.1 µm, pull 8 ± 0.1 gf (Cpk far above
1.33 against 20–30 µm and 6 gf)."""
WANDERING = [(21.5, 8.0), (28.5, 8.1), (22.0, 7.9), (28.0, 8.0), (21.8, 8.1), (28.3, 7.9)]
"""Batches whose diameter swings across the range (Cpk far below 1.33)."""


@pytest.fixture
def parties(platform: Platform, admin: Actor, reg: Registry) -> Parties:
    """Two downstream users (Guangdong, Jiangsu), three makers (Shandong, Hunan, Shandong)
    and four bonding wires: MK-A's inside the need's ranges and capable, MK-B's just outside
    (19.99 µm) and one with a single batch (unproven), MK-C's inside but not capable."""
    with transaction(platform.sessions, admin.user_id) as s:
        for code, name, kind, province in (
                ("BUY", "Pearl River Electronics", "downstream_user", "Guangdong"),
                ("BUY-JS", "Suzhou Packaging", "downstream_user", "Jiangsu"),
                ("MK-A", "Jiaodong Alloys", "new_materials", "Shandong"),
                ("MK-B", "Xiangjiang Materials", "new_materials", "Hunan"),
                ("MK-C", "Yantai Wire", "new_materials", "Shandong")):
            registry.create_organisation(s, admin, code, name, kind, province)
        users = {name: actor_for(s, create_user(s, name, PASSWORD, Role.ENTERPRISE,
                                                org_code=code))
                 for name, code in (("buyer", "BUY"), ("buyer-js", "BUY-JS"),
                                    ("maker-a", "MK-A"), ("maker-b", "MK-B"),
                                    ("maker-c", "MK-C"))}
        _product(s, admin, "W-IN", "MK-A", (20.01, 29.99), STEADY)
        _product(s, admin, "W-OUT", "MK-B", (19.99, 28.0), STEADY)
        _product(s, admin, "W-NEW", "MK-B", (21.0, 29.0), STEADY[:1])
        _product(s, admin, "W-LOW", "MK-C", (21.0, 29.0), WANDERING)
    return Parties(users["buyer"], users["buyer-js"], users["maker-a"], users["maker-b"],
                   users["maker-c"], reg)


def _post(platform: Platform, actor: Actor, **changes: object) -> int:
    with transaction(platform.sessions, actor.user_id) as s:
        return matching.post_need(s, actor, **(NEED | changes), today=TODAY).id


def _codes(rows: list[dict]) -> list[str]:
    return [r["product"] for r in rows]


def test_a_need_matches_the_products_just_inside_only(platform: Platform,
                                                      parties: Parties) -> None:
    need_id = _post(platform, parties.buyer)
    with transaction(platform.sessions) as s:
        view = matching.need_view(s, parties.buyer, need_id)
    assert _codes(view.qualified) == ["W-IN"]
    assert _codes(view.unproven) == ["W-NEW"]
    assert view.rejected is not None and _codes(view.rejected) == ["W-OUT", "W-LOW"]
    verdicts = {r["product"]: [f["verdict"] for f in r["properties"]] for r in view.rejected}
    assert verdicts == {"W-OUT": ["outside", "inside"], "W-LOW": ["low_capability", "inside"]}
    best = view.qualified[0]
    assert best["rank"] == 1 and best["maker"] == "MK-A"
    diameter = best["properties"][0]
    assert (diameter["need_minimum"], diameter["product_minimum"]) == (20.0, 20.01)
    assert diameter["margin"] == pytest.approx(0.002)  # 0.01 µm of a half-width of 5 µm
    assert diameter["cpk"] > 1.33 and diameter["batches"] == 8
    # Shenzhen to MK-A's province (Shandong's centre, no located site): about 1,500 km.
    assert 1400 < best["distance_km"] < 1700
    assert view.need["matching"]["up_to_date"] is True
    assert view.need["matching"]["qualified"] == 1 and view.can_close


def test_reads_are_kept_to_the_parties(platform: Platform, parties: Parties) -> None:
    need_id = _post(platform, parties.buyer)
    reg = parties.reg
    with transaction(platform.sessions) as s:
        # The makers of qualified and unproven products read it, without the rejected ones.
        for maker in (parties.maker_a, parties.maker_b):
            view = matching.need_view(s, maker, need_id)
            assert view.rejected is None and not view.can_close
        for reader in (reg.admin, reg.regulator, reg.auditor):
            assert matching.need_view(s, reader, need_id).rejected is not None
        # A maker whose product was rejected, another buyer, a mining enterprise and the
        # regulator of another province: no such need.
        for stranger in (parties.maker_c, parties.buyer_jiangsu, reg.ent_a, reg.regulator_sd):
            with pytest.raises(NotFoundError):
                matching.need_view(s, stranger, need_id)
            assert matching.list_needs(s, stranger) == []
        assert [n["id"] for n in matching.list_needs(s, parties.maker_a)] == [need_id]


def test_posting_refusals(platform: Platform, parties: Parties) -> None:
    with transaction(platform.sessions) as s, pytest.raises(PermissionDenied):
        matching.post_need(s, parties.maker_a, **NEED, today=TODAY)
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as caught:
        matching.post_need(s, parties.buyer, **NEED | {"ranges": [
            {"property": "wire_diameter", "min": 30.0, "max": 20.0}]}, today=TODAY)
    assert str(caught.value) == ("column wire_diameter: wire_diameter: the minimum 30.0 is "
                                 "greater than the maximum 20.0")
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as caught:
        matching.post_need(s, parties.buyer, **NEED | {
            "needed_by": date(2026, 12, 6), "kind": "gold_bars", "quantity_unit": "oz",
            "title": " "}, today=TODAY)
    assert [p.column for p in caught.value.problems] == ["kind", "title", "quantity_unit",
                                                         "needed_by"]
    with transaction(platform.sessions) as s:
        assert s.scalar(select(func.count()).select_from(MatNeed)) == 0
    with transaction(platform.sessions) as s, pytest.raises(ValidationError,
                                                           match="organisation"):
        matching.post_need(s, parties.reg.admin, **NEED, today=TODAY)
    # An administrator posts for a named downstream user.
    with transaction(platform.sessions) as s:
        assert matching.post_need(s, parties.reg.admin, **NEED, org_code="BUY-JS",
                                  today=TODAY).buyer.code == "BUY-JS"


def test_a_new_capability_is_matched_again(platform: Platform, parties: Parties) -> None:
    need_id = _post(platform, parties.buyer)
    admin = parties.reg.admin
    with transaction(platform.sessions, admin.user_id) as s:
        for k, (d, pull) in enumerate(STEADY[1:], start=2):
            materials.add_batch(s, admin, "W-NEW", f"B{k:03d}", date(2026, 11, k),
                                {"wire_diameter": d, "pull_strength": pull})
    # The batches' write matched the need again: the stored matching names the new data.
    with transaction(platform.sessions) as s:
        assert matching.rematch(s) == 0  # nothing changed since
        view = matching.need_view(s, parties.buyer, need_id)
        # the posting's matching, then one per batch written (each changed the kind's data)
        assert s.scalar(select(func.count()).select_from(MatMatching)) == 1 + len(STEADY[1:])
    assert view.need["matching"]["up_to_date"] is True
    assert sorted(_codes(view.qualified)) == ["W-IN", "W-NEW"] and view.unproven == []
    with transaction(platform.sessions) as s, pytest.raises(PermissionDenied):
        matching.refresh(s, parties.reg.auditor)


def test_closing_is_a_status_entry(platform: Platform, parties: Parties) -> None:
    need_id = _post(platform, parties.buyer)
    with transaction(platform.sessions) as s, pytest.raises(PermissionDenied):
        matching.set_status(s, parties.maker_a, need_id, "closed", "bought elsewhere")
    with transaction(platform.sessions) as s, pytest.raises(ValidationError) as caught:
        matching.set_status(s, parties.buyer, need_id, "reopened", "")
    assert [p.column for p in caught.value.problems] == ["status", "reason"]
    with transaction(platform.sessions, parties.buyer.user_id) as s:
        matching.set_status(s, parties.buyer, need_id, "closed", "ordered from W-IN")
    with transaction(platform.sessions) as s:
        view = matching.need_view(s, parties.buyer, need_id)
        assert [h["status"] for h in view.history] == ["open", "closed"]
        assert view.need["status"] == "closed" and not view.can_close
        assert matching.list_needs(s, parties.buyer) == []
        assert [n["id"] for n in matching.list_needs(s, parties.buyer, "closed")] == [need_id]
        assert s.scalar(select(func.count()).select_from(MatNeedStatus)) == 2
    with transaction(platform.sessions) as s, pytest.raises(ValidationError,
                                                           match="no longer open"):
        matching.set_status(s, parties.buyer, need_id, "withdrawn", "changed our minds")


def test_supply_gaps_by_material_kind(platform: Platform, parties: Parties) -> None:
    _post(platform, parties.buyer)
    _post(platform, parties.buyer, kind="target", title="5N gold target",
          ranges=[{"property": "purity", "min": 99.999}], quantity_unit="pcs")
    with transaction(platform.sessions) as s:
        board = matching.board(s, parties.reg.regulator)
    frame = board.by_kind.set_index("kind")
    assert frame.loc["target", ["needs", "matched", "gaps"]].tolist() == [1, 0, 1]
    assert frame.loc["bonding_wire", ["needs", "matched", "gaps"]].tolist() == [1, 1, 0]
    assert board.by_kind["kind"].tolist()[0] == "target"  # the gaps first
    wire = next(n for n in board.needs if n["kind"] == "bonding_wire")
    assert _codes(wire["top"]) == ["W-IN"]


def test_both_sides_are_notified(platform: Platform, parties: Parties) -> None:
    need_id = _post(platform, parties.buyer)
    with transaction(platform.sessions) as s:
        mine = notifications.notifications(s, parties.buyer, today=TODAY)
        theirs = notifications.notifications(s, parties.maker_a, today=TODAY)
        rejected = notifications.notifications(s, parties.maker_c, today=TODAY)
    link = f"/materials/needs/{need_id}"
    assert [(n.kind, n.link) for n in mine.items if n.kind == "match"] == [("match", link)]
    assert "1 qualified product" in mine.items[0].title
    assert [(n.kind, n.link) for n in theirs.items] == [("match", link)]
    assert "W-IN" in theirs.items[0].title and theirs.counts["match"] == 1
    assert rejected.counts["match"] == 0


def test_the_demo_needs(platform: Platform, reg: Registry) -> None:
    from aurum.demo.seed import matching as demo_matching
    from aurum.demo.seed import materials as demo_materials

    admin = reg.admin
    with transaction(platform.sessions, admin.user_id) as s:
        registry.create_organisation(s, admin, "NM-1", "Jiaodong Precious Alloys Co.",
                                     "new_materials", "Shandong")
        registry.create_organisation(s, admin, "NM-2", "Xiangjiang New Materials Co.",
                                     "new_materials", "Hunan")
    demo_materials.seed_demo(platform, admin)
    demo_matching.seed_demo(platform, admin)
    with transaction(platform.sessions) as s:
        board = matching.board(s, reg.regulator)
        closed = matching.list_needs(s, reg.regulator, "closed")
    by_title = {n["title"]: n for n in board.needs}
    assert len(by_title) == len(demo_matching.NEEDS)
    assert [t["product"] for t in by_title[demo_matching.NEEDS[0]["title"]]["top"]] == [
        "JPA-BW-4N"]
    assert by_title[demo_matching.NEEDS[2]["title"]]["matching"]["qualified"] == 1
    frame = board.by_kind.set_index("kind")
    # The silver wire is made, but not capably; no contact material is made at all.
    assert frame.loc["bonding_wire", ["needs", "matched", "gaps"]].tolist() == [2, 1, 1]
    assert frame.loc["biomedical_contact", ["needs", "gaps"]].tolist() == [1, 1]
    assert [n["title"] for n in closed] == [demo_matching.CLOSED["title"]]
    assert closed[0]["matching"]["qualified"] == 1
