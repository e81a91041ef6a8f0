"""Lazy re-exports: how a domain package offers its public names without importing them all.

``from aurum.seismic import b_value`` works, yet ``import aurum.seismic.stats`` (or the package
itself) does not pay for ObsPy, numba, rasterio or scikit-learn through the package's
``__init__``: a name is imported from its module the first time it is asked for (PEP 562) and
kept in the package afterwards. A package's ``__init__`` states its names once, module by
module::

    __all__, __getattr__, __dir__ = lazy_exports(__name__, {"stats": ("b_value", ...), ...})

Type checkers see these names as ``Any``; code inside Aurum imports from the modules, which
keeps their types.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, modules: Mapping[str, Sequence[str]]
                 ) -> tuple[list[str], Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__all__``, ``__getattr__`` and ``__dir__`` of a package re-exporting its modules'
    names lazily.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    modules : mapping of str to sequence of str
        Module name, relative to the package, to the names the package takes from it.

    Returns
    -------
    tuple
        ``(__all__, __getattr__, __dir__)``, to assign at the package's top level.

    Raises
    ------
    TypeError
        A module's names given as one string (a tuple of one name needs its comma).
    ValueError
        A name taken from two modules, or named like a module of the package: once that module
        is imported it would stand in the package where the name was expected.
    """
    where: dict[str, str] = {}
    for module, names in modules.items():
        if isinstance(names, str):
            raise TypeError(f"{package}.{module}: give a tuple of names, not the string {names!r}")
        for name in names:
            if name in where or name in modules:
                raise ValueError(f"{package} cannot export {name!r}: it is exported twice or "
                                 "is the name of one of its modules")
            where[name] = module

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            # AttributeError lets ``from package import submodule`` fall back to importing it
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(where))

    return sorted(where), __getattr__, __dir__
