"""``aurum serve``: the web platform.

Unless ``AURUM_DEMO_SOURCE=off``, the server also brings the demo to life when the MQTT
broker (``AURUM_MQTT``) answers (:mod:`aurum.demo.seed.live`).
"""

from __future__ import annotations

import click

from aurum.core.i18n import _


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="Worker processes (PostgreSQL recommended above 1).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the platform (pages at /, REST API at /api/v1, OpenAPI at /docs); with the
    MQTT broker up, also the live demo source (AURUM_DEMO_SOURCE=off to leave it out)."""
    # Imported here: the command line loads a group's dependencies only when it is called.
    import uvicorn

    from aurum.core.errors import ValidationError
    from aurum.demo.seed import read_logins
    from aurum.demo.seed.live import DEMO_SPEED, start_demo_source
    from aurum.services import delivery
    from aurum.services.platform import Platform
    from aurum.services.safety import mqtt

    platform = Platform.open(migrate_to_head=True)
    click.echo(delivery.describe(delivery.targets(platform.settings)))
    logins = read_logins(platform)
    if logins:
        click.echo(_("Demo logins (generated at seeding, kept in "
                     "AURUM_HOME/demo-logins.json):"))
        for user, info in logins.items():
            click.echo(f"  {user:<10} {info['password']:<20} {info['role']}")
    source = None
    if platform.settings.demo_source:
        broker_host, broker_port = mqtt.parse_broker(platform.settings.mqtt_broker)
        try:
            source = start_demo_source(platform, broker_host, broker_port)
        except (mqtt.BrokerUnreachable, ValidationError) as exc:
            click.echo(_("Live demo source off: %(error)s", error=exc))
        else:
            broker = f"{broker_host}:{broker_port}"
            click.echo(_("Live demo source: %(facility)s (%(site)s) played through %(broker)s, "
                         "an hour of readings every %(seconds)s s", facility=source.facility,
                         site=source.site, broker=broker,
                         seconds=format(3600 / DEMO_SPEED, "g")))
    address = f"http://{host}:{port}"
    click.echo(_("Aurum on %(url)s", url=address))
    try:
        uvicorn.run("aurum.api.asgi:app", host=host, port=port, workers=workers,
                    log_level="warning")
    finally:
        if source is not None:
            source.stop()
