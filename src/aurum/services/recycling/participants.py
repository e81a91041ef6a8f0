"""Licensed recyclers and refiners: registration, scope and the participants and shops
a purchase file names.

Scope. Administrators, auditors and national regulators read every participant; a provincial
regulator the participants of its province; recycler and enterprise users the participants of
their organisation, which they alone (with administrators) write for.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from aurum.core.errors import (
    NotFoundError,
    PermissionDenied,
    Problem,
    ValidationError,
)
from aurum.core.i18n import _
from aurum.industry.registry import PROVINCES
from aurum.recycling.identity import uscc_problems
from aurum.services.auth import Actor, Role
from aurum.services.recycling._rows import _in_batches, _user
from aurum.store.models import (
    Organisation,
    RecyclingParticipant,
    RecyclingShop,
)

PARTICIPANT_ROLES = ("recycler", "refiner")


def _scope(actor: Actor) -> ColumnElement[bool] | None:
    """Condition on participants the actor may read (None: all), by the actor's rule for
    anything an organisation holds."""
    return actor.owner_condition(RecyclingParticipant.org_id, RecyclingParticipant.province)


def _may_read(actor: Actor, participant: RecyclingParticipant | None) -> bool:
    """Whether the actor may read a participant (nothing but the whole platform's readers
    may read what belongs to no participant)."""
    if participant is None:
        return actor.reads_all
    return actor.can_read_owner(participant.org_id, participant.province)


def _require_write(actor: Actor, participant: RecyclingParticipant) -> None:
    if not actor.can_write_owner(participant.org_id):
        raise PermissionDenied(_("%(role)s users cannot write for %(participant)s",
                                 role=actor.role.value, participant=participant.code))


def _participant_details(session: Session, role: str, province: str | None,
                         uscc: str | None, org_code: str | None
                         ) -> tuple[list[Problem], Organisation | None]:
    problems = []
    if role not in PARTICIPANT_ROLES:
        problems.append(Problem(_("expected one of %(allowed)s",
                                  allowed=", ".join(PARTICIPANT_ROLES)), column="role"))
    if province is not None and province not in PROVINCES:
        problems.append(Problem(_("unknown province %(province)s", province=repr(province)),
                                column="province"))
    if uscc is not None:
        message = str(uscc_problems(pd.Series([uscc.strip().upper()])).iat[0])
        if message:
            problems.append(Problem(message, column="uscc"))
    org = None
    if org_code is not None:
        org = session.scalar(select(Organisation).where(Organisation.code == org_code))
        if org is None:
            problems.append(Problem(_("unknown organisation %(org)s", org=repr(org_code)),
                                    column="org_code"))
    return problems, org


def register_participant(session: Session, actor: Actor, code: str, name: str,
                         role: str = "recycler", province: str | None = None,
                         uscc: str | None = None, licence_no: str | None = None,
                         org_code: str | None = None) -> RecyclingParticipant:
    """Register a licensed recycler or a refiner (administrators only).

    Parameters
    ----------
    code, name : str
        Code used in purchase files and entries (unique), and name.
    role : str
        ``recycler`` or ``refiner``.
    province : str, optional
        Province (English name), for statistics; taken from the organisation when linked.
    uscc : str, optional
        Unified social credit code (checked, GB 32100).
    licence_no : str, optional
        Recycling licence or filing number.
    org_code : str, optional
        Registry organisation it is (its users then write for it).
    """
    actor.require_role(Role.ADMIN)
    problems, org = _participant_details(session, role, province, uscc, org_code)
    if session.scalar(select(RecyclingParticipant.id).where(
            RecyclingParticipant.code == code)) is not None:
        problems.append(Problem(_("participant %(code)s exists already", code=repr(code)),
                                column="code"))
    if problems:
        raise ValidationError(problems)
    participant = RecyclingParticipant(
        code=code, name=name, role=role, org_id=org.id if org else None,
        province=province or (org.province if org else None),
        uscc=uscc.strip().upper() if uscc else None, licence_no=licence_no,
        created_by=_user(actor))
    session.add(participant)
    session.flush()
    return participant


def update_participant(session: Session, actor: Actor, code: str, name: str | None = None,
                       province: str | None = None, uscc: str | None = None,
                       licence_no: str | None = None, org_code: str | None = None
                       ) -> RecyclingParticipant:
    """Complete or correct a participant's registration (administrators only; audited), e.g.
    the province of a recycler created on first use by a purchase file. Only the details
    given change; the code, used in the entries, never does."""
    actor.require_role(Role.ADMIN)
    participant = _participant(session, code)
    problems, org = _participant_details(session, participant.role, province, uscc, org_code)
    if problems:
        raise ValidationError(problems)
    if name is not None:
        participant.name = name
    if org is not None:
        participant.org_id = org.id
    participant.province = province or (org.province if org else participant.province)
    if uscc is not None:
        participant.uscc = uscc.strip().upper()
    if licence_no is not None:
        participant.licence_no = licence_no
    session.flush()
    return participant


def _participant(session: Session, code: str, role: str | None = None
                 ) -> RecyclingParticipant:
    found = session.scalar(select(RecyclingParticipant).where(RecyclingParticipant.code == code))
    if found is None or (role is not None and found.role != role):
        raise NotFoundError(_("no recycler %(code)s", code=repr(code)) if role == "recycler"
                            else _("no refiner %(code)s", code=repr(code)) if role == "refiner"
                            else _("no participant %(code)s", code=repr(code)))
    return found


def _resolve_counters(session: Session, actor: Actor, frame: pd.DataFrame,
                      create_missing: bool) -> tuple[pd.Series, pd.Series]:
    """Participant and shop ids of each row; unknown ones created when allowed."""
    pairs = frame[["recycler", "shop"]].drop_duplicates()
    codes = sorted(set(pairs["recycler"]))
    known = {p.code: p for batch in _in_batches(codes) for p in session.scalars(
        select(RecyclingParticipant).where(RecyclingParticipant.code.in_(batch)))}
    missing = [c for c in codes if c not in known]
    if missing and not (create_missing and actor.role is Role.ADMIN):
        rows = frame[frame["recycler"].isin(missing)]
        numbers = rows["row"] if "row" in rows else pd.Series([None] * len(rows))
        raise ValidationError([
            Problem(_("unknown recycler %(code)s: register it first", code=repr(code)), row=row,
                    column="recycler", source=frame.attrs.get("source"))
            for code, row in zip(rows["recycler"], numbers.tolist(), strict=True)][:50])
    # Looked up together before any is added: a query per recycler would flush the one
    # added before it.
    orgs = {o.code: o for batch in _in_batches(missing) for o in session.scalars(
        select(Organisation).where(Organisation.code.in_(batch)))}
    for code in missing:
        org = orgs.get(code)
        known[code] = RecyclingParticipant(
            code=code, name=org.name if org else code, role="recycler",
            org_id=org.id if org else None, province=org.province if org else None,
            created_by=_user(actor))
        session.add(known[code])
    session.flush()
    for participant in known.values():
        if participant.role != "recycler":
            raise ValidationError(_("%(code)s is a %(role)s, not a recycler",
                                    code=participant.code, role=participant.role))
        _require_write(actor, participant)
    shops = {(s.participant_id, s.code): s.id
             for batch in _in_batches(sorted(p.id for p in known.values()))
             for s in session.scalars(select(RecyclingShop).where(
                 RecyclingShop.participant_id.in_(batch)))}
    # New shops in one flush: one per shop was most of a first append (a round trip each,
    # with its audit record).
    new_shops = {(known[recycler].id, shop): RecyclingShop(
        participant_id=known[recycler].id, code=shop, name=shop,
        province=known[recycler].province)
        for recycler, shop in pairs.itertuples(index=False)
        if (known[recycler].id, shop) not in shops}
    session.add_all(new_shops.values())
    session.flush()
    shops.update({key: row.id for key, row in new_shops.items()})
    participant_id = frame["recycler"].map({c: p.id for c, p in known.items()})
    # (participant, shop) pairs as one string key, so that the lookup is one vector map.
    shop_id = (participant_id.astype(str) + "\x1f" + frame["shop"]).map(
        {f"{pid}\x1f{code}": sid for (pid, code), sid in shops.items()})
    return participant_id, shop_id
