"""``aurum user``: accounts, and ending their credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from aurum.cli.common import FORMAT_OPTION, echo_json
from aurum.core.i18n import _

# The account service is imported inside the verbs: it loads SQLAlchemy, which ``aurum user
# --help`` should not pay for.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from aurum.services import auth

ROLES = ("admin", "regulator", "enterprise", "recycler", "auditor")
"""The values of :class:`aurum.services.auth.Role`, written out: importing it loads
SQLAlchemy (tests/cli/test_startup.py keeps the two alike)."""


@click.group(name="user")
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--org", "org_code", help="Organisation code (enterprise and recycler users).")
@click.option("--province", help="Province of a provincial regulator.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option(help="Password (asked for when not given).")
def create(username: str, role: str, org_code: str | None, province: str | None,
           display_name: str, password: str) -> None:
    """Create a user with an argon2-hashed password."""
    from aurum.services import auth
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    platform = Platform.open(migrate_to_head=True)
    with transaction(platform.sessions) as s:
        auth.create_user(s, username, password, role, display_name, org_code, province)
    click.echo(_("user %(username)s (%(role)s) created", username=username, role=role))


def _ending(username: str, fmt: str, what: str,
            change: Callable[[Session, str], auth.Revoked]) -> None:
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    platform = Platform.open(migrate_to_head=True)
    with transaction(platform.sessions) as s:
        revoked = change(s, username)
    if fmt == "json":
        echo_json({"username": username, "tokens_revoked": revoked.tokens,
                   "sessions_ended": revoked.sessions})
    else:
        click.echo(_("%(what)s; revoked %(tokens)s API token(s) and ended %(sessions)s browser "
                     "session(s) of %(username)s", what=what, tokens=revoked.tokens,
                     sessions=revoked.sessions, username=username))


@user.command("revoke-tokens")
@click.argument("username")
@FORMAT_OPTION
def revoke_tokens(username: str, fmt: str) -> None:
    """Revoke every API token of a user and end its browser sessions (a lost laptop, a
    leaked token)."""
    from aurum.services import auth

    _ending(username, fmt, _("credentials ended"), auth.revoke_credentials)


@user.command("set-password")
@click.argument("username")
@click.password_option(help="New password (asked for when not given).")
@FORMAT_OPTION
def set_password(username: str, password: str, fmt: str) -> None:
    """Set a user's password; its tokens and sessions end with the old one."""
    from aurum.services import auth

    _ending(username, fmt, _("password changed"),
            lambda s, name: auth.change_password(s, name, password))


@user.command("deactivate")
@click.argument("username")
@FORMAT_OPTION
def deactivate(username: str, fmt: str) -> None:
    """Stop a user from logging in; its tokens and sessions end."""
    from aurum.services import auth

    _ending(username, fmt, _("user deactivated"), auth.deactivate_user)
