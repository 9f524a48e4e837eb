"""Shared fixtures: a fresh database per test on SQLite, and on PostgreSQL when marked.

PostgreSQL tests use the server named by TEST_POSTGRES_URL (default: the local
server, user postgres). They create their own database and drop it afterwards.
Without a reachable server they are skipped with the reason, unless
MASHANGBAN_REQUIRE_POSTGRES=1 (set by .ci/run), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.database import normalize_url, upgrade
from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings

DATA = Path(__file__).parent / "data"
VALID = DATA / "valid"
INVALID = DATA / "invalid"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TABLES = (
    "case_events", "human_task_candidates", "human_tasks", "cases",
    "process_versions", "deployment_files", "deployments", "source_blobs", "users",
    "calendar_days", "org_units", "process_schedules", "sessions", "worker_heartbeats",
    "org_unit_names", "org_changes", "admin_actions",
    "outbox", "notify_preferences", "notify_templates", "attachments",
    "case_facts", "knowledge_entries",
    "personal_values", "personal_access",
)  # fmt: skip


def _postgres_admin_url() -> str | None:
    try:
        probe = create_engine(normalize_url(POSTGRES_URL))
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
        return POSTGRES_URL
    except Exception as error:  # any connection failure means "no server here"
        if os.environ.get("MASHANGBAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {POSTGRES_URL}: {error}")
        return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL database for this test session, migrated to head."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL} (set TEST_POSTGRES_URL)")
    name = f"mashangban_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _sqlite_engine(template: Path, folder: Path) -> Engine:
    path = folder / "mashangban.db"
    shutil.copy(template, path)
    return Engine(Settings(database_url=f"sqlite:///{path}", instance_path=folder))


def _postgres_engine(url: str) -> Engine:
    engine = Engine(Settings(database_url=url, instance_path=Path(".")))
    with engine.sql.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Engine]:
    """An engine on a fresh database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        engine = _sqlite_engine(sqlite_template, tmp_path)
    else:
        engine = _postgres_engine(request.getfixturevalue("postgres_url"))
    yield engine
    engine.close()


@pytest.fixture
def engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh SQLite database."""
    engine = _sqlite_engine(sqlite_template, tmp_path)
    yield engine
    engine.close()


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    """An engine on a freshly truncated PostgreSQL database."""
    engine = _postgres_engine(postgres_url)
    yield engine
    engine.close()


def deploy_valid(engine: Engine) -> None:
    """Deploy the purpose-built test diagrams and the users they route to."""
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([VALID]))
        service.staff.save_user("li", "李明", ["town_a_clerks"])
        service.staff.save_user("zhao", "赵强", ["town_a_clerks"])
        service.staff.save_user("wang", "王芳", ["dept_housing"])
        service.staff.save_user("chen", "陈静", ["dept_land"])
        service.staff.save_user("office", "领导小组办公室", ["leading_office"])


@pytest.fixture
def deployed(any_engine: Engine) -> Engine:
    """`any_engine` with the test diagrams deployed and users created."""
    deploy_valid(any_engine)
    return any_engine


@pytest.fixture
def deployed_sqlite(engine: Engine) -> Engine:
    """`engine` (SQLite) with the test diagrams deployed and users created."""
    deploy_valid(engine)
    return engine
