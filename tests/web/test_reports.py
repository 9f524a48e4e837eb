"""The rates API (JSON, CSV, Excel) and its role checks, over the ten-case scenario."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook

from engine.reporting import RatesQuery
from engine.service import Engine
from engine.settings import Settings
from tests.processes.rates_scenario import driven_database

from .conftest import PASSWORD, api_token, login, make_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def driven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the ten scenario cases and the demo staff (password PASSWORD)."""
    return driven_database(tmp_path_factory.mktemp("rates"), PASSWORD)


@pytest.fixture
def reports_app(driven: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "mashangban.db"
    shutil.copy(driven, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    engine.close()
    yield app
    app.extensions["mashangban.engine"].close()


def _engine_total(app: Flask, viewer: str, **filters: str) -> dict:
    engine = app.extensions["mashangban.engine"]
    with engine.transaction() as service:
        return service.reports().rates(viewer, RatesQuery(filters=filters))[0].as_dict()


def test_rates_api__leader_gets_the_scenario_numbers(reports_app: Flask) -> None:
    client = reports_app.test_client()
    response = client.get("/api/v1/reports/rates", headers=api_token(client, "yuanhua"))
    assert response.status_code == 200
    (total,) = response.get_json()["rows"]
    assert total == _engine_total(reports_app, "yuanhua")
    assert (total["received"], total["responded_on_time"], total["response_rate"]) == (10, 9, 0.9)
    assert (total["rated"], total["satisfied"], total["satisfaction_rate"]) == (8, 6, 0.75)
    assert (total["finished"], total["finished_on_time"]) == (8, 7)


def test_rates_api__groups_by_unit_and_filters_by_period(reports_app: Flask) -> None:
    client = reports_app.test_client()
    headers = api_token(client, "xiewen")
    rows = client.get("/api/v1/reports/rates?group_by=unit", headers=headers).get_json()["rows"]
    assert [(r["group"], r["received"]) for r in rows] == [
        ("district", 4), ("town_a", 3), ("village_a1", 3)]  # fmt: skip
    september = client.get("/api/v1/reports/rates?from=2026-09-01&to=2026-09-30",
                           headers=headers).get_json()["rows"]  # fmt: skip
    assert september[0]["received"] == 6


def test_rates_api__bad_parameters_are_named(reports_app: Flask) -> None:
    client = reports_app.test_client()
    headers = api_token(client, "yuanhua")
    response = client.get("/api/v1/reports/rates?from=yesterday&group_by=x", headers=headers)
    assert response.status_code == 422
    assert "from" in response.get_json()["error"]["fields"]
    response = client.get("/api/v1/reports/rates?group_by=colour", headers=headers)
    assert response.status_code == 422
    assert "group_by" in response.get_json()["error"]["fields"]


def test_dashboard__a_bad_grouping_is_explained_in_the_readers_language(reports_app: Flask) -> None:
    client = reports_app.test_client()
    login(client, "yuanhua")
    page = client.get("/dashboard?group_by=colour").get_data(as_text=True)
    assert "“colour”不是可选项之一" in page
    assert "is not one of the choices" not in page


def test_rates_api__clerk_sees_own_unit_only(reports_app: Flask) -> None:
    client = reports_app.test_client()
    rows = client.get("/api/v1/reports/rates?group_by=unit",
                      headers=api_token(client, "zhaolei")).get_json()["rows"]  # fmt: skip
    assert [(r["group"], r["received"]) for r in rows] == [("village_a1", 3)]


def test_rates_api__citizens_and_other_roles_get_nothing(reports_app: Flask) -> None:
    client = reports_app.test_client()
    assert client.get("/api/v1/reports/rates").status_code == 401
    assert client.get("/api/v1/reports/rates.xlsx").status_code == 401
    response = client.get("/api/v1/reports/rates", headers=api_token(client, "qianjin"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_allowed"


def test_rates_xlsx__opens_with_openpyxl_and_holds_the_json_numbers(reports_app: Flask) -> None:
    client = reports_app.test_client()
    headers = api_token(client, "yuanhua")
    response = client.get("/api/v1/reports/rates.xlsx?group_by=unit", headers=headers)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    table = list(sheet.iter_rows(values_only=True))
    assert table[0][:5] == ("分组", "受理件数", "按时响应", "应响应", "响应率")
    rows = client.get("/api/v1/reports/rates?group_by=unit", headers=headers).get_json()["rows"]
    assert [row[:5] for row in table[1:]] == [
        (r["group"], r["received"], r["responded_on_time"], r["response_judged"],
         r["response_rate"]) for r in rows]  # fmt: skip
    assert [row[11] for row in table[1:]] == [r["satisfaction_rate"] for r in rows]


def test_rates_csv__holds_the_json_numbers(reports_app: Flask) -> None:
    client = reports_app.test_client()
    headers = api_token(client, "yuanhua")
    response = client.get("/api/v1/reports/rates.csv", headers=headers)
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    (total,) = client.get("/api/v1/reports/rates", headers=headers).get_json()["rows"]
    assert table[1][1:5] == [
        str(total[k]) for k in ("received", "responded_on_time", "response_judged", "response_rate")
    ]
