"""The SLA heatmap on the diagram, page and API, over the ten-case scenario: the figures per
element, the tier and period filters, the role checks and named parameter errors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.service import Engine
from engine.settings import Settings
from tests.processes.rates_scenario import driven_database

from .conftest import PASSWORD, api_token, login, make_app

pytestmark = pytest.mark.slow
URL = "/api/v1/processes/closed_loop/heatmap"


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return driven_database(tmp_path_factory.mktemp("process-heat"), PASSWORD)


@pytest.fixture
def app(driven: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "mashangban.db"
    shutil.copy(driven, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    made = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    engine.close()
    yield made
    made.extensions["mashangban.engine"].close()


def _api(app: Flask, username: str, query: str = "") -> tuple[int, dict]:
    client = app.test_client()
    response = client.get(URL + query, headers=api_token(client, username))
    return response.status_code, response.get_json()


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def test_process_heatmap__api_gives_each_elements_cases_working_time_and_breaches(
    app: Flask,
) -> None:
    status, body = _api(app, "yuanhua")
    assert status == 200 and (body["process_id"], body["version"]) == ("closed_loop", 1)
    accept = next(e for e in body["elements"] if e["element_id"] == "accept_case")
    assert (accept["name"], accept["cases"], accept["breached"], accept["with_due"]) == (
        "受理研判", 10, 1, 10)  # fmt: skip
    assert accept["median_working_hours"] == 0.5
    assert accept["case_list"][0]["key"] == "C02" and accept["case_list"][0]["breached"]
    status, town = _api(app, "yuanhua", "?tier=town&from=2026-09-01&to=2026-10-31")
    counts = {e["element_id"]: e["cases"] for e in town["elements"]}
    assert status == 200 and counts["accept_case"] == 3


def test_process_heatmap__leaders_and_process_admins_read_it_clerks_get_403(app: Flask) -> None:
    assert _api(app, "qianjin")[0] == 200  # process admin
    assert _api(app, "wangfang")[0] == 403  # town clerk
    client = app.test_client()
    missing = client.get("/api/v1/processes/no_such/heatmap", headers=api_token(client, "yuanhua"))
    assert missing.status_code == 404


def test_process_heatmap__bad_parameters_are_named(app: Flask) -> None:
    for query, field in (("?version=9", "version"), ("?version=two", "version"),
                         ("?tier=county", "tier"), ("?from=2026-10-09&to=2026-10-01", "to"),
                         ("?from=yesterday", "from")):  # fmt: skip
        status, body = _api(app, "yuanhua", query)
        assert status == 422 and field in body["error"]["fields"], (query, body)


def test_process_heat_page__colours_the_table_and_lists_the_chosen_elements_cases(
    app: Flask,
) -> None:
    page = _signed_in(app, "yuanhua").get("/leaders/process-heatmap?element=accept_case")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-element="accept_case" data-level="5"' in html  # the most cases: darkest
    assert 'data-element="pass_up_case" data-level="0"' in html  # nobody passed it up
    assert '<div data-cases-for="accept_case" >' in html  # shown; the others are hidden
    assert 'href="/cases/C02">C02 诉求 C02</a>' in html
    assert "bpmn-navigated-viewer.js" in html
    breach = _signed_in(app, "yuanhua").get("/leaders/process-heatmap?metric=breach")
    assert 'data-element="review_unsatisfied" data-level="5"' in breach.get_data(as_text=True)
    bad = _signed_in(app, "yuanhua").get("/leaders/process-heatmap?tier=county")
    assert bad.status_code == 200 and "is-invalid" in bad.get_data(as_text=True)
    assert _signed_in(app, "wangfang").get("/leaders/process-heatmap").status_code == 403
