"""Every string a person reads on the safety and seismic pages goes through the catalogue
(issue 17): with a catalogue that turns every message into 中, the pages requested in
Chinese, charts included, show almost no English word; what is left is data (codes, names
of the test's registry) and a handful of words of shared templates."""

from __future__ import annotations

import gettext
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aurum.core import i18n
from tests.api.conftest import bearer
from tests.api.test_safety_api import _csrf, _deadline, _login, _readings
from tests.contracts.test_catalogue import NOT_WORDS
from tests.services.test_seismic import GRID, synthetic_catalogue

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
WORD = re.compile(r"\b[A-Za-z][A-Za-z'’-]+\b")
TAG = re.compile(r"<[^>]+>")
DATA = frozenset({
    # codes and symbols of the field, as written in Chinese text too
    "Mw", "ML", "Mc", "IMS", "UTC", "MPa", "kV", "Shi", "Bolt", "mw-high",
    # data of the test's registry and uploads (names, codes, users)
    "English",  # the language switch names each language in itself
    "Alpha", "alpha", "Mine", "Plant", "Gold", "Co", "Shandong",
})
"""Latin-letter tokens that are data or codes on these pages, not words to translate."""
HANDFUL = 5
"""English words a page may keep (the keys of a hazard's timeline details, say)."""


class _Everything(gettext.NullTranslations):
    """A catalogue in which every message is 中."""

    def gettext(self, message: str) -> str:
        return "中"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return "中"


class _Visible(HTMLParser):
    """The text of a page and the attributes a person reads, scripts, styles and code left
    out; the texts of its charts (titles, axis titles, legend names, hover texts) from their
    figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "placeholder", "aria-label", "alt") and value:
                self.parts.append(value)
            if name == "data-figure" and value:
                self.parts += _figure_texts(json.loads(value))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _figure_texts(figure: dict[str, Any]) -> list[str]:
    """What a reader sees of a Plotly figure besides its numbers."""
    out: list[str] = []

    def titles(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "text") and isinstance(value, str):
                    out.append(value)
                elif key == "ticktext" and isinstance(value, list):
                    out.extend(str(v) for v in value)
                else:
                    titles(value)
        elif isinstance(node, list):
            for value in node:
                titles(value)

    titles(figure.get("layout", {}))
    for trace in figure.get("data", []):
        out.append(str(trace.get("name", "")))
        for key in ("hovertext", "text"):
            value = trace.get(key)
            out += [str(v) for v in value] if isinstance(value, list) else [str(value or "")]
    return out


def english_words(html: str) -> list[str]:
    """The Latin-letter words a reader sees on a page that are not data or codes."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    words = WORD.findall(TAG.sub(" ", " ".join(parser.parts)))
    return [w for w in words if w not in NOT_WORDS and w not in DATA and not w.isupper()]


@pytest.fixture
def everything_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "translations", lambda locale: _Everything())


@pytest.fixture
def safety_pages(app_client: TestClient, tmp_path: Path) -> list[str]:
    """A hazard, a stress sensor with alerts, a tailings facility whose storm readings opened
    hazards, and a seismic catalogue of Alpha's SD-A-01; the pages that show them."""
    alpha = bearer(app_client, "alpha")
    frame, stream = _readings(days=4)
    design = stream.design
    r = app_client.post("/api/v1/safety/tailings", headers=alpha, json={
        "site": "SD-A-01", "code": "TF1", "name": "一号尾矿库", "dam_type": "upstream",
        "crest_elevation_m": design.crest_elevation_m, "beach_slope": design.beach_slope,
        "control_phreatic_depth_m": design.control_phreatic_depth_m, "grade": 3})
    assert r.status_code == 201, r.text
    for point in stream.points:
        r = app_client.post("/api/v1/sensors", headers=alpha, json={
            "site": "SD-A-01", "code": point.id, "kind": point.kind.value, "facility": "TF1",
            "surface_elevation_m": point.surface_elevation_m})
        assert r.status_code == 201, r.text
    r = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json={
        "readings": frame[["sensor", "time", "value"]].to_dict("records")})
    assert r.status_code == 200 and r.json()["hazards"], r.text
    r = app_client.post("/api/v1/safety/hazards", headers=alpha, json={
        "site": "SD-A-01", "title": "巷道顶板浮石", "description": "爆破后未敲帮问顶",
        "area": "450 中段", "level": "general"})
    assert r.status_code == 201, r.text
    hazard = r.json()["id"]
    r = app_client.post("/api/v1/sensors", headers=alpha, json={
        "site": "SD-A-01", "code": "BPC.1", "kind": "pressure_cell", "unit": "MPa",
        "depth_m": 15.0, "rules": [{"kind": "threshold",
                                    "levels": {"yellow": 12.0, "orange": 15.0, "red": 20.0}}]})
    assert r.status_code == 201, r.text
    r = app_client.post("/api/v1/sensors/SD-A-01/readings", headers=alpha, json={"readings": [
        {"sensor": "BPC.1", "time": f"2009-11-11T{h:02d}:00:00Z", "value": v}
        for h, v in enumerate([10.0, 13.0, 16.0, 21.0])]})
    assert r.status_code == 200, r.text
    from aurum.seismic.catalog import write_quakeml
    path = tmp_path / "events.xml"
    write_quakeml(synthetic_catalogue(n=200), path, GRID)
    r = app_client.post("/api/v1/seismic/SD-A-01/import", headers=alpha,
                        files={"file": ("events.xml", path.read_bytes(), "application/xml")})
    assert r.status_code == 201, r.text
    _login(app_client, "alpha")
    return ["/safety", "/safety/dashboard", "/safety/alerts", f"/safety/hazards/{hazard}",
            "/safety/tailings", "/safety/tailings/TF1", "/seismic",
            "/seismic/SD-A-01?window_events=100", "/seismic/SD-A-01/stress"]


def test_safety_and_seismic_pages_say_nothing_outside_the_catalogue(
        everything_chinese: None, app_client: TestClient, safety_pages: list[str]) -> None:
    for url in safety_pages:
        page = app_client.get(url, headers=ZH)
        assert page.status_code == 200, (url, page.text[:500])
        assert '<html lang="zh-CN">' in page.text and "中" in page.text
        words = english_words(page.text)
        assert len(words) <= HANDFUL, f"{url} shows {words[:40]}"


def test_a_refused_step_is_explained_in_the_readers_language(
        everything_chinese: None, app_client: TestClient, safety_pages: list[str]) -> None:
    hazard = safety_pages[3]
    page = app_client.get(hazard, headers=ZH)
    refused = app_client.post(f"{hazard}/assign", headers=ZH, data={
        "csrf": _csrf(page.text), "owner": "alpha", "deadline": _deadline(-3)})
    assert refused.status_code == 422
    problems = refused.text.split('data-testid="problems"')[1].split("</div>")[0]
    assert "中" in problems and not english_words(problems)


def test_the_check_counts_english_in_text_attributes_and_charts() -> None:
    figure = json.dumps({"data": [{"name": "major open", "x": [1]}],
                         "layout": {"title": {"text": "Alerts per day"}}})
    html = (f"<h1>中 SD-A-01</h1><input placeholder='site code'>"
            f"<div data-figure='{figure}'></div><script>let words = 'not seen';</script>")
    assert english_words(html) == ["site", "code", "Alerts", "per", "day", "major", "open"]
