"""Tables of issue 14's reach features: duplicate links, 一键直达 codes and reports, Open311.

Kept apart from `models.py` so the features stay easy to find; `models.py` imports this
module so that `Base.metadata` (Alembic, the migration check) knows every table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .tables_base import Base, UtcDateTime


class CaseLink(Base):
    """A clerk's decision about two similar cases: `merged` into the other, or `distinct`."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("case_id", "other_case_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    other_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    relation: Mapped[str] = mapped_column(String(10))  # "merged" (into other) | "distinct"
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class DirectCode(Base):
    """A printed 一键直达 QR code: for one enterprise or a whole district, and where it points."""

    __tablename__ = "direct_codes"
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # "enterprise" | "district"
    label: Mapped[str] = mapped_column(String(200))  # the enterprise's or district's name
    target_url: Mapped[str] = mapped_column(String(500))  # what the printed code encodes
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DirectReport(Base):
    """A 一键直达 report's private part: accused unit and the contact only discipline may read."""

    __tablename__ = "direct_reports"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    code_token: Mapped[str | None] = mapped_column(
        ForeignKey("direct_codes.token"), nullable=True, index=True
    )
    accused_unit: Mapped[str] = mapped_column(String(50), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class ApiClient(Base):
    """An Open311 client (a 12345 hotline system, a city platform); its key stored hashed."""

    __tablename__ = "api_clients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Open311Request(Base):
    """Which client submitted which case through Open311 (a client follows only its own)."""

    __tablename__ = "open311_requests"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
