"""`migrate check` and `migrate run`: move running cases to a newer version of their process."""

from __future__ import annotations

import sys

import click

from ..admin_views import CaseMigration
from ..service import Engine
from .common import Problem, json_option, pass_engine, print_json


def _selection(keys: tuple[str, ...], from_version: int | None) -> None:
    if not keys and from_version is None:
        raise Problem("name the cases (--case KEY, repeatable) or their version (--from N)")


def _print_case(case: CaseMigration) -> None:
    if case.can_move:
        changed = f"; changed here: {', '.join(case.changes)}" if case.changes else ""
        print(f"{case.key}: can move v{case.from_version} -> v{case.to_version} "
              f"(waiting at {', '.join(case.active) or '-'}{changed})")  # fmt: skip
    else:
        print(f"{case.key}: stays on v{case.from_version}: {'; '.join(case.reasons)}")


@click.group("migrate")
def migrate() -> None:
    """Check and move running cases to a newer version of their process."""


PROCESS = click.argument("process_id")
CASES = click.option("--case", "keys", multiple=True, help="a case to move (repeatable)")
FROM = click.option("--from", "from_version", type=int, help="every open case of this version")
TO = click.option("--to", "to_version", type=int, help="the target version (default: latest)")


@migrate.command("check")
@PROCESS
@CASES
@FROM
@TO
@json_option
@pass_engine
def check(
    engine: Engine, process_id: str, keys: tuple[str, ...], from_version: int | None,
    to_version: int | None, as_json: bool,
) -> int:  # fmt: skip
    """Say per case whether it can move, and why not (changes nothing)."""
    _selection(keys, from_version)
    with engine.transaction() as service:
        plan = service.admin.check_migration(process_id, keys, from_version, to_version)
    if as_json:
        print_json(plan)
    else:
        for case in plan.cases:
            _print_case(case)
    return 0 if all(c.can_move for c in plan.cases) else 1


@migrate.command("run")
@PROCESS
@CASES
@FROM
@TO
@click.option("--user", required=True, help="the process admin who moves the cases")
@click.option("--reason", required=True, help="why (kept in each case's history)")
@json_option
@pass_engine
def run(
    engine: Engine, process_id: str, keys: tuple[str, ...], from_version: int | None,
    to_version: int | None, user: str, reason: str, as_json: bool,
) -> int:  # fmt: skip
    """Move every case that can move; the others stay, with their reasons."""
    _selection(keys, from_version)
    with engine.transaction() as service:
        result = service.admin.migrate(process_id, user, reason, keys, from_version, to_version)
    if as_json:
        print_json(result)
        return 0 if not result.stayed else 1
    for key in result.moved:
        print(f"{key}: moved to v{result.to_version}")
    for case in result.stayed:
        _print_case(case)
    if not result.moved and not result.stayed:
        print("no cases to move", file=sys.stderr)
    return 0 if not result.stayed else 1


COMMANDS = (migrate,)
