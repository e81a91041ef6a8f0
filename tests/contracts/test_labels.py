"""One machine key, one label: the areas' label modules are merged into one lookup
(:func:`aurum.api.labels.label`), so a key two areas label differently would show the label
of whichever module is read last — an enterprise user's role read "enterprise standard" once
the standards registry labelled its levels ``enterprise`` and ``group``."""

from __future__ import annotations

import importlib
import pkgutil

import aurum.api.labels as labels


def test_no_key_has_two_labels() -> None:
    seen: dict[str, dict[str, str]] = {}
    for module in pkgutil.iter_modules(labels.__path__):
        for key, text in importlib.import_module(f"{labels.__name__}.{module.name}").LABELS.items():
            seen.setdefault(key, {})[module.name] = text._args[0]  # the message, not its language
    clashes = {key: found for key, found in seen.items() if len(set(found.values())) > 1}
    assert not clashes, f"keys labelled differently by two areas: {clashes}"
