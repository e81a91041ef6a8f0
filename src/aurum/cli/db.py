"""Placeholder: filled in by the store/services work."""

import click


@click.group(name="db")
def db() -> None:
    """(not yet implemented)"""
