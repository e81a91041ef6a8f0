"""Three years of the district's quarterly reports, uploaded as the enterprises would.

Reports go through the same import path as an enterprise's upload (one file per enterprise
and quarter), so the demo exercises the real validation and audit trail. Each file is
accepted by the administrator when it arrives: the district's history counts in its
indicators whether or not the review is on.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path

from aurum.core.periods import Period
from aurum.core.time import CHINA_STANDARD_TIME
from aurum.demo.district import District
from aurum.industry.reporting import TEMPLATE_COLUMNS, ReportRow
from aurum.services import reporting, review
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction


def _submitted(day: date) -> datetime:
    # 10:00 China Standard Time on the day the district says the report arrived.
    return datetime.combine(day, time(10), CHINA_STANDARD_TIME).astimezone(UTC)


def seed_demo(platform: Platform, admin: Actor, district: District,
              progress: Callable[[int, int], None] | None = None) -> int:
    """Upload the district's reports and amendments, one file per enterprise and quarter, in
    the order they arrived.

    Parameters
    ----------
    platform : Platform
        Database holding the district's registry.
    admin : Actor
        The administrator who uploads.
    district : District
        The generated district.
    progress : callable, optional
        Called with (uploads done, uploads in all).

    Returns
    -------
    int
        Number of reports (amendments not counted).
    """
    org_of = {s.code: s.org_code for s in district.sites}
    batches: dict[tuple[str, str], list[tuple[ReportRow, datetime]]] = defaultdict(list)
    for r in district.reports:
        row = ReportRow(0, r.site_code, Period.parse(r.period), dict(r.values))
        batches[(org_of[r.site_code], r.period)].append((row, _submitted(r.submitted_on)))
    for a in district.amendments:
        row = ReportRow(0, a.site_code, Period.parse(a.period), dict(a.values), a.reason)
        batches[(org_of[a.site_code], f"{a.period}-amendment")].append(
            (row, _submitted(a.submitted_on)))
    # Chronological order: amendments come after the reports they amend.
    order = sorted(batches, key=lambda k: min(t for _, t in batches[k]))
    for done, (org_code, label) in enumerate(order, 1):
        items = batches[(org_code, label)]
        with transaction(platform.sessions, admin.user_id) as s:
            reporting.import_rows(s, admin, [r for r, _ in items], f"{org_code}-{label}.csv",
                                  submitted_at=[t for _, t in items])
            review.accept_all_waiting(s, admin, at=max(t for _, t in items))
        if progress is not None:
            progress(done, len(order))
    return len(district.reports)


def write_rejected_example(platform: Platform, district: District) -> Path:
    """A file of the district's inconsistent submissions, to try the upload's refusal:
    ``AURUM_HOME/demo/inconsistent-reports.csv``."""
    path = platform.settings.home / "demo" / "inconsistent-reports.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(TEMPLATE_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for r in district.rejected:
            writer.writerow({"site": r.site_code, "period": r.period,
                             **{k: v for k, v in r.values.items() if v is not None}})
    return path
