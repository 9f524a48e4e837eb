"""Database tables (SQLAlchemy 2 typed models). Only the repository layer queries them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Date as SqlDate
from sqlalchemy.orm import Mapped, mapped_column

from .tables_base import Base, UtcDateTime


def table_of(model: type[Base]) -> Table:
    """A model's Table, for Core statements (`__table__` is typed as any FromClause)."""
    return cast(Table, model.__table__)


class SourceBlob(Base):
    """A deployed file's content, stored once per content hash."""

    __tablename__ = "source_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Deployment(Base):
    """One `deploy`: the full snapshot of files current after it."""

    __tablename__ = "deployments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    snapshot_hash: Mapped[str] = mapped_column(String(64), index=True)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # why (admin's words)


class DeploymentFile(Base):
    """A file (by name) in a deployment's snapshot."""

    __tablename__ = "deployment_files"
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("source_blobs.sha256"))


class ProcessVersion(Base):
    """Version N of a process: the files it needs (its closure) and what we read from them."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(255))
    dialect: Mapped[str] = mapped_column(String(20))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    closure_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, Any]] = mapped_column(JSON)  # name -> sha256
    tasks: Mapped[dict[str, Any]] = mapped_column(JSON)  # task id -> TaskMeta.to_dict()
    milestones: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # element id -> Milestone
    start_message: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    start_timer: Mapped[str | None] = mapped_column(Text, nullable=True)
    start_data: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ProcessSchedule(Base):
    """When the timer worker next starts a process that begins with a timer start event."""

    __tablename__ = "process_schedules"
    process_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_start_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    last_case_key: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Case(Base):
    """A running or finished case: SpiffWorkflow state without the spec."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_key: Mapped[str] = mapped_column(String(100), unique=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    next_timer_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    owner_unit: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    tracking_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    warnings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default="")
    started_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - SQLAlchemy API


Index("ix_cases_due_timers", Case.status, Case.next_timer_at)
# the reports read which cases of a process there are and how far each got from this index
# alone, not from the wide rows (engine/rates_sql.py, migration 0010)
Index("ix_cases_version_id_seq", Case.process_version_id, Case.id, Case.last_seq)


class HumanTask(Base):
    """The inbox: one row per ready user task, kept current on every save."""

    __tablename__ = "human_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    task_spec: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    process_id: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(255), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=50)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HumanTaskCandidate(Base):
    """A group or user who may claim a human task (indexed for the inbox query)."""

    __tablename__ = "human_task_candidates"
    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # "group" | "user"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)


Index("ix_candidates_lookup", HumanTaskCandidate.kind, HumanTaskCandidate.name)


class CaseEvent(Base):
    """Append-only, hash-chained history of a case. Never updated, never deleted."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    task_spec: Mapped[str | None] = mapped_column(String(255), nullable=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_before: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_after: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The web request that caused the event (as in the JSON logs); outside the hashed content.
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


Index("ix_case_events_actor", CaseEvent.actor, CaseEvent.case_id)  # the cases one acted in


class OrgUnit(Base):
    """A unit of the organisation: district, town/street, village/community, department, office."""

    __tablename__ = "org_units"
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OrgUnitName(Base):
    """A name a unit had until `valid_to` (history shows it for events of that time)."""

    __tablename__ = "org_unit_names"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(50), index=True)
    name: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    valid_to: Mapped[datetime] = mapped_column(UtcDateTime)


class OrgChange(Base):
    """One change an administrator made to the organisation: who, when, what."""

    __tablename__ = "org_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    """A staff member: unit, roles, and the candidate groups they belong to."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str | None] = mapped_column(String(50), nullable=True)
    roles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarDay(Base):
    """An admin-loaded day of the official schedule (holiday or make-up working day)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(SqlDate, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100), default="")


class SignIn(Base):
    """A server-side sign-in: a staff web session, an API token, or a citizen's tracking grant.

    The client holds a random token; only its SHA-256 is stored, so a database leak
    does not hand out sessions. Revoking sets `revoked_at`; expired rows are ignored.
    """

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    kind: Mapped[str] = mapped_column(String(10))  # "web" | "api" | "track"
    username: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    case_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WorkerHeartbeat(Base):
    """When a background worker (e.g. the timer worker) last finished a loop."""

    __tablename__ = "worker_heartbeats"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UtcDateTime)
    interval_seconds: Mapped[float] = mapped_column(Float)
    host: Mapped[str] = mapped_column(String(255))  # hostname:pid of the last beat


class PersonalValue(Base):
    """A personal value (a citizen's name, phone, ...) kept outside the hashed history.

    Events hold only `{"$personal": commitment}`, the SHA-256 over the salt and the value;
    erasing sets `value` and `salt` to None and notes when and by whom, so every event hash
    stays valid and the commitment still shows that a value existed.
    """

    __tablename__ = "personal_values"
    commitment: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_key: Mapped[str] = mapped_column(String(100), index=True)
    field: Mapped[str] = mapped_column(String(30))
    value: Mapped[str | None] = mapped_column(Text, nullable=True)
    salt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    erased_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class PersonalAccess(Base):
    """One full (unmasked) view of a case's personal data: who, when, which case, why."""

    __tablename__ = "personal_access"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    case_key: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(String(30))  # receiving_window, active_task, discipline
    channel: Mapped[str] = mapped_column(String(10))  # page | api
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)


class AdminAction(Base):
    """What a process admin did (deploy, migrate): who, when, what; append-only."""

    __tablename__ = "admin_actions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))  # "deployed" | "migrated"
    process_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CaseFactsRow(Base):
    """The 三率 facts of one case folded up to event `seq` (engine/factstore.py).

    Kept in the transaction of each event (`recording.record_event`), so the reports read
    one row per case instead of replaying the log; a row behind its case's `last_seq`
    (or missing: a restored or copied database) is folded again from the log on read.
    """

    __tablename__ = "case_facts"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    # indexed for the reports' period and unit filters (engine/rates_sql.py, migration 0010)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    tier: Mapped[str | None] = mapped_column(String(50), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    channel: Mapped[str | None] = mapped_column(String(50), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(100), nullable=True)
    department: Mapped[str | None] = mapped_column(String(50), nullable=True)
    response_due: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    rating: Mapped[str | None] = mapped_column(String(50), nullable=True)
    rehandled: Mapped[bool] = mapped_column(Boolean, default=False)
    levels: Mapped[str] = mapped_column(String(50), default="")  # "2,3": levels reached, in order
    outcome: Mapped[str | None] = mapped_column(String(50), nullable=True)
    place: Mapped[str | None] = mapped_column(String(50), nullable=True)  # village (issue 14)
    merged: Mapped[bool] = mapped_column(Boolean, default=False)  # counted with its main case


class KnowledgeEntry(Base):
    """A knowledge-base entry (KB-n): what went wrong, the remedy and where it came from."""

    __tablename__ = "knowledge_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # shown as KB-<id>
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    remedy: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str | None] = mapped_column(String(100), nullable=True)
    departments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(100), nullable=True)
    keywords: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(30))  # rule_changed | explained | recommended
    source_cases: Mapped[list[Any]] = mapped_column(JSON, default=list)  # case business keys
    search_text: Mapped[str] = mapped_column(Text, default="")  # what the search matches
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # a recommendation made upward (status recommended) until the higher level answers it
    recommended_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answer_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


# Tables of the outbox and of attachments live beside their code; importing them here puts
# them in `Base.metadata` for Alembic and the migration check.
# The reach tables (issue 14) live in their own module; importing it registers them.
from . import models_reach as _models_reach  # noqa: E402, F401
from . import models_spans as _models_spans  # noqa: E402, F401
from .attaching import tables as _attachment_tables  # noqa: E402, F401
from .notifying import tables as _notify_tables  # noqa: E402, F401
