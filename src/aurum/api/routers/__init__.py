"""Routers: thin, they parse, call a service and render."""
