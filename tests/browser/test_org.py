"""钱进 (qianjin) adds a department on the organisation page; 张伟 (zhangwei) then finds it
in the dispatch form's multi-select by typing part of its name, chooses it with the
keyboard, and dispatches; no new deployment happened in between."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.service import Engine
from tests.web.conftest import make_app
from tests.web.test_orgadmin import classify_task, demo, demo_template, versions  # noqa: F401

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def org_live(demo: Engine, browser: Any) -> Iterator[LiveServer]:  # noqa: F811
    app = make_app(demo, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def test_new_department_is_chosen_by_name_in_the_dispatch_multiselect(
    org_live: LiveServer,
    demo: Engine,  # noqa: F811
    new_page: Any,
) -> None:
    base, before = org_live.url, versions(demo)
    admin = new_page()
    sign_in(admin, base, "qianjin")
    admin.get_by_role("link", name="组织机构").click()
    adding = admin.locator("#add-unit")
    adding.get_by_label("名称").fill("区应急管理局")
    adding.get_by_label("编码（建立后不可更改）").fill("emergency")
    adding.get_by_label("类型").select_option(label="部门")
    adding.get_by_role("button", name="新增单位").click()
    expect(admin.get_by_role("status").or_(admin.locator(".alert-success"))).to_contain_text(
        "已新增单位：区应急管理局")  # fmt: skip
    expect(admin.locator("tr[data-unit='emergency']")).to_contain_text("区应急管理局")
    screenshot(admin, "organisation")

    key, task_id = classify_task(demo)
    clerk = new_page()
    sign_in(clerk, base, "zhangwei")
    clerk.goto(f"{base}/tasks/{task_id}")
    clerk.get_by_label("涉及范围").select_option(label="需多部门联办")
    clerk.get_by_label("牵头部门").select_option(label="区住建局")
    box = clerk.get_by_role("combobox", name="协办部门")
    box.fill("应急")
    options = clerk.locator("#field-co_departments-list").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("区应急管理局")
    box.press("Enter")
    box.fill("民政")
    box.press("ArrowDown")
    box.press("Enter")
    box.fill("")
    box.press("ArrowDown")  # open the whole list for the picture
    chips = clerk.locator(".msb-ms-chip")
    expect(chips).to_have_text(["区应急管理局", "区民政局"])  # in the form's order (by name)
    screenshot(clerk, "dispatch-multiselect")
    box.press("Escape")
    clerk.get_by_role("button", name="移除 区民政局").click()
    expect(chips).to_have_text(["区应急管理局"])
    clerk.get_by_role("button", name="提交").click()
    clerk.wait_for_url(f"{base}/cases/{key}")
    expect(clerk.locator("#main")).to_contain_text("区住建局、区应急管理局")
    with demo.transaction() as service:
        assert service.cases.get(key).data["departments"] == ["housing", "emergency"]
    assert versions(demo) == before
