"""Database connections: SQLite (WAL, busy timeout, serialized writers) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import TextClause, create_engine, event
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def connect(url: str) -> SqlEngine:
    """Create the SQLAlchemy engine for a database URL."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: str) -> SqlEngine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is switched off: `_take_write_lock` begins
        # the transactions, so that writers queue on the lock (BEGIN IMMEDIATE) instead of
        # failing later with "database is locked" when their read snapshot went stale.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    event.listen(engine, "before_cursor_execute", _take_write_lock)
    return engine


def _take_write_lock(
    connection: Any, cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool
) -> None:
    """Begin SQLite's write transaction just before a unit's first write or locking read.

    Until then a unit reads outside any transaction, each statement seeing what is
    committed (as PostgreSQL's READ COMMITTED does), and holds no lock: page views never
    wait for writers, and a task completion takes the write lock only for its writes, after
    the workflow ran; the case row's version check catches a writer that changed the case
    in between (`StaleCase`). A read that asks for a lock (`with_for_update`, which the
    SQLite compiler drops from the SQL) takes the write lock first, so a check-then-act
    after it is as safe as after PostgreSQL's `FOR UPDATE`. The transaction ends with the
    unit's commit or rollback.
    """
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.in_transaction:
        return
    compiled = getattr(context, "compiled", None)
    built = getattr(compiled, "statement", None)
    if built is not None and not isinstance(built, TextClause):
        dml = context.isinsert or context.isupdate or context.isdelete
        writes = dml or getattr(built, "_for_update_arg", None) is not None
    else:  # SQL text: anything but a read writes, or opens a savepoint
        writes = not statement.lstrip()[:6].upper().startswith(_READING)
    if writes:
        cursor.execute("BEGIN IMMEDIATE")


_READING = ("SELECT", "WITH", "PRAGMA")


def connect_reader(url: str) -> SqlEngine:
    """An engine for read-only work (verifying every case): on SQLite it begins deferred
    transactions, which under WAL read a snapshot without taking the write lock."""
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")  # a bug here must never write
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN DEFERRED")

    return engine


def session_factory(engine: SqlEngine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (views are built after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Create or upgrade the schema to the newest migration."""
    command.upgrade(alembic_config(url), "head")
