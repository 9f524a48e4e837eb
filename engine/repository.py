"""All SQL lives here: small query functions over one session the caller owns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, literal, select, text, union
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import (
    CalendarDay,
    Case,
    CaseEvent,
    Deployment,
    DeploymentFile,
    HumanTask,
    HumanTaskCandidate,
    ProcessSchedule,
    ProcessVersion,
    SourceBlob,
    User,
    table_of,
)
from .notifying.tables import StaffRevision


def serialize(session: Session, name: str) -> None:
    """Hold a transaction-wide lock named `name`: writers of the same kind run one by one.

    PostgreSQL takes an advisory lock (statements after it see what the previous holder
    committed); SQLite takes its one write lock (`database._take_write_lock`).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})
    else:
        session.execute(select(literal(1)).with_for_update())


def latest_deployment(session: Session) -> Deployment | None:
    """The newest deployment, if any."""
    return session.scalars(select(Deployment).order_by(Deployment.id.desc()).limit(1)).first()


def deployment_files(session: Session, deployment_id: int) -> dict[str, str]:
    """A deployment's snapshot: file name -> content hash."""
    rows = session.scalars(
        select(DeploymentFile).where(DeploymentFile.deployment_id == deployment_id)
    )
    return {row.name: row.sha256 for row in rows}


def file_contents(session: Session, names: dict[str, str]) -> dict[str, bytes]:
    """The contents of named files, given their content hashes (one query)."""
    query = select(SourceBlob).where(SourceBlob.sha256.in_(set(names.values())))
    contents = {row.sha256: row.content for row in session.scalars(query)}
    return {name: contents[digest] for name, digest in names.items()}


def save_blob(session: Session, sha256: str, content: bytes) -> None:
    """Store a file's content once."""
    if session.get(SourceBlob, sha256) is None:
        session.add(SourceBlob(sha256=sha256, content=content))
        session.flush()


def latest_version(session: Session, process_id: str) -> ProcessVersion | None:
    """The newest version of a process."""
    query = (
        select(ProcessVersion)
        .where(ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def process_versions(session: Session) -> Sequence[ProcessVersion]:
    """Every version of every process, oldest first."""
    query = select(ProcessVersion).order_by(ProcessVersion.process_id, ProcessVersion.version)
    return session.scalars(query).all()


def versions_started_by(session: Session, message: str) -> list[ProcessVersion]:
    """The latest version of every process whose start event catches this message."""
    latest: dict[str, ProcessVersion] = {}
    query = select(ProcessVersion).where(ProcessVersion.start_message == message)
    for version in session.scalars(query.order_by(ProcessVersion.version)):
        latest[version.process_id] = version
    return [latest[k] for k in sorted(latest)]


def count_cases_from(session: Session, source_key: str) -> int:
    """How many cases were already started from a source case (for their keys)."""
    pattern = f"{source_key}-%"
    return len(session.scalars(select(Case.id).where(Case.business_key.like(pattern))).all())


def case_by_key(session: Session, key: str) -> Case:
    """The case with this business key, or NotFound."""
    case = session.scalars(select(Case).where(Case.business_key == key)).first()
    if case is None:
        raise NotFound(f"no case with key '{key}'")
    return case


def lock_case(session: Session, case_id: int | None = None, key: str | None = None) -> Case:
    """The case, locked until commit and read afresh: check-then-act is safe after this.

    `SELECT ... FOR UPDATE`, so a second writer waits here and then sees the first one's
    result (on SQLite the read takes the database's write lock first).
    """
    query = select(Case).execution_options(populate_existing=True)
    match = Case.id == case_id if key is None else Case.business_key == key
    query = query.where(match).with_for_update()
    case = session.scalars(query).first()
    if case is None:
        raise NotFound(f"no case with key '{key}'")
    return case


def lock_case_of_task(session: Session, task_id: str) -> Case | None:
    """The case of an open task, locked and read afresh as `lock_case` does (one statement).

    Read the task only after this returns: a writer that waited here sees what the
    previous holder of the lock did to it. None if no open task has this id.
    """
    found = _locked_case(session, task_id)
    return found[0] if found is not None else None


def _locked_case(session: Session, task_id: str) -> Any:
    """(case, staff revision) of an open task, the case locked (SQLite: the database)."""
    return session.execute(_CASE_OF_TASK, {"task_id": task_id}).first()


_REVISION = select(StaffRevision.n).scalar_subquery()
_CASE_OF_TASK = (
    select(Case, _REVISION)
    .where(Case.id == select(HumanTask.case_id).where(HumanTask.id == bindparam("task_id"))
           .scalar_subquery())
    .execution_options(populate_existing=True)
    .with_for_update(of=Case)
)  # fmt: skip


def case_exists(session: Session, key: str) -> bool:
    """True if a case already uses this business key."""
    return session.scalar(select(Case.id).where(Case.business_key == key)) is not None


class Candidate(NamedTuple):
    """A group or user a task is offered to."""

    kind: str
    name: str


def open_task(
    session: Session, task_id: str, lock: bool = False, exclusive: bool = False
) -> tuple[Case, HumanTask, list[Candidate]] | None:
    """An open task's case, row and candidates, all read afresh (None if no such task).

    `lock` (a state change follows): on PostgreSQL lock the case first
    (`lock_case_of_task`) and only then read the task, so a writer that waited for the lock
    sees what the previous holder did. SQLite has one lock for the whole database: taking
    it here would make two workers run one at a time, workflow and all. There one joined
    statement reads it all without a lock; the write lock comes with the action's first
    write (`database._take_write_lock`), and the case row's version check then fails a
    writer whose case changed since this read (`StaleCase`, a 409); `exclusive` locks
    first on SQLite too, for a second attempt that must not lose again. With `lock`, the
    staff revision read in the same statement is left in the session's info
    (`STAFF_REVISION_READ`) for the action that follows (`acting.act`).
    The statements are built once (module constants), so only their parameters change.
    """
    locking = lock and (exclusive or session.get_bind().dialect.name == "postgresql")
    if locking:
        locked = _locked_case(session, task_id)
        if locked is None:
            return None
        case, revision = locked
        rows = session.execute(_TASK, {"task_id": task_id}).all()
    else:
        rows = session.execute(_TASK_WITH_CASE, {"task_id": task_id}).all()
        case, revision = (rows[0][3], rows[0][4]) if rows else (None, None)
    if not rows:
        return None
    task = rows[0][0]
    if lock:
        session.info[STAFF_REVISION_READ] = revision
    if case is None or case.id != task.case_id:  # task ids are unique: never in practice
        case = session.get(Case, task.case_id)
    if case is None:
        return None  # the task's case is gone (deleted in between)
    offered = [Candidate(row[1], row[2]) for row in rows if row[1] is not None]
    return case, task, offered


STAFF_REVISION_READ = "staff_revision"  # Session.info key, see open_task
_TASK = (
    select(HumanTask, HumanTaskCandidate.kind, HumanTaskCandidate.name)
    .outerjoin(HumanTaskCandidate, HumanTaskCandidate.task_id == HumanTask.id)
    .where(HumanTask.id == bindparam("task_id"))
    .execution_options(populate_existing=True)
)
_TASK_WITH_CASE = _TASK.add_columns(Case, _REVISION).join(Case, Case.id == HumanTask.case_id)


def completion_of(session: Session, task_id: str) -> CaseEvent | None:
    """The event that completed a task, if it was completed."""
    query = select(CaseEvent).where(
        CaseEvent.task_id == task_id, CaseEvent.kind == "task_completed"
    )
    return session.scalars(query.limit(1)).first()


def case_tasks(session: Session, case_id: int) -> Sequence[HumanTask]:
    """The open human tasks of a case."""
    query = select(HumanTask).where(HumanTask.case_id == case_id).order_by(HumanTask.created_at)
    return session.scalars(query).all()


def candidates(session: Session, task_ids: Iterable[str]) -> dict[str, list[Any]]:
    """Candidate (kind, name) rows grouped by task id (plain rows: no ORM objects to build)."""
    grouped: dict[str, list[Any]] = {}
    ids = list(task_ids)
    if not ids:
        return grouped
    columns = (HumanTaskCandidate.task_id, HumanTaskCandidate.kind, HumanTaskCandidate.name)
    for row in session.execute(select(*columns).where(HumanTaskCandidate.task_id.in_(ids))):
        grouped.setdefault(row.task_id, []).append(row)
    return grouped


def remove_human_tasks(session: Session, task_ids: Iterable[str]) -> None:
    """Drop inbox rows of tasks that are no longer ready (one statement).

    Their candidates go with them: the foreign key cascades (`PRAGMA foreign_keys=ON`
    on SQLite).
    """
    ids = list(task_ids)
    if ids:  # a Core statement: the ORM's would search the session for the deleted rows
        session.execute(_REMOVE_TASKS, {"ids": ids})


_REMOVE_TASKS = delete(table_of(HumanTask)).where(
    table_of(HumanTask).c.id.in_(bindparam("ids", expanding=True))
)


def add_human_tasks(
    session: Session, rows: list[dict[str, Any]], offered: list[dict[str, Any]]
) -> None:
    """Insert inbox rows and their candidates, one multi-row statement each."""
    if rows:
        session.execute(insert(table_of(HumanTask)), rows)
    if offered:
        session.execute(insert(table_of(HumanTaskCandidate)), offered)


class CaseHeader(NamedTuple):
    """The few case columns a task list shows (never the unbounded state)."""

    business_key: str
    title: str
    data: dict[str, Any]


_HEADER = (Case.business_key, Case.title, Case.data)
_TASK_COLUMNS = tuple(HumanTask.__table__.columns)  # plain rows, read like HumanTask objects
_URGENCY = (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.priority.desc())


def _offered_ids(username: str, groups: Sequence[str]) -> Any:
    """Ids of the tasks a user may work on, as a union of index-driven lookups.

    One OR across the columns defeats the indexes (PostgreSQL filtered 19,901 of 20,001
    open tasks to return 100); each branch of the union uses its own index instead.
    """
    unassigned = HumanTask.assignee.is_(None) & (
        HumanTask.claimed_by.is_(None) | (HumanTask.claimed_by == username)
    )
    offered = select(HumanTaskCandidate.task_id).join(
        HumanTask, HumanTask.id == HumanTaskCandidate.task_id
    )
    branches = [
        select(HumanTask.id).where(HumanTask.assignee == username),
        select(HumanTask.id).where(HumanTask.claimed_by == username),
        offered.where(
            HumanTaskCandidate.kind == "user", HumanTaskCandidate.name == username, unassigned
        ),
    ]
    if groups:
        branches.append(
            offered.where(
                HumanTaskCandidate.kind == "group",
                HumanTaskCandidate.name.in_(list(groups)),
                unassigned,
            )
        )
    return union(*branches).subquery()


def _task_rows(session: Session, query: Any) -> list[tuple[Any, CaseHeader]]:
    """(task row, case header) pairs; rows, not ORM objects: a long inbox stays cheap."""
    rows = session.execute(query.join(Case, Case.id == HumanTask.case_id).order_by(*_URGENCY))
    return [(row, CaseHeader(row.business_key, row.title, row.data)) for row in rows]


def inbox(session: Session, username: str, groups: Sequence[str]) -> list[tuple[Any, CaseHeader]]:
    """Tasks a user may work on: assigned, claimed, or offered to them or their groups."""
    ids = _offered_ids(username, groups)
    query = select(*_TASK_COLUMNS, *_HEADER).where(HumanTask.id.in_(select(ids.c[0])))
    return _task_rows(session, query)


def open_tasks(session: Session) -> list[tuple[Any, CaseHeader]]:
    """Every open human task with its case, most urgent first."""
    return _task_rows(session, select(*_TASK_COLUMNS, *_HEADER))


def events(session: Session, case_id: int, upto: int | None = None) -> Sequence[CaseEvent]:
    """A case's events in sequence order (optionally only the first `upto`)."""
    query = select(CaseEvent).where(CaseEvent.case_id == case_id)
    if upto is not None:
        query = query.where(CaseEvent.seq <= upto)
    return session.scalars(query.order_by(CaseEvent.seq, CaseEvent.id)).all()


def all_checkpoints(session: Session) -> Sequence[tuple[str, int, str]]:
    """(case key, seq, head hash) of every case with history, for export: the case row's head
    is the chain's checkpoint."""
    query = (
        select(Case.business_key, Case.last_seq, Case.head_hash)
        .where(Case.last_seq > 0)
        .order_by(Case.business_key)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def all_case_keys(session: Session) -> Sequence[str]:
    """Every case's business key."""
    return session.scalars(select(Case.business_key).order_by(Case.id)).all()


def lease_due_cases(
    session: Session, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[Case]:
    """Lock up to `limit` running cases whose timer is due, in due order, after `after`.

    `after` is the (due time, id) of the last case the caller leased: a cursor instead of
    a growing list of ids to exclude. Other workers skip locked rows (PostgreSQL).
    """
    query = select(Case).where(Case.status == "running", Case.next_timer_at < now)
    if after is not None:
        due, case_id = after
        query = query.where(
            (Case.next_timer_at > due) | ((Case.next_timer_at == due) & (Case.id > case_id))
        )
    query = query.order_by(Case.next_timer_at, Case.id).limit(limit)
    query = query.with_for_update(skip_locked=True)  # SQLite: its write lock, see database.py
    return list(session.scalars(query))


def lease_due_schedule(session: Session, now: datetime) -> ProcessSchedule | None:
    """Lock one schedule whose start is due; other workers skip locked rows."""
    query = (
        select(ProcessSchedule)
        .where(ProcessSchedule.next_start_at < now)
        .order_by(ProcessSchedule.next_start_at)
        .limit(1)
    )
    query = query.with_for_update(skip_locked=True)  # SQLite: its write lock, see database.py
    return session.scalars(query).first()


def user(session: Session, username: str) -> User | None:
    """A staff member by username."""
    return session.get(User, username)


def calendar_overrides(session: Session) -> dict[date, bool]:
    """Days an admin loaded from the official schedule."""
    return {row.day: row.is_workday for row in session.scalars(select(CalendarDay))}


def save_calendar_days(session: Session, days: dict[date, tuple[bool, str]]) -> None:
    """Insert or replace schedule days."""
    for day, (is_workday, name) in days.items():
        session.merge(CalendarDay(day=day, is_workday=is_workday, name=name))


def unit_users(session: Session, unit_code: str) -> Sequence[User]:
    """The active staff of one unit, by username (colleagues a task may be reassigned to)."""
    query = select(User).where(User.unit_code == unit_code, User.active.is_(True))
    return session.scalars(query.order_by(User.username)).all()
