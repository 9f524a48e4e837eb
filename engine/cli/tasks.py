"""`task list|claim|unclaim|complete`: human tasks."""

from __future__ import annotations

import click

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


@click.group("task")
def task() -> None:
    """Human tasks."""


@task.command("list")
@user_option(helptext="list this user's inbox instead of every open task")
@json_option
@pass_engine
def list_tasks(engine: Engine, user: str | None, as_json: bool) -> int:
    """List open tasks (a user's inbox with --user)."""
    with engine.transaction() as service:
        tasks = service.tasks.inbox(user) if user else service.tasks.open()
    if as_json:
        print_json(tasks)
        return 0
    for t in tasks:
        due = t.due_at.isoformat() if t.due_at else "-"
        claimed = f" claimed by {t.claimed_by}" if t.claimed_by else ""
        print(f"{t.id}  {t.case_key}  {t.task_spec} ({t.name})  due {due}{claimed}")
    return 0


@task.command("claim")
@click.argument("task_id")
@user_option(required=True)
@pass_engine
def claim(engine: Engine, task_id: str, user: str) -> int:
    """Claim a task."""
    with engine.transaction() as service:
        claimed = service.tasks.claim(task_id, user)
    print(f"claimed {claimed.id} ({claimed.name}) for {user}")
    return 0


@task.command("unclaim")
@click.argument("task_id")
@user_option(required=True)
@pass_engine
def unclaim(engine: Engine, task_id: str, user: str) -> int:
    """Unclaim a task."""
    with engine.transaction() as service:
        released = service.tasks.unclaim(task_id, user)
    print(f"released {released.id} ({released.name})")
    return 0


@task.command("complete")
@click.argument("task_id")
@user_option(required=True)
@data_option(default="{}")
@json_option
@pass_engine
def complete(engine: Engine, task_id: str, user: str, data: str, as_json: bool) -> int:
    """Complete a task with form data."""
    values = parse_json(data, "--data")
    with engine.transaction() as service:
        case = service.tasks.complete(task_id, user, values)
    return show_case(case, as_json)


COMMANDS = (task,)
