"""Every organisation and site of the demo district has a Chinese name beside its English one
(issue 17), written in characters, as distinct as the English names are."""

from __future__ import annotations

import re

import numpy as np
import pytest

from aurum.demo.names_zh import organisation_name_zh, site_name_zh
from aurum.demo.registry import Registry

CHINESE = re.compile(r"^[\u4e00-\u9fff（）\-]+$")


def test_every_name_of_the_district_has_a_chinese_one() -> None:
    district = Registry(np.random.default_rng(7))
    district.build()
    orgs = {o.name: organisation_name_zh(o.name) for o in district.orgs}
    sites = {s.name: site_name_zh(s.name) for s in district.sites}
    for zh in [*orgs.values(), *sites.values()]:
        assert CHINESE.match(zh), zh
    assert len(set(sites.values())) == len(sites)  # as distinct as the English names
    assert orgs["Jiaodong Gold Mining Co."] == "胶东黄金矿业有限公司"
    assert sites["Sanshandao Mine"] == "三山岛金矿"
    assert sites["Sanshandao Tailings Facility"] == "三山岛尾矿库"
    assert sites["Jinshan Mine (Xinjiang)"] == "金山金矿（新疆）"


@pytest.mark.parametrize("name", ["Atlantis Mine", "Acme Widgets Ltd."])
def test_a_name_the_demo_does_not_make_is_an_error(name: str) -> None:
    with pytest.raises(KeyError):
        site_name_zh(name) if "Mine" in name else organisation_name_zh(name)
