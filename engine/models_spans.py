"""The `task_spans` table: each human task's stay at its element, kept when it leaves the inbox.

The inbox (`human_tasks`) holds only open tasks; when a task is completed or withdrawn (a
boundary timer, an escalation) its row moves here with the instant it closed, so the SLA
heatmap (`element_heat.py`) reads one table of closed and one of open tasks. Registered in
`Base.metadata` by `models.py`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .tables_base import Base, UtcDateTime


class TaskSpan(Base):
    """One closed human task: opened (entered the inbox), due, closed, and how it closed."""

    __tablename__ = "task_spans"
    __table_args__ = (Index("ix_task_spans_version_opened", "process_version_id", "opened_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    task_spec: Mapped[str] = mapped_column(String(255))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed: Mapped[bool] = mapped_column(Boolean)  # False: withdrawn by the workflow
