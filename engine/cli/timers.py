"""`timers run`: the timer worker."""

from __future__ import annotations

import time
from typing import Any

import click

from ..service import Engine
from .common import parse_now, pass_engine, progress


@click.group("timers")
def timers() -> None:
    """Fire due timers."""


@timers.command("run")
@click.option("--once", is_flag=True, help="process what is due, then exit")
@click.option("--now", help="the instant to consider 'now' (ISO-8601 with offset)")
@click.option(
    "--interval", type=float, default=30.0, show_default=True, help="seconds between polls"
)
@pass_engine
def run(engine: Engine, once: bool, now: str | None, interval: float) -> int:
    """Run the timer worker."""

    def report(key: str, fired: list[Any]) -> None:
        names = ", ".join(f["spec"] for f in fired) or "nothing due after all"
        progress(f"{key}: {names}")

    while True:
        count = engine.fire_due_timers(parse_now(now), on_case=report)
        engine.heartbeat(interval)  # read by /readyz
        if once:
            print(f"{count} case(s) had due timers")
            return 0
        time.sleep(interval)


COMMANDS = (timers,)
