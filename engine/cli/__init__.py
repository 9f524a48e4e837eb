"""`mashangban`: the command line over the service API (same verbs as the web), on click.

One module per group of commands; this one builds the root group, maps engine errors to exit
statuses (1 for problems, 3 for conflicts, 130 when interrupted) and runs it. The web adds its
own commands (`serve`) to a group built here, as Flask adds `run` to its own.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from ..errors import Conflict, EngineError, FormInvalid, InvalidProcess
from . import (
    audit,
    calendar,
    cases,
    demo,
    deploying,
    migrating,
    notify,
    open311,
    ops,
    privacy,
    tasks,
    timers,
    users,
)
from .common import Problem

__all__ = ["Problem", "build_cli", "main", "resolve"]

MODULES = (deploying, cases, tasks, timers, notify, audit, ops, demo, users, calendar, migrating,
           open311, privacy)  # fmt: skip


class MashangbanGroup(click.Group):
    """The root group: runs a command and turns its result or engine error into the exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command line; exit with the command's status (engine errors reported)."""
        try:
            code = super().invoke(ctx)
        except KeyboardInterrupt:
            code = 130
        except (EngineError, OSError) as error:
            code = report(error)
        ctx.exit(code if isinstance(code, int) else 0)


def report(error: EngineError | OSError) -> int:
    """Print an engine error (or an unreadable file) on stderr; the exit status it means."""
    if isinstance(error, InvalidProcess):
        for problem in error.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(error.problems)} problem(s); nothing was deployed", err=True)
        return 1
    if isinstance(error, FormInvalid):
        for field_error in error.errors:
            click.echo(f"{field_error.field}: {field_error.message}", err=True)
        click.echo("the form was not submitted; fix the fields above", err=True)
        return 1
    if isinstance(error, Conflict):
        click.echo(f"conflict: {error}", err=True)
        return 3
    if isinstance(error, OSError):  # a file named on the command line is missing or unreadable
        click.echo(f"error: {error.strerror or error}: {error.filename or ''}", err=True)
        return 1
    click.echo(f"error: {error}", err=True)
    return 1


def build_cli() -> click.Group:
    """A new root group holding every engine command (callers may add their own)."""
    group = MashangbanGroup("mashangban", help="马上办 workflow engine")
    for module in MODULES:
        for command in module.COMMANDS:
            group.add_command(command)
    return group


def main(argv: Sequence[str] | None = None, group: click.Group | None = None) -> int:
    """Run `mashangban ARGV...` (default: sys.argv) and return its exit status."""
    command = group or build_cli()
    args = list(argv) if argv is not None else sys.argv[1:]
    try:
        code = command.main(args, prog_name="mashangban", standalone_mode=False)
    except click.ClickException as error:  # a usage mistake (2) or a Problem (1)
        error.show()
        return error.exit_code
    except click.Abort:
        click.echo("Aborted!", err=True)
        return 1
    return code if isinstance(code, int) else 0


def resolve(argv: Sequence[str], group: click.Group | None = None) -> click.Context:
    """The context of the command ARGV names, its parameters parsed, without running it.

    Raises click.UsageError for an unknown verb, an unknown option or a missing argument.
    """
    command: click.Command = group or build_cli()
    ctx = click.Context(command, info_name="mashangban")
    args = list(argv)
    while isinstance(command, click.Group):
        if not args:
            raise click.UsageError("Missing command.", ctx)
        name, found, args = command.resolve_command(ctx, args)
        assert found is not None and name is not None  # resolve_command raised otherwise
        command = found
        if isinstance(command, click.Group):
            ctx = click.Context(command, info_name=name, parent=ctx)
        else:
            ctx = command.make_context(name, args, parent=ctx)
    return ctx
