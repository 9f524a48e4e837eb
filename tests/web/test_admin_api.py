"""The process admins' JSON API: read as any staff member, deploy and migrate as an admin.

Every endpoint is called once the way a client uses it, plus the refusals: 401 without
a token, 403 for a clerk on every write, 409 on a stale base, 422 with file, line and
element for a bad upload.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.service import Engine
from tests.conftest import VALID

from .conftest import PASSWORD, api_token, make_app

TWO_STEP = (VALID / "two_step.bpmn").read_bytes()
RELABELLED = TWO_STEP.replace('label="标题"'.encode(), 'label="诉求标题"'.encode(), 1)
BAD_CONDITION = TWO_STEP.replace(b"level == 1</bpmn:conditionExpression>",
                                 b"level == (</bpmn:conditionExpression>", 1)  # fmt: skip


@pytest.fixture
def admin_app(seeded: Engine) -> Iterator[Flask]:
    """The seeded app with a process admin `qianjin` and a running two_step case `OLD`."""
    with seeded.transaction() as service:
        service.staff.save_user("qianjin", "钱进", [], unit="district", roles=["process_admin"],
                                password=PASSWORD)  # fmt: skip
        service.cases.start("two_step", key="OLD", actor="li")
    app = make_app(seeded)
    yield app
    app.extensions["mashangban.engine"].close()


@pytest.fixture
def api(admin_app: Flask) -> FlaskClient:
    return admin_app.test_client()


def headers(client: FlaskClient, who: str) -> dict[str, str]:
    return api_token(client, who)


def deploy(client: FlaskClient, who: str, content: bytes = RELABELLED, **form: str) -> Any:
    data: dict[str, Any] = {"files": [(io.BytesIO(content), "two_step.bpmn")], **form}
    return client.post("/api/v1/deployments", data=data, headers=headers(client, who),
                       content_type="multipart/form-data")  # fmt: skip


def test_processes__any_signed_in_staff_member_reads_them(api):
    assert api.get("/api/v1/processes").status_code == 401
    body = api.get("/api/v1/processes", headers=headers(api, "li")).get_json()
    two_step = next(p for p in body["processes"] if p["process_id"] == "two_step")
    version = two_step["versions"][0]
    assert (version["version"], version["running"], version["finished"]) == (1, 1, 0)
    assert "two_step.bpmn" in version["files"] and len(version["content_hash"]) == 64


def test_versions_and_files__list_and_download(api):
    auth = headers(api, "li")
    versions = api.get("/api/v1/processes/two_step/versions", headers=auth).get_json()
    assert [v["version"] for v in versions["versions"]] == [1]
    assert api.get("/api/v1/processes/nope/versions", headers=auth).status_code == 404
    files = api.get("/api/v1/processes/two_step/versions/1/files", headers=auth).get_json()
    assert files["files"][0]["name"] == "two_step.bpmn"
    assert files["files"][0]["content"] == TWO_STEP.decode()
    raw = api.get("/api/v1/processes/two_step/versions/1/files/two_step.bpmn", headers=auth)
    assert raw.status_code == 200 and raw.data == TWO_STEP
    assert "attachment" in raw.headers["Content-Disposition"]
    gone = api.get("/api/v1/processes/two_step/versions/9/files", headers=auth)
    assert gone.status_code == 404


def test_deploy__a_clerk_gets_403_on_every_write(api):
    assert deploy(api, "li").status_code == 403
    auth = headers(api, "li")
    body = {"process_id": "two_step", "keys": ["OLD"]}
    for path in ("/api/v1/migrations/check", "/api/v1/migrations"):
        response = api.post(path, json=body, headers=auth)
        assert response.status_code == 403, path
        assert response.get_json()["error"]["code"] == "not_allowed"


def test_deploy__creates_version_two_with_its_note_and_logs_it(api):
    response = deploy(api, "qianjin", note="标题改名", expected_base='{"two_step": 1}')
    assert response.status_code == 201, response.get_json()
    created = [v for v in response.get_json()["versions"] if v["created"]]
    assert [(v["process_id"], v["version"]) for v in created] == [("two_step", 2)]
    auth = headers(api, "li")
    versions = api.get("/api/v1/processes/two_step/versions", headers=auth).get_json()
    latest = versions["versions"][-1]
    assert (latest["note"], latest["deployed_by"]) == ("标题改名", "qianjin")
    actions = api.get("/api/v1/admin/actions?process_id=two_step", headers=auth).get_json()
    assert [(a["kind"], a["actor"], a["note"]) for a in actions["actions"]] == [
        ("deployed", "qianjin", "标题改名")
    ]
    again = deploy(api, "qianjin", note="同样的文件")
    assert again.status_code == 200 and not again.get_json()["changed"]


def test_deploy__on_a_stale_base_gets_409(api):
    assert deploy(api, "qianjin", expected_base='{"two_step": 1}').status_code == 201
    other = TWO_STEP.replace('label="标题"'.encode(), 'label="事项"'.encode(), 1)
    response = deploy(api, "qianjin", other, expected_base='{"two_step": 1}')
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "stale_base"


def test_deploy__a_bad_condition_gets_422_with_file_line_and_element(api):
    response = deploy(api, "qianjin", BAD_CONDITION, note="坏条件")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_process"
    finding = error["errors"][0]
    assert finding["file"] == "two_step.bpmn"
    assert finding["element"] == "flow_route_handle"
    expected_line = TWO_STEP[: TWO_STEP.index(b'id="flow_route_handle"')].count(b"\n") + 1
    assert finding["line"] in (expected_line, expected_line + 1)
    assert finding["code"] == "conditions" and finding["message"]


def test_deploy__an_incomplete_upload_gets_422_per_field(api):
    auth = headers(api, "qianjin")
    empty = api.post("/api/v1/deployments", data={"note": "x"}, headers=auth,
                     content_type="multipart/form-data")  # fmt: skip
    assert empty.status_code == 422 and "files" in empty.get_json()["error"]["fields"]
    bad_base = deploy(api, "qianjin", expected_base="[1]")
    assert "expected_base" in bad_base.get_json()["error"]["fields"]


def test_diff__names_the_changed_field(api):
    deploy(api, "qianjin", note="标题改名")
    auth = headers(api, "li")
    body = api.get("/api/v1/processes/two_step/diff?a=1&b=2", headers=auth).get_json()
    register = next(c for c in body["changed"] if c["element"] == "register")
    assert register["fields"] == ["title"]
    assert body["files"] == ["two_step.bpmn"]
    missing = api.get("/api/v1/processes/two_step/diff?a=1", headers=auth)
    assert missing.status_code == 422 and "b" in missing.get_json()["error"]["fields"]


def test_migration__check_then_move_the_old_case(api, seeded):
    deploy(api, "qianjin", note="标题改名")
    auth = headers(api, "qianjin")
    body = {"process_id": "two_step", "from_version": 1}
    plan = api.post("/api/v1/migrations/check", json=body, headers=auth).get_json()
    assert [(c["case_no"], c["can_move"], c["changes"]) for c in plan["cases"]] == [
        ("OLD", True, ["register"])
    ]
    result = api.post("/api/v1/migrations", json={**body, "reason": "新标签"}, headers=auth)
    assert result.status_code == 200 and result.get_json()["moved"] == ["OLD"]
    with seeded.transaction() as service:
        task = service.cases.get("OLD").tasks[0]
        assert next(f.label for f in task.form if f.id == "title") == "诉求标题"
        assert service.chain.verify("OLD") == [] and service.chain.replay("OLD").matches_stored
    bad = api.post("/api/v1/migrations", json={"process_id": "two_step"}, headers=auth)
    assert bad.status_code == 422 and "keys" in bad.get_json()["error"]["fields"]
    assert json.loads(json.dumps(plan))  # plain JSON all the way
