"""`open311 key NAME`: an API key for an Open311 client (a 12345 hotline, a city platform)."""

from __future__ import annotations

import click

from ..service import Engine
from .common import pass_engine


@click.group("open311")
def open311() -> None:
    """Open311 GeoReport v2 clients."""


@open311.command("key")
@click.argument("name")
@pass_engine
def key(engine: Engine, name: str) -> int:
    """Issue a key for a new client; it is printed once and stored only as its SHA-256."""
    with engine.transaction() as service:
        issued = service.reach.open311.issue_key(name)
    print(issued)
    click.echo(f"Open311 client '{name}': keep this key now; it cannot be shown again.", err=True)
    return 0


COMMANDS = (open311,)
