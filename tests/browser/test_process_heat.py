"""The SLA heatmap in the browser: the diagram's elements coloured by their figures."""

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

from .conftest import LiveServer, screenshot, sign_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return driven_database(tmp_path_factory.mktemp("process-heat-browser"), PASSWORD)


@pytest.fixture
def live_heat(driven: Path, tmp_path: Path, browser: Any) -> Iterator[LiveServer]:
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


def _fill(page: Any, element_id: str) -> str:
    shape = page.locator(f'g.djs-element[data-element-id="{element_id}"] .djs-visual > rect')
    return str(shape.first.evaluate("node => getComputedStyle(node).fill"))


def test_process_heatmap__colours_the_expected_element_and_lists_its_cases(
    live_heat: LiveServer, new_page: Any
) -> None:
    page = new_page(width=1440, height=1000)
    sign_in(page, live_heat.url, "yuanhua")
    page.goto(f"{live_heat.url}/dashboard")
    page.get_by_role("link", name="环节热力图").click()
    page.locator('#heat-diagram[data-state="ready"]').wait_for()
    darkest = page.locator(".legend-heat-5").first.evaluate(
        "node => getComputedStyle(node).backgroundColor"
    )
    accept = page.locator('g.djs-element[data-element-id="accept_case"]')
    assert "msb-heat-5" in (accept.get_attribute("class") or "")  # all ten cases passed it
    assert _fill(page, "accept_case") == darkest
    assert _fill(page, "pass_up_case") != darkest  # no case was passed up
    page.get_by_label("着色依据").select_option("breach")
    page.get_by_role("button", name="查询").click()
    page.locator('#heat-diagram[data-state="ready"]').wait_for()
    assert _fill(page, "review_unsatisfied") == darkest  # both reviews are overdue
    assert _fill(page, "accept_case") != darkest  # one of ten breached
    page.locator('g.djs-element[data-element-id="review_unsatisfied"]').click()
    cases = page.locator('[data-cases-for="review_unsatisfied"]')
    cases.wait_for(state="visible")
    assert cases.get_by_role("link", name="C04 诉求 C04").is_visible()
    row = page.get_by_test_id("heat-table").locator('tr[data-element="review_unsatisfied"]')
    assert "heat-chosen" in (row.get_attribute("class") or "")
    screenshot(page, "process-heatmap")
