"""The SQL of issue 14's reach features (duplicates, 一键直达, Open311)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .models import Case, ProcessVersion
from .models_reach import ApiClient, CaseLink, DirectCode, DirectReport, Open311Request


def open_cases_of_process(
    session: Session, process_id: str, since: datetime, exclude: int, limit: int = 500
) -> Sequence[Case]:
    """Running cases of a process received since `since`, newest first, without `exclude`."""
    query = (
        select(Case)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(ProcessVersion.process_id == process_id, Case.status == "running")
        .where(Case.created_at >= since, Case.id != exclude)
        .order_by(Case.created_at.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def linked_case_ids(session: Session, case_id: int) -> set[int]:
    """Cases already decided against this one (merged or distinct, either direction)."""
    rows = session.execute(
        select(CaseLink.case_id, CaseLink.other_case_id).where(
            or_(CaseLink.case_id == case_id, CaseLink.other_case_id == case_id)
        )
    )
    return {a if b == case_id else b for a, b in rows}


def link(session: Session, case_id: int, other_id: int) -> CaseLink | None:
    """The decision recorded for the pair (case, other), if any."""
    query = select(CaseLink).where(CaseLink.case_id == case_id, CaseLink.other_case_id == other_id)
    return session.scalars(query).first()


def merged_into(session: Session, case_id: int) -> Case | None:
    """The main case a duplicate was merged into."""
    query = (
        select(Case)
        .join(CaseLink, CaseLink.other_case_id == Case.id)
        .where(CaseLink.case_id == case_id, CaseLink.relation == "merged")
    )
    return session.scalars(query).first()


def merged_from(session: Session, case_id: int) -> Sequence[Case]:
    """The duplicates merged into this main case, oldest merge first."""
    query = (
        select(Case)
        .join(CaseLink, CaseLink.case_id == Case.id)
        .where(CaseLink.other_case_id == case_id, CaseLink.relation == "merged")
        .order_by(CaseLink.at)
    )
    return session.scalars(query).all()


def direct_code(session: Session, token: str) -> DirectCode | None:
    """An active 一键直达 code."""
    code = session.get(DirectCode, token)
    return code if code is not None and code.active else None


def direct_codes(session: Session) -> Sequence[DirectCode]:
    """Every 一键直达 code, newest first."""
    return session.scalars(select(DirectCode).order_by(DirectCode.created_at.desc())).all()


def direct_report(session: Session, case_id: int) -> DirectReport | None:
    """The private part of a 一键直达 report."""
    return session.get(DirectReport, case_id)


def api_client_by_hash(session: Session, key_hash: str) -> ApiClient | None:
    """An active API client with this key hash."""
    query = select(ApiClient).where(ApiClient.key_hash == key_hash, ApiClient.active.is_(True))
    return session.scalars(query).first()


def api_client_by_name(session: Session, name: str) -> ApiClient | None:
    """The API client with this name."""
    return session.scalars(select(ApiClient).where(ApiClient.name == name)).first()


def open311_cases(
    session: Session, client_id: int, keys: Sequence[str] | None, since: datetime | None,
    until: datetime | None, limit: int,
) -> Sequence[Case]:  # fmt: skip
    """The client's own requests, newest first, optionally by key and received-time range."""
    query = (
        select(Case)
        .join(Open311Request, Open311Request.case_id == Case.id)
        .where(Open311Request.client_id == client_id)
        .order_by(Case.created_at.desc())
        .limit(limit)
    )
    if keys:
        query = query.where(Case.business_key.in_(list(keys)))
    if since is not None:
        query = query.where(Case.created_at >= since)
    if until is not None:
        query = query.where(Case.created_at <= until)
    return session.scalars(query).all()
