"""``aurum serve``: the web platform."""

from __future__ import annotations

import click

from aurum.services import demo as demo_service
from aurum.services.platform import Platform


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="Worker processes (PostgreSQL recommended above 1).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the platform (pages at /, REST API at /api/v1, OpenAPI at /docs)."""
    import uvicorn

    platform = Platform.open(migrate_to_head=True)
    logins = demo_service.read_logins(platform)
    if logins:
        click.echo("Demo logins (generated at seeding, kept in AURUM_HOME/demo-logins.json):")
        for user, info in logins.items():
            click.echo(f"  {user:<10} {info['password']:<20} {info['role']}")
    click.echo(f"Aurum on http://{host}:{port}")
    uvicorn.run("aurum.api.asgi:app", host=host, port=port, workers=workers,
                log_level="warning")
