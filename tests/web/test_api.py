"""/api/v1: each endpoint's success, validation error, authorization failure and conflict."""

from __future__ import annotations

import hashlib
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from engine.service import Engine

from .conftest import APPEAL, HANDLE, PASSWORD, REGISTER, api_token, make_app, open_task, seed
from .conftest import start_appeal as start


@pytest.fixture
def li(client: FlaskClient) -> dict[str, str]:
    """Bearer headers of li, clerk of town_a."""
    return api_token(client, "li")


def _error(response: object) -> dict:
    body = response.get_json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


# --- tokens -------------------------------------------------------------------------------


def test_token__issued_for_right_password(client: FlaskClient) -> None:
    body = client.post(
        "/api/v1/auth/token", json={"username": "li", "password": PASSWORD}
    ).get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 8 * 3600
    assert body["user"]["unit"] == "town_a"


def test_token__wrong_password_401_missing_fields_422_no_json_400(client: FlaskClient) -> None:
    wrong = client.post("/api/v1/auth/token", json={"username": "li", "password": "x"})
    assert wrong.status_code == 401 and _error(wrong)["code"] == "invalid_credentials"
    missing = client.post("/api/v1/auth/token", json={"username": "li"})
    assert missing.status_code == 422 and "password" in _error(missing)["fields"]
    garbage = client.post("/api/v1/auth/token", data="nope", content_type="text/plain")
    assert garbage.status_code == 400 and _error(garbage)["code"] == "invalid_json"


BROKEN_BODIES = {
    "100,000 nested brackets": "[" * 100_000,
    "50,000 nested objects": '{"a":' * 50_000,
    "nesting deeper than the limit": '{"data": ' + "[" * 40 + "]" * 40 + "}",
    "truncated": '{"username": "li", ',
    "not an object": '["li", "password"]',
    "NaN": '{"data": {"x": NaN}}',
}


@pytest.mark.parametrize("body", BROKEN_BODIES.values(), ids=BROKEN_BODIES.keys())
def test_api__unparseable_body_is_400_invalid_json_on_every_json_endpoint(
    client: FlaskClient, seeded: Engine, body: str
) -> None:
    headers = api_token(client, "li")
    key, _code = start(seeded)
    for path, auth in (("/api/v1/auth/token", {}), ("/api/v1/appeals", {}),
                       (f"/api/v1/tasks/{open_task(seeded, key)}/complete", headers)):  # fmt: skip
        response = client.post(path, data=body, content_type="application/json", headers=auth)
        assert response.status_code == 400, (path, response.get_data(as_text=True)[:200])
        error = _error(response)
        assert error["code"] == "invalid_json" and error["message"]


def test_api__non_utf8_body_is_400_with_reason_in_english(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/appeals",
        data=b'{"title": "\xff"}',
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400 and "UTF-8" in _error(response)["message"]


def test_token__tampered_or_expired_is_401(seeded: Engine) -> None:
    app = make_app(seeded, MASHANGBAN_TOKEN_TTL=1)
    client = app.test_client()
    headers = api_token(client, "li")
    tampered = {"Authorization": headers["Authorization"][:-2] + "xx"}
    response = client.get("/api/v1/tasks", headers=tampered)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200
    time.sleep(1.1)  # just past the token's one-second lifetime
    expired = client.get("/api/v1/tasks", headers=headers)
    assert expired.status_code == 401 and "expired" in _error(expired)["message"]
    app.extensions["mashangban.engine"].close()


def test_token__given_back_stops_working_at_once(client: FlaskClient) -> None:
    headers = api_token(client, "li")
    other = api_token(client, "li")
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    revoked = client.get("/api/v1/tasks", headers=headers)
    assert revoked.status_code == 401 and "revoked" in _error(revoked)["message"]
    assert client.get("/api/v1/tasks", headers=other).status_code == 200


def test_token__sign_out_everywhere_and_password_change_revoke_it(
    client: FlaskClient, seeded: Engine
) -> None:
    headers = api_token(client, "li")
    with seeded.transaction() as service:
        assert service.staff.sign_out_everywhere("li") == 1
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401
    headers = api_token(client, "li")
    with seeded.transaction() as service:
        service.staff.save_user(
            "li", "李明", ["clerks:town_a"], unit="town_a", password="new pass 8"
        )
    assert client.get("/api/v1/tasks", headers=headers).status_code == 401


def test_token__is_random_and_stored_only_hashed(client: FlaskClient, seeded: Engine) -> None:
    token = api_token(client, "li")["Authorization"].removeprefix("Bearer ")
    assert len(token) >= 40
    with seeded.sql.connect() as connection:
        stored = connection.execute(text("SELECT id, kind, username FROM sessions")).all()
    assert [(row.kind, row.username) for row in stored] == [("api", "li")]
    assert stored[0].id == hashlib.sha256(token.encode()).hexdigest()
    assert api_token(client, "li")["Authorization"] != f"Bearer {token}"  # random, not derived


# --- appeals ------------------------------------------------------------------------------


def test_appeal__created_201_with_case_no_and_tracking_code(
    client: FlaskClient, seeded: Engine
) -> None:
    response = client.post("/api/v1/appeals", json={**APPEAL, "enterprise_name": "某公司"})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/appeals/{body['case_no']}"
    with seeded.transaction() as service:
        view = service.cases.track(body["case_no"], body["tracking_code"])
    assert view.title == APPEAL["title"] and view.stage == ("受理登记",)


def test_appeal__per_field_errors_422(client: FlaskClient) -> None:
    body = {**APPEAL, "kind": "complaint", "tier": "province", "contact": {"name": ""}}
    response = client.post("/api/v1/appeals", json=body)
    error = _error(response)
    assert response.status_code == 422 and error["code"] == "validation_failed"
    assert set(error["fields"]) == {"kind", "tier", "contact.name", "contact.phone"}


def test_appeal__attachments_checked(client: FlaskClient) -> None:
    good = [{"name": "证明.pdf", "url": "https://files.example/1.pdf"}]
    assert client.post("/api/v1/appeals", json={**APPEAL, "attachments": good}).status_code == 201
    bad = [{"name": "x", "url": "javascript:alert(1)"}]
    response = client.post("/api/v1/appeals", json={**APPEAL, "attachments": bad})
    assert response.status_code == 422 and "attachments" in _error(response)["fields"]


def test_appeal__english_errors_with_accept_language(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/appeals", json={**APPEAL, "title": ""}, headers={"Accept-Language": "en"}
    )
    assert _error(response)["fields"]["title"] == "This field is required"


def test_appeal_get__staff_see_all_public_see_public_fields(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, code = start(seeded)
    staff = client.get(f"/api/v1/appeals/{key}", headers=li).get_json()
    assert staff["data"]["contact"]["phone"] == "13800138000" and staff["tasks"]
    public = client.get(f"/api/v1/appeals/{key}?code={code}").get_json()
    assert public["stage"] == ["受理登记"] and "data" not in public and "contact" not in public


def test_appeal_get__no_credentials_401_wrong_code_404(client: FlaskClient, seeded: Engine) -> None:
    key, _code = start(seeded)
    assert _error(client.get(f"/api/v1/appeals/{key}"))["code"] == "unauthorized"
    wrong = client.get(f"/api/v1/appeals/{key}?code=BAD")
    assert wrong.status_code == 404 and _error(wrong)["code"] == "not_found"


def test_events__staff_history_and_public_timeline(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, code = start(seeded)
    staff = client.get(f"/api/v1/appeals/{key}/events", headers=li).get_json()["events"]
    assert [e["kind"] for e in staff] == ["started"] and staff[0]["actor"] == "public"
    public = client.get(f"/api/v1/appeals/{key}/events?code={code}").get_json()["events"]
    assert public[0]["step"] == "受理" and "actor" not in public[0]
    assert client.get(f"/api/v1/appeals/{key}/events").status_code == 401


# --- tasks --------------------------------------------------------------------------------


def test_tasks__inbox_with_case_facts_and_tabs(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    tasks = client.get("/api/v1/tasks", headers=li).get_json()["tasks"]
    assert [(t["case_no"], t["name"], t["tier"], t["mine"]) for t in tasks] == [
        (key, "受理登记", "town", False)
    ]
    assert tasks[0]["working_minutes_left"] > 0
    assert client.get("/api/v1/tasks?tab=mine", headers=li).get_json()["tasks"] == []
    assert client.get("/api/v1/tasks").status_code == 401


def test_task_get__form_fields(client: FlaskClient, seeded: Engine, li: dict[str, str]) -> None:
    key, _code = start(seeded)
    body = client.get(f"/api/v1/tasks/{open_task(seeded, key)}", headers=li).get_json()
    fields = {f["id"]: f for f in body["form"]}
    assert fields["level"]["max"] == 4 and fields["description"]["readonly"]


def test_claim_unclaim__success_and_conflicts(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    task_id = open_task(seeded, key)
    sun = api_token(client, "sun")
    claimed = client.post(f"/api/v1/tasks/{task_id}/claim", headers=li)
    assert claimed.status_code == 200 and claimed.get_json()["claimed_by"] == "li"
    taken = client.post(f"/api/v1/tasks/{task_id}/claim", headers=sun)
    assert taken.status_code == 409 and _error(taken)["code"] == "conflict"
    not_mine = client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=sun)
    assert not_mine.status_code == 409
    released = client.post(f"/api/v1/tasks/{task_id}/unclaim", headers=li)
    assert released.status_code == 200 and released.get_json()["claimed_by"] is None
    assert client.post(f"/api/v1/tasks/{task_id}/claim").status_code == 401


def test_complete__success_moves_case_on(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    task_id = open_task(seeded, key)
    response = client.post(f"/api/v1/tasks/{task_id}/complete", headers=li, json={"data": REGISTER})
    body = response.get_json()
    assert response.status_code == 200 and body["level"] == 1
    assert [t["task_spec"] for t in body["tasks"]] == ["handle"]
    wang = api_token(client, "wang")
    handle = body["tasks"][0]["id"]
    done = client.post(f"/api/v1/tasks/{handle}/complete", headers=wang, json={"data": HANDLE})
    assert done.get_json()["data"]["rating_requested"] is True


def test_complete__per_field_errors_422(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    data = {**REGISTER, "level": "nine", "bogus": 1}
    response = client.post(
        f"/api/v1/tasks/{open_task(seeded, key)}/complete", headers=li, json={"data": data}
    )
    error = _error(response)
    assert response.status_code == 422 and error["code"] == "form_invalid"
    assert error["fields"] == {"bogus": "表单中没有此字段", "level": "“nine”不是整数"}
    not_object = client.post(
        f"/api/v1/tasks/{open_task(seeded, key)}/complete", headers=li, json={"data": [1]}
    )
    assert not_object.status_code == 400


def test_complete__422_lists_stable_codes_and_params_per_field(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    data = {**REGISTER, "title": "长" * 101, "level": "9", "kind": "weather", "bogus": 1}
    response = client.post(
        f"/api/v1/tasks/{open_task(seeded, key)}/complete", headers=li, json={"data": data}
    )
    error = _error(response)
    assert response.status_code == 422 and error["code"] == "form_invalid"
    codes = {e["field"]: (e["code"], e["params"]) for e in error["errors"]}
    assert codes["title"] == ("too_long", {"max": 100})
    assert codes["level"] == ("too_large", {"max": 4})
    assert codes["bogus"] == ("unknown_field", {})
    assert codes["kind"][0] == "not_an_option" and codes["kind"][1]["value"] == "weather"
    assert "coordination" in codes["kind"][1]["choices"]
    messages = {e["field"]: e["message"] for e in error["errors"]}
    assert messages == error["fields"] and messages["title"] == "最多 100 个字符"


def test_complete__422_messages_follow_accept_language_codes_do_not(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    response = client.post(
        f"/api/v1/tasks/{open_task(seeded, key)}/complete",
        headers={**li, "Accept-Language": "en"}, json={"data": {**REGISTER, "level": "nine"}},
    )  # fmt: skip
    [item] = _error(response)["errors"]
    assert item == {"field": "level", "code": "not_integer", "params": {"value": "nine"},
                    "message": "'nine' is not a whole number"}  # fmt: skip


def test_complete__already_completed_409_claimed_by_other_403(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    key, _code = start(seeded)
    task_id = open_task(seeded, key)
    sun = api_token(client, "sun")
    client.post(f"/api/v1/tasks/{task_id}/claim", headers=sun)
    other = client.post(f"/api/v1/tasks/{task_id}/complete", headers=li, json={"data": REGISTER})
    assert other.status_code == 403 and _error(other)["code"] == "not_allowed"
    client.post(f"/api/v1/tasks/{task_id}/complete", headers=sun, json={"data": REGISTER})
    again = client.post(f"/api/v1/tasks/{task_id}/complete", headers=sun, json={"data": REGISTER})
    assert again.status_code == 409 and _error(again)["code"] == "task_not_ready"


def test_api__rate_limit_is_json_with_retry_after(seeded: Engine) -> None:
    app: Flask = make_app(seeded, MASHANGBAN_RATE_LIMIT=2)
    client = app.test_client()
    responses = [client.post("/api/v1/appeals", json={}) for _ in range(3)]
    assert [r.status_code for r in responses] == [422, 422, 429]
    assert _error(responses[-1])["code"] == "rate_limited"
    assert int(responses[-1].headers["Retry-After"]) >= 1
    app.extensions["mashangban.engine"].close()


def test_api__unknown_route_and_method_are_json(client: FlaskClient) -> None:
    assert _error(client.get("/api/v1/nothing"))["code"] == "not_found"
    assert _error(client.get("/api/v1/appeals"))["code"] == "method_not_allowed"


@pytest.mark.postgres
def test_appeal_to_department__on_postgresql(pg_engine: Engine) -> None:
    """The production database: submit, token, inbox, complete, track."""
    seed(pg_engine)
    app = make_app(pg_engine)
    client = app.test_client()
    receipt = client.post("/api/v1/appeals", json=APPEAL).get_json()
    li = api_token(client, "li")
    [task] = client.get("/api/v1/tasks", headers=li).get_json()["tasks"]
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=li, json={"data": REGISTER})
    assert done.status_code == 200
    public = client.get(f"/api/v1/appeals/{receipt['case_no']}?code={receipt['tracking_code']}")
    assert public.get_json()["stage"] == ["部门办理"]
    app.extensions["mashangban.engine"].close()


def test_tasks__pages_with_limit_next_and_link(
    client: FlaskClient, seeded: Engine, li: dict[str, str]
) -> None:
    keys = {start(seeded)[0] for _n in range(3)}
    first = client.get("/api/v1/tasks?limit=2", headers=li)
    body = first.get_json()
    assert len(body["tasks"]) == 2 and body["next"]
    assert first.headers["Link"].endswith('>; rel="next"')
    rest = client.get(f"/api/v1/tasks?limit=2&after={body['next']}", headers=li).get_json()
    assert rest["next"] is None
    assert {t["case_no"] for t in body["tasks"] + rest["tasks"]} == keys
    link = first.headers["Link"][1:].split(">")[0]
    assert client.get(link, headers=li).get_json() == rest


def test_tasks__bad_limit_or_cursor_is_422(client: FlaskClient, li: dict[str, str]) -> None:
    for query, field in (("limit=0", "limit"), ("limit=x", "limit"), ("limit=501", "limit"),
                         ("after=nonsense", "after")):  # fmt: skip
        response = client.get(f"/api/v1/tasks?{query}", headers=li)
        assert response.status_code == 422, query
        assert [e["field"] for e in response.get_json()["error"]["errors"]] == [field]
