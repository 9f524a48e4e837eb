"""Every open task form of the demo data, and its case page, as its own staff see them in
Chromium: no raw option value, ISO timestamp, group id, username or Python literal shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.demo import demo_cases
from engine.service import Engine
from tests.rawvalues import people, raw_values

from .conftest import LiveServer, sign_in
from .test_walk import DEMO_PASSWORD, demo_live  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def _extra_states(engine: Engine) -> None:
    """Cases waiting in the steps issue 13 added: receive a pass-up, confirm a transfer,
    supervise a missed first response."""
    base = {"kind": "coordination", "channel": "phone", "description": "走查用的诉求内容。",
            "contact": {"name": "测试人", "phone": "13588120001"}}  # fmt: skip
    with engine.transaction() as service:
        parents = [{"unit": "town_a", "tier": "town"}]
        data = {**base, "title": "上交走查", "tier": "village", "intake_unit": "village_a1"}
        data["parent_windows"] = parents
        up = service.cases.start("closed_loop", data=data, actor="zhaolei").key
        task = service.cases.get(up).tasks[0].id
        service.tasks.complete(
            task, "zhaolei", {"kind": "coordination", "handling_mode": "pass_up"}
        )
        task = service.cases.get(up).tasks[0].id
        service.tasks.complete(task, "zhaolei", {"pass_up_reason": "社区无权处理，需街道协调。"})
        moved = service.cases.start("closed_loop", data={
            **base, "title": "转派走查", "tier": "town", "intake_unit": "town_a"},
            actor="wangfang").key  # fmt: skip
        for user, values in (
            ("wangfang", {"kind": "coordination", "handling_mode": "dispatch"}),
            ("wangfang", {"scope": "one_department", "lead_department": "housing"}),
            ("huangtao", {"sign_decision": "transfer"}),
            ("huangtao", {"transfer_to": "civil", "transfer_reason": "属民政局职责范围。"}),
        ):
            service.tasks.complete(service.cases.get(moved).tasks[0].id, user, values)
        late = datetime.fromisoformat("2026-09-30T10:00:00+08:00")
        service.cases.start("closed_loop", data={
             **base, "title": "超时走查", "tier": "town", "intake_unit": "town_b"},
             actor="liuyang", at=late)  # fmt: skip
    engine.fire_due_timers(datetime.fromisoformat("2026-10-08T10:01:00+08:00"))


def test_every_open_task_form_and_case_page_shows_no_raw_values(
    demo_live: LiveServer,  # noqa: F811  (the fixture imported above)
    engine: Engine,
    new_page: Any,
) -> None:
    with engine.transaction() as service:
        demo_cases(service)
    _extra_states(engine)
    members, usernames = people()
    with engine.transaction() as service:
        tasks = service.tasks.open()
    specs = {t.task_spec for t in tasks}
    assert {"receive_pass_up", "dh_confirm_transfer", "supervise_first_response"} <= specs
    pages: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for task in tasks:
        user = next((members[g] for g in task.candidate_groups if g in members), None)
        assert user is not None, f"{task.task_spec}: nobody in {task.candidate_groups}"
        if user not in pages:
            pages[user] = new_page()
            sign_in(pages[user], demo_live.url, user, DEMO_PASSWORD)
        page = pages[user]
        options = {c.id for f in task.form for c in f.choices if len(c.id) > 2}
        for path in (f"/tasks/{task.id}", f"/cases/{task.case_key}"):
            page.goto(demo_live.url + path)
            text = page.locator("main").inner_text()
            found = raw_values(text, usernames, options if "tasks" in path else set())
            if found:
                problems[f"{task.task_spec} {path}"] = sorted(set(found))
    assert problems == {}, problems
