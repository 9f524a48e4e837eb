"""`mashangban`: the engine's commands plus `serve`, the development web server.

Production runs the app under gunicorn instead (see web/README.md).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence

from engine import cli as engine_cli
from engine.service import Engine
from engine.settings import Settings

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The engine's parser with a `serve` subcommand added."""
    parser = engine_cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    serve = commands.add_parser(
        "serve",
        help="run the web app on the development server",
        description="Run the web app on Flask's development server (not for production: "
        "use gunicorn, see web/README.md). Without SECRET_KEY it runs in development mode.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=5000, help="port to listen on")
    serve.add_argument("--debug", action="store_true", help="reload on change, show tracebacks")
    serve.add_argument(
        "--no-timers",
        action="store_true",
        help="do not run the timer worker in the server process (run `timers run` yourself)",
    )
    return parser


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


def serve(host: str, port: int, debug: bool, timers: bool = True) -> int:
    """Run the development server (and, unless told not to, the timer worker) until interrupted."""
    from . import create_app

    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("MASHANGBAN_ENV", "development")
    app = create_app()
    if timers and not (debug and os.environ.get("WERKZEUG_RUN_MAIN") is None):
        start_timer_thread()
    print(f"马上办 on http://{host}:{port}/ ({app.config['MASHANGBAN_ENV']})", file=sys.stderr)
    app.run(host=host, port=port, debug=debug, use_reloader=debug, threaded=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mashangban` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, args.debug, timers=not args.no_timers)
    return engine_cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
