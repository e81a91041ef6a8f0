"""A mine's industrial indicators and geological-block estimates through the JSON API and the
page: versions, an upload estimated, read back and published; the page with its projection
and tables; a refused form comes back with what was typed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.language import HANDFUL, ZH, english_words
from tests.factories import PASSWORD
from tests.services.test_gbt import DIP, INDICATORS, STRIKE, vein_files

SITE = "/api/v1/sites/SD-A-01"
DATA = frozenset({"English", "ZK", "AU", "half_spacing"})
"""Latin-letter tokens that are data on the page (the language switch, hole names, the grade
column, the extrapolation rule's key in its field), not words to translate."""
FORM = {"year": "2025", "grade": "AU", "strike_deg": str(STRIKE), "dip_deg": str(DIP),
        "density_t_m3": "2.7", "extrapolation": "half_spacing"}


def _files() -> dict[str, tuple[str, bytes, str]]:
    collar, survey, assay = vein_files()
    return {"collar": ("collar.csv", collar, "text/csv"),
            "survey": ("survey.csv", survey, "text/csv"),
            "assay": ("assay.csv", assay, "text/csv")}


def _csrf(client: TestClient) -> str:
    return client.get("/login").text.split('name="csrf" value="')[1].split('"')[0]


def _browser(app_client: TestClient, username: str) -> TestClient:
    client = TestClient(app_client.app, follow_redirects=False)
    r = client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf": _csrf(client)})
    assert r.status_code == 303
    return client


def test_indicators_through_the_api(app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    r = app_client.get(f"{SITE}/industrial-indicators", headers=alpha)
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "DZ/T 0205-2020 reference" and r.json()["versions"] == []
    body = {k: v for k, v in INDICATORS.items() if v is not None} | {"reason": "approved"}
    r = app_client.post(f"{SITE}/industrial-indicators", headers=alpha, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 1
    # The cut-off above the minimum industrial grade is refused, field by field.
    r = app_client.post(f"{SITE}/industrial-indicators", headers=alpha,
                        json=body | {"cutoff_gpt": 5.0})
    assert r.status_code == 422
    r = app_client.get(f"{SITE}/industrial-indicators", headers=bearer(app_client, "audit"))
    assert r.json()["source"] == "enterprise" and r.json()["current"]["cutoff_gpt"] == 1.0
    assert [v["version"] for v in r.json()["versions"]] == [1]
    # Another enterprise reads nothing; the auditor writes nothing.
    beta = bearer(app_client, "beta")
    assert app_client.get(f"{SITE}/industrial-indicators", headers=beta).status_code == 404
    assert app_client.post(f"{SITE}/industrial-indicators", headers=bearer(
        app_client, "audit"), json=body).status_code == 403


def test_an_estimate_through_the_api(app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    r = app_client.post(f"{SITE}/block-estimates", headers=alpha, data=FORM, files=_files())
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["version"] == 1 and made["indicators_version"] is None
    by_category = {c["category"]: c for c in made["totals"]["by_category"]}
    assert sum(c["tonnes"] for c in by_category.values()) == pytest.approx(
        made["totals"]["tonnes"])
    listed = app_client.get(f"{SITE}/block-estimates", headers=alpha).json()
    assert [e["id"] for e in listed] == [made["id"]]
    detail = app_client.get(f"{SITE}/block-estimates/{made['id']}", headers=alpha).json()
    assert len(detail["blocks"]) == 12
    assert sum(b["tonnes"] for b in detail["blocks"]) == pytest.approx(made["totals"]["tonnes"])
    assert {i["category"] for i in detail["intercepts"]} == {"industrial"}
    # The same estimate is not another site's.
    assert app_client.get(f"/api/v1/sites/GS-B-01/block-estimates/{made['id']}",
                          headers=alpha).status_code == 404
    beta = bearer(app_client, "beta")
    assert app_client.get(f"{SITE}/block-estimates/{made['id']}",
                          headers=beta).status_code == 404
    assert app_client.post(f"/api/v1/block-estimates/{made['id']}/publish", headers=beta,
                           json={"reason": "x"}).status_code == 404
    r = app_client.post(f"/api/v1/block-estimates/{made['id']}/publish", headers=alpha,
                        json={"reason": "verified by the bureau"})
    assert r.status_code == 201, r.text
    gold_t = sum(c["metal_kg"] for c in by_category.values()) / 1000
    assert r.json()["measured_gold_t"] + r.json()["indicated_gold_t"] + r.json()[
        "inferred_gold_t"] == pytest.approx(gold_t)


def test_a_bad_upload_is_refused_with_its_file_row_and_column(app_client: TestClient) -> None:
    alpha = bearer(app_client, "alpha")
    files = _files()
    lines = files["assay"][1].decode().splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",lots"
    files["assay"] = ("assay.csv", ("\n".join(lines) + "\n").encode(), "text/csv")
    r = app_client.post(f"{SITE}/block-estimates", headers=alpha, data=FORM, files=files)
    assert r.status_code == 422
    assert "assay.csv" in r.text and "AU" in r.text
    assert app_client.get(f"{SITE}/block-estimates", headers=alpha).json() == []


def test_the_page_draws_the_projection_and_the_tables(app_client: TestClient) -> None:
    browser = _browser(app_client, "alpha")
    page = browser.get("/resources/SD-A-01/gbt")
    assert page.status_code == 200
    assert 'data-testid="indicators-form"' in page.text
    assert "No geological-block estimate yet." in page.text
    r = browser.post("/resources/SD-A-01/gbt/estimates", data=FORM | {"csrf": _csrf(browser)},
                     files=_files())
    assert r.status_code == 303, r.text[-2000:]
    page = browser.get("/resources/SD-A-01/gbt")
    assert page.status_code == 200
    for testid in ("chart-projection", 'data-testid="resource-table"',
                   'data-testid="intercepts"', 'data-testid="kriging-check"',
                   'data-testid="publish-form"'):
        assert testid in page.text, testid
    assert "ZK0-0" in page.text and "Measured resources" in page.text
    assert 'href="/resources/SD-A-01/gbt"' in browser.get("/resources/SD-A-01").text
    r = browser.post(page.text.split('data-testid="publish-form"')[0].rsplit(
        'action="', 1)[1].split('"')[0], data={"reason": "year end", "csrf": _csrf(browser)})
    assert r.status_code == 303 and r.headers["location"] == "/resources/SD-A-01"
    # The auditor reads the page without its forms.
    auditor = _browser(app_client, "audit").get("/resources/SD-A-01/gbt")
    assert auditor.status_code == 200 and 'data-testid="indicators-form"' not in auditor.text


def test_a_refused_form_comes_back_as_typed(app_client: TestClient) -> None:
    browser = _browser(app_client, "alpha")
    typed = {"cutoff_gpt": "4.5", "min_industrial_gpt": "2.0", "min_thickness_m": "1.0",
             "max_waste_m": "2.0", "min_metre_grade": "", "reason": "a typo to keep"}
    r = browser.post("/resources/SD-A-01/gbt/indicators", data=typed | {"csrf": _csrf(browser)})
    assert r.status_code == 422
    assert 'data-testid="error-cutoff_gpt"' in r.text and 'value="4.5"' in r.text
    assert "a typo to keep" in r.text
    r = browser.post("/resources/SD-A-01/gbt/estimates",
                     data=FORM | {"strike_deg": "400", "csrf": _csrf(browser)}, files=_files())
    assert r.status_code == 422
    assert 'data-testid="error-strike_deg"' in r.text and 'value="400"' in r.text
    # An auditor is refused before what it typed is read.
    auditor = _browser(app_client, "audit")
    assert auditor.post("/resources/SD-A-01/gbt/indicators",
                        data=typed | {"csrf": _csrf(auditor)}).status_code == 403


@pytest.mark.usefixtures("everything_chinese")
def test_the_page_says_nothing_outside_the_catalogue(app_client: TestClient) -> None:
    browser = _browser(app_client, "alpha")
    r = browser.post("/resources/SD-A-01/gbt/estimates", data=FORM | {"csrf": _csrf(browser)},
                     files=_files())
    assert r.status_code == 303
    page = browser.get("/resources/SD-A-01/gbt", headers=ZH)
    assert page.status_code == 200 and '<html lang="zh-CN">' in page.text
    words = english_words(page.text, DATA)
    assert len(words) <= HANDFUL, words[:40]
