"""The closed loop as people walk it in a browser, for any intake process that follows
processes/CONTRACT.md: a citizen submits, staff claim and complete each task from their
inbox, and the citizen rates the answer on the tracking page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from engine.forms import FormField
from engine.service import Engine
from engine.views import TaskView

from .conftest import PASSWORD, sign_in

# Which seeded user works on a task offered to a group (tests/web/conftest.py seeds them).
GROUP_USERS = {
    "clerks:town_a": "li", "town_a_clerks": "li", "clerks:town_b": "zhao",
    "dept:housing": "wang", "dept_housing": "wang", "chief:housing": "wang",
    "dept:land": "chen", "dept_land": "chen", "chief:land": "chen",
    "leading_office": "office", "joint_meeting": "office", "supervising_office": "office",
    "discipline": "office",
}  # fmt: skip
# Values that steer a CONTRACT-following diagram to the housing department and a reply.
PREFERRED = {
    "handling_mode": "dispatch", "scope": "one_department", "level": "1",
    "lead_department": "housing", "departments": "housing", "sign_decision": "sign",
    "handle_decision": "done", "reply_channel": "online", "outcome": "resolved",
    "public_reply": "已协调社区当天出具居住证明，孩子可按时入学。",
    "contact_phone": "13800138000", "kind": "coordination",
}  # fmt: skip
MAX_STEPS = 12


@dataclass
class Appeal:
    """What the citizen typed, and what the receipt gave back."""

    title: str = "入学证明跑了三趟没办成"
    description: str = "孩子入学需要居住证明，社区和派出所互相推诿，跑了三趟都没办成。"
    kind_label: str = "协调办理"
    tier_label: str = "镇街窗口"
    window_label: str = "城厢街道便民服务中心"
    name: str = "张三"
    phone: str = "13800138000"
    key: str = ""
    code: str = ""
    steps: list[str] = field(default_factory=list)


def citizen_submits(page: Any, base: str, appeal: Appeal) -> None:
    """Fill the public form and read the receipt."""
    page.goto(f"{base}/appeal")
    page.get_by_label("诉求类型").select_option(label=appeal.kind_label)
    page.get_by_label("标题").fill(appeal.title)
    page.get_by_label("详细情况").fill(appeal.description)
    page.get_by_label("受理层级").select_option(label=appeal.tier_label)
    page.get_by_label("受理窗口").select_option(label=appeal.window_label)
    page.get_by_label("联系人").fill(appeal.name)
    page.get_by_label("联系电话").fill(appeal.phone)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="已收到您的反映")).to_be_visible()
    appeal.key = page.get_by_test_id("case-no").inner_text().strip()
    appeal.code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"MSB-\d{8}-[0-9A-F]{6}", appeal.key), appeal.key
    assert re.fullmatch(r"[0-9A-F]{8}", appeal.code), appeal.code


def next_task(engine: Engine, key: str) -> TaskView | None:
    """The case's first open task, or None."""
    with engine.transaction() as service:
        tasks = service.cases.get(key).tasks
    return tasks[0] if tasks else None


def worker_for(task: TaskView) -> str:
    """The seeded user offered this task."""
    for name in (task.assignee, *task.candidate_users):
        if name:
            return name
    for group in task.candidate_groups:
        if group in GROUP_USERS:
            return GROUP_USERS[group]
    raise AssertionError(f"no test user for {task.task_spec} offered to {task.candidate_groups}")


def demo_worker_for(organisation: Path) -> Callable[[TaskView], str]:
    """Who works on a task in the demo organisation: its assignee or candidate user, else
    the first user of organisation.json who is in one of its candidate groups."""
    users = json.loads(organisation.read_text(encoding="utf-8"))["users"]

    def worker(task: TaskView) -> str:
        for name in (task.assignee, *task.candidate_users):
            if name:
                return name
        for group in task.candidate_groups:
            for user in users:
                if group in user["groups"]:
                    return user["username"]
        offered = task.candidate_groups
        raise AssertionError(f"no demo user for {task.task_spec} offered to {offered}")

    return worker


def value_for(spec: FormField, shown: str) -> str | None:
    """What a careful clerk would enter (None: leave the field as it is)."""
    preferred = PREFERRED.get(spec.id)
    choices = [c.id for c in spec.choices]
    if preferred is not None and (spec.type != "enum" or preferred in choices):
        return preferred
    if shown or not spec.required:
        return None
    if spec.type == "enum":
        return choices[0]
    if spec.type == "long":
        return str(int(spec.min or 1))
    if spec.type == "boolean":
        return "true"
    if spec.type == "date":
        return date.today().isoformat()
    return "已核实情况并按规定办理，已电话告知群众。"


def fill_form(page: Any, task: TaskView, overrides: dict[str, str] | None = None) -> None:
    """Fill the task form's editable fields through the page."""
    overrides = overrides or {}
    for spec in task.form:
        if spec.readonly:
            continue
        field = page.locator(f"#field-{spec.id}")
        shown = "" if spec.type == "boolean" else field.input_value()
        value = overrides.get(spec.id, value_for(spec, shown))
        if value is None:
            continue
        if spec.type == "enum":
            page.locator(f"#field-{spec.id}").select_option(value)
        elif spec.type == "boolean":
            page.locator(f"#field-{spec.id}-{value}").check()
        else:
            page.locator(f"#field-{spec.id}").fill(value)


def claim_from_inbox(page: Any, base: str, task: TaskView) -> None:
    """Find the task in the group tab, claim it, and land on its form."""
    page.goto(f"{base}/inbox?tab=group")
    row = page.locator(f"tr[data-task-id='{task.id}']")
    expect(row).to_be_visible()
    row.get_by_role("button", name="认领").click()
    expect(page.get_by_test_id("claimed")).to_have_text("已由我认领")


def staff_handle(page: Any, base: str, task: TaskView) -> None:
    """Claim the task, fill its form and submit; the case page confirms."""
    claim_from_inbox(page, base, task)
    fill_form(page, task)
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(f"已提交：{task.name}")


def expect_active(page: Any, element_id: str) -> None:
    """The diagram shows `element_id` with the active marker."""
    expect(page.locator("#diagram")).to_have_attribute("data-state", "ready")
    marked = page.locator(f".djs-element.msb-active[data-element-id='{element_id}']")
    expect(marked).to_have_count(1)


def staff_until_rating(
    new_page: Any, base: str, engine: Engine, appeal: Appeal,
    worker: Callable[[TaskView], str] = worker_for, password: str = PASSWORD,
) -> None:  # fmt: skip
    """Each task goes to the person it is offered to, until the citizen is asked to rate."""
    pages: dict[str, Any] = {}
    for _ in range(MAX_STEPS):
        with engine.transaction() as service:
            if service.cases.track(appeal.key, appeal.code).rating_requested:
                return
        task = next_task(engine, appeal.key)
        assert task is not None, f"case ended without asking for a rating after {appeal.steps}"
        user = worker(task)
        if user not in pages:
            pages[user] = new_page()
            sign_in(pages[user], base, user, password)
        staff_handle(pages[user], base, task)
        appeal.steps.append(f"{user}:{task.task_spec}")
    raise AssertionError(f"no rating request after {MAX_STEPS} steps: {appeal.steps}")


def citizen_rates(page: Any, base: str, appeal: Appeal) -> None:
    """Look the case up, read the reply, rate it 满意."""
    page.goto(f"{base}/track")
    page.get_by_label("案件编号").fill(appeal.key)
    page.get_by_label("查询码").fill(appeal.code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="请对本次办理进行评价")).to_be_visible()
    expect(page.get_by_test_id("public-reply")).to_be_visible()
    page.get_by_label("满意", exact=True).check()
    page.get_by_label("意见建议（可选）").fill("办事快，态度好。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator(".alert-success").first).to_contain_text("感谢您的评价")
    expect(page.get_by_test_id("rating")).to_contain_text("满意")
