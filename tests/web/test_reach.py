"""Issue 14 on the web: places on the form, duplicates for the clerk, 一键直达, Open311."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.service import Engine
from engine.settings import Settings
from tests.reachcase import MARKET_STAFF, STREETLIGHT, STREETLIGHT_AGAIN, set_up
from tests.web.conftest import PASSWORD, api_token, csrf_token, login, make_app


@pytest.fixture(scope="module")
def demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reach")
    path = folder / "mashangban.db"
    shutil.copy(sqlite_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=folder))
    set_up(engine, password=PASSWORD)
    engine.close()
    return path


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "mashangban.db"
    shutil.copy(demo_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    yield engine
    engine.close()


@pytest.fixture
def app(demo: Engine) -> Iterator[Flask]:
    application = make_app(demo, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    yield application
    application.extensions["mashangban.engine"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _appeal_form(client: FlaskClient, title: str, description: str, **changes: str) -> dict:
    return {
        "csrf_token": csrf_token(client, "/appeal"), "kind": "coordination", "title": title,
        "description": description, "tier": "town", "intake_unit": "town_a",
        "place_unit": "village_a1", "address": "滨江路 12 号", "latitude": "30.1875",
        "longitude": "120.265", "contact.name": "张三", "contact.phone": "13800138000", **changes,
    }  # fmt: skip


def _submit(client: FlaskClient, title: str, description: str, **changes: str) -> tuple[str, str]:
    response = client.post("/appeal", data=_appeal_form(client, title, description, **changes))
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    key = re.search(r'data-testid="case-no">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    code = re.search(r'data-testid="tracking-code">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    return key, code


def test_appeal__place_is_kept_and_bad_coordinates_are_shown_by_the_field(
    client: FlaskClient, demo: Engine
) -> None:
    key, _code = _submit(client, *STREETLIGHT)
    with demo.transaction() as service:
        data = service.cases.get(key).data
    assert (data["place_unit"], data["address"]) == ("village_a1", "滨江路 12 号")
    assert (data["latitude"], data["longitude"]) == (30.1875, 120.265)
    form = _appeal_form(client, *STREETLIGHT, latitude="91", longitude="", place_unit="mars")
    response = client.post("/appeal", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="latitude-error"' in html and 'id="place_unit-error"' in html


def test_appeal__api_takes_the_place_too(client: FlaskClient, demo: Engine) -> None:
    body = {"kind": "coordination", "title": STREETLIGHT[0], "description": STREETLIGHT[1],
            "contact": {"name": "张三", "phone": "13800138000"}, "tier": "town",
            "intake_unit": "town_a", "place_unit": "village_a1", "latitude": 30.2,
            "longitude": 120.1}  # fmt: skip
    response = client.post("/api/v1/appeals", json=body)
    assert response.status_code == 201, response.get_json()
    bad = client.post("/api/v1/appeals", json={**body, "longitude": None, "latitude": 30})
    assert bad.status_code == 422 and "longitude" in bad.get_json()["error"]["fields"]


def test_duplicate__suggested_to_the_clerk_and_merging_answers_both(
    client: FlaskClient, demo: Engine
) -> None:
    main, main_code = _submit(client, *STREETLIGHT)
    dup, dup_code = _submit(client, *STREETLIGHT_AGAIN)
    login(client, "wangfang")
    with demo.transaction() as service:
        task = next(t for t in service.cases.get(dup).tasks if t.task_spec == "accept_case")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'data-testid="duplicates"' in page and main in page
    response = client.post(f"/cases/{dup}/merge", data={
        "csrf_token": csrf_token(client, f"/tasks/{task.id}"), "main": main})  # fmt: skip
    assert response.status_code == 303 and response.headers["Location"].endswith(main)
    main_page = client.get(f"/cases/{main}").get_data(as_text=True)
    assert 'data-testid="merged-from"' in main_page and dup in main_page
    with demo.transaction() as service:
        accept = next(t for t in service.cases.get(main).tasks if t.task_spec == "accept_case")
        service.tasks.complete(accept.id, "wangfang", {"kind": "coordination",
                                                       "handling_mode": "on_the_spot"})  # fmt: skip
        spot = next(t for t in service.cases.get(main).tasks if t.task_spec == "reply_on_spot")
        service.tasks.complete(spot.id, "wangfang", {"public_reply": "路灯已于今天下午修复。",
                                                     "outcome": "resolved"})  # fmt: skip
    for key, code in ((main, main_code), (dup, dup_code)):
        answer = client.get(f"/api/v1/appeals/{key}?code={code}").get_json()
        assert answer["public_reply"] == "路灯已于今天下午修复。", (key, answer)


def test_duplicate__merge_needs_a_clerk_and_csrf(client: FlaskClient, demo: Engine) -> None:
    main, _ = _submit(client, *STREETLIGHT)
    dup, _ = _submit(client, *STREETLIGHT_AGAIN)
    login(client, "shenyi")  # an auditor sees every case but does not decide duplicates
    response = client.post(f"/cases/{dup}/merge", data={
        "csrf_token": csrf_token(client, "/inbox"), "main": main})  # fmt: skip
    assert response.status_code == 403
    login(client, "wangfang")
    assert client.post(f"/cases/{dup}/merge", data={"main": main}).status_code == 400
    with demo.transaction() as service:
        assert service.cases.get(dup).status == "running"


def _report(client: FlaskClient, path: str = "/direct", **changes: str) -> str:
    form = {"csrf_token": csrf_token(client, path), "accused_unit": "market",
            "title": "检查人员索要好处",
            "description": "市场监管所检查时暗示请吃饭，否则下月再查。",
            "enterprise_name": "临江鲜丰食品有限公司", "anonymous": "1",
            "contact.phone": "13900001111", **changes}  # fmt: skip
    response = client.post(path, data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    return re.search(r'data-testid="case-no">([^<]+)<', html).group(1)  # type: ignore[union-attr]


def test_direct__report_reaches_discipline_and_is_invisible_to_the_accused(
    app: Flask, client: FlaskClient, demo: Engine
) -> None:
    login(client, "xiewen")
    token = csrf_token(client, "/direct-codes")
    made = client.post("/direct-codes", data={"csrf_token": token, "scope": "enterprise",
                                              "label": "临江鲜丰食品有限公司"})  # fmt: skip
    assert made.status_code == 303
    printable = client.get(made.headers["Location"]).get_data(as_text=True)
    target = re.search(r'data-testid="target">([^<]+)<', printable).group(1)  # type: ignore[union-attr]
    path = target.removeprefix("http://localhost")
    qr = client.get(made.headers["Location"] + "/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    public = app.test_client()
    key = _report(public, path)
    inbox = [t for t in client.get("/api/v1/tasks", headers=api_token(client, "xiewen"))
             .get_json()["tasks"] if t["case_no"] == key]  # fmt: skip
    assert [t["task_spec"] for t in inbox] == ["ds_three_checks"]
    case_page = client.get(f"/cases/{key}").get_data(as_text=True)
    assert 'data-testid="direct-contact"' in case_page and "13900001111" in case_page
    task_id = inbox[0]["id"]
    for username in MARKET_STAFF:
        staff = app.test_client()
        login(staff, username)
        assert staff.get(f"/cases/{key}").status_code == 404
        assert key not in staff.get("/cases").get_data(as_text=True)
        assert key not in staff.get("/inbox?tab=group").get_data(as_text=True)
        assert staff.get(f"/tasks/{task_id}").status_code == 404
        headers = api_token(staff, username)
        tasks = staff.get("/api/v1/tasks", headers=headers).get_json()["tasks"]
        assert key not in [t["case_no"] for t in tasks]
        assert staff.get(f"/api/v1/tasks/{task_id}", headers=headers).status_code == 404
        assert staff.get(f"/api/v1/cases/{key}/history", headers=headers).status_code in (403, 404)
    auditor = app.test_client()
    login(auditor, "shenyi")
    assert "13900001111" not in auditor.get(f"/cases/{key}").get_data(as_text=True)


def test_direct__named_report_needs_a_contact_and_codes_need_discipline(
    client: FlaskClient,
) -> None:
    form = {"csrf_token": csrf_token(client, "/direct"), "accused_unit": "market",
            "title": "乱收费", "description": "收取检查费", "contact.name": "",
            "contact.phone": ""}  # fmt: skip
    response = client.post("/direct", data=form)
    assert response.status_code == 422
    assert 'id="contact-name-error"' in response.get_data(as_text=True)
    assert client.get("/direct/not-a-code").status_code == 404
    login(client, "wangfang")
    assert client.get("/direct-codes").status_code == 403


def _issue_key(demo: Engine) -> str:
    with demo.transaction() as service:
        return service.reach.open311.issue_key("12345热线")


def test_open311__services_post_and_get_round_trip(client: FlaskClient, demo: Engine) -> None:
    key = _issue_key(demo)
    services = client.get("/open311/v2/services.json").get_json()
    assert "coordination" in [s["service_code"] for s in services]
    assert "misconduct_report" not in [s["service_code"] for s in services]
    created = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "coordination", "description": " ".join(STREETLIGHT),
        "lat": "30.1875", "long": "120.265", "address_string": "滨江路 12 号",
        "attribute[place_unit]": "village_a1", "first_name": "三", "last_name": "张",
        "phone": "13800138000"})  # fmt: skip
    assert created.status_code == 201, created.get_json()
    request_id = created.get_json()[0]["service_request_id"]
    (found,) = client.get(f"/open311/v2/requests/{request_id}.json?api_key={key}").get_json()
    assert found["service_request_id"] == request_id and found["status"] == "open"
    assert found["service_code"] == "coordination" and found["address"] == "滨江路 12 号"
    assert (found["lat"], found["long"]) == (30.1875, 120.265)
    assert found["status_notes"] == "受理研判"
    listed = client.get(f"/open311/v2/requests.json?api_key={key}&status=open").get_json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    xml = client.get(f"/open311/v2/requests/{request_id}.xml?api_key={key}")
    assert xml.mimetype == "text/xml" and f"<service_request_id>{request_id}<" in xml.text
    with demo.transaction() as service:
        case = service.cases.get(request_id)
        assert case.data["channel"] == "open311" and case.data["intake_unit"] == "village_a1"


def test_open311__keys_errors_and_other_clients(client: FlaskClient, demo: Engine) -> None:
    key = _issue_key(demo)
    with demo.transaction() as service:
        other = service.reach.open311.issue_key("城市大脑")
    denied = client.post("/open311/v2/requests.json", data={"service_code": "coordination"})
    assert denied.status_code == 403 and denied.get_json()[0]["code"] == 403
    bad = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "x"})
    assert bad.status_code == 400 and "service_code" in bad.get_json()[0]["description"]
    no_phone = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "conduct", "description": "窗口人员态度差"})  # fmt: skip
    assert no_phone.status_code == 400 and "phone" in no_phone.get_json()[0]["description"]
    made = client.post(
        "/open311/v2/requests.json",
        headers={"X-API-Key": key},
        data={"service_code": "conduct", "description": "窗口人员态度差", "phone": "13800138000"},
    )
    request_id = made.get_json()[0]["service_request_id"]
    assert client.get(f"/open311/v2/requests/{request_id}.json?api_key={other}").status_code == 404


def test_api__duplicates_suggested_merged_and_refused(client: FlaskClient, demo: Engine) -> None:
    main, _ = _submit(client, *STREETLIGHT)
    dup, _ = _submit(client, *STREETLIGHT_AGAIN)
    clerk = api_token(client, "wangfang")
    found = client.get(f"/api/v1/cases/{dup}/duplicates", headers=clerk).get_json()
    assert [s["case_no"] for s in found["suggestions"]] == [main]
    assert found["suggestions"][0]["place"] == "village_a1"
    auditor = api_token(client, "shenyi")
    refused = client.post(f"/api/v1/cases/{dup}/merge", json={"main": main}, headers=auditor)
    assert refused.status_code == 403
    hidden = client.get(f"/api/v1/cases/{dup}/duplicates", headers=api_token(client, "liuyang"))
    assert hidden.status_code == 404
    assert client.post(f"/api/v1/cases/{dup}/merge", json={}, headers=clerk).status_code == 422
    merged = client.post(f"/api/v1/cases/{dup}/merge", json={"main": main}, headers=clerk)
    assert merged.get_json() == {"case_no": dup, "merged_into": main}
    again = client.post(f"/api/v1/cases/{dup}/merge", json={"main": main}, headers=clerk)
    assert again.status_code == 409
