"""`/healthz`, `/readyz`, `/metrics`, request ids and JSON logs, as a load balancer,
Prometheus and a log shipper meet them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from engine.database import alembic_config
from engine.service import Engine
from tests.web.conftest import APPEAL, make_app, start_appeal
from web.config import ConfigError
from web.requestlog import JsonFormatter, RequestContext

SERIES = {
    "mashangban_http_requests", "mashangban_action_duration_seconds", "mashangban_open_tasks",
    "mashangban_overdue_tasks", "mashangban_timer_lag_seconds", "mashangban_quarantined_cases",
    "mashangban_database_up",
}  # fmt: skip


def scrape(client: FlaskClient, **headers: str) -> dict[str, list]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    families = text_string_to_metric_families(response.get_data(as_text=True))
    return {family.name: family.samples for family in families}


def value(samples: list, **labels: str) -> float:
    return sum(s.value for s in samples if all(s.labels.get(k) == v for k, v in labels.items()))


def test_healthz__answers_without_touching_the_database(tmp_path: Path) -> None:
    not_a_database = tmp_path / "garbage.db"
    not_a_database.write_bytes(b"this is not a database" * 100)
    app = make_app_at(f"sqlite:///{not_a_database}")
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_readyz__ready_when_database_schema_and_timer_worker_are_fine(
    client: FlaskClient, seeded: Engine
) -> None:
    seeded.heartbeat(30)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready", "checks": {"database": "ok", "migrations": "ok", "timer_worker": "ok"}
    }  # fmt: skip


def test_readyz__503_when_the_timer_worker_never_ran(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "never run" in response.get_json()["checks"]["timer_worker"]


def test_readyz__503_once_the_heartbeat_is_older_than_three_intervals(
    client: FlaskClient, seeded: Engine
) -> None:
    now = datetime.now(UTC)
    seeded.heartbeat(10, now=now - timedelta(seconds=25))
    assert client.get("/readyz").status_code == 200
    seeded.heartbeat(10, now=now - timedelta(seconds=35))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "3 × its 10 s interval" in response.get_json()["checks"]["timer_worker"]


def test_readyz__503_when_the_sqlite_file_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    response = make_app_at(f"sqlite:///{path}").test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("database unreachable")


def test_readyz__503_when_postgresql_does_not_answer() -> None:
    app = make_app_at("postgresql://postgres@127.0.0.1:9/mashangban?connect_timeout=2")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "not ready"
    assert "unreachable" in response.get_json()["checks"]["database"]


def test_readyz__503_with_the_fix_when_migrations_are_behind(
    client: FlaskClient, seeded: Engine
) -> None:
    seeded.heartbeat(30)
    command.stamp(alembic_config(seeded.settings.database_url), "0001")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "run `mashangban init`" in response.get_json()["checks"]["migrations"]


def test_metrics__exposes_every_named_series_with_current_figures(
    client: FlaskClient, seeded: Engine
) -> None:
    overdue_key, _ = start_appeal(seeded)
    start_appeal(seeded)
    quarantined_key, _ = start_appeal(seeded)
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    with seeded.sql.begin() as sql:
        overdue = "update human_tasks set due_at = :t where case_id = (select id from cases where "
        sql.execute(text(overdue + "business_key = :k)"), {"t": long_ago, "k": overdue_key})
        sql.execute(text("update cases set status = 'error' where business_key = :k"),
                    {"k": quarantined_key})  # fmt: skip
        sql.execute(text("update cases set next_timer_at = :t where business_key = :k"),
                    {"t": long_ago, "k": overdue_key})  # fmt: skip
    client.get("/healthz")

    series = scrape(client)

    assert set(series) >= SERIES, sorted(series)
    assert value(series["mashangban_open_tasks"]) == 3
    assert value(series["mashangban_overdue_tasks"], unit=APPEAL["intake_unit"]) == 1
    assert value(series["mashangban_quarantined_cases"]) == 1
    assert value(series["mashangban_timer_lag_seconds"]) >= 7000
    assert value(series["mashangban_http_requests"], route="/healthz", status="200") >= 1
    latency = series["mashangban_action_duration_seconds"]
    assert value([s for s in latency if s.name.endswith("_count")], route="/healthz") >= 1


def test_metrics__database_down_still_answers_with_database_up_zero(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    series = scrape(make_app_at(f"sqlite:///{path}").test_client())
    assert value(series["mashangban_database_up"]) == 0


def test_metrics__refused_outside_the_networks_unless_the_token_is_shown(seeded: Engine) -> None:
    app = make_app(seeded, MASHANGBAN_METRICS_NETWORKS="10.0.0.0/8",
                   MASHANGBAN_METRICS_TOKEN="s3cret-scrape-token")  # fmt: skip
    client = app.test_client()
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert "mashangban_open_tasks" in scrape(client, Authorization="Bearer s3cret-scrape-token")


def test_metrics__a_mistyped_network_stops_the_app_from_starting(seeded: Engine) -> None:
    with pytest.raises(ConfigError, match="MASHANGBAN_METRICS_NETWORKS"):
        make_app(seeded, MASHANGBAN_METRICS_NETWORKS="10.0.0.0/8,intranet")


def test_request_id__sane_incoming_id_is_kept_and_anything_else_replaced(
    client: FlaskClient,
) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-4f2a9c1e77"})
    assert kept.headers["X-Request-ID"] == "nginx-4f2a9c1e77"
    for bad in ("short", "has spaces in it", "x" * 300, "<script>alert(1)</script>"):
        replaced = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert replaced != bad and len(replaced) == 32
    assert client.get("/healthz").headers["X-Request-ID"]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestContext())

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def log_lines() -> Iterator[list[dict]]:
    handler = _Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_json_logs__request_line_and_recorded_events_share_the_request_id(
    client: FlaskClient, log_lines: list[dict]
) -> None:
    response = client.post("/api/v1/appeals", json=APPEAL,
                           headers={"X-Request-ID": "req-0123456789abcdef"})  # fmt: skip
    assert response.status_code == 201
    case_no = response.get_json()["case_no"]
    mine = [line for line in log_lines if line["request_id"] == "req-0123456789abcdef"]
    (request_line,) = [line for line in mine if line["logger"] == "web.request"]
    assert request_line["route"] == "/api/v1/appeals" and request_line["status"] == 201
    assert request_line["duration"] > 0 and request_line["level"] == "INFO"
    assert datetime.fromisoformat(request_line["time"]).tzinfo is not None
    events = [line for line in mine if line["message"] == "event recorded"]
    assert events and {line["case"] for line in events} == {case_no}
    assert events[0]["seq"] == 1 and events[0]["kind"] == "started"


def make_app_at(url: str) -> Flask:
    """An app over a database URL that may not work at all."""
    from web import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url})


def test_timers_run__beats_so_the_app_becomes_ready(
    client: FlaskClient, seeded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.cli import main

    monkeypatch.setenv("DATABASE_URL", seeded.settings.database_url)
    assert client.get("/readyz").status_code == 503
    assert main(["timers", "run", "--once", "--interval", "5"]) == 0
    assert client.get("/readyz").status_code == 200
