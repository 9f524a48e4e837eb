"""In Chromium: the public form's window list follows the chosen tier."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import LiveServer

pytestmark = pytest.mark.browser
OFFERED = """() => Array.from(document.querySelectorAll('#intake_unit option[data-tier]'))
    .filter(o => !o.matches(':disabled') && !o.parentElement.hidden)
    .map(o => [o.dataset.tier, o.textContent])"""


def test_window_list_follows_the_tier(live: LiveServer, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{live.url}/appeal")
    every = page.evaluate(OFFERED)
    assert {tier for tier, _name in every} == {"district", "town", "village"}
    for label, tier in (("镇街窗口", "town"), ("村社服务站", "village"), ("区级窗口", "district")):
        page.get_by_label("受理层级").select_option(label=label)
        offered = page.evaluate(OFFERED)
        assert offered and {t for t, _name in offered} == {tier}, (label, offered)
    page.get_by_label("受理层级").select_option(label="镇街窗口")
    page.get_by_label("受理窗口").select_option(label="城厢街道便民服务中心")
    page.get_by_label("受理层级").select_option(label="村社服务站")
    expect(page.get_by_label("受理窗口")).to_have_value("")  # a town window no longer fits
    page.get_by_label("受理层级").select_option(value="")
    assert len(page.evaluate(OFFERED)) == len(every)  # no tier: every window again
