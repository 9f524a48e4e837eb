"""Goal (d): one user's inbox among many finished cases and thousands of open tasks.

The rows are cloned in SQL from one real case of each kind (a finished one for history, a
running one for the open tasks), so every row has the shape and the state size the
engine really writes. Open tasks are offered to 400 groups; the bench user is in one of
them and is assigned every 400th task, so the inbox holds about 100 of the open tasks (the
size of the inbox the performance issue measured). Both figures read the first page of
100 tasks, as the inbox page and `GET /api/v1/tasks` do (`engine/worklists.py`).
"""

from __future__ import annotations

import http.client
import time
from datetime import UTC, datetime

from sqlalchemy import text

from engine.service import Engine
from engine.worklists import PAGE_SIZE, InboxQuery

from . import over_http
from .common import USER, percentile, prepared_engine

GROUPS = 400


def _columns(engine: Engine, table: str) -> list[str]:
    with engine.sql.connect() as connection:
        rows = connection.execute(text(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = :t AND column_name <> 'id' ORDER BY ordinal_position"
        ), {"t": table})  # fmt: skip
        return [row[0] for row in rows]


def _clone_cases(engine: Engine, template: str, prefix: str, count: int) -> None:
    """`count` copies of the template case row, keyed prefix + number, 100,000 a transaction."""
    columns = _columns(engine, "cases")
    values = [f"'{prefix}' || (:offset + g)" if c == "business_key" else c for c in columns]
    sql = text(
        f"INSERT INTO cases ({', '.join(columns)}) SELECT {', '.join(values)} "
        "FROM cases, generate_series(1, :n) AS g WHERE business_key = :template"
    )
    for offset in range(0, count, 100_000):
        with engine.sql.begin() as connection:
            batch = {"n": min(100_000, count - offset), "offset": offset, "template": template}
            connection.execute(sql, batch)


def populate(engine: Engine, history: int, open_tasks: int) -> None:
    """Finished and open cases cloned from real ones, and an inbox row per open case."""
    with engine.transaction() as service:
        service.cases.start("three_step", key="TEMPLATE-DONE", data={})
        service.cases.start("three_step", key="TEMPLATE-OPEN", data={})
    with engine.transaction() as service:
        task = next(t for t in service.tasks.inbox(USER) if t.case_key == "TEMPLATE-DONE")
    for data in ({"note": "ok"}, {"note": "ok"}, {"approved": True}):
        with engine.transaction() as service:
            service.tasks.complete(task.id, USER, data)
        with engine.transaction() as service:
            ready = [t for t in service.tasks.inbox(USER) if t.case_key == "TEMPLATE-DONE"]
        task = ready[0] if ready else task
    _clone_cases(engine, "TEMPLATE-DONE", "HIST-", history)
    _clone_cases(engine, "TEMPLATE-OPEN", "OPEN-", open_tasks)
    with engine.sql.begin() as connection:
        connection.execute(
            text("""
            INSERT INTO human_tasks (id, case_id, process_version_id, task_spec, name,
                process_id, lane, assignee, claimed_by, due_at, priority, created_at)
            SELECT md5(c.business_key), c.id, c.process_version_id, 'register', '登记',
                'three_step', NULL,
                CASE WHEN c.id % 400 = 0 THEN :user ELSE NULL END, NULL,
                now() + (c.id % 5000) * interval '1 minute', 50, now()
            FROM cases c WHERE c.business_key LIKE 'OPEN-%'"""),
            {"user": USER},
        )
        connection.execute(
            text("""
            INSERT INTO human_task_candidates (task_id, kind, name)
            SELECT t.id, 'group', 'g' || (t.case_id % :groups) FROM human_tasks t
            WHERE t.task_spec = 'register' AND t.process_id = 'three_step'
              AND NOT EXISTS (SELECT 1 FROM human_task_candidates c WHERE c.task_id = t.id)"""),
            {"groups": GROUPS},
        )
        connection.execute(text("ANALYZE"))


def inbox_p99(url: str, history: int, open_tasks: int, samples: int) -> tuple[float, float, int]:
    """p99 ms of the bench user's inbox in the engine and over HTTP, and its size."""
    engine = prepared_engine(url, "three_step.bpmn")
    with engine.transaction() as service:
        service.staff.save_user(USER, "基准用户", ["bench", "g7"], roles=["clerk"])
    started = time.perf_counter()
    populate(engine, history, open_tasks)
    print(f"  (inbox data: {history:,} finished + {open_tasks:,} open cases in "
          f"{time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
    timings, size = [], 0
    query = InboxQuery(limit=PAGE_SIZE, candidates=True)  # what GET /api/v1/tasks asks
    for _ in range(samples):
        started = time.perf_counter()
        with engine.transaction() as service:
            size = len(service.lists.inbox(USER, query, datetime.now(UTC)).tasks)
        timings.append(time.perf_counter() - started)
    engine.close()
    with over_http.gunicorn("web:create_app()", url) as port:
        headers = {"Authorization": f"Bearer {over_http.token(port)}"}
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        web_timings = []
        for _ in range(samples):
            started = time.perf_counter()
            connection.request("GET", "/api/v1/tasks", headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            web_timings.append(time.perf_counter() - started)
        connection.close()
    return percentile(timings, 0.99) * 1000, percentile(web_timings[5:], 0.99) * 1000, size
