"""Is this deployment fit to serve? Readiness checks, worker heartbeats, operational figures.

The web layer reaches these through `Engine.readiness()`, `Engine.operations()` and
`Engine.heartbeat()`; the queries here are read-only except the heartbeat upsert.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .database import alembic_config
from .models import Case, HumanTask, ProcessSchedule, WorkerHeartbeat

TIMER_WORKER = "timers"
STALE_FACTOR = 3  # a heartbeat older than interval × 3 means the worker is gone


@dataclass(frozen=True)
class Readiness:
    """The outcome of every readiness check: `ok`, or the reason why not."""

    checks: dict[str, str]

    @property
    def ready(self) -> bool:
        """True when every check passed."""
        return all(value == "ok" for value in self.checks.values())


@dataclass(frozen=True)
class Operations:
    """Figures computed at scrape time for the metrics endpoint."""

    open_tasks: int
    overdue_by_unit: dict[str, int] = field(default_factory=dict)
    timer_lag_seconds: float = 0.0
    quarantined_cases: int = 0


@lru_cache(maxsize=4)
def head_revisions(url: str) -> tuple[str, ...]:
    """The newest migration revision(s) this release ships."""
    return tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())


def current_revisions(connection: Connection) -> tuple[str, ...]:
    """The migration revision(s) the database is at (empty for a new database)."""
    return tuple(MigrationContext.configure(connection).get_current_heads())


def readiness(sql: SqlEngine, url: str, now: datetime) -> Readiness:
    """Database reachable, schema at the newest revision, timer worker beating recently."""
    try:
        with sql.connect() as connection:
            connection.execute(text("select 1"))
            current = current_revisions(connection)
            beat = connection.execute(
                select(WorkerHeartbeat.beat_at, WorkerHeartbeat.interval_seconds).where(
                    WorkerHeartbeat.name == TIMER_WORKER
                )
            ).first()
    except (SQLAlchemyError, OSError) as error:
        reason = f"database unreachable: {type(error).__name__}: {str(error).splitlines()[0]}"
        return Readiness({"database": reason, "migrations": "unknown", "timer_worker": "unknown"})
    heads = head_revisions(url)
    migrations = "ok" if set(current) == set(heads) else (
        f"database at revision {', '.join(current) or 'none'}, this release needs "
        f"{', '.join(heads)}: run `mashangban init`"
    )  # fmt: skip
    return Readiness({"database": "ok", "migrations": migrations,
                      "timer_worker": _heartbeat_verdict(beat, now)})  # fmt: skip


def _heartbeat_verdict(beat: Sequence[Any] | None, now: datetime) -> str:
    if beat is None:
        return "the timer worker has never run: start `mashangban timers run`"
    beat_at, interval = beat[0], float(beat[1])
    if beat_at.tzinfo is None:  # SQLite keeps no zone; we store UTC
        beat_at = beat_at.replace(tzinfo=UTC)
    age = (now - beat_at).total_seconds()
    if age > interval * STALE_FACTOR:
        return (f"the timer worker's last heartbeat is {age:.0f} s old (more than "
                f"{STALE_FACTOR} × its {interval:g} s interval)")  # fmt: skip
    return "ok"


def beat(session: Session, name: str, interval: float, now: datetime) -> None:
    """Record that worker `name` finished a loop at `now` (one row per worker kind).

    An upsert: two workers starting at once would otherwise both insert the first row.
    """
    host = f"{socket.gethostname()}:{os.getpid()}"[:255]
    values = {"name": name, "beat_at": now, "interval_seconds": interval, "host": host}
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(WorkerHeartbeat).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[WorkerHeartbeat.name],
            set_={"beat_at": now, "interval_seconds": interval, "host": host},
        )
    )


def operations(session: Session, now: datetime) -> Operations:
    """Open and overdue tasks, timer lag and quarantined cases, as of `now`."""
    open_tasks = session.scalar(select(func.count()).select_from(HumanTask)) or 0
    overdue = session.execute(
        select(Case.owner_unit, func.count())
        .select_from(HumanTask)
        .join(Case, Case.id == HumanTask.case_id)
        .where(HumanTask.due_at < now)
        .group_by(Case.owner_unit)
    ).all()
    oldest_timer = session.scalar(
        select(func.min(Case.next_timer_at)).where(
            Case.status == "running", Case.next_timer_at < now
        )
    )
    oldest_start = session.scalar(
        select(func.min(ProcessSchedule.next_start_at)).where(ProcessSchedule.next_start_at < now)
    )
    lags = [_age(moment, now) for moment in (oldest_timer, oldest_start) if moment is not None]
    quarantined = session.scalar(select(func.count()).where(Case.status == "error")) or 0
    return Operations(
        open_tasks=int(open_tasks),
        overdue_by_unit={unit or "none": int(count) for unit, count in overdue},
        timer_lag_seconds=max(lags, default=0.0),
        quarantined_cases=int(quarantined),
    )


def _age(moment: datetime, now: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (now - moment).total_seconds())
