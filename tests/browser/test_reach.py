"""Issue 14 in a browser: an enterprise scans a printed 一键直达 code and reports; a clerk
sees a duplicate suggested beside registration and merges it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.service import Engine
from engine.settings import Settings
from tests.reachcase import MARKET_STAFF, STREETLIGHT, STREETLIGHT_AGAIN, appeal, set_up
from tests.web.conftest import PASSWORD, make_app

from .conftest import LiveServer, screenshot, sign_in


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.database import upgrade

    folder = tmp_path_factory.mktemp("reach-browser")
    url = f"sqlite:///{folder / 'mashangban.db'}"
    upgrade(url)
    engine = Engine(Settings(database_url=url, instance_path=folder))
    set_up(engine, password=PASSWORD)
    engine.close()
    return folder / "mashangban.db"


@pytest.fixture
def live_demo(demo_file: Path, tmp_path: Path, browser: Any) -> Iterator[LiveServer]:
    path = tmp_path / "mashangban.db"
    shutil.copy(demo_file, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    engine.close()
    app = make_app(engine, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def _engine(server: LiveServer) -> Engine:
    engine: Engine = server.app.extensions["mashangban.engine"]
    return engine


def test_direct__printed_code_to_report_to_the_discipline_inbox(
    live_demo: LiveServer, new_page: Any
) -> None:
    office = new_page(width=1024, height=800)
    sign_in(office, live_demo.url, "xiewen")
    office.get_by_role("link", name="直达码").click()
    office.get_by_label("适用范围").select_option(label="企业专属码")
    office.get_by_label("企业或区域名称").fill("临江鲜丰食品有限公司")
    office.get_by_role("button", name="生成二维码").click()
    qr = office.get_by_test_id("qr")
    expect(qr).to_be_visible()
    # the SVG from /qr.svg really decodes as an image (it may still be loading: wait for it)
    office.wait_for_function("document.querySelector('[data-testid=qr]').naturalWidth > 100")
    target = office.get_by_test_id("target").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(live_demo.url)}/direct/[\w-]+", target), target
    screenshot(office, "direct-qr")

    enterprise = new_page(width=820, height=1000)  # a tablet-sized screen
    enterprise.goto(target)  # what scanning the printed code opens
    expect(enterprise.get_by_test_id("code-label")).to_contain_text("临江鲜丰食品有限公司")
    expect(enterprise.get_by_label("企业名称")).to_have_value("临江鲜丰食品有限公司")
    enterprise.get_by_label("被反映的单位").select_option(label="区市场监管局")
    enterprise.get_by_label("标题").fill("检查人员暗示请吃饭")
    enterprise.get_by_label("详细情况").fill(
        "11月20日市场监管所两名检查人员检查时暗示请吃饭，否则下月再来查。"
    )
    enterprise.get_by_role("button", name="直达纪检监察组").click()
    expect(enterprise.locator("#contact-name-error")).to_be_visible()  # named: needs a contact
    enterprise.get_by_label("匿名反映（不留姓名）").check()
    enterprise.get_by_label("联系电话").fill("13900001111")
    screenshot(enterprise, "direct-report")
    enterprise.get_by_role("button", name="直达纪检监察组").click()
    expect(enterprise.get_by_role("heading", name="已收到您的反映")).to_be_visible()
    key = enterprise.get_by_test_id("case-no").inner_text().strip()

    office.goto(f"{live_demo.url}/inbox?tab=group")
    expect(office.get_by_role("link", name="检查人员暗示请吃饭", exact=True)).to_be_visible()
    office.goto(f"{live_demo.url}/cases/{key}")
    expect(office.get_by_test_id("direct-contact")).to_contain_text("13900001111")
    for username in MARKET_STAFF:
        accused = new_page()
        sign_in(accused, live_demo.url, username)
        accused.goto(f"{live_demo.url}/inbox?tab=group")
        expect(accused.get_by_text("检查人员暗示请吃饭")).to_have_count(0)
        response = accused.goto(f"{live_demo.url}/cases/{key}")
        assert response is not None and response.status == 404


def test_duplicate__suggested_beside_registration_and_merged(
    live_demo: LiveServer, new_page: Any
) -> None:
    with _engine(live_demo).transaction() as service:
        main = service.cases.start("closed_loop", data=appeal(*STREETLIGHT), actor="public").key
        dup = service.cases.start("closed_loop", data=appeal(*STREETLIGHT_AGAIN), actor="public")
    task = next(t for t in dup.tasks if t.task_spec == "accept_case")
    clerk = new_page(width=1280, height=900)
    sign_in(clerk, live_demo.url, "wangfang")
    clerk.goto(f"{live_demo.url}/tasks/{task.id}")
    panel = clerk.get_by_test_id("duplicates")
    expect(panel).to_contain_text(main)
    expect(panel).to_contain_text("滨江社区便民服务站")
    expect(panel).to_contain_text("相似度")
    screenshot(clerk, "duplicate-suggestion")
    panel.get_by_role("button", name="并入此案（本案为重复件）").click()
    clerk.wait_for_url(f"{live_demo.url}/cases/{main}")
    expect(clerk.get_by_test_id("merged-from")).to_contain_text(dup.key)
    clerk.goto(f"{live_demo.url}/cases/{dup.key}")
    expect(clerk.get_by_test_id("merged-into")).to_contain_text(main)
    expect(clerk.get_by_text("已并案").first).to_be_visible()
