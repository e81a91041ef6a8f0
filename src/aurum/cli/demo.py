"""Placeholder: filled in by the store/services work."""

import click


@click.group(name="demo")
def demo() -> None:
    """(not yet implemented)"""
