"""Placeholder: filled in by the KPI work."""

import click


@click.command(name="kpi")
def kpi() -> None:
    """(not yet implemented)"""
