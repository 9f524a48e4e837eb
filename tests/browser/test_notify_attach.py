"""In Chromium: a citizen's photo reaches the clerk as a thumbnail; the bell counts the task."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from engine.service import Engine
from tests.web.test_attachments_engine import photo

from .conftest import LiveServer, screenshot, sign_in
from .walk import Appeal, next_task

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def attachment_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app keeps files in this test's folder, not the checkout's instance/ folder."""
    monkeypatch.setenv("MASHANGBAN_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return tmp_path / "attachments"


def test_photo_with_submission__clerk_sees_thumbnail_and_bell(
    live: LiveServer, seeded: Engine, new_page: Any, tmp_path: Path
) -> None:
    picture = tmp_path / "漏水的屋顶.jpg"
    picture.write_bytes(photo((1200, 900)))
    appeal, base = Appeal(), live.url
    citizen = new_page()
    citizen.goto(f"{base}/appeal")
    citizen.get_by_label("诉求类型").select_option(label=appeal.kind_label)
    citizen.get_by_label("标题").fill(appeal.title)
    citizen.get_by_label("详细情况").fill(appeal.description)
    citizen.get_by_label("受理层级").select_option(label=appeal.tier_label)
    citizen.get_by_label("受理窗口").select_option(label=appeal.window_label)
    citizen.get_by_label("联系人").fill(appeal.name)
    citizen.get_by_label("联系电话").fill(appeal.phone)
    citizen.get_by_label("不通知").check()
    citizen.locator("#files").set_input_files(str(picture))
    citizen.get_by_role("button", name="提交").click()
    expect(citizen.get_by_role("heading", name="已收到您的反映")).to_be_visible()
    appeal.key = citizen.get_by_test_id("case-no").inner_text().strip()

    clerk = new_page()
    sign_in(clerk, base, "li")
    expect(clerk.get_by_test_id("unread")).to_have_text("1")
    task = next_task(seeded, appeal.key)
    assert task is not None
    clerk.goto(f"{base}/tasks/{task.id}")
    thumb = clerk.get_by_test_id("thumbnail")
    expect(thumb).to_have_attribute("alt", "漏水的屋顶.jpg")
    size = "i => Math.max(i.naturalWidth, i.naturalHeight)"
    assert thumb.evaluate(size) == 320  # the browser decoded the thumbnail
    expect(clerk.locator("ol.timeline")).to_contain_text("添加附件：漏水的屋顶.jpg（SHA-256 ")
    screenshot(clerk, "task-attachments")
    clerk.get_by_test_id("bell").click()
    expect(clerk.get_by_test_id("notices")).to_contain_text("新待办：受理登记")
    screenshot(clerk, "notifications")
