"""The status lifecycle: the allowed moves as data, one clear refusal for the others; a
revision supersedes an older edition of its own series only; the priority-area tags."""

from __future__ import annotations

import itertools

import pytest

from aurum.core.errors import ValidationError
from aurum.standards.lifecycle import (
    PLAN_PRIORITIES,
    TRANSITIONS,
    PriorityArea,
    Status,
    check_supersedes,
    check_transition,
    status_of,
    tags_of,
)
from aurum.standards.numbering import parse_number

ALLOWED = {("planned", "drafting"), ("planned", "withdrawn"), ("drafting", "published"),
           ("drafting", "withdrawn"), ("published", "under_revision"),
           ("published", "withdrawn"), ("under_revision", "published"),
           ("under_revision", "withdrawn")}
"""The lifecycle written out by hand, independently of :data:`TRANSITIONS`."""


@pytest.mark.parametrize(("a", "b"), list(itertools.product(Status, Status)))
def test_every_pair_of_statuses_is_allowed_or_refused(a: Status, b: Status) -> None:
    if (a.value, b.value) in ALLOWED:
        check_transition(a, b)
        assert b in TRANSITIONS[a]
    else:
        with pytest.raises(ValidationError) as refused:
            check_transition(a, b, "GB/T 4134-2021")
        (problem,) = refused.value.problems
        assert f"cannot go from {a.value} to {b.value}" in problem.message
        assert problem.column == "status" and "GB/T 4134-2021" in problem.message


def test_withdrawn_is_final() -> None:
    assert TRANSITIONS[Status.WITHDRAWN] == frozenset()
    with pytest.raises(ValidationError, match="withdrawn is final"):
        check_transition(Status.WITHDRAWN, Status.PUBLISHED)


def test_a_revision_is_a_later_edition_of_the_same_series() -> None:
    check_supersedes(parse_number("GB/T 4134-2021"), parse_number("GB/T 4134-2015"))
    check_supersedes(parse_number("GB/T 7739.1-2019"), parse_number("GB/T 7739.1-2007"))
    for new, old, words in (("GB/T 4134-2015", "GB/T 4134-2021", "a later edition"),
                            ("GB/T 4134-2021", "GB/T 4134-2021", "a later edition"),
                            ("GB/T 7739.2-2019", "GB/T 7739.1-2007", "keeps the series"),
                            ("GB 4134-2021", "GB/T 4134-2015", "keeps the series")):
        with pytest.raises(ValidationError, match=words):
            check_supersedes(parse_number(new), parse_number(old))


def test_status_and_tags_from_text() -> None:
    assert status_of("Under revision") is Status.UNDER_REVISION
    with pytest.raises(ValidationError, match="expected one of planned"):
        status_of("in force")
    assert tags_of("new_materials; deep_mining,deep_mining") == (
        PriorityArea.DEEP_MINING, PriorityArea.NEW_MATERIALS)
    assert tags_of(None) == () and tags_of([]) == ()
    with pytest.raises(ValidationError, match="unknown tag"):
        tags_of(["digital", "safety"])
    assert [t.value for t in PLAN_PRIORITIES] == [
        "deep_mining", "green_low_carbon", "digital_intelligent", "new_materials"]
