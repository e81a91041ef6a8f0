"""Briefings: a PDF per scope from the dashboard's view models, in the reader's language; a
subject outside the reader's scope is missing; the month's briefings are kept, the oldest
months deleted."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from aurum.core import i18n
from aurum.core.errors import NotFoundError, ValidationError
from aurum.services import briefings, cache, reporting
from aurum.services.briefings import Subject
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import GOOD_ROW, Registry, report_csv

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def pdf_text(document: bytes, folder: Path) -> str:
    """The text of a PDF as poppler's ``pdftotext`` reads it (``make documents`` installs
    it): the test fails, it does not skip, when it is missing."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (Debian's poppler-utils) is missing: run `make documents`"
    path = folder / "briefing.pdf"
    path.write_bytes(document)
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


GBT_TERMS = re.compile(r"\((探明|控制|推断)\)")
"""The GB/T 17766-2020 terms an English briefing writes beside the resource categories'
English names (``Measured resources (探明)``)."""


def cjk_share(text: str) -> float:
    """CJK characters among the letters of ``text`` (CJK and Latin), 0–1."""
    cjk, latin = len(CJK.findall(text)), len(LATIN.findall(text))
    return cjk / max(cjk + latin, 1)


def upload_two_years(platform: Platform, reg: Registry) -> None:
    """Both mines report 2024 and 2025 in full (quarterly mine gold, kg: A 250 then 260,
    B 100 then 110)."""
    for actor, site, gold in ((reg.ent_a, "SD-A-01", (250, 260)),
                              (reg.ent_b, "GS-B-01", (100, 110))):
        rows = [{**GOOD_ROW, "site": site, "period": f"{year}-Q{q}",
                 "gold_own_mine_kg": gold[year - 2024]}
                for year in (2024, 2025) for q in range(1, 5)]
        with transaction(platform.sessions, actor.user_id) as s:
            reporting.import_file(s, actor, report_csv(rows), "reports.csv")


@pytest.fixture
def reg(platform: Platform, reg: Registry) -> Registry:
    cache.clear()
    upload_two_years(platform, reg)
    return reg


def test_a_national_briefing_in_chinese_and_in_english(platform: Platform, reg: Registry,
                                                       tmp_path: Path) -> None:
    with platform.sessions() as s:
        with i18n.using("zh_CN"):
            chinese = pdf_text(briefings.pdf(s, reg.regulator, Subject("national")), tmp_path)
        with i18n.using("en"):
            document = briefings.pdf(s, reg.regulator, Subject("national"))
            english = pdf_text(document, tmp_path)
            assert briefings.pdf(s, reg.regulator, Subject("national")) is document  # kept
    assert document.startswith(b"%PDF")
    assert cjk_share(chinese) > 0.5, chinese
    # English throughout but for the GB/T 17766-2020 terms beside the resource categories'
    # English names (the chart of the resources indicator by category), each once.
    assert len(GBT_TERMS.findall(english)) == 3, english
    assert cjk_share(GBT_TERMS.sub("", english)) == 0, english
    assert "Measured resources (探明)" in english.replace("\n", " ")
    # The five indicators by name, the sections by title, the header's data version.
    for heading in ("Gold output growth", "Output share of mines >= 500 t/d",
                    "New plants against the plan's minimum scale", "Dynamic clearing of hazards",
                    "Gold recycling: transaction reports", "Data quality of the reporting",
                    "data version"):
        assert heading in english, heading
    assert "SD-A-02" in english  # the plant-scale list: the 400 t/d plant of 2025


def test_each_scope_reads_only_its_own(platform: Platform, reg: Registry) -> None:
    national, shandong, gansu = (Subject("national"), Subject("province", "Shandong"),
                                 Subject("province", "Gansu"))
    with platform.sessions() as s:
        for actor, subject in ((reg.regulator_sd, national), (reg.regulator_sd, gansu),
                               (reg.ent_a, national), (reg.ent_a, shandong),
                               (reg.regulator, Subject("province", "Atlantis")),
                               (reg.ent_a, Subject("enterprise", "ENT-B"))):
            with pytest.raises(NotFoundError):
                briefings.narrowed(s, actor, subject)
        with pytest.raises(NotFoundError):
            briefings.enterprise(s, reg.ent_a, "ENT-B")
        # Narrowed, never widened: the province's regulator reads its province, an
        # enterprise its own organisation, a national regulator any enterprise.
        assert briefings.narrowed(s, reg.regulator_sd, shandong) == reg.regulator_sd
        assert briefings.narrowed(s, reg.regulator, gansu).province == "Gansu"
        own = briefings.narrowed(s, reg.ent_a, briefings.enterprise(s, reg.ent_a, "ENT-A"))
        assert own.org_ids is not None and own.org_ids <= (reg.ent_a.org_ids or frozenset())
        with i18n.using("en"):
            view = briefings.build(s, reg.regulator, briefings.enterprise(s, reg.regulator,
                                                                          "ENT-B"))
        assert set(view.monitor.annual["site"]) == {"GS-B-01"}
        assert view.title == "Enterprise briefing: Beta Gold Co."


def test_the_month_is_kept_and_old_months_deleted(platform: Platform, reg: Registry) -> None:
    home = platform.settings.home
    first = briefings.make_month(platform, "2026-10", ["en"])
    assert sorted(p.name for p in first) == ["2026-10-national-en.pdf",
                                             "2026-10-province-Gansu-en.pdf",
                                             "2026-10-province-Shandong-en.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in first)
    briefings.make_month(platform, "2026-11", ["en"], keep=1)
    assert {k.month for k in briefings.kept(home, reg.regulator)} == {"2026-11"}
    # Kept files by scope: the province's regulator its province's, an enterprise none.
    assert [k.name for k in briefings.kept(home, reg.regulator_sd)] == [
        "2026-11-province-Shandong-en.pdf"]
    assert briefings.kept(home, reg.ent_a) == []
    for name in ("2026-11-province-Gansu-en.pdf", "../aurum.db", "2026-10-national-en.pdf"):
        with pytest.raises(NotFoundError):
            briefings.kept_file(home, reg.regulator_sd, name)
    assert briefings.kept_file(home, reg.auditor, "2026-11-national-en.pdf").is_file()
    with pytest.raises(ValidationError, match="YYYY-MM"):
        briefings.make_month(platform, "2026-13")


def test_the_month_before() -> None:
    assert briefings.last_month(date(2027, 1, 3)) == "2026-12"
    assert briefings.last_month(date(2026, 11, 30)) == "2026-10"
    assert briefings.filename(Subject("province", "Inner Mongolia"), "zh_CN", "2026-11") == (
        "2026-11-province-Inner_Mongolia-zh_CN.pdf")

