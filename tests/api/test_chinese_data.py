"""The demo's data of the newest areas reads in Chinese (issue 17's bound, for data): with a
catalogue that turns every message into 中, every page of the seeded demo's materials
catalogue and products, supply–demand matching, standards registry, proficiency testing,
industry structure, import sources and overseas projects, and the showcase mines' GB/T
pages, requested in Chinese by the demo's users, shows no English word but codes, units,
chemical symbols, file types and a standard's English title (shown beside the Chinese one
on purpose). The names kept in both languages read in English on the English pages.

On a copy of the run's seeded demo (:mod:`tests.demo_home`): the demo is not seeded again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from aurum.api.app import create_app
from aurum.demo import seed as demo
from aurum.demo.seed.materials import PRODUCTS
from aurum.demo.seed.metrology import ROUNDS
from aurum.materials.catalogue import PROPERTIES
from aurum.services.platform import Platform
from aurum.store.models import (
    IndustrialIndicatorVersion,
    MatNeed,
    MatProduct,
    MetrologyRound,
    Organisation,
    Site,
    Standard,
    StructureStudy,
)
from tests.api.language import WORD, ZH, english_words
from tests.demo_home import DemoTemplate, copy_demo

HANDFUL = 2
"""English words a page may keep (a margin for a word of a shared template)."""
SYMBOLS = frozenset({
    # units the data are given in, and chemical symbols
    "cN", "gf", "nm", "cm", "mg", "Mh", "pH", "pcs", "Au", "Ag", "Sn", "Ni", "Pd", "Ti",
    # file types of the names of files read, and the language switch
    "csv", "xlsx", "yaml", "English",
})
"""Latin-letter tokens of the data that are not words of a language."""
GRADES = frozenset(WORD.findall(" ".join(p.grade for p in PRODUCTS)))
"""The demo products' grades (AuBW-4N-25 …): designations, not words."""
ADDRESS = re.compile(r"https?://[!-~]+")
"""A web address a standard's source cites (not language)."""
SPECIFICATION_KEYS = frozenset({"min", "max", "target", "unit", "method", *PROPERTIES})
"""The keys of the specification's YAML a maker types (machine keys: the new product's form
shows an example)."""


@pytest.fixture
def seeded(demo_seeded: DemoTemplate, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    """A copy of the run's demo, as the configured platform."""
    home, keys = copy_demo(demo_seeded, tmp_path)
    url = f"sqlite:///{home / 'aurum.db'}"
    for name, value in (("AURUM_HOME", str(home)), ("AURUM_KEYS", str(keys)),
                        ("AURUM_DATABASE_URL", url)):
        monkeypatch.setenv(name, value)
    yield Platform.open(url)


def _client(platform: Platform, username: str) -> TestClient:
    client = TestClient(create_app(platform))
    page = client.get("/login").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    r = client.post("/login", follow_redirects=False, data={
        "username": username, "password": demo.read_logins(platform)[username]["password"],
        "csrf": csrf})
    assert r.status_code == 303, r.text[:500]
    return client


def _pages(platform: Platform) -> dict[str, frozenset[str]]:
    """Every page of the areas, each with the data words it shows on purpose."""
    with platform.sessions() as s:
        products = s.scalars(select(MatProduct.code)).all()
        needs = s.scalars(select(MatNeed.id)).all()
        standards = s.execute(select(Standard.slug, Standard.title_en)).all()
        rounds = s.scalars(select(MetrologyRound.code)).all()
        labs = s.scalars(select(Organisation.code).where(
            Organisation.org_type == "laboratory")).all()
        studies = s.scalars(select(StructureStudy.id)).all()
        gbt = s.scalars(select(Site.code).join(
            IndustrialIndicatorVersion, IndustrialIndicatorVersion.site_id == Site.id)
            .distinct()).all()
    assert products and needs and standards and rounds and labs and studies and gbt
    none: frozenset[str] = frozenset()
    pages = dict.fromkeys(["/materials", "/materials/matching", "/standards", "/metrology",
                           "/structure", "/trade", "/trade/overseas"], none)
    pages |= {f"/materials/products/{c}": none for c in products}
    pages |= {f"/materials/needs/{i}": none for i in needs}
    pages |= {f"/standards/{slug}": frozenset(WORD.findall(en)) for slug, en in standards}
    pages |= {f"/metrology/rounds/{c}": none for c in rounds}
    pages |= {f"/metrology/labs/{c}": none for c in labs}
    pages |= {f"/structure/{i}": none for i in studies}
    pages |= {f"/resources/{c}/gbt": none for c in gbt}
    return pages


def _left(client: TestClient, path: str, shown: frozenset[str]) -> list[str]:
    page = client.get(path, headers=ZH)
    assert page.status_code == 200, (path, page.text[:500])
    assert '<html lang="zh-CN">' in page.text
    return english_words(ADDRESS.sub(" ", page.text), SYMBOLS | GRADES | shown)


def test_the_demo_data_of_the_newest_areas_reads_in_chinese(
        everything_chinese: None, seeded: Platform) -> None:
    pages = _pages(seeded)
    miit = _client(seeded, "miit")
    over = {path: words for path, shown in pages.items()
            if len(words := _left(miit, path, shown)) > HANDFUL}
    # The makers', buyers' and laboratories' own views: their names and their forms.
    none: frozenset[str] = frozenset()
    own: dict[str, dict[str, frozenset[str]]] = {
        "maker": {"/materials": SPECIFICATION_KEYS, "/materials/products/JPA-BW-4N": none},
        "buyer": {"/materials/matching": none, "/materials/needs/1": none},
        "lab": {"/metrology": none, "/metrology/labs/LAB-SD": none,
                f"/metrology/rounds/{ROUNDS[-1][0].code}": none}}
    for user, paths in own.items():
        client = _client(seeded, user)
        over |= {f"{user} {path}": words for path, keys in paths.items()
                 if len(words := _left(client, path, pages[path] | keys)) > HANDFUL}
    assert not over, f"English data left on the Chinese pages: {over}"


def test_the_names_kept_in_both_languages_read_in_english_on_the_english_pages(
        seeded: Platform) -> None:
    miit = _client(seeded, "miit")
    english = {"Accept-Language": "en"}
    wire = next(p for p in PRODUCTS if p.code == "JPA-BW-4N")
    product = miit.get(f"/materials/products/{wire.code}", headers=english).text
    assert wire.name_en in product and wire.name_zh not in product
    fire_assay = ROUNDS[0][0]
    assert fire_assay.name_zh is not None
    round_page = miit.get(f"/metrology/rounds/{fire_assay.code}", headers=english).text
    assert fire_assay.name in round_page and fire_assay.name_zh not in round_page
    chinese = miit.get(f"/metrology/rounds/{fire_assay.code}", headers=ZH).text
    assert fire_assay.name_zh in chinese
