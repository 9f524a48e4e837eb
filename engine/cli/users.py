"""`user add|signout|disable|enable`: staff accounts."""

from __future__ import annotations

import os

import click

from ..service import Engine
from .common import pass_engine


@click.group("user")
def user() -> None:
    """Staff members."""


@user.command("add")
@click.argument("username")
@click.option("--name", help="display name (default: the username)")
@click.option("--group", "groups", multiple=True, help="candidate group (repeatable)")
@click.option("--unit", help="organisation unit code")
@click.option("--role", "roles", multiple=True, help="role (repeatable)")
@click.option("--password", help="sign-in password (prefer MASHANGBAN_PASSWORD)")
@pass_engine
def add(
    engine: Engine,
    username: str,
    name: str | None,
    groups: tuple[str, ...],
    unit: str | None,
    roles: tuple[str, ...],
    password: str | None,
) -> int:
    """Create or update a staff member."""
    with engine.transaction() as service:
        secret = password or os.environ.get("MASHANGBAN_PASSWORD")
        service.staff.save_user(username, name or username, list(groups),
                                unit=unit, roles=list(roles), password=secret)  # fmt: skip
    print(f"user {username}: groups {', '.join(groups) or '-'}")
    return 0


@user.command("signout")
@click.argument("username")
@pass_engine
def signout(engine: Engine, username: str) -> int:
    """End every web session and API token of a staff member."""
    with engine.transaction() as service:
        ended = service.staff.sign_out_everywhere(username)
    print(f"user {username}: {ended} session(s) and API token(s) ended")
    return 0


@user.command("disable")
@click.argument("username")
@pass_engine
def disable(engine: Engine, username: str) -> int:
    """Disable a staff account and end its sessions."""
    with engine.transaction() as service:
        service.staff.set_active(username, False)
    print(f"user {username}: disabled (and signed out everywhere)")
    return 0


@user.command("enable")
@click.argument("username")
@pass_engine
def enable(engine: Engine, username: str) -> int:
    """Re-enable a disabled staff account."""
    with engine.transaction() as service:
        service.staff.set_active(username, True)
    print(f"user {username}: enabled")
    return 0


COMMANDS = (user,)
