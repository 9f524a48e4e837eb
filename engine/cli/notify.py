"""`notify run`: the notify worker (sends the outbox, announces deadlines)."""

from __future__ import annotations

import time

import click

from ..notifying.channels import channels_from_env
from ..notifying.delivery import NOTIFY_WORKER, deliver_due
from ..service import Engine
from .common import parse_now, pass_engine, progress


@click.group("notify")
def notify() -> None:
    """Send notifications (e-mail, SMS) from the outbox."""


@notify.command("run")
@click.option("--once", is_flag=True, help="send what is due, then exit")
@click.option("--now", help="the instant to consider 'now' (ISO-8601 with offset)")
@click.option(
    "--interval", type=float, default=10.0, show_default=True, help="seconds between polls"
)
@pass_engine
def run(engine: Engine, once: bool, now: str | None, interval: float) -> int:
    """Run the notify worker (several may run: each message is leased to one of them)."""
    channels = channels_from_env()
    while True:
        result = deliver_due(engine, channels, parse_now(now))
        for error in result.errors:
            progress(error)
        engine.heartbeat(interval, worker=NOTIFY_WORKER)
        if once:
            print(f"{result.sent} sent, {result.retried} to retry, {result.dead} dead, "
                  f"{result.queued} deadline message(s) queued")  # fmt: skip
            return 0
        time.sleep(interval)


COMMANDS = (notify,)
