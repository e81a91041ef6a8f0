"""Users, roles, passwords, API tokens and the organisation scope of every read and write.

Roles (DESIGN.md, Security): ``admin`` does everything; ``regulator`` reads everything, or one
province when the user has a province; ``enterprise`` and ``recycler`` read and write their own
organisation (with the member enterprises when it is a group); ``auditor`` reads everything and
writes nothing. Passwords are hashed with argon2id; API tokens are random and only their
SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from aurum.core.errors import NotFoundError, PermissionDenied, ValidationError
from aurum.store.models import ApiToken, Organisation, Site, User, utcnow

_HASHER = PasswordHasher()
TOKEN_PREFIX = "aur_"
MIN_PASSWORD_LENGTH = 10


class Role(StrEnum):
    ADMIN = "admin"
    REGULATOR = "regulator"
    ENTERPRISE = "enterprise"
    RECYCLER = "recycler"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Actor:
    """The authenticated caller and its scope.

    Parameters
    ----------
    user_id : int
        Database id of the user.
    username : str
        Login name.
    role : Role
        Role of the user.
    org_ids : frozenset of int or None
        Organisations it may read; None means every organisation.
    province : str or None
        Province a provincial regulator is limited to.
    """

    user_id: int
    username: str
    role: Role
    org_ids: frozenset[int] | None
    province: str | None = None
    display_name: str = ""

    @property
    def reads_all(self) -> bool:
        return self.org_ids is None and self.province is None

    def can_read_site(self, site: Site) -> bool:
        if self.province is not None and site.province != self.province:
            return False
        return self.org_ids is None or site.org_id in self.org_ids

    def can_write_site(self, site: Site) -> bool:
        if self.role is Role.ADMIN:
            return True
        return (self.role in (Role.ENTERPRISE, Role.RECYCLER) and self.org_ids is not None
                and site.org_id in self.org_ids)

    def where_visible(self, stmt: Any) -> Any:
        """``stmt`` (a select that joins ``Site``) kept to the sites the actor may read."""
        if self.org_ids is not None:
            stmt = stmt.where(Site.org_id.in_(self.org_ids))
        if self.province is not None:
            stmt = stmt.where(Site.province == self.province)
        return stmt

    def require_read_site(self, site: Site) -> None:
        if not self.can_read_site(site):
            # Same answer as a missing site: do not reveal what exists outside the scope.
            raise NotFoundError(f"no site {site.code!r}")

    def require_write_site(self, site: Site) -> None:
        self.require_read_site(site)
        if not self.can_write_site(site):
            raise PermissionDenied(f"{self.role.value} users cannot write reports of {site.code}")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise PermissionDenied(f"this needs one of the roles: {allowed}")


SYSTEM = Actor(0, "platform", Role.ADMIN, None, None, "platform process")
"""The platform's own processes (MQTT listener, command line): no account, so audit records
and ``created_by`` columns carry no user."""


def hash_password(password: str) -> str:
    """argon2id hash of a password (at least :data:`MIN_PASSWORD_LENGTH` characters)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def create_user(session: Session, username: str, password: str, role: Role | str,
                display_name: str = "", org_code: str | None = None,
                province: str | None = None) -> User:
    """Create a user; enterprise and recycler users need an organisation."""
    role = Role(role)
    org = None
    if org_code is not None:
        org = session.scalar(select(Organisation).where(Organisation.code == org_code))
        if org is None:
            raise NotFoundError(f"no organisation {org_code!r}")
    if role in (Role.ENTERPRISE, Role.RECYCLER) and org is None:
        raise ValidationError(f"a {role.value} user needs an organisation")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValidationError(f"user {username!r} exists already")
    user = User(username=username, display_name=display_name or username,
                password_hash=hash_password(password), role=role.value,
                org_id=org.id if org else None, province=province)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> Actor | None:
    """The actor for a correct username and password, else None (same time either way)."""
    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and user.is_active else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return actor_for(session, user) if user is not None and user.is_active else None


_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def actor_for(session: Session, user: User) -> Actor:
    """The scope of a user: its organisation and, for a group, the member organisations."""
    role = Role(user.role)
    org_ids: frozenset[int] | None = None
    if role in (Role.ENTERPRISE, Role.RECYCLER):
        org_ids = frozenset(_org_tree(session, user.org_id)) if user.org_id else frozenset()
    province = user.province if role is Role.REGULATOR else None
    return Actor(user.id, user.username, role, org_ids, province, user.display_name)


def _org_tree(session: Session, root: int) -> set[int]:
    found = {root}
    frontier = {root}
    while frontier:
        children = set(session.scalars(
            select(Organisation.id).where(Organisation.parent_id.in_(frontier))))
        frontier = children - found
        found |= frontier
    return found


def actor_by_id(session: Session, user_id: int) -> Actor | None:
    user = session.get(User, user_id)
    return actor_for(session, user) if user is not None and user.is_active else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user_id: int, name: str) -> str:
    """Create an API token for a user; the clear token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user_id, name=name, token_hash=_token_hash(token)))
    session.flush()
    return token


def actor_for_token(session: Session, token: str) -> Actor | None:
    """The actor a bearer token stands for, or None when unknown or revoked."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    return actor_by_id(session, row.user_id)


def revoke_token(session: Session, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's tokens (an admin may revoke any)."""
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.user_id and actor.role is not Role.ADMIN):
        raise NotFoundError(f"no token {token_id}")
    row.revoked_at = utcnow()
