"""The joint meeting closes a case on the meeting page; the case page shows it closed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.processes.test_meetings import DECISION

from .conftest import LiveServer, sign_in
from .test_leaders import live_leaders, prepared  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
EXPLANATION = "经核查，该事项已由企业自行整改到位，会议决定向群众解释说明后办结销号。"


def test_meeting__member_closes_a_case_with_an_explanation(
    live_leaders: LiveServer,  # noqa: F811
    new_page: Any,
) -> None:
    engine = live_leaders.app.extensions["mashangban.engine"]
    with engine.transaction() as service:  # the items before C09 were decided 'continue'
        meetings = service.leadership.meetings
        (meeting,) = meetings.list("panzhiqiang")
        for item in meeting.items[:-1]:
            meetings.decide(meeting.key, item.case_key, "panzhiqiang", DECISION)
    page = new_page(width=1280, height=900)
    sign_in(page, live_leaders.url, "panzhiqiang")
    page.goto(f"{live_leaders.url}/meetings/{meeting.key}")
    item = page.get_by_test_id("agenda").locator('li[data-case="C09"]')
    item.get_by_label("决定类型").select_option(label="办结销号")
    item.get_by_label("责任单位").fill("区市场监管局")
    item.get_by_label("会议决定").fill(EXPLANATION)
    item.get_by_role("button", name="记录决定").click()
    decision = item.get_by_test_id("decision")
    decision.wait_for()
    assert "办结销号" in decision.inner_text() and EXPLANATION in decision.inner_text()
    item.get_by_role("link", name="诉求 C09").click()
    page.wait_for_url(f"{live_leaders.url}/cases/C09")
    body = page.locator("main").inner_text()
    assert "已办结" in body
    assert "联席会议决定：办结销号" in body and EXPLANATION in body
    with engine.transaction() as service:
        case = service.cases.get("C09")
    assert (case.status, case.data["outcome"]) == ("completed", "explained")
