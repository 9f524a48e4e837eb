"""Web fixtures: a seeded engine on a fresh SQLite file, an app over it, and helpers.

The organisation: district ─ town_a ─ village_a1, district ─ town_b; departments
housing and land. Staff: `li` (clerk of town_a), `zhao` (clerk of town_b), `wang`
(housing handler), `chen` (land handler), `office` (leading-group office, district-wide);
`sun` is li's colleague at town_a.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.deployment import read_sources
from engine.service import Engine
from engine.settings import Settings
from tests.conftest import VALID
from web import create_app

WEB_DATA = Path(__file__).parent / "data"
PASSWORD = "correct horse 7"
APPEAL = {
    "kind": "coordination",
    "title": "入学证明跑了三趟没办成",
    "description": "孩子入学需要居住证明，社区和派出所互相推，跑了三趟。",
    "contact": {"name": "张三", "phone": "13800138000"},
    "tier": "town",
    "intake_unit": "town_a",
}


def seed(engine: Engine) -> None:
    """Deploy the test diagrams (with mini_loop) and create the organisation and staff."""
    with engine.transaction() as service:
        service.deployments.deploy(read_sources([VALID, WEB_DATA]))
        service.staff.save_unit("district", "萧山区政务服务中心", "district")
        service.staff.save_unit("town_a", "城厢街道便民服务中心", "town", "district")
        service.staff.save_unit("town_b", "北干街道便民服务中心", "town", "district")
        service.staff.save_unit("village_a1", "湘湖村便民服务站", "village", "town_a")
        service.staff.save_unit("housing", "住房和城乡建设局", "department", "district")
        service.staff.save_unit("land", "自然资源和规划局", "department", "district")
        staff = [
            ("li", "李明", ["clerks:town_a", "town_a_clerks"], "town_a", ()),
            ("sun", "孙丽", ["clerks:town_a", "town_a_clerks"], "town_a", ()),
            ("zhao", "赵强", ["clerks:town_b"], "town_b", ()),
            ("wang", "王芳", ["dept:housing", "dept_housing"], "housing", ()),
            ("chen", "陈静", ["dept:land", "dept_land"], "land", ()),
            ("office", "领导小组办公室", ["leading_office"], "district", ("leading_office",)),
        ]
        for username, name, groups, unit, roles in staff:
            service.staff.save_user(
                username, name, groups, unit=unit, roles=roles, password=PASSWORD
            )


@pytest.fixture(scope="session")
def seeded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and seeded SQLite file, copied for every test (seeding hashes passwords)."""
    folder = tmp_path_factory.mktemp("seeded")
    path = folder / "mashangban.db"
    shutil.copy(sqlite_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=folder))
    seed(engine)
    engine.close()
    return path


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh copy of the seeded database."""
    path = tmp_path / "mashangban.db"
    shutil.copy(seeded_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    yield engine
    engine.close()


def make_app(engine: Engine, **config: Any) -> Flask:
    """An app on the engine's database (testing mode, CSRF on)."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": engine.settings.database_url,
        "MASHANGBAN_INTAKE_PROCESS": "mini_loop",
        "MASHANGBAN_RATE_LIMIT": 1000,
        **config,
    }
    return create_app(settings)


@pytest.fixture
def app(seeded: Engine) -> Iterator[Flask]:
    """The web app over the seeded database."""
    application = make_app(seeded)
    yield application
    application.extensions["mashangban.engine"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like client (keeps cookies)."""
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token the page at `path` carries for this client's session."""
    page = client.get(path)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, username: str) -> None:
    """Sign in through the login form."""
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def post_form(client: FlaskClient, path: str, data: dict[str, str], page: str = "/inbox") -> Any:
    """Post a form with a valid CSRF token taken from `page`."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def api_token(client: FlaskClient, username: str) -> dict[str, str]:
    """Authorization headers with a fresh bearer token."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def start_appeal(engine: Engine, **changes: Any) -> tuple[str, str]:
    """Start a mini_loop case as the public would; return (case number, tracking code)."""
    with engine.transaction() as service:
        case = service.cases.start(
            "mini_loop", data={**APPEAL, **changes}, actor="public", tracking=True
        )
    assert case.tracking_code
    return case.key, case.tracking_code


def open_task(engine: Engine, key: str) -> str:
    """The id of the case's one open task."""
    with engine.transaction() as service:
        tasks = service.cases.get(key).tasks
    assert len(tasks) == 1, tasks
    return tasks[0].id


REGISTER = {"title": "入学证明", "kind": "coordination", "level": "1", "lead_department": "housing"}
HANDLE = {"public_reply": "已协调社区当天出具证明。", "outcome": "resolved"}
