"""`mashangban backup` / `restore`: one file with the database, its chain heads and metadata.

The backup is a gzip'd tar with three members:

- `manifest.json`: format, time, database kind, schema revision, counts, last event id/time;
- `heads.json`: every case's chain head, exactly as `mashangban audit export` writes it;
- `database.sqlite` (SQLite's online backup API, a consistent copy while the app runs) or
  `database.pgdump` (`pg_dump -Fc`; restored as `pg_restore -f` SQL run by `psql` in one
  transaction together with dropping the old tables).

A restore refuses to replace data newer than the backup (a case the backup lacks, or a
longer chain, or more deployments) unless forced; afterwards it upgrades the schema to
head and checks every chain against the heads in the backup.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .database import alembic_config, normalize_url, upgrade
from .errors import EngineError
from .health import current_revisions
from .history import AuditFinding
from .models import CaseEvent, Deployment

FORMAT = "mashangban-backup"
FORMAT_VERSION = 1
DUMPS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
Progress = Callable[[str], None]


class BackupError(EngineError):
    """A backup could not be written or a restore was refused; nothing was changed."""

    code = "backup_error"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the backup's manifest and the audit findings afterwards."""

    manifest: dict[str, Any]
    findings: list[AuditFinding]


def backup(engine: Any, target: Path, progress: Progress = lambda _m: None) -> dict[str, Any]:
    """Write a backup of the engine's database to `target`; return its manifest."""
    with _database_errors():
        return _backup(engine, target, progress)


def _backup(engine: Any, target: Path, progress: Progress) -> dict[str, Any]:
    kind = _kind(engine.settings.database_url)
    with tempfile.TemporaryDirectory(prefix="msb-backup-") as folder:
        dump = Path(folder) / DUMPS[kind]
        if kind == "sqlite":
            _sqlite_copy(_sqlite_path(engine.settings.database_url), dump)
            manifest, heads = _describe_sqlite_copy(dump)
        else:
            # Heads first: the dump's snapshot is later, and history only grows, so every
            # head in the backup is in the dump too.
            manifest, heads = describe(engine)
            _run_pg(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(dump)],
                    engine.settings.database_url)  # fmt: skip
        manifest.update(database_file=dump.name, dump_bytes=dump.stat().st_size)
        _write_container(target, manifest, heads, dump)
    progress(f"backup written: {manifest['cases']} case(s), {manifest['events']} event(s)")
    return manifest


def describe(engine: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The manifest and chain heads of the engine's database as it is now."""
    with engine.transaction() as service:
        session = service.session
        heads = service.chain.export_checkpoints()
        last_id, last_at, events = session.execute(
            select(func.max(CaseEvent.id), func.max(CaseEvent.at), func.count(CaseEvent.id))
        ).one()
        deployments = session.scalar(select(func.count(Deployment.id))) or 0
        revisions = current_revisions(session.connection())
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "database": _kind(engine.settings.database_url), "schema_revision": list(revisions),
        "cases": len(heads), "events": int(events), "last_event_id": last_id,
        "last_event_at": last_at.isoformat() if last_at else None,
        "deployments": int(deployments),
    }  # fmt: skip
    return manifest, heads


def read_container(source: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The manifest and heads of a backup file (BackupError if it is not one)."""
    try:
        with tarfile.open(source, "r:gz") as archive:
            manifest = json.load(_member(archive, "manifest.json"))
            heads = json.load(_member(archive, "heads.json"))
    except (tarfile.TarError, json.JSONDecodeError, KeyError, EOFError) as error:
        raise BackupError(f"{source} is not a backup written by `mashangban backup` "
                          f"({type(error).__name__}: {error})") from None  # fmt: skip
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{source} is not a version {FORMAT_VERSION} mashangban backup")
    return manifest, heads


def restore(
    engine: Any, source: Path, force: bool = False, progress: Progress = lambda _m: None
) -> RestoreResult:
    """Replace the engine's database with the backup, then verify every chain against it."""
    with _database_errors():
        return _restore(engine, source, force, progress)


def _restore(engine: Any, source: Path, force: bool, progress: Progress) -> RestoreResult:
    manifest, heads = read_container(source)
    url = engine.settings.database_url
    kind = _kind(url)
    if manifest["database"] != kind:
        raise BackupError(f"the backup is of a {manifest['database']} database; DATABASE_URL "
                          f"names a {kind} one: restore it into a {manifest['database']} "
                          f"database")  # fmt: skip
    _check_revision_known(url, manifest)
    newer = _newer_data(engine, heads, manifest)
    if newer and not force:
        raise BackupError(f"refusing to restore an older backup over newer data: {newer}; "
                          f"use --force to replace it anyway")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="msb-restore-") as folder:
        dump = _extract(source, manifest, Path(folder))
        engine.close()  # drop pooled connections to the old database
        if kind == "sqlite":
            _sqlite_copy(dump, _sqlite_path(url))
        else:
            _pg_replace(engine, dump, Path(folder))
    progress("data restored; upgrading the schema to this release")
    upgrade(url)
    with engine.transaction() as service:
        findings = service.chain.verify(progress=progress) + service.chain.verify_heads(heads)
    return RestoreResult(manifest, findings)


# --- internals -------------------------------------------------------------------------------


@contextmanager
def _database_errors() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        first = str(error).splitlines()[0]
        raise BackupError(f"cannot use the database ({type(error).__name__}: {first}); check "
                          f"DATABASE_URL and that the database exists") from None  # fmt: skip


def _kind(url: str) -> str:
    name = make_url(normalize_url(url)).get_backend_name()
    if name not in DUMPS:
        raise BackupError(f"cannot back up a '{name}' database: only SQLite and PostgreSQL")
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy page by page with SQLite's online backup API (consistent while others write)."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"SQLite backup from {source} to {target} failed: {error}") from None
    finally:
        dst.close()
        src.close()


def _describe_sqlite_copy(copy: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Describe the copy itself, so the heads match the data exactly."""
    from .service import Engine  # the service imports nothing from here; avoid a cycle
    from .settings import Settings

    copy_engine = Engine(Settings(database_url=f"sqlite:///{copy}", instance_path=copy.parent))
    try:
        return describe(copy_engine)
    finally:
        copy_engine.close()


def _write_container(
    target: Path, manifest: dict[str, Any], heads: dict[str, Any], dump: Path
) -> None:
    partial = target.with_name(target.name + ".partial")
    stamp = int(datetime.now(UTC).timestamp())
    try:
        with tarfile.open(partial, "w:gz") as archive:
            for name, value in (("manifest.json", manifest), ("heads.json", heads)):
                data = json.dumps(value, indent=2, ensure_ascii=False).encode("utf-8")
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), stamp, 0o600
                archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
        os.replace(partial, target)  # never leave a half-written backup under the real name
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write the backup to {target}: {error.strerror}") from None


def _member(archive: tarfile.TarFile, name: str) -> Any:
    member = archive.extractfile(name)
    if member is None:
        raise KeyError(name)
    return member


def _extract(source: Path, manifest: dict[str, Any], folder: Path) -> Path:
    name = manifest.get("database_file")
    if not isinstance(name, str) or name not in DUMPS.values():
        raise BackupError(f"{source}: the manifest names no database file")
    target = folder / name
    with tarfile.open(source, "r:gz") as archive, target.open("wb") as out:
        shutil.copyfileobj(_member(archive, name), out)
    return target


def _check_revision_known(url: str, manifest: dict[str, Any]) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    scripts = ScriptDirectory.from_config(alembic_config(url))
    for revision in manifest.get("schema_revision") or []:
        try:
            scripts.get_revision(revision)
        except CommandError:
            raise BackupError(
                f"the backup's schema revision {revision} is unknown to this "
                f"release: restore it with the release that wrote it"
            ) from None


def _newer_data(
    engine: Any, heads: dict[str, dict[str, Any]], manifest: dict[str, Any]
) -> str | None:
    """Why the current database holds data the backup lacks (None if it holds none)."""
    if "cases" not in inspect(engine.sql).get_table_names():
        return None  # a new, empty database
    with engine.transaction() as service:
        current = service.chain.export_checkpoints()
    for key, head in sorted(current.items()):
        if key not in heads:
            return f"case {key} is not in the backup"
        if int(head["seq"]) > int(heads[key]["seq"]):
            return f"case {key} has {head['seq']} events, the backup {heads[key]['seq']}"
    deployments = _current_deployments(engine)
    if deployments > int(manifest.get("deployments", 0)):
        return f"{deployments} deployments here, {manifest.get('deployments', 0)} in the backup"
    return None


def _current_deployments(engine: Any) -> int:
    with engine.sql.connect() as connection:
        return int(connection.execute(text("select count(*) from deployments")).scalar() or 0)


def _pg_replace(engine: Any, dump: Path, folder: Path) -> None:
    """Drop every table and load the dump in ONE transaction: old data or new, never neither."""
    script = folder / "restore.sql"
    _run_pg(["pg_restore", "--no-owner", "--no-privileges", "-f", str(script), str(dump)], None)
    tables = inspect(engine.sql).get_table_names()
    functions = _trigger_functions(engine)
    engine.close()
    drops = "".join(f'DROP TABLE IF EXISTS "{name}" CASCADE;\n' for name in tables)
    drops += "".join(f'DROP FUNCTION IF EXISTS "{name}"() CASCADE;\n' for name in functions)
    combined = folder / "replace.sql"
    with combined.open("w", encoding="utf-8") as out, script.open(encoding="utf-8") as dumped:
        out.write(drops)
        shutil.copyfileobj(dumped, out)
    _run_pg(["psql", "--quiet", "--no-psqlrc", "--single-transaction", "-v", "ON_ERROR_STOP=1",
             "-f", str(combined)], engine.settings.database_url)  # fmt: skip


def _trigger_functions(engine: Any) -> list[str]:
    """The schema's own trigger functions (migration 0014): the dump creates them again."""
    query = text(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
    )
    with engine.sql.connect() as connection:
        return [str(name) for name in connection.execute(query).scalars()]


def _run_pg(command: list[str], url: str | None) -> None:
    """Run a PostgreSQL client tool against the database; the password goes via PGPASSWORD."""
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} not found: install the PostgreSQL client tools (Debian: "
            f"apt-get install postgresql-client) matching the server's version"
        )
    connection: list[str] = []
    env = dict(os.environ)
    if url is not None:  # None: the tool only converts files
        # The URL as libpq reads it (keeps ?sslmode=...), the password in the environment.
        parts = make_url(normalize_url(url))
        plain = parts.set(drivername="postgresql", password=None)
        connection = ["--dbname", plain.render_as_string(hide_password=False)]
        env.update({"PGPASSWORD": str(parts.password)} if parts.password else {})
    result = subprocess.run([tool, *connection, *command[1:]], env=env, capture_output=True,
                            text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"{tool} failed ({result.returncode}): {result.stderr.strip()[:2000]}")
