"""Error types raised at the boundaries (files, API, CLI) with a message a user can act on.

Every error names *where* (file, row, column) and *what was expected*, so that a person with
the spreadsheet open can fix it without reading code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aurum.core.i18n import _


class AurumError(Exception):
    """Base class of every error Aurum raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    row : int or None
        1-based data row number as a spreadsheet shows it (header is row 1, first data row 2),
        or None when the problem is not tied to a row.
    column : str or None
        Column (field) name, or None.
    source : str or None
        File name or other origin of the input.
    """

    message: str
    row: int | None = None
    column: str | None = None
    source: str | None = None

    def __str__(self) -> str:
        """The problem as a person reads it, in the current language: where, then what."""
        where = [p for p in (
            self.source, None if self.row is None else _("row %(row)s", row=self.row),
            None if self.column is None else _("column %(column)s", column=self.column)) if p]
        return (_("%(where)s: %(problem)s", where=_(", ").join(where), problem=self.message)
                if where else self.message)

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "row": self.row, "column": self.column,
                "message": self.message}


def shown_cell(value: object) -> str:
    """A spreadsheet cell as a message quotes it: ``'abc'``, or ``a blank cell``."""
    blank = value is None or (isinstance(value, float) and value != value) or (
        isinstance(value, str) and not value.strip())
    return _("a blank cell") if blank else f"'{value}'"


MAX_PROBLEMS = 100
"""Most problems an error keeps and shows; the rest are only counted."""


class ValidationError(AurumError):
    """An input was refused; ``problems`` lists the problems found, not only the first.

    A file with thousands of bad rows keeps its first :data:`MAX_PROBLEMS` problems (in the
    order given) and counts the rest in ``omitted``, so that a refusal stays a message a
    person can read and a response of bounded size.
    """

    def __init__(self, problems: Iterable[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        kept: list[Problem] = []
        total = 0
        for problem in problems:
            total += 1
            if total <= MAX_PROBLEMS:
                kept.append(problem)
        self.problems: list[Problem] = kept
        self.omitted: int = total - len(kept)
        super().__init__(self._summary())

    def _summary(self) -> str:
        n = len(self.problems) + self.omitted
        if n == 1:
            return str(self.problems[0])
        head = _("; ").join(str(p) for p in self.problems[:5])
        if n > 5:
            return _("%(n)s problems: %(head)s (and %(more)s more)", n=n, head=head, more=n - 5)
        return _("%(n)s problems: %(head)s", n=n, head=head)


class NotFoundError(AurumError):
    """A named entity does not exist (or is not visible to the caller)."""


class PermissionDenied(AurumError):
    """The caller's role or organisation scope does not allow the action."""


class ConflictError(AurumError):
    """The action conflicts with stored state (e.g. a report for that period already exists)."""


class Busy(AurumError):
    """Every slot for a kind of heavy work is taken: try again later (503 with Retry-After).

    Parameters
    ----------
    message : str
        What is busy.
    retry_after_s : int
        Seconds after which a new try is likely to find a slot.
    """

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s
