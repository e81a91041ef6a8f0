"""Every page has its help (issue 18): each HTML page of the application (a GET route kept out
of the API's schema that answers HTML) has a text in :data:`aurum.api.labels.help.HELP`, and
every text there names a page that exists.

The pages come from the application's route table: a new page is covered as soon as it
exists.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts

from aurum.api.app import create_app
from aurum.api.labels.help import HELP
from aurum.core import i18n
from aurum.services.platform import Platform


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The application over an empty database (only its route table is read)."""
    folder = tmp_path_factory.mktemp("help")
    return create_app(Platform.open(f"sqlite:///{folder / 'aurum.db'}", migrate_to_head=True))


def html_pages(app: FastAPI) -> set[str]:
    """The path templates of the application's HTML pages."""
    found = set()
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or route.include_in_schema:
            continue
        answer = getattr(route.response_class, "value", route.response_class)  # a default
        if ("GET" in (route.methods or ()) and isinstance(answer, type)
                and issubclass(answer, HTMLResponse)):
            found.add(str(route.path))
    return found


def test_the_pages_are_found(app: FastAPI) -> None:
    pages = html_pages(app)
    assert {"/", "/sites/{code}", "/glossary", "/audit/{entity}/{entity_id}"} <= pages
    assert not any(page.startswith("/api/") for page in pages)


def test_every_page_has_its_help(app: FastAPI) -> None:
    missing = sorted(html_pages(app) - HELP.keys())
    assert not missing, f"pages without help in aurum.api.labels.help.HELP: {missing}"


def test_every_help_names_a_page(app: FastAPI) -> None:
    assert not sorted(HELP.keys() - html_pages(app)), "help of pages that do not exist"


def test_each_help_is_a_short_text() -> None:
    with i18n.using("en"):
        for page, text in HELP.items():
            message = str(text)
            sentences = message.count(". ") + message.endswith(".")
            assert 1 <= sentences <= 5 and len(message) <= 600, page
