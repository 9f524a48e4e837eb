"""Personal data in the browser: the receiving window sees the citizen's phone in full, the
department handler whose task is done sees it masked, and the auditor finds the full view in
the access log (reached from the menu)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.service import Engine
from tests.auditcase import KEY, audit_engine, audit_template  # noqa: F401  (fixtures)
from tests.web.conftest import make_app

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def privacy_live(audit_engine: Engine, browser: Any) -> Iterator[LiveServer]:  # noqa: F811
    app = make_app(audit_engine, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def test_phone_masked_for_a_finished_handler_full_view_in_the_access_log(
    privacy_live: LiveServer, new_page: Any
) -> None:
    base = privacy_live.url
    clerk = new_page()
    sign_in(clerk, base, "lina")  # 李娜, the district window that received the case
    clerk.goto(f"{base}/cases/{KEY}")
    expect(clerk.get_by_test_id("contact")).to_contain_text("13705712345")
    expect(clerk.get_by_test_id("personal-full")).to_be_visible()

    handler = new_page()
    sign_in(handler, base, "huangtao")  # 区住建局, whose tasks on the case are done
    handler.goto(f"{base}/cases/{KEY}")
    expect(handler.get_by_test_id("contact")).to_contain_text("137****2345")
    expect(handler.get_by_test_id("contact")).not_to_contain_text("13705712345")
    expect(handler.get_by_test_id("personal-masked")).to_be_visible()
    expect(handler.get_by_role("link", name="个人信息查看记录")).to_have_count(0)

    auditor = new_page()
    sign_in(auditor, base, "shenyi")
    auditor.get_by_role("link", name="个人信息查看记录").click()
    log = auditor.get_by_test_id("access-log")
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log).to_contain_text("李娜")
    expect(log).to_contain_text("受理窗口")
    expect(log).to_contain_text(KEY)
    screenshot(auditor, "privacy-access-log")
