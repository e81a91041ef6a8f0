"""The catalogue: every kind's properties are known, specifications are checked (one clear
message per error), purity in nines, conformity of a measured value."""

import pytest

from aurum.core import i18n
from aurum.core.errors import ValidationError
from aurum.materials import catalogue
from aurum.materials.catalogue import Conformity


def test_every_kind_names_known_properties_in_both_languages():
    assert len(catalogue.KINDS) == 10
    for kind in catalogue.KINDS.values():
        assert kind.name_en and kind.name_zh
        assert set(kind.properties) <= set(catalogue.PROPERTIES)
    for prop in catalogue.PROPERTIES.values():
        assert prop.name_zh and prop.test_method and prop.test_method_zh


def test_a_limit_without_a_method_takes_the_usual_one_in_the_language_in_force():
    with i18n.using("zh_CN"):
        assert catalogue.make_limit("au_content", 99).test_method == "火试金法（ISO 11426）"
    with i18n.using("en"):
        assert catalogue.make_limit("au_content", 99).test_method == "fire assay (ISO 11426)"
        assert catalogue.make_limit("au_content", 99, test_method=" ISO 11426 ").test_method \
            == "ISO 11426"


def test_nines():
    assert catalogue.nines(99.99) == pytest.approx(4.0)
    assert catalogue.nines(99.999) == pytest.approx(5.0)
    assert catalogue.nines(99.9995) == pytest.approx(5.30103, abs=1e-5)


def test_a_specification_from_its_document():
    spec = catalogue.parse_specification({"specification": {
        "purity": {"min": 99.99, "unit": "%"},
        "breaking_load": {"min": 4.0, "max": 9.0, "target": 6.5, "method": "GB/T 228.1-2021"},
    }})
    assert [lim.key for lim in spec] == ["purity", "breaking_load"]
    assert spec[0].upper is None and spec[0].unit == "%"
    assert spec[1].test_method == "GB/T 228.1-2021"
    assert spec[0].test_method == catalogue.PROPERTIES["purity"].test_method


@pytest.mark.parametrize(("row", "message"), [
    ({"min": 9.0, "max": 4.0}, "minimum 9.0 is greater than the maximum 4.0"),
    ({"target": 5.0}, "neither a minimum nor a maximum"),
    ({"min": 4.0, "max": 9.0, "target": 10.0}, "target 10.0 lies outside"),
    ({"min": "four"}, "expected a number"),
    ({"min": -1.0}, "expected a number from 0"),
    ({"min": 1.0, "unit": "N"}, "is given in 'cN'"),
    ({"min": 1.0, "tolerance": 2}, "unknown field"),
])
def test_bad_specification_rows_give_one_message(row, message):
    with pytest.raises(ValidationError, match=message) as caught:
        catalogue.parse_specification({"breaking_load": row}, source="S.yaml")
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].source == "S.yaml"


def test_an_unknown_property_is_named():
    with pytest.raises(ValidationError, match="unknown property 'hue'"):
        catalogue.parse_specification({"hue": {"min": 1}})
    with pytest.raises(ValidationError, match="unknown material kind"):
        catalogue.check_kind("gold_paint")


def test_conformity_with_inclusive_limits():
    limit = catalogue.make_limit("elongation", 2.0, 6.0)
    assert catalogue.conformity(limit, 2.0) is Conformity.CONFORMING
    assert catalogue.conformity(limit, 6.0) is Conformity.CONFORMING
    assert catalogue.conformity(limit, 1.99) is Conformity.BELOW
    assert catalogue.conformity(limit, 6.01) is Conformity.ABOVE
    assert catalogue.conformity(catalogue.make_limit("purity", 99.99), 100.0) is (
        Conformity.CONFORMING)
