"""The command line speaks the language of the locale (issue 17)."""

from __future__ import annotations

import pytest

from aurum.cli.common import locale_of_environment


@pytest.mark.parametrize(("env", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),                                   # scripts and servers
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}, "en"),    # LC_ALL first, as POSIX does
    ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN"}, "zh_CN"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),
    ({}, "en"),
])
def test_the_locale_of_the_environment(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                       expected: str) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert locale_of_environment() == expected
