"""The write path's SQL budget: completing a task costs a fixed, small number of statements.

Counted through the real JSON API, from the sign-in check to the answer, on SQLite and
PostgreSQL. What the statements are (see engine/README.md, "The write path"): the
token check; the lock (on PostgreSQL `SELECT … FOR UPDATE` of the case, with the staff
revision; on SQLite `BEGIN IMMEDIATE` just before the first write, which the driver hook
runs on the raw cursor, so the count adds it here); the task with its candidates (on SQLite joined
with its case and the staff revision); one UPDATE of the case's 三率 facts
(`case_facts`, engine/factstore.py), which spares the reports a replay of the whole log
after a restart; one UPDATE of the case (its head is the chain's checkpoint); the event;
the inbox change as one statement (the gone rows deleted with their spans kept, the new
rows and their candidates inserted: a data-modifying WITH on PostgreSQL, a view's INSTEAD
OF trigger on SQLite, engine/inbox_sql.py); one INSERT of the new task's notifications,
whose people come from the worker's staff directory (engine/notifying/directory.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from engine.service import Engine
from tests.conftest import deploy_valid
from tests.web.conftest import PASSWORD, api_token, make_app

# statements per completion through the web API, on either database (issue 9's goal;
# 23-24 before it)
BUDGET = 8
REGISTRATION = {"title": "小区路灯不亮", "kind": "coordination", "people": "3",
                "urgent": "false", "contact_phone": "13812345678"}  # fmt: skip


@contextmanager
def counted(sql: Any) -> Iterator[list[str]]:
    """Collect the statements the engine's database connection runs inside the block."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(" ".join(statement.split()[:4]))  # enough to tell them apart

    event.listen(sql, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(sql, "before_cursor_execute", note)


def _cases(engine: Engine, count: int, claims: int) -> list[str]:
    """Start two_step cases; the last one gets `claims` claim/give-back rounds of history."""
    with engine.transaction() as service:
        service.staff.save_user("li", "李明", ["town_a_clerks"], password=PASSWORD)
        tasks = [service.cases.start("two_step", key=f"B{n}").tasks[0].id for n in range(count)]
    for _round in range(claims):
        with engine.transaction() as service:
            service.tasks.claim(tasks[-1], "li")
            service.tasks.unclaim(tasks[-1], "li")
    return tasks


def _complete(client: FlaskClient, task_id: str, headers: dict[str, str]) -> dict[str, Any]:
    response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                           json={"data": REGISTRATION})  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_complete_task__runs_a_fixed_small_number_of_statements(any_engine: Engine) -> None:
    deploy_valid(any_engine)
    warm, short, long = _cases(any_engine, 3, claims=20)
    app = make_app(any_engine)
    sql = app.extensions["mashangban.engine"].sql
    client = app.test_client()
    li = api_token(client, "li")
    _complete(client, warm, li)  # the first action reads the process version once
    with counted(sql) as on_short:
        body = _complete(client, short, li)
    with counted(sql) as on_long:
        _complete(client, long, li)
    app.extensions["mashangban.engine"].close()
    unseen = 1 if sql.dialect.name == "sqlite" else 0  # engine/database.py _take_write_lock
    assert len(on_short) + unseen <= BUDGET, on_short
    assert len(on_long) == len(on_short), "a longer history must not cost more statements"
    [handle] = body["tasks"]  # the answer is built without reading the inbox back
    assert (handle["task_spec"], handle["candidate_groups"]) == ("handle", ["dept_housing"])
    with any_engine.transaction() as service:
        assert [t.id for t in service.cases.get("B1").tasks] == [handle["id"]]
        assert service.chain.verify() == []
