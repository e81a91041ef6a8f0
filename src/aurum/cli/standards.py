"""``aurum standards``: the gold field's standards registry (issue 22).

``import FILE.csv|FILE.yaml`` adds the file's standards to the platform's database as the
platform's own process (:data:`aurum.services.auth.SYSTEM`), all or none: a bad file is
refused with one line per problem naming the file, the row and the field. ``list`` prints
the registry, narrowed to a status or a priority-area tag.
"""

from __future__ import annotations

from pathlib import Path

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json, pad, width
from aurum.core.i18n import _

STATUSES = ("planned", "drafting", "published", "under_revision", "withdrawn")
TAGS = ("deep_mining", "green_low_carbon", "digital_intelligent", "new_materials", "safety",
        "testing_methods", "products")
"""The choices of ``list``'s filters, the machine keys of
:class:`aurum.standards.lifecycle.Status` and :class:`~aurum.standards.lifecycle.PriorityArea`
(spelled here so that ``aurum standards --help`` loads no domain; a test holds them equal)."""


@click.group(name="standards")
def standards() -> None:
    """The standard system: national, industry, group and enterprise standards."""


@standards.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="FILE.csv|FILE.yaml")
@DATABASE_OPTION
@FORMAT_OPTION
def import_command(path: Path, url: str | None, fmt: str) -> None:
    """Add the standards of FILE (YAML: a 'standards:' list; CSV or xlsx: columns number,
    title_zh, title_en, status, committee, published_on, effective_on, withdrawn_on, tags
    (';'-separated), supersedes, source, confirmed, note, counterpart_body,
    counterpart_reference, counterpart_relation, counterpart_recognition), all or none."""
    from aurum.services import standards as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform
    from aurum.store.db import transaction

    data = path.read_bytes()
    platform = Platform.open(url, migrate_to_head=True)
    with transaction(platform.sessions) as s:
        added = [row.number for row in service.import_file(s, SYSTEM, data, path.name)]
    if fmt == "json":
        echo_json({"file": path.name, "added": added})
        return
    click.echo(_("%(file)s: %(count)s standard(s) added", file=path.name, count=len(added)))


@standards.command("list")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option("--tag", type=click.Choice(TAGS), default=None, help="Only this priority area.")
@DATABASE_OPTION
@FORMAT_OPTION
def list_command(status: str | None, tag: str | None, url: str | None, fmt: str) -> None:
    """The registry by number: number, level, status, priority areas and title."""
    from aurum.services import standards as service
    from aurum.services.auth import SYSTEM
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    with platform.sessions() as s:
        rows = [service.standard_record(r)
                for r in service.list_standards(s, SYSTEM, status, tag)]
    if fmt == "json":
        echo_json({"standards": rows})
        return
    table = [(_("number"), _("level"), _("status"), _("areas"), _("title"))] + [
        (r["number"], r["level"], r["status"], ",".join(r["tags"]), r["title"]) for r in rows]
    widths = [max(width(r[i]) for r in table) for i in range(4)]
    for r in table:
        click.echo("  ".join([*(pad(c, w) for c, w in zip(r[:4], widths, strict=True)),
                              r[4]]))
