"""The case page gives a clear reason for every waiting state, with its date and the office
time left (issue 13): waiting for the citizen's rating until D (then the window calls back),
waiting for the look-back until D."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from engine.service import Engine
from tests.processes.test_scenarios import SCENARIO_DIR, Run, play

from .conftest import PASSWORD, login, make_app

SUPERVISED = SCENARIO_DIR / "discipline_supervision" / "lookback_failed_then_passed.json"


class _Stop(Exception):
    """Ends the scenario before the step the test looks at."""


def _case_page(
    engine: Engine, key: str, user: str, stop_before: str, path: str = "/cases/{key}"
) -> str:
    """The case page (or `path`) after the scenario's steps before the first step with
    `stop_before` (a key, or the task it completes)."""

    def before(step: Any) -> None:
        if step is not None and stop_before in (*step, step.get("complete")):
            raise _Stop

    run = Run(engine, json.loads(SUPERVISED.read_text("utf-8")), SUPERVISED.stem)
    run.setup(password=PASSWORD)
    with contextlib.suppress(_Stop):
        play(run, before)
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    client = app.test_client()
    login(client, user)
    if "{task}" in path:
        with engine.reading() as service:
            task = service.cases.get(key).tasks[0].id
        path = path.replace("{task}", task)
    html = client.get(path.replace("{key}", key)).get_data(as_text=True)
    app.extensions["mashangban.engine"].close()
    main = re.sub(r'<a href="(/cases/[^"]+)">', r" LINK:\1 ", html.split("<main", 1)[-1])
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_case_page__waiting_for_the_rating_says_until_when(engine: Engine) -> None:
    page = _case_page(engine, "CL-SUP", "lina", stop_before="message")
    # replied on Monday 8 June 16:30: two working days to rate, to 17:30
    assert "等待群众评价；期限内未评价的，由受理窗口电话回访，截至 2026-06-10 17:30" in page
    sla = page.split("协调级别", 1)[1].split("办理时限", 1)[1][:60]
    assert "2026-06-10 17:30" in sla, sla  # the rating's deadline, not the handling's


def test_case_page__waiting_for_the_look_back_says_until_when(engine: Engine) -> None:
    page = _case_page(engine, "CL-SUP-1", "xiewen", stop_before="timers")
    assert re.search(r"正在等待回头看，截至 2026-06-2\d \d\d:\d\d (剩余|已超期)", page), page[:3000]


def test_supervision_task__source_case_is_a_link_not_a_bare_key(engine: Engine) -> None:
    page = _case_page(engine, "CL-SUP-1", "xiewen", "ds_three_checks", "/tasks/{task}")
    assert "来源案件 LINK:/cases/CL-SUP CL-SUP" in page, page[:2000]
    assert "source_case" not in page  # the task's help names no field id
