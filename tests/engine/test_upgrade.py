"""A database made by release 0.1.0 upgrades to today's schema and its cases still work.

The fixtures in tests/fixtures/ are real release databases (see its README); the test
copies one, runs the migrations, and then reads, verifies and acts on the demo cases.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from engine.database import alembic_config, normalize_url, upgrade
from engine.errors import NotFound
from engine.service import Engine
from engine.settings import Settings
from tests.conftest import POSTGRES_URL, _postgres_admin_url

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DEMO_KEYS = [f"LJ-DEMO-00{n}" for n in range(1, 7)]


def check_upgraded(url: str, folder: Path) -> None:
    """The schema is at head, and every demo case loads, verifies, replays and can still move."""
    probe = create_engine(normalize_url(url))
    assert "sessions" in inspect(probe).get_table_names()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with probe.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    probe.dispose()
    engine = Engine(Settings(database_url=url, instance_path=folder))
    try:
        with engine.transaction() as service:
            cases = {key: service.cases.get(key) for key in DEMO_KEYS}
            assert service.chain.verify() == []
            running = [c for c in cases.values() if c.status == "running" and c.tasks]
            task = running[0].tasks[0]
            token = service.signins.open("web", timedelta(hours=1), username="zhangwei")
        assert {c.status for c in cases.values()} == {"running", "completed"}
        with engine.transaction() as service:
            assert service.signins.user(token) is not None
            claimer = _someone_offered(service, task)
            assert service.tasks.claim(task.id, claimer).claimed_by == claimer
        with engine.transaction() as service:  # stored before bounded state: replayed as run
            assert {
                key: service.chain.replay(key).matches_stored for key in DEMO_KEYS
            } == dict.fromkeys(DEMO_KEYS, True)
    finally:
        engine.close()


def _someone_offered(service, task) -> str:  # type: ignore[no-untyped-def]
    """A staff member the task is offered to (by candidate user, assignee or group)."""
    if task.assignee:
        return str(task.assignee)
    if task.candidate_users:
        return str(task.candidate_users[0])
    for username in _all_usernames(service):
        try:
            if set(service.staff.groups_of(username)) & set(task.candidate_groups):
                return username
        except NotFound:  # an inactive account: try the next
            continue
    raise AssertionError(f"nobody is offered {task.name}")


def _all_usernames(service) -> list[str]:  # type: ignore[no-untyped-def]
    return list(service.session.scalars(text("SELECT username FROM users ORDER BY username")))


def test_upgrade__release_0_1_0_sqlite_database_keeps_its_cases(tmp_path: Path) -> None:
    path = tmp_path / "release.db"
    shutil.copy(FIXTURES / "release-0.1.0.db", path)
    url = f"sqlite:///{path}"
    upgrade(url)
    check_upgraded(url, tmp_path)


@pytest.mark.postgres
def test_upgrade__release_0_1_0_postgres_database_keeps_its_cases(tmp_path: Path) -> None:
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL}")
    if shutil.which("psql") is None:
        pytest.skip("psql is needed to load the release dump")
    name = f"mashangban_upgrade_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        subprocess.run(
            ["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-d", url,
             "-f", str(FIXTURES / "release-0.1.0.pg.sql")],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        upgrade(url)
        check_upgraded(url, tmp_path)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
