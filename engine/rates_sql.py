"""The 三率 rows as one aggregate query over `case_facts`, grouped in SQL.

`Reports.rates` used to load every case's facts into Python and count them there (2.5-4.8 s
cold for 100,000 cases on PostgreSQL). Here the database counts: one `GROUP BY` query whose
`SUM(CASE ...)` columns are exactly the flags of `rates.CaseFacts.settle` and the counts of
`reporting._row` (tests/processes/test_rates_sql.py compares both on every grouping). Rows
behind their case's history are folded from the log first (`factstore.read`), as before.

The median of office hours from receipt to reply is measured in SQL too: a VALUES table of
the days involved (office seconds before each day, working day or not, from the calendar)
is joined to both instants, so `WorkClock._offset` becomes arithmetic on the local time of
day, and PostgreSQL's `percentile_cont(0.5)` takes the median (SQLite, which has neither,
reads the replied cases' two instants and measures them with `WorkClock`). Grouping by ISO
week on SQLite (no ISO week format before 3.46) returns None: the caller then counts in
Python as before.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    or_,
    select,
    values,
)
from sqlalchemy.orm import Session

from .calendar import SHANGHAI
from .factstore import read
from .models import Case, CaseFactsRow, ProcessVersion
from .rates import SATISFIED, WorkClock
from .reporting import LEVELS, RateRow, RatesQuery

F = CaseFactsRow.__table__.c
SHIFT, DAY = 8 * 3600, 86400  # Shanghai keeps UTC+8 all year
EPOCH = date(1970, 1, 1)
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
    where: list[ColumnElement[bool]] = [
        F.case_id.in_(intake),
        F.received_at.is_not(None),
        F.merged.is_(False),
    ]
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
    """Fold and store the facts of cases whose row is missing or behind; how many.

    A row never runs ahead of its case, so equal counts and sums of `last_seq` and `seq`
    over both tables mean every row is current: two index-only sums, not a join of the
    wide case rows (`ix_cases_version_id_seq`)."""
    connection = session.connection()
    heads = connection.execute(select(func.count(), func.sum(Case.last_seq))).one()
    rows = connection.execute(select(func.count(), func.sum(F.seq))).one()
    if tuple(heads) == tuple(rows):
        return 0
    stale_query = (
        select(Case.id, Case.last_seq)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .outerjoin(CaseFactsRow, CaseFactsRow.case_id == Case.id)
        .where(ProcessVersion.process_id == process_id)
        .where(or_(CaseFactsRow.seq.is_(None), CaseFactsRow.seq != Case.last_seq))
    )
    stale = dict(connection.execute(stale_query).tuples().all())
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
    if dialect == "postgresql":  # one query: the counts and the median together
        # the median sorts each group's hours: in memory, not in temporary files
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
        source, median = _office_hours(connection, clock)
        counted = connection.execute(
            select(group.label("grp"), *_counts(now), median.label("median"))
            .select_from(source).where(*where).group_by(group)
        ).all()  # fmt: skip
        hours = {v.grp: None if v.median is None else round(float(v.median), 2) for v in counted}
    else:
        counted = connection.execute(
            select(group.label("grp"), *_counts(now)).where(*where).group_by(group)
        ).all()
        hours = _python_median(connection, group, where, clock)
    rows = [_row(values, hours.get(values.grp)) for values in counted]
    return sorted(rows, key=lambda row: row.group or "") if query.group_by else rows or [_empty()]


def _local_epoch(moment: Any) -> Any:
    """Seconds since 1970-01-01 00:00 Shanghai time (UTC+8 all year: no zone lookup per row)."""
    return func.date_part("epoch", moment) + SHIFT


def _day_number(moment: Any) -> Any:
    return cast(func.floor(_local_epoch(moment) / DAY), Integer)


def _office_offset(moment: Any, days: Any, clock: WorkClock) -> Any:
    """`WorkClock._offset` in SQL: office seconds before the day, plus those elapsed in it."""
    seconds = _local_epoch(moment) - days.c.day * DAY
    inside = sum(
        (func.greatest(0.0, func.least(seconds, end) - start) for start, end in clock.periods),
        literal(0.0),
    )
    return days.c.before + case((days.c.workday, inside), else_=0.0)


def _office_hours(connection: Any, clock: WorkClock) -> tuple[Any, Any]:
    """(case_facts joined to a VALUES table of the days involved, the median office hours
    from receipt to reply): `WorkClock` as arithmetic, `percentile_cont` skips the unreplied."""
    first, last = connection.execute(
        select(func.min(F.received_at), func.max(F.replied_at))
    ).one()  # both indexed: two index lookups
    table = CaseFactsRow.__table__
    if first is None or last is None:
        return table, literal(None, Float)
    first, last = (_utc(v).astimezone(SHANGHAI).date() for v in (first, last))
    days = [
        ((day - EPOCH).days, before, workday)
        for day, before, workday in clock.days(min(first, last), max(first, last))
    ]
    office_days = values(column("day", Integer), column("before", Float),
                         column("workday", Boolean), name="office_days").data(days)  # fmt: skip
    received, answered = office_days.alias("received_day"), office_days.alias("replied_day")
    offsets = (_office_offset(F.replied_at, answered, clock),
               _office_offset(F.received_at, received, clock))  # fmt: skip
    hours = (offsets[0] - offsets[1]) / 3600.0
    joined = (
        table.outerjoin(received, received.c.day == _day_number(F.received_at))
        .outerjoin(answered, answered.c.day == _day_number(F.replied_at))
    )  # fmt: skip
    return joined, func.percentile_cont(0.5).within_group(hours)


def _python_median(
    connection: Any, group: Any, where: list[Any], clock: WorkClock
) -> dict[str | None, float | None]:
    """SQLite (no VALUES with column names, no percentile_cont): the replied cases' two
    instants, measured with `WorkClock`."""
    spans: dict[str | None, list[float]] = defaultdict(list)
    instants = select(group, F.received_at, F.replied_at).where(*where, F.replied_at.is_not(None))
    for grp, received, answered in connection.execute(instants):
        spans[grp].append(clock.between(_utc(received), _utc(answered)).total_seconds() / 3600)
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
