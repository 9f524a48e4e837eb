"""The `case_facts` table: each case's 三率 facts, kept with its events (migration 0008).

`follow` runs inside `recording.record_event`, in the event's own transaction and under
the case's lock, so a row is never behind a committed event it saw. A row that is missing
or behind its case's `last_seq` (a database restored from an old backup, rows copied in
SQL, an event written before this table existed) is folded again from the log on read
and stored (`FactsCache.facts`): the log stays the source of truth and the table only
saves the replay. `tests/processes/test_case_facts.py` checks both give the same facts.
"""

from __future__ import annotations

import functools
import gc
import json
import operator
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, bindparam, func, select, type_coerce, update
from sqlalchemy import case as sql_case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from .models import Case, CaseEvent, CaseFactsRow, ProcessVersion, table_of
from .rates import (
    CHUNK,
    DEADLINE_TASKS,
    FIRST_RESPONSE_TASKS,
    KEYS,
    PASS_UP,
    REPLY_TASKS,
    CaseFacts,
    WorkClock,
    apply_event,
    event_query,
    fold,
)
from .rates import instant as _instant

_SEQ = operator.itemgetter(0)
_COLUMNS = ("received_at", "tier", "unit", "channel", "kind", "department", "response_due",
            "responded_at", "deadline", "replied_at", "rating", "rehandled", "outcome", "place",
            "merged")  # fmt: skip
# CaseFacts' positional order (levels between rehandled and outcome).
_ROW = ("seq", "case_id", *_COLUMNS[:12], "levels", *_COLUMNS[12:])


def _text(value: Any) -> str | None:
    """A data value as the log query reads it (`->>` on PostgreSQL): text or None."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _level(kind: str, inputs: dict[str, Any]) -> Any:
    fields = inputs.get("fields") if kind == "escalated" else None
    return fields.get("level") if isinstance(fields, dict) else None


_DATES = frozenset({"received_at", "response_due", "responded_at", "deadline", "replied_at"})
_TABLE = table_of(CaseFactsRow)
# Core rows with plain DateTime, in CaseFacts' field order: the ORM and UtcDateTime per
# value cost ~1 s per 100,000 rows.
_SELECT = select(*(
    type_coerce(_TABLE.c[name], DateTime(timezone=True)) if name in _DATES else _TABLE.c[name]
    for name in _ROW
))  # fmt: skip


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _from_row(row: Sequence[Any], naive: bool) -> CaseFacts:
    """A CaseFacts from a `_SELECT` row (`naive`: SQLite, which keeps no time zone)."""
    facts = CaseFacts(*row[1:])
    facts.rehandled = bool(facts.rehandled)
    facts.merged = bool(facts.merged)
    levels: Any = facts.levels
    facts.levels = tuple(int(level) for level in levels.split(",")) if levels else ()
    if naive:
        for name in _DATES:
            setattr(facts, name, _aware(getattr(facts, name)))
    return facts


def _values(facts: CaseFacts) -> dict[str, Any]:
    plain = {name: getattr(facts, name) for name in _COLUMNS}
    return {**plain, "levels": ",".join(str(level) for level in facts.levels)}


def follow(session: Session, case: Case, event: CaseEvent) -> None:
    """Fold a just-recorded event into its case's row (the caller holds the case's lock).

    One statement at most: the row of a new case is inserted with the case; later events
    run one conditional UPDATE that folds in SQL (no read first: the write path's budget).
    """
    data = event.data_after or {}
    values = [_text(data.get(name)) for name in KEYS]
    level = _level(event.kind, event.inputs)
    row = session.identity_map.get(identity_key(CaseFactsRow, case.id))
    if event.seq == 1 or isinstance(row, CaseFactsRow):
        if not isinstance(row, CaseFactsRow):
            row = CaseFactsRow(case_id=case.id, seq=0, levels="", rehandled=False)
            session.add(row)
        elif row.seq != event.seq - 1:
            return
        facts = CaseFacts(case.id, **{name: getattr(row, name) for name in _COLUMNS})
        facts.levels = tuple(int(n) for n in (row.levels or "").split(",") if n)
        apply_event(facts, event.kind, event.at, event.task_spec, level, values)
        for name, value in _values(facts).items():
            setattr(row, name, value)
        row.seq = event.seq
        return
    changes = _changed_values(event, level, values)
    statement = _fold_update(tuple(sorted(changes)))
    params = {f"v_{name}": value for name, value in changes.items()}
    session.execute(statement, {"w_case": case.id, "w_seq": event.seq - 1, "v_seq": event.seq,
                                **params})  # fmt: skip
    # no row, or one behind: the next report folds this case again from the log


# The column each KEYS value sets as it is (None: read otherwise).
_DATA_COLUMNS = ("tier", "unit", "channel", "kind", "department", None, None, "rating", None,
                 "outcome", "place", None)  # fmt: skip
_FIRST_ONLY = ("received_at", "responded_at", "replied_at")  # the first instant counts


def _changed_values(event: CaseEvent, level: Any, values: Sequence[Any]) -> dict[str, Any]:
    """`rates.apply_event` as the columns it sets and the value each one's SQL binds
    (`_set_expression` says how the value meets the row's current one)."""
    at = event.at
    changes: dict[str, Any] = {}
    if event.kind == "started":
        changes["received_at"] = at
    elif event.kind == "merged":
        changes["merged"] = True
    elif event.kind == "escalated" and level is not None:
        changes["levels"] = str(int(level))
    elif event.kind == "task_completed" and event.task_spec in FIRST_RESPONSE_TASKS:
        if values[-1] != PASS_UP:
            changes["responded_at"] = at
    elif event.kind == "task_completed" and event.task_spec in REPLY_TASKS:
        changes["replied_at"] = changes["responded_at"] = at
    due = _instant(values[6]) if event.task_spec in DEADLINE_TASKS else None
    if due is not None:
        changes["deadline"] = due
    changes.update(_data_changes(values))
    return changes


def _set_expression(name: str) -> Any:
    """How a column takes its new value (`v_<name>`) given the row's current one."""
    c = _TABLE.c
    value = bindparam(f"v_{name}", type_=c[name].type)
    if name in _FIRST_ONLY:
        return func.coalesce(c[name], value)
    if name == "levels":  # appended, comma-separated
        return sql_case((c.levels == "", value), else_=c.levels + "," + value)
    if name == "deadline":  # later only, and only before the reply
        later = sql_case((c.deadline.is_(None) | (c.deadline < value), value), else_=c.deadline)
        return sql_case((c.replied_at.is_(None), later), else_=c.deadline)
    return value  # the latest value counts


@functools.lru_cache(maxsize=512)
def _fold_update(names: tuple[str, ...]) -> Any:
    """The conditional UPDATE setting these columns, built once per set of columns: building
    it per event cost about a millisecond of CPU, more than running it."""
    c = _TABLE.c
    return (
        update(_TABLE)
        .where(c.case_id == bindparam("w_case"), c.seq == bindparam("w_seq"))
        .values(seq=bindparam("v_seq"), **{name: _set_expression(name) for name in names})
    )


def _data_changes(values: Sequence[Any]) -> dict[str, Any]:
    """The columns an event's data values set as they are (the latest counts)."""
    changes = {name: value for name, value in zip(_DATA_COLUMNS, values, strict=True)
               if name is not None and value is not None}  # fmt: skip
    response_due, rehandles = values[5], values[8]
    if response_due is not None:
        changes["response_due"] = _instant(response_due)
    if rehandles is not None and str(rehandles) not in ("0", "null"):
        changes["rehandled"] = True
    return changes


def load(session: Session, stale: dict[int, int]) -> dict[int, CaseFacts]:
    """The stored facts of these cases whose row is at their `last_seq` (others: absent)."""
    found: dict[int, CaseFacts] = {}
    ids = sorted(stale)
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    connection = session.connection()
    case_id = _TABLE.c.case_id
    # most cases: one scan of the table beats many IN lists
    queries = [_SELECT] if len(chunks) > 1 else [_SELECT.where(case_id.in_(c)) for c in chunks]
    naive = connection.dialect.name == "sqlite"
    for query in queries:
        for row in connection.execute(query).all():  # fetchall: one driver call, not 100,000
            if stale.get(row[1]) == row[0]:
                found[row[1]] = _from_row(row, naive)
    return found


def save(session: Session, folded: dict[int, tuple[int, CaseFacts]]) -> None:
    """Store facts folded from the log; a row already further along is kept."""
    if not folded:
        return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = [{"case_id": case_id, "seq": seq, **_values(facts)}
            for case_id, (seq, facts) in folded.items()]  # fmt: skip
    statement = insert(_TABLE)
    update = {name: statement.excluded[name] for name in ("seq", *_COLUMNS, "levels")}
    statement = statement.on_conflict_do_update(
        index_elements=["case_id"], set_=update, where=_TABLE.c.seq < statement.excluded.seq
    )
    session.execute(statement, rows)  # executemany: the statement is compiled once


def fold_log(session: Session, cases: dict[int, int]) -> dict[int, tuple[int, CaseFacts]]:
    """Fold these cases' events from the log: (last seq folded, facts) per case."""
    ids = sorted(cases) if len(cases) <= CHUNK else None  # most: one scan of the whole log
    query = event_query(session.get_bind().dialect.name, ids)
    grouped: dict[int, list[Sequence[Any]]] = {}
    for case_id, *rest in session.connection().execute(query):
        if case_id in cases:
            grouped.setdefault(case_id, []).append(rest)
    result = {}
    for case_id, rows in grouped.items():
        rows.sort(key=_SEQ)
        result[case_id] = (rows[-1][0], fold(case_id, (row[1:] for row in rows)))
    return result


def _finish(facts: CaseFacts, clock: WorkClock) -> CaseFacts:
    facts.settle()
    if facts.received_at is not None and facts.replied_at is not None:
        facts.work_hours = clock.between(facts.received_at, facts.replied_at).total_seconds() / 3600
    return facts


def read(
    session: Session, stale: dict[int, int], clock: WorkClock
) -> dict[int, tuple[int, CaseFacts]]:
    """(seq, facts) of these cases: stored rows where current, else folded (and stored)."""
    stored = load(session, stale)
    missing = {case_id: seq for case_id, seq in stale.items() if case_id not in stored}
    folded = fold_log(session, missing) if missing else {}
    save(session, folded)
    result = {case_id: (stale[case_id], facts) for case_id, facts in stored.items()}
    result.update(folded)
    for _seq, facts in result.values():
        _finish(facts, clock)
    return result


class FactsCache:
    """Facts per case in memory, refreshed for the cases whose history grew since last time."""

    def __init__(self) -> None:
        self._facts: dict[int, tuple[int, CaseFacts]] = {}
        self._key: object = None
        self._fingerprint: tuple[int, ...] = ()
        self._current: list[CaseFacts] = []
        self._lock = threading.Lock()

    def facts(
        self, session: Session, process_id: str, clock: WorkClock, calendar: object
    ) -> list[CaseFacts]:
        """Current facts of every case of the process (`calendar`: the schedule overrides)."""
        connection = session.connection()  # Core, not the ORM: its row handling took 1 s
        cases = (
            select(Case.id, Case.last_seq)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(ProcessVersion.process_id == process_id)
            .subquery()
        )
        # Events are only appended and cases never removed: equal count and sum of
        # last_seq mean no case moved, so the 100,000 heads need not be read again.
        fingerprint = tuple(connection.execute(
            select(func.count(), func.coalesce(func.sum(cases.c.last_seq), 0))).one())  # fmt: skip
        with self._lock:
            if (process_id, calendar) != self._key:  # a new holiday schedule: new hours
                self._facts, self._key, self._fingerprint = {}, (process_id, calendar), ()
            if fingerprint == self._fingerprint:
                return self._current
            known = self._facts
        heads = connection.execute(select(cases.c.id, cases.c.last_seq)).all()
        stale = {case_id: seq for case_id, seq in heads if known.get(case_id, (-1,))[0] != seq}
        gc.disable()  # 100,000 new objects would trigger full collections over the heap
        try:
            fresh = read(session, stale, clock) if stale else {}
        finally:
            gc.enable()
        with self._lock:
            self._facts.update(fresh)
            current = [self._facts[case_id][1] for case_id, _seq in heads if case_id in self._facts]
            self._current, self._fingerprint = current, fingerprint
            return current
