"""The auditor 沈怡 (shenyi) steps through a finished closed-loop case that was escalated
and re-handled, on its diagram and inside the processes it called, then verifies it:
an edited event and a deleted last event (caught with the exported heads)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from engine.models import Case, CaseEvent
from engine.service import Engine
from tests.auditcase import KEY, audit_engine, audit_template  # noqa: F401  (fixtures)
from tests.web.conftest import make_app

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def audit_live(audit_engine: Engine, browser: Any) -> Iterator[LiveServer]:  # noqa: F811
    app = make_app(audit_engine, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def at_step(page: Any, step: int, process: str = "closed_loop") -> None:
    """Wait until the diagram shows `process` at `step`."""
    diagram = page.locator("#replay-diagram")
    expect(diagram).to_have_attribute("data-step", str(step))
    expect(diagram).to_have_attribute("data-process", process)
    expect(diagram).to_have_attribute("data-state", "ready")
    expect(page.locator("#replay-counter")).to_have_text(f"{step} / 17")
    expect(page.locator(f".replay-step[data-step='{step}']")).to_be_visible()


def marked(page: Any, marker: str) -> set[str]:
    """Element ids the diagram marks as completed or active now."""
    ids = page.locator(f".djs-element.msb-{marker}").evaluate_all(
        "nodes => nodes.map(n => n.getAttribute('data-element-id'))"
    )
    return set(ids)


# closed_loop's boundaries that wait for the monthly meeting's decision (issue 12): active
# whenever their activity is, so the assertions below leave them out
MEETING_BOUNDARIES = {"meeting_decides_first_response", "meeting_decides_classify",
                      "meeting_decides_handling", "meeting_decides_ladder",
                      "meeting_decides_consultation"}  # fmt: skip


def diff_row(page: Any, step: int, key: str) -> Any:
    return page.locator(f".replay-step[data-step='{step}'] tr.diff-row[data-key='{key}']")


def test_auditor_replays_an_escalated_rehandled_case_step_by_step(
    audit_live: LiveServer, new_page: Any
) -> None:
    base, page = audit_live.url, new_page()
    sign_in(page, base, "shenyi")
    page.goto(f"{base}/cases/{KEY}")
    page.get_by_role("link", name="逐步回放").click()
    at_step(page, 1)
    # the first response waits in accept_case, inside its sub-process with its two timers
    first = {"first_response", "first_response_remind", "first_response_overdue"}
    assert marked(page, "active") - first - MEETING_BOUNDARIES == {"accept_case"}
    seen_active: dict[int, set[str]] = {1: marked(page, "active") - MEETING_BOUNDARIES}
    for step in range(2, 18):
        page.get_by_role("button", name="下一步").click()
        at_step(page, step)
        seen_active[step] = marked(page, "active") - MEETING_BOUNDARIES
        if step == 4:  # 黄涛 signed: inside the department's handling, 办理 waits
            assert "handle_by_departments" in seen_active[4]
            page.locator("#replay-called button[data-process='department_handling']").click()
            at_step(page, 4, "department_handling")
            assert "dh_sign" in marked(page, "completed")
            assert "dh_handle" in marked(page, "active")
            page.get_by_role("button", name="返回主流程").click()
            at_step(page, 4)
        if step == 6:  # the deadline passed: escalated to the chief representative
            level = diff_row(page, 6, "level")
            expect(level.locator(".diff-before")).to_contain_text("一级")
            expect(level.locator(".diff-after")).to_contain_text("二级")
            assert "escalate_case" in seen_active[6]
            assert "handle_by_departments" in marked(page, "completed")
            screenshot(page, "audit-replay")
            page.locator(".djs-element[data-element-id='escalate_case']").dblclick()
            at_step(page, 6, "escalation_ladder")
            assert "el_level2" in marked(page, "active")
            page.get_by_role("button", name="返回主流程").click()
            at_step(page, 6)
        if step == 10:
            panel = page.locator(".replay-step[data-step='10']")
            expect(panel.locator(".step-what")).to_have_text("群众评价：不满意")
            expect(diff_row(page, 10, "rating").locator(".diff-after")).to_have_text("不满意")
        if step == 11:  # the supervising office sent it back to be handled again
            expect(diff_row(page, 11, "rehandle_count").locator(".diff-after")).to_have_text("1")
            assert seen_active[11] == {"classify_case"}
    assert seen_active[16] == {"analyse_root_cause"} and seen_active[17] == set()
    assert "analyse_root_cause" in marked(page, "completed")
    page.locator("body").press("ArrowLeft")
    at_step(page, 16)
    page.locator("body").press("ArrowRight")
    at_step(page, 17)


def test_auditor_verifies__edited_event_named_and_deleted_last_event_caught_with_heads(
    audit_live: LiveServer,
    audit_engine: Engine,  # noqa: F811
    new_page: Any,
    tmp_path: Path,
) -> None:
    base, page = audit_live.url, new_page()
    with audit_engine.reading() as service:
        heads = tmp_path / "heads.json"
        heads.write_text(json.dumps(service.chain.export_checkpoints()))
    sign_in(page, base, "shenyi")
    page.goto(f"{base}/cases/{KEY}")
    page.get_by_role("button", name="核验本案").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-intact", "true")

    with audit_engine.transaction() as service:
        case = service.session.scalars(select(Case).where(Case.business_key == KEY)).one()
        service.session.execute(update(CaseEvent).where(
            CaseEvent.case_id == case.id, CaseEvent.seq == 8
        ).values(data_after={"public_reply": "已办结", "outcome": "resolved"}))  # fmt: skip
    page.goto(f"{base}/cases/{KEY}")
    page.get_by_role("button", name="核验本案").click()
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-intact", "false")
    expect(result.locator("li[data-seq='8']")).to_contain_text("第 8 个事件：记录后内容被修改")
    screenshot(page, "audit-verify-failed")

    with audit_engine.transaction() as service:
        session = service.session
        case = session.scalars(select(Case).where(Case.business_key == KEY)).one()
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.seq)).all()  # fmt: skip
        session.delete(events[-1])
        case.last_seq, case.head_hash = events[-2].seq, events[-2].hash
    page.goto(f"{base}/cases/{KEY}")
    page.locator("#heads-file").set_input_files(str(heads))
    page.get_by_role("button", name="核验本案").click()
    truncated = page.get_by_test_id("verify-result").locator("li[data-seq='17']")
    expect(truncated).to_contain_text("导出链头之后记录被截短")
