"""The demo study's stored name is all in the platform's language, its province too."""

import pytest

from aurum.demo.district import generate_district
from aurum.demo.seed.structure import seed_demo
from aurum.services import structure as service
from aurum.services.platform import Platform
from aurum.store.db import transaction
from tests.factories import Registry


@pytest.mark.parametrize(("locale", "expected"), [
    ("zh_CN", "山东小矿山区域整合"), ("en", "Regional consolidation of Shandong's small mines")])
def test_the_demo_study_is_named_in_one_language(platform: Platform, reg: Registry,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 locale: str, expected: str) -> None:
    monkeypatch.setenv("AURUM_LOCALE", locale)
    seed_demo(platform, reg.admin, generate_district(20261207))
    with transaction(platform.sessions) as s:
        (study,) = service.studies(s, reg.regulator, "Shandong")
        assert study.name == expected  # was "Shandong小矿山区域整合"
