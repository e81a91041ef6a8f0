"""Placeholder: filled in by the store/services work."""

import click


@click.group(name="serve")
def serve() -> None:
    """(not yet implemented)"""
