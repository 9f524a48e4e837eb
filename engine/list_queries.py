"""The SQL of the staff's paged lists (inbox, cases): shown columns only, keyset order.

The user's task ids come from a union of plain index lookups (assignee, claimer,
candidate user, candidate groups), handed to PostgreSQL as an array (`= ANY(ARRAY(...))`:
a bitmap scan of the primary key; with `IN (...)` it hashed a scan of every open task);
the rule that an offered task is not someone else's is applied to those few rows. The
page query then narrows them by tab and filters, orders them by one of the sorts with the
task id as the last tie-break, and continues strictly after the cursor's key, so a page
never repeats or skips a row however many tasks arrive or leave in between (no OFFSET).
Case facts are read as single JSON members, never the whole `cases.data` or `state`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    TextClause,
    and_,
    any_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
    union,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from .models import Case, HumanTask, HumanTaskCandidate, ProcessVersion
from .tables_base import UtcDateTime

FAR = datetime(9999, 1, 1, tzinfo=UTC)  # where tasks without a due date sort
TABS = ("mine", "group", "overdue", "today")
SHOWN_FACTS = ("kind", "tier", "level", "lead_department", "departments")
_TEXT_FACTS = ("kind", "tier", "level", "lead_department")  # read as text: nothing to parse
Term = tuple[Any, bool]  # (expression, descending)


def task_ids(username: Any, groups: Sequence[str] | BindParameter[Any]) -> Any:
    """Ids of the tasks assigned to, claimed by or offered to the user: index lookups only."""
    candidate = HumanTaskCandidate
    branches = [
        select(HumanTask.id).where(HumanTask.assignee == username),
        select(HumanTask.id).where(HumanTask.claimed_by == username),
        select(candidate.task_id).where(candidate.kind == "user", candidate.name == username),
    ]
    if isinstance(groups, BindParameter) or groups:
        branches.append(
            select(candidate.task_id).where(candidate.kind == "group", candidate.name.in_(groups))
        )
    return union(*branches)


def among(dialect: str, column: Any, ids: Any) -> Any:
    """`column` is one of the ids a (small) union selects: on PostgreSQL as an array, which
    it looks up by index (`IN (union)` planned a hash join over a scan of the whole table)."""
    chosen = select(ids.subquery().c[0])
    if dialect == "postgresql":
        return column == any_(func.array(chosen.scalar_subquery()))
    return column.in_(chosen)


def users_tasks(
    dialect: str, username: Any, groups: Sequence[str] | BindParameter[Any]
) -> list[Any]:
    """Conditions on `human_tasks`: the user's tasks (an offered one only while nobody
    else holds it); `username` and `groups` may be bind parameters."""
    groups = groups if isinstance(groups, BindParameter) else list(groups)
    listed = among(dialect, HumanTask.id, task_ids(username, groups))
    free = HumanTask.assignee.is_(None) & (
        HumanTask.claimed_by.is_(None) | (HumanTask.claimed_by == username)
    )
    return [listed, or_(mine(username), free)]


def _due() -> Any:
    return func.coalesce(HumanTask.due_at, literal(FAR, UtcDateTime()))


def _level(dialect: str) -> Any:
    """The case's level as a number, 0 when missing or not a number (as the inbox shows it)."""
    if dialect == "postgresql":
        raw = Case.data["level"].as_string()
        return case((raw.regexp_match("^[0-9]{1,6}$"), cast(raw, Integer)), else_=0)
    return func.coalesce(cast(func.json_extract(Case.data, "$.level"), Integer), 0)


def order_terms(sort: str, dialect: str) -> list[Term]:
    """The ORDER BY of a sort, ending with the task id so the order is total."""
    due, priority = (_due(), False), (HumanTask.priority, True)
    terms = {
        "due": [due, priority],
        "priority": [priority, due],
        "created": [(HumanTask.created_at, False)],
        "level": [(_level(dialect), True), due],
    }[sort]
    return [*terms, (HumanTask.id, False)]


def after(terms: Sequence[Term], key: Sequence[Any]) -> Any:
    """Rows strictly after `key` in the order of `terms` (OR of equal prefixes)."""
    branches = []
    for index, (expression, descending) in enumerate(terms):
        equal = [terms[j][0] == key[j] for j in range(index)]
        beyond = expression < key[index] if descending else expression > key[index]
        branches.append(and_(*equal, beyond))
    return or_(*branches)


def mine(username: Any) -> Any:
    """Claimed by or assigned to the user."""
    return or_(HumanTask.claimed_by == username, HumanTask.assignee == username)


def tab_condition(tab: str | None, username: Any, now: Any, tomorrow: Any) -> Any:
    """The rows of one inbox tab (None: every tab); the values may be bind parameters."""
    if tab is None:
        return literal(True)
    not_mine = and_(
        func.coalesce(HumanTask.claimed_by, "") != username,
        func.coalesce(HumanTask.assignee, "") != username,
    )
    return {
        "mine": mine(username),
        "group": not_mine,
        "overdue": HumanTask.due_at < now,
        "today": and_(HumanTask.due_at >= now, HumanTask.due_at < tomorrow),
    }[tab]


def fact_condition(name: str, value: Any) -> Any:
    """The case's fact `name` (kind, tier) equals `value`."""
    return Case.data[name].as_string() == value


def department_condition(dialect: str, code: str) -> Any:
    """The case's lead department is `code` or `code` is among its other departments."""
    lead = Case.data["lead_department"].as_string() == code
    listed: ColumnElement[bool] | TextClause
    if dialect == "postgresql":
        listed = cast(Case.data, JSONB)["departments"].contains([code])
    elif dialect == "sqlite":
        listed = text(
            "EXISTS (SELECT 1 FROM json_each(cases.data, '$.departments') AS d "
            "WHERE d.value = :department_code)"
        ).bindparams(department_code=code)
    else:  # pragma: no cover - the engine runs on SQLite and PostgreSQL only
        listed = false()
    return or_(lead, listed)


_PAGE_COLUMNS = (
    HumanTask.id, HumanTask.process_id, HumanTask.task_spec, HumanTask.name, HumanTask.lane,
    HumanTask.assignee, HumanTask.claimed_by, HumanTask.due_at, HumanTask.priority,
    HumanTask.created_at, Case.business_key, Case.title, HumanTask.process_version_id,
)  # fmt: skip
PAGE_COLUMN_COUNT = len(_PAGE_COLUMNS)  # then the facts, the sort key, the candidates


def _offered(dialect: str) -> Any:
    """A task's candidates as a JSON list of [kind, name] pairs, in the same round trip."""
    candidate = HumanTaskCandidate
    if dialect == "postgresql":
        pairs = func.json_agg(func.json_build_array(candidate.kind, candidate.name))
    else:
        pairs = func.json_group_array(func.json_array(candidate.kind, candidate.name))
    found = select(pairs).where(candidate.task_id == HumanTask.id).scalar_subquery()
    return type_coerce(found, JSON).label("offered")


@dataclass(frozen=True)
class PageShape:
    """What the text of an inbox page's statement depends on; everything else (the user,
    their groups, the clock, the tier and kind asked for, the cursor) is a parameter."""

    dialect: str
    sort: str
    tab: str | None
    limit: int
    candidates: bool  # with an `offered` column of [kind, name] pairs
    groups: bool  # the user is in some group
    tier: bool = False
    kind: bool = False
    department: str = ""  # few values, rarely asked: part of the text
    after: bool = False  # continues after a cursor (`after_0`, `after_1`, ...)


def page_rows(session: Session, shape: PageShape, values: dict[str, Any]) -> list[Any]:
    """Up to `shape.limit` rows of the user's inbox, in the order of the shape's sort.

    `values`: `username`, `groups` (a list), `now`, `tomorrow`, and as the shape asks,
    `tier`, `kind` and the cursor's key `after_0`, `after_1`, ...
    """
    return list(session.execute(page_statement(shape), values))


@lru_cache(maxsize=256)
def page_statement(shape: PageShape) -> Select[Any]:
    """The page query of a shape, built once: building it and its cache key anew took
    ~2 ms of an inbox page's ~10 (SQLAlchemy reuses a statement's cache key)."""
    username: BindParameter[Any] = bindparam("username")
    groups: BindParameter[Any] | list[str] = (
        bindparam("groups", expanding=True) if shape.groups else []
    )
    terms = order_terms(shape.sort, shape.dialect)
    conditions = [tab_condition(shape.tab, username, bindparam("now"), bindparam("tomorrow"))]
    conditions += [fact_condition(n, bindparam(n)) for n in ("tier", "kind") if getattr(shape, n)]
    if shape.department:
        conditions.append(department_condition(shape.dialect, shape.department))
    if shape.after:
        conditions.append(after(terms, [bindparam(f"after_{i}") for i in range(len(terms))]))
    facts = [
        (Case.data[name].as_string() if name in _TEXT_FACTS else Case.data[name]).label(name)
        for name in SHOWN_FACTS
    ]
    keys = [term.label(f"key_{i}") for i, (term, _desc) in enumerate(terms)]
    offered = [_offered(shape.dialect)] if shape.candidates else []
    return (
        select(*_PAGE_COLUMNS, *facts, *keys, *offered)
        .join(Case, Case.id == HumanTask.case_id)
        .where(*users_tasks(shape.dialect, username, groups), *conditions)
        .order_by(*(term.desc() if descending else term for term, descending in terms))
        .limit(shape.limit)
    )


def summary_rows(
    session: Session, username: str, groups: Sequence[str], now: datetime, tomorrow: datetime
) -> list[Any]:
    """Per combination of departments: how many of the user's tasks are in each tab."""
    dialect = session.get_bind().dialect.name

    def tally(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    lead = Case.data["lead_department"].as_string().label("lead")
    others = Case.data["departments"].as_string().label("others")
    tallies = [tally(tab_condition(t, username, now, tomorrow)).label(t) for t in TABS]
    query = (
        select(lead, others, *tallies)
        .join(Case, Case.id == HumanTask.case_id)
        .where(*users_tasks(dialect, username, groups))
        .group_by(lead, others)
    )
    return list(session.execute(query))


# --- the case list ----------------------------------------------------------------------------

CASE_ORDER: list[Term] = [(Case.updated_at, True), (Case.id, True)]  # newest change first


def case_rows(session: Session, conditions: Sequence[Any], limit: int) -> list[Any]:
    """Up to `limit` cases matching `conditions`, newest change first: the listed columns."""
    query = (
        select(
            Case.id,
            Case.business_key,
            Case.title,
            ProcessVersion.process_id,
            Case.status,
            Case.owner_unit,
            Case.created_at,
            Case.updated_at,
        )
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(*conditions)
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
    )
    return list(session.execute(query))
