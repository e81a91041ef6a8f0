"""Page forms that never lose work: a refused form comes back (status 422) with what the user
typed and each problem next to its field.

A route keeps the form's fields as typed text (:class:`FormState`), parses them through the
API's pydantic model of the same input (:func:`parse`, which refuses with
:class:`aurum.core.errors.ValidationError` problems naming their field in ``column``, like the
services' own refusals), and on a refusal renders its page again with
:func:`refused`. Templates draw the fields with the ``field`` macro of ``forms.html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic
from fastapi.exceptions import RequestValidationError

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _

Model = TypeVar("Model", bound=pydantic.BaseModel)


@dataclass(frozen=True)
class FormState:
    """A form as its page shows it.

    Parameters
    ----------
    values : mapping
        The value of each field, as typed (or the defaults of a new form).
    errors : mapping
        The problem of each field in error, by field name.
    general : sequence of str
        Problems tied to no field of the form.

    Templates read a field's value as ``form.name`` or ``form[name]`` (empty when absent).
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    general: Sequence[str] = ()

    def __getitem__(self, name: str) -> Any:
        value = self.values.get(name)
        return "" if value is None else value

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def items(self) -> Iterable[tuple[str, Any]]:
        return self.values.items()

    @property
    def refused(self) -> bool:
        """Whether the form comes back with problems."""
        return bool(self.errors or self.general)


def refused(values: Mapping[str, Any], problems: Iterable[Problem]) -> FormState:
    """The form shown again after a refusal: the values as typed (blank what the page must
    not echo, a seller's document number, before calling), each problem at its field, the
    others above it; with no problem, the form as it is.

    A problem whose ``column`` is not a field of the form (a row of an uploaded file, a rule
    across fields) is a general one and keeps its place in its message.
    """
    errors: dict[str, str] = {}
    general: list[str] = []
    for problem in problems:
        if problem.column is not None and problem.column in values \
                and problem.column not in errors:
            errors[problem.column] = problem.message
        else:
            general.append(str(problem))
    return FormState(dict(values), errors, general)


def parse(model: type[Model], values: Mapping[str, str]) -> Model:
    """The form's typed text as ``model``: a blank field is a field not given.

    Raises
    ------
    ValidationError
        A problem per field ``model`` refuses, named by the field (``column``), in the
        request's language.
    """
    given = {k: v for k, v in values.items() if v is not None and str(v).strip()}
    try:
        return model.model_validate(given)
    except pydantic.ValidationError as exc:
        raise ValidationError([_problem(error) for error in exc.errors()]) from None


def request_problems(exc: RequestValidationError) -> list[Problem]:
    """The problems of a request FastAPI refused before its route ran, by parameter name."""
    return [_problem(error) for error in exc.errors()]


def _problem(error: Mapping[str, Any]) -> Problem:
    """One pydantic error as a problem a person reads, at its field."""
    # loc is (field, ...) from a model, (where, field, ...) from a request ("query", "body").
    loc = [str(part) for part in error.get("loc", ())
           if part not in ("query", "body", "path", "header", "cookie")]
    return Problem(_message(error), column=loc[0] if loc else None)


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    limits = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return _("a value is required")
    if kind in _BOUNDS:
        name, message = _BOUNDS[kind]
        return message(limits.get(name))
    if kind.startswith(("float_", "int_", "decimal_", "finite_")):
        return _("expected a number, got %(value)r", value=value)
    return _("%(value)r is not a valid value", value=value)


_BOUNDS: dict[str, tuple[str, Any]] = {
    "less_than_equal": ("le", lambda limit: _("must be at most %(limit)s", limit=limit)),
    "less_than": ("lt", lambda limit: _("must be less than %(limit)s", limit=limit)),
    "greater_than_equal": ("ge", lambda limit: _("must be at least %(limit)s", limit=limit)),
    "greater_than": ("gt", lambda limit: _("must be more than %(limit)s", limit=limit)),
    "string_too_long": ("max_length", lambda limit: _(
        "at most %(limit)s characters", limit=limit)),
    "string_too_short": ("min_length", lambda limit: _(
        "at least %(limit)s characters", limit=limit)),
}
"""Pydantic's refusals of a bound: the bound's name in the error's context, the message."""
