"""Server-side sessions: ended on the server they stay ended; typed text survives the end."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from engine.service import Engine

from .conftest import PASSWORD, REGISTER, csrf_token, login, open_task, post_form, start_appeal

COOKIE = "msb_session"
TYPED = {**REGISTER, "title": "入学证明（经办人刚输入的长文字）"}


def cookie_contents(app: Flask, client: FlaskClient) -> dict[str, Any]:
    """What the browser's session cookie says (signed, not encrypted: anyone can read it)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    contents: dict[str, Any] = serializer.loads(cookie.value)
    return contents


def copy_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this one's session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def test_cookie__holds_a_session_token_not_the_username(app: Flask, client: FlaskClient) -> None:
    login(client, "li")
    contents = cookie_contents(app, client)
    assert set(contents) <= {"sid", "csrf_token", "lang", "_flashes", "_permanent"}
    # A random token (not the username or anything carrying it): a second sign-in gets another.
    first = str(contents.get("sid"))
    assert len(first) >= 40 and "li" not in contents.values()
    login(client, "li")
    assert str(cookie_contents(app, client).get("sid")) != first
    assert client.get("/inbox").status_code == 200


def test_logout__a_copied_cookie_no_longer_opens_the_inbox(app: Flask, client: FlaskClient) -> None:
    login(client, "li")
    thief = copy_cookie(app, client)
    assert thief.get("/inbox").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    response = thief.get("/inbox")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_sign_out_everywhere__ends_every_browser(
    app: Flask, client: FlaskClient, seeded: Engine
) -> None:
    login(client, "li")
    second = app.test_client()
    login(second, "li")
    with seeded.transaction() as service:
        assert service.staff.sign_out_everywhere("li") == 2
    assert client.get("/inbox").status_code == 302
    assert second.get("/inbox").status_code == 302
    login(client, "li")  # signing in again works
    assert client.get("/inbox").status_code == 200


def test_password_change__ends_the_old_sessions(client: FlaskClient, seeded: Engine) -> None:
    login(client, "li")
    with seeded.transaction() as service:
        service.staff.save_user(
            "li", "李明", ["clerks:town_a"], unit="town_a", password="new pass 8"
        )
    assert client.get("/inbox").status_code == 302


def test_disabled_account__session_ends_and_stays_ended_after_re_enabling(
    client: FlaskClient, seeded: Engine
) -> None:
    login(client, "li")
    with seeded.transaction() as service:
        service.staff.set_active("li", False)
    assert client.get("/inbox").status_code == 302
    with seeded.transaction() as service:
        service.staff.set_active("li", True)
    assert client.get("/inbox").status_code == 302  # the old session does not come back


def _hidden(page: str, prefix: str = "") -> dict[str, str]:
    pairs = re.findall(rf'type="hidden" name="{re.escape(prefix)}([^"]+)" value="([^"]*)"', page)
    return {name: value for name, value in pairs if name != "csrf_token"}


def test_revoked_session_on_task_form__sign_in_and_send_again_keeps_the_text(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    token = csrf_token(client, f"/tasks/{task_id}")
    with seeded.transaction() as service:
        service.staff.sign_out_everywhere("li")

    response = client.post(f"/tasks/{task_id}", data={**TYPED, "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and 'id="session-ended"' in page
    carried = _hidden(page, "resume:")
    assert carried["title"] == TYPED["title"]

    signin = {f"resume:{k}": v for k, v in carried.items()}
    signin.update(username="li", password=PASSWORD, csrf_token=csrf_token(client))
    login_action = re.search(r'<form method="post" novalidate action="([^"]+)"', page)
    assert login_action is not None
    response = client.post(login_action.group(1).replace("&amp;", "&"), data=signin)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "继续提交" in page
    assert _hidden(page)["title"] == TYPED["title"]
    assert f'action="/tasks/{task_id}"' in page

    response = client.post(f"/tasks/{task_id}", data={**_hidden(page), **_csrf(page)})
    assert response.status_code == 303 and response.headers["Location"] == f"/cases/{key}"
    with seeded.transaction() as service:
        assert service.cases.get(key).data["title"] == TYPED["title"]


def _csrf(page: str) -> dict[str, str]:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    return {"csrf_token": match.group(1)}


def test_expired_page_token__continue_page_keeps_the_text(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    response = client.post(f"/tasks/{task_id}", data={**TYPED, "csrf_token": "outdated"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "继续提交" in page
    response = client.post(f"/tasks/{task_id}", data={**_hidden(page), **_csrf(page)})
    assert response.status_code == 303
    with seeded.transaction() as service:
        assert service.cases.get(key).data["title"] == TYPED["title"]


def test_cookie_gone__form_post_leads_to_sign_in_with_the_text_kept(
    app: Flask, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    browser = app.test_client()  # the browser dropped the expired cookie: no session at all
    response = browser.post(f"/tasks/{task_id}", data={**TYPED, "csrf_token": "old"})
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and 'id="session-ended"' in page
    assert _hidden(page, "resume:")["title"] == TYPED["title"]


def test_post_from_another_site__is_refused_without_carrying_anything(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    response = client.post(f"/tasks/{task_id}", data=TYPED,
                           headers={"Origin": "https://evil.example"})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "页面已过期" in page
    assert TYPED["title"] not in page


def test_task_post__with_live_session_still_works(client: FlaskClient, seeded: Engine) -> None:
    key, _code = start_appeal(seeded)
    task_id = open_task(seeded, key)
    login(client, "li")
    response = post_form(client, f"/tasks/{task_id}", TYPED, page=f"/tasks/{task_id}")
    assert response.status_code == 303


def test_tracking__the_code_never_sits_in_the_cookie(
    app: Flask, client: FlaskClient, seeded: Engine
) -> None:
    key, code = start_appeal(seeded)
    token = csrf_token(client, "/track")
    response = client.post("/track", data={"case_no": key, "code": code, "csrf_token": token})
    assert response.status_code == 303
    contents = cookie_contents(app, client)
    assert code not in json.dumps(contents) and code.lower() not in json.dumps(contents).lower()
    assert client.get(f"/track/{key}").status_code == 200


def test_tracking__a_grant_opens_only_its_own_case(
    app: Flask, client: FlaskClient, seeded: Engine
) -> None:
    key, code = start_appeal(seeded)
    other, _other_code = start_appeal(seeded)
    token = csrf_token(client, "/track")
    client.post("/track", data={"case_no": key, "code": code, "csrf_token": token})
    grant = cookie_contents(app, client)["tracking"][key]
    with client.session_transaction() as session:
        session["tracking"] = {other: grant}
    assert client.get(f"/track/{other}").status_code == 303  # back to the lookup form


def test_public_form_with_outdated_page__continue_page_keeps_the_citizen_text(
    client: FlaskClient, seeded: Engine
) -> None:
    form = {"kind": "coordination", "title": "路灯坏了", "description": "小区门口路灯坏了一个月。",
            "contact.name": "张三", "contact.phone": "13800138000", "tier": "town",
            "intake_unit": "town_a"}  # fmt: skip
    response = client.post("/appeal", data={**form, "csrf_token": "from-yesterday"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'action="/appeal"' in page
    assert _hidden(page)["description"] == form["description"]
    response = client.post("/appeal", data={**_hidden(page), **_csrf(page)})
    assert response.status_code == 200 and "已收到您的反映" in response.get_data(as_text=True)
