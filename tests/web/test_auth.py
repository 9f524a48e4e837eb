"""Sign-in, sign-out, CSRF, and the guard on every staff route."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from engine.service import Engine

from .conftest import PASSWORD, csrf_token, login, make_app, open_task, start_appeal

STAFF_PAGES = ["/inbox", "/cases", "/cases/ANY", "/tasks/ANY"]
STAFF_ACTIONS = ["/tasks/ANY", "/tasks/ANY/claim", "/tasks/ANY/unclaim"]


def test_login__right_password_opens_inbox(client: FlaskClient) -> None:
    login(client, "li")
    page = client.get("/inbox").get_data(as_text=True)
    assert "李明" in page and "城厢街道便民服务中心" in page


def test_login__wrong_password_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/login",
        data={"username": "li", "password": "wrong", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/inbox").status_code == 302


def test_login__follows_local_next_only(client: FlaskClient) -> None:
    token = csrf_token(client)
    data = {"username": "li", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/inbox"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    data["csrf_token"] = csrf_token(client)
    assert client.post("/login?next=/cases", data=data).headers["Location"] == "/cases"


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages__require_login(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", STAFF_ACTIONS)
def test_staff_actions__require_login(client: FlaskClient, path: str) -> None:
    response = client.post(path, data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_every_staff_route__is_guarded(app: Flask) -> None:
    """A new blueprint route that forgets @login_required fails here."""
    # health: load balancers; metrics: guarded by network or token (tests/web/test_health.py)
    public = {"public.", "auth.", "i18n.", "assets.", "api.", "static", "health.", "metrics."}
    # 一键直达's report page is public; Open311 checks its API key (tests/web/test_reach.py)
    public |= {"direct.report", "direct.district", "open311."}
    for rule in app.url_map.iter_rules():
        if any(rule.endpoint.startswith(p) for p in public):
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "__wrapped__", None) is not None, f"{rule} has no login guard"


def test_logout__needs_post_and_ends_the_session(client: FlaskClient) -> None:
    login(client, "li")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    assert response.status_code == 303
    assert client.get("/inbox").status_code == 302


def test_csrf__form_post_without_token_is_rejected(client: FlaskClient, seeded: Engine) -> None:
    login(client, "li")
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    response = client.post(f"/tasks/{task_id}/claim")
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    with seeded.transaction() as service:
        assert service.tasks.get(task_id, "li").claimed_by is None


def test_csrf__token_of_another_session_is_rejected(app: Flask, client: FlaskClient) -> None:
    login(client, "li")
    foreign = csrf_token(app.test_client(), "/login")
    response = client.post("/logout", data={"csrf_token": foreign})
    assert response.status_code == 400


def test_csrf__public_form_and_language_switch_need_it(client: FlaskClient) -> None:
    assert client.post("/appeal", data={"title": "x"}).status_code == 400
    assert client.post("/lang", data={"lang": "en"}).status_code == 400


def test_login__attempts_are_rate_limited(seeded: Engine) -> None:
    app = make_app(seeded, MASHANGBAN_RATE_LIMIT=3)
    client = app.test_client()
    token = csrf_token(client)
    data = {"username": "li", "password": "x", "csrf_token": token}
    statuses = [client.post("/login", data=data).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert client.get("/login").status_code == 200  # looking at the form costs nothing
    app.extensions["mashangban.engine"].close()


def test_deactivated_user__loses_access_at_once(client: FlaskClient, seeded: Engine) -> None:
    login(client, "li")
    with seeded.sql.begin() as connection:  # no service call deactivates users yet
        connection.execute(text("UPDATE users SET active = false WHERE username = 'li'"))
    assert client.get("/inbox").status_code == 302
