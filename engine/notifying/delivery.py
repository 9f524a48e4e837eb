"""The notify worker: lease due outbox rows, send them, record the result.

A round leases a batch (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL; on SQLite the
locking read takes the database's write lock first, which serialises workers), marks the
rows `sending` with a lease, and commits before sending, so no transaction stays open
across the network and no two workers hold the same row. Each result is written in its
own short transaction: sent; or pending again after an exponential backoff; or dead after
the last attempt. A worker that dies mid-send leaves its rows `sending`; they return after
the lease.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import Conflict
from .channels import Channel
from .config import Policy
from .derive import sweep_deadlines
from .enqueue import fill
from .tables import OutboxMessage

if TYPE_CHECKING:
    from ..service import Engine

log = logging.getLogger(__name__)
NOTIFY_WORKER = "notify"
NOT_CONFIGURED = {
    "email": "no e-mail server configured: set MASHANGBAN_SMTP_HOST",
    "sms": "no SMS provider configured: set MASHANGBAN_SMS_PROVIDER and its keys",
}


@dataclass(frozen=True)
class Leased:
    """A row taken for sending (plain values: the session that read it is closed)."""

    id: int
    channel: str
    address: str
    subject: str
    body: str
    params: dict[str, Any]
    attempts: int


@dataclass
class Round:
    """What one round of the worker did."""

    queued: int = 0  # deadline messages written by the sweep
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def lease(session: Session, now: datetime, policy: Policy) -> list[Leased]:
    """Take up to `policy.batch` due rows (or rows whose sender's lease ran out)."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.channel != "inapp")
        .where(
            or_(
                (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now),
            )
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(policy.batch)
    )
    query = query.with_for_update(skip_locked=True)  # SQLite: its write lock (database.py)
    taken = []
    for row in session.scalars(query):
        fill(session, row)
        row.status, row.attempts = "sending", row.attempts + 1
        row.lease_until = now + timedelta(seconds=policy.lease_seconds)
        taken.append(Leased(row.id, row.channel, row.address, row.subject, row.body,
                            dict(row.params or {}), row.attempts))  # fmt: skip
    return taken


def finish(session: Session, item: Leased, error: str | None, now: datetime, policy: Policy) -> str:
    """Record one send's result; returns the row's new status ('' if the lease was lost)."""
    row = session.get(OutboxMessage, item.id, with_for_update=True)
    if row is None or row.status != "sending" or row.attempts != item.attempts:
        return ""  # the lease ran out and another worker took the row: it records the result
    row.lease_until = None
    if error is None:
        row.status, row.sent_at, row.last_error = "sent", now, None
    elif row.attempts >= policy.max_attempts:
        row.status, row.last_error = "dead", error
    else:
        row.status, row.last_error = "pending", error
        row.next_attempt_at = now + timedelta(seconds=policy.backoff(row.attempts))
    return row.status


def send(channels: Mapping[str, Channel], item: Leased) -> str | None:
    """Send through the row's channel; the error text, or None when it went out."""
    channel = channels.get(item.channel)
    if channel is None:
        return NOT_CONFIGURED.get(item.channel, f"unknown channel '{item.channel}'")
    try:
        channel.send(item.address, item.subject, item.body, item.params)
    except Exception as error:  # any failure is retried; the worker must keep going
        return f"{type(error).__name__}: {error}"
    return None


def deliver_due(
    engine: Engine, channels: Mapping[str, Channel], now: datetime | None = None,
    policy: Policy | None = None,
) -> Round:  # fmt: skip
    """One round: sweep deadlines, then send everything due until nothing is left."""
    policy = policy or Policy.from_env()
    instant = now or datetime.now(UTC)
    result = Round()
    try:
        with engine.transaction() as service:
            result.queued = sweep_deadlines(service.session, instant, policy)
    except Conflict:  # another worker wrote the same deadline messages first
        log.info("deadline sweep raced another worker; it wrote them")
    while True:
        with engine.transaction() as service:
            batch = lease(service.session, instant, policy)
        if not batch:
            return result
        for item in batch:
            error = send(channels, item)
            with engine.transaction() as service:
                status = finish(service.session, item, error, now or datetime.now(UTC), policy)
            _count(result, status, item, error)


def _count(result: Round, status: str, item: Leased, error: str | None) -> None:
    if status == "sent":
        result.sent += 1
    elif status == "dead":
        result.dead += 1
    elif status == "pending":
        result.retried += 1
    if error:
        result.errors.append(f"#{item.id} {item.channel}: {error}")
        log.warning("notification %s not sent (attempt %s): %s", item.id, item.attempts, error)
