"""Late and missing reports."""

from __future__ import annotations

from datetime import date

import pandas as pd

from aurum.industry.quality import late_reports, missing_quarters


def test_late_reports_against_due_dates() -> None:
    reports = pd.DataFrame({
        "site": ["A", "A", "B", "C"], "period": ["2024-Q1", "2024-Q2", "2024-03", "2024"],
        "first_submitted_at": pd.to_datetime(["2024-04-30T09:00Z", "2024-08-05T09:00Z",
                                              "2024-04-29T09:00Z", "2025-04-10T09:00Z"])})
    late = late_reports(reports)
    # Q1 due 30 April (on time); Q2 due 30 July, 6 days late; March due 30 April (on time);
    # the year 2024 due 90 days after 31 December = 31 March 2025, 10 days late.
    assert late[["site", "period", "days_late"]].values.tolist() == [
        ["C", "2024", 10], ["A", "2024-Q2", 6]]
    assert late["due_on"].tolist() == [date(2025, 3, 31), date(2024, 7, 30)]


def test_missing_quarters_from_commissioning_to_the_last_reported_quarter() -> None:
    reports = pd.DataFrame({"site": ["A", "A", "A", "B", "B"],
                            "period": ["2024-Q1", "2024-Q3", "2024-Q4", "2024-07", "2024"]})
    sites = pd.DataFrame({"site": ["A", "B", "C", "T"],
                          "kind": ["mine", "plant", "mine", "tailings"],
                          "status": ["operating", "operating", "suspended", "operating"],
                          "commissioned_on": [None, date(2024, 5, 10), None, None]})
    missing = missing_quarters(reports, sites, today=date(2025, 6, 1))
    # A lacks Q2. B starts in Q3 2024 (commissioned in Q2) and the annual report covers it.
    # C is suspended and T is a tailings facility: not expected to report.
    assert missing.values.tolist() == [["A", "2024-Q2"]]


def test_a_late_report_is_counted_in_beijing_days() -> None:
    # Q1 is due on 30 April. 17:00 UTC on 30 April is 01:00 on 1 May in Beijing: one day late.
    reports = pd.DataFrame({"site": ["A", "B"], "period": ["2024-Q1", "2024-Q1"],
                            "first_submitted_at": pd.to_datetime(["2024-04-30T17:00Z",
                                                                  "2024-04-30T15:00Z"])})
    late = late_reports(reports)
    assert late[["site", "days_late"]].values.tolist() == [["A", 1]]


def test_a_quarter_is_missing_only_after_its_due_date() -> None:
    # A reported 2026-Q4 early (before this rule existed); B has reported up to Q3. The fourth
    # quarter falls due on 30 January 2027: B's is not missing before, A's early report does
    # not make it due.
    reports = pd.DataFrame({"site": ["A", "A", "A", "B", "B"],
                            "period": ["2026-Q2", "2026-Q3", "2026-Q4", "2026-Q2", "2026-Q3"]})
    sites = pd.DataFrame({"site": ["A", "B"], "kind": ["mine", "plant"],
                          "status": ["operating", "operating"],
                          "commissioned_on": [date(2026, 1, 15), date(2026, 2, 1)]})

    def missing(today: date) -> list[list[str]]:
        return missing_quarters(reports, sites, today, first_year=2026).values.tolist()

    assert missing(date(2026, 12, 6)) == []
    assert missing(date(2027, 1, 30)) == []
    assert missing(date(2027, 1, 31)) == [["B", "2026-Q4"]]
    # Earlier in the year: B's 2026-Q3 was missing from 31 October, the day after it fell due.
    until_q3 = pd.DataFrame({"site": ["A", "A", "B"],
                             "period": ["2026-Q2", "2026-Q3", "2026-Q2"]})
    assert missing_quarters(until_q3, sites, date(2026, 10, 30), 2026).empty
    assert missing_quarters(until_q3, sites, date(2026, 10, 31), 2026).values.tolist() == [
        ["B", "2026-Q3"]]
