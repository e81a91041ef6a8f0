"""The GB/T page's fixes after its browser walk (issue 19): what is stored is read in the
reader's language, whatever the language it was made in; figures carry their units, the
extrapolation rule reads in words, the metre-grade's derived default is shown as such."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.language import ZH
from tests.api.test_gbt_api import FORM, SITE, _browser, _csrf, _files
from tests.services.test_gbt import INDICATORS

CJK = re.compile(r"[\u3400-\u9fff]")


def _explanation(page: str) -> str:
    return page.split('data-testid="kriging-explanation">')[1].split("</ul>")[0]


def test_an_estimate_made_in_chinese_reads_in_english(app_client: TestClient) -> None:
    browser = _browser(app_client, "alpha")
    made = browser.post("/resources/SD-A-01/gbt/estimates", headers=ZH,
                        data=FORM | {"csrf": _csrf(browser)}, files=_files())
    assert made.status_code == 303, made.text[-2000:]
    english = _explanation(browser.get("/resources/SD-A-01/gbt",
                                       headers={"Accept-Language": "en"}).text)
    assert "cells of" in english and not CJK.search(english)
    chinese = _explanation(browser.get("/resources/SD-A-01/gbt", headers=ZH).text)
    assert CJK.search(chinese) and "cells of" not in chinese
    # The JSON API too: the explanation in the asker's language, the stored facts left out.
    alpha = bearer(app_client, "alpha")
    listed = app_client.get("/api/v1/sites/SD-A-01/block-estimates", headers=alpha).json()
    record = app_client.get(f"/api/v1/sites/SD-A-01/block-estimates/{listed[0]['id']}",
                            headers=alpha | {"Accept-Language": "en"}).json()
    assert record["kriging"]["explanation"] and "facts" not in record["kriging"]
    assert not CJK.search(" ".join(record["kriging"]["explanation"]))


def test_the_page_gives_units_words_and_the_derived_metre_grade(app_client: TestClient) -> None:
    browser = _browser(app_client, "alpha")
    alpha = bearer(app_client, "alpha")
    body = {k: v for k, v in INDICATORS.items() if v is not None} | {"reason": "approved"}
    assert app_client.post(f"{SITE}/industrial-indicators", headers=alpha,
                           json=body).status_code == 201
    made = browser.post("/resources/SD-A-01/gbt/estimates",
                        data=FORM | {"extrapolation": "", "csrf": _csrf(browser)},
                        files=_files())
    assert made.status_code == 303, made.text[-2000:]
    english = browser.get("/resources/SD-A-01/gbt", headers={"Accept-Language": "en"}).text
    facts = english.split('data-testid="indicators-current"')[1].split("</dl>")[0]
    assert "1.00 g/t" in facts and "2.00 g/t" in facts and "1.00 m" in facts
    # No metre-grade set: 2 g/t × 1 m, marked as derived, in the facts and the versions.
    derived = "2.00 m·g/t, derived: minimum industrial grade × minimum thickness"
    assert derived in facts
    assert derived in english.split('data-testid="indicator-versions"')[1].split("</table>")[0]
    # The rule in words, not its key; the blank field made half the spacing.
    provenance = english.split('data-testid="estimate-provenance">')[1].split("</p>")[0]
    assert "half the drill spacing" in provenance and "half_spacing" not in english
    # Tonnages in whole tonnes in the kriging check, grades with their unit.
    check = english.split('data-testid="kriging-check"')[1].split("</table>")[0]
    ore = check.split("Ore (t)")[1].split("</tr>")[0]
    blocks, kriging, _difference = re.findall(r'class="num">([^<]*)</td>', ore)
    assert re.fullmatch(r"[\d,]+", blocks) and re.fullmatch(r"[\d,]+", kriging)
    assert "Mean grade (g/t)" in check
    chinese = browser.get("/resources/SD-A-01/gbt", headers=ZH).text
    assert "1.00 克/吨" in chinese.split('data-testid="indicators-current"')[1].split("</dl>")[0]
