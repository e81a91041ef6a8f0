"""Use cases: load from the store, call a domain, save, authorise. No HTTP here."""
