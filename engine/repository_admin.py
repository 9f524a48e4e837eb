"""The SQL of the process admins' pages: versions with their deployments, case counts,
the admin action log, and the running cases of a version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AdminAction, Case, CaseEvent, Deployment, ProcessVersion

FINISHED = ("completed",)
MIGRATED = "migrated"  # the case event a migration records


def versions_with_deployments(
    session: Session, process_id: str | None = None
) -> Sequence[tuple[ProcessVersion, Deployment]]:
    """Every version (of one process, or all) with the deployment that created it, oldest first."""
    query = select(ProcessVersion, Deployment).join(
        Deployment, Deployment.id == ProcessVersion.deployment_id
    )
    if process_id is not None:
        query = query.where(ProcessVersion.process_id == process_id)
    query = query.order_by(ProcessVersion.process_id, ProcessVersion.version)
    return [(row[0], row[1]) for row in session.execute(query).all()]


def case_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Version id -> (cases not finished, cases finished), in one grouped query."""
    query = select(Case.process_version_id, Case.status, func.count()).group_by(
        Case.process_version_id, Case.status
    )
    counts: dict[int, tuple[int, int]] = {}
    for version_id, status, count in session.execute(query).all():
        running, finished = counts.get(version_id, (0, 0))
        if status in FINISHED:
            finished += count
        else:
            running += count
        counts[version_id] = (running, finished)
    return counts


def version(session: Session, process_id: str, number: int) -> ProcessVersion | None:
    """Version `number` of a process."""
    query = select(ProcessVersion).where(
        ProcessVersion.process_id == process_id, ProcessVersion.version == number
    )
    return session.scalars(query).first()


def open_case_keys(session: Session, version_id: int) -> list[str]:
    """Keys of the cases on a version that have not finished, oldest first."""
    query = (
        select(Case.business_key)
        .where(Case.process_version_id == version_id, Case.status.not_in(FINISHED))
        .order_by(Case.id)
    )
    return list(session.scalars(query))


def add_action(
    session: Session, at: datetime, actor: str, kind: str, process_id: str | None, note: str,
    details: dict[str, Any],
) -> AdminAction:  # fmt: skip
    """Append one admin action to the log."""
    row = AdminAction(at=at, actor=actor, kind=kind, process_id=process_id, note=note,
                      details=details)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def actions(session: Session, process_id: str | None, limit: int) -> Sequence[AdminAction]:
    """The newest admin actions first (of one process, or all)."""
    query = select(AdminAction)
    if process_id is not None:
        query = query.where(AdminAction.process_id == process_id)
    return session.scalars(query.order_by(AdminAction.id.desc()).limit(limit)).all()


def migration_events(session: Session, case_id: int) -> Sequence[CaseEvent]:
    """A case's `migrated` events, oldest first."""
    query = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == MIGRATED)
    return session.scalars(query.order_by(CaseEvent.seq)).all()
