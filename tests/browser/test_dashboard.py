"""A leader opens the 三率 dashboard: the figures shown are the API's, the plots are drawn."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.service import Engine
from engine.settings import Settings
from tests.processes.rates_scenario import driven_database
from tests.web.conftest import PASSWORD, api_token, make_app

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ten scenario cases with the demo staff."""
    return driven_database(tmp_path_factory.mktemp("dashboard"), PASSWORD)


@pytest.fixture
def live_rates(driven: Path, tmp_path: Path, browser: Any) -> Iterator[LiveServer]:
    path = tmp_path / "mashangban.db"
    shutil.copy(driven, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    app = make_app(engine, TESTING=False, MASHANGBAN_ENV="testing",
                   MASHANGBAN_INTAKE_PROCESS="closed_loop")  # fmt: skip
    engine.close()
    server = LiveServer(app)
    yield server
    server.close()
    app.extensions["mashangban.engine"].close()


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def test_dashboard__leader_sees_the_api_numbers_and_the_plots(
    live_rates: LiveServer, new_page: Any
) -> None:
    client = live_rates.app.test_client()
    (total,) = client.get("/api/v1/reports/rates",
                          headers=api_token(client, "yuanhua")).get_json()["rows"]  # fmt: skip
    units = client.get("/api/v1/reports/rates?group_by=unit",
                       headers=api_token(client, "yuanhua")).get_json()["rows"]  # fmt: skip
    page = new_page(width=1280, height=900)
    sign_in(page, live_rates.url, "yuanhua")
    page.get_by_role("link", name="三率看板").click()
    page.wait_for_url(f"{live_rates.url}/dashboard")
    for key, numerator, denominator in (
        ("response_rate", "responded_on_time", "response_judged"),
        ("on_time_rate", "finished_on_time", "finished_or_overdue"),
        ("satisfaction_rate", "satisfied", "rated"),
    ):
        assert page.locator(f"[data-rate={key}]").inner_text() == _percent(total[key])
        shown = page.locator(f"[data-count={key}]").inner_text()
        assert shown == f"{total[numerator]} / {total[denominator]}"
    ranking = page.get_by_test_id("ranking")
    by_unit = {row["group"]: row for row in units}
    for group in ("district", "town_a", "village_a1"):
        cell = ranking.locator(f"tr[data-group={group}] [data-field=satisfaction_rate]")
        assert cell.inner_text().startswith(_percent(by_unit[group]["satisfaction_rate"]))
    assert ranking.locator("tbody tr").first.get_attribute("data-group") == "town_a"
    page.locator("#chart-trend svg").wait_for()
    page.locator("#chart-ranking svg").wait_for()
    assert "区市场监管局" in page.get_by_test_id("overdue").inner_text()  # C09's holder
    screenshot(page, "dashboard")


def test_dashboard__clerk_sees_own_unit_and_admin_has_no_link(
    live_rates: LiveServer, new_page: Any
) -> None:
    page = new_page()
    sign_in(page, live_rates.url, "zhaolei")
    page.goto(f"{live_rates.url}/dashboard")
    ranking = page.get_by_test_id("ranking").locator("tbody tr")
    assert [ranking.nth(i).get_attribute("data-group") for i in range(ranking.count())] == [
        "village_a1"
    ]
    admin = new_page()
    sign_in(admin, live_rates.url, "qianjin")
    assert admin.get_by_role("link", name="三率看板").count() == 0
    assert admin.goto(f"{live_rates.url}/dashboard").status == 403
