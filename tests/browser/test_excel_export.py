"""The Excel export opens with openpyxl and holds the same numbers as the rates API."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.web.conftest import PASSWORD

from .conftest import LiveServer, sign_in
from .test_leaders import live_leaders, prepared  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow
XLSX = "/api/v1/reports/rates.xlsx"


def _api(base: str, path: str, token: str | None = None, body: Any = None) -> Any:
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_excel_export__opens_with_openpyxl_and_holds_the_same_numbers(
    live_leaders: LiveServer,  # noqa: F811
    new_page: Any,
    tmp_path: Path,
) -> None:
    page = new_page(width=1280, height=900)
    sign_in(page, live_leaders.url, "yuanhua")
    page.get_by_role("link", name="三率看板").click()
    page.get_by_label("分组").select_option(label="受理单位")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**group_by=unit**")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    saved = tmp_path / "rates.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:5] == ("分组", "受理件数", "按时响应", "应响应", "响应率")
    token = _api(live_leaders.url, "/api/v1/auth/token",
                 body={"username": "yuanhua", "password": PASSWORD})["access_token"]  # fmt: skip
    rows = _api(live_leaders.url, "/api/v1/reports/rates?group_by=unit", token)["rows"]
    assert len(rows) >= 3 and sum(r["received"] for r in rows) == 10
    keys = ("group", "received", "responded_on_time", "response_judged", "response_rate",
            "finished", "finished_on_time", "finished_or_overdue", "on_time_rate", "rated",
            "satisfied", "satisfaction_rate")  # fmt: skip
    assert [list(row[: len(keys)]) for row in table[1:]] == [[r[k] for k in keys] for r in rows]
    document = _api(live_leaders.url, "/api/v1/openapi.json")
    operation = document["paths"][XLSX]["get"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in (
        operation["responses"]["200"]["content"])  # fmt: skip
