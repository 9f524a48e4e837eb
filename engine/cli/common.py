"""What every `mashangban` command shares: the engine, `--json`, input parsing, messages."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import click

from ..casewarnings import describe as describe_warning
from ..service import Engine
from ..settings import Settings

DEFAULT_PROCESSES = Path("processes")
ENGINE_KEY = "mashangban.engine"

F = TypeVar("F", bound=Callable[..., Any])


class Problem(click.ClickException):
    """A mistake in what was typed: the message goes to stderr as it is, the exit status is 1."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message alone (no "Error:" prefix: it already says what and how to fix)."""
        click.echo(self.message, err=True)


def open_engine() -> Engine:
    """The Engine of DATABASE_URL for this invocation, closed when the command line ends."""
    root = click.get_current_context().find_root()
    if ENGINE_KEY not in root.meta:
        engine = Engine(Settings.from_env())
        root.call_on_close(engine.close)
        root.meta[ENGINE_KEY] = engine
    found: Engine = root.meta[ENGINE_KEY]
    return found


def pass_engine(function: F) -> F:
    """Call the command with the Engine as its first argument (opened only when it runs)."""

    @functools.wraps(function)
    def with_engine(*args: Any, **kwargs: Any) -> Any:
        return function(open_engine(), *args, **kwargs)

    return cast(F, with_engine)


def json_option(function: F) -> F:
    """The `--json` flag of commands that list or show things (passed as `as_json`)."""
    return click.option("--json", "as_json", is_flag=True, help="print JSON instead of text")(
        function
    )


def user_option(
    default: str | None = None, required: bool = False, helptext: str = "the acting user"
) -> Callable[[F], F]:
    """The `--user` option: who acts (or whose inbox is listed)."""
    return click.option("--user", default=default, required=required, help=helptext)


def data_option(default: str | None = None) -> Callable[[F], F]:
    """The `--data` option: a JSON object of field values."""
    return click.option("--data", default=default, help='a JSON object, e.g. \'{"field": "v"}\'')


def json_default(value: Any) -> Any:
    """Turn what `json` cannot write (datetimes, dataclasses, sets) into plain values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def print_json(value: Any) -> None:
    """Print a value (a dataclass, a list of them, a dict) as indented JSON."""
    plain = asdict(value) if is_dataclass(value) and not isinstance(value, type) else value
    print(json.dumps(plain, ensure_ascii=False, indent=2, default=json_default))


def parse_json(text: str | None, what: str) -> dict[str, Any]:
    """The JSON object given in an option; an empty option is an empty object."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise Problem(
            f"error: {what} is not valid JSON ({error.msg} at column {error.colno})"
        ) from None
    if not isinstance(value, dict):
        raise Problem(f'error: {what} must be a JSON object like \'{{"field": "value"}}\'')
    return value


def parse_now(text: str | None) -> datetime | None:
    """The instant of `--now` (ISO-8601 with a UTC offset), or None for the real now."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Problem(
            f"error: --now '{text}' is not ISO-8601 (e.g. 2026-10-09T09:00+08:00)"
        ) from None
    if moment.tzinfo is None:
        raise Problem("error: --now needs a UTC offset, e.g. 2026-10-09T09:00+08:00")
    return moment


def progress(message: str) -> None:
    """Report progress on stderr, so that stdout stays the result."""
    click.echo(message, err=True)


def show_case(case: Any, as_json: bool) -> int:
    """Print a case: its status, open tasks, timers, warnings and data."""
    if as_json:
        print_json(case)
        return 0
    print(f"case {case.key}  {case.process_id} v{case.process_version}  status: {case.status}")
    for task in case.tasks:
        due = f"  due {task.due_at.isoformat()}" if task.due_at else ""
        print(f"  task {task.id}  {task.task_spec} ({task.name}){due}")
    if case.next_timer_at:
        print(f"  next timer: {case.next_timer_at.isoformat()}")
    for warning in case.warnings:
        print(f"  warning: {describe_warning(warning)}")
    if case.error:
        print(f"  error: {case.error}")
    print("  data: " + json.dumps(case.data, ensure_ascii=False, default=json_default))
    return 0
