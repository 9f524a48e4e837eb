"""`backup` and `restore`: the database in one file, and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import backup as backups
from ..service import Engine
from .common import Problem, pass_engine, progress

FILES = click.Path(path_type=Path)


@click.command("backup")
@click.argument("file", type=FILES)
@click.option("--overwrite", is_flag=True, help="replace an existing file")
@pass_engine
def backup(engine: Engine, file: Path, overwrite: bool) -> int:
    """Write a backup file: database, chain heads, metadata.

    FILE is the backup to write, e.g. mashangban-2026-12-02.msb.
    """
    if file.exists() and not overwrite:
        raise Problem(f"error: {file} exists; choose a new name or pass --overwrite")
    manifest = backups.backup(engine, file, progress=progress)
    revision = ", ".join(manifest["schema_revision"]) or "none"
    print(f"backup {file}: {manifest['database']} database at schema {revision}, "
          f"{manifest['cases']} case(s), {manifest['events']} event(s)")  # fmt: skip
    return 0


@click.command("restore")
@click.argument("file", type=FILES)
@click.option("--force", is_flag=True, help="restore even over data newer than the backup")
@pass_engine
def restore(engine: Engine, file: Path, force: bool) -> int:
    """Replace the database with a backup file and verify it.

    FILE is a file written by `mashangban backup`.
    """
    result = backups.restore(engine, file, force=force, progress=progress)
    for finding in result.findings:
        print(f"TAMPERED {finding}")
    if result.findings:
        print("restored, but the audit check above failed: do not serve from this database",
              file=sys.stderr)  # fmt: skip
        return 1
    made = result.manifest["created_at"]
    print(f"restored the backup made {made}: {result.manifest['cases']} case chain(s) intact "
          f"and matching the backup's heads")  # fmt: skip
    return 0


COMMANDS = (backup, restore)
