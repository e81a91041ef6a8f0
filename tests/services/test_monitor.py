"""The monitor as of a day of the reporting calendar: the default year is the latest complete
one, the running year is compared over the months that are due, a report is missing only after
its due date, and an as-of year the data does not reach is refused."""

from __future__ import annotations

from datetime import date

import pytest

from aurum.core.errors import ValidationError
from aurum.services import cache, monitor, reporting
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import Registry, report_csv

# Enterprise A reports its 2026-Q4 on 5 January 2027, the fourth quarter having ended; B has
# not yet (its report is due on 30 January).
EARLY_Q4 = date(2027, 1, 5)


def _quarters(site: str, year: int, gold_kg: float, quarters: range = range(1, 5)
              ) -> list[dict[str, object]]:
    """Quarterly rows whose four quarters would sum to ``gold_kg`` of mine gold."""
    return [{"site": site, "period": f"{year}-Q{q}", "ore_treated_t": 100_000,
             "head_grade_gpt": 5.0, "gold_own_mine_kg": gold_kg / 4} for q in quarters]


def _upload(platform: Platform, actor: Actor, rows: list[dict[str, object]], today: date
            ) -> None:
    with transaction(platform.sessions, actor.user_id) as s:
        reporting.import_file(s, actor, report_csv(rows), "reports.csv", today=today)


@pytest.fixture
def reg(platform: Platform, reg: Registry) -> Registry:
    """The small registry's two mines reporting 2024, 2025 and 2026 to Q3; A also 2026-Q4 on
    :data:`EARLY_Q4`.

    Mine gold, kg: A 400 (2024), 420 (2025), 2,000 a year in 2026; B 100, 110, 2,000 a year.
    """
    for actor, site, gold in ((reg.ent_a, "SD-A-01", (400, 420)),
                              (reg.ent_b, "GS-B-01", (100, 110))):
        _upload(platform, actor, _quarters(site, 2024, gold[0]) + _quarters(site, 2025, gold[1])
                + _quarters(site, 2026, 2000, range(1, 4)), today=date(2026, 11, 1))
    _upload(platform, reg.ent_a, _quarters("SD-A-01", 2026, 2000, range(4, 5)), EARLY_Q4)
    return reg


def test_the_default_year_is_the_latest_complete_one(platform: Platform, reg: Registry
                                                     ) -> None:
    with platform.sessions() as s:
        for actor in (reg.regulator, reg.ent_a, reg.ent_b):
            m = monitor.build(s, actor, today=EARLY_Q4)
            # 2026 is fully reported by A, but its fourth quarter is not due for everyone
            # until 30 January: 2025 stays the year shown, to every role.
            assert m.as_of == 2025
        m = monitor.build(s, reg.regulator, today=EARLY_Q4)
        # 2024 -> 2025 national mine gold: 500 -> 530 kg, +6 %.
        assert m.report.indicator("gold_output_growth_pct").value == pytest.approx(6.0)
        # The running year is compared over Q1-Q3, the quarters every site should have sent:
        # 3 x 1,000 kg against 3/4 of 500 kg.
        assert m.ytd is not None and (m.ytd.year, m.ytd.months) == (2026, 9)
        ytd_gold = m.ytd.report.indicator("gold_output_growth_pct")
        assert ytd_gold.value == pytest.approx(100 * (3000 - 375) / 375)
        assert monitor.enterprise_view(s, reg.regulator, "ENT-A", today=EARLY_Q4).report.as_of \
            == 2025
        # Once the fourth quarter is due, 2026 is the latest complete year.
        assert monitor.build(s, reg.regulator, today=date(2027, 1, 31)).as_of == 2026


def test_a_report_is_missing_only_after_its_due_date(platform: Platform, reg: Registry
                                                     ) -> None:
    # The plant SD-A-02, commissioned in 2025-Q2, has never reported.
    plant = [["SD-A-02", p] for p in ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")]
    with platform.sessions() as s:
        missing = monitor.data_quality(s, reg.regulator, today=EARLY_Q4)["missing"]
        assert missing.values.tolist() == plant
        missing = monitor.data_quality(s, reg.regulator, today=date(2027, 1, 31))["missing"]
        assert sorted(missing.values.tolist()) == sorted(
            [*plant, ["SD-A-02", "2026-Q4"], ["GS-B-01", "2026-Q4"]])


def test_an_as_of_year_beyond_the_data_is_refused(platform: Platform, reg: Registry) -> None:
    with platform.sessions() as s:
        with pytest.raises(ValidationError, match="expected a number from 2000 to 2035, got "
                                                  "20000000"):
            monitor.build(s, reg.regulator, 20_000_000)
        with pytest.raises(ValidationError, match="after 2026, the latest year the data "
                                                  "reports: expected a year from 2024 to 2026"):
            monitor.build(s, reg.regulator, 2030, today=EARLY_Q4)
        # A refusal leaves nothing behind, and the next caller is served.
        assert cache._IN_FLIGHT == {}
        assert monitor.build(s, reg.regulator, 2026, today=EARLY_Q4).as_of == 2026
