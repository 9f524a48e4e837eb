"""`demo load`: the demo organisation, staff and cases."""

from __future__ import annotations

from pathlib import Path

import click

from .. import demo as demodata
from ..service import Engine
from .common import Problem, pass_engine

DEMO_PASSWORD = "mashangban-demo"  # demo data only; documented in the README


@click.group("demo")
def demo() -> None:
    """Demo data."""


@demo.command("load")
@click.option(
    "--org",
    type=click.Path(path_type=Path),
    default=demodata.ORGANISATION,
    show_default=True,
    help="the organisation file",
)
@click.option("--no-cases", is_flag=True, help="staff only, no demo cases")
@click.option(
    "--password",
    envvar="MASHANGBAN_DEMO_PASSWORD",
    default=DEMO_PASSWORD,
    help="password of every demo account (MASHANGBAN_DEMO_PASSWORD)",
)
@pass_engine
def load(engine: Engine, org: Path, no_cases: bool, password: str) -> int:
    """Load the demo organisation, staff and cases."""
    try:
        with engine.transaction() as service:
            users = demodata.load_organisation(service, org, password=password)
    except (KeyError, TypeError, ValueError) as error:
        raise Problem(
            f'error: {org} is not an organisation file (see README.md, "The demo '
            f'organisation", for its shape): {type(error).__name__} {error}'
        ) from None
    print(f"organisation loaded: {users} staff members (password: see README)")
    if no_cases:
        return 0
    with engine.transaction() as service:
        keys = demodata.demo_cases(service)
    print(f"demo cases: {', '.join(keys) if keys else 'already present'}")
    return 0


COMMANDS = (demo,)
