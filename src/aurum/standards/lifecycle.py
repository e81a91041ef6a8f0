"""A standard's status lifecycle and the plan's priority areas.

The lifecycle of a standard project (GB/T 1.1 and the SAC's procedures, simplified to what a
registry tracks): a plan item (立项, *planned*) is drafted (起草/征求意见, *drafting*),
approved and issued (发布, *published*); a published standard may be taken up for revision
(*under revision*) and is finally abolished or replaced (废止/被代替, *withdrawn*). The
allowed moves are data (:data:`TRANSITIONS`); any other is refused with one message.

A revision is a new edition of the same series (same prefix, serial and part) with a later
year: when it is published the edition it supersedes is withdrawn (:func:`check_supersedes`).

Priority areas: the four of the plan's standard-system task (deep mining, green and
low-carbon, digital and intelligent, new materials), with the registry's three working areas
(safety, testing methods, products) beside them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.standards.numbering import StandardNumber


class Status(StrEnum):
    """Status of a standard (标准状态)."""

    PLANNED = "planned"
    DRAFTING = "drafting"
    PUBLISHED = "published"
    UNDER_REVISION = "under_revision"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PLANNED: frozenset({Status.DRAFTING, Status.WITHDRAWN}),
    Status.DRAFTING: frozenset({Status.PUBLISHED, Status.WITHDRAWN}),
    Status.PUBLISHED: frozenset({Status.UNDER_REVISION, Status.WITHDRAWN}),
    # A revision abandoned leaves the edition in force; one completed withdraws it.
    Status.UNDER_REVISION: frozenset({Status.PUBLISHED, Status.WITHDRAWN}),
    Status.WITHDRAWN: frozenset(),
}
"""The moves allowed from each status: a plan item may be dropped, a draft abandoned, a
published standard revised or abolished; a withdrawn one never comes back (a new edition is a
new standard)."""

YEARLESS = frozenset({Status.PLANNED, Status.DRAFTING})
"""Statuses in which a standard may not have the year of its edition yet."""


class PriorityArea(StrEnum):
    """Tags of the plan's priority areas and the registry's working areas."""

    DEEP_MINING = "deep_mining"
    GREEN_LOW_CARBON = "green_low_carbon"
    DIGITAL_INTELLIGENT = "digital_intelligent"
    NEW_MATERIALS = "new_materials"
    SAFETY = "safety"
    TESTING_METHODS = "testing_methods"
    PRODUCTS = "products"


PLAN_PRIORITIES = (PriorityArea.DEEP_MINING, PriorityArea.GREEN_LOW_CARBON,
                   PriorityArea.DIGITAL_INTELLIGENT, PriorityArea.NEW_MATERIALS)
"""The four areas the plan names for the standard system."""

MAX_TAGS = len(PriorityArea)


def status_of(value: object, field: str = "status", source: str | None = None,
              row: int | None = None) -> Status:
    """The :class:`Status` named by ``value`` (its machine key), or one clear refusal."""
    try:
        return Status(str(value).strip().lower().replace(" ", "_"))
    except ValueError:
        raise ValidationError(Problem(
            _("expected one of %(options)s, got %(v)s", options=", ".join(Status),
              v=repr(value)), row=row, column=field, source=source)) from None


def tags_of(values: Iterable[object] | str | None, field: str = "tags",
            source: str | None = None, row: int | None = None) -> tuple[PriorityArea, ...]:
    """Priority-area tags from a list or a ``;``/``,``-separated text, in the enum's order,
    each once.

    Raises
    ------
    ValidationError
        A tag that is not a :class:`PriorityArea` (all the unknown ones in one problem).
    """
    if values is None:
        return ()
    if isinstance(values, str):
        values = [v for v in values.replace(",", ";").split(";")]
    given = {str(v).strip().lower() for v in values if str(v).strip()}
    unknown = sorted(given - {t.value for t in PriorityArea})
    if unknown:
        raise ValidationError(Problem(
            _("unknown tag(s) %(tags)s: expected %(options)s", tags=", ".join(unknown),
              options=", ".join(PriorityArea)), row=row, column=field, source=source))
    return tuple(t for t in PriorityArea if t.value in given)


def check_transition(current: Status, target: Status, number: str = "") -> None:
    """Refuse a move the lifecycle does not allow.

    Parameters
    ----------
    current, target : Status
        The standard's status and the one asked for.
    number : str
        The standard's number, for the message.

    Raises
    ------
    ValidationError
        ``target`` is not in ``TRANSITIONS[current]``; the message lists the allowed moves.
    """
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or _("none (withdrawn is final)")
        raise ValidationError(Problem(
            _("%(number)s cannot go from %(a)s to %(b)s; allowed from %(a)s: %(allowed)s",
              number=number or _("the standard"), a=current.value, b=target.value,
              allowed=allowed), column="status"))


def check_supersedes(new: StandardNumber, old: StandardNumber) -> None:
    """Refuse ``new`` as the revision of ``old`` unless it is a later edition of the same
    series (same prefix, serial and part, a later year).

    Raises
    ------
    ValidationError
        Another series, or a year not later than the old edition's.
    """
    if new.series != old.series:
        raise ValidationError(Problem(
            _("%(new)s cannot supersede %(old)s: a revision keeps the series %(series)s",
              new=new.text, old=old.text, series=old.series), column="supersedes"))
    if new.year is None or old.year is None or new.year <= old.year:
        raise ValidationError(Problem(
            _("%(new)s cannot supersede %(old)s: a revision is a later edition",
              new=new.text, old=old.text), column="supersedes"))

