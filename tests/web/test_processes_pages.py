"""The process admins' pages: processes and versions, upload, modeler endpoints, diff.

Real processes/ diagrams and the demo staff; `qianjin` is the process admin, `wangfang`
a clerk (who may read the processes page but nothing that changes anything).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.service import Engine
from engine.settings import Settings

from .admin_data import ADMIN, CLERK, admin_database, closed_loop_source, start_intake
from .conftest import PASSWORD, csrf_token, login, make_app

OLD_LABEL, NEW_LABEL = 'label="诉求标题"', 'label="反映事项标题"'
GOOD_CONDITION = 'handling_mode == "on_the_spot"'
BAD_CONDITION = 'handling_mode === "on_the_spot"'
BAD_FLOW = "flow_gw_handling_mode_reply_on_spot"


@pytest.fixture(scope="module")
def admin_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return admin_database(tmp_path_factory.mktemp("admin"), PASSWORD)


@pytest.fixture
def admin_app(admin_template: Path, tmp_path: Path) -> Iterator[Flask]:
    path = tmp_path / "mashangban.db"
    shutil.copy(admin_template, path)
    engine = Engine(Settings(database_url=f"sqlite:///{path}", instance_path=tmp_path))
    app = make_app(engine, MASHANGBAN_INTAKE_PROCESS="closed_loop")
    engine.close()
    yield app
    app.extensions["mashangban.engine"].close()


def _engine(app: Flask) -> Engine:
    engine: Engine = app.extensions["mashangban.engine"]
    return engine


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def _json_headers(client: FlaskClient) -> dict[str, str]:
    return {"X-CSRFToken": csrf_token(client, "/processes")}


def _edited(app: Flask, old: str, new: str) -> tuple[int, dict[str, str]]:
    number, text = closed_loop_source(_engine(app))
    assert old in text
    return number, {"closed_loop.bpmn": text.replace(old, new, 1)}


def test_processes_page__everyone_signed_in_reads_versions_but_only_admins_upload(
    admin_app: Flask,
) -> None:
    clerk = _signed_in(admin_app, CLERK)
    page = clerk.get("/processes").get_data(as_text=True)
    assert "一门受理闭环处置" in page or "closed_loop" in page
    assert 'data-process="closed_loop"' in page and "closed_loop.bpmn" in page
    assert "命令行部署" in page  # who deployed: the CLI, by name, not "system"
    assert 'data-testid="upload-form"' not in page and "在建模器中编辑" not in page
    download = clerk.get("/processes/closed_loop/versions/1/files/handling_level.dmn")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="handling_level.dmn"'
    assert b"<definitions" in download.data or b":definitions" in download.data
    assert clerk.get("/processes/closed_loop/versions/1/files/nope.bpmn").status_code == 404
    admin = _signed_in(admin_app, ADMIN)
    page = admin.get("/processes").get_data(as_text=True)
    assert 'data-testid="upload-form"' in page and 'data-testid="admin-log"' in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/processes/closed_loop/edit"),
        ("get", "/processes/closed_loop/source.json"),
        ("post", "/processes/closed_loop/validate"),
        ("post", "/processes/closed_loop/deploy"),
        ("get", "/processes/closed_loop/migrate?from=1"),
        ("post", "/processes/closed_loop/migrate"),
        ("post", "/processes/upload"),
    ],
)
def test_admin_pages__clerk_gets_403(admin_app: Flask, method: str, path: str) -> None:
    clerk = _signed_in(admin_app, CLERK)
    headers = _json_headers(clerk)
    if method == "get":
        response = clerk.get(path)
    else:
        response = clerk.post(path, headers=headers, json={"files": {"a.bpmn": "<x/>"}})
    assert response.status_code == 403
    anonymous = admin_app.test_client().get(path) if method == "get" else None
    assert anonymous is None or anonymous.status_code in (302, 401)


def test_modeler_deploy__changed_label_makes_a_new_version_with_its_note(
    admin_app: Flask,
) -> None:
    admin = _signed_in(admin_app, ADMIN)
    headers = _json_headers(admin)
    source = admin.get("/processes/closed_loop/source.json").get_json()
    assert source["main"] == "closed_loop.bpmn" and "handling_level.dmn" in source["files"]
    number, files = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    body = {"files": files, "note": "标题字段改名", "base": number}
    response = admin.post("/processes/closed_loop/deploy", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"] == number + 1
    page = admin.get("/processes").get_data(as_text=True)
    assert "标题字段改名" in page and f"部署第 {number + 1} 版" in page
    again = admin.post("/processes/closed_loop/deploy", json={**body, "base": number + 1},
                       headers=headers)  # fmt: skip
    assert again.status_code == 200 and again.get_json()["created"] is False


def test_modeler_deploy__on_a_replaced_version_gets_409(admin_app: Flask) -> None:
    admin = _signed_in(admin_app, ADMIN)
    headers = _json_headers(admin)
    number, files = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    first = {"files": files, "note": "第一位管理员", "base": number}
    assert (
        admin.post("/processes/closed_loop/deploy", json=first, headers=headers).status_code == 201
    )
    _, other = _edited(admin_app, 'label="诉求内容"', 'label="反映内容"')
    second = {"files": other, "note": "第二位管理员（基于旧版本）", "base": number}
    response = admin.post("/processes/closed_loop/deploy", json=second, headers=headers)
    assert response.status_code == 409 and response.get_json()["code"] == "conflict"


def test_modeler_deploy__note_is_required(admin_app: Flask) -> None:
    admin = _signed_in(admin_app, ADMIN)
    number, files = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    response = admin.post("/processes/closed_loop/deploy", headers=_json_headers(admin),
                          json={"files": files, "note": "  ", "base": number})  # fmt: skip
    assert response.status_code == 422 and response.get_json()["code"] == "note_required"


def test_modeler__bad_condition_is_a_finding_on_its_flow_with_its_line(admin_app: Flask) -> None:
    admin = _signed_in(admin_app, ADMIN)
    headers = _json_headers(admin)
    number, files = _edited(admin_app, GOOD_CONDITION, BAD_CONDITION)
    line = files["closed_loop.bpmn"].splitlines().index(
        next(x for x in files["closed_loop.bpmn"].splitlines() if BAD_CONDITION in x)
    ) + 1  # fmt: skip
    checked = admin.post("/processes/closed_loop/validate", json={"files": files}, headers=headers)
    assert checked.status_code == 200 and checked.get_json()["valid"] is False
    (finding,) = [f for f in checked.get_json()["errors"] if f["element"] == BAD_FLOW]
    assert finding["file"] == "closed_loop.bpmn" and finding["line"] == line
    assert finding["code"] == "conditions" and finding["title"] == "条件写法有误"
    body = {"files": files, "note": "坏条件", "base": number}
    refused = admin.post("/processes/closed_loop/deploy", json=body, headers=headers)
    assert refused.status_code == 422
    assert BAD_FLOW in [f["element"] for f in refused.get_json()["errors"]]
    assert closed_loop_source(_engine(admin_app))[0] == number  # nothing deployed


def test_upload__several_files_at_once_and_findings_on_the_page(admin_app: Flask) -> None:
    admin = _signed_in(admin_app, ADMIN)
    number, files = _edited(admin_app, GOOD_CONDITION, BAD_CONDITION)
    token = csrf_token(admin, "/processes")

    def upload(note: str, content: dict[str, str]) -> object:
        data = {"csrf_token": token, "note": note,
                "files": [(io.BytesIO(v.encode()), k) for k, v in content.items()]}  # fmt: skip
        return admin.post("/processes/upload", data=data, content_type="multipart/form-data")

    bad = upload("坏条件", files)
    assert bad.status_code == 422
    assert f'data-element="{BAD_FLOW}"' in bad.get_data(as_text=True)
    no_note = upload("", files)
    assert no_note.status_code == 422 and "请填写部署说明" in no_note.get_data(as_text=True)
    _, good = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    dmn = admin.get("/processes/closed_loop/versions/1/files/handling_level.dmn").data.decode()
    ok = upload("改标题，同时上传决策表", {**good, "handling_level.dmn": dmn})
    assert ok.status_code == 303
    assert closed_loop_source(_engine(admin_app))[0] == number + 1


def test_diff_page__names_the_changed_task_and_field(admin_app: Flask) -> None:
    admin = _signed_in(admin_app, ADMIN)
    number, files = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    body = {"files": files, "note": "改标题", "base": number}
    admin.post("/processes/closed_loop/deploy", json=body, headers=_json_headers(admin))
    clerk = _signed_in(admin_app, CLERK)  # reading a diff is open to everyone signed in
    page = clerk.get(f"/processes/closed_loop/diff?a={number}&b={number + 1}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-kind="changed" data-element="accept_case"' in text
    assert "表单字段：反映事项标题" in text  # the field by its (new) label, not its id
    assert 'id="diff-data"' in text


def test_migration_page__checks_then_moves_only_with_a_reason(admin_app: Flask) -> None:
    engine = _engine(admin_app)
    old_case = start_intake(engine)
    admin = _signed_in(admin_app, ADMIN)
    number, files = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    body = {"files": files, "note": "改标题", "base": number}
    admin.post("/processes/closed_loop/deploy", json=body, headers=_json_headers(admin))
    page = admin.get(f"/processes/closed_loop/migrate?from={number}&to={number + 1}")
    text = page.get_data(as_text=True)
    assert f'data-case="{old_case}" data-can-move="yes"' in text
    assert "受理研判" in text  # the step by its name, not its id
    token = csrf_token(admin, f"/processes/closed_loop/migrate?from={number}")
    form = {"csrf_token": token, "from": str(number), "to": str(number + 1), "cases": ""}
    refused = admin.post("/processes/closed_loop/migrate", data={**form, "reason": " "})
    assert refused.status_code == 422 and "请填写迁移理由" in refused.get_data(as_text=True)
    moved = admin.post("/processes/closed_loop/migrate", data={**form, "reason": "统一字段名"})
    assert moved.status_code == 200 and old_case in moved.get_data(as_text=True)
    with engine.transaction() as service:
        assert service.cases.get(old_case).process_version == number + 1
    again = admin.get(f"/processes/closed_loop/migrate?cases={old_case}&to={number + 1}")
    assert f'data-case="{old_case}" data-can-move="no"' in again.get_data(as_text=True)
    assert "已在第" in again.get_data(as_text=True)


def test_upload__larger_than_a_form_post_and_still_csrf_checked(admin_app: Flask) -> None:
    admin = _signed_in(admin_app, ADMIN)
    number, files = _edited(admin_app, OLD_LABEL, NEW_LABEL)
    padding = "<!-- " + "说明" * 50_000 + " -->\n"  # +300 KB: over MAX_CONTENT_LENGTH
    big = files["closed_loop.bpmn"].replace("<bpmn:process", padding + "<bpmn:process", 1)
    assert len(big.encode()) > admin_app.config["MAX_CONTENT_LENGTH"]

    def upload(token: str) -> object:
        data = {"csrf_token": token, "note": "大文件",
                "files": [(io.BytesIO(big.encode()), "closed_loop.bpmn")]}  # fmt: skip
        return admin.post("/processes/upload", data=data, content_type="multipart/form-data")

    assert upload("not-a-token").status_code == 400
    assert closed_loop_source(_engine(admin_app))[0] == number
    assert upload(csrf_token(admin, "/processes")).status_code == 303
    assert closed_loop_source(_engine(admin_app))[0] == number + 1
