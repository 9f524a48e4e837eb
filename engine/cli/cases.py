"""`case start|show|history` and `message`: cases and the messages they wait for."""

from __future__ import annotations

import click

from ..acting import SYSTEM
from ..service import Engine
from .common import (
    data_option,
    json_option,
    parse_json,
    pass_engine,
    print_json,
    show_case,
    user_option,
)


@click.group("case")
def case() -> None:
    """Cases."""


@case.command("start")
@click.argument("process_id")
@click.option("--key", help="the business key (default: a new one)")
@data_option()
@user_option(default=SYSTEM)
@json_option
@pass_engine
def start(
    engine: Engine, process_id: str, key: str | None, data: str | None, user: str, as_json: bool
) -> int:
    """Start a case."""
    values = parse_json(data, "--data")
    with engine.transaction() as service:
        started = service.start_case(process_id, key=key, data=values, actor=user)
    return show_case(started, as_json)


@case.command("show")
@click.argument("key")
@json_option
@pass_engine
def show(engine: Engine, key: str, as_json: bool) -> int:
    """Show a case."""
    with engine.transaction() as service:
        found = service.get_case(key)
    return show_case(found, as_json)


@case.command("history")
@click.argument("key")
@json_option
@pass_engine
def history(engine: Engine, key: str, as_json: bool) -> int:
    """Show a case's events."""
    with engine.transaction() as service:
        events = service.history(key)
    if as_json:
        print_json(events)
        return 0
    for e in events:
        task = f" {e.task_spec}" if e.task_spec else ""
        print(f"{e.seq:4d} {e.at.isoformat()} {e.actor:<12} {e.kind}{task} {e.hash[:12]}")
    return 0


@click.command("message")
@click.argument("key")
@click.argument("message")
@data_option()
@user_option(default=SYSTEM)
@json_option
@pass_engine
def message(
    engine: Engine, key: str, message: str, data: str | None, user: str, as_json: bool
) -> int:
    """Deliver a message to a waiting case."""
    payload = parse_json(data, "--data")
    with engine.transaction() as service:
        delivered = service.deliver_message(key, message, payload, actor=user)
    return show_case(delivered, as_json)


COMMANDS = (case, message)
