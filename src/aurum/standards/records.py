"""The registry's records: one standard each, read from a YAML or CSV file and checked whole.

A YAML file holds ``standards:``, a list of mappings; a CSV (or xlsx) file one row a standard,
with the columns below (``tags`` separated by ``;``, one counterpart in the ``counterpart_*``
columns). The fields:

``number`` (required, :func:`~aurum.standards.numbering.parse_number`; a planned or drafting
standard may give no year), ``title_zh`` and ``title_en`` (at least one, at most
:data:`MAX_TITLE_CHARS`), ``status`` (:class:`~aurum.standards.lifecycle.Status`, required),
``committee`` (the technical committee, e.g. ``SAC/TC 379``), ``published_on``,
``effective_on``, ``withdrawn_on`` (ISO dates), ``tags``, ``supersedes`` (the number of the
edition it replaces), ``counterparts`` (``{body, reference, relation, recognition}``),
``source`` (where the number and title were confirmed), ``confirmed`` (whether they were;
true unless said), ``note``.

Every problem of every record is reported at once, by file, row (a CSV's spreadsheet row; a
YAML's entry, from 1) and field; nothing is returned unless every record is good.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.standards.counterparts import Counterpart, Recognition, counterpart_of
from aurum.standards.lifecycle import (
    YEARLESS,
    PriorityArea,
    Status,
    check_supersedes,
    status_of,
    tags_of,
)
from aurum.standards.numbering import StandardNumber, parse_number

MAX_TITLE_CHARS = 300
MAX_COMMITTEE_CHARS = 200
MAX_SOURCE_CHARS = 500
MAX_NOTE_CHARS = 500
MAX_RECORDS = 5000
"""Most standards one file holds: every standard of the gold field is a few hundred."""
MAX_COUNTERPARTS = 10
FIRST_DATE, LAST_DATE = date(1949, 1, 1), date(2100, 12, 31)
T = TypeVar("T")

TEXT_FIELDS = {"title_zh": MAX_TITLE_CHARS, "title_en": MAX_TITLE_CHARS,
               "committee": MAX_COMMITTEE_CHARS, "source": MAX_SOURCE_CHARS,
               "note": MAX_NOTE_CHARS}
DATE_FIELDS = ("published_on", "effective_on", "withdrawn_on")
COLUMNS = ("number", "title_zh", "title_en", "status", "committee", *DATE_FIELDS, "tags",
           "supersedes", "source", "confirmed", "note", "counterpart_body",
           "counterpart_reference", "counterpart_relation", "counterpart_recognition")
"""The columns of a CSV file (``number`` and ``status`` required)."""


@dataclass(frozen=True)
class StandardRecord:
    """One standard of the registry (the fields of the module docstring)."""

    number: StandardNumber
    title_zh: str
    title_en: str
    status: Status
    committee: str
    published_on: date | None
    effective_on: date | None
    withdrawn_on: date | None
    tags: tuple[PriorityArea, ...]
    supersedes: StandardNumber | None
    counterparts: tuple[Counterpart, ...]
    source: str
    confirmed: bool
    note: str


def _collected(call: Callable[[], T], problems: list[Problem]) -> T | None:
    """``call()``, or None with its problems added to ``problems``: every field of a record
    is checked, not only up to the first that is wrong."""
    try:
        return call()
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(value: object, field: str, row: int, source: str, problems: list[Problem]
          ) -> date | None:
    if _blank(value):
        return None
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(Problem(_("expected a date YYYY-MM-DD, got %(v)s", v=repr(value)),
                                row=row, column=field, source=source))
        return None
    if not FIRST_DATE <= day <= LAST_DATE:
        problems.append(Problem(_("expected a date from %(a)s to %(b)s", a=FIRST_DATE,
                                  b=LAST_DATE), row=row, column=field, source=source))
        return None
    return day


def _flag(value: object, row: int, source: str, problems: list[Problem]) -> bool:
    if _blank(value):
        return True
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    problems.append(Problem(_("expected true or false, got %(v)s", v=repr(value)), row=row,
                            column="confirmed", source=source))
    return True


def _counterparts(entry: Mapping[str, object], row: int, source: str
                  ) -> tuple[Counterpart, ...]:
    given = entry.get("counterparts")
    if given is None and not _blank(entry.get("counterpart_reference")):
        given = [{"body": entry.get("counterpart_body"),
                  "reference": entry.get("counterpart_reference"),
                  "relation": entry.get("counterpart_relation"),
                  "recognition": entry.get("counterpart_recognition") or Recognition.NONE}]
    if given is None:
        return ()
    if not isinstance(given, Sequence) or isinstance(given, str) or len(
            given) > MAX_COUNTERPARTS or not all(isinstance(c, Mapping) for c in given):
        raise ValidationError(Problem(
            _("expected a list of at most %(n)s {body, reference, relation, recognition}",
              n=MAX_COUNTERPARTS), row=row, column="counterparts", source=source))
    return tuple(counterpart_of(c.get("body"), c.get("reference"), c.get("relation"),
                                c.get("recognition") or Recognition.NONE, source=source, row=row)
                 for c in given if isinstance(c, Mapping))


def record_of(entry: Mapping[str, object], row: int, source: str) -> StandardRecord:
    """One checked record.

    Parameters
    ----------
    entry : mapping
        The record's fields (module docstring).
    row : int
        Its row (CSV) or entry (YAML) number, for the messages.
    source : str
        The file's name.

    Raises
    ------
    ValidationError
        Every problem of the record, each naming its field.
    """
    problems: list[Problem] = []
    status = _collected(lambda: status_of(entry.get("status"), source=source, row=row),
                        problems)
    number = _collected(lambda: parse_number(
        entry.get("number"), source=source, row=row,
        require_year=status is None or status not in YEARLESS), problems)
    texts: dict[str, str] = {}
    for key, most in TEXT_FIELDS.items():
        value = entry.get(key)
        text = "" if _blank(value) else str(value).strip()
        if len(text) > most:
            problems.append(Problem(_("at most %(n)s characters, got %(got)s", n=most,
                                      got=len(text)), row=row, column=key, source=source))
        texts[key] = text
    if not texts["title_zh"] and not texts["title_en"]:
        problems.append(Problem(_("expected a title in Chinese or English"), row=row,
                                column="title_zh", source=source))
    days = {key: _date(entry.get(key), key, row, source, problems) for key in DATE_FIELDS}
    published, effective, withdrawn = (days[k] for k in DATE_FIELDS)
    if published and effective and effective < published:
        problems.append(Problem(_("takes effect on %(e)s, before its publication on %(p)s",
                                  e=effective, p=published), row=row, column="effective_on",
                                source=source))
    if withdrawn and status is not Status.WITHDRAWN:
        problems.append(Problem(_("a withdrawal date is given but the status is not "
                                  "withdrawn"), row=row, column="withdrawn_on", source=source))
    if withdrawn and published and withdrawn < published:
        problems.append(Problem(_("withdrawn on %(w)s, before its publication on %(p)s",
                                  w=withdrawn, p=published), row=row, column="withdrawn_on",
                                source=source))
    given_tags = entry.get("tags")
    tags = _collected(lambda: tags_of(given_tags if isinstance(given_tags, str | list | tuple)
                                      or given_tags is None else str(given_tags),
                                      source=source, row=row), problems)
    supersedes = None
    if not _blank(entry.get("supersedes")):
        supersedes = _collected(lambda: parse_number(entry.get("supersedes"), "supersedes",
                                                     source, row), problems)
        if number is not None and supersedes is not None:
            try:
                check_supersedes(number, supersedes)
            except ValidationError as exc:
                problems.extend(Problem(p.message, row, "supersedes", source)
                                for p in exc.problems)
    counterparts = _collected(lambda: _counterparts(entry, row, source), problems)
    confirmed = _flag(entry.get("confirmed"), row, source, problems)
    if problems:
        raise ValidationError(problems)
    assert number is not None and status is not None
    return StandardRecord(
        number=number, title_zh=texts["title_zh"], title_en=texts["title_en"], status=status,
        committee=texts["committee"], published_on=published, effective_on=effective,
        withdrawn_on=withdrawn, tags=tags or (), supersedes=supersedes,
        counterparts=counterparts or (), source=texts["source"], confirmed=confirmed,
        note=texts["note"])


def records_of(entries: Sequence[Mapping[str, object]], source: str, first_row: int = 1
               ) -> list[StandardRecord]:
    """Every record of a file, checked whole.

    Parameters
    ----------
    entries : sequence of mappings
        The records in file order.
    source : str
        The file's name.
    first_row : int
        Row number of the first entry (2 for a CSV's first data row, 1 for a YAML's first
        entry).

    Raises
    ------
    ValidationError
        Every problem of every record, and each number given twice (on its second row); no
        records or more than :data:`MAX_RECORDS`.
    """
    if not entries:
        raise ValidationError(Problem(_("the file has no standards"), source=source))
    if len(entries) > MAX_RECORDS:
        raise ValidationError(Problem(_("at most %(n)s standards a file, got %(got)s",
                                        n=MAX_RECORDS, got=len(entries)), source=source))
    problems: list[Problem] = []
    records: list[StandardRecord] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        row = first_row + i
        if not isinstance(entry, Mapping):
            problems.append(Problem(_("expected a mapping of the standard's fields"), row=row,
                                    source=source))
            continue
        try:
            record = record_of(entry, row, source)
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        if record.number.text in seen:
            problems.append(Problem(_("%(number)s is given twice (first on row %(first)s)",
                                      number=record.number.text,
                                      first=seen[record.number.text]),
                                    row=row, column="number", source=source))
        seen.setdefault(record.number.text, row)
        records.append(record)
    if problems:
        raise ValidationError(problems)
    return records


def read_file(data: bytes, filename: str) -> list[StandardRecord]:
    """The records of a YAML (``.yaml``, ``.yml``), CSV or xlsx file.

    Raises
    ------
    ValidationError
        Not readable as its format, no ``standards:`` list in a YAML file, a CSV without
        the ``number`` or ``status`` column, or any problem of :func:`records_of`.
    """
    if filename.lower().endswith((".yaml", ".yml")):
        import yaml

        try:
            doc = yaml.safe_load(data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ValidationError(Problem(_("not a YAML file: %(error)s",
                                            error=str(exc).split("\n")[0]),
                                          source=filename)) from exc
        entries = doc.get("standards") if isinstance(doc, Mapping) else doc
        if not isinstance(entries, list):
            raise ValidationError(Problem(_("expected a list of standards under "
                                            "'standards:'"), source=filename))
        return records_of(entries, filename)
    from aurum.core.tables import read_table, with_columns

    frame = with_columns(read_table(data, filename), ("number", "status"), filename)
    rows = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    return records_of(rows, filename, first_row=2)
