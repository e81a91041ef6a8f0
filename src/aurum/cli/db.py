"""``aurum db``: the database schema."""

from __future__ import annotations

import click

from aurum.cli.common import FORMAT_OPTION, echo_json
from aurum.core.i18n import _


@click.group(name="db")
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--database", "url", help="SQLAlchemy URL (default: AURUM_DATABASE_URL or the "
              "embedded SQLite in AURUM_HOME).")
@FORMAT_OPTION
def upgrade(url: str | None, fmt: str) -> None:
    """Apply every pending migration."""
    # Imported here: SQLAlchemy and Alembic are for this verb, not for ``aurum db --help``.
    from aurum.services.platform import Platform
    from aurum.store import migrate

    platform = Platform.open(url, migrate_to_head=True)
    revision = migrate.current_revision(platform.engine)
    if fmt == "json":
        echo_json({"revision": revision, "database": platform.engine.url.render_as_string()})
    else:
        click.echo(_("database at revision %(revision)s (%(database)s)", revision=revision,
                     database=platform.engine.url.render_as_string()))
