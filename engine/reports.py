"""Named reports a scheduled process can take as its start data (`start_data` property).

They read the case tables at the moment the schedule fires; their result becomes the
new case's start data, recorded in its `started` event, so a replay needs no query.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .calendar import SHANGHAI
from .models import Case, HumanTask, ProcessVersion

SUPERVISION_PROCESS = "discipline_supervision"


def _month_before(at: datetime) -> tuple[datetime, datetime]:
    local = at.astimezone(SHANGHAI)
    this_month = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    return last_month, this_month


def monthly_agenda(session: Session, at: datetime) -> dict[str, Any]:
    """Last month's open, overdue, re-handled and supervised cases, one agenda item each."""
    start, end = _month_before(at)
    supervised = _supervised_sources(session)
    overdue = _overdue_case_ids(session, at)
    items = []
    query = select(Case).where(Case.created_at < end).order_by(Case.created_at)
    for case in session.scalars(query):
        version = session.get(ProcessVersion, case.process_version_id)
        if version is None or version.process_id == SUPERVISION_PROCESS:
            continue
        reasons = _reasons(case, start, end, case.id in overdue, case.business_key in supervised)
        if reasons:
            items.append({"case_key": case.business_key, "title": case.title,
                          "reason": "、".join(reasons)})  # fmt: skip
    return {"agenda": items, "period": start.strftime("%Y-%m")}


def _reasons(
    case: Case, start: datetime, end: datetime, overdue: bool, supervised: bool
) -> list[str]:
    reasons = []
    if case.status == "running":
        reasons.append("未办结")
    if overdue:
        reasons.append("已超期")
    touched = start <= case.updated_at.astimezone(SHANGHAI) < end or case.status == "running"
    if touched and int(case.data.get("rehandle_count") or 0) > 0:
        reasons.append("重办")
    if supervised:
        reasons.append("纪检监督")
    return reasons


def _overdue_case_ids(session: Session, at: datetime) -> set[int]:
    rows = session.scalars(select(HumanTask.case_id).where(HumanTask.due_at < at))
    return set(rows)


def _supervised_sources(session: Session) -> set[str]:
    keys = set()
    query = (
        select(Case.data)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(ProcessVersion.process_id == SUPERVISION_PROCESS)
    )
    for data in session.scalars(query):
        source = (data or {}).get("source_case")
        if source:
            keys.add(str(source))
    return keys


REPORTS: dict[str, Callable[[Session, datetime], dict[str, Any]]] = {
    "monthly_agenda": monthly_agenda,
}
