"""A clerk's session ends while they type: they sign in again and their text is still sent."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from engine.service import Engine
from tests.web.conftest import PASSWORD, open_task, start_appeal

from .conftest import LiveServer, sign_in
from .walk import fill_form

pytestmark = pytest.mark.browser
TYPED = "入学证明：社区已同意当天出具（经办人在登录失效前输入）"


def test_revoked_session__sign_in_again_and_continue_keeps_the_typed_text(
    live: LiveServer, seeded: Engine, new_page: Any
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    clerk = new_page()
    sign_in(clerk, live.url, "li")
    clerk.goto(f"{live.url}/tasks/{task_id}")
    with seeded.transaction() as service:
        task = service.tasks.get(task_id, "li")
    fill_form(clerk, task, {"title": TYPED})
    with seeded.transaction() as service:  # an administrator signs li out everywhere
        service.staff.sign_out_everywhere("li")

    clerk.get_by_role("button", name="提交", exact=True).click()
    expect(clerk.locator("#session-ended")).to_be_visible()
    clerk.get_by_label("用户名").fill("li")
    clerk.get_by_label("密码").fill(PASSWORD)
    clerk.get_by_role("button", name="登录").click()
    expect(clerk.get_by_role("heading", name="继续提交")).to_be_visible()
    clerk.get_by_role("button", name="继续提交").click()

    clerk.wait_for_url(f"{live.url}/cases/{key}")
    with seeded.transaction() as service:
        assert service.cases.get(key).data["title"] == TYPED
