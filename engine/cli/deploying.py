"""`init`, `validate`, `deploy` and `processes`: the schema and the deployed diagrams."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..deployment import read_sources
from ..service import Engine
from ..validation import validate
from .common import DEFAULT_PROCESSES, json_option, pass_engine, print_json, progress

PATHS = click.Path(path_type=Path)


@click.command("init")
@pass_engine
def init(engine: Engine) -> int:
    """Create or upgrade the database schema."""
    engine.init_schema()
    print(f"database ready: {safe_url(engine.settings.database_url)}")
    return 0


@click.command("validate")
@click.argument("paths", nargs=-1, required=True, type=PATHS)
def validate_files(paths: tuple[Path, ...]) -> int:
    """Check diagrams without deploying."""
    model = validate(read_sources(paths))
    for problem in [*model.problems, *model.warnings]:
        print(problem)
    if model.problems:
        print(f"{len(model.problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {len(model.files)} file(s), processes: {', '.join(sorted(model.processes))}")
    return 0


@click.command("deploy")
@click.argument("paths", nargs=-1, type=PATHS)
@click.option("--user", default="admin", show_default=True, help="who deploys")
@pass_engine
def deploy(engine: Engine, paths: tuple[Path, ...], user: str) -> int:
    """Validate and deploy diagrams (default: processes/)."""
    files = read_sources(paths or [DEFAULT_PROCESSES])
    with engine.transaction() as service:
        result = service.deployments.deploy(files, actor=user, progress=progress)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    for process in result.processes:
        state = "new version" if process.created else "unchanged"
        print(f"{process.process_id} v{process.version} ({state})")
    if not result.changed:
        print("nothing changed: no new version created")
    return 0


@click.command("processes")
@json_option
@pass_engine
def processes(engine: Engine, as_json: bool) -> int:
    """List deployed process versions."""
    with engine.transaction() as service:
        versions = service.deployments.versions()
    if as_json:
        print_json(versions)
        return 0
    for v in versions:
        print(f"{v['process_id']} v{v['version']}  {v['name']}  {', '.join(v['files'])}")
    return 0


def safe_url(url: str) -> str:
    """The database URL without its password, fit to print."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


COMMANDS = (init, validate_files, deploy, processes)
