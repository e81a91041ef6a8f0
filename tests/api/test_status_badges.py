"""Every judgement a materials or metrology page shows as a badge (white text on a coloured
pill, class ``status <key>``) has its colour in the stylesheet; without one the badge's text
is white on the page's white and cannot be read."""

import re
from importlib import resources

import pytest

from aurum.services.matching import STATUSES
from aurum.services.materials import VERDICTS

CSS = resources.files("aurum.api").joinpath("static/aurum.css").read_text(encoding="utf-8")
CAPABILITY = ("capable", "marginal", "incapable")
PERFORMANCE = ("satisfactory", "questionable", "unsatisfactory")


@pytest.mark.parametrize("key", [*VERDICTS, *STATUSES, *CAPABILITY, *PERFORMANCE])
def test_the_badge_has_a_background(key: str) -> None:
    rules = re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", CSS, flags=re.S))
    assert any(f".status.{key}" in {s.strip() for s in selectors.split(",")}
               and "background" in body for selectors, body in rules), key
