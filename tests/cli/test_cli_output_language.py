"""The command line's lines for people are in the locale's language (issue 17): ``aurum``
run as a program with ``LANG=zh_CN.UTF-8`` prints its one-line error in Chinese, with
``LANG=C`` in English.

The line is a refused ``aurum planning ultimate`` (neither a MineLib instance nor a block model
given): it needs no file, no database and loads nothing heavy. The Chinese is read from the
committed catalogue, so the test skips the Chinese assertion while the message waits there for
its translation, and checks meanwhile that the line goes through gettext at all.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import aurum.cli
from aurum.core import i18n

REFUSAL = ("give either --upit and --prec (a MineLib instance) or --model and --economics "
           "(a block model)")
"""The message ``aurum planning ultimate`` refuses a call without its inputs with."""
ERROR = "error: %(problem)s"
"""How the command line prints a problem (:class:`aurum.cli.common.AurumGroup`)."""
CLI = Path(aurum.cli.__file__).resolve().parent


def _extracted(module: str) -> set[str]:
    """The messages marked for translation in a module of :mod:`aurum.cli`."""
    return {message if isinstance(message, str) else message[0]
            for _line, message, _comments, _context in extract_from_file(
                "python", str(CLI / module), {"_": None, "gettext": None})}


def _chinese(msgid: str) -> str:
    """The committed zh_CN translation of ``msgid``; skips the test while it has none."""
    po = i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
    with po.open("rb") as handle:
        message = read_po(handle, locale="zh_CN").get(msgid)
    if message is None or not message.string or message.fuzzy:
        pytest.skip(f"{msgid!r} is not translated in the committed catalogue yet")
    return str(message.string)


def _run(lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
    return subprocess.run([sys.executable, "-c", "from aurum.cli import main; main()", *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          env={**env, "LANG": lang, "PYTHONIOENCODING": "utf-8"})


def test_the_refusal_goes_through_the_catalogue() -> None:
    assert REFUSAL in _extracted("planning.py")
    assert ERROR in _extracted("common.py")


def test_the_refusal_is_in_english_under_the_c_locale() -> None:
    out = _run("C", "planning", "ultimate")
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip() == ERROR % {"problem": REFUSAL}


def test_the_refusal_is_in_chinese_under_a_chinese_locale() -> None:
    expected = _chinese(ERROR) % {"problem": _chinese(REFUSAL)}
    out = _run("zh_CN.UTF-8", "planning", "ultimate")
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip() == expected
    assert REFUSAL not in out.stderr
