"""The 三率 rows as one aggregate query over `case_facts`, grouped in SQL.

`Reports.rates` used to load every case's facts into Python and count them there (2.5-4.8 s
cold for 100,000 cases on PostgreSQL). Here the database counts: one `GROUP BY` query whose
`SUM(CASE ...)` columns are exactly the flags of `rates.CaseFacts.settle` and the counts of
`reporting._row` (tests/processes/test_rates_sql.py compares both on every grouping). Rows
behind their case's history are folded from the log first (`factstore.read`), as before.

Only the median of office hours from receipt to reply needs the working calendar: it reads
the replied cases' two instants (not their rows) and measures them with `WorkClock`.
Grouping by ISO week on SQLite (which has no ISO week format before 3.46) returns None: the
caller then counts in Python as before.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from .factstore import read
from .models import Case, CaseFactsRow, ProcessVersion
from .rates import SATISFIED, WorkClock
from .reporting import LEVELS, RateRow, RatesQuery

F = CaseFactsRow.__table__.c
COLUMN_GROUPS = ("tier", "unit", "department", "kind", "channel")


def _flag(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _group(dialect: str, group_by: str | None) -> Any:
    """The SQL expression of a grouping (None: not expressible here)."""
    if group_by is None:
        return literal(None, String)
    if group_by in COLUMN_GROUPS:
        return F[group_by]
    if dialect == "postgresql":
        local = func.timezone("Asia/Shanghai", F.received_at)
        return func.to_char(local, "YYYY-MM" if group_by == "month" else 'IYYY-"W"IW')
    if group_by == "month":  # SQLite keeps UTC text; Shanghai has no summer time
        return func.strftime("%Y-%m", F.received_at, "+8 hours")
    return None


def _levels(level: int) -> Any:
    """Cases whose `levels` ("2,3") include `level`."""
    return _flag((literal(",") + F.levels + literal(",")).like(f"%,{level},%"))


def _counts(now: datetime) -> list[Any]:
    responded, replied = F.responded_at.is_not(None), F.replied_at.is_not(None)
    due = func.coalesce(F.deadline, F.response_due)
    return [
        func.count().label("received"),
        _flag(and_(responded, or_(F.response_due.is_(None),
                                  F.responded_at <= F.response_due))).label("ok_response"),
        _flag(and_(F.responded_at.is_(None), or_(F.response_due.is_(None),
                                                 F.response_due > now))).label("unjudged"),
        _flag(replied).label("finished"),
        _flag(and_(replied, or_(due.is_(None), F.replied_at <= due))).label("ok_finish"),
        _flag(and_(F.replied_at.is_(None), F.deadline < now)).label("overdue"),
        _flag(F.rating.is_not(None)).label("rated"),
        _flag(F.rating.in_(sorted(SATISFIED))).label("satisfied"),
        _flag(F.rehandled).label("rehandled"),
        _flag(and_(replied, F.outcome == "cannot_resolve")).label("cannot_resolve"),
        *(_levels(level).label(f"level_{level}") for level in LEVELS),
    ]  # fmt: skip


def _where(process_id: str, query: RatesQuery, scope: Any, subtree: set[str] | None) -> list[Any]:
    intake = (
        select(Case.id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(ProcessVersion.process_id == process_id)
    )
    where = [F.case_id.in_(intake), F.received_at.is_not(None), F.merged.is_(False)]
    if query.start is not None:
        where.append(F.received_at >= query.start)
    if query.end is not None:
        where.append(F.received_at < query.end)
    if subtree is not None:
        where.append(F.unit.in_(sorted(subtree)))
    for name in ("tier", "department", "kind", "channel"):
        if query.filters.get(name):
            where.append(F[name] == query.filters[name])
    if not scope.everything:
        mine = [F.unit.in_(sorted(scope.units))] if scope.units else []
        if scope.department is not None:
            mine.append(F.department == scope.department)
        where.append(or_(*mine) if mine else literal(False))
    return where


def refresh(session: Session, process_id: str, clock: WorkClock) -> int:
    """Fold and store the facts of cases whose row is missing or behind; how many."""
    stale_query = (
        select(Case.id, Case.last_seq)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .outerjoin(CaseFactsRow, CaseFactsRow.case_id == Case.id)
        .where(ProcessVersion.process_id == process_id)
        .where(or_(CaseFactsRow.seq.is_(None), CaseFactsRow.seq != Case.last_seq))
    )
    stale = dict(session.connection().execute(stale_query).tuples().all())
    if stale:
        read(session, stale, clock)
    return len(stale)


def rate_rows_sql(
    session: Session, process_id: str, query: RatesQuery, scope: Any, subtree: set[str] | None,
    now: datetime, clock: WorkClock,
) -> list[RateRow] | None:  # fmt: skip
    """The rows of `reporting.rate_rows`, counted by the database (None: not expressible)."""
    dialect = session.get_bind().dialect.name
    group = _group(dialect, query.group_by)
    if group is None:
        return None
    refresh(session, process_id, clock)
    where = _where(process_id, query, scope, subtree)
    connection = session.connection()
    counted = connection.execute(
        select(group.label("grp"), *_counts(now)).where(*where).group_by(group)
    ).all()
    replied = connection.execute(
        select(group, F.received_at, F.replied_at).where(*where, F.replied_at.is_not(None))
    ).all()
    hours = _hours(replied, clock, naive=dialect == "sqlite")
    rows = [_row(values, hours.get(values.grp)) for values in counted]
    return sorted(rows, key=lambda row: row.group or "") if query.group_by else rows or [_empty()]


def _hours(replied: Iterable[Any], clock: WorkClock, naive: bool) -> dict[str | None, float | None]:
    """The median office hours from receipt to reply, per group."""
    spans: dict[str | None, list[float]] = defaultdict(list)
    for grp, received, answered in replied:
        if naive:
            received, answered = _utc(received), _utc(answered)
        spans[grp].append(clock.between(received, answered).total_seconds() / 3600)
    return {grp: round(statistics.median(v), 2) for grp, v in spans.items()}


def _utc(value: datetime) -> datetime:
    """SQLite returns the stored UTC instants without their zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row(values: Any, median_hours: float | None) -> RateRow:
    received = int(values.received)
    return RateRow(
        group=values.grp, received=received, responded_on_time=int(values.ok_response),
        response_judged=received - int(values.unjudged), finished=int(values.finished),
        finished_on_time=int(values.ok_finish),
        finished_or_overdue=int(values.finished) + int(values.overdue), rated=int(values.rated),
        satisfied=int(values.satisfied), rehandled=int(values.rehandled),
        escalated={level: int(getattr(values, f"level_{level}")) for level in LEVELS},
        cannot_resolve=int(values.cannot_resolve), median_hours=median_hours,
    )  # fmt: skip


def _empty() -> RateRow:
    """The total row of no cases (the Python path returns one too)."""
    return RateRow(None, 0, 0, 0, 0, 0, 0, 0, 0, 0, {level: 0 for level in LEVELS}, 0, None)
