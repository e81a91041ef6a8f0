"""Briefings over HTTP: ``GET /api/v1/briefings/national.pdf?lang=zh-CN`` is a Chinese PDF with
the five indicators' values exactly as the dashboard shows them, in English with ``lang=en``;
a province's or an enterprise's briefing outside the reader's scope is missing; the briefings
page lists what the reader may download; ``aurum briefings make`` writes the month's files."""

from __future__ import annotations

import html
import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from aurum.cli import cli
from aurum.services.platform import Platform
from tests.api.conftest import bearer
from tests.api.test_auth_hardening import _login
from tests.factories import Registry
from tests.services.test_briefings import GBT_TERMS, cjk_share, pdf_text, upload_two_years

CARD = re.compile(r'data-testid="indicator-(?P<id>[a-z_]+)".*?<div class="big">(?P<value>[^<]*)'
                  r"<small>(?P<unit>[^<]*)</small>", re.S)


def dashboard_values(client: TestClient, lang: str) -> dict[str, str]:
    """Each indicator's value and unit as the dashboard's card shows them (signed in)."""
    page = client.get(f"/dashboard?lang={lang}")
    assert page.status_code == 200, page.text
    found = {m["id"]: f"{html.unescape(m['value']).strip()} {html.unescape(m['unit']).strip()}"
             for m in CARD.finditer(page.text)}
    assert len(found) == 5, found
    return found


def assert_in_order(text: str, values: list[str]) -> None:
    """Each of ``values`` in ``text``, one after the other (the briefing's table order)."""
    at = 0
    for value in values:
        found = text.find(value, at)
        assert found >= 0, f"{value!r} not in the briefing after position {at}:\n{text}"
        at = found + len(value)


def test_the_national_briefing_carries_the_dashboards_values(
        app_client: TestClient, platform: Platform, reg: Registry, tmp_path: Path) -> None:
    upload_two_years(platform, reg)
    miit = bearer(app_client, "miit")
    assert _login(app_client, "miit") == 303
    for lang, chinese in (("zh-CN", True), ("en", False)):
        r = app_client.get(f"/api/v1/briefings/national.pdf?lang={lang}", headers=miit)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["content-disposition"] == (
            f'attachment; filename="national-{lang.replace("-", "_")}.pdf"')
        assert r.content.startswith(b"%PDF")
        text = pdf_text(r.content, tmp_path)
        # English but for the GB/T 17766-2020 terms beside the resource categories' names
        assert (cjk_share(text) > 0.5 if chinese
                else cjk_share(GBT_TERMS.sub("", text)) == 0), text
        values = dashboard_values(app_client, lang)
        assert_in_order(text, list(values.values()))
        assert any(v[0].isdigit() for v in values.values())  # figures, not only dashes
    assert app_client.get("/api/v1/briefings/national.pdf?lang=fr", headers=miit
                          ).status_code == 422


def test_a_briefing_outside_the_readers_scope_is_missing(app_client: TestClient) -> None:
    shandong, alpha = bearer(app_client, "sd-miit"), bearer(app_client, "alpha")
    for headers, path in ((shandong, "province/Gansu"), (shandong, "national"),
                          (shandong, "enterprise/ENT-B"), (alpha, "enterprise/ENT-B"),
                          (alpha, "national"), (alpha, "province/Shandong"),
                          (shandong, "province/Atlantis")):
        r = app_client.get(f"/api/v1/briefings/{path}.pdf", headers=headers)
        assert r.status_code == 404, (path, r.text)
    for headers, path in ((shandong, "province/Shandong"), (alpha, "enterprise/ENT-A")):
        r = app_client.get(f"/api/v1/briefings/{path}.pdf?lang=en", headers=headers)
        assert r.status_code == 200 and r.content.startswith(b"%PDF"), path
    assert app_client.get("/api/v1/briefings/national.pdf").status_code == 401


def test_the_briefings_page_and_the_months_files(
        app_client: TestClient, platform: Platform, reg: Registry) -> None:
    result = CliRunner().invoke(cli, ["briefings", "make", "--month", "2026-11", "--lang", "en",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    folder = platform.settings.home / "briefings"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-11-national-en.pdf", "2026-11-province-Gansu-en.pdf",
        "2026-11-province-Shandong-en.pdf"]
    assert CliRunner().invoke(cli, ["briefings", "make", "--month", "11/2026"]).exit_code == 2

    assert _login(app_client, "sd-miit") == 303
    page = app_client.get("/briefings?lang=en")
    assert page.status_code == 200
    assert "/api/v1/briefings/kept?name=2026-11-province-Shandong-en.pdf" in page.text
    assert "Gansu" not in page.text and "national.pdf" not in page.text
    assert "/api/v1/briefings/province/Shandong.pdf?lang=zh-CN" in page.text
    kept = app_client.get("/api/v1/briefings/kept?name=2026-11-province-Shandong-en.pdf")
    assert kept.status_code == 200 and kept.content.startswith(b"%PDF")
    assert kept.headers["content-disposition"] == (
        'attachment; filename="2026-11-province-Shandong-en.pdf"')
    for name in ("2026-11-province-Gansu-en.pdf", "2026-11-national-en.pdf", "../aurum.db"):
        assert app_client.get(f"/api/v1/briefings/kept?name={name}").status_code == 404, name
