"""The inbox a page at a time (engine/worklists.py): keyset order on SQLite and PostgreSQL.

Pages follow a cursor (the last row's sort key and task id), so walking them yields every
task once, in the order of the sort, and tasks that arrive or leave between two pages
neither repeat a row nor hide one that was there all along.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from engine.calendar import SHANGHAI
from engine.errors import FormInvalid
from engine.list_queries import page_statement
from engine.models import HumanTask
from engine.service import Engine
from engine.views import TaskView
from engine.worklists import InboxQuery
from tests.conftest import deploy_valid
from tests.engine.test_cases import GOOD_REGISTRATION

NOW = datetime.now(UTC)
# (due in hours or None, priority, case facts): ties on purpose, so the id decides
SHAPES: list[tuple[int | None, int, dict[str, Any]]] = [
    (5, 50, {"kind": "coordination", "tier": "town", "level": "2"}),
    (5, 50, {"kind": "policy", "tier": "village", "level": 3}),
    (-3, 70, {"kind": "coordination", "tier": "town", "lead_department": "housing"}),
    (None, 90, {"kind": "policy", "departments": ["water", "housing"]}),
    (1, 10, {"kind": "coordination", "level": 1}),
    (5, 70, {"kind": "policy", "tier": "town", "level": "x"}),
    (None, 50, {"kind": "coordination", "departments": ["water"]}),
    (2, 50, {"kind": "coordination", "tier": "village", "level": 3}),
]


def _start(engine: Engine, shapes: list[tuple[int | None, int, dict[str, Any]]], prefix: str):
    """Start a two_step case per shape and give its task the shape's due time and priority."""
    with engine.transaction() as service:
        for number, (due, priority, facts) in enumerate(shapes):
            case = service.cases.start("two_step", key=f"{prefix}{number}", data=facts)
            due_at = NOW + timedelta(hours=due) if due is not None else None
            created = NOW + timedelta(minutes=number)
            service.session.execute(
                update(HumanTask)
                .where(HumanTask.id == case.tasks[0].id)
                .values(due_at=due_at, priority=priority, created_at=created)
            )


def _walk(engine: Engine, query: InboxQuery) -> list[TaskView]:
    tasks: list[TaskView] = []
    while True:
        with engine.transaction() as service:
            page = service.lists.inbox("li", query, NOW)
        assert len(page.tasks) <= query.limit
        tasks.extend(page.tasks)
        if page.next is None:
            return tasks
        query = InboxQuery(**{**query.__dict__, "after": page.next})


FAR = datetime(9999, 1, 1, tzinfo=UTC)


def _level(task: TaskView) -> int:
    try:
        return int(task.case_facts.get("level"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


EXPECTED_ORDER = {
    "due": lambda t: (t.due_at or FAR, -t.priority, t.id),
    "priority": lambda t: (-t.priority, t.due_at or FAR, t.id),
    "created": lambda t: (t.created_at, t.id),
    "level": lambda t: (-_level(t), t.due_at or FAR, t.id),
}


@pytest.mark.parametrize("sort", sorted(EXPECTED_ORDER))
def test_pages__every_task_once_in_the_order_of_the_sort(any_engine: Engine, sort: str) -> None:
    deploy_valid(any_engine)
    _start(any_engine, SHAPES, "P")
    walked = _walk(any_engine, InboxQuery(sort=sort, limit=3))
    assert len(walked) == len(SHAPES)
    assert len({t.id for t in walked}) == len(SHAPES)
    assert walked == sorted(walked, key=EXPECTED_ORDER[sort])
    assert all(not t.form for t in walked)  # a list shows no forms
    assert all(not t.candidate_groups for t in walked)  # nor candidates, unless asked
    with any_engine.transaction() as service:
        asked = service.lists.inbox("li", InboxQuery(sort=sort, candidates=True), NOW).tasks
    assert [t.id for t in asked] == [t.id for t in walked]
    assert {t.candidate_groups for t in asked} == {("town_a_clerks",)}


def test_pages__stable_while_tasks_arrive_and_leave(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    _start(any_engine, SHAPES, "P")
    with any_engine.transaction() as service:
        first = service.lists.inbox("li", InboxQuery(limit=4), NOW)
    # Meanwhile: tasks more and less urgent than the first page arrive, one shown task goes.
    _start(any_engine, [(-10, 50, {}), (100, 50, {}), (3, 50, {})], "N")
    with any_engine.transaction() as service:
        service.tasks.complete(first.tasks[0].id, "li", GOOD_REGISTRATION)
    rest = _walk(any_engine, InboxQuery(limit=4, after=first.next))
    shown = [t.id for t in first.tasks]
    assert not set(shown) & {t.id for t in rest}  # no row twice
    key = EXPECTED_ORDER["due"]
    assert all(key(t) > key(first.tasks[-1]) for t in rest)  # strictly after the cursor
    now_listed = _walk(any_engine, InboxQuery(limit=50))
    after_cursor = [t.id for t in now_listed if key(t) > key(first.tasks[-1])]
    assert [t.id for t in rest] == after_cursor  # none skipped, the new later ones included
    assert "N1" in {t.case_key for t in rest} and "N0" not in {t.case_key for t in rest}


def test_filters_and_tabs__in_the_query(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    _start(any_engine, SHAPES, "P")
    with any_engine.transaction() as service:
        service.tasks.claim(_walk(any_engine, InboxQuery(kind="policy"))[0].id, "li")

    def keys(**filters: Any) -> set[str]:
        return {t.case_key for t in _walk(any_engine, InboxQuery(limit=2, **filters))}

    assert keys(kind="policy") == {"P1", "P3", "P5"}
    assert keys(tier="village") == {"P1", "P7"}
    assert keys(department="housing") == {"P2", "P3"}  # the lead or one of the others
    assert keys(department="water", kind="coordination") == {"P6"}
    assert keys(tab="overdue") == {"P2"}
    assert keys(tab="mine") == {"P5"}  # the claimed one (most urgent policy question)
    assert len(keys(tab="group")) == len(SHAPES) - 1
    with any_engine.transaction() as service:
        summary = service.lists.inbox_summary("li", NOW)
    tomorrow = datetime.combine(NOW.astimezone(SHANGHAI).date() + timedelta(days=1), time(0),
                                SHANGHAI)  # fmt: skip
    today = [
        d for d, _p, _f in SHAPES if d is not None and NOW <= NOW + timedelta(hours=d) < tomorrow
    ]
    assert summary.counts == {"mine": 1, "group": 7, "overdue": 1, "today": len(today)}
    assert summary.departments == ["housing", "water"]


def test_filters__values_are_parameters_of_one_statement_per_shape(any_engine: Engine) -> None:
    """The page statement is built once per shape (`list_queries.page_statement`): another
    filter value or cursor reuses it and still reads its own rows."""
    deploy_valid(any_engine)
    _start(any_engine, SHAPES, "S")
    walked = {kind: _walk(any_engine, InboxQuery(limit=2, kind=kind))
              for kind in ("policy", "coordination", "policy")}  # fmt: skip
    before = page_statement.cache_info()
    again = {kind: _walk(any_engine, InboxQuery(limit=2, kind=kind))
             for kind in ("coordination", "policy")}  # fmt: skip
    used = page_statement.cache_info()
    assert used.misses == before.misses and used.hits - before.hits == 3 + 2  # pages of 2
    assert {t.case_key for t in again["policy"]} == {"S1", "S3", "S5"}
    assert [t.id for t in again["coordination"]] == [t.id for t in walked["coordination"]]


def test_pages__a_foreign_cursor_is_a_field_error(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    _start(any_engine, SHAPES[:3], "P")
    with any_engine.transaction() as service:
        cursor = service.lists.inbox("li", InboxQuery(limit=1), NOW).next
        assert cursor is not None
        for query in (
            InboxQuery(after="not-a-cursor"),
            InboxQuery(after=cursor, sort="created"),  # a cursor of another sort
            InboxQuery(limit=0),
        ):
            with pytest.raises(FormInvalid) as raised:
                service.lists.inbox("li", query, NOW)
            assert raised.value.errors[0].field in {"after", "limit"}


def _case_walk(engine: Engine, viewer: str, limit: int, after: str | None = None) -> list[str]:
    keys: list[str] = []
    while True:
        with engine.transaction() as service:
            page = service.lists.cases(viewer, after=after, limit=limit)
        assert len(page.cases) <= limit
        keys += [c.key for c in page.cases]
        if page.next is None:
            return keys
        after = page.next


def test_case_list__pages_newest_change_first_stable_while_cases_move(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    _start(any_engine, SHAPES, "P")
    every = _case_walk(any_engine, "li", limit=3)
    assert sorted(every) == sorted(f"P{n}" for n in range(len(SHAPES)))
    with any_engine.transaction() as service:
        first = service.lists.cases("li", limit=3)
        updated = [c.updated_at for c in first.cases]
    assert updated == sorted(updated, reverse=True)
    # Meanwhile a new case starts and a case of a later page changes (both move to the top).
    moved = every[-1]
    _start(any_engine, [(1, 50, {})], "N")
    with any_engine.transaction() as service:
        task = next(t for t in service.lists.inbox("li", InboxQuery(), NOW).tasks
                    if t.case_key == moved)  # fmt: skip
        service.tasks.complete(task.id, "li", GOOD_REGISTRATION)
    rest = _case_walk(any_engine, "li", limit=3, after=first.next)
    shown = [c.key for c in first.cases]
    assert not set(shown) & set(rest)  # no case twice
    assert rest == [k for k in every[3:] if k != moved]  # the unchanged ones: none skipped
    with any_engine.transaction() as service:
        # the housing department sees only the case now offered to it
        assert [c.key for c in service.lists.cases("wang").cases] == [moved]
        with pytest.raises(FormInvalid):
            service.lists.cases("li", after=first.next[:-2] + "!!")
