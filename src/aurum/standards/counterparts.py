"""International counterparts of a Chinese standard and their mutual-recognition status.

The degree of correspondence is that of GB/T 20000.2 (ISO/IEC Guide 21-1): *identical*
(IDT, the same text), *modified* (MOD, technical deviations explained), *non-equivalent*
(NEQ, related but not an adoption). ``GB/T 9288-2019`` is MOD to ISO 11426:2014; the
counterpart of a market rule (the LBMA's Good Delivery Rules) is usually NEQ.

Recognition (互认) is what the registry tracks of the mutual recognition of test results or
products under the two documents: *not recognised*, *in negotiation*, *recognised*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _


class Body(StrEnum):
    """Bodies whose documents the gold field's standards correspond to."""

    ISO = "ISO"
    IEC = "IEC"
    ASTM = "ASTM"
    LBMA = "LBMA"
    EN = "EN"
    JIS = "JIS"
    OTHER = "other"


class Relation(StrEnum):
    """Degree of correspondence (GB/T 20000.2)."""

    IDENTICAL = "identical"
    MODIFIED = "modified"
    NON_EQUIVALENT = "non_equivalent"


ABBREVIATIONS = {"IDT": Relation.IDENTICAL, "MOD": Relation.MODIFIED,
                 "NEQ": Relation.NON_EQUIVALENT}
"""The degrees as standards print them (``ISO 11426:2014, MOD``)."""


class Recognition(StrEnum):
    """Mutual-recognition status."""

    NONE = "not_recognised"
    IN_NEGOTIATION = "in_negotiation"
    RECOGNISED = "recognised"


MAX_REFERENCE_CHARS = 80
"""Longest reference of a counterpart (``ISO 11426:2014``, ``LBMA Good Delivery Rules``)."""
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .:/()&,\-–]*$")


@dataclass(frozen=True)
class Counterpart:
    """An international document a standard corresponds to."""

    body: Body
    reference: str
    relation: Relation
    recognition: Recognition


def _choice(enum: type[StrEnum], value: object, field: str, row: int | None,
            source: str | None) -> StrEnum:
    text = str(value).strip()
    if enum is Relation and text.upper() in ABBREVIATIONS:
        return ABBREVIATIONS[text.upper()]
    for member in enum:
        if text.lower() in (member.value.lower(), member.name.lower()):
            return member
    raise ValidationError(Problem(_("expected one of %(options)s, got %(v)s",
                                    options=", ".join(m.value for m in enum), v=repr(value)),
                                  row=row, column=field, source=source))


def counterpart_of(body: object, reference: object, relation: object,
                   recognition: object = Recognition.NONE, field: str = "counterparts",
                   source: str | None = None, row: int | None = None) -> Counterpart:
    """A validated :class:`Counterpart`.

    Parameters
    ----------
    body : str
        ``ISO``, ``IEC``, ``ASTM``, ``LBMA``, ``EN``, ``JIS`` or ``other``.
    reference : str
        The document's reference (at most :data:`MAX_REFERENCE_CHARS` characters, letters,
        digits and ``. : / ( ) & , -``); an ISO, IEC, ASTM, EN or JIS reference starts with the
        body's name.
    relation, recognition : str
        Machine keys of :class:`Relation` (or ``IDT``, ``MOD``, ``NEQ``) and
        :class:`Recognition`.

    Raises
    ------
    ValidationError
        The first field that is wrong, named.
    """
    b = Body(_choice(Body, body, f"{field}.body", row, source))
    ref = reference.strip() if isinstance(reference, str) else ""
    if not ref or len(ref) > MAX_REFERENCE_CHARS or not _REFERENCE.match(ref):
        raise ValidationError(Problem(
            _("expected a reference such as 'ISO 11426:2014' (at most %(n)s characters), "
              "got %(v)s", n=MAX_REFERENCE_CHARS, v=repr(reference)), row=row,
            column=f"{field}.reference", source=source))
    if b in (Body.ISO, Body.IEC, Body.ASTM, Body.EN, Body.JIS) and not ref.upper().startswith(
            b.value):
        raise ValidationError(Problem(
            _("a reference of %(body)s starts with '%(body)s', got %(v)s", body=b.value,
              v=repr(ref)), row=row, column=f"{field}.reference", source=source))
    return Counterpart(b, ref, Relation(_choice(Relation, relation, f"{field}.relation", row,
                                                source)),
                       Recognition(_choice(Recognition, recognition, f"{field}.recognition",
                                           row, source)))
