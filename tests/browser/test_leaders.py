"""Leaders in the browser: the heatmap, the monthly meeting, the bulletin, the knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.service import Engine
from engine.settings import Settings
from tests.processes.rates_scenario import driven_database
from tests.web.conftest import PASSWORD, make_app
from tests.web.test_leaders import SIMILAR, _prepare

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ten scenario cases, a knowledge-base entry and September's meeting."""
    path = driven_database(tmp_path_factory.mktemp("leaders-browser"), PASSWORD)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=path.parent))
    _prepare(engine)
    engine.close()
    return path


@pytest.fixture
def live_leaders(prepared: Path, tmp_path: Path, browser: Any) -> Iterator[LiveServer]:
    path = tmp_path / "mashangban.db"
    shutil.copy(prepared, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    app = make_app(engine, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    engine.close()
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def test_heatmap__leader_opens_it_from_the_dashboard_and_the_plot_is_drawn(
    live_leaders: LiveServer, new_page: Any
) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, live_leaders.url, "yuanhua")
    page.get_by_role("link", name="三率看板").click()
    page.get_by_role("link", name="热力图", exact=True).click()
    page.wait_for_url(f"{live_leaders.url}/leaders/heatmap")
    page.locator("#chart-heatmap svg").wait_for()
    table = page.get_by_test_id("heatmap")
    cell = table.locator('td[data-row="policy_consultation"][data-column="town_a"]')
    assert cell.inner_text().startswith("3")
    assert page.locator("#chart-heatmap svg text", has_text="区政务服务中心").count() >= 1
    page.get_by_label("列").select_option("month")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**columns=month**")
    assert table.locator("thead th", has_text="2026-09").count() == 1
    screenshot(page, "heatmap")


def test_meeting__member_decides_the_first_item_on_the_page(
    live_leaders: LiveServer, new_page: Any
) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, live_leaders.url, "panzhiqiang")
    page.goto(f"{live_leaders.url}/meetings")
    page.get_by_test_id("meetings").get_by_role("link").first.click()
    first = page.get_by_test_id("agenda").locator("li[data-case]").first
    case_key = first.get_attribute("data-case")
    first.get_by_label("决定类型").select_option("assign")
    first.get_by_label("责任单位").fill("区住建局")
    first.get_by_label("会议决定").fill("交区住建局限三个工作日内办结，纳入月度督办。")
    first.get_by_label("承办部门", exact=True).select_option(label="区住建局")
    first.get_by_label("办理时限（工作日）").fill("3")
    first.get_by_role("button", name="记录决定").click()
    decision = first.get_by_test_id("decision")
    decision.wait_for()
    assert "区住建局" in decision.inner_text() and "交办部门限期办理" in decision.inner_text()
    assert "3 个工作日" in decision.inner_text()
    with live_leaders.app.extensions["mashangban.engine"].transaction() as service:
        handling = service.cases.history(case_key)[-1].inputs["handling_case"]
        tasks = [t for t in service.tasks.open() if t.case_key == handling]
    assert [(t.task_spec, t.candidate_groups) for t in tasks] == [("dh_sign", ("dept:housing",))]
    second = page.get_by_test_id("agenda").locator("li[data-case]").nth(1)
    if second.count():
        second.get_by_label("决定类型").wait_for()  # the next item is now up for decision
    screenshot(page, "meeting")


def test_bulletin__prints_without_the_navigation(live_leaders: LiveServer, new_page: Any) -> None:
    page = new_page(width=1000, height=1200)
    sign_in(page, live_leaders.url, "yuanhua")
    page.goto(f"{live_leaders.url}/leaders/bulletin?month=2026-09")
    bulletin = page.get_by_test_id("bulletin")
    assert "本月受理 6 件" in bulletin.inner_text()
    page.emulate_media(media="print")
    assert not page.locator("header nav").first.is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    assert bulletin.is_visible()
    screenshot(page, "bulletin")


def test_knowledge__clerk_finds_the_entry_by_a_two_character_word(
    live_leaders: LiveServer, new_page: Any
) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, live_leaders.url, "zhaolei")
    page.goto(f"{live_leaders.url}/knowledge")
    page.get_by_label("搜索知识库").fill("补贴")
    page.get_by_role("button", name="搜索").click()
    results = page.get_by_test_id("kb-results")
    assert "KB-1" in results.inner_text()
    screenshot(page, "knowledge")
    results.get_by_role("link").first.click()
    assert "C03" in page.get_by_test_id("kb-entry").inner_text()
    with live_leaders.app.extensions["mashangban.engine"].transaction() as service:
        service.cases.start("closed_loop", key="C21", data=SIMILAR, actor="wangfang")
        task = next(t for t in service.tasks.inbox("wangfang") if t.case_key == "C21")
    clerk = new_page(width=1280, height=900)
    sign_in(clerk, live_leaders.url, "wangfang")  # the receiving clerk accepts the matter
    clerk.goto(f"{live_leaders.url}/tasks/{task.id}")
    suggested = clerk.get_by_test_id("kb-suggestions")
    assert "KB-1" in suggested.inner_text()
    suggested.get_by_role("button", name="将 KB-1 关联到本案").click()
    clerk.get_by_text("已将知识库条目 KB-1 关联到本案。").wait_for()
    clerk.goto(f"{live_leaders.url}/cases/C21")
    assert "关联知识库条目：KB-1" in clerk.locator("ol.timeline").inner_text()
