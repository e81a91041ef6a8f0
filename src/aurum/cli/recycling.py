"""``aurum recycling`` (also ``aurum ledger``, the name scripts use): the gold recycling ledger.

Contract relied on by scripts (both names answer):

- ``aurum ledger append --file PURCHASES.csv [--format json] [--database URL]``;
- ``aurum ledger verify --format json`` prints ``{"ok", "size", "root", "problems"}`` (then
  ``tree_heads``, ``covered`` and ``checkpoints``) and exits 1 when not ok;
  ``--against FILE`` (repeatable) checks the log against checkpoints kept outside the
  database, ``--key VKEY`` against the verifier key the ledger published;
- ``aurum ledger checkpoint [--out FILE]`` prints (or writes) the latest checkpoint, a C2SP
  signed note; ``--format json --witnessed-size N`` prints what a witness needs instead
  (``checkpoint``, ``verifier_key``, ``tree_size``, ``witnessed_size``, ``proof``);
- ``aurum ledger reports --format json`` prints ``{"reports": [...]}`` (the reports due);
- ``aurum ledger correct SEQ --reason TEXT [--file REPLACEMENT.csv] --format json`` prints
  ``{"target", "action", "correction_seq", "replacement_seq", "source", "appended",
  "duplicates", "size", "root", "seqs", "first_seq", "last_seq", "signed_tree_head"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from aurum.cli.common import DATABASE_OPTION, FORMAT_OPTION, echo_json, progress_bar
from aurum.core.i18n import _

# The service is imported inside the verbs: it loads SQLAlchemy, pandas and the signing
# stack, which ``aurum recycling --help`` should not pay for.
if TYPE_CHECKING:
    from aurum.services import recycling
    from aurum.services.platform import Platform


def _open(url: str | None) -> tuple[Platform, recycling.LedgerKeys]:
    from aurum.services import recycling
    from aurum.services.platform import Platform

    platform = Platform.open(url, migrate_to_head=True)
    return platform, recycling.LedgerKeys.load(platform.settings)


@click.group(name="recycling")
def recycling_group() -> None:
    """The gold recycling ledger: purchases in an append-only, signed Merkle log."""


@recycling_group.command("append")
# The columns are aurum.recycling.purchases.CSV_COLUMNS, written out: importing them loads
# pandas (tests/cli/test_startup.py keeps the two alike).
@click.option("--file", "path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of purchases (UTF-8), columns recycler, shop, seller_id_type, "
                   "seller_id_number, seller_name, item_type, gross_weight_g, "
                   "fineness_permille, price_per_g_cny, amount_cny, payment_method, "
                   "occurred_at; optional assay_method, origin, origin_statement.")
@DATABASE_OPTION
@FORMAT_OPTION
def append(path: Path, url: str | None, fmt: str) -> None:
    """Append the purchases of a CSV file to the ledger and sign the new tree head.

    The file is accepted whole or refused whole: every problem is reported by row (the
    header is row 1) and column. occurred_at is ISO 8601 with its UTC offset; amounts in CNY
    with at most 2 decimals, weights in g with at most 3, fineness in ‰ with at most 3;
    seller_id_type is resident_id, passport, hk_macao_permit, taiwan_permit or uscc, and the
    number is checked (GB 11643 and GB 32100 check characters).

    Recyclers and shops named in the file that are not registered yet are created on first
    use, as the command-line operator, under the code given; a recycler whose code is that of
    a registry organisation is linked to it and takes its province, otherwise its province
    stays unknown until an administrator completes the registration. A purchase already in
    the ledger (same content) is not stored twice, so a file can be sent again safely.
    """
    from aurum.services import recycling
    from aurum.services.auth import SYSTEM
    from aurum.store.db import transaction

    platform, keys = _open(url)
    with transaction(platform.sessions) as s:
        done = recycling.record_purchases(s, SYSTEM, keys,
                                          recycling.PurchaseFile(path.name, path.read_bytes()))
    result, head = done.result, done.signed_tree_head
    if fmt == "json":
        echo_json({"file": path.name, "appended": result.appended,
                   "duplicates": result.duplicates, "size": result.size, "root": result.root,
                   "first_seq": min(result.seqs), "last_seq": max(result.seqs),
                   "signed_tree_head": head})
        return
    click.echo(_("%(file)s: %(appended)s purchase(s) appended, %(duplicates)s already in the "
                 "ledger; ledger size %(size)s, root %(root)s; signed tree head %(head)s",
                 file=path.name, appended=result.appended, duplicates=result.duplicates,
                 size=result.size, root=result.root, head=head["id"]))


@recycling_group.command("correct")
@click.argument("seq", type=click.IntRange(min=0))
@click.option("--reason", required=True, help="Why the purchase is corrected (kept in the "
              "ledger).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV with the one purchase that replaces it (the columns of `aurum ledger "
                   "append`, same recycler); without it the purchase is reversed.")
@DATABASE_OPTION
@FORMAT_OPTION
def correct(seq: int, reason: str, path: Path | None, url: str | None, fmt: str) -> None:
    """Correct purchase SEQ: a correction entry that reverses it, followed by the
    replacement purchase when --file gives one, and the new tree head signed. Nothing stored
    changes. A purchase corrected already (correct the entry that replaced it) or sent to a
    refiner in a lot cannot be corrected."""
    from aurum.services import recycling
    from aurum.services.auth import SYSTEM
    from aurum.store.db import transaction

    platform, keys = _open(url)
    replacement = None if path is None else recycling.PurchaseFile(path.name, path.read_bytes())
    with transaction(platform.sessions) as s:
        done = recycling.record_correction(s, SYSTEM, keys, seq, reason, replacement)
    if fmt == "json":
        echo_json(done.as_dict())
        return
    out = done.as_dict()
    values = {"seq": seq, "action": done.action, "entry": out["correction_seq"],
              "size": out["size"], "root": out["root"], "head": out["signed_tree_head"]["id"]}
    if out["replacement_seq"] is None:
        click.echo(_("purchase %(seq)s: %(action)s as entry %(entry)s; ledger size %(size)s, "
                     "root %(root)s; signed tree head %(head)s", **values))
    else:
        click.echo(_("purchase %(seq)s: %(action)s as entry %(entry)s, replaced by purchase "
                     "%(replacement)s; ledger size %(size)s, root %(root)s; signed tree head "
                     "%(head)s", replacement=out["replacement_seq"], **values))


@recycling_group.command("verify")
@click.option("--against", "checkpoints", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A checkpoint kept outside the database (from `aurum ledger checkpoint`); "
                   "the stored log must be consistent with it. Repeatable.")
@click.option("--key", "published_key", metavar="VKEY",
              help="The verifier key the ledger published (<name>+<hash>+<key>, as `aurum "
                   "ledger checkpoint --format json` prints it); default the signing key at "
                   "hand.")
@DATABASE_OPTION
@FORMAT_OPTION
def verify(checkpoints: tuple[Path, ...], published_key: str | None, url: str | None,
           fmt: str) -> None:
    """Recompute the ledger from its stored entries and check every stored row, the tree
    nodes, the head, the signed tree heads and their checkpoints (in order, covering every
    entry) and, with --against, that the log is consistent with each checkpoint given (RFC
    6962 consistency proof). Exits 1 when anything is wrong."""
    from aurum.services import recycling

    platform, keys = _open(url)
    # Undecodable bytes become U+FFFD: such a note then fails its signature, a problem named
    # by its file rather than a crash.
    against = [(path.name, path.read_text(encoding="utf-8", errors="replace"))
               for path in checkpoints]
    with platform.sessions() as s, progress_bar(_("verifying entries")) as advance:
        result = recycling.verify_ledger(s, keys, progress=advance, against=against,
                                         published_key=published_key)
    if fmt == "json":
        echo_json(result.as_dict())
    else:
        state = _("ok") if result.ok else _("NOT OK (%(count)s problem(s))",
                                             count=len(result.problems))
        click.echo(_("ledger %(state)s: %(size)s entries, root %(root)s, %(heads)s signed tree "
                     "head(s) checked, %(checkpoints)s checkpoint(s) given", state=state,
                     size=result.size, root=result.root, heads=result.tree_heads,
                     checkpoints=len(result.checkpoints)))
        for problem in result.problems:
            click.echo(_("problem: %(problem)s", problem=problem), err=True)
    if not result.ok:
        click.get_current_context().exit(1)


@recycling_group.command("checkpoint")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the checkpoint to this file instead of printing it.")
@click.option("--witnessed-size", type=click.IntRange(min=0), default=0, show_default=True,
              help="With --format json: the tree size the witness holds, for the "
                   "consistency proof.")
@DATABASE_OPTION
@FORMAT_OPTION
def checkpoint(out: Path | None, witnessed_size: int, url: str | None, fmt: str) -> None:
    """The latest checkpoint of the ledger (a C2SP signed note: origin, tree size, root hash,
    Ed25519 signature), to keep outside the database and check with `aurum ledger verify
    --against`; a log whose last head predates checkpoints gets one signed now."""
    from aurum.services import recycling
    from aurum.store.db import transaction

    platform, keys = _open(url)
    with transaction(platform.sessions) as s:
        recycling.sign_tree_head(s, keys)
    with platform.sessions() as s:
        for_witness = recycling.checkpoint_for_witness(s, keys, witnessed_size)
    if out is not None:
        out.write_text(for_witness["checkpoint"], encoding="utf-8")
    if fmt == "json":
        echo_json(for_witness)
    elif out is None:
        click.echo(for_witness["checkpoint"], nl=False)


@recycling_group.command("reports")
@click.option("--status", type=click.Choice(["due", "submitted", "all"]), default="due",
              show_default=True, help="Which reports to list.")
@DATABASE_OPTION
@FORMAT_OPTION
def reports(status: str, url: str | None, fmt: str) -> None:
    """Screen the purchases with the reporting rules (PBoC 银发〔2025〕124号: large cash and
    suspicious transactions) and list the reports due, with their deadlines. Sellers are
    named by the keyed hash of their document and a masked number."""
    from aurum.services import recycling
    from aurum.services.auth import SYSTEM
    from aurum.store.db import transaction

    platform, _keys = _open(url)
    with transaction(platform.sessions) as s:
        recycling.screen_reports(s, SYSTEM)
    with platform.sessions() as s:
        listed = recycling.list_reports(s, SYSTEM, status)
    if fmt == "json":
        echo_json({"reports": listed})
        return
    if not listed:
        click.echo({"due": _("no due reports"), "submitted": _("no submitted reports"),
                    "all": _("no reports")}[status])
    regulator = _("(regulator)")
    for r in listed:
        due = _("due %(day)s", day=r["due_on"])
        entries = _("entries %(entries)s", entries=", ".join(map(str, r["entries"])))
        click.echo(f"{r['id']:>5}  {r['kind']:<10}  {r['rule']:<22}  {due}  "
                   f"{r['status']:<9}  {r['recycler'] or regulator:<12}  "
                   f"{r['seller_id_masked']:<20}  CNY {r['amount_cny']:>14,.2f}  {entries}")
