"""`mashangban backup` and `mashangban restore` (kept apart from cli.py, which is full)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import backup as backups


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_backup(engine: Any, args: argparse.Namespace) -> int:
    """Write a backup file of the database with its chain heads and metadata."""
    target = Path(args.file)
    if target.exists() and not args.overwrite:
        raise SystemExit(f"error: {target} exists; choose a new name or pass --overwrite")
    manifest = backups.backup(engine, target, progress=_progress)
    revision = ", ".join(manifest["schema_revision"]) or "none"
    print(f"backup {target}: {manifest['database']} database at schema {revision}, "
          f"{manifest['cases']} case(s), {manifest['events']} event(s)")  # fmt: skip
    return 0


def cmd_restore(engine: Any, args: argparse.Namespace) -> int:
    """Replace the database with a backup, then verify every chain against its heads."""
    result = backups.restore(engine, Path(args.file), force=args.force, progress=_progress)
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


def add_commands(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `backup` and `restore` on the `mashangban` parser."""
    made = add("backup", cmd_backup, "write a backup file (database, chain heads, metadata)")
    made.add_argument("file", help="the backup file to write, e.g. mashangban-2026-12-02.msb")
    made.add_argument("--overwrite", action="store_true", help="replace an existing file")
    restore = add("restore", cmd_restore, "replace the database with a backup file and verify it")
    restore.add_argument("file", help="a file written by `mashangban backup`")
    restore.add_argument(
        "--force", action="store_true", help="restore even over data newer than the backup"
    )
