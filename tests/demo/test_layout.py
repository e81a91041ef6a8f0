"""The demo layer stays within the size limit of the modules above the domain packages."""

from __future__ import annotations

from pathlib import Path

import aurum.demo

MAX_LINES = 800  # issue 15: no module above the domain packages over 800 lines


def test_no_demo_module_exceeds_the_line_limit() -> None:
    package = Path(aurum.demo.__file__).parent
    sizes = {p.relative_to(package).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in package.rglob("*.py")}
    assert {"district.py", "records.py", "registry.py", "reports.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
