"""Page tables that scale (issue 18): a page of 100 rows, sorted, searched and filtered on the
server, exports of the whole selection, words for booleans and machine keys."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.factories import GOOD_ROW, PASSWORD, report_csv

MONTHS = [f"{y}-{m:02d}" for y in range(2020, 2025) for m in range(1, 13)]
"""Sixty months: 120 reports over the two mines, more than a page."""


def _gold(i: int) -> float:
    """Gold of the ``i``-th report, kg: values whose text order is not their order (9.5
    before 10.5 as numbers, after as text)."""
    return float((i * 37) % 997) + 0.5


def _upload(client: TestClient, user: str, site: str, offset: int) -> None:
    rows = [GOOD_ROW | {"site": site, "period": p, "gold_own_mine_kg": _gold(offset + i),
                        "ore_treated_t": round(_gold(offset + i) * 1000 / (4.2 * 0.9))}
            for i, p in enumerate(MONTHS)]
    r = client.post("/api/v1/reports/upload", headers=bearer(client, user),
                    files={"file": ("r.csv", report_csv(rows), "text/csv")})
    assert r.status_code in (200, 201, 202), r.text


def _login(client: TestClient, username: str) -> None:
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf},
                follow_redirects=False)


@pytest.fixture
def reader(app_client: TestClient) -> TestClient:
    """The national regulator's browser over 120 reports of two mines."""
    _upload(app_client, "alpha", "SD-A-01", 0)
    _upload(app_client, "beta", "GS-B-01", len(MONTHS))
    _login(app_client, "miit")
    return app_client


def _rows(html: str, testid: str = "reports") -> list[list[str]]:
    """The cells' text of each body row of the table ``testid``."""
    table = html.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r,
                                                                   re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_reports_shows_a_page_of_100_with_a_link_to_page_2(reader: TestClient) -> None:
    first = reader.get("/reports")
    assert first.status_code == 200
    rows = _rows(first.text)
    assert len(rows) == 100
    assert 'href="/reports?page=2"' in first.text and 'rel="next"' in first.text
    assert "1–100" in first.text and "120" in first.text
    second = reader.get("/reports?page=2")
    rows2 = _rows(second.text)
    assert len(rows2) == 20
    assert {r[0] for r in rows}.isdisjoint({r[0] for r in rows2})
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text


def test_a_search_filters_the_rows_by_site_code(reader: TestClient) -> None:
    page = reader.get("/reports?q=gs-b")  # any case
    rows = _rows(page.text)
    assert len(rows) == 60 and {r[1] for r in rows} == {"GS-B-01"}
    assert 'rel="next"' not in page.text
    assert 'value="gs-b"' in page.text  # the search box keeps what was typed
    assert _rows(reader.get("/reports?q=no-such-site").text)[0][0] == "nothing to show"


def test_a_filter_keeps_one_period(reader: TestClient) -> None:
    rows = _rows(reader.get("/reports?period=2023-07").text)
    assert sorted(r[1] for r in rows) == ["GS-B-01", "SD-A-01"]


def test_sorting_on_a_number_column_orders_numerically_both_ways(reader: TestClient) -> None:
    for desc in (False, True):
        page = reader.get("/reports?sort=gold_own_mine_kg" + ("&desc=true" if desc else "")).text
        gold = [_number(r[7]) for r in _rows(page)]
        expected = sorted((_gold(i) for i in range(2 * len(MONTHS))), reverse=desc)[:100]
        assert gold == pytest.approx(expected, abs=0.05)
        assert f'aria-sort="{"descending" if desc else "ascending"}"' in page
    # the header of the sorted column turns the order round
    assert 'href="/reports?sort=gold_own_mine_kg&amp;desc=true"' in reader.get(
        "/reports?sort=gold_own_mine_kg").text


def test_the_csv_export_of_a_filtered_view_holds_every_filtered_row(reader: TestClient) -> None:
    page = reader.get("/reports?q=SD-A&sort=gold_own_mine_kg&desc=true").text
    link = re.search(r'href="(/reports\?[^"]*format=csv[^"]*)"', page)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert "q=SD-A" in url and "sort=gold_own_mine_kg" in url
    csv = reader.get(url)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(csv.text))
    assert len(frame) == 60 and set(frame["site"]) == {"SD-A-01"}
    assert frame["gold_own_mine_kg"].is_monotonic_decreasing
    xlsx = reader.get(url.replace("format=csv", "format=xlsx"))
    assert len(pd.read_excel(io.BytesIO(xlsx.content))) == 60


def test_bad_table_parameters_are_refused_clearly(reader: TestClient) -> None:
    for query in ("page=0", "page=1000000000", "page=two", "sort=not_a_column",
                  "q=" + "x" * 10_000, "desc=maybe", "format=pdf", "period=" + "9" * 500,
                  "org_page=0"):
        r = reader.get(f"/{'enterprises' if query.startswith('org_') else 'reports'}?{query}")
        assert r.status_code == 422, (query, r.status_code)
    assert "sort" in reader.get("/reports?sort=not_a_column").text
    # a page past the last is empty, with a way back
    page = reader.get("/reports?page=50").text
    assert _rows(page)[0][0] == "nothing to show"
    assert 'href="/reports?page=2"' in page  # previous: the last page


def test_booleans_and_machine_keys_read_in_words(reader: TestClient) -> None:
    page = reader.get("/compliance").text
    cells = {c for r in _rows(page, "compliance") for c in r}
    assert "below_floor" not in page.split('data-testid="compliance"')[1]
    assert "below floor" in {c.lower() for c in cells} or "below the floor" in page
    chinese = reader.get("/sites?lang=zh-CN").text
    cells = {c for r in _rows(chinese, "sites") for c in r}
    assert not {"mine", "plant", "True", "False", "operating"} & cells


def test_headers_carry_their_units(reader: TestClient) -> None:
    page = reader.get("/reports?lang=zh-CN").text
    assert "(kg)" in page or "（kg）" in page or "（千克）" in page


def test_every_paged_table_renders_searches_and_exports(reader: TestClient) -> None:
    hazard = {"site": "GS-B-01", "title": "松石 above the haul road", "level": "general",
              "description": "Loose rock above the haul road", "area": "bench 2"}
    assert reader.post("/api/v1/safety/hazards", headers=bearer(reader, "beta"),
                       json=hazard).status_code == 201
    for path, testids in (("/sites", ["sites"]), ("/enterprises", ["groups", "organisations"]),
                          ("/compliance", ["compliance"]),
                          ("/data-quality", ["late", "missing"]), ("/safety", ["hazards"]),
                          ("/safety/alerts", ["alerts"])):
        page = reader.get(path)
        assert page.status_code == 200, path
        for testid in testids:
            assert f'data-testid="{testid}-search"' in page.text, (path, testid)
            assert f'data-testid="{testid}-pages"' in page.text, (path, testid)
    assert reader.get("/safety?format=csv").headers["content-type"].startswith("text/csv")
    # Chinese text is searched as typed; the second table of a page has its own parameters.
    assert [r[2] for r in _rows(reader.get("/safety?q=松石").text, "hazards")] == [
        hazard["title"]]
    assert _rows(reader.get("/safety?q=松石x").text, "hazards")[0][0] == "nothing to show"
    orgs = reader.get("/enterprises?org_q=beta&org_format=csv")
    assert pd.read_csv(io.StringIO(orgs.text))["code"].tolist() == ["ENT-B"]
    assert reader.get("/enterprises?org_sort=name&sort=gold_output_t").status_code == 200
    assert reader.get("/data-quality?missing_page=0").status_code == 422


def test_every_column_of_every_table_sorts_both_ways(reader: TestClient) -> None:
    from aurum.api.routers import pages, safety

    for path, spec in (("/reports", pages.REPORTS), ("/sites", pages.SITES),
                       ("/compliance", pages.COMPLIANCE), ("/enterprises", pages.GROUPS),
                       ("/enterprises", pages.ORGANISATIONS), ("/data-quality", pages.LATE),
                       ("/data-quality", pages.MISSING), ("/safety", safety.HAZARDS),
                       ("/safety/alerts", safety.ALERTS)):
        for col in spec.columns:
            for desc in ("", "&" + spec.prefix + "desc=true"):
                url = f"{path}?{spec.prefix}sort={col.key}{desc}&{spec.prefix}q=a"
                assert reader.get(url).status_code == 200, url
