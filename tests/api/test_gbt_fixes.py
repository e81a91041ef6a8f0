"""The GB/T page's fixes after its browser walk (issue 19): what is stored is read in the
reader's language, whatever the language it was made in."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import bearer
from tests.api.language import ZH
from tests.api.test_gbt_api import FORM, _browser, _csrf, _files

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
