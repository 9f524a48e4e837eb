"""A matter walks the whole loop in Chromium: citizen → town clerk → department → citizen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.demo import ORGANISATION, load_organisation
from engine.deployment import read_sources
from engine.errors import InvalidProcess
from engine.service import Engine
from tests.web.conftest import APPEAL, make_app

from .conftest import ROOT, LiveServer, screenshot, sign_in
from .walk import (
    Appeal,
    citizen_rates,
    citizen_submits,
    claim_from_inbox,
    demo_worker_for,
    expect_active,
    fill_form,
    next_task,
    staff_handle,
    staff_until_rating,
)

pytestmark = pytest.mark.browser


def _busy_inbox(engine: Engine) -> None:
    """A few more cases so the inbox screenshot looks like a working day."""
    titles = ["营业执照变更材料反复退回", "残疾人补贴被停发", "企业反映检查过于频繁"]
    kinds = ["special_handling", "policy_consultation", "misconduct_report"]
    for days_ago, (title, kind) in enumerate(zip(titles, kinds, strict=True)):
        with engine.transaction() as service:
            case = service.cases.start(
                 "mini_loop", data={**APPEAL, "title": title, "kind": kind}, actor="public",
                 at=datetime.now(UTC) - timedelta(days=2 * days_ago), tracking=True,
            )  # fmt: skip
            if days_ago == 1:
                service.tasks.claim(case.tasks[0].id, "li")


def test_closed_loop_on_mini_loop__citizen_clerk_department_rating(
    live: LiveServer, seeded: Engine, new_page: Any
) -> None:
    engine, base, appeal = seeded, live.url, Appeal()
    citizen = new_page()
    citizen_submits(citizen, base, appeal)
    _busy_inbox(engine)

    clerk = new_page()
    sign_in(clerk, base, "li")
    expect(clerk.locator("[data-count='mine']")).to_have_text("1")
    expect(clerk.locator("[data-count='group']")).to_have_text("3")
    clerk.goto(f"{base}/inbox?tab=group")
    expect(clerk.locator(f"tr[data-case='{appeal.key}']")).to_contain_text(appeal.title)
    screenshot(clerk, "inbox")
    register = next_task(engine, appeal.key)
    assert register is not None and register.task_spec == "register"
    claim_from_inbox(clerk, base, register)
    fill_form(clerk, register, {"contact_phone": "12345"})
    clerk.get_by_role("button", name="提交", exact=True).click()
    expect(clerk.locator("#form-errors")).to_contain_text("请修改以下 1 项后再提交")
    expect(clerk.locator("#field-contact_phone-error")).to_have_text("格式不正确")
    expect(clerk.locator("#field-title")).to_have_value(appeal.title)  # entered values kept
    screenshot(clerk, "task-form-error")
    clerk.locator("#field-contact_phone").fill(appeal.phone)
    clerk.get_by_role("button", name="提交", exact=True).click()
    expect(clerk.locator(".alert-success")).to_contain_text("已提交：受理登记")
    expect_active(clerk, "handle")
    expect(clerk.locator(".djs-element.msb-completed[data-element-id='register']")).to_have_count(1)
    expect(clerk.get_by_test_id("level")).to_contain_text("一级")
    expect(clerk.get_by_test_id("sla")).to_contain_text("剩余")
    screenshot(clerk, "case")

    department = new_page()
    sign_in(department, base, "wang")
    handle = next_task(engine, appeal.key)
    assert handle is not None and handle.task_spec == "handle"
    staff_handle(department, base, handle)
    expect_active(department, "wait_rating")

    citizen_rates(citizen, base, appeal)
    with engine.transaction() as service:
        case = service.cases.get(appeal.key)
    assert case.status == "completed" and case.data["rating"] == "satisfied"
    screenshot(citizen, "tracking")


DEMO_PASSWORD = "demo horse 9"


@pytest.fixture
def demo_live(engine: Engine, browser: Any) -> Iterator[LiveServer]:
    """A fresh database with processes/ deployed and the demo organisation (临江区) loaded,
    served with closed_loop as the intake process."""
    sources = (
        read_sources([ROOT / "processes"]) if any((ROOT / "processes").rglob("*.bpmn")) else {}
    )
    if not sources:
        pytest.skip("processes/ has no diagrams yet: closed_loop is not deployed")
    try:
        with engine.transaction() as service:
            deployed = {p.process_id for p in service.deployments.deploy(sources).processes}
            load_organisation(service, ORGANISATION, password=DEMO_PASSWORD)
    except InvalidProcess as error:
        pytest.fail(f"processes/ does not deploy:\n{error}")
    if "closed_loop" not in deployed:
        pytest.skip(f"processes/ deploys {sorted(deployed)} but no closed_loop yet")
    app = make_app(
        engine, TESTING=False, MASHANGBAN_ENV="testing", MASHANGBAN_INTAKE_PROCESS="closed_loop"
    )
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def test_closed_loop__citizen_to_rating_through_real_diagram(
    demo_live: LiveServer, engine: Engine, new_page: Any
) -> None:
    """The real closed_loop with the demo organisation: a citizen at 江滨街道's window,
    its clerk 王芳 (wangfang), 区住建局's handler 黄涛 (huangtao), and the rating."""
    base = demo_live.url
    appeal = Appeal(window_label="江滨街道便民服务中心")
    citizen = new_page()
    citizen_submits(citizen, base, appeal)
    with engine.transaction() as service:
        assert service.cases.get(appeal.key).data["intake_unit"] == "town_a"
    worker = demo_worker_for(ORGANISATION)
    staff_until_rating(new_page, base, engine, appeal, worker, DEMO_PASSWORD)
    clerk_steps = [s for s in appeal.steps if s.startswith("wangfang:")]
    assert len(clerk_steps) >= 2 and any(s.startswith("huangtao:") for s in appeal.steps), (
        f"expected intake, classification and a department step, got {appeal.steps}"
    )
    clerk = new_page()
    sign_in(clerk, base, "wangfang", DEMO_PASSWORD)
    clerk.goto(f"{base}/cases/{appeal.key}")
    expect(clerk.locator("#diagram")).to_have_attribute("data-state", "ready")
    first = appeal.steps[0].split(":")[1]
    expect(clerk.locator(f".djs-element.msb-completed[data-element-id='{first}']")).to_have_count(1)
    expect(clerk.locator(".djs-element.msb-active").first).to_be_visible()
    citizen_rates(citizen, base, appeal)
    with engine.transaction() as service:
        assert service.cases.get(appeal.key).data.get("rating") == "satisfied"


def test_english_switch__labels_change_and_stay(live: LiveServer, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{live.url}/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Report a matter").first).to_be_visible()
    page.goto(f"{live.url}/track")
    expect(page.get_by_role("heading", name="Track a case")).to_be_visible()


def test_tablet_inbox__menu_and_rows_fit(live: LiveServer, new_page: Any) -> None:
    page = new_page(width=820, height=1180)
    sign_in(page, live.url, "li")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 820, f"the inbox scrolls sideways on a tablet ({width}px)"


def test_two_step__clerk_registers_and_case_moves_to_handling(
    live: LiveServer, seeded: Engine, new_page: Any
) -> None:
    """The engine's own small test diagram, driven through the same pages."""
    with seeded.transaction() as service:
        case = service.cases.start("two_step", data={"title": "窗口登记"}, actor="li")
    task = next_task(seeded, case.key)
    assert task is not None
    page = new_page()
    sign_in(page, live.url, "li")
    claim_from_inbox(page, live.url, task)
    fill_form(page, task, {"kind": "coordination", "people": "3", "contact_phone": ""})
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("已提交：登记诉求")
    expect_active(page, "handle")
    expect(page.get_by_test_id("level")).to_contain_text("一级")
