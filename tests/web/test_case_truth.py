"""The case page offers a step's button only to who may act on it, and names people."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from engine.service import Engine
from tests.auditcase import KEY, deploy_demo, escalated_rehandled_case
from tests.web.conftest import PASSWORD, login, make_app, open_task, start_appeal


def test_case_page__step_button_only_for_its_candidates(client: FlaskClient, seeded: Engine):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "office")  # sees every case, but the step is town A's clerks'
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert f"/tasks/{task_id}" not in page
    client.post("/logout", data={"csrf_token": ""})
    other = client.application.test_client()
    login(other, "li")
    assert f"/tasks/{task_id}" in other.get(f"/cases/{key}").get_data(as_text=True)


def test_case_page__claimed_step_names_the_person_not_the_username(
    client: FlaskClient, seeded: Engine
):
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    with seeded.transaction() as service:
        service.tasks.claim(task_id, "sun")
    login(client, "li")
    page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert "认领人：孙丽" in page and "认领人：sun" not in page
    assert f"/tasks/{task_id}" not in page  # claimed by a colleague: nothing for li to do


def _summary(engine: Engine, key: str) -> str:
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    web = app.test_client()
    login(web, "lina")
    page = web.get(f"/cases/{key}").get_data(as_text=True)
    app.extensions["mashangban.engine"].close()
    level = page.split('data-testid="level"', 1)[1].split("</dd>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", level))


def test_case_level__escalation_then_decision_table_after_a_rehandle(engine: Engine) -> None:
    """At level 2 by the missed deadline the page names the escalation; re-dispatched after
    the citizen's complaint, the decision table sets level 1 and the page says so."""
    deploy_demo(engine, password=PASSWORD)
    escalated_rehandled_case(engine, upto=5)
    level = _summary(engine, KEY)
    assert "二级" in level and "由升级协调进入（系统，2026-06-09 17:31）" in level
    escalated_rehandled_case(engine, upto=10, since=5)
    level = _summary(engine, KEY)
    assert "一级" in level and "按 135 分级决策表" in level and "升级" not in level, level
