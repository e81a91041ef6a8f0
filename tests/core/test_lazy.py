"""The domain packages' public names: all reachable from the package, none imported before use."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

from aurum.core.lazy import lazy_exports

DOMAINS = ("industry", "planning", "processing", "prospect", "recycling", "resources", "safety",
           "seismic")


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_exported_name_is_the_modules_object(domain: str) -> None:
    package = importlib.import_module(f"aurum.{domain}")
    assert package.__all__ == sorted(set(package.__all__))
    for name in package.__all__:
        value = getattr(package, name)
        assert not isinstance(value, types.ModuleType), name
        assert name in dir(package)
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018


def test_importing_the_packages_imports_no_library() -> None:
    code = ("import sys; " + "; ".join(f"import aurum.{d}" for d in DOMAINS) + "; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', "
            "'scipy', 'numba', 'obspy', 'sklearn', 'rasterio', 'geopandas'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_module_stays_reachable_under_its_name() -> None:
    from aurum.industry import registry

    assert isinstance(registry, types.ModuleType)
    assert registry.SiteKind is importlib.import_module("aurum.industry").SiteKind


def test_a_name_may_not_be_exported_twice_or_shadowed_by_a_module() -> None:
    with pytest.raises(ValueError, match="'f'"):
        lazy_exports("pkg", {"a": ("f",), "b": ("f",)})
    with pytest.raises(ValueError, match="'b'"):
        lazy_exports("pkg", {"a": ("b",), "b": ("g",)})
    with pytest.raises(TypeError):
        lazy_exports("pkg", {"a": ("f")})
