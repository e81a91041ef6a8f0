"""Report submission, all-or-nothing upload, amendment history and organisation scope."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import func, select

from aurum.core.errors import ConflictError, NotFoundError, ValidationError
from aurum.core.periods import Period
from aurum.industry import reporting as rp
from aurum.services import monitor, reporting
from aurum.services.auth import Actor
from aurum.services.platform import Platform
from aurum.store.db import transaction
from aurum.store.models import AuditRecord, Report, ReportVersion, ReportWaste, Upload
from tests.factories import GOOD_ROW, Registry, report_csv


def _counts(platform: Platform) -> tuple[int, ...]:
    with platform.sessions() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0
                     for m in (Report, ReportVersion, ReportWaste, Upload, AuditRecord))


def _upload(platform: Platform, actor: Actor, data: bytes, name: str = "q1.csv"
            ) -> reporting.ImportResult:
    with transaction(platform.sessions, actor.user_id) as s:
        return reporting.import_file(s, actor, data, name)


def test_upload_stores_every_field(platform: Platform, reg: Registry) -> None:
    second = {**GOOD_ROW, "period": "2024-Q2", "gold_own_mine_kg": "1,250.5",
              "ore_treated_t": 400000, "head_grade_gpt": 3.5}
    result = _upload(platform, reg.ent_a, report_csv([GOOD_ROW, second]))
    assert (result.created, result.amended) == (2, 0)
    with platform.sessions() as s:
        frame = reporting.current_reports(s, reg.ent_a).set_index("period")
    assert frame.loc["2024-Q1", "gold_own_mine_kg"] == pytest.approx(260.5)
    assert frame.loc["2024-Q2", "gold_own_mine_kg"] == pytest.approx(1250.5)
    assert frame.loc["2024-Q1", "waste_tailings_used_backfill_t"] == pytest.approx(20000)
    assert pd.isna(frame.loc["2024-Q1", "gold_recycled_kg"])
    assert pd.isna(frame.loc["2024-Q1", "waste_cyanide_residue_generated_t"])
    with platform.sessions() as s:
        audits = s.scalars(select(AuditRecord).where(AuditRecord.action == "import")).all()
    assert len(audits) == 1 and audits[0].user_id == reg.ent_a.user_id


def test_excel_upload_matches_csv(platform: Platform, reg: Registry) -> None:
    buf = io.BytesIO()
    pd.DataFrame([GOOD_ROW]).to_excel(buf, index=False)
    _upload(platform, reg.ent_a, buf.getvalue(), "q1.xlsx")
    with platform.sessions() as s:
        frame = reporting.current_reports(s, reg.ent_a)
    assert frame["head_grade_gpt"].tolist() == [pytest.approx(4.2)]


BAD_FILES = {
    "wrong unit": ({**GOOD_ROW}, "gold_own_mine_kg", "gold_own_mine_t", 1, "wrong unit"),
    "negative tonnage": ({**GOOD_ROW, "ore_treated_t": -5}, None, "ore_treated_t", 3, ">= 0"),
    "unknown site": ({**GOOD_ROW, "site": "NOPE-01"}, None, "site", 3, "unknown site"),
    "text in number": ({**GOOD_ROW, "silver_kg": "about 120"}, None, "silver_kg", 3,
                       "expected a number"),
    "unit in cell": ({**GOOD_ROW, "ore_mined_t": "70 kt"}, None, "ore_mined_t", 3,
                     "plain number"),
    "gold above ore x grade": ({**GOOD_ROW, "gold_own_mine_kg": 400}, None,
                               "gold_own_mine_kg", 3, "exceeds the gold in the ore"),
    "waste used above available": ({**GOOD_ROW, "waste_tailings_used_backfill_t": 90000}, None,
                                   "waste_tailings_generated_t", 3, "exceeds generated"),
    "grade in percent": ({**GOOD_ROW, "head_grade_gpt": 4200}, None, "head_grade_gpt", 3,
                         "plausible maximum"),
    # Another organisation's site looks exactly like a missing one: nothing leaks.
    "another organisation's site": ({**GOOD_ROW, "site": "GS-B-01"}, None, "site", 3,
                                    "unknown site"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_whole_and_changes_nothing(platform: Platform, reg: Registry,
                                                       case: str) -> None:
    row, rename_from, column, rownum, words = BAD_FILES[case]
    if rename_from:
        row = {(column if k == rename_from else k): v for k, v in row.items()}
    good = {**GOOD_ROW, "period": "2024-Q3"}
    data = report_csv([good, row] if rownum == 3 else [row, good])
    before = _counts(platform)
    with pytest.raises(ValidationError) as err:
        _upload(platform, reg.ent_a, data)
    assert _counts(platform) == before
    problems = err.value.problems
    assert any(p.row == rownum and p.column == column and words in p.message
               for p in problems), problems
    assert all(p.source == "q1.csv" for p in problems)


def test_readers_cannot_upload(platform: Platform, reg: Registry) -> None:
    for reader in (reg.regulator, reg.auditor):
        with pytest.raises(ValidationError, match="may not report"):
            _upload(platform, reader, report_csv([GOOD_ROW]))


def test_duplicate_period_in_file_and_in_store(platform: Platform, reg: Registry) -> None:
    with pytest.raises(ValidationError) as err:
        _upload(platform, reg.ent_a, report_csv([GOOD_ROW, GOOD_ROW]))
    assert err.value.problems[0].row == 3 and "duplicate period" in err.value.problems[0].message
    _upload(platform, reg.ent_a, report_csv([GOOD_ROW]))
    before = _counts(platform)
    with pytest.raises(ValidationError, match="already reported"):
        _upload(platform, reg.ent_a, report_csv([GOOD_ROW]))
    with pytest.raises(ValidationError, match="overlaps 2024-Q1"):
        _upload(platform, reg.ent_a, report_csv([{**GOOD_ROW, "period": "2024-02"}]))
    assert _counts(platform) == before


def test_amendment_is_a_new_version_with_history(platform: Platform, reg: Registry) -> None:
    _upload(platform, reg.ent_a, report_csv([GOOD_ROW]))
    amended = {**GOOD_ROW, "gold_own_mine_kg": 255.0,
               "amendment_reason": "assay lab corrected the bullion fineness"}
    result = _upload(platform, reg.ent_a, report_csv([amended]), "fix.csv")
    assert (result.created, result.amended) == (0, 1)
    with platform.sessions() as s:
        rid = s.scalar(select(Report.id))
        assert rid is not None
        hist = reporting.history(s, reg.regulator, rid)
        current = reporting.current_reports(s, reg.regulator)
    assert [h["version"] for h in hist] == [1, 2]
    assert hist[0]["values"]["gold_own_mine_kg"] == pytest.approx(260.5)
    assert hist[1]["values"]["gold_own_mine_kg"] == pytest.approx(255.0)
    assert hist[1]["reason"].startswith("assay lab")
    assert current["gold_own_mine_kg"].tolist() == [pytest.approx(255.0)]
    assert current["version"].tolist() == [2]

    with platform.sessions() as s:
        view = reporting.report_view(s, reg.regulator, rid)
        table = reporting.history_table(s, reg.regulator, rid).set_index("field")
    # The report page compares only the field that changed; the history table shows both.
    assert view.changed == view.shown == ["gold_own_mine_kg"]
    assert [h["version"] for h in view.history] == [1, 2]
    assert view.due == rp.due_date(Period.parse("2024-Q1"))
    assert list(table.columns) == ["v1", "v2"]
    assert table.loc["gold_own_mine_kg"].tolist() == [pytest.approx(260.5), pytest.approx(255.0)]


def test_single_submission_errors(platform: Platform, reg: Registry) -> None:
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2025-Q1", values)
    with pytest.raises(ConflictError), transaction(platform.sessions) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2025-Q1", values)
    with pytest.raises(NotFoundError), transaction(platform.sessions) as s:
        reporting.submit(s, reg.ent_a, "GS-B-01", "2025-Q1", values)
    with pytest.raises(ValidationError, match="period"), transaction(platform.sessions) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2025-Q5", values)
    with transaction(platform.sessions) as s:
        v = reporting.submit(s, reg.ent_a, "SD-A-01", "2025-Q1",
                             {**values, "silver_kg": 99}, reason="late silver assay")
        assert v.version == 2


def test_a_period_that_has_not_ended_is_refused(platform: Platform, reg: Registry) -> None:
    # On 6 December 2026 the fourth quarter is still running: its figures are not final.
    today = date(2026, 12, 6)
    before = _counts(platform)
    q4 = {**GOOD_ROW, "period": "2026-Q4"}
    with pytest.raises(ValidationError) as info, \
            transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.import_file(s, reg.ent_a, report_csv([GOOD_ROW, q4]), "q4.csv", today=today)
    (problem,) = info.value.problems
    assert (problem.source, problem.row, problem.column) == ("q4.csv", 3, "period")
    assert problem.message.startswith("period 2026-Q4 has not ended: it ends on 2026-12-31, "
                                      "so its report can be submitted from 2027-01-01")
    assert _counts(platform) == before
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    for period in ("2026-Q4", "2026-12", "2026"):
        with pytest.raises(ValidationError, match=f"period {period} has not ended"), \
                transaction(platform.sessions) as s:
            reporting.submit(s, reg.ent_a, "SD-A-01", period, values, today=today)
    # Back-dated submissions (the demo's history) are checked against their own day.
    row = rp.ReportRow(2, "SD-A-01", Period.parse("2026-Q3"), {})
    with pytest.raises(ValidationError, match="2026-Q3 has not ended"), \
            transaction(platform.sessions) as s:
        reporting.import_rows(s, reg.admin, [row], "history.csv",
                              submitted_at=[datetime(2026, 9, 30, 2, tzinfo=UTC)])
    assert _counts(platform) == before
    with transaction(platform.sessions) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2026-Q4", values, today=date(2027, 1, 1))
        reporting.submit(s, reg.ent_a, "SD-A-01", "2026-Q3", values, today=today)


def test_scope_of_reads(platform: Platform, reg: Registry) -> None:
    _upload(platform, reg.ent_a, report_csv([GOOD_ROW]))
    _upload(platform, reg.ent_b, report_csv([{**GOOD_ROW, "site": "GS-B-01"}]))
    with platform.sessions() as s:
        seen = {name: sorted(reporting.current_reports(s, actor)["site"])
                for name, actor in (("a", reg.ent_a), ("b", reg.ent_b),
                                    ("reg", reg.regulator), ("sd", reg.regulator_sd),
                                    ("aud", reg.auditor))}
        b_report = s.scalar(select(Report.id).join(Report.site)
                            .where(Report.site.has(code="GS-B-01")))
        assert b_report is not None
        with pytest.raises(NotFoundError):
            reporting.history(s, reg.ent_a, b_report)
    assert seen == {"a": ["SD-A-01"], "b": ["GS-B-01"], "reg": ["GS-B-01", "SD-A-01"],
                    "sd": ["SD-A-01"], "aud": ["GS-B-01", "SD-A-01"]}


def test_template_columns_cover_every_field() -> None:
    assert set(rp.TEMPLATE_COLUMNS) >= {f.name for f in rp.FIELDS}
    header = reporting.upload_template("csv").decode().splitlines()
    assert header == [",".join(rp.TEMPLATE_COLUMNS)]
    sheets = pd.read_excel(io.BytesIO(reporting.upload_template("xlsx")), sheet_name=None)
    assert list(sheets) == ["reports", "fields"]
    assert list(sheets["reports"].columns) == list(rp.TEMPLATE_COLUMNS)
    groups = reporting.field_groups()
    assert [f.name for fs in groups.values() for f in fs] == [f.name for f in rp.FIELDS]
    assert {f.group for f in groups["waste"]} == {"waste"}
    guide = rp.field_guide()
    assert guide.set_index("column").loc["head_grade_gpt", "unit"] == "g/t"


def test_single_submission_is_audited_and_refreshes_the_monitor(platform: Platform,
                                                                reg: Registry) -> None:
    values = {k: v for k, v in GOOD_ROW.items() if k not in ("site", "period")}
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2024", values)
    with platform.sessions() as s:
        before = monitor.build(s, reg.regulator).report.indicator("gold_output_growth_pct")
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        reporting.submit(s, reg.ent_a, "SD-A-01", "2024", {**values, "gold_own_mine_kg": 250},
                         reason="bullion re-weighed")
    with platform.sessions() as s:
        after = monitor.build(s, reg.regulator).report.indicator("gold_output_growth_pct")
        trail = s.scalars(select(AuditRecord).where(AuditRecord.entity == "report_versions")
                          .order_by(AuditRecord.id)).all()
    assert before.baseline == pytest.approx(260.5) and after.baseline == pytest.approx(250)
    assert [t.action for t in trail] == ["create", "amend"]
    assert trail[1].user_id == reg.ent_a.user_id
    assert trail[1].after is not None and trail[1].after["reason"] == "bullion re-weighed"


def test_every_bad_cell_and_row_of_a_large_file_is_named(platform: Platform,
                                                         reg: Registry) -> None:
    rows: list[dict[str, object]] = [
        {**GOOD_ROW, "period": f"20{24 + i // 12}-{i % 12 + 1:02d}"} for i in range(36)]
    rows[4]["silver_kg"] = "n/a"
    rows[9]["gold_own_mine_kg"] = 9000
    rows[20]["period"] = "2025-13"
    with pytest.raises(ValidationError) as err:
        _upload(platform, reg.ent_a, report_csv(rows))
    found = [(p.row, p.column) for p in err.value.problems]
    assert found == [(6, "silver_kg"), (11, "gold_own_mine_kg"), (22, "period")]


def test_an_import_reports_its_stages_and_stopped_at_any_stores_nothing(
        platform: Platform, reg: Registry) -> None:
    """Each stage is announced before it begins, the writes last: an import stopped at any
    stage (a cancelled job) leaves the store as it was."""
    data = report_csv([GOOD_ROW, {**GOOD_ROW, "period": "2024-Q2"}])
    before = _counts(platform)
    def stopping_at(stop: int, seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
        def progress(stage: int, stages: int) -> None:
            seen.append((stage, stages))
            if stage == stop:
                raise InterruptedError(reporting.IMPORT_STAGES[stage])
        return progress

    for stop in range(len(reporting.IMPORT_STAGES)):
        seen: list[tuple[int, int]] = []
        with pytest.raises(InterruptedError), transaction(platform.sessions,
                                                          reg.ent_a.user_id) as s:
            reporting.import_file(s, reg.ent_a, data, "q.csv", progress=stopping_at(stop, seen))
        assert seen == [(i, 4) for i in range(stop + 1)]
        assert _counts(platform) == before
    seen = []
    with transaction(platform.sessions, reg.ent_a.user_id) as s:
        result = reporting.import_file(s, reg.ent_a, data, "q.csv",
                                       progress=lambda i, n: seen.append((i, n)))
    assert result.created == 2 and seen == [(i, 4) for i in range(4)]
