"""``aurum user``: accounts."""

from __future__ import annotations

import click

from aurum.services import auth
from aurum.services.platform import Platform
from aurum.store.db import transaction


@click.group(name="user")
def user() -> None:
    """User accounts."""


@user.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in auth.Role]), required=True)
@click.option("--org", "org_code", help="Organisation code (enterprise and recycler users).")
@click.option("--province", help="Province of a provincial regulator.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.password_option(help="Password (asked for when not given).")
def create(username: str, role: str, org_code: str | None, province: str | None,
           display_name: str, password: str) -> None:
    """Create a user with an argon2-hashed password."""
    platform = Platform.open(migrate_to_head=True)
    with transaction(platform.sessions) as s:
        auth.create_user(s, username, password, role, display_name, org_code, province)
    click.echo(f"user {username} ({role}) created")
