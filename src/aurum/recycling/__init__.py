"""The gold recycling ledger: purchases in an append-only Merkle log, reporting rules,
custody from the recycler's counter to the refined bar (pure: no database, no files)."""
