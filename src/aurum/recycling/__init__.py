"""The gold recycling ledger: purchases in an append-only Merkle log, reporting rules,
custody from the recycler's counter to the refined bar (pure: no database, no files).

``canonical`` itself is :func:`aurum.recycling.canonical.canonical`: the package cannot
re-export it under the name of its module.
"""

from aurum.core.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "canonical": ("decimal", "decimal_text", "timestamp_text"),
    "checkpoint": ("Checkpoint", "CheckpointError", "MAX_NOTE_CHARS", "VerifierKey",
                   "check_key_name", "open_checkpoint", "open_note", "parse_checkpoint",
                   "parse_verifier_key", "sign_checkpoint", "sign_note", "verifier_key"),
    "custody": ("custody_graph", "mass_balance", "recycled_gold_totals"),
    "identity": ("IdType", "mask_ids", "mask_names", "normalise_ids", "resident_id_check",
                 "uscc_problems"),
    "merkle": ("Frontier", "MerkleTree", "ProofError"),
    "purchases": ("AssayMethod", "CSV_COLUMNS", "ENTRY_VERSION", "ItemType", "OPTIONAL_COLUMNS",
                  "Origin", "PaymentMethod", "fine_gold_g", "purchase_bodies", "read_purchases_csv",
                  "validate_purchases"),
    "rules": ("Detection", "LARGE_CASH", "detect", "load_rules"),
    "sealing": ("PersonalDataKeys", "SealError", "TreeHeadSigner", "key_id", "verify_tree_head"),
})
