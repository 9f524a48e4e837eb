"""SQLite: two people completing the two parallel tasks of one case at the same moment.

On SQLite a task action reads its case without the database's one write lock and writes
after its workflow ran, so the second of two simultaneous completions finds the case
changed (`StaleCase`). The web layer then runs it once more holding the lock
(`web/db.py`, `once_more_if_stale`): both people must see their task done, every round.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from engine.service import Engine
from tests.conftest import deploy_valid
from tests.web.conftest import PASSWORD, api_token, make_app

ROUNDS = 12
WHO = {"review_a": ("wang", ["dept_housing"]), "review_b": ("chen", ["dept_land"])}


def _at_once(app: Flask, tokens: dict[str, dict[str, str]], tasks: dict[str, str]) -> dict:
    """Complete both tasks from two threads released together; their HTTP statuses."""
    answers: dict[str, Any] = {}
    both = threading.Barrier(len(tasks))

    def complete(spec: str) -> None:
        client = app.test_client()
        both.wait()
        headers, body = tokens[WHO[spec][0]], {"data": {"opinion": "同意"}}
        answer = client.post(f"/api/v1/tasks/{tasks[spec]}/complete", headers=headers, json=body)
        answers[spec] = (answer.status_code, answer.get_json().get("code"))

    threads = [threading.Thread(target=complete, args=(spec,)) for spec in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_parallel_tasks_completed_at_once__both_succeed(engine: Engine) -> None:
    deploy_valid(engine)
    with engine.transaction() as service:
        for name, groups in WHO.values():
            service.staff.save_user(name, name, groups, password=PASSWORD)
    app = make_app(engine)
    tokens = {name: api_token(app.test_client(), name) for name, _groups in WHO.values()}
    for round_ in range(ROUNDS):
        with engine.transaction() as service:
            case = service.cases.start("parallel_review", key=f"PR-{round_}")
        tasks = {task.task_spec: task.id for task in case.tasks}
        answers = _at_once(app, tokens, tasks)
        assert answers == {"review_a": (200, None), "review_b": (200, None)}, round_
        with engine.transaction() as service:
            assert service.cases.get(f"PR-{round_}").status == "completed"
    app.extensions["mashangban.engine"].close()
