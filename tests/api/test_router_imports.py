"""Routers only route: none imports a domain package or an array/database library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROUTERS = Path(__file__).resolve().parents[2] / "src" / "aurum" / "api" / "routers"

FORBIDDEN = ("aurum.industry", "aurum.resources", "aurum.planning", "aurum.processing",
             "aurum.seismic", "aurum.safety", "aurum.recycling", "aurum.prospect",
             "numpy", "pandas", "scipy", "numba", "sqlalchemy")
ALLOWED = ("sqlalchemy.orm",)  # ``Session`` in type hints


def imported_modules(source: str) -> list[str]:
    """Every module an ``import`` or ``from ... import`` statement of ``source`` names."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module]
            # ``from aurum import industry`` imports the package too
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def forbidden(module: str) -> bool:
    """Whether a router may not import ``module``."""
    def under(prefix: str) -> bool:
        return module == prefix or module.startswith(prefix + ".")
    return any(under(p) for p in FORBIDDEN) and not any(under(p) for p in ALLOWED)


def test_forbidden_names_what_the_rule_says() -> None:
    assert forbidden("pandas") and forbidden("numpy.linalg") and forbidden("aurum.industry.kpi")
    assert forbidden("sqlalchemy") and not forbidden("sqlalchemy.orm")
    assert not forbidden("aurum.services.monitor") and not forbidden("pandasx")
    assert imported_modules("from aurum import industry\nimport numpy as np") == [
        "aurum", "aurum.industry", "numpy"]


@pytest.mark.parametrize("path", sorted(ROUTERS.glob("*.py")), ids=lambda p: p.name)
def test_router_imports_no_domain_package_or_array_library(path: Path) -> None:
    bad = [m for m in imported_modules(path.read_text(encoding="utf-8")) if forbidden(m)]
    assert bad == [], f"{path.name} imports {bad}: move that work into a service"
