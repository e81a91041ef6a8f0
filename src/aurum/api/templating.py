"""Jinja2 templates with the helpers every page uses."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from aurum.api.deps import csrf_token
from aurum.core.jsonsafe import finite

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


def _num(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.{digits}f}"


def _figure(fig: dict[str, Any]) -> str:
    return json.dumps(finite(fig), allow_nan=False, default=str).replace("</", "<\\/")


TEMPLATES.env.filters["num"] = _num
TEMPLATES.env.filters["figure"] = _figure


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    """Render a page; ``actor`` and the CSRF token are always available to the template."""
    context.setdefault("csrf", csrf_token(request))
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
