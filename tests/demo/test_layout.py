"""The demo layer stays within the size limit of the modules above the domain packages, and
its dependencies point down: the seeding calls the services' public names, nothing below the
command line imports the seeding, and the generators know no service."""

from __future__ import annotations

import ast
from pathlib import Path

import aurum
import aurum.demo

MAX_LINES = 800  # issue 15: no module above the domain packages over 800 lines
SOURCE = Path(aurum.__file__).parent
SEED = "aurum.demo.seed"


def test_no_demo_module_exceeds_the_line_limit() -> None:
    package = Path(aurum.demo.__file__).parent
    sizes = {p.relative_to(package).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in package.rglob("*.py")}
    assert {"district.py", "records.py", "registry.py", "reports.py",
            "seed/__init__.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every import of a source file; name is empty for ``import x``."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def _modules(path: Path) -> set[str]:
    return {m for module, name in _imports(path) for m in (module, f"{module}.{name}")}


def _name(path: Path) -> str:
    return path.relative_to(SOURCE).as_posix()


def test_only_the_command_line_imports_the_seeding() -> None:
    importers = {_name(p) for p in SOURCE.rglob("*.py")
                 if any(m == SEED or m.startswith(f"{SEED}.") for m in _modules(p))}
    assert importers
    assert {n for n in importers if not n.startswith(("cli/", "demo/seed/"))} == set()


def test_the_generators_know_no_service_nor_store() -> None:
    generators = [p for p in (SOURCE / "demo").rglob("*.py") if "seed" not in p.parts]
    assert generators
    below = {(_name(p), m) for p in generators for m in _modules(p)
             if m.startswith(("aurum.services", "aurum.store"))}
    assert below == set()


def test_the_seeding_calls_only_the_services_public_names() -> None:
    private = {(_name(p), module, name) for p in (SOURCE / "demo" / "seed").rglob("*.py")
               for module, name in _imports(p)
               if module.startswith("aurum.services")
               and (module.count(".") > 2 or name.startswith("_"))}
    assert private == set()
