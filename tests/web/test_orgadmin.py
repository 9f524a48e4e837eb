"""The organisation page and API on the real diagrams with the demo organisation: 钱进
(qianjin, process admin and organisation admin) adds, renames and closes units; a clerk
gets 403; the dispatch form offers a new department by name without a new deployment."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from engine.service import Engine
from engine.settings import Settings
from tests.auditcase import APPEAL, deploy_demo

from .conftest import PASSWORD, api_token, csrf_token, login, make_app

EMERGENCY = {"code": "emergency", "name": "区应急管理局", "kind": "department", "parent": ""}


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    folder = tmp_path_factory.mktemp("orgdemo")
    path = folder / "mashangban.db"
    shutil.copy(sqlite_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=folder))
    deploy_demo(engine, password=PASSWORD)
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
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "qianjin")
    return client


def post(client: FlaskClient, path: str, data: dict, page: str = "/admin/org") -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def classify_task(engine: Engine, at: datetime | None = None) -> tuple[str, str]:
    """A closed-loop case accepted for dispatch by 张伟: (case key, classify task id)."""
    with engine.transaction() as service:
        case = service.cases.start("closed_loop", data=APPEAL, actor="zhangwei", at=at)
        accept = case.tasks[0].id
        values = {"kind": "coordination", "handling_mode": "dispatch"}
        service.tasks.complete(accept, "zhangwei", values, at=at)
        task = service.cases.get(case.key).tasks[0]
    assert task.task_spec == "classify_case"
    return case.key, task.id


def select_html(page: str, field: str) -> str:
    match = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S)
    assert match, f"no select for {field}"
    return match.group(0)


def versions(engine: Engine) -> int:
    with engine.transaction() as service:
        return len(service.deployments.versions())


def test_org_page__other_roles_get_403(app: Flask) -> None:
    client = app.test_client()
    login(client, "zhangwei")
    assert client.get("/admin/org").status_code == 403
    assert client.get("/admin/org/export.json").status_code == 403
    assert client.get("/admin/org/units.csv").status_code == 403
    assert post(client, "/admin/org/units", EMERGENCY, "/inbox").status_code == 403
    assert post(client, "/admin/org/units/civil/close", {}, "/inbox").status_code == 403
    assert post(client, "/admin/org/staff/heyun/active", {"active": "false"},
                "/inbox").status_code == 403  # fmt: skip
    headers = api_token(client, "zhangwei")
    assert client.get("/api/v1/org/units", headers=headers).status_code == 403
    response = client.post("/api/v1/org/units", json=EMERGENCY, headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "not_allowed"
    assert "组织机构" not in client.get("/inbox").get_data(as_text=True)


def test_add_department__next_dispatch_form_offers_it_by_name_without_a_deployment(
    app: Flask, admin: FlaskClient, demo: Engine
) -> None:
    before = versions(demo)
    key, task_id = classify_task(demo)  # a task that was already waiting gets it too
    response = post(admin, "/admin/org/units", EMERGENCY)
    assert response.status_code == 303
    assert "区应急管理局" in admin.get("/admin/org").get_data(as_text=True)

    clerk = app.test_client()
    login(clerk, "zhangwei")
    page = clerk.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert '<option value="emergency" >区应急管理局</option>' in select_html(
        page, "lead_department"
    )
    several = select_html(page, "co_departments")
    assert "multiple" in several and ">区应急管理局</option>" in several
    assert ">区民政局</option>" in several and "labor" not in re.sub(r'value="[^"]*"', "", several)

    data = {"scope": "several_departments", "lead_department": "housing",
            "csrf_token": csrf_token(clerk, f"/tasks/{task_id}")}  # fmt: skip
    form = MultiDict([*data.items(), ("co_departments", "emergency"), ("co_departments", "civil")])
    response = clerk.post(f"/tasks/{task_id}", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    with demo.transaction() as service:
        case = service.cases.get(key)
    assert case.data["co_departments"] == "emergency,civil"
    assert case.data["departments"] == ["housing", "emergency", "civil"]
    assert versions(demo) == before  # no new deployment
    timeline = clerk.get(f"/cases/{key}").get_data(as_text=True)
    assert "区住建局、区应急管理局、区民政局" in timeline


def test_dispatch_form__a_unit_not_offered_is_refused_next_to_its_field(
    app: Flask, demo: Engine
) -> None:
    _key, task_id = classify_task(demo)
    clerk = app.test_client()
    login(clerk, "zhangwei")
    form = MultiDict([("scope", "several_departments"), ("lead_department", "housing"),
                      ("co_departments", "nowhere"),
                      ("csrf_token", csrf_token(clerk, f"/tasks/{task_id}"))])  # fmt: skip
    response = clerk.post(f"/tasks/{task_id}", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="field-co_departments-error"' in page and "“nowhere”不是可选项之一" in page


def test_rename__history_keeps_the_name_of_its_time(app: Flask, admin: FlaskClient,
                                                      demo: Engine) -> None:  # fmt: skip
    earlier = datetime.now(UTC) - timedelta(hours=1)
    key, task_id = classify_task(demo, at=earlier)
    with demo.transaction() as service:
        values = {"scope": "one_department", "lead_department": "civil"}
        service.tasks.complete(task_id, "zhangwei", values, at=earlier)
    response = post(admin, "/admin/org/units/civil/rename", {"name": "区民政和退役军人局"})
    assert response.status_code == 303
    page = admin.get(f"/cases/{key}").get_data(as_text=True)
    timeline = page[page.index('id="timeline') :] if 'id="timeline' in page else page
    assert "区民政局" in timeline  # the dispatch event, named as it was then
    units = admin.get("/api/v1/org/units", headers=api_token(admin, "qianjin")).get_json()
    assert {"code": "civil", "name": "区民政和退役军人局"}.items() <= next(
        u for u in units["units"] if u["code"] == "civil"
    ).items()
    assert "区民政局 → 区民政和退役军人局" in admin.get("/admin/org").get_data(as_text=True)


def test_close__refused_with_staff_shown_next_to_the_row_then_not_offered(
    admin: FlaskClient, demo: Engine
) -> None:
    response = post(admin, "/admin/org/units/transport/close", {})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="row-error-transport"' in page and "还有 2 名在岗人员" in page
    for username in ("songjie", "xiaochen"):
        assert post(admin, f"/admin/org/staff/{username}/active",
                    {"active": "false"}).status_code == 303  # fmt: skip
    assert post(admin, "/admin/org/units/transport/close", {}).status_code == 303
    _key, task_id = classify_task(demo)
    with demo.transaction() as service:
        choices = [c.label for f in service.tasks.get(task_id, "zhangwei").form
                    if f.id == "lead_department" for c in f.choices]  # fmt: skip
    assert "区交通运输局" not in choices and "区民政局" in choices


def test_add_unit__bad_values_shown_next_to_their_fields(admin: FlaskClient) -> None:
    response = post(admin, "/admin/org/units", {"code": "Bad Code", "name": "",
                                                "kind": "department"})  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="code-error"' in page and "不能作编码" in page
    assert 'id="name-error"' in page and "此项为必填项" in page
    taken = post(admin, "/admin/org/units", {**EMERGENCY, "code": "civil"})
    assert "编码“civil”已被其他单位使用" in taken.get_data(as_text=True)


def test_import__a_bad_row_shows_its_error_and_nothing_is_imported(admin: FlaskClient) -> None:
    data = {"units": [EMERGENCY, {"code": "x", "name": "坏行", "kind": "planet"}],
            "users": [{"username": "newbie", "name": "新人", "unit": "emergency",
                       "roles": ["department_handler"]}]}  # fmt: skip
    upload = {"file": (BytesIO(json.dumps(data).encode()), "org.json")}
    response = admin.post("/admin/org/import", data={**upload,
                          "csrf_token": csrf_token(admin, "/admin/org")},
                          content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    row = page[page.index('data-row="unit-2"') :]
    row = row[: row.index("</tr>")]
    assert "不能作编码" in row and "“planet”不是可选项之一" in row
    assert "区应急管理局" not in admin.get("/admin/org").get_data(as_text=True)

    data["units"] = data["units"][:1]
    upload = {"file": (BytesIO(json.dumps(data).encode()), "org.json")}
    response = admin.post("/admin/org/import", data={**upload,
                          "csrf_token": csrf_token(admin, "/admin/org")},
                          content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200
    assert "新增 2 行" in response.get_data(as_text=True)
    staff = admin.get("/api/v1/org/staff", headers=api_token(admin, "qianjin")).get_json()
    newbie = next(s for s in staff["staff"] if s["username"] == "newbie")
    assert newbie["groups"] == ["dept:emergency"] and newbie["unit"] == "emergency"


def test_csv_export__imports_back_unchanged(admin: FlaskClient) -> None:
    for what in ("units", "staff"):
        exported = admin.get(f"/admin/org/{what}.csv")
        assert exported.status_code == 200 and exported.mimetype == "text/csv"
        upload = {"file": (BytesIO(exported.data), f"{what}.csv")}
        response = admin.post("/admin/org/import", data={**upload,
                              "csrf_token": csrf_token(admin, "/admin/org")},
                              content_type="multipart/form-data")  # fmt: skip
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "新增 0 行，更新 0 行" in response.get_data(as_text=True)


def test_api__add_rename_close_and_conflicts(admin: FlaskClient) -> None:
    headers = api_token(admin, "qianjin")
    created = admin.post("/api/v1/org/units", json={**EMERGENCY, "parent": None},
                         headers=headers)  # fmt: skip
    assert created.status_code == 201 and created.get_json()["name"] == "区应急管理局"
    again = admin.post("/api/v1/org/units", json=EMERGENCY, headers=headers)
    assert again.status_code == 422
    assert again.get_json()["error"]["errors"][0]["code"] == "code_taken"
    renamed = admin.post("/api/v1/org/units/emergency/rename", json={"name": "区应急局"},
                         headers=headers)  # fmt: skip
    assert renamed.get_json()["name"] == "区应急局"
    closed = admin.post("/api/v1/org/units/emergency/close", headers=headers)
    assert closed.status_code == 200 and closed.get_json()["closed_at"]
    reopened = admin.post("/api/v1/org/units/emergency/reopen", headers=headers)
    assert reopened.status_code == 200 and reopened.get_json()["closed_at"] is None
    missing = admin.post("/api/v1/org/units/nowhere/close", headers=headers)
    assert missing.status_code == 404
    person = admin.post("/api/v1/org/staff", json={"username": "ma", "name": "马丽",
                        "unit": "civil", "roles": ["clerk"]}, headers=headers)  # fmt: skip
    assert person.status_code == 201 and person.get_json()["groups"] == ["clerks:civil"]
    bad = admin.post("/api/v1/org/import", json={"units": [{"code": "1x"}]}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["applied"] is False
    assert bad.get_json()["rows"][0]["errors"][0]["code"] == "bad_code"


def test_close__a_closed_window_is_no_longer_offered_to_the_public(
    app: Flask, admin: FlaskClient
) -> None:
    assert "梅岭村便民服务站" in app.test_client().get("/appeal").get_data(as_text=True)
    assert post(admin, "/admin/org/staff/fengyan/active", {"active": "false"}).status_code == 303
    assert post(admin, "/admin/org/units/village_c2/close", {}).status_code == 303
    assert "梅岭村便民服务站" not in app.test_client().get("/appeal").get_data(as_text=True)
    response = app.test_client().post("/api/v1/appeals", json={
        "kind": "coordination", "title": "路灯不亮", "description": "村口路灯坏了一个月没人修。",
        "contact": {"name": "张三", "phone": "13800138000"}, "tier": "village",
        "intake_unit": "village_c2"})  # fmt: skip
    assert response.status_code == 422 and "intake_unit" in response.get_json()["error"]["fields"]


def test_timeline__any_field_with_options_from_shows_unit_names() -> None:
    from engine.replaying import FieldLabel
    from web.timeline import value_text

    names = {"civil": "区民政局", "labor": "区人社局"}.__getitem__
    fields = {"related_offices": FieldLabel("相关单位", {}, units=True)}
    assert value_text("related_offices", "civil,labor", fields, names) == "区民政局、区人社局"
    assert value_text("related_offices", ["labor"], fields, names) == "区人社局"
    assert value_text("other", "civil", {}, names) == "civil"
