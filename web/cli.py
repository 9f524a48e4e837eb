"""`mashangban`: the engine's commands plus `serve`, the development web server.

Production runs the app under gunicorn instead (see web/README.md).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Sequence

import click

from engine import cli as engine_cli
from engine.service import Engine
from engine.settings import Settings

log = logging.getLogger(__name__)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=int, default=5000, show_default=True, help="port to listen on")
@click.option("--debug", is_flag=True, help="reload on change, show tracebacks")
@click.option(
    "--no-timers",
    is_flag=True,
    help="do not run the timer and notify workers in the server process "
    "(run `timers run` and `notify run` yourself)",
)
def serve_command(host: str, port: int, debug: bool, no_timers: bool) -> int:
    """Run the web app on the development server.

    Not for production: use gunicorn, see web/README.md. Without SECRET_KEY it runs in
    development mode.
    """
    return serve(host, port, debug, timers=not no_timers)


def build_cli() -> click.Group:
    """The engine's command group with the web's commands added."""
    group = engine_cli.build_cli()
    group.add_command(serve_command)
    return group


def start_timer_thread(interval: float = 30.0) -> threading.Thread:
    """Fire due timers in the background of a single-process server (the SQLite default)."""

    def work() -> None:
        engine = Engine(Settings.from_env())
        while True:
            try:
                engine.fire_due_timers()
                engine.heartbeat(interval)  # read by /readyz
            except Exception as error:  # keep serving (database down too); the next poll retries
                log.error("timer worker: %s: %s", type(error).__name__, error)
            time.sleep(interval)

    thread = threading.Thread(target=work, name="timer-worker", daemon=True)
    thread.start()
    return thread


def start_notify_thread(interval: float = 10.0) -> threading.Thread:
    """Send the outbox in the background of a single-process server (`notify run` elsewhere)."""
    from engine.notifying.channels import channels_from_env
    from engine.notifying.delivery import NOTIFY_WORKER, deliver_due

    def work() -> None:
        engine = Engine(Settings.from_env())
        channels = channels_from_env()
        while True:
            try:
                deliver_due(engine, channels)
                engine.heartbeat(interval, worker=NOTIFY_WORKER)
            except Exception as error:  # keep serving; the next poll retries
                log.error("notify worker: %s: %s", type(error).__name__, error)
            time.sleep(interval)

    thread = threading.Thread(target=work, name="notify-worker", daemon=True)
    thread.start()
    return thread


def serve(host: str, port: int, debug: bool, timers: bool = True) -> int:
    """Run the development server (and, unless told not to, the timer worker) until interrupted."""
    from . import create_app

    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("MASHANGBAN_ENV", "development")
    app = create_app()
    if timers and not (debug and os.environ.get("WERKZEUG_RUN_MAIN") is None):
        start_timer_thread()
        start_notify_thread()
    print(f"马上办 on http://{host}:{port}/ ({app.config['MASHANGBAN_ENV']})", file=sys.stderr)
    app.run(host=host, port=port, debug=debug, use_reloader=debug, threaded=True)
    return 0


def resolve(argv: Sequence[str]) -> click.Context:
    """The parsed context of the `mashangban` command ARGV names (click.UsageError if none)."""
    return engine_cli.resolve(argv, build_cli())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mashangban` console script."""
    return engine_cli.main(argv, build_cli())


if __name__ == "__main__":
    sys.exit(main())
