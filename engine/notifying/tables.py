"""Tables of the outbox: messages to send, staff preferences, edited templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..tables_base import Base, UtcDateTime


class OutboxMessage(Base):
    """One notification to one person on one channel, written with the action that caused it.

    `status`: pending (waiting for its next attempt), sending (leased by a worker until
    `lease_until`), sent, dead (gave up after the last attempt; an admin may retry it).
    In-app messages are `sent` when written; the bell counts those not yet `read_at`.
    """

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))  # email | sms | inapp
    recipient: Mapped[str | None] = mapped_column(String(100), nullable=True)  # staff username
    address: Mapped[str] = mapped_column(String(200), default="")  # e-mail or phone number
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    case_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # for SMS providers' templates
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    dedupe: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)


Index("ix_outbox_due", OutboxMessage.status, OutboxMessage.next_attempt_at)
Index("ix_outbox_bell", OutboxMessage.recipient, OutboxMessage.channel, OutboxMessage.read_at)


class NotifyPreference(Base):
    """How a staff member wants to be told: channels, addresses, language, quiet hours."""

    __tablename__ = "notify_preferences"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    channels: Mapped[list[Any]] = mapped_column(JSON, default=list)  # besides in-app: email, sms
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    lang: Mapped[str] = mapped_column(String(5), default="zh")
    quiet_start: Mapped[int | None] = mapped_column(Integer, nullable=True)  # hour, Beijing
    quiet_end: Mapped[int | None] = mapped_column(Integer, nullable=True)


class NotifyTemplate(Base):
    """An admin's wording of one event's message in one language (else the built-in one)."""

    __tablename__ = "notify_templates"
    event: Mapped[str] = mapped_column(String(30), primary_key=True)
    lang: Mapped[str] = mapped_column(String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffRevision(Base):
    """One row whose `n` changes with every change to `users` or `notify_preferences`.

    Database triggers (migration 0014) set it to a fresh random number, so it changes even
    when the change comes from SQL, an import or another worker, and a rolled-back change
    never leaves a number that a later, different change could repeat. The staff
    directory (`directory.py`) reads it with the action's first statement and re-reads
    the staff only when it moved.
    """

    __tablename__ = "staff_revision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
