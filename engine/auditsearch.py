"""Search cases for auditors: number, submitter, unit, kind, status, dates, level, outcomes.

Plain columns (status, creation time) are filtered in SQL; the rest reads the case data,
which is JSON and differs between SQLite and PostgreSQL, so it is filtered here. The
auditors' search is rare and a district has thousands of cases, not millions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import personal
from .calendar import SHANGHAI
from .casefiles import summaries
from .models import Case, CaseEvent
from .views import CaseSummary

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class CaseQuery:
    """What an auditor searches for; empty fields do not filter."""

    text: str = ""  # case number (or its start), submitter name or phone
    unit: str = ""  # intake unit, lead or co-handling department (unit code)
    kind: str = ""
    status: str = ""
    since: date | None = None  # received on or after (Beijing date)
    until: date | None = None  # received on or before
    level: int | None = None  # reached this coordination level (or higher) at some point
    unsatisfied: bool = False  # the citizen rated it unsatisfied at least once
    cannot_resolve: bool = False  # closed as 办不成
    supervised: bool = False  # a supervision case was started from it
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchPage:
    """One page of matching cases, newest first."""

    rows: tuple[CaseSummary, ...]
    total: int
    page: int
    pages: int


def search(session: Session, query: CaseQuery, hidden: Any = None) -> SearchPage:
    """The cases matching every filter of the query, one page of them (`hidden`: a subquery
    of case ids the viewer may not see, e.g. 一键直达 reports accusing their unit)."""
    sql = select(Case).order_by(Case.created_at.desc(), Case.id.desc())
    if hidden is not None:
        sql = sql.where(Case.id.not_in(hidden))
    if query.status:
        sql = sql.where(Case.status == query.status)
    if query.since:
        sql = sql.where(Case.created_at >= _local_midnight(query.since))
    if query.until:
        sql = sql.where(Case.created_at < _local_midnight(query.until + timedelta(days=1)))
    rows = list(session.scalars(sql))
    # Sealed names and phones live in personal_values (personal.py): match them there.
    sealed = personal.cases_matching(session, query.text.strip()) if query.text else set()
    unsatisfied = _rated_unsatisfied(session) if query.unsatisfied else set()
    supervised = _supervised(session) if query.supervised else set()
    levels = _highest_levels(session) if query.level is not None else {}
    found = [
        case for case in rows
        if (_matches(case, query) or case.business_key in sealed)
        and (not query.unsatisfied or case.id in unsatisfied)
        and (not query.supervised or case.business_key in supervised)
        and (query.level is None or levels.get(case.id, 0) >= query.level)
    ]  # fmt: skip
    per_page = max(1, min(query.per_page, MAX_PER_PAGE))
    pages = max(1, -(-len(found) // per_page))
    page = max(1, min(query.page, pages))
    chosen = found[(page - 1) * per_page : page * per_page]
    return SearchPage(tuple(summaries(session, chosen)), len(found), page, pages)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def _matches(case: Case, query: CaseQuery) -> bool:
    data: dict[str, Any] = case.data or {}
    checks = (
        not query.text or _text_matches(case, data, query.text.strip()),
        not query.unit or query.unit in _units(case, data),
        not query.kind or data.get("kind") == query.kind,
        not query.cannot_resolve or data.get("outcome") == "cannot_resolve",
    )
    return all(checks)


def _text_matches(case: Case, data: dict[str, Any], text: str) -> bool:
    given = data.get("contact")
    contact: dict[str, Any] = given if isinstance(given, dict) else {}
    return (
        case.business_key.upper().startswith(text.upper())
        or text == str(contact.get("name", ""))
        or (len(text) >= 4 and text in str(contact.get("phone", "")))
    )


def _units(case: Case, data: dict[str, Any]) -> set[str]:
    departments = data.get("departments")
    units = {case.owner_unit, data.get("intake_unit"), data.get("lead_department")}
    if isinstance(departments, list):
        units.update(str(d) for d in departments)
    return {str(u) for u in units if u}


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _highest_levels(session: Session) -> dict[int, int]:
    """The highest coordination level each case reached (a re-handled case drops back)."""
    highest: dict[int, int] = {}
    query = select(CaseEvent.case_id, CaseEvent.data_after)
    for case_id, after in session.execute(query):
        if isinstance(after, dict) and "level" in after:
            highest[case_id] = max(highest.get(case_id, 0), _as_int(after["level"]))
    return highest


def _rated_unsatisfied(session: Session) -> set[int]:
    """Cases whose history ever recorded the rating `unsatisfied` (online or by phone)."""
    query = select(CaseEvent.case_id, CaseEvent.data_after).where(
        CaseEvent.kind.in_(("message_received", "task_completed"))
    )
    return {
        case_id for case_id, after in session.execute(query)
        if isinstance(after, dict) and after.get("rating") == "unsatisfied"
    }  # fmt: skip


def _supervised(session: Session) -> set[str]:
    """Keys of cases that a supervision case (started from them) names as its source."""
    return {
        str(data["source_case"]) for data in session.scalars(select(Case.data))
        if isinstance(data, dict) and data.get("source_case")
    }  # fmt: skip
