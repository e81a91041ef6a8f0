"""Users, roles, passwords, sessions, API tokens and the organisation scope of every read and
write.

Roles (DESIGN.md, Security): ``admin`` does everything; ``regulator`` reads everything, or one
province when the user has a province; ``enterprise`` and ``recycler`` read and write their own
organisation (with the member enterprises when it is a group); ``auditor`` reads everything and
writes nothing.

Credentials: passwords are hashed with argon2id and must pass :func:`password_problems`. A
browser login is a server-side session (``user_sessions``) whose random id the cookie carries;
it ends at logout, after :data:`SESSION_IDLE_TIMEOUT` without a request, after
:data:`SESSION_LIFETIME` in any case, and when the password changes or the user is deactivated.
API tokens expire (:data:`TOKEN_LIFETIME_DAYS`) and can be revoked. Of a session id or a token
only the SHA-256 is stored. Failed logins are counted in the database per account and per
client address (:data:`LOGIN_FAILURE_WINDOW`), so every worker throttles alike.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, and_, delete, insert, select, update
from sqlalchemy.orm import Session

from aurum.core.checks import Interval
from aurum.core.errors import AurumError, NotFoundError, PermissionDenied, Problem, ValidationError
from aurum.core.i18n import LOCALES, _, lazy_gettext
from aurum.store import audit
from aurum.store.models import (
    ApiToken,
    LoginFailure,
    Organisation,
    Site,
    User,
    UserSession,
    utcnow,
)

_HASHER = PasswordHasher()
TOKEN_PREFIX = "aur_"
MIN_PASSWORD_LENGTH = 10
MIN_DISTINCT_CHARACTERS = 5
"""A password of fewer different characters (``aaaaaaaaaa``, ``1212121212``) is refused."""

SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
"""A browser session ends after this long without a request."""
SESSION_LIFETIME = timedelta(hours=8)
"""A browser session ends this long after the login, however active (a working day)."""
SESSION_RETENTION = timedelta(days=30)
"""Ended sessions are deleted this long after their expiry (the audit trail keeps the logins
and logouts)."""
LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""``last_seen_at`` / ``last_used_at`` are written at most this often: one write a minute per
session or token, not one per request."""

TOKEN_DAYS_DEFAULT = 90
TOKEN_LIFETIME_DAYS = Interval(1, 365, "days")
"""Lifetimes an API token may be issued with."""

LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
"""Failed logins count for this long."""
ACCOUNT_FAILURE_LIMIT = 5
"""Failed logins of one account name within the window before its logins are refused."""
ADDRESS_FAILURE_LIMIT = 20
"""Failed logins from one client address within the window (any account names) before its
logins are refused; higher than the account's, as one office may share an address."""

_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiopasdfghjklzxcvbnm",
              "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
"""Runs of characters and keys a password must not be a stretch of (either direction): the
alphabet, the digits, the keyboard rows and columns."""


class LoginThrottled(AurumError):
    """Too many failed logins for an account or from an address.

    Parameters
    ----------
    message : str
        What was refused and until when.
    retry_after_s : int
        Seconds until a login is accepted again.
    """

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Role(StrEnum):
    ADMIN = "admin"
    REGULATOR = "regulator"
    ENTERPRISE = "enterprise"
    RECYCLER = "recycler"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        """The role's name in the reader's language (:data:`ROLE_NAMES`)."""
        return str(ROLE_NAMES[self])


ROLE_NAMES = {
    Role.ADMIN: lazy_gettext("administrator"),
    Role.REGULATOR: lazy_gettext("regulator"),
    Role.ENTERPRISE: lazy_gettext("enterprise"),
    Role.RECYCLER: lazy_gettext("recycler"),
    Role.AUDITOR: lazy_gettext("auditor"),
}
"""Each role's name as readers see it (refusals here, the pages' labels)."""


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
    display_name : str
        Name shown for the user.
    locale : str or None
        The language the user chose (:data:`aurum.core.i18n.LOCALES`), None for the browser's.
    org_types : frozenset of str
        The kinds (:class:`aurum.industry.registry.OrgType` values) of the organisations in
        ``org_ids``: what work the user's organisations do (empty for a user of none).
    """

    user_id: int
    username: str
    role: Role
    org_ids: frozenset[int] | None
    province: str | None = None
    display_name: str = ""
    locale: str | None = None
    org_types: frozenset[str] = frozenset()

    @property
    def reads_all(self) -> bool:
        return self.org_ids is None and self.province is None

    def can_read_owner(self, org_id: int | None, province: str | None) -> bool:
        """Whether the actor may read what organisation ``org_id`` holds in ``province`` (a
        site, a recycling participant): the one read rule of every scoped object."""
        if self.province is not None and province != self.province:
            return False
        return self.org_ids is None or org_id in self.org_ids

    def can_write_owner(self, org_id: int | None) -> bool:
        """Whether the actor may write for organisation ``org_id``: administrators, and
        enterprise and recycler users of that organisation (or its group)."""
        if self.role is Role.ADMIN:
            return True
        return (self.role in (Role.ENTERPRISE, Role.RECYCLER) and self.org_ids is not None
                and org_id in self.org_ids)

    def owner_condition(self, org_id: Any, province: Any) -> ColumnElement[bool] | None:
        """:meth:`can_read_owner` as a SQL condition on an owner's columns (None: no limit).

        Parameters
        ----------
        org_id, province : column
            The owning organisation's id and the province columns of the rows to limit.
        """
        conditions = []
        if self.org_ids is not None:
            conditions.append(org_id.in_(self.org_ids))
        if self.province is not None:
            conditions.append(province == self.province)
        return and_(*conditions) if conditions else None

    def can_read_site(self, site: Site) -> bool:
        return self.can_read_owner(site.org_id, site.province)

    def can_write_site(self, site: Site) -> bool:
        return self.can_write_owner(site.org_id)

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
            raise NotFoundError(_("no site %(site)s", site=repr(site.code)))

    def require_write_site(self, site: Site) -> None:
        self.require_read_site(site)
        if not self.can_write_site(site):
            raise PermissionDenied(_("%(role)s users cannot write reports of %(site)s",
                                     role=self.role.label, site=site.code))

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.label for r in roles)
            raise PermissionDenied(_("this needs one of the roles: %(roles)s", roles=allowed))


SYSTEM = Actor(0, "platform", Role.ADMIN, None, None, "platform process")
"""The platform's own processes (MQTT listener, command line): no account, so audit records
and ``created_by`` columns carry no user."""


@cache
def common_passwords() -> frozenset[str]:
    """The common passwords shipped with the package (``services/data/common_passwords.txt``),
    lower case."""
    text = resources.files("aurum.services").joinpath("data/common_passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problems(password: str, username: str = "") -> list[Problem]:
    """Why a password is refused (empty when it is accepted).

    A password needs :data:`MIN_PASSWORD_LENGTH` characters and at least
    :data:`MIN_DISTINCT_CHARACTERS` different ones; it must not be one block repeated
    (``abcabcabca``), a run of the alphabet, the digits or the keyboard (``qwertyuiop``,
    ``9876543210``), a common password with digits or punctuation around it
    (``password2024!``), nor contain the username.

    Parameters
    ----------
    password : str
        The password as typed.
    username : str
        The account's login name (ignored when shorter than 3 characters).
    """
    found: list[str] = []
    lower = password.lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        found.append(_("a password needs at least %(n)s characters", n=MIN_PASSWORD_LENGTH))
    distinct = len(set(password))
    if distinct < MIN_DISTINCT_CHARACTERS:
        found.append(_("a password needs at least %(n)s different characters; this one has "
                       "%(distinct)s", n=MIN_DISTINCT_CHARACTERS, distinct=distinct))
    else:
        block = next((lower[:n] for n in range(1, len(lower) // 2 + 1)
                      if (lower[:n] * (len(lower) // n + 1)).startswith(lower)), None)
        if block is not None:
            found.append(_("the password repeats %(block)s; choose one that does not",
                           block=repr(block)))
    if len(lower) >= 3 and any(lower in run + run or lower in (run + run)[::-1]
                               for run in _SEQUENCES):
        found.append(_("the password is a run of consecutive characters or keys; "
                       "choose one that is not"))
    padding = string.digits + string.punctuation + " "
    if {lower, lower.strip(padding)} & common_passwords():
        found.append(_("the password is one of the most common passwords (with digits or "
                       "punctuation around it at most); choose one that is not"))
    if len(username) >= 3 and username.lower() in lower:
        found.append(_("the password contains the username; choose one that does not"))
    return [Problem(message, column="password") for message in found]


def hash_password(password: str, username: str = "") -> str:
    """argon2id hash of a password that passes :func:`password_problems`.

    Raises
    ------
    ValidationError
        Naming every rule the password breaks.
    """
    problems = password_problems(password, username)
    if problems:
        raise ValidationError(problems)
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
            raise NotFoundError(_("no organisation %(code)s", code=repr(org_code)))
    if role in (Role.ENTERPRISE, Role.RECYCLER) and org is None:
        raise ValidationError(_("a %(role)s user needs an organisation", role=role.value))
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValidationError(_("user %(name)s exists already", name=repr(username)))
    user = User(username=username, display_name=display_name or username,
                password_hash=hash_password(password, username), role=role.value,
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
    """The scope of a user: its organisation and, for a group, the member organisations,
    with the kinds of them all."""
    role = Role(user.role)
    org_ids: frozenset[int] | None = None
    org_types: frozenset[str] = frozenset()
    if role in (Role.ENTERPRISE, Role.RECYCLER):
        tree = _org_tree(session, user.org_id) if user.org_id else {}
        org_ids, org_types = frozenset(tree), frozenset(tree.values())
    province = user.province if role is Role.REGULATOR else None
    return Actor(user.id, user.username, role, org_ids, province, user.display_name,
                 user.locale, org_types)


PREFERENCES_ENTITY = "user_preferences"
"""The audit trail's name for a user's own preferences (no page shows them as data)."""


def set_locale(session: Session, actor: Actor, locale: str) -> None:
    """Keep ``locale`` as the language of ``actor`` (their choice on the language switch).

    Parameters
    ----------
    locale : str
        One of :data:`aurum.core.i18n.LOCALES`.

    Raises
    ------
    ValidationError
        A language Aurum does not speak.
    """
    if locale not in LOCALES:
        raise ValidationError([Problem(_("Unknown language: %(value)s", value=locale),
                                       column="locale")])
    before = session.scalar(select(User.locale).where(User.id == actor.user_id))
    if before == locale:
        return
    # A Core update with its own audit record: a preference is not data any page shows, so
    # it is audited under its own name and leaves the kept page views current.
    session.execute(update(User).where(User.id == actor.user_id).values(locale=locale))
    audit.record(session, "update", PREFERENCES_ENTITY, str(actor.user_id),
                 {"locale": before}, {"locale": locale})


def _org_tree(session: Session, root: int) -> dict[int, str]:
    """The organisation ``root`` and every one under it, each with its kind: one query per
    level of the tree (the kinds come with the ids, never one query per organisation)."""
    level = select(Organisation.id, Organisation.org_type)
    found: dict[int, str] = dict(session.execute(level.where(Organisation.id == root)).all())
    frontier = set(found)
    while frontier:
        children = {org_id: kind for org_id, kind in session.execute(
            level.where(Organisation.parent_id.in_(frontier))) if org_id not in found}
        found |= children
        frontier = set(children)
    return found


def actor_by_id(session: Session, user_id: int) -> Actor | None:
    user = session.get(User, user_id)
    return actor_for(session, user) if user is not None and user.is_active else None


def _digest(secret: str) -> str:
    """What is stored of a session id or a token: its SHA-256 (hex)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    # SQLite gives timestamps back without a zone; every stored one is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Credential:
    """The caller of a request and what it proved itself with.

    Parameters
    ----------
    actor : Actor
        The authenticated user.
    token_id : int or None
        Id of the API token used, None for a browser session.
    session_id : int or None
        Id of the browser session used, None for a token.
    """

    actor: Actor
    token_id: int | None = None
    session_id: int | None = None


# --- logins and their throttling -----------------------------------------------------------

def login(session: Session, username: str, password: str, address: str) -> Actor | None:
    """Check a username and password as a login from ``address``, with throttling.

    A wrong password is recorded against the account name and the address; a right one
    clears the account's record. The caller must commit even when None is returned, or the
    failure is not counted.

    Parameters
    ----------
    session : Session
        Open transaction.
    username : str
        Login name as typed.
    password : str
        Password as typed.
    address : str
        Client address (IP) of the request.

    Returns
    -------
    Actor or None
        The user, or None for a wrong username or password.

    Raises
    ------
    LoginThrottled
        When the account had :data:`ACCOUNT_FAILURE_LIMIT` failures, or the address
        :data:`ADDRESS_FAILURE_LIMIT`, within :data:`LOGIN_FAILURE_WINDOW` (checked before
        the password, so a throttled guess learns nothing).
    """
    now = utcnow()
    # The keys as the columns hold them (a longer name matches no user anyway).
    account, address = username[:64], address[:64]
    for column, key, limit in ((LoginFailure.username, account, ACCOUNT_FAILURE_LIMIT),
                               (LoginFailure.address, address, ADDRESS_FAILURE_LIMIT)):
        # The limit-th most recent failure in the window: while it counts, so do limit-1
        # newer ones, and the key is at its limit.
        oldest_counted = session.scalar(
            select(LoginFailure.failed_at)
            .where(column == key, LoginFailure.failed_at > now - LOGIN_FAILURE_WINDOW)
            .order_by(LoginFailure.failed_at.desc()).offset(limit - 1).limit(1))
        if oldest_counted is not None:
            retry = _as_utc(oldest_counted) + LOGIN_FAILURE_WINDOW - now
            seconds = max(1, math.ceil(retry.total_seconds()))
            window = int(LOGIN_FAILURE_WINDOW.total_seconds() // 60)
            values = {"limit": limit, "window": window, "minutes": math.ceil(seconds / 60)}
            raise LoginThrottled(_(
                "too many failed logins for this account (%(limit)s within %(window)s "
                "minutes); try again in %(minutes)s minute(s)", **values)
                if column is LoginFailure.username else _(
                "too many failed logins from this address (%(limit)s within %(window)s "
                "minutes); try again in %(minutes)s minute(s)", **values), seconds)
    actor = authenticate(session, username, password)
    # Core statements: the throttle's bookkeeping is not a change of data to audit.
    if actor is None:
        session.execute(delete(LoginFailure).where(
            LoginFailure.failed_at <= now - LOGIN_FAILURE_WINDOW))
        session.execute(insert(LoginFailure).values(username=account, address=address,
                                                    failed_at=now))
        return None
    session.execute(delete(LoginFailure).where(LoginFailure.username == account))
    return actor


# --- browser sessions -------------------------------------------------------------------------

def open_session(session: Session, actor: Actor) -> str:
    """Start a browser session for a logged-in user.

    Returns
    -------
    str
        The random session id for the cookie (shown once; only its SHA-256 is stored).
    """
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    # Core statement: clearing out long-ended sessions is housekeeping, not a change to audit.
    session.execute(delete(UserSession).where(UserSession.expires_at < now - SESSION_RETENTION))
    session.add(UserSession(user_id=actor.user_id, token_hash=_digest(session_id),
                            created_at=now, last_seen_at=now, expires_at=now + SESSION_LIFETIME))
    session.flush()
    return session_id


def session_credential(session: Session, session_id: str) -> Credential | None:
    """The caller of a browser session id, or None when unknown, ended or timed out."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(session_id)))
    now = utcnow()
    if row is None or _as_utc(row.last_seen_at) + SESSION_IDLE_TIMEOUT <= now:
        return None
    actor = _live_holder(session, row, UserSession.last_seen_at, now)
    return None if actor is None else Credential(actor, session_id=row.id)


def end_session(session: Session, session_id: str) -> None:
    """Log out: the session id is refused from now on (unknown or ended ids are ignored)."""
    row = session.scalar(select(UserSession).where(
        UserSession.token_hash == _digest(session_id), UserSession.revoked_at.is_(None)))
    if row is not None:
        row.revoked_at = utcnow()


def _live_holder(session: Session, row: UserSession | ApiToken, seen: Any, now: datetime
                 ) -> Actor | None:
    """The user a session or token row stands for, its last use (column ``seen``) recorded;
    None when the row is revoked or expired, or its user is gone."""
    if row.revoked_at is not None or _as_utc(row.expires_at) <= now:
        return None
    actor = actor_by_id(session, row.user_id)
    if actor is not None:
        _touch(session, seen, type(row).id == row.id, getattr(row, seen.key), now)
    return actor


def _touch(session: Session, column: Any, where: ColumnElement[bool],
           last: datetime | None, now: datetime) -> None:
    # A Core update, at most once per LAST_SEEN_RESOLUTION: not a change to audit, and not
    # a write on every request.
    if last is None or now - _as_utc(last) >= LAST_SEEN_RESOLUTION:
        session.execute(update(column.class_).where(where).values({column.key: now}))


# --- API tokens -------------------------------------------------------------------------------

@dataclass(frozen=True)
class TokenInfo:
    """An API token as its owner sees it (never the token itself).

    Parameters
    ----------
    id : int
        Token id (for ``DELETE /api/v1/tokens/{id}``).
    name : str
        The name given at creation.
    created_at, expires_at : datetime
        When it was issued and when it stops working (UTC).
    last_used_at, revoked_at : datetime or None
        Last use (to the minute) and revocation (UTC).
    """

    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def status(self) -> str:
        """``revoked``, ``expired`` or ``active``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= utcnow() else "active"

    @classmethod
    def of(cls, row: ApiToken) -> TokenInfo:
        return cls(row.id, row.name, _as_utc(row.created_at), _as_utc(row.expires_at),
                   None if row.last_used_at is None else _as_utc(row.last_used_at),
                   None if row.revoked_at is None else _as_utc(row.revoked_at))


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: the clear ``token`` exists only here, once."""

    token: str
    info: TokenInfo


def issue_token(session: Session, user_id: int, name: str,
                expires_in_days: int = TOKEN_DAYS_DEFAULT) -> IssuedToken:
    """Create an API token for a user; the clear token is returned once and never stored.

    Parameters
    ----------
    session : Session
        Open transaction.
    user_id : int
        Owner of the token.
    name : str
        What the owner calls it (a script, a machine).
    expires_in_days : int
        Lifetime in days, within :data:`TOKEN_LIFETIME_DAYS`.
    """
    TOKEN_LIFETIME_DAYS.check("expires_in_days", expires_in_days)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user_id=user_id, name=name, token_hash=_digest(token), created_at=now,
                   expires_at=now + timedelta(days=expires_in_days))
    session.add(row)
    session.flush()
    return IssuedToken(token, TokenInfo.of(row))


def token_credential(session: Session, token: str) -> Credential | None:
    """The caller of a bearer token, or None when unknown, expired or revoked."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        return None
    actor = _live_holder(session, row, ApiToken.last_used_at, utcnow())
    return None if actor is None else Credential(actor, token_id=row.id)


def list_tokens(session: Session, actor: Actor) -> list[TokenInfo]:
    """The actor's own API tokens, newest first, revoked and expired ones included."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == actor.user_id)
                           .order_by(ApiToken.id.desc()))
    return [TokenInfo.of(row) for row in rows]


def revoke_token(session: Session, actor: Actor, token_id: int) -> TokenInfo:
    """Revoke one of the actor's tokens (an admin may revoke any); revoking twice keeps the
    first time.

    Raises
    ------
    NotFoundError
        When no such token exists or it belongs to someone else.
    """
    row = session.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.user_id and actor.role is not Role.ADMIN):
        raise NotFoundError(_("no token %(id)s among yours (GET /api/v1/tokens lists them)",
                              id=token_id))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return TokenInfo.of(row)


# --- account changes that end every credential ----------------------------------------------

@dataclass(frozen=True)
class Revoked:
    """How many credentials of a user were ended."""

    tokens: int
    sessions: int


def revoke_credentials(session: Session, username: str) -> Revoked:
    """End every API token and browser session of a user.

    Raises
    ------
    NotFoundError
        When there is no such user.
    """
    user = _user(session, username)
    now = utcnow()
    tokens = list(session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))))
    sessions = list(session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None))))
    for token in tokens:
        token.revoked_at = now
    for browser in sessions:
        browser.revoked_at = now
    session.flush()
    return Revoked(len(tokens), len(sessions))


def change_password(session: Session, username: str, password: str) -> Revoked:
    """Set a user's password (it must pass the policy) and end its tokens and sessions."""
    user = _user(session, username)
    user.password_hash = hash_password(password, user.username)
    return revoke_credentials(session, username)


def deactivate_user(session: Session, username: str) -> Revoked:
    """Stop a user from logging in and end its tokens and sessions."""
    _user(session, username).is_active = False
    return revoke_credentials(session, username)


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(_("no user %(name)s", name=repr(username)))
    return user
