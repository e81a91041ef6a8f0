"""ASGI entry point for uvicorn: ``uvicorn aurum.api.asgi:app``."""

from aurum.api.app import create_app

app = create_app()
