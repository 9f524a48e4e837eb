"""`calendar load`: the official holiday schedule."""

from __future__ import annotations

from pathlib import Path

import click

from ..service import Engine
from .common import pass_engine


@click.group("calendar")
def calendar() -> None:
    """Holiday schedule."""


@calendar.command("load")
@click.argument("file")
@pass_engine
def load(engine: Engine, file: str) -> int:
    """Load an official holiday schedule file (recalculates the open cases' deadlines)."""
    text = Path(file).read_text(encoding="utf-8")
    with engine.transaction() as service:
        loaded = service.calendar.load(text)
    print(f"loaded {loaded.days} day(s) from {file}")
    if loaded.recalculated:
        print(f"recalculated the deadlines of {loaded.recalculated} open case(s)")
    return 0


COMMANDS = (calendar,)
