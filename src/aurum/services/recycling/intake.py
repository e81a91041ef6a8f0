"""Purchases as they arrive — a purchase file, JSON objects, the intake form — and
corrections: validated whole, appended and signed in the caller's one transaction.

The API, the pages and the command line all come through here, so a batch is checked, stored
and covered by a signed tree head by one rule: either all of it is in the ledger with the head
of the new size, or nothing is.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from aurum.core.errors import Problem, ValidationError
from aurum.core.i18n import _
from aurum.recycling.purchases import (
    CSV_COLUMNS,
    OPTIONAL_COLUMNS,
    read_purchases_csv,
    validate_purchases,
)
from aurum.services.auth import Actor
from aurum.services.recycling.ledger import AppendResult, LedgerKeys, sign_tree_head
from aurum.services.recycling.purchases import append_purchases, correct_purchase

JSON_SOURCE = "request body"
FORM_SOURCE = "intake form"
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
"""A time as the intake form's clock gives it: Beijing time without an offset."""


@dataclass(frozen=True)
class PurchaseFile:
    """A purchase file as received (CSV, UTF-8; the columns of ``aurum ledger append``).

    Parameters
    ----------
    name : str
        File name, as problems name it.
    data : bytes
        Its content.
    """

    name: str
    data: bytes


Purchases = PurchaseFile | Sequence[Mapping[str, Any]]
"""Purchases to append: a file, or objects with the file's columns (the first is row 2)."""


@dataclass(frozen=True)
class Appended:
    """Entries appended from one batch, and the signed tree head that covers them.

    Parameters
    ----------
    source : str
        The file name, or what the purchases came in (``request body``, ``intake form``).
    result : AppendResult
        What the append did.
    signed_tree_head : dict
        The signed tree head of the log's new size (:func:`list_tree_heads` form).
    """

    source: str
    result: AppendResult
    signed_tree_head: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The API's JSON: ``source``, ``appended``, ``duplicates``, ``size``, ``root``,
        ``seqs``, ``first_seq``, ``last_seq`` and ``signed_tree_head``."""
        r = self.result
        return {"source": self.source, "appended": r.appended, "duplicates": r.duplicates,
                "size": r.size, "root": r.root, "seqs": r.seqs, "first_seq": min(r.seqs),
                "last_seq": max(r.seqs), "signed_tree_head": self.signed_tree_head}


def _object_cells(items: Sequence[Mapping[str, Any]], source: str) -> pd.DataFrame:
    """Purchases given as objects as the text cells of a purchase file; unknown fields are
    refused (rows numbered as in a file: the first purchase is row 2)."""
    allowed = set(CSV_COLUMNS) | set(OPTIONAL_COLUMNS)
    unknown = _("unknown field; expected %(columns)s (optional: %(optional)s)",
                columns=", ".join(CSV_COLUMNS), optional=", ".join(OPTIONAL_COLUMNS))
    problems = [Problem(unknown, row=i + 2, column=str(k), source=source)
                for i, item in enumerate(items) for k in item if k not in allowed]
    if not items:
        problems.append(Problem(_("no purchases given"), source=source))
    if problems:
        raise ValidationError(problems)
    frame = pd.DataFrame(list(items), columns=[*CSV_COLUMNS, *OPTIONAL_COLUMNS], dtype=object)
    return frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v))
                     else str(v))


def _file_cells(file: PurchaseFile) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file.name
        path.write_bytes(file.data)
        return read_purchases_csv(path)


def _validated(purchases: Purchases) -> tuple[pd.DataFrame, str]:
    """Validated purchases (whole or refused whole) and their source's name."""
    if isinstance(purchases, PurchaseFile):
        cells, source = _file_cells(purchases), purchases.name
    else:
        cells, source = _object_cells(purchases, JSON_SOURCE), JSON_SOURCE
    return _checked(cells, source), source


def _checked(cells: pd.DataFrame, source: str) -> pd.DataFrame:
    frame = validate_purchases(cells, source)
    frame.attrs["source"] = source
    return frame


def _signed(session: Session, keys: LedgerKeys, source: str, result: AppendResult
            ) -> Appended:
    return Appended(source, result, sign_tree_head(session, keys))


def record_purchases(session: Session, actor: Actor, keys: LedgerKeys, purchases: Purchases
                     ) -> Appended:
    """Validate purchases, append them whole or not at all, and sign the new head.

    Recyclers and shops not registered yet are created on first use for administrators only
    (:func:`append_purchases` with ``create_missing``); anyone else must name a registered
    recycler of their own organisation. A purchase already in the ledger is not stored twice.

    Raises
    ------
    ValidationError
        Listing every problem by row and column (a file's header is row 1; of objects, the
        first is row 2).
    PermissionDenied
        When the actor may not write for a recycler named.
    """
    frame, source = _validated(purchases)
    return _signed(session, keys, source,
                   append_purchases(session, actor, keys, frame, create_missing=True))


def record_intake_form(session: Session, actor: Actor, keys: LedgerKeys,
                       values: Mapping[str, str]) -> Appended:
    """One purchase typed into the intake page (:func:`record_purchases`): its time is the
    form's clock, Beijing time, unless it carries an offset."""
    cells = dict(values)
    at = cells.get("occurred_at", "").strip()
    if _LOCAL_TIME.fullmatch(at):
        cells["occurred_at"] = at + "+08:00"
    frame = _checked(pd.DataFrame([cells], dtype=object), FORM_SOURCE)
    return _signed(session, keys, FORM_SOURCE,
                   append_purchases(session, actor, keys, frame, create_missing=True))


@dataclass(frozen=True)
class Corrected:
    """A correction appended: the correction entry, then the replacement purchase if any.

    Parameters
    ----------
    target : int
        Sequence number of the purchase corrected.
    action : str
        ``reverse`` or ``amend``.
    appended : Appended
        The entries appended and the signed tree head that covers them.
    """

    target: int
    action: str
    appended: Appended

    def as_dict(self) -> dict[str, Any]:
        """The API's JSON: ``target``, ``action``, ``correction_seq``, ``replacement_seq``
        (None for a reversal), then the :meth:`Appended.as_dict` fields."""
        seqs = self.appended.result.seqs
        return {"target": self.target, "action": self.action, "correction_seq": seqs[0],
                "replacement_seq": seqs[1] if len(seqs) > 1 else None,
                **self.appended.as_dict()}


def record_correction(session: Session, actor: Actor, keys: LedgerKeys, target_seq: int,
                      reason: str, replacement: Purchases | None = None) -> Corrected:
    """Correct a purchase in force: reverse it, or amend it with one replacement purchase of
    the same recycler, and sign the new head (:func:`correct_purchase`).

    Parameters
    ----------
    target_seq : int
        Sequence number of the purchase (in force, not yet sent to a refiner).
    reason : str
        Why (kept in the ledger).
    replacement : PurchaseFile or sequence of mapping, optional
        The one purchase that replaces it (a file of one row, or one object).

    Raises
    ------
    ValidationError
        No reason, or the replacement is not one valid purchase of the target's recycler.
    NotFoundError, ConflictError
        No such purchase; it was corrected already or is in a lot.
    PermissionDenied
        When the actor may not write for its recycler.
    """
    frame, source = (None, JSON_SOURCE) if replacement is None else _validated(replacement)
    result = correct_purchase(session, actor, keys, target_seq, reason, frame)
    return Corrected(target_seq, "reverse" if frame is None else "amend",
                     _signed(session, keys, source, result))
