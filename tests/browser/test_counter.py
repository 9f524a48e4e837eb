"""Clerks' daily work in Chromium on the real diagrams and the demo organisation: counter
registration with a printable receipt, passing a matter up, transfer to another department,
and the first-response timer reaching the supervising office across the National Day holiday."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.service import Engine

from .conftest import LiveServer, screenshot, sign_in
from .test_walk import DEMO_PASSWORD, demo_live  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
ISO = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"


def _open_task(engine: Engine, key: str, spec: str, user: str) -> str:
    with engine.transaction() as service:
        tasks = [t for t in service.cases.get(key).tasks if t.task_spec == spec]
    assert tasks, f"{key} has no open {spec}"
    return tasks[0].id


def _submit(page: Any, base: str, task_id: str, values: dict[str, str]) -> None:
    """Fill the task form (selects by option value) and submit it."""
    page.goto(f"{base}/tasks/{task_id}")
    for name, value in values.items():
        field = page.locator(f"#field-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    page.get_by_role("button", name="提交", exact=True).click()
    page.wait_for_url(f"{base}/cases/**")


def _register(page: Any, base: str, channel: str, helper: str = "") -> str:
    page.goto(f"{base}/counter/register")
    page.get_by_label("渠道").select_option(channel)
    if helper:
        page.get_by_label("帮办人（帮办代办时填写）").fill(helper)
    page.get_by_label("诉求类型").select_option("coordination")
    page.get_by_label("标题").fill("独居老人房屋漏雨申请救助")
    page.get_by_label("详细情况").fill("老人独居，房屋漏雨，行动不便，由网格员代为来电反映。")
    page.get_by_label("联系人").fill("周阿婆")
    page.get_by_label("联系电话").fill("13588120000")
    return page


def test_counter__clerk_registers_a_phone_matter_for_a_citizen_and_prints_the_receipt(
    demo_live: LiveServer,  # noqa: F811  (the fixture imported above)
    engine: Engine,
    new_page: Any,
) -> None:
    base = demo_live.url
    clerk = new_page()
    clerk.add_init_script("window.print = () => { window.__printed = true; };")
    sign_in(clerk, base, "wangfang", DEMO_PASSWORD)
    clerk.get_by_role("link", name="窗口登记").click()
    _register(clerk, base, "assisted", "网格员小李")
    screenshot(clerk, "counter-register")
    clerk.get_by_role("button", name="登记并打印回执").click()
    expect(clerk.get_by_test_id("channel")).to_have_text("帮办代办（帮办人：网格员小李）")
    key = clerk.get_by_test_id("case-no").inner_text()
    expect(clerk.get_by_test_id("tracking-code")).to_have_text(re.compile(r"^[0-9A-F]{8}$"))
    expect(clerk.locator(".counter-receipt")).not_to_contain_text("T0")  # no ISO time
    clerk.get_by_test_id("print-receipt").click()
    assert clerk.evaluate("window.__printed") is True
    clerk.emulate_media(media="print")
    expect(clerk.locator("header")).to_be_hidden()
    expect(clerk.get_by_test_id("print-receipt")).to_be_hidden()
    expect(clerk.locator(".counter-receipt")).to_be_visible()
    with engine.transaction() as service:
        case = service.cases.get(key)
    assert (case.data["channel"], case.data["assisted_by"]) == ("assisted", "网格员小李")
    assert [t.task_spec for t in case.tasks] == ["accept_case"]


def test_pass_up__village_clerk_passes_a_matter_up_and_the_town_clerk_receives_it(
    demo_live: LiveServer,  # noqa: F811  (the fixture imported above)
    engine: Engine,
    new_page: Any,
) -> None:
    base = demo_live.url
    village = new_page()
    sign_in(village, base, "zhaolei", DEMO_PASSWORD)
    _register(village, base, "village_collect")
    village.get_by_role("button", name="登记并打印回执").click()
    key = village.get_by_test_id("case-no").inner_text()
    task = _open_task(engine, key, "accept_case", "zhaolei")
    _submit(village, base, task, {"kind": "coordination", "handling_mode": "pass_up"})
    task = _open_task(engine, key, "pass_up_case", "zhaolei")
    _submit(village, base, task, {"pass_up_reason": "社区无权审批救助，需街道协调民政。"})

    town = new_page()
    sign_in(town, base, "wangfang", DEMO_PASSWORD)
    town.goto(f"{base}/inbox?tab=group")
    row = town.locator("tr", has_text="独居老人房屋漏雨申请救助")
    expect(row).to_contain_text("接收上交")
    task = _open_task(engine, key, "receive_pass_up", "wangfang")
    town.goto(f"{base}/tasks/{task}")
    expect(town.locator("[data-field='pass_up_reason']")).to_contain_text("社区无权审批救助")
    _submit(town, base, task, {"pass_up_decision": "accept"})
    expect(town.locator(".timeline")).to_contain_text("上交上级窗口")
    with engine.transaction() as service:
        case = service.cases.get(key)
    assert case.data["intake_unit"] == "town_a" and case.data["passed_up_from"] == "village_a1"
    assert [t.task_spec for t in case.tasks] == ["accept_case"]
    assert case.tasks[0].candidate_groups == ("clerks:town_a",)


def test_transfer__handler_transfers_to_another_department_which_gets_it(
    demo_live: LiveServer,  # noqa: F811  (the fixture imported above)
    engine: Engine,
    new_page: Any,
) -> None:
    base = demo_live.url
    with engine.transaction() as service:
        data = {
            "title": "独居老人申请临时救助", "description": "房屋漏雨，老人无力修缮。",
            "kind": "coordination", "tier": "town", "intake_unit": "town_a", "channel": "phone",
            "contact": {"name": "周阿婆", "phone": "13588120000"},
        }  # fmt: skip
        key = service.cases.start("closed_loop", data=data, actor="wangfang").key
    clerk = new_page()
    sign_in(clerk, base, "wangfang", DEMO_PASSWORD)
    _submit(clerk, base, _open_task(engine, key, "accept_case", "wangfang"),
            {"kind": "coordination", "handling_mode": "dispatch"})  # fmt: skip
    _submit(clerk, base, _open_task(engine, key, "classify_case", "wangfang"),
            {"scope": "one_department", "lead_department": "housing"})  # fmt: skip

    handler = new_page()
    sign_in(handler, base, "huangtao", DEMO_PASSWORD)
    _submit(handler, base, _open_task(engine, key, "dh_sign", "huangtao"),
            {"sign_decision": "transfer"})  # fmt: skip
    task = _open_task(engine, key, "dh_transfer_request", "huangtao")
    handler.goto(f"{base}/tasks/{task}")
    handler.locator("#field-transfer_to").select_option("civil")
    handler.locator("#field-transfer_reason").fill("临时救助由民政局审批，不属住建局职责。")
    screenshot(handler, "transfer")
    handler.get_by_role("button", name="提交", exact=True).click()
    handler.wait_for_url(f"{base}/cases/**")

    task = _open_task(engine, key, "dh_confirm_transfer", "wangfang")
    clerk.goto(f"{base}/tasks/{task}")
    expect(clerk.locator("[data-field='transfer_to']")).to_contain_text("区民政局")
    expect(clerk.locator("[data-field='department']")).to_contain_text("区住建局")
    _submit(clerk, base, task, {"transfer_decision": "approve"})

    civil = new_page()
    sign_in(civil, base, "gaomin", DEMO_PASSWORD)
    civil.goto(f"{base}/inbox?tab=group")
    expect(civil.locator("tr", has_text="独居老人申请临时救助")).to_contain_text("签收")
    civil.goto(f"{base}/cases/{key}")
    expect(civil.locator(".timeline")).to_contain_text("转派部门")
    expect(civil.locator(".timeline")).not_to_contain_text("civil")


def test_first_response__timer_reminds_then_reaches_the_supervising_office_after_holiday(
    demo_live: LiveServer,  # noqa: F811  (the fixture imported above)
    engine: Engine,
    new_page: Any,
) -> None:
    base = demo_live.url
    received = datetime.fromisoformat("2026-09-30T10:00:00+08:00")  # the eve of National Day
    with engine.transaction() as service:
        data = {
            "title": "残疾人补贴停发", "description": "父亲的残疾人两项补贴从 8 月起停发。",
            "kind": "policy_consultation", "tier": "town", "intake_unit": "town_b",
            "channel": "phone", "contact": {"name": "许文", "phone": "13588127777"},
        }  # fmt: skip
        key = service.cases.start("closed_loop", data=data, actor="liuyang", at=received).key
    engine.fire_due_timers(datetime.fromisoformat("2026-09-30T17:01:00+08:00"))
    engine.fire_due_timers(datetime.fromisoformat("2026-10-07T23:00:00+08:00"))  # holiday
    with engine.transaction() as service:
        kinds = [e.kind for e in service.cases.history(key)]
    assert kinds.count("reminded") == 1 and "first_response_missed" not in kinds
    engine.fire_due_timers(datetime.fromisoformat("2026-10-08T10:01:00+08:00"))

    office = new_page()
    sign_in(office, base, "weiming", DEMO_PASSWORD)
    office.goto(f"{base}/inbox?tab=group")
    expect(office.locator("tr", has_text="残疾人补贴停发")).to_contain_text("首问超时督办")
    task = _open_task(engine, key, "supervise_first_response", "weiming")
    office.goto(f"{base}/tasks/{task}")
    due = office.locator("[data-field='first_response_due']")
    expect(due).to_contain_text("2026-10-08 10:00")
    expect(due).not_to_contain_text("T10:00")
    _submit(office, base, task, {"first_response_supervision": "已电话督促云溪街道窗口当天答复。"})
    timeline = office.locator(".timeline")
    expect(timeline).to_contain_text("催办")
    expect(timeline).to_contain_text("首次响应超时")
