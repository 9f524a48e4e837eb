"""Personal data on pages and in the API: masked unless the viewer needs it, full views logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.models import CaseEvent
from engine.service import Engine

from .conftest import HANDLE, PASSWORD, REGISTER, api_token, login, open_task, start_appeal

PHONE, MASKED = "13800138000", "138****8000"


def _add_auditor(engine: Engine) -> None:
    with engine.transaction() as service:
        service.staff.save_user("shen", "沈怡", ["auditors"], unit="district", roles=["auditor"],
                                password=PASSWORD)  # fmt: skip


def _handled(engine: Engine) -> str:
    """A case the housing department (wang) has finished its task on."""
    key, _code = start_appeal(engine)
    with engine.transaction() as service:
        service.tasks.complete(open_task(engine, key), "li", REGISTER)
    with engine.transaction() as service:
        service.tasks.complete(open_task(engine, key), "wang", HANDLE)
    return key


def _page(client: FlaskClient, username: str, key: str) -> str:
    login(client, username)
    response = client.get(f"/cases/{key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_case_page__clerk_of_another_unit_sees_the_phone_masked(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded, intake_unit="village_a1")  # li's town is above it
    page = _page(client, "li", key)
    assert MASKED in page and PHONE not in page and 'data-testid="personal-masked"' in page
    body = client.get(f"/api/v1/appeals/{key}", headers=api_token(client, "li")).get_json()
    assert body["data"]["contact"] == {"name": "张*", "phone": MASKED}
    assert body["personal"] == {"shown": "masked", "reason": None, "fields": ["name", "phone"],
                                "erased": []}  # fmt: skip
    events = client.get(f"/api/v1/appeals/{key}/events", headers=api_token(client, "li"))
    assert PHONE not in events.get_data(as_text=True)


def test_case_page__department_handler_sees_it_masked_once_the_task_is_done(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    with seeded.transaction() as service:
        service.tasks.complete(open_task(seeded, key), "li", REGISTER)
    wang = api_token(client, "wang")
    during = client.get(f"/api/v1/appeals/{key}", headers=wang).get_json()
    assert during["data"]["contact"]["phone"] == PHONE
    assert during["personal"]["reason"] == "active_task"
    task = open_task(seeded, key)
    done = client.post(f"/api/v1/tasks/{task}/complete", headers=wang, json={"data": HANDLE})
    assert done.status_code == 200 and done.get_json()["data"]["contact"]["phone"] == MASKED
    after = client.get(f"/api/v1/appeals/{key}", headers=wang).get_json()
    assert after["data"]["contact"]["phone"] == MASKED and after["personal"]["shown"] == "masked"
    page = _page(client, "wang", key)
    assert MASKED in page and PHONE not in page


def test_access_log__full_views_are_listed_for_the_auditor(
    client: FlaskClient, seeded: Engine
) -> None:
    _add_auditor(seeded)
    key = _handled(seeded)
    page = _page(client, "li", key)  # the receiving window
    assert PHONE in page and 'data-testid="personal-full"' in page
    client.get(f"/api/v1/appeals/{key}", headers={**api_token(client, "li"),
                                                   "X-Request-ID": "audit-trail-0001"})  # fmt: skip
    body = client.get("/api/v1/audit/access-log", headers=api_token(client, "shen")).get_json()
    assert [(e["username"], e["case_no"], e["reason"], e["channel"]) for e in body["entries"]] == [
        ("li", key, "receiving_window", "api"),
        ("li", key, "receiving_window", "page"),
    ]
    assert body["entries"][0]["request_id"] == "audit-trail-0001"
    assert body["entries"][0]["fields"] == ["name", "phone"]
    login(client, "shen")
    log = client.get(f"/privacy/access-log?case={key}").get_data(as_text=True)
    assert log.count("李明") == 2 and "受理窗口" in log and "接口" in log and "页面" in log
    audit_page = _page(client, "shen", key)  # auditors see the case masked, unlogged
    assert MASKED in audit_page and PHONE not in audit_page
    replay = client.get(f"/audit/cases/{key}/replay").get_data(as_text=True)
    assert PHONE not in replay and MASKED in replay
    again = client.get("/api/v1/audit/access-log", headers=api_token(client, "shen")).get_json()
    assert len(again["entries"]) == 2


def test_access_log__other_staff_get_403(client: FlaskClient, seeded: Engine) -> None:
    login(client, "li")
    assert client.get("/privacy/access-log").status_code == 403
    assert (
        client.get("/api/v1/audit/access-log", headers=api_token(client, "li")).status_code == 403
    )
    key, _code = start_appeal(seeded)
    wang = api_token(client, "wang")
    assert client.get(f"/api/v1/cases/{key}/personal", headers=wang).status_code == 403


def test_purge__the_page_says_erased_and_the_auditor_sees_when_and_by_whom(
    client: FlaskClient, seeded: Engine
) -> None:
    _add_auditor(seeded)
    key = _handled(seeded)
    with seeded.transaction() as service:
        rated = service.cases.deliver_message(key, "citizen_rating", {"rating": "satisfied"})
        assert rated.status == "completed"
    with seeded.transaction() as service:
        report = service.privacy.purge("admin", now=datetime.now(UTC) + timedelta(days=1096))
    assert report.purged == (key,)
    page = _page(client, "li", key)
    assert PHONE not in page and "已删除" in page and 'data-testid="personal-erased"' in page
    assert "保存期满，删除个人信息" in page  # the purge's event on the timeline
    values = client.get(f"/api/v1/cases/{key}/personal", headers=api_token(client, "shen"))
    assert {(v["field"], v["erased_by"]) for v in values.get_json()["values"]} == {
        ("name", "admin"), ("phone", "admin")}  # fmt: skip
    verified = client.post("/api/v1/audit/verify", headers=api_token(client, "shen"),
                           json={"case": key})  # fmt: skip
    assert verified.get_json()["intact"] is True


def test_request_id__history_events_carry_the_request_that_caused_them(
    client: FlaskClient, seeded: Engine
) -> None:
    key, _code = start_appeal(seeded)
    task = open_task(seeded, key)
    headers = {**api_token(client, "li"), "X-Request-ID": "req-complete-42"}
    response = client.post(f"/api/v1/tasks/{task}/complete", headers=headers,
                           json={"data": REGISTER})  # fmt: skip
    assert response.status_code == 200
    with seeded.reading() as service:
        ids = service.session.scalars(select(CaseEvent.request_id).order_by(CaseEvent.id)).all()
    assert ids == [None, "req-complete-42"]  # the start came from the engine, not a request
    _add_auditor(seeded)
    history = client.get(f"/api/v1/cases/{key}/history", headers=api_token(client, "shen"))
    assert [e["request_id"] for e in history.get_json()["events"]] == ids
