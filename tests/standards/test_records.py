"""The registry file's records, and the shipped file of the gold field's real standards."""

from __future__ import annotations

from importlib import resources

import pytest

from aurum.core.errors import ValidationError
from aurum.standards.counterparts import Body, Recognition, Relation, counterpart_of
from aurum.standards.lifecycle import Status
from aurum.standards.numbering import Level
from aurum.standards.records import read_file

SHIPPED = resources.files("aurum.standards").joinpath("data/gold_standards.yaml")


def test_the_shipped_registry_reads_whole() -> None:
    records = read_file(SHIPPED.read_bytes(), "gold_standards.yaml")
    numbers = {r.number.text: r for r in records}
    assert len(records) >= 25
    for expected in ("GB/T 4134-2021", "GB 11887-2012", "GB/T 17766-2020", "DZ/T 0205-2020",
                     "GB 16423-2020", "HJ 943-2018", "GB/T 7739.1-2019", "GB/T 20899.1-2019",
                     "GB/T 9288-2019", "YS/T 3033-2018"):
        assert expected in numbers
    assert numbers["HJ 943-2018"].title_zh == "黄金行业氰渣污染控制技术规范"
    assert numbers["GB/T 4134-2021"].supersedes is not None
    assert numbers["GB/T 4134-2015"].status is Status.WITHDRAWN
    gold_tc = [r for r in records if "SAC/TC 379" in r.committee]
    assert len(gold_tc) >= 5
    assert {r.number.level for r in records} >= {Level.NATIONAL, Level.INDUSTRY}
    # Every entry says where it was confirmed; the unconfirmed ones say what in their note.
    assert all(r.source for r in records)
    assert all(r.note for r in records if not r.confirmed)
    (iso,) = numbers["GB/T 9288-2019"].counterparts
    assert (iso.body, iso.reference, iso.relation) == (Body.ISO, "ISO 11426:2014",
                                                       Relation.MODIFIED)


def test_a_csv_with_bad_rows_names_file_row_and_field() -> None:
    csv = ("number,title_zh,status,tags,published_on,effective_on,supersedes\n"
           "GB/T 4134-2021,金锭,published,products,2021-05-21,2021-12-01,GB/T 4134-2015\n"
           "XX 1-2020,坏,published,,,,\n"
           "GB/T 4134-2021,重复,published,,,,\n"
           "T/CGA 002,草案,drafting,new_materials,,,\n"
           "GB/T 5-2020,日期,published,,2020-05-01,2020-01-01,GB/T 6-2010\n")
    with pytest.raises(ValidationError) as refused:
        read_file(csv.encode(), "s.csv")
    found = [(p.source, p.row, p.column) for p in refused.value.problems]
    assert found == [("s.csv", 3, "number"), ("s.csv", 4, "number"),
                     ("s.csv", 6, "effective_on"), ("s.csv", 6, "supersedes")]
    # A planned or drafting standard may have no year; published ones must.
    ok = read_file(b"number,title_en,status\nT/CGA 002,Draft,drafting\n", "ok.csv")
    assert ok[0].number.year is None


def test_a_yaml_without_a_list_and_a_csv_without_its_columns() -> None:
    with pytest.raises(ValidationError, match="under 'standards:'"):
        read_file(b"standards: 3\n", "s.yaml")
    with pytest.raises(ValidationError, match="missing required column 'status'"):
        read_file(b"number\nGB/T 1-2020\n", "s.csv")
    with pytest.raises(ValidationError, match="not a YAML file"):
        read_file(b"standards: [\n", "s.yaml")


def test_counterparts() -> None:
    c = counterpart_of("lbma", "LBMA Good Delivery Rules", "non_equivalent")
    assert (c.body, c.relation, c.recognition) == (Body.LBMA, Relation.NON_EQUIVALENT,
                                                   Recognition.NONE)
    assert counterpart_of("ISO", "ISO 9202:2019", "MOD", "none").recognition is Recognition.NONE
    for args, words in ((("ISO", "ASTM B562", "modified"), "starts with 'ISO'"),
                        (("UN", "x", "modified"), "expected one of ISO"),
                        (("ISO", "ISO 1", "equal"), "expected one of identical"),
                        (("ISO", "<script>", "modified"), "a reference such as")):
        with pytest.raises(ValidationError, match=words):
            counterpart_of(*args)
